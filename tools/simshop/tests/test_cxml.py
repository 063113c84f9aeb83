"""cXML PunchOut setup, the PunchOutOrderMessage and cXML orders."""

from lxml import etree

from .conftest import (
    FORM_POST_URL,
    ORDER_LINES,
    add_to_cart,
    cxml_order_request,
    cxml_setup_request,
    issue_refs,
    transfer_form,
)


def post_xml(client, url, body, **headers):
    return client.post(url, data=body, content_type="text/xml", headers=headers)


def status_of(response):
    root = etree.fromstring(response.data)
    status = root.find("Response/Status")
    return int(status.get("code")), status.get("text")


def start_url(response):
    assert response.status_code == 200, response.data
    root = etree.fromstring(response.data)
    assert root.find("Response/Status").get("code") == "200"
    return root.findtext("Response/PunchOutSetupResponse/StartPage/URL")


def test_setup_refused_and_malformed(client):
    bad_secret = post_xml(client, "/cxml/setup", cxml_setup_request(secret="nope"))
    assert bad_secret.status_code == 401
    assert status_of(bad_secret)[0] == 401
    assert status_of(post_xml(client, "/cxml/setup", b"<cXML><oops"))[0] == 400
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<cXML>&x;</cXML>"
    )
    assert status_of(post_xml(client, "/cxml/setup", xxe))[0] == 400
    no_url = cxml_setup_request(url="")
    assert status_of(post_xml(client, "/cxml/setup", no_url))[0] == 400


def test_setup_start_and_order_message(client):
    url = start_url(post_xml(client, "/cxml/setup", cxml_setup_request()))
    assert url.startswith("http://localhost/cxml/start/")
    path = url.removeprefix("http://localhost")
    start = client.get(path)
    assert start.status_code == 303 and start.headers["Location"].endswith("/catalogue")
    assert "SameSite=Lax" in start.headers["Set-Cookie"]
    assert client.get(path).status_code == 404  # one-time

    add_to_cart(client, "TG-BB-006", 20, "Bedankt!", "COMPANY", "LOC-RTM")
    add_to_cart(client, "TG-KP-001", 1)
    attrs, fields = transfer_form(client.post("/cart/transfer"))
    assert attrs["action"] == FORM_POST_URL
    assert [name for name, _value in fields] == ["cxml-urlencoded"]
    root = etree.fromstring(fields[0][1].encode())
    message = root.find("Message/PunchOutOrderMessage")
    assert message.findtext("BuyerCookie") == "BC-42"
    assert root.findtext("Header/To/Credential/Identity") == "ODOO-ZORG"
    assert message.findtext("PunchOutOrderMessageHeader/Total/Money") == "74.95"
    first, second = message.findall("ItemIn")
    assert first.get("quantity") == "20" and first.get("lineNumber") == "1"
    assert first.findtext("ItemID/SupplierPartID") == "TG-BB-006"
    ref = first.findtext("ItemID/SupplierPartAuxiliaryID")
    assert ref.startswith("TGP-")
    detail = first.find("ItemDetail")
    assert detail.findtext("UnitPrice/Money") == "12.50"
    assert detail.find("UnitPrice/Money").get("currency") == "EUR"
    assert detail.findtext("UnitOfMeasure") == "EA"
    assert detail.find("PriceBasisQuantity").get("quantity") == "10"
    assert detail.find("Classification").get("domain") == "NZI"
    assert detail.findtext("Classification") == "NZI-4410"
    extrinsics = {e.get("name"): e.text or "" for e in detail.findall("Extrinsic")}
    assert extrinsics == {
        "CardText": "Bedankt!",
        "Logo": "COMPANY",
        "DeliveryLocation": "LOC-RTM",
    }
    assert second.find("ItemDetail/PriceBasisQuantity") is None
    assert second.findtext("ItemDetail/Description/ShortName") == "Kerstpakket Deluxe"

    # An edit session restores the lines by their references.
    url = start_url(post_xml(client, "/cxml/setup", cxml_setup_request(items=[ref])))
    restart = client.get(url.removeprefix("http://localhost"))
    assert restart.headers["Location"].endswith("/cart")
    assert ref in client.get("/cart").text


def test_edit_opens_the_cart_with_the_item_out_lines(client):
    """An edit setup request opens the cart with its ItemOut lines as the
    buyer's system has them now; a reference the shop never issued gets a
    new one, an article it does not sell is left out."""
    url = start_url(post_xml(client, "/cxml/setup", cxml_setup_request()))
    client.get(url.removeprefix("http://localhost"))
    add_to_cart(client, "TG-BB-006", 20, "Bedankt!", "COMPANY", "LOC-RTM")
    __, fields = transfer_form(client.post("/cart/transfer"))
    root = etree.fromstring(fields[0][1].encode())
    ref = root.findtext(".//ItemIn/ItemID/SupplierPartAuxiliaryID")

    items = [
        {"ref": ref, "code": "TG-BB-006", "quantity": 25, "card_text": "Dank!"},
        {"ref": "TGP-00000000", "code": "TG-KP-001", "quantity": 2},
        {"ref": "TGP-11111111", "code": "NO-SUCH-GIFT", "quantity": 1},
    ]
    url = start_url(post_xml(client, "/cxml/setup", cxml_setup_request(items=items)))
    start = client.get(url.removeprefix("http://localhost"))
    assert start.headers["Location"].endswith("/cart")
    assert client.post(f"/cart/update/{ref}", data={"quantity": "0"}).status_code == 400
    assert (
        client.post("/cart/update/TGP-FFFFFFFF", data={"quantity": "3"}).status_code
        == 404
    )
    client.post(f"/cart/update/{ref}", data={"quantity": "30"})
    __, fields = transfer_form(client.post("/cart/transfer"))
    root = etree.fromstring(fields[0][1].encode())
    assert root.find(".//PunchOutOrderMessageHeader").get("operationAllowed") == "edit"
    first, second = root.iter("ItemIn")
    assert first.findtext("ItemID/SupplierPartAuxiliaryID") == ref
    assert first.get("quantity") == "30"
    assert first.findtext("ItemDetail/Extrinsic[@name='CardText']") == "Dank!"
    assert second.findtext("ItemID/SupplierPartID") == "TG-KP-001"
    assert second.get("quantity") == "2"
    new_ref = second.findtext("ItemID/SupplierPartAuxiliaryID")
    assert new_ref.startswith("TGP-") and new_ref != "TGP-00000000"


def test_order_recorded_once(client, state):
    refs = issue_refs(client)
    body = cxml_order_request("P00042", refs)
    first = post_xml(client, "/cxml/order", body, **{"Idempotency-Key": "po-42-a"})
    assert first.status_code == 200
    assert status_of(first) == (200, "OK")
    supplier_id = first.headers["X-Supplier-Order-Id"]
    assert supplier_id == "TG-100001"
    again = post_xml(client, "/cxml/order", body, **{"Idempotency-Key": "po-42-a"})
    assert again.status_code == 200
    assert again.headers["X-Supplier-Order-Id"] == supplier_id
    assert again.data == first.data
    assert again.headers["X-Idempotent-Replay"] == "true"
    listing = client.get("/admin/orders").json
    assert len(listing["orders"]) == 1
    order = listing["orders"][0]
    assert order["buyer_order_id"] == "P00042"
    assert order["attempts"] == 2 and order["replays"] == 1
    assert order["mismatches"] == []
    assert order["bill_to"]["name"] == "Zorggroep Demo B.V."
    assert order["lines"][3]["price_unit"] == "10"
    assert order["lines"][0]["line_no"] == "10"
    assert (state.store.data_dir / order["raw_file"]).read_bytes() == body
    # A new order number gets a new supplier number.
    other = post_xml(client, "/cxml/order", cxml_order_request("P00043", refs))
    assert other.headers["X-Supplier-Order-Id"] == "TG-100002"
    # The same Idempotency-Key for another order is a conflict.
    clash = post_xml(
        client,
        "/cxml/order",
        cxml_order_request("P00044", refs),
        **{"Idempotency-Key": "po-42-a"},
    )
    assert clash.status_code == 409


def test_order_errors_and_mismatches(client):
    refs = issue_refs(client)
    bad = post_xml(client, "/cxml/order", cxml_order_request("P1", refs, secret="x"))
    assert bad.status_code == 401 and status_of(bad)[0] == 401
    malformed = post_xml(client, "/cxml/order", b"<cXML><Request><OrderRequest/>")
    assert malformed.status_code == 400 and status_of(malformed)[0] == 400
    no_id = cxml_order_request("", refs)
    assert post_xml(client, "/cxml/order", no_id).status_code == 400
    tampered = [refs[0], "TGP-00000000", "", refs[0], *refs[4:]]
    response = post_xml(client, "/cxml/order", cxml_order_request("P2", tampered))
    assert response.status_code == 200
    order = client.get("/admin/orders").json["orders"][0]
    assert order["mismatches"] == [
        {
            "line_no": "20",
            "line_ref": "TGP-00000000",
            "vendor_code": "TG-BL-002",
            "problem": "unknown_reference",
        },
        {
            "line_no": "30",
            "line_ref": "",
            "vendor_code": "TG-CT-005",
            "problem": "missing_reference",
        },
        {
            "line_no": "40",
            "line_ref": refs[0],
            "vendor_code": ORDER_LINES[3][0],
            "problem": "vendor_code_mismatch",
        },
    ]
    assert [line["ref_ok"] for line in order["lines"]] == [
        True,
        False,
        False,
        False,
        True,
        True,
        True,
    ]


def test_update_and_delete_are_new_versions(client):
    refs = issue_refs(client)
    body = cxml_order_request("P00050", refs)
    first = post_xml(client, "/cxml/order", body, **{"Idempotency-Key": "db-7-1"})
    assert first.status_code == 200
    update = body.replace(b'type="new"', b'type="update" orderVersion="2"')
    changed = post_xml(client, "/cxml/order", update, **{"Idempotency-Key": "db-7-2"})
    assert status_of(changed) == (200, "OK")
    assert (
        changed.headers["X-Supplier-Order-Id"] == first.headers["X-Supplier-Order-Id"]
    )
    assert changed.headers["X-Idempotent-Replay"] == "false"
    again = post_xml(client, "/cxml/order", update, **{"Idempotency-Key": "db-7-2"})
    assert again.headers["X-Idempotent-Replay"] == "true"
    delete = body.replace(b'type="new"', b'type="delete" orderVersion="3"')
    post_xml(client, "/cxml/order", delete, **{"Idempotency-Key": "db-7-3"})
    order = client.get("/admin/orders", headers={"Accept": "application/json"}).json
    order = order["orders"][0]
    assert [v["type"] for v in order["versions"]] == ["update", "delete"]
    assert order["status"] == "cancelled"
    # A change of an order the shop never had.
    unknown = cxml_order_request("P00051", refs).replace(
        b'type="new"', b'type="update"'
    )
    assert post_xml(client, "/cxml/order", unknown).status_code == 404


def test_emptied_edit_cart_is_transferred(client):
    """An edit cart the buyer emptied goes back as a PunchOutOrderMessage
    without items (operationAllowed="edit"); a new empty cart does not."""
    items = [{"ref": "TGP-00000000", "code": "TG-KP-001", "quantity": 2}]
    url = start_url(post_xml(client, "/cxml/setup", cxml_setup_request(items=items)))
    client.get(url.removeprefix("http://localhost"))
    page = client.get("/cart").text
    ref = next(word for word in page.split('"') if word.startswith("/cart/remove/"))
    client.post(ref)
    __, fields = transfer_form(client.post("/cart/transfer"))
    root = etree.fromstring(fields[0][1].encode())
    assert root.find(".//PunchOutOrderMessageHeader").get("operationAllowed") == "edit"
    assert root.find(".//ItemIn") is None

    url = start_url(post_xml(client, "/cxml/setup", cxml_setup_request()))
    client.get(url.removeprefix("http://localhost"))
    assert client.post("/cart/transfer").status_code == 400
