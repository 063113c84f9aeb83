"""Walk the running demo (scripts/demo.sh) through the whole flow over HTTP.

The steps a person does by hand in the README's demo walkthrough, with
``requests`` instead of a browser: the buyer punches out from the purchase
request, fills the cart in the simulated shop and transfers it back; the RFQ
is confirmed, the approver approves it, Odoo's job runner sends it to the shop
and the shop acknowledges it; the shop mails its invoice to the vendor bills
alias and the accountant finds the bill.

    .venv/bin/python scripts/demo_smoke.py [--odoo URL] [--shop URL] \\
        [--db NAME] [--password PW]

Defaults are the demo's (ODOO_PORT, SHOP_PORT, DEMO_DB, DEMO_PASSWORD as in
scripts/demo.sh). Exits non-zero at the first step that fails.
"""

import argparse
import html
import os
import re
import subprocess
import sys
import time

import requests

TIMEOUT = 30


def fail(message):
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def step(message):
    print(f"==> {message}", flush=True)


class Odoo:
    """A logged-in Odoo user, over JSON-RPC as the web client does."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        reply = self.http.post(
            f"{self.url}/web/session/authenticate",
            json={"params": {"db": db, "login": login, "password": password}},
            timeout=TIMEOUT,
        ).json()
        if reply.get("error") or not reply.get("result", {}).get("uid"):
            fail(f"{login} cannot log in: {reply.get('error')}")

    def call(self, model, method, *args, **kwargs):
        reply = self.http.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            json={
                "params": {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                }
            },
            timeout=TIMEOUT,
        ).json()
        if reply.get("error"):
            data = reply["error"].get("data", {})
            fail(f"{model}.{method}: {data.get('message') or reply['error']}")
        return reply["result"]

    def read(self, model, record_id, fields):
        return self.call(model, "read", [record_id], fields)[0]


def form_of(page, form_id=None):
    """(action, [(name, value)]) of the (first, or id=form_id) HTML form."""
    pattern = r"<form\b[^>]*>.*?</form>"
    forms = re.findall(pattern, page, re.S)
    if form_id:
        forms = [f for f in forms if f'id="{form_id}"' in f]
    if not forms:
        fail(f"no form in the page:\n{page[:1000]}")
    form = forms[0]
    action = html.unescape(re.search(r'action="([^"]*)"', form).group(1))
    fields = [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(
            r'<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"', form
        )
    ]
    return action, fields


def change_order(args, approver, order_id, po_name):
    """A change of the acknowledged order reaches the shop as a new version."""
    step("The approver adds one gift to the confirmed order: the shop gets an update")
    lines = approver.call(
        "purchase.order.line",
        "search_read",
        [("order_id", "=", order_id), ("display_type", "=", False)],
        ["product_qty"],
    )
    line = lines[0]
    approver.call(
        "purchase.order.line",
        "write",
        [line["id"]],
        {"product_qty": line["product_qty"] + 1},
    )
    for _ in range(60):
        [transmission] = approver.call(
            "punchout.order.transmission",
            "search_read",
            [("order_id", "=", order_id)],
            ["state", "version", "delivered_version"],
        )
        if transmission["delivered_version"] >= 2:
            break
        time.sleep(1)
    print(
        f"    transmission {transmission['state']}, version "
        f"{transmission['version']}, the shop has {transmission['delivered_version']}"
    )
    if transmission["delivered_version"] < 2:
        fail("the shop did not take the changed order within 60 s")
    shop_orders = requests.get(
        f"{args.shop}/admin/orders", headers={"Accept": "application/json"}, timeout=30
    ).json()["orders"]
    versions = [
        v["type"]
        for order in shop_orders
        if order["buyer_order_id"] == po_name
        for v in order.get("versions", [])
    ]
    if versions != ["update"]:
        fail(f"the shop recorded {versions} for {po_name}, not one update")


FORGED_CONFIRMATION = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<cXML payloadID="forged-{po}@smoke" timestamp="2026-12-01T09:00:00+01:00">'
    '<Header><From><Credential domain="NetworkID"><Identity>TOPGESCHENKEN'
    '</Identity></Credential></From><To><Credential domain="NetworkID">'
    "<Identity>DE-LINDE</Identity></Credential></To><Sender>"
    '<Credential domain="NetworkID"><Identity>TOPGESCHENKEN</Identity>'
    "<SharedSecret>s3cret</SharedSecret></Credential><UserAgent>smoke"
    "</UserAgent></Sender></Header><Request><ConfirmationRequest>"
    '<ConfirmationHeader type="reject" noticeDate="2026-12-01T09:00:00+01:00" '
    'confirmID="FORGED"/><OrderReference orderID="{po}"/></ConfirmationRequest>'
    "</Request></cXML>"
)


def confirm_and_ship(args, approver, order_id, po_name):
    """The shop's ConfirmationRequest and ShipNoticeRequest reach the order;
    a document with the secret Odoo sends the shop (which purchase managers
    can read) does not."""
    step("A forged confirmation with Odoo's outbound cXML secret is refused")
    forged = requests.post(
        f"{args.odoo}/punchout/cxml/order-documents",
        data=FORGED_CONFIRMATION.format(po=po_name).encode(),
        headers={"Content-Type": "text/xml; charset=UTF-8"},
        timeout=60,
    )
    if forged.status_code != 401:
        fail(f"a forged shop confirmation was answered {forged.status_code}")
    step("The shop confirms the order with its delivery date, then ships it")
    for kind in ("confirm", "ship"):
        reply = requests.post(
            f"{args.shop}/admin/{kind}/{po_name}", json={}, timeout=60
        )
        if reply.status_code != 200:
            fail(f"the shop's {kind} document was refused: {reply.text[:500]}")
    lines = approver.call(
        "purchase.order.line",
        "search_read",
        [("order_id", "=", order_id), ("display_type", "=", False)],
        ["oci_confirmation_state", "date_planned"],
    )
    receipts = approver.call(
        "stock.picking",
        "search_read",
        [("purchase_id", "=", order_id)],
        ["name", "oci_carrier", "oci_tracking_ref", "scheduled_date"],
    )
    states = [line["oci_confirmation_state"] for line in lines]
    tracking = [(r["name"], r["oci_carrier"], r["oci_tracking_ref"]) for r in receipts]
    print(f"    lines: {states}, receipts: {tracking}")
    if set(states) != {"confirmed"}:
        fail("the shop's confirmation did not reach the order lines")
    if not receipts or not all(r["oci_tracking_ref"] for r in receipts):
        fail("the shop's ship notice did not reach the receipt")


def requester_flow(args):
    """A requester without purchase rights punches out from her own draft
    request (the cart becomes its lines, whose cart data she cannot
    change); the approver makes the RFQ with OCA's wizard."""
    step("The requester punches out from her own request; the cart fills it")
    requester = Odoo(args.odoo, args.db, "requester", args.password)
    request_id = requester.call(
        "purchase.request", "create", {"description": "Bedankjes (demo_smoke)"}
    )
    action = requester.call("purchase.request", "action_oci_punchout", [request_id])
    print(f"    Odoo says: {action['params']['message']}")
    go = requester.http.get(args.odoo + action["params"]["next"]["url"])
    go.raise_for_status()
    login_url, login_fields = form_of(go.text)
    shop = requests.Session()
    shop.post(login_url, data=login_fields, timeout=TIMEOUT).raise_for_status()
    shop.post(
        f"{args.shop}/cart/add",
        data={"code": "TG-KP-001", "quantity": "15", "card_text": "Dank je wel!"},
        timeout=TIMEOUT,
    ).raise_for_status()
    reply = shop.post(f"{args.shop}/cart/transfer", timeout=TIMEOUT)
    hook_url, cart_fields = form_of(reply.text, "oci-transfer")
    reply = requests.post(
        hook_url, data=cart_fields, allow_redirects=False, timeout=TIMEOUT
    )
    if reply.status_code != 303 or "purchase.request" not in reply.headers["Location"]:
        fail(f"the requester's cart did not fill her request: {reply.status_code}")
    lines = requester.call(
        "purchase.request.line",
        "search_read",
        [("request_id", "=", request_id)],
        ["name", "product_qty", "oci_price_unit", "oci_card_text"],
    )
    print(f"    request lines: {[(x['name'], x['product_qty']) for x in lines]}")
    if not lines:
        fail("the requester's cart made no request lines")
    forged = requester.http.post(
        f"{args.odoo}/web/dataset/call_kw/purchase.request.line/write",
        json={
            "params": {
                "model": "purchase.request.line",
                "method": "write",
                "args": [[lines[0]["id"]], {"oci_price_unit": 0.01}],
                "kwargs": {},
            }
        },
        timeout=TIMEOUT,
    ).json()
    if not forged.get("error"):
        fail("the requester could change the cart's price on her request line")
    requester.call("purchase.request", "button_to_approve", [request_id])

    step("The approver approves the request and makes the RFQ (OCA's wizard)")
    approver = Odoo(args.odoo, args.db, "approver", args.password)
    approver.call("purchase.request", "button_approved", [request_id])
    vendor = approver.call(
        "punchout.webshop", "search_read", [], ["partner_id"], limit=1
    )[0]["partner_id"][0]
    context = {
        "active_model": "purchase.request.line",
        "active_ids": [x["id"] for x in lines],
    }
    wizard = approver.call(
        "purchase.request.line.make.purchase.order",
        "create",
        {"supplier_id": vendor},
        context=context,
    )
    action = approver.call(
        "purchase.request.line.make.purchase.order",
        "make_purchase_order",
        [wizard],
        context=context,
    )
    orders = approver.call(
        "purchase.order", "search_read", action["domain"], ["name", "oci_webshop_id"]
    )
    rfq_lines = approver.call(
        "purchase.order.line",
        "search_read",
        [("order_id", "in", [o["id"] for o in orders])],
        ["price_unit", "oci_aux_id", "oci_card_text"],
    )
    print(f"    RFQ {[o['name'] for o in orders]}: {rfq_lines}")
    if not orders or not all(o["oci_webshop_id"] for o in orders):
        fail("the wizard's RFQ is not a webshop RFQ")
    if not all(x["oci_aux_id"] for x in rfq_lines):
        fail("the wizard's RFQ lines lost the shop's line references")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    port = os.environ.get("ODOO_PORT", "8069")
    shop_port = os.environ.get("SHOP_PORT", "8079")
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout
    parser.add_argument("--odoo", default=f"http://127.0.0.1:{port}")
    parser.add_argument("--shop", default=f"http://localhost:{shop_port}")
    parser.add_argument("--db", default=os.environ.get("DEMO_DB", "tgoci_demo"))
    parser.add_argument(
        "--password",
        default=os.environ.get("DEMO_PASSWORD", f"demo-{user.strip()}-2026"),
    )
    args = parser.parse_args()

    step("The buyer opens the purchase request and punches out")
    buyer = Odoo(args.odoo, args.db, "buyer", args.password)
    requests_ = buyer.call(
        "purchase.request",
        "search_read",
        [("description", "=", "Kerstgeschenken 2026")],
        ["name", "state"],
        order="id desc",
        limit=1,
    )
    if not requests_:
        fail('no purchase request "Kerstgeschenken 2026": run scripts/demo.sh')
    request = requests_[0]
    action = buyer.call("purchase.request", "action_oci_punchout", [request["id"]])
    if action.get("tag") == "display_notification":
        # "The webshop opened in a new tab", then the tab itself
        print(f"    Odoo says: {action['params']['message']}")
        action = action["params"].get("next") or {}
    if action.get("type") != "ir.actions.act_url":
        fail(f"the punchout button did not open a URL: {action}")
    go = buyer.http.get(args.odoo + action["url"], timeout=TIMEOUT)
    go.raise_for_status()
    login_url, login_fields = form_of(go.text)
    print(f"    {request['name']}: the new tab logs in at {login_url}")

    step("In the shop: log in (OCI), add a gift with a card text, transfer the cart")
    shop = requests.Session()
    reply = shop.post(login_url, data=login_fields, timeout=TIMEOUT)
    if reply.status_code != 200 or "/catalogue" not in reply.url:
        fail(f"the shop refused the OCI login: {reply.status_code} {reply.url}")
    reply = shop.post(
        f"{args.shop}/cart/add",
        data={
            "code": "TG-KP-001",
            "quantity": "12",
            "card_text": "Fijne feestdagen! Team De Linde",
            "logo": "COMPANY",
            "location": "LOC-UTR",
        },
        timeout=TIMEOUT,
    )
    if reply.status_code != 200 or "/cart" not in reply.url:
        fail(f"adding to the cart failed: {reply.status_code}")
    reply = shop.post(f"{args.shop}/cart/transfer", timeout=TIMEOUT)
    hook_url, cart_fields = form_of(reply.text, "oci-transfer")
    # The shop's page posts the cart cross-site: no Odoo cookie goes with it.
    reply = requests.post(
        hook_url, data=cart_fields, allow_redirects=False, timeout=TIMEOUT
    )
    if reply.status_code != 303:
        fail(f"Odoo refused the cart: {reply.status_code} {reply.text[:500]}")
    order_id = int(re.search(r"/(\d+)$", reply.headers["Location"]).group(1))
    order = buyer.read(
        "purchase.order", order_id, ["name", "state", "amount_untaxed", "order_line"]
    )
    lines = buyer.call(
        "purchase.order.line",
        "read",
        order["order_line"],
        ["name", "product_qty", "price_unit", "oci_card_text"],
    )
    print(f"    RFQ {order['name']} ({order['state']}), {order['amount_untaxed']} EUR")
    for line in lines:
        print(
            f"      {line['product_qty']} x {line['name'].splitlines()[0]} à "
            f"{line['price_unit']}, card: {line['oci_card_text']!r}"
        )
    if order["state"] != "draft" or not lines:
        fail("the cart did not become a draft RFQ with lines")
    print(f"    open {args.odoo}{reply.headers['Location']}")

    step("The buyer confirms the RFQ; above 500 EUR it waits for the approver")
    buyer.call("purchase.order", "button_confirm", [order_id])
    state = buyer.read("purchase.order", order_id, ["state"])["state"]
    print(f"    state: {state}")

    step("The approver approves; Odoo's job runner sends the order to the shop")
    approver = Odoo(args.odoo, args.db, "approver", args.password)
    if state == "to approve":
        approver.call("purchase.order", "button_approve", [order_id])
    for _ in range(60):
        order = approver.read(
            "purchase.order",
            order_id,
            ["state", "oci_transmission_state", "partner_ref"],
        )
        if order["oci_transmission_state"] in ("acknowledged", "failed"):
            break
        time.sleep(1)
    print(
        f"    order {order['state']}, webshop: {order['oci_transmission_state']}, "
        f"shop order number {order['partner_ref']}"
    )
    if order["oci_transmission_state"] != "acknowledged":
        fail("the shop did not acknowledge the order within 60 s (job runner?)")

    po_name = approver.read("purchase.order", order_id, ["name"])["name"]
    change_order(args, approver, order_id, po_name)
    confirm_and_ship(args, approver, order_id, po_name)

    step("The shop invoices the order and mails the invoice to Odoo")
    reply = requests.post(
        f"{args.shop}/admin/invoice/{po_name}", json={"deliver": "mail"}, timeout=60
    )
    if reply.status_code != 200:
        fail(f"the shop could not invoice {po_name}: {reply.text[:500]}")
    number = reply.headers["X-Invoice-Number"]
    print(
        f"    invoice {number}, {reply.headers['X-Invoice-Total']} EUR, "
        f"delivery {reply.headers['X-Delivery']}"
    )

    step("The accountant finds the vendor bill")
    accountant = Odoo(args.odoo, args.db, "accountant", args.password)
    bills = accountant.call(
        "account.move",
        "search_read",
        [("move_type", "=", "in_invoice"), ("ref", "=", number)],
        ["name", "partner_id", "amount_total", "state", "invoice_origin"],
    )
    if not bills:
        fail(f"no vendor bill with reference {number}")
    bill = bills[0]
    name = bill["name"] if bill["name"] not in (False, "/") else "(draft)"
    vendor = bill["partner_id"] and bill["partner_id"][1]
    print(
        f"    bill {name} from {vendor}, {bill['amount_total']} EUR, "
        f"{bill['state']}, source {bill['invoice_origin']}"
    )
    if bill["invoice_origin"] != po_name:
        fail(f"the bill's source document is not {po_name}")
    requester_flow(args)
    print("demo flow OK")


if __name__ == "__main__":
    main()
