#!/usr/bin/env bash
# Run the whole test suite against a real PostgreSQL:
#   1. the framework-free unit tests (plain pytest): protocol code, simulated shop;
#   2. the addon's Odoo tests as OCA CI runs them: Odoo's own runner installs the
#      addon on a fresh, uniquely named database with --test-enable (at_install
#      and post_install, HttpCase and browser tours), under coverage, and the run
#      fails on any unexpected WARNING or ERROR in the log;
#   3. an uninstall of the addon on that database;
# then drops the database. It runs scripts/setup.sh first (idempotent).
# Options: --keep-db keeps the database, --unit runs step 1 only.
source "$(dirname "$0")/lib.sh"

keep_db=0 unit_only=0
for arg in "$@"; do
    case "$arg" in
        --keep-db) keep_db=1 ;;
        --unit) unit_only=1 ;;
        *) die "unknown option $arg (known: --keep-db, --unit)" ;;
    esac
done
# The set-up is idempotent (a second run only checks), so the README's test
# command works on a fresh machine too.
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
LOGDIR="$ROOT/.cache/test-logs"
mkdir -p "$LOGDIR"
passed=0 failed=0

say "1/3 Unit tests (pytest)"
set +e
"$VENV/bin/python" -m pytest -p no:odoo -p no:cacheprovider \
    -q -o junit_family=xunit2 --junitxml="$LOGDIR/unit.xml" \
    $(ls -d topgeschenken_oci/protocol/tests tools/simshop/tests 2>/dev/null)
rc=$?
set -e
read -r up uf < <("$VENV/bin/python" - "$LOGDIR/unit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot()
s = s if s.tag == "testsuite" else s.find("testsuite")
t, f, e, k = (int(s.get(a, 0)) for a in ("tests", "failures", "errors", "skipped"))
print(t - f - e - k, f + e)
PY
) || { up=0; uf=1; }
passed=$((passed + up)); failed=$((failed + uf))
[ "$rc" = 5 ] && { echo "pytest collected no tests: that is a failure" >&2; failed=$((failed + 1)); }
[ "$rc" = 0 ] || [ "$rc" = 5 ] || [ "$uf" -gt 0 ] || failed=$((failed + 1))
if [ "$unit_only" = 1 ]; then
    echo "unit: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
fi

ensure_postgres
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null &&
    ! command -v google-chrome >/dev/null; then
    die "Chromium is missing, so the browser tours would be skipped: apt-get install chromium."
fi

DB="tgoci_test_$(date +%Y%m%d%H%M%S)_$$"
cleanup() {
    if [ "$keep_db" = 0 ]; then dropdb --if-exists "$DB" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
createdb "$DB"
CONF="$LOGDIR/odoo.conf"
write_odoo_conf "$CONF" "http_port = ${TEST_HTTP_PORT:-8169}" "server_wide_modules = base,web,queue_job"
common=(-c "$CONF" -d "$DB" --stop-after-init)

say "2/3 Installing the dependencies on $DB (no tests)"
"$VENV/bin/python" -m odoo "${common[@]}" -i "$ADDON_DEPENDS,$TEST_EXTRA_MODULES" --log-level=warn \
    >"$LOGDIR/deps.log" 2>&1 || { tail -50 "$LOGDIR/deps.log"; die "Installing the dependencies failed."; }

# The tours' screenshots go to the log folder here; the ones shown in the
# README are refreshed with TGOCI_SCREENSHOTS_DIR unset (scripts/dev-test.sh).
export TGOCI_SCREENSHOTS_DIR="${TGOCI_SCREENSHOTS_DIR:-$LOGDIR/screenshots}"
say "2/3 Installing $ADDON with its tests (log: $LOGDIR/odoo.log)"
set +e
"$VENV/bin/python" -m coverage run --rcfile="$ROOT/.coveragerc" -m odoo "${common[@]}" \
    -i "$ADDON" --test-enable --test-tags "/$ADDON" --log-level=info \
    2>&1 | tee "$LOGDIR/odoo.log" | grep -E --line-buffered \
    ' (WARNING|ERROR|CRITICAL) |FAIL:|ERROR:|odoo.tests.result|Starting |Ran [0-9]'
set -e
"$VENV/bin/python" "$ROOT/scripts/checklog.py" "$LOGDIR/odoo.log" >"$LOGDIR/odoo.summary"
read -r op of <"$LOGDIR/odoo.summary"
passed=$((passed + op)); failed=$((failed + of))

say "2/3 Again with OCA purchase_tier_validation installed (tests tagged tgoci_tier)"
set +e
"$VENV/bin/python" -m coverage run --rcfile="$ROOT/.coveragerc" -m odoo "${common[@]}" \
    -i purchase_tier_validation -u "$ADDON" --test-enable --test-tags tgoci_tier \
    --log-level=info >"$LOGDIR/odoo-tier.log" 2>&1
set -e
"$VENV/bin/python" "$ROOT/scripts/checklog.py" "$LOGDIR/odoo-tier.log" >"$LOGDIR/odoo-tier.summary"
read -r tp tf <"$LOGDIR/odoo-tier.summary"
echo "tier validation pass: $tp passed, $tf failed"
passed=$((passed + tp)); failed=$((failed + tf))

say "3/3 Uninstalling $ADDON"
if "$VENV/bin/python" -m odoo module uninstall -c "$CONF" -d "$DB" "$ADDON" \
    >"$LOGDIR/uninstall.log" 2>&1 &&
    [ "$(psql -d "$DB" -tAc "select state from ir_module_module where name='$ADDON'")" = uninstalled ]; then
    passed=$((passed + 1))
else
    tail -30 "$LOGDIR/uninstall.log"
    echo "FAIL: the addon does not uninstall cleanly" >&2
    failed=$((failed + 1))
fi

"$VENV/bin/python" -m coverage combine --rcfile="$ROOT/.coveragerc" -q 2>/dev/null || true
"$VENV/bin/python" -m coverage report --rcfile="$ROOT/.coveragerc" | tail -25 || true
echo "topgeschenken_oci: $passed passed, $failed failed"
[ "$failed" = 0 ]
