"""The UBL side of the order lifecycle: the shop takes the addon's
OrderChange / OrderCancellation, and confirms and ships a UBL order to Odoo
with an OrderResponse / DespatchAdvice, read by the addon's own parser."""

import base64
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from lxml import etree

from tools.simshop import create_app, ubl

from .conftest import REPO, issue_refs, ubl_order, xsd_dir

sys.path.insert(0, str(REPO / "topgeschenken_oci"))
from protocol import ubl_inbound, ubl_ordering  # noqa: E402

BASIC = "Basic " + base64.b64encode(b"demo:demo").decode()


def schema(name):
    return etree.XMLSchema(etree.parse(str(xsd_dir() / "maindoc" / name)))


class _Odoo(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        _Odoo.received.append((self.path, dict(self.headers), self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


@pytest.fixture
def odoo():
    server = HTTPServer(("127.0.0.1", 0), _Odoo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Odoo.received = []
    yield f"http://127.0.0.1:{server.server_port}", _Odoo.received
    server.shutdown()
    server.server_close()


def _post(client, body, auth=BASIC):
    return client.post(
        "/ubl/order",
        data=body,
        content_type="application/xml",
        headers={"Authorization": auth, "Idempotency-Key": f"k-{len(body)}-{auth}"},
    )


def _change(order_id, refs, sequence=2, quantity=15):
    return ubl_ordering.build_order_change(
        {
            "document_id": f"{order_id}-{sequence}",
            "issue_date": date(2026, 12, 1),
            "sequence_number": sequence,
            "order_id": order_id,
            "currency": "EUR",
            "lines": [
                {
                    "line_id": "1",
                    "quantity": quantity,
                    "unit_code": "C62",
                    "price": "49.95",
                    "name": "TG-KP-001",
                    "sellers_item_id": "TG-KP-001",
                    "sellers_extended_id": refs[0],
                },
                {
                    "line_id": "2",
                    "status": "2",
                    "quantity": 0,
                    "price": "12.50",
                    "name": "TG-CH-010",
                    "sellers_item_id": "TG-CH-010",
                    "sellers_extended_id": refs[1],
                },
            ],
        }
    )


def test_order_change_and_cancellation_recorded_as_versions(client):
    refs = issue_refs(client)
    assert _post(client, ubl_order("P00077", refs[:2])).status_code == 200
    change = _change("P00077", refs)
    schema("UBL-OrderChange-2.1.xsd").assertValid(etree.fromstring(change))
    response = _post(client, change)
    assert response.status_code == 200, response.data
    assert response.headers["X-Idempotent-Replay"] == "false"
    # The same version again (a retry with the same key): recorded once.
    assert _post(client, change).headers["X-Idempotent-Replay"] == "true"
    order = client.get("/admin/orders").json["orders"][0]
    assert order["status"] == "changed"
    assert [v["type"] for v in order["versions"]] == ["update"]
    assert order["lines"][0]["quantity"] == "15"
    assert order["lines"][1]["status_code"] == "2"
    cancellation = ubl_ordering.build_order_cancellation(
        {
            "document_id": "P00077-3",
            "issue_date": date(2026, 12, 2),
            "order_id": "P00077",
            "note": "Order P00077 was cancelled by Zorggroep Demo.",
        }
    )
    schema("UBL-OrderCancellation-2.1.xsd").assertValid(etree.fromstring(cancellation))
    assert _post(client, cancellation, auth="Bearer s3cret").status_code == 200
    order = client.get("/admin/orders").json["orders"][0]
    assert order["status"] == "cancelled"
    assert [v["type"] for v in order["versions"]] == ["update", "delete"]


def test_change_of_an_unknown_order_or_without_credentials(client):
    refs = issue_refs(client)
    assert _post(client, _change("P00404", refs)).status_code == 404
    assert _post(client, _change("P00404", refs), auth="Basic eDp5").status_code == 401
    invoice = (
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    )
    assert _post(client, invoice).status_code == 400


@pytest.mark.parametrize(
    "auth, expected",
    [
        (BASIC, "Basic " + base64.b64encode(b"demo:in-s3cret").decode()),
        ("Bearer s3cret", "Bearer in-s3cret"),
    ],
)
def test_confirm_and_ship_a_ubl_order(tmp_path, odoo, auth, expected):
    url, received = odoo
    client = create_app(
        data_dir=str(tmp_path), odoo_url=url, odoo_secret="in-s3cret"
    ).test_client()
    refs = issue_refs(client)
    assert _post(client, ubl_order("P00042", refs[:2]), auth=auth).status_code == 200
    answer = client.post("/admin/confirm/P00042", json={"reject_lines": ["2"]})
    assert answer.status_code == 200, answer.json
    assert answer.json["format"] == "ubl"
    path, headers, document = received[-1]
    assert path == "/punchout/ubl/order-documents"
    # Odoo is called with its inbound secret, in the scheme the order came
    # with (never with the credentials Odoo sends the shop).
    assert headers["Authorization"] == expected
    schema("UBL-OrderResponse-2.1.xsd").assertValid(etree.fromstring(document))
    doc = ubl_inbound.parse_order_document(document)
    assert doc.kind == "confirmation" and doc.order_ids == ["P00042"]
    assert (doc.status, doc.document_id) == ("detail", "TG-100001")
    statuses = {line.line_number: line.status for line in doc.lines}
    assert statuses == {1: "accept", 2: "reject"}
    assert all(line.delivery_date for line in doc.lines if line.status == "accept")

    answer = client.post("/admin/ship/TG-100001", json={"tracking": "3STEST1"})
    assert answer.status_code == 200, answer.json
    __, __, document = received[-1]
    schema("UBL-DespatchAdvice-2.1.xsd").assertValid(etree.fromstring(document))
    doc = ubl_inbound.parse_order_document(document)
    assert (doc.kind, doc.carrier, doc.tracking_ref) == (
        "ship_notice",
        "PostNL",
        "3STEST1",
    )
    # The rejected line is not shipped.
    assert [line.line_number for line in doc.lines] == [1]
    assert doc.order_ids == ["P00042"] and doc.delivery_date
    # Each document has its own number: a replay key for Odoo.
    assert doc.payload_id == "DespatchAdvice:DA-TG-100001-2"


def test_confirm_everything_rejected_and_cxml_on_request(tmp_path, odoo):
    url, received = odoo
    client = create_app(
        data_dir=str(tmp_path), odoo_url=url, odoo_secret="in-s3cret"
    ).test_client()
    refs = issue_refs(client)
    _post(client, ubl_order("P00043", refs[:2]))
    client.post("/admin/confirm/P00043", json={"reject_lines": ["1", "2"]})
    doc = ubl_inbound.parse_order_document(received[-1][2])
    assert doc.status == "reject"
    answer = client.post("/admin/confirm/P00043", json={"format": "cxml"})
    assert answer.status_code == 200
    assert received[-1][0] == "/punchout/cxml/order-documents"
    assert client.post("/admin/ship/P00043", json={"format": "x"}).status_code == 400


def test_order_response_without_lines_is_unchanged():
    order = {
        "supplier_order_id": "TG-1",
        "buyer_order_id": "P1",
        "lines": [{"line_no": "1", "quantity": "2"}],
    }
    root = etree.fromstring(ubl.order_response(order))
    assert root.find("cac:OrderLine", ubl.NS) is None
    assert root.findtext("cbc:OrderResponseCode", namespaces=ubl.NS) == "AP"
