#!/usr/bin/env bash
# Regenerate topgeschenken_oci/i18n/topgeschenken_oci.pot from the code and merge
# it into the translations (i18n/nl.po): translations of unchanged terms are
# kept, new terms come in untranslated (the test TestI18n then fails until they
# are translated), terms the code no longer has are dropped.
#
# Usage: scripts/i18n_export.sh [DATABASE]
#   DATABASE  a database with the addon installed (default tgoci_i18n, created
#             with the addon and nl_NL on first use). The export reads the
#             source files for code terms and the database for fields, views,
#             menus and selections, so update the addon first when views or
#             fields changed:  python -m odoo -c CONF -d DATABASE -u topgeschenken_oci
#
# What it runs: Odoo 19's CLI
#   python -m odoo i18n export -c CONF -d DATABASE topgeschenken_oci
# (writes <addon>/i18n/<addon>.pot), then a polib merge of every <addon>/i18n/*.po.
source "$(dirname "$0")/lib.sh"
DB="${1:-${TGOCI_I18N_DB:-tgoci_i18n}}"
ensure_postgres
conf="$CACHE/i18n-odoo.conf"
mkdir -p "$CACHE"
write_odoo_conf "$conf" "http_port = ${I18N_HTTP_PORT:-8769}"
if ! psql -d "$DB" -tAc "select 1 from ir_module_module where name='$ADDON' and state='installed'" 2>/dev/null | grep -q 1; then
    say "Creating $DB with $ADDON and Dutch"
    createdb "$DB" 2>/dev/null || true
    "$VENV/bin/python" -m odoo -c "$conf" -d "$DB" -i "$ADDON" --load-language nl_NL \
        --stop-after-init --log-level=warn
else
    say "Updating $ADDON on $DB"
    "$VENV/bin/python" -m odoo -c "$conf" -d "$DB" -u "$ADDON" --stop-after-init --log-level=warn
fi
say "Exporting $ADDON/i18n/$ADDON.pot"
"$VENV/bin/python" -m odoo i18n export -c "$conf" -d "$DB" "$ADDON"
say "Merging the .po files"
"$VENV/bin/python" - "$ROOT/$ADDON/i18n" "$ADDON" <<'PY'
import sys
from pathlib import Path

import polib

i18n, addon = Path(sys.argv[1]), sys.argv[2]
pot = polib.pofile(str(i18n / f"{addon}.pot"), wrapwidth=78)
for po_path in sorted(i18n.glob("*.po")):
    old = polib.pofile(str(po_path))
    known = {(e.msgctxt, e.msgid): e.msgstr for e in old if not e.obsolete}
    new = polib.POFile(wrapwidth=78)
    new.header = pot.header
    new.metadata = dict(pot.metadata)
    for key in ("Language", "Plural-Forms", "Last-Translator", "Language-Team"):
        if old.metadata.get(key):
            new.metadata[key] = old.metadata[key]
    missing = 0
    for entry in pot:
        msgstr = known.get((entry.msgctxt, entry.msgid), "")
        missing += not msgstr
        new.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgstr=msgstr,
                msgctxt=entry.msgctxt,
                occurrences=entry.occurrences,
                comment=entry.comment,
                tcomment=entry.tcomment,
                flags=entry.flags,
            )
        )
    new.save(str(po_path))
    print(f"{po_path.name}: {len(new)} terms, {missing} untranslated")
PY
