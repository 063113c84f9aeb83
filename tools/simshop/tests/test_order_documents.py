"""The shop confirms and ships orders to Odoo (cXML ConfirmationRequest,
ShipNoticeRequest), read by the addon's own parser."""

import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tools.simshop import create_app

from .conftest import REPO, cxml_order_request, issue_refs

sys.path.insert(0, str(REPO / "topgeschenken_oci"))
from protocol import cxml_inbound  # noqa: E402

ANSWER = (
    b'<?xml version="1.0"?><cXML payloadID="1@odoo" timestamp="2026-12-01T10:00:00Z">'
    b'<Response><Status code="200" text="OK"/></Response></cXML>'
)


class _Odoo(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        _Odoo.received.append((self.path, self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        self.wfile.write(ANSWER)

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


def test_confirm_and_ship_reach_odoo(tmp_path, odoo):
    url, received = odoo
    client = create_app(
        data_dir=str(tmp_path), odoo_url=url, odoo_secret="in-s3cret"
    ).test_client()
    body = cxml_order_request("P00042", issue_refs(client))
    assert (
        client.post("/cxml/order", data=body, content_type="text/xml").status_code
        == 200
    )
    answer = client.post("/admin/confirm/P00042", json={"reject_lines": ["20"]})
    assert answer.status_code == 200, answer.json
    path, document = received[-1]
    assert path == "/punchout/cxml/order-documents"
    doc = cxml_inbound.parse_inbound_request(document)
    assert doc.kind == "confirmation" and doc.order_ids == ["P00042"]
    assert doc.document_id == "TG-100001" and doc.shared_secret == "in-s3cret"
    statuses = {line.line_number: line.status for line in doc.lines}
    assert statuses[20] == "reject" and statuses[10] == "accept"
    assert all(line.delivery_date for line in doc.lines if line.status == "accept")

    answer = client.post("/admin/ship/TG-100001", json={"tracking": "3STEST1"})
    assert answer.status_code == 200, answer.json
    doc = cxml_inbound.parse_inbound_request(received[-1][1])
    # The rejected line is not shipped.
    assert 20 not in [line.line_number for line in doc.lines]
    assert (doc.kind, doc.carrier, doc.tracking_ref) == (
        "ship_notice",
        "PostNL",
        "3STEST1",
    )
    assert doc.order_ids == ["P00042"] and doc.delivery_date
    orders = client.get("/admin/orders", headers={"Accept": "application/json"}).json
    kinds = [d["kind"] for d in orders["orders"][0]["documents"]]
    assert kinds == ["confirmation", "ship_notice"]


def test_unknown_order_and_unreachable_odoo(tmp_path):
    client = create_app(
        data_dir=str(tmp_path), odoo_url="http://127.0.0.1:9", odoo_secret="x"
    ).test_client()
    assert client.post("/admin/confirm/P404").status_code == 404
    body = cxml_order_request("P00042", issue_refs(client))
    client.post("/cxml/order", data=body, content_type="text/xml")
    assert client.post("/admin/ship/P00042").status_code == 502


def test_no_odoo_secret_sends_nothing(tmp_path, odoo):
    """Without Odoo's inbound secret the shop cannot authenticate its
    documents (its own cXML secret is not Odoo's): it says so."""
    url, received = odoo
    client = create_app(data_dir=str(tmp_path), odoo_url=url).test_client()
    body = cxml_order_request("P00042", issue_refs(client))
    client.post("/cxml/order", data=body, content_type="text/xml")
    for route in ("/admin/confirm/P00042", "/admin/ship/P00042"):
        answer = client.post(route)
        assert answer.status_code == 409
        assert "--odoo-secret" in answer.json["error"]
    assert received == []


def test_odoo_secret_set_at_run_time(tmp_path, odoo):
    """The secret a system administrator generates in Odoo ("Generate
    inbound secret") is given to the running shop, as to a real shop's
    back office: its next documents carry it; the answer never repeats it."""
    url, received = odoo
    client = create_app(
        data_dir=str(tmp_path), odoo_url=url, odoo_secret="old-s3cret"
    ).test_client()
    body = cxml_order_request("P00042", issue_refs(client))
    client.post("/cxml/order", data=body, content_type="text/xml")
    for bad in ({}, {"secret": ""}, {"secret": 42}):
        assert client.post("/admin/odoo-secret", json=bad).status_code == 400
    answer = client.post("/admin/odoo-secret", json={"secret": "new-s3cret"})
    assert answer.status_code == 200
    assert b"new-s3cret" not in answer.data
    assert client.post("/admin/confirm/P00042", json={}).status_code == 200
    doc = cxml_inbound.parse_inbound_request(received[-1][1])
    assert doc.shared_secret == "new-s3cret"
