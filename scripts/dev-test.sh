#!/usr/bin/env bash
# Developer inner loop: update the addon on an existing database and run its
# tests there (default database: tgoci_dev, created with the dependencies on
# first use). Usage: scripts/dev-test.sh [TEST_TAGS] (default /topgeschenken_oci)
source "$(dirname "$0")/lib.sh"
DB="${TGOCI_DEV_DB:-tgoci_dev}"
ensure_postgres
conf="$CACHE/dev-odoo.conf"
mkdir -p "$CACHE"
write_odoo_conf "$conf" "http_port = ${DEV_HTTP_PORT:-8269}"
if ! psql -d "$DB" -tAc "select 1 from ir_module_module where name='$ADDON' and state='installed'" 2>/dev/null | grep -q 1; then
    createdb "$DB" 2>/dev/null || true
    "$VENV/bin/python" -m odoo -c "$conf" -d "$DB" -i "$ADDON_DEPENDS,$TEST_EXTRA_MODULES,$ADDON" --stop-after-init --log-level=warn
fi
exec "$VENV/bin/python" -m odoo -c "$conf" -d "$DB" -u "$ADDON" --test-enable \
    --test-tags "${1:-/$ADDON}" --stop-after-init --log-level=test
