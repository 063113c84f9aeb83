"""OCI punchout: login, catalogue, cart and the returned form variants."""

import base64
from urllib.parse import parse_qsl

from lxml import etree

from tools.simshop import catalogue, oci

from .conftest import (
    HOOK_URL,
    add_to_cart,
    oci_login,
    parse_forms,
    transfer_form,
)

DELUXE_TEXT = catalogue.get("TG-KP-001").description


def test_home_and_health(client):
    home = client.get("/")
    assert home.status_code == 200
    assert "gesimuleerd" in home.text.lower()
    assert client.get("/health").json["status"] == "ok"


def test_login_ok_keeps_parameters(client, state):
    response = oci_login(client, CUSTOMER="4711")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/catalogue")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("simshop_session=")
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    session_id = cookie.split(";")[0].split("=", 1)[1]
    session = state.sessions.get(session_id)
    assert session["hook_url"] == HOOK_URL
    assert session["format"] == "form"
    assert (session["okcode"], session["target"], session["caller"]) == (
        "ADDI",
        "_top",
        "CTLG",
    )
    assert session["extra"] == {"CUSTOMER": "4711"}


def test_login_by_post(client):
    response = client.post(
        "/oci/login",
        data={"username": "demo", "password": "demo", "hook_url": HOOK_URL},
    )
    assert response.status_code == 303


def test_login_refused(client):
    response = oci_login(client, PASSWORD="wrong")
    assert response.status_code == 403
    assert "Inloggen mislukt" in response.text
    assert "Set-Cookie" not in response.headers
    assert client.get("/catalogue").status_code == 403
    assert oci_login(client, HOOK_URL="javascript:alert(1)").status_code == 400


def test_catalogue_renders(oci_client):
    page = oci_client.get("/catalogue")
    assert page.status_code == 200
    html = page.text
    for gift in catalogue.GIFTS:
        assert gift.code in html and gift.nzi_code in html
        assert f'src="/img/{gift.code}.svg"' in html
    assert "€ 12.50</strong>\n      per 10 stuk" in html
    assert "excl. 21% btw" in html
    forms = [f for f in parse_forms(html) if f["attrs"].get("action") == "/cart/add"]
    assert len(forms) == len(catalogue.GIFTS)
    names = {name for name, _value, _type in forms[0]["inputs"]}
    assert {"code", "quantity"} <= names
    assert 'maxlength="250"' in html and "Hoofdkantoor Utrecht" in html
    image = oci_client.get("/img/TG-KP-001.svg")
    assert image.content_type == "image/svg+xml"
    etree.fromstring(image.data)  # well-formed SVG


def test_cart_flow_transfer_fields(oci_client):
    add_to_cart(
        oci_client,
        "TG-BB-006",
        20,
        "Fijne feestdagen!\nTeam Inkoop",
        "COMPANY",
        "LOC-RTM",
    )
    add_to_cart(oci_client, "TG-KP-001", 2)
    add_to_cart(oci_client, "TG-CB-007", 1)
    cart = oci_client.get("/cart")
    assert cart.status_code == 200
    assert "Winkelwagen overdragen" in cart.text
    refs = [
        line.split('"')[0] for line in cart.text.split('data-ref="')[1:]
    ]  # in cart order
    assert len(refs) == 3
    # remove the voucher again
    assert oci_client.post(f"/cart/remove/{refs[2]}").status_code == 303
    assert refs[2] not in oci_client.get("/cart").text

    attrs, fields = transfer_form(oci_client.post("/cart/transfer"))
    assert attrs["action"] == HOOK_URL
    assert attrs["method"] == "post"
    assert attrs["enctype"] == "application/x-www-form-urlencoded"
    assert attrs["accept-charset"] == "UTF-8"
    assert attrs["target"] == "_top"
    chunks = [DELUXE_TEXT[i : i + 132] for i in range(0, len(DELUXE_TEXT), 132)]
    assert len(chunks) == 3
    assert fields == [
        ("~OkCode", "ADDI"),
        ("~TARGET", "_top"),
        ("~CALLER", "CTLG"),
        ("NEW_ITEM-DESCRIPTION[1]", "Bonbons Crème Brûlée"),
        ("NEW_ITEM-QUANTITY[1]", "20"),
        ("NEW_ITEM-UNIT[1]", "PCE"),
        ("NEW_ITEM-PRICE[1]", "12.50"),
        ("NEW_ITEM-PRICEUNIT[1]", "10"),
        ("NEW_ITEM-CURRENCY[1]", "EUR"),
        ("NEW_ITEM-LEADTIME[1]", "2"),
        ("NEW_ITEM-VENDOR[1]", ""),
        ("NEW_ITEM-VENDORMAT[1]", "TG-BB-006"),
        ("NEW_ITEM-MATGROUP[1]", "NZI-4410"),
        ("NEW_ITEM-EXT_PRODUCT_ID[1]", "100106"),
        ("NEW_ITEM-LONGTEXT_1:132[]", catalogue.get("TG-BB-006").description),
        ("NEW_ITEM-CUST_FIELD1[1]", "Fijne feestdagen!\r\nTeam Inkoop"),
        ("NEW_ITEM-CUST_FIELD2[1]", "COMPANY"),
        ("NEW_ITEM-CUST_FIELD3[1]", "LOC-RTM"),
        ("NEW_ITEM-CUST_FIELD4[1]", "9"),
        ("NEW_ITEM-CUST_FIELD5[1]", refs[0]),
        ("NEW_ITEM-DESCRIPTION[2]", "Kerstpakket Deluxe"),
        ("NEW_ITEM-QUANTITY[2]", "2"),
        ("NEW_ITEM-UNIT[2]", "PCE"),
        ("NEW_ITEM-PRICE[2]", "49.95"),
        ("NEW_ITEM-PRICEUNIT[2]", "1"),
        ("NEW_ITEM-CURRENCY[2]", "EUR"),
        ("NEW_ITEM-LEADTIME[2]", "3"),
        ("NEW_ITEM-VENDOR[2]", ""),
        ("NEW_ITEM-VENDORMAT[2]", "TG-KP-001"),
        ("NEW_ITEM-MATGROUP[2]", "NZI-4410"),
        ("NEW_ITEM-EXT_PRODUCT_ID[2]", "100101"),
        *[("NEW_ITEM-LONGTEXT_2:132[]", chunk) for chunk in chunks],
        ("NEW_ITEM-CUST_FIELD1[2]", ""),
        ("NEW_ITEM-CUST_FIELD2[2]", "NONE"),
        ("NEW_ITEM-CUST_FIELD3[2]", "LOC-UTR"),
        ("NEW_ITEM-CUST_FIELD4[2]", "9"),
        ("NEW_ITEM-CUST_FIELD5[2]", refs[1]),
    ]
    assert refs[0].startswith("TGP-") and len(refs[0]) == 12
    page = oci_client.post("/cart/transfer").text
    assert '<noscript><button type="submit">' in page
    assert 'id="transfer"' in page and ".submit()" in page
    assert ".submit()" not in oci_client.post("/cart/transfer?autosubmit=0").text


def test_card_text_limit(oci_client):
    too_long = add_to_cart(oci_client, "TG-BL-002", 1, "x" * 251)
    assert too_long.status_code == 400
    assert "maximaal 250 tekens" in too_long.text
    assert add_to_cart(oci_client, "TG-BL-002", 1, "x" * 250).status_code == 303
    assert add_to_cart(oci_client, "TG-XX-999", 1).status_code == 400
    assert add_to_cart(oci_client, "TG-BL-002", 0).status_code == 400
    assert (
        add_to_cart(oci_client, "TG-BL-002", 1, location="LOC-MARS").status_code == 400
    )


def test_empty_cart_not_transferred(oci_client):
    assert oci_client.post("/cart/transfer").status_code == 400


def test_latin1_variant(client):
    oci_login(client, format="form-latin1")
    add_to_cart(client, "TG-BB-006", 10, 'Crème & "<€ 5,->"', "NONE", "LOC-HOME")
    attrs, fields = transfer_form(client.post("/cart/transfer"))
    assert attrs["accept-charset"] == "ISO-8859-1"
    assert ("NEW_ITEM-CUST_FIELD1[1]", 'Crème & "<€ 5,->"') in fields
    # What the browser sends: single bytes in windows-1252 (the Encoding
    # Standard's reading of "ISO-8859-1"): è is %E8, € is %80; a character
    # outside windows-1252 becomes a character reference.
    body = oci.encode_body(fields, attrs["accept-charset"])
    received = dict(parse_qsl(body, encoding="cp1252", errors="strict"))
    assert received["NEW_ITEM-DESCRIPTION[1]"] == "Bonbons Crème Brûlée"
    assert received["NEW_ITEM-CUST_FIELD1[1]"] == 'Crème & "<€ 5,->"'
    assert "Cr%E8me+%26+%22%3C%80+5%2C-%3E%22" in body and "%7EOkCode=ADDI" in body
    assert oci.encode_body([("x", "Ω")], "ISO-8859-1") == "x=%26%23937%3B"


def test_xml_variant(oci_client):
    add_to_cart(oci_client, "TG-KP-001", 2, "Voor Anna", "COMPANY", "LOC-HOME")
    add_to_cart(oci_client, "TG-BB-006", 30)
    attrs, fields = transfer_form(oci_client.post("/cart/transfer?format=xml"))
    names = [name for name, _value in fields]
    assert names == ["~OkCode", "~TARGET", "~CALLER", "~xmlDocument", "~xml_type"]
    values = dict(fields)
    assert values["~xml_type"] == "ESAPO-V1.0"
    root = etree.fromstring(base64.b64decode(values["~xmlDocument"]))
    assert root.tag == "ItemList"
    items = root.findall("Item")
    assert len(items) == 2
    first = {child.tag: child.text or "" for child in items[0]}
    assert first["DESCRIPTION"] == "Kerstpakket Deluxe"
    assert first["QUANTITY"] == "2"
    assert first["PRICE"] == "49.95" and first["PRICEUNIT"] == "1"
    assert first["VENDORMAT"] == "TG-KP-001" and first["MATGROUP"] == "NZI-4410"
    assert first["LONGTEXT"] == DELUXE_TEXT
    assert first["CUST_FIELD1"] == "Voor Anna"
    assert first["CUST_FIELD2"] == "COMPANY" and first["CUST_FIELD3"] == "LOC-HOME"
    assert first["CUST_FIELD5"].startswith("TGP-")
    assert items[1].findtext("PRICEUNIT") == "10"


def test_api_oci_cart(client, state):
    response = client.post(
        "/api/oci-cart",
        json={
            "hook_url": HOOK_URL,
            "format": "form-latin1",
            "lines": [
                {
                    "vendor_code": "TG-WK-003",
                    "quantity": 2,
                    "card_text": "Proost € ",
                    "logo": "bedrijfslogo",
                    "location": "LOC-RTM",
                }
            ],
        },
    )
    assert response.status_code == 200
    data = response.json
    assert data["accept_charset"] == "ISO-8859-1"
    fields = [tuple(field) for field in data["fields"]]
    ref = data["lines"][0]["ref"]
    assert ("NEW_ITEM-CUST_FIELD5[1]", ref) in fields
    assert ("NEW_ITEM-CUST_FIELD2[1]", "COMPANY") in fields
    assert ("NEW_ITEM-UNIT[1]", "BX") in fields
    assert data["body"] == oci.encode_body(fields, "ISO-8859-1")
    assert state.store.line_ref(ref)["code"] == "TG-WK-003"
    bad = client.post(
        "/api/oci-cart",
        json={
            "hook_url": HOOK_URL,
            "lines": [{"vendor_code": "TG-KP-001", "card_text": "x" * 300}],
        },
    )
    assert bad.status_code == 400 and "250" in bad.json["error"]
