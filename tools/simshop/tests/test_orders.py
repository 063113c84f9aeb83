"""UBL orders, and the fault switches of the order endpoints."""

import base64
import time

import pytest
from lxml import etree

from tools.simshop import ubl

from .conftest import cxml_order_request, issue_refs, ubl_order, xsd_dir

BASIC = "Basic " + base64.b64encode(b"demo:demo").decode()


def post_ubl(client, body, auth=BASIC, **headers):
    if auth:
        headers["Authorization"] = auth
    return client.post(
        "/ubl/order", data=body, content_type="application/xml", headers=headers
    )


def schema(name):
    return etree.XMLSchema(etree.parse(str(xsd_dir() / "maindoc" / name)))


def test_ubl_order_and_response(client):
    refs = issue_refs(client)
    body = ubl_order("P00077", refs[:2])
    schema("UBL-Order-2.1.xsd").assertValid(etree.fromstring(body))  # the fixture
    response = post_ubl(client, body)
    assert response.status_code == 200, response.data
    supplier_id = response.headers["X-Supplier-Order-Id"]
    assert supplier_id.startswith("TG-") and len(supplier_id) == 9
    root = etree.fromstring(response.data)
    schema("UBL-OrderResponse-2.1.xsd").assertValid(root)
    assert root.findtext("cbc:ID", namespaces=ubl.NS) == supplier_id
    assert root.findtext("cbc:SalesOrderID", namespaces=ubl.NS) == supplier_id
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=ubl.NS) == "P00077"
    # Bearer with the shared secret; same order id -> same answer, one order.
    again = post_ubl(client, body, auth="Bearer s3cret")
    assert again.headers["X-Supplier-Order-Id"] == supplier_id
    assert again.data == response.data
    orders = client.get("/admin/orders").json["orders"]
    assert len(orders) == 1
    assert orders[0]["protocol"] == "ubl"
    assert orders[0]["buyer_reference"] == "KP-0815"
    assert orders[0]["buyer_kvk"] == "12345678"
    assert orders[0]["mismatches"] == []


def test_order_list_is_a_page_for_a_browser(client):
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    empty = client.get("/admin/orders", headers=browser)
    assert empty.mimetype == "text/html"
    assert "Nog geen bestellingen" in empty.get_data(as_text=True)
    refs = issue_refs(client)
    assert post_ubl(client, ubl_order("P00078", refs[:2])).status_code == 200
    page = client.get("/admin/orders", headers=browser).get_data(as_text=True)
    assert "P00078" in page and "TG-" in page
    scripted = client.get("/admin/orders", headers={"Accept": "application/json"})
    assert scripted.json["orders"][0]["buyer_order_id"] == "P00078"


@pytest.mark.parametrize(
    "auth",
    [
        None,
        "Bearer wrong",
        "Basic " + base64.b64encode(b"demo:nope").decode(),
        "Basic !",
    ],
)
def test_ubl_order_unauthorized(client, auth):
    response = post_ubl(client, ubl_order("P1", ["TGP-00000000"] * 2), auth=auth)
    assert response.status_code == 401
    assert "Basic" in response.headers["WWW-Authenticate"]
    assert client.get("/admin/orders").json["orders"] == []


def test_ubl_order_malformed(client):
    assert post_ubl(client, b"not xml").status_code == 400
    invoice = (
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    )
    assert post_ubl(client, invoice).status_code == 400


def test_faults(client):
    refs = issue_refs(client)
    body = cxml_order_request("P00099", refs)

    def post():
        return client.post("/cxml/order", data=body, content_type="text/xml")

    assert client.post("/admin/faults", json={"mode": "bogus"}).status_code == 400
    state = client.post("/admin/faults", json={"mode": "down", "count": 2}).json
    assert state == {"mode": "down", "remaining": 2, "slow_seconds": 0.2}
    assert post().status_code == 503
    assert post().status_code == 503
    assert client.get("/admin/orders").json == {
        "orders": [],
        "unrecorded_attempts": {"P00099": 2},
    }
    client.post("/admin/faults", json={"mode": "error500"})
    assert post().status_code == 500
    client.post("/admin/faults", json={"mode": "garbage"})
    garbage = post()
    assert garbage.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(garbage.data)
    # The garbled answer hid a recorded order: the retry gets its number.
    client.post("/admin/faults", json={"mode": "slow", "count": 1})
    started = time.monotonic()
    slow = post()
    assert time.monotonic() - started >= 0.2
    assert slow.status_code == 200
    assert slow.headers["X-Supplier-Order-Id"] == "TG-100001"
    assert client.get("/admin/faults").json["mode"] == "none"
    listing = client.get("/admin/orders").json
    assert len(listing["orders"]) == 1
    assert listing["orders"][0]["attempts"] == 5
    assert listing["unrecorded_attempts"] == {}
    client.post("/admin/faults", json={"mode": "down", "count": 3})
    client.post("/admin/faults", json={"mode": "none"})
    assert post().status_code == 200
