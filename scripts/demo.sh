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
BILLS_ALIAS="${BILLS_ALIAS:-bills@delinde.example}"
# The webshop's inbound secret: what the shop's confirmations and ship
# notices to Odoo carry (not the cXML shared secret Odoo sends the shop).
INBOUND_SECRET="${INBOUND_SECRET:-demo-inbound-s3cret}"
for port in "$ODOO_PORT" "$SHOP_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "Port $port is in use: stop what runs there, or choose other ports (ODOO_PORT=8569 SHOP_PORT=8579 bash scripts/demo.sh)."
    fi
done
# The shop keeps its orders per demo database: a new database numbers its
# orders from P00001 again, which the shop would take for replays.
SHOP_DATA="$CACHE/simshop-$DB"
if [ "${1:-}" = "--reset" ]; then
    dropdb --if-exists "$DB"
    rm -rf "$SHOP_DATA"
fi
mkdir -p "$CACHE"
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
SHOP_URL="$SHOP_URL" ODOO_URL="$ODOO_URL" DEMO_PASSWORD="$DEMO_PASSWORD" BILLS_ALIAS="$BILLS_ALIAS" \
    INBOUND_SECRET="$INBOUND_SECRET" \
    "$VENV/bin/python" -m odoo shell -c "$conf" -d "$DB" --log-level=warn \
    <"$ROOT/scripts/demo_data.py"

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
mkdir -p "$SHOP_DATA"
(cd "$ROOT" && exec "$VENV/bin/python" -m tools.simshop --host localhost --port "$SHOP_PORT" \
    --data-dir "$SHOP_DATA" --oci-user demo --oci-password demo --shared-secret s3cret \
    --odoo-secret "$INBOUND_SECRET" \
    --odoo-url "$ODOO_URL" --deliver mail --mail-to "$BILLS_ALIAS" --odoo-db "$DB" \
    --odoo-login admin --odoo-password "$DEMO_PASSWORD" >"$CACHE/demo-simshop.log" 2>&1) &
pids+=($!)
"$VENV/bin/python" -m odoo -c "$conf" -d "$DB" --log-level=info >"$CACHE/demo-odoo.log" 2>&1 &
pids+=($!)
say "Starting Odoo and the simulated shop"
up=""
for _ in $(seq 120); do
    if curl -fs "$ODOO_URL/web/health" >/dev/null 2>&1 && curl -fs "$SHOP_URL/health" >/dev/null 2>&1; then
        up=1
        break
    fi
    for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null || die "Odoo or the shop stopped: see .cache/demo-odoo.log and .cache/demo-simshop.log"
    done
    sleep 1
done
[ -n "$up" ] || die "Odoo or the shop did not answer within 2 minutes: see .cache/demo-odoo.log and .cache/demo-simshop.log"
# Build the web assets now (log in once as admin and fetch every bundle the
# web client loads), so the first user's login does not wait for them.
say "Preparing the web client"
jar="$(mktemp)"
login_page="$(curl -fs -c "$jar" -b "$jar" "$ODOO_URL/web/login" || true)"
csrf="$(printf '%s' "$login_page" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n1)"
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "login=admin" --data-urlencode "password=$DEMO_PASSWORD" \
    --data-urlencode "redirect=/odoo" "$ODOO_URL/web/login" || true
for page in "$ODOO_URL/web/login" "$ODOO_URL/odoo"; do
    curl -fs -b "$jar" "$page" 2>/dev/null | grep -o '/web/assets/[^"]*' | sort -u |
        while read -r asset; do curl -fs -o /dev/null -b "$jar" "$ODOO_URL$asset" || true; done
done || true
curl -fs -o /dev/null -b "$jar" "$ODOO_URL/web/session/logout" || true
rm -f "$jar"
cat <<MSG

  Open $ODOO_URL/odoo/purchase   and log in as one of (password $DEMO_PASSWORD):
    buyer       Bea Buyer (works in Dutch): opens the Purchase Requests app,
                the request printed above ("Kerstgeschenken 2026"), and clicks
                "Punch-out naar Topgeschenken"; fills the cart in the shop's tab,
                clicks "Winkelwagen overdragen", gets the RFQ, clicks "Bevestig order"
    requester   Rita Requester (works in Dutch, purchase requests only): punches out
                from her request "Bedankjes vrijwilligers"; the cart becomes its lines
    approver    Anton Approver: approves RFQs above 500 EUR ("Approve Order"),
                and requests, and makes their RFQ ("Create RFQ" on the request lines);
                the order is sent to the shop, see the "Webshop" smart button
    accountant  Alma Accountant: the shop's invoices in Invoicing > Vendors > Bills,
                those that do not match their order in Invoicing > Vendors > Bills to review
    admin       administrator (the webshop's "Generate inbound secret")
  Simulated webshop:   $SHOP_URL   (orders: $SHOP_URL/admin/orders)
  The shop's invoice for an order, mailed to $BILLS_ALIAS:
    curl -X POST -H 'Content-Type: application/json' -d '{"deliver": "mail"}' \\
        $SHOP_URL/admin/invoice/<order number, e.g. P00001>
  Logs: .cache/demo-odoo.log, .cache/demo-simshop.log
  Ctrl-C stops both.

MSG
wait -n "${pids[@]}"
