#!/usr/bin/env bash
# The main job: set up, then run Odoo with the addon next to the simulated
# Topgeschenken shop, with demo users and a purchase request ready to punch out.
# Ctrl-C stops both. Options: --reset drops the demo database first.
source "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh"
pg_env
DB="${DEMO_DB:-tgoci_demo}"
ODOO_PORT="${ODOO_PORT:-8069}"
SHOP_PORT="${SHOP_PORT:-8079}"
# Two host names, so the cart's return is cross-site as in real life.
ODOO_URL="http://127.0.0.1:$ODOO_PORT"
SHOP_URL="http://localhost:$SHOP_PORT"
DEMO_PASSWORD="${DEMO_PASSWORD:-demo-$(id -un)-2026}"
[ "${1:-}" = "--reset" ] && dropdb --if-exists "$DB"
conf="$CACHE/demo-odoo.conf"
write_odoo_conf "$conf" "http_port = $ODOO_PORT" "server_wide_modules = base,web,queue_job" \
    "workers = 0" "db_name = $DB" "dbfilter = ^$DB\$"
if ! psql -d "$DB" -tAc "select 1 from ir_module_module where name='$ADDON' and state='installed'" 2>/dev/null | grep -q 1; then
    say "Creating the demo database $DB"
    createdb "$DB" 2>/dev/null || true
    "$VENV/bin/python" -m odoo -c "$conf" -d "$DB" -i "$ADDON_DEPENDS,l10n_nl,$ADDON" \
        --stop-after-init --log-level=warn
fi
say "Loading the demo data"
SHOP_URL="$SHOP_URL" ODOO_URL="$ODOO_URL" DEMO_PASSWORD="$DEMO_PASSWORD" \
    "$VENV/bin/python" -m odoo shell -c "$conf" -d "$DB" --log-level=warn \
    <"$ROOT/scripts/demo_data.py"

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
mkdir -p "$CACHE/simshop"
(cd "$ROOT" && exec "$VENV/bin/python" -m tools.simshop --host localhost --port "$SHOP_PORT" \
    --data-dir "$CACHE/simshop" --oci-user demo --oci-password demo --shared-secret s3cret \
    --odoo-url "$ODOO_URL") &
pids+=($!)
"$VENV/bin/python" -m odoo -c "$conf" -d "$DB" --log-level=info >"$CACHE/demo-odoo.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
    curl -fs "$ODOO_URL/web/health" >/dev/null 2>&1 && break
    sleep 1
done
cat <<MSG

  Odoo:                 $ODOO_URL   (log: .cache/demo-odoo.log)
  Simulated webshop:    $SHOP_URL
  Users (password $DEMO_PASSWORD):
    buyer       Bea Buyer: opens the purchase request "Kerstgeschenken 2026"
                and clicks "Punch out to Topgeschenken"
    approver    Anton Approver: approves RFQs above 500 EUR
    accountant  Alma Accountant: vendor bills
    admin       administrator
  Ctrl-C stops both.

MSG
wait -n "${pids[@]}"
