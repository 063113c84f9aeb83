import base64
import dataclasses
import os
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from protocol import cxml, forms
from protocol.errors import CartError, CXMLError, UnsafeXMLError
from protocol.tests import cxml_builders
from protocol.xmlsafe import parse_xml

FILES = Path(__file__).parent / "test_files"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read(name):
    return (FILES / name).read_bytes()


def xml(data):
    """Parse our own output with plain lxml (DTD not loaded)."""
    return etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True))


CREDENTIALS = {
    "from_identity": "acme-inkoop",
    "from_domain": "NetworkId",
    "to_identity": "topgeschenken.nl",
    "to_domain": "NetworkId",
    "sender_identity": "acme-inkoop",
    "sender_domain": "NetworkId",
    "shared_secret": "geheim&<123>",
    "user_agent": "Odoo 19 topgeschenken_oci",
}
ENVELOPE = cxml.Envelope(**CREDENTIALS)
_ENVELOPE_FIELDS = {field.name for field in dataclasses.fields(cxml.Envelope)}


def split_envelope(values):
    """``(envelope, rest)``: ENVELOPE with the envelope keys of ``values``
    applied, and the other keys."""
    changes = {k: v for k, v in values.items() if k in _ENVELOPE_FIELDS}
    rest = {k: v for k, v in values.items() if k not in _ENVELOPE_FIELDS}
    return dataclasses.replace(ENVELOPE, **changes), rest


def order_request(**overrides):
    """An OrderRequest of order_dict(), ``overrides`` also setting envelope
    values (``sender_domain``, ``shared_secret``...)."""
    envelope, order = split_envelope(order_dict(**overrides))
    return cxml.build_order_request(order, envelope)


ADDRESS = {
    "name": "ACME Nederland B.V.",
    "street": "Keizersgracht 123",
    "street2": "3e etage",
    "zip": "1015 CJ",
    "city": "Amsterdam",
    "country_code": "nl",
    "email": "crediteuren@acme.nl",
    "phone": "+31 20 555 0101",
    "address_id": "ACME-HQ",
}

TRICKY_AUX = [
    "plain",
    "  leading and trailing  ",
    "line1\nline2\r\nline3\ttab",
    '<tag attr="v">x &amp; y</tag>',
    "a & b < c > d ' e \" f",
    '{"sku": "KP-1", "opties": {"kaart": "Fijne dagen!", "prijs": 12.5}}',
    "]]> <![CDATA[ x ]]>",
    "ünïcödé ✓ 🎁 中文",
    "&lt;already escaped&gt;",
    "<!ENTITY x SYSTEM 'file:///etc/passwd'>",
]


def order_dict(**overrides):
    order = {
        "payload_id": "1733913000.1.abc@odoo.acme.nl",
        "timestamp": datetime(2024, 12, 11, 9, 30, tzinfo=timezone.utc),
        "order_id": "P00023",
        "order_date": datetime(2024, 12, 11, 9, 29, 15),
        "order_type": "new",
        "order_version": 1,
        "currency": "EUR",
        "total": Decimal("181.45"),
        "tax": {"amount": Decimal("31.49"), "description": "BTW 21%"},
        "bill_to": ADDRESS,
        "ship_to": {**ADDRESS, "name": "ACME Amsterdam", "deliver_to": "T.a.v. ICT"},
        "comments": "Levering via de achteringang.",
        "extrinsics": {
            "CostCenter": "4410",
            "BuyerReference": "P00023",
            "CardText": "Gefeliciteerd met jullie jubileum!\nNamens ACME",
        },
        "lines": [
            {
                "line_number": 1,
                "quantity": Decimal("3"),
                "supplier_part_id": "KP-10452",
                "supplier_part_auxiliary_id": TRICKY_AUX[5],
                "unit_price": Decimal("34.95"),
                "unit_of_measure": "C62",
                "description": "Kerstpakket Winterse Verwennerij",
                "classification": ("NZI", "2310"),
                "requested_delivery_date": date(2024, 12, 16),
                "extrinsics": {"CardText": "Fijne feestdagen"},
            },
            {
                "line_number": 2,
                "quantity": Decimal("2.5"),
                "supplier_part_id": "BL-ROZEN",
                "unit_price": Decimal("30.60"),
                "unit_of_measure": "KGM",
                "description": "Rozen per kilo",
                "classification": {"NZI": "2100", "UNSPSC": "10161500"},
                "ship_to": {**ADDRESS, "name": "Jan de Vries", "city": "Utrecht"},
            },
        ],
    }
    order.update(overrides)
    return order


def aux_ids(document):
    return [el.text for el in xml(document).iter("SupplierPartAuxiliaryID")]


# --- PunchOutSetupRequest ------------------------------------------------------


def setup_request(**overrides):
    kwargs = {
        "payload_id": "1733912000.1@odoo.acme.nl",
        "timestamp": "2024-12-11T10:00:00+01:00",
        "buyer_cookie": "b3f1c0de-7a9e",
        "return_url": "https://odoo.acme.nl/topgeschenken/return/tok123",
        "extrinsics": {
            "UserEmail": "piet@acme.nl",
            "UserFullName": "Piet de Boer",
            "CostCenter": "4410",
        },
    }
    kwargs.update(overrides)
    envelope, kwargs = split_envelope(kwargs)
    return cxml.build_punchout_setup_request(envelope, **kwargs)


def test_setup_request_structure():
    data = setup_request(ship_to=ADDRESS)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    assert cxml.CXML_DOCTYPE.encode() in data
    root = xml(data)
    assert root.get("payloadID") == "1733912000.1@odoo.acme.nl"
    assert root.get("timestamp") == "2024-12-11T10:00:00+01:00"
    assert [el.tag for el in root] == ["Header", "Request"]
    assert root.findtext("Header/From/Credential/Identity") == "acme-inkoop"
    assert root.find("Header/To/Credential").get("domain") == "NetworkId"
    assert root.findtext("Header/To/Credential/Identity") == "topgeschenken.nl"
    assert root.findtext("Header/Sender/Credential/SharedSecret") == "geheim&<123>"
    assert root.find("Header/From/Credential/SharedSecret") is None
    assert root.findtext("Header/Sender/UserAgent") == "Odoo 19 topgeschenken_oci"
    setup = root.find("Request/PunchOutSetupRequest")
    assert setup.get("operation") == "create"
    assert [el.tag for el in setup] == [
        "BuyerCookie",
        "Extrinsic",
        "Extrinsic",
        "Extrinsic",
        "BrowserFormPost",
        "Contact",
        "ShipTo",
    ]
    assert setup.findtext("BuyerCookie") == "b3f1c0de-7a9e"
    assert [(e.get("name"), e.text) for e in setup.iter("Extrinsic")] == [
        ("UserEmail", "piet@acme.nl"),
        ("UserFullName", "Piet de Boer"),
        ("CostCenter", "4410"),
    ]
    assert setup.findtext("BrowserFormPost/URL") == (
        "https://odoo.acme.nl/topgeschenken/return/tok123"
    )
    contact = setup.find("Contact")
    assert contact.get("role") == "endUser"
    assert contact.findtext("Name") == "Piet de Boer"
    assert contact.find("Name").get(XML_LANG) == "nl-NL"
    assert contact.findtext("Email") == "piet@acme.nl"
    address = setup.find("ShipTo/Address")
    assert address.get("isoCountryCode") == "NL"
    assert address.findtext("PostalAddress/City") == "Amsterdam"
    assert [s.text for s in address.iter("Street")] == ["Keizersgracht 123", "3e etage"]


def test_setup_request_contact_from_first_and_last_name_or_email():
    first_last = xml(
        setup_request(extrinsics={"FirstName": "Piet", "LastName": "de Boer"})
    )
    assert first_last.findtext(".//Contact/Name") == "Piet de Boer"
    assert first_last.find(".//Contact/Email") is None
    email_only = xml(setup_request(extrinsics={"UserEmail": "piet@acme.nl"}))
    assert email_only.findtext(".//Contact/Name") == "piet@acme.nl"


def test_setup_request_without_user_has_no_contact_and_skips_empty_extrinsics():
    root = xml(
        setup_request(
            extrinsics={"CostCenter": "", "Department": None, "Site": "AMS"},
            operation="inspect",
            deployment_mode="test",
            supplier_setup_url="https://www.topgeschenken.nl/punchout",
        )
    )
    setup = root.find("Request/PunchOutSetupRequest")
    assert setup.get("operation") == "inspect"
    assert root.find("Request").get("deploymentMode") == "test"
    assert setup.find("Contact") is None
    assert [e.get("name") for e in setup.iter("Extrinsic")] == ["Site"]
    assert (
        setup.findtext("SupplierSetup/URL") == "https://www.topgeschenken.nl/punchout"
    )


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"operation": "delete"}, "bad_operation"),
        ({"buyer_cookie": ""}, "missing_setup_data"),
        ({"return_url": None}, "missing_setup_data"),
        ({"to_identity": ""}, "missing_credential"),
        ({"payload_id": ""}, "missing_payload"),
        ({"deployment_mode": "staging"}, "bad_choice"),
        ({"ship_to": {"name": "X", "city": "Utrecht"}}, "address_incomplete"),
        ({"buyer_cookie": "tok\x00en"}, "invalid_xml_text"),
    ],
)
def test_setup_request_refuses_bad_input(overrides, code):
    with pytest.raises(CXMLError) as info:
        setup_request(**overrides)
    assert info.value.code == code


def edit_items():
    """The RFQ's cart lines as the edit request sends them (order line dicts)."""
    pakket, rozen = order_dict()["lines"]
    return [
        pakket,
        dict(
            rozen,
            ship_to=None,
            price_basis={"quantity": Decimal("10"), "unit_of_measure": "KGM"},
        ),
    ]


def test_setup_request_edit_carries_the_cart_lines_as_item_out():
    data = setup_request(
        operation="edit", items=edit_items(), currency="eur", ship_to=ADDRESS
    )
    root = xml(data)
    setup = root.find("Request/PunchOutSetupRequest")
    assert setup.get("operation") == "edit"
    # the DTD's order: ItemOut after everything else
    assert [el.tag for el in setup] == [
        "BuyerCookie",
        "Extrinsic",
        "Extrinsic",
        "Extrinsic",
        "BrowserFormPost",
        "Contact",
        "ShipTo",
        "ItemOut",
        "ItemOut",
    ]
    first, second = setup.findall("ItemOut")
    assert first.get("quantity") == "3"
    assert first.get("lineNumber") == "1"
    assert first.get("requestedDeliveryDate") == "2024-12-16"
    assert [el.tag for el in first] == ["ItemID", "ItemDetail"]
    assert first.findtext("ItemID/SupplierPartID") == "KP-10452"
    # the shop's own line reference, echoed byte for byte
    assert first.findtext("ItemID/SupplierPartAuxiliaryID") == TRICKY_AUX[5]
    detail = first.find("ItemDetail")
    assert detail.findtext("UnitPrice/Money") == "34.95"
    assert detail.find("UnitPrice/Money").get("currency") == "EUR"
    assert detail.findtext("Description") == "Kerstpakket Winterse Verwennerij"
    assert detail.findtext("UnitOfMeasure") == "C62"
    assert detail.find("Classification").get("domain") == "NZI"
    assert detail.findtext("Classification") == "2310"
    assert [(e.get("name"), e.text) for e in detail.iter("Extrinsic")] == [
        ("CardText", "Fijne feestdagen")
    ]
    assert second.get("quantity") == "2.5"
    assert second.find("ItemID/SupplierPartAuxiliaryID") is None
    basis = second.find("ItemDetail/PriceBasisQuantity")
    assert basis.get("quantity") == "10"
    assert basis.findtext("UnitOfMeasure") == "KGM"
    assert second.find("ShipTo") is None
    # the header is the create request's
    create = xml(setup_request(ship_to=ADDRESS))
    assert etree.tostring(root.find("Header")) == etree.tostring(create.find("Header"))


def test_setup_request_edit_item_aux_ids_round_trip():
    items = [
        dict(edit_items()[0], line_number=n, supplier_part_auxiliary_id=aux)
        for n, aux in enumerate(TRICKY_AUX, start=1)
    ]
    data = setup_request(operation="edit", items=items, currency="EUR")
    assert aux_ids(data) == TRICKY_AUX


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"operation": "edit", "items": None}, "missing_setup_data"),
        ({"operation": "edit", "items": []}, "missing_setup_data"),
        ({"items": "lines"}, "missing_setup_data"),
        ({"operation": "edit", "currency": None}, "bad_currency"),
        ({"operation": "edit", "currency": "euro"}, "bad_currency"),
        (
            {
                "operation": "edit",
                "items": [{**order_dict()["lines"][0], "quantity": 0}],
            },
            "bad_line",
        ),
        (
            {"operation": "edit", "items": order_dict()["lines"][:1] * 2},
            "bad_line",
        ),
        (
            {
                "operation": "edit",
                "items": [{**order_dict()["lines"][0], "description": "a\x00b"}],
            },
            "invalid_xml_text",
        ),
    ],
)
def test_setup_request_edit_refuses_bad_items(overrides, code):
    kwargs = {"items": edit_items()[:1], "currency": "EUR", **overrides}
    if kwargs["items"] == "lines":
        kwargs["items"] = edit_items()
    with pytest.raises(CXMLError) as info:
        setup_request(**kwargs)
    assert info.value.code == code


# --- PunchOutSetupResponse -----------------------------------------------------


def test_setup_response_start_page():
    url = cxml.parse_punchout_setup_response(read("cxml_punchout_setup_response.xml"))
    assert url == "https://www.topgeschenken.nl/punchout/start?session=9f8e7d6c&lang=nl"


def test_setup_response_built_by_the_simulated_shop_round_trips():
    data = cxml_builders.build_punchout_setup_response(
        "https://shop.test/start?s=1&t=2", payload_id="p1", timestamp="2024-01-01"
    )
    assert cxml.parse_punchout_setup_response(data) == "https://shop.test/start?s=1&t=2"


def test_setup_response_error_status_carries_code_and_text():
    with pytest.raises(CXMLError) as info:
        cxml.parse_punchout_setup_response(read("cxml_punchout_setup_response_401.xml"))
    err = info.value
    assert err.code == "cxml_status"
    assert err.params["status_code"] == 401
    assert err.params["status_text"] == "Unauthorized"
    assert "Shared secret does not match" in err.text


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "ftp://shop/x"])
def test_setup_response_without_usable_url(url):
    data = cxml_builders.build_punchout_setup_response(
        url, payload_id="p", timestamp="t"
    )
    with pytest.raises(CXMLError) as info:
        cxml.parse_punchout_setup_response(data)
    assert info.value.code == "no_start_page"


@pytest.mark.parametrize(
    "body, code",
    [
        (b"<html><body>502 Bad Gateway</body></html>", "not_cxml"),
        (b"Internal Server Error", "not_cxml"),
        (b"", "not_cxml"),
        (b"<cXML payloadID='x' timestamp='t'><Response/></cXML>", "no_status"),
        (
            b"<cXML><Response><Status code='OK' text='x'/></Response></cXML>",
            "no_status",
        ),
    ],
)
def test_setup_response_not_cxml(body, code):
    with pytest.raises(CXMLError) as info:
        cxml.parse_punchout_setup_response(body)
    assert info.value.code == code


# --- PunchOutOrderMessage ------------------------------------------------------


@pytest.fixture
def cart():
    return cxml.parse_punchout_order_message(read("cxml_punchout_order_message.xml"))


def test_order_message_header(cart):
    assert cart.protocol == "cxml"
    assert cart.buyer_cookie == "b3f1c0de-7a9e-4e55-9d1e-5f0c2a8e6b14"
    assert cart.operation == "edit"
    assert cart.currency == "EUR"
    assert cart.total == Decimal("1120.70")
    assert cart.extra["payload_id"] == "1733912345.4821@topgeschenken.nl"
    assert cart.extra["deployment_mode"] == "test"
    assert cart.extra["from"] == {"domain": "NetworkId", "identity": "topgeschenken.nl"}
    assert cart.extra["tax"] == Decimal("235.35")
    assert cart.extra["shipping"] == Decimal("0.00")
    assert [item.line_no for item in cart.items] == ["1", "2", "3", "4", "5", "6"]


def test_order_message_regular_item(cart):
    item = cart.items[0]
    assert item.quantity == Decimal("25")
    assert item.vendormat == "KP-10452"
    assert item.matnr == "ART-88812"
    assert item.aux_id == (
        '{"variant":"rood","kaart":"Fijne feestdagen & een gezond 2025!",'
        '"logo":"<svg viewBox=\\"0 0 1 1\\"/>"}'
    )
    assert (item.price, item.price_unit, item.unit_price) == (
        Decimal("34.95"),
        Decimal("1"),
        Decimal("34.95"),
    )
    assert item.currency == "EUR"
    assert item.unit == "C62"
    assert item.description == "Kerstpakket Winterse Verwennerij"
    assert item.longtext.startswith("Luxe kerstpakket met Belgische chocolade")
    assert "ShortName" not in item.longtext and "Winterse" not in item.longtext
    assert item.classifications == {"UNSPSC": "50192100", "NZI": "2310"}
    assert item.matgroup == "2310"  # NZI wins over the first (UNSPSC)
    assert item.manufactmat == "WV-2024"
    assert item.manufactcode == "Topgeschenken Atelier"
    assert item.leadtime == 5
    assert item.attachments[0]["url"].endswith("/winterse-verwennerij")
    assert item.extrinsics == {
        "Kaarttekst": "Fijne feestdagen!\nNamens het hele team",
        "Bezorging": "2024-12-16 ochtend",
    }
    assert (item.item_type, item.parent_id, item.is_outline) == ("R", "", False)


def test_order_message_composite_items(cart):
    heading, mug, chocolate = cart.items[1:4]
    assert heading.item_type == "O" and heading.is_outline
    assert heading.extra["composite_item_type"] == "itemLevel"
    assert (mug.parent_id, chocolate.parent_id) == ("2", "2")
    assert mug.item_type == chocolate.item_type == "R"
    assert mug.description == "Mok met gravure"
    assert mug.currency == "EUR"  # "eur" as sent
    assert mug.matgroup == "52152000"  # no NZI: the first classification
    assert chocolate.leadtime is None  # "twee" is no number of days


def test_order_message_aux_ids_kept_exactly(cart):
    assert cart.items[2].aux_id == (
        '  gravure: "ACME 25 jaar"\n  lettertype: Garamond  '
    )
    assert cart.items[3].aux_id == "a<b>c &amp; d'e"
    assert cart.items[4].aux_id == ""


def test_order_message_price_basis_quantity(cart):
    cards, wine = cart.items[4], cart.items[5]
    # 45.00 per 100 cards: one card costs 0.45.
    assert cards.unit_price == Decimal("0.45")
    assert (cards.price, cards.price_unit) == (Decimal("45.00"), Decimal("100"))
    assert cards.extra["price_basis_description"] == "Prijs per 100 stuks"
    # 8.50 per bottle, ordered per case; conversionFactor 6 bottles per case.
    assert wine.unit == "CT"
    assert wine.unit_price == Decimal("51.00")
    assert wine.extra["unit_price"] == "8.50"
    assert wine.extra["conversion_factor"] == "6"
    assert wine.extra["price_basis_unit"] == "BO"
    assert wine.extra["descriptions"]["en-GB"] == "Red wine, case of 6 bottles"
    # The Ariba line amount, quantity * conversionFactor / basis * UnitPrice,
    # summed over the orderable lines, is the cart total the shop sent.
    lines = [item for item in cart.items if not item.is_outline]
    assert sum(item.quantity * item.unit_price for item in lines) == cart.total


@pytest.mark.parametrize(
    "basis, unit_price",
    [
        ('quantity="1" conversionFactor="1"', Decimal("12")),
        ('quantity="12" conversionFactor="1"', Decimal("1")),
        ('quantity="1" conversionFactor="0.5"', Decimal("6")),
        ('quantity="3" conversionFactor="2"', Decimal("8")),
        ('quantity="4"', Decimal("3")),  # conversionFactor missing: 1
    ],
)
def test_price_basis_formula(basis, unit_price):
    data = poom(
        item(
            price="12.00",
            extra_detail=f"<PriceBasisQuantity {basis}><UnitOfMeasure>C62"
            "</UnitOfMeasure></PriceBasisQuantity>",
        )
    )
    assert cxml.parse_punchout_order_message(data).items[0].unit_price == unit_price


def item(
    quantity="1",
    price="10.00",
    currency="EUR",
    attrs="",
    aux=None,
    extra_detail="",
    money=True,
):
    aux_xml = f"<SupplierPartAuxiliaryID>{aux}</SupplierPartAuxiliaryID>" if aux else ""
    money_xml = (
        f'<UnitPrice><Money currency="{currency}">{price}</Money></UnitPrice>'
        if money
        else ""
    )
    return (
        f'<ItemIn quantity="{quantity}" {attrs}><ItemID>'
        f"<SupplierPartID>X-1</SupplierPartID>{aux_xml}</ItemID>"
        f"<ItemDetail>{money_xml}"
        '<Description xml:lang="nl">Ding</Description>'
        f"<UnitOfMeasure>C62</UnitOfMeasure>{extra_detail}"
        '<Classification domain="NZI">1</Classification></ItemDetail></ItemIn>'
    )


def poom(*items, total="10.00", currency="EUR", prolog=""):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        '<cXML payloadID="p" timestamp="2024-01-01T00:00:00+00:00"><Header/>'
        "<Message><PunchOutOrderMessage><BuyerCookie>c</BuyerCookie>"
        '<PunchOutOrderMessageHeader operationAllowed="create">'
        f'<Total><Money currency="{currency}">{total}</Money></Total>'
        "</PunchOutOrderMessageHeader>"
        + "".join(items)
        + "</PunchOutOrderMessage></Message></cXML>"
    ).encode()


@pytest.mark.parametrize(
    "document, code",
    [
        (poom(), "empty_cart"),
        (poom(item(quantity="0")), "bad_quantity"),
        (poom(item(quantity="-2")), "bad_quantity"),
        (poom(item(quantity="")), "missing_number"),
        (poom(item(quantity="1,5")), "bad_number"),
        (poom(item(quantity="1e999")), "bad_number"),
        (poom(item(quantity="NaN")), "bad_number"),
        (poom(item(money=False)), "missing_price"),
        (poom(item(price="")), "missing_price"),
        (poom(item(price="-1.00")), "bad_price"),
        (poom(item(price="12,50")), "bad_number"),
        (poom(item(currency="EU")), "bad_currency"),
        (poom(item(currency="EUROPE")), "bad_currency"),
        (poom(item(), total="10", currency="US"), "bad_currency"),
        (poom(item(currency="USD")), "mixed_currency"),
        (
            poom(item(attrs='lineNumber="1"'), item(attrs='lineNumber="01"')),
            "duplicate_line",
        ),
        (poom(item(attrs='lineNumber="1" parentLineNumber="7"')), "unknown_parent"),
        (poom(item(attrs='lineNumber="1" parentLineNumber="1"')), "unknown_parent"),
        (
            poom(
                item(
                    extra_detail='<PriceBasisQuantity quantity="0" '
                    'conversionFactor="1"><UnitOfMeasure>C62</UnitOfMeasure>'
                    "</PriceBasisQuantity>"
                )
            ),
            "bad_price_basis",
        ),
        (
            b"<cXML><Request><OrderRequest/></Request></cXML>",
            "not_order_message",
        ),
        (b"<Invoice><Line/></Invoice>", "not_cxml"),
        (b'{"not": "xml"}', "not_cxml"),
    ],
)
def test_order_message_refused(document, code):
    with pytest.raises(CartError) as info:
        cxml.parse_punchout_order_message(document)
    assert info.value.code == code


def test_order_message_max_lines():
    data = poom(*[item(attrs=f'lineNumber="{n}"') for n in range(1, 4)])
    assert len(cxml.parse_punchout_order_message(data, max_lines=3).items) == 3
    with pytest.raises(CartError) as info:
        cxml.parse_punchout_order_message(data, max_lines=2)
    assert info.value.code == "too_many_lines"


def test_order_message_positions_when_no_line_numbers_and_zero_price_ok():
    data = poom(item(price="0.00"), item(quantity="0.5"))
    cart = cxml.parse_punchout_order_message(data)
    assert [i.line_no for i in cart.items] == ["1", "2"]
    assert cart.items[0].price == 0
    assert cart.items[1].quantity == Decimal("0.5")


def test_item_without_currency_takes_the_carts_as_oci_does():
    cart = cxml.parse_punchout_order_message(poom(item(currency="")))
    assert (cart.currency, cart.items[0].currency) == ("EUR", "")
    cart = cxml.parse_punchout_order_message(poom(item(currency=""), currency=""))
    assert (cart.currency, cart.items[0].currency) == ("", "")


def test_order_message_currency_aliases_as_for_oci():
    cart = cxml.parse_punchout_order_message(
        poom(item(currency="euro"), currency="Euro")
    )
    assert (cart.currency, cart.items[0].currency) == ("EUR", "EUR")


def test_order_message_aux_id_with_markup_children_keeps_the_markup():
    data = poom(item(aux='cfg:<opt id="1">A &amp; B</opt> <opt id="2"/> end'))
    assert cxml.parse_punchout_order_message(data).items[0].aux_id == (
        'cfg:<opt id="1">A &amp; B</opt> <opt id="2"/> end'
    )


# --- the return POST (forms.decode_cxml_post) ---------------------------------


def test_decode_post_urlencoded():
    doc = read("cxml_punchout_order_message.xml").decode()
    assert forms.decode_cxml_post({"cxml-urlencoded": doc}) == doc.encode()
    pairs = [("foo", "bar"), ("cXML-urlencoded", doc)]
    assert forms.decode_cxml_post(pairs) == doc.encode()
    raw = [("cxml-urlencoded", doc.encode("utf-16"))]  # bytes, as a bare POST
    assert forms.decode_cxml_post(raw) == doc.encode()


def test_decode_post_still_encoded_text_is_decoded_once_more():
    doc = read("cxml_punchout_order_message.xml").decode()
    decoded = forms.decode_cxml_post({"cxml-urlencoded": quote_plus(doc)})
    assert decoded == doc.encode()


def test_decode_post_text_declared_latin1_parses_right():
    doc = poom(item()).decode().replace("UTF-8", "ISO-8859-1").replace("Ding", "Café")
    data = forms.decode_cxml_post({"cxml-urlencoded": doc})
    assert b'encoding="UTF-8"' in data
    cart = cxml.parse_punchout_order_message(data)
    assert cart.items[0].description == "Café"


def test_decode_post_base64():
    doc = read("cxml_punchout_order_message.xml")
    encoded = base64.b64encode(doc).decode()
    assert forms.decode_cxml_post({"cxml-base64": encoded}) == doc
    # "+" turned into " " by a shop that did not URL-encode, and line breaks
    wrapped = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    assert forms.decode_cxml_post({"cxml-base64": wrapped.replace("+", " ")}) == doc
    urlsafe = base64.urlsafe_b64encode(doc).decode().rstrip("=")
    assert forms.decode_cxml_post([("CXML-BASE64", urlsafe)]) == doc


@pytest.mark.parametrize(
    "form, code",
    [
        ({}, "no_cxml"),
        ({"cxml-urlencoded": "", "other": "<cXML/>"}, "no_cxml"),
        ({"cxml-urlencoded": "   "}, "no_cxml"),
        ({"cxml-base64": "!!!not base64!!!"}, "bad_base64"),
        ({"cxml-base64": base64.b64encode(b"   ").decode()}, "no_cxml"),
    ],
)
def test_decode_post_refused(form, code):
    with pytest.raises(CartError) as info:
        forms.decode_cxml_post(form)
    assert info.value.code == code


# --- hostile XML -----------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<cXML><Response><Status code="200" text="&xxe;"/></Response></cXML>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<cXML><Response><Status code="200" text="&lol4;"/></Response></cXML>"""

ATTLIST_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE cXML SYSTEM "x>y" [<!ATTLIST Status code CDATA "200">]>
<cXML><Response><Status text="x"/></Response></cXML>"""

XXE_UTF16 = XXE.decode().replace('<?xml version="1.0"?>', "").encode("utf-16")

HOSTILE = {
    "xxe": XXE,
    "billion_laughs": LAUGHS,
    "attlist_subset": ATTLIST_ONLY,
    "xxe_utf16": XXE_UTF16,
    "xxe_after_comment": b"<!-- <!DOCTYPE x> -->" + XXE.split(b"?>", 1)[1],
}
PARSERS = {
    "setup_response": cxml.parse_punchout_setup_response,
    "order_message": cxml.parse_punchout_order_message,
    "response": cxml.parse_cxml_response,
}


@pytest.mark.parametrize("parser", PARSERS.values(), ids=PARSERS.keys())
@pytest.mark.parametrize("document", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_xml_refused(parser, document):
    with pytest.raises(UnsafeXMLError):
        parser(document)


def test_hostile_xml_in_return_post_refused():
    data = forms.decode_cxml_post({"cxml-base64": base64.b64encode(XXE).decode()})
    with pytest.raises(UnsafeXMLError):
        cxml.parse_punchout_order_message(data)


def test_external_doctype_accepted_not_loaded():
    prolog = '<!DOCTYPE cXML SYSTEM "http://127.0.0.1:9/never/cXML.dtd">'
    cart = cxml.parse_punchout_order_message(poom(item(), prolog=prolog))
    assert cart.items[0].vendormat == "X-1"


def test_utf16_document_parsed():
    data = poom(item()).decode().replace("UTF-8", "UTF-16").encode("utf-16")
    assert cxml.parse_punchout_order_message(data).items[0].vendormat == "X-1"


# --- OrderRequest ----------------------------------------------------------------


def test_order_request_structure():
    data = build = order_request()
    assert build.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert cxml.CXML_DOCTYPE.encode() in data
    root = parse_xml(data)  # our own hardened parser accepts what we send
    assert root.get("payloadID") == "1733913000.1.abc@odoo.acme.nl"
    assert root.get("timestamp") == "2024-12-11T09:30:00+00:00"
    assert root.findtext("Header/Sender/Credential/SharedSecret") == "geheim&<123>"
    header = root.find("Request/OrderRequest/OrderRequestHeader")
    assert header.attrib == {
        "orderID": "P00023",
        "orderDate": "2024-12-11T09:29:15+00:00",  # naive: UTC
        "type": "new",
        "orderVersion": "1",
    }
    assert [el.tag for el in header] == [
        "Total",
        "ShipTo",
        "BillTo",
        "Tax",
        "Comments",
        "Extrinsic",
        "Extrinsic",
        "Extrinsic",
    ]
    money = header.find("Total/Money")
    assert (money.text, money.get("currency")) == ("181.45", "EUR")
    assert header.findtext("Tax/Money") == "31.49"
    assert header.findtext("Tax/Description") == "BTW 21%"
    ship = header.find("ShipTo/Address")
    assert ship.findtext("Name") == "ACME Amsterdam"
    assert ship.findtext("PostalAddress/DeliverTo") == "T.a.v. ICT"
    assert ship.find("PostalAddress/Country").get("isoCountryCode") == "NL"
    assert ship.findtext("PostalAddress/PostalCode") == "1015 CJ"
    assert ship.findtext("Email") == "crediteuren@acme.nl"
    assert ship.findtext("Phone/TelephoneNumber/CountryCode") == "31"
    assert ship.findtext("Phone/TelephoneNumber/Number") == "20 555 0101"
    assert header.find("BillTo/Address").get("addressID") == "ACME-HQ"
    assert {e.get("name"): e.text for e in header.findall("Extrinsic")} == {
        "CostCenter": "4410",
        "BuyerReference": "P00023",
        "CardText": "Gefeliciteerd met jullie jubileum!\nNamens ACME",
    }
    first, second = root.findall("Request/OrderRequest/ItemOut")
    assert first.attrib == {
        "quantity": "3",
        "lineNumber": "1",
        "requestedDeliveryDate": "2024-12-16",
    }
    assert first.findtext("ItemID/SupplierPartID") == "KP-10452"
    detail = first.find("ItemDetail")
    assert [el.tag for el in detail] == [
        "UnitPrice",
        "Description",
        "UnitOfMeasure",
        "Classification",
        "Extrinsic",
    ]
    assert detail.findtext("UnitPrice/Money") == "34.95"
    assert detail.findtext("UnitOfMeasure") == "C62"
    assert detail.find("Classification").attrib == {"domain": "NZI"}
    assert detail.findtext("Classification") == "2310"
    assert second.get("quantity") == "2.5"
    assert second.find("ItemID/SupplierPartAuxiliaryID") is None
    assert [(c.get("domain"), c.text) for c in second.iter("Classification")] == [
        ("NZI", "2100"),
        ("UNSPSC", "10161500"),
    ]
    assert second.findtext("ShipTo/Address/PostalAddress/City") == "Utrecht"


def test_order_request_aux_ids_echoed_exactly():
    lines = [
        {
            "line_number": n,
            "quantity": 1,
            "supplier_part_id": f"SKU-{n}",
            "supplier_part_auxiliary_id": aux,
            "unit_price": Decimal("1.00"),
        }
        for n, aux in enumerate(TRICKY_AUX, start=1)
    ]
    data = order_request(lines=lines, total=None)
    assert aux_ids(data) == TRICKY_AUX
    assert b"<!ENTITY" not in data  # escaped, so our own parser takes it
    assert parse_xml(data).findtext(".//SupplierPartAuxiliaryID") == "plain"


def test_order_request_aux_id_from_parsed_cart_round_trips(cart):
    lines = [
        {
            "line_number": n,
            "quantity": item.quantity,
            "supplier_part_id": item.vendormat,
            "supplier_part_auxiliary_id": item.aux_id,
            "unit_price": item.unit_price,
        }
        for n, item in enumerate(cart.items, start=1)
    ]
    data = order_request(lines=lines)
    sent = [item.aux_id for item in cart.items if item.aux_id]
    assert aux_ids(data) == sent
    assert len(sent) == 3


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("12.50"), "12.50"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.00001"), "0.00001"),
        (Decimal("-0.00"), "0.00"),
        (7, "7"),
        (2.5, "2.5"),
        ("19.95", "19.95"),
    ],
)
def test_order_request_amounts_plain(value, text):
    line = dict(order_dict()["lines"][0], unit_price=value)
    data = order_request(lines=[line], total=value)
    root = xml(data)
    assert root.findtext(".//OrderRequestHeader/Total/Money") == text
    assert root.findtext(".//ItemOut/ItemDetail/UnitPrice/Money") == text


def test_order_request_defaults_total_and_price_basis():
    lines = [
        {
            "line_number": 10,
            "quantity": 250,
            "supplier_part_id": "WK-A6",
            "unit_price": Decimal("45.00"),
            "price_basis": {"quantity": 100, "unit_of_measure": "C62"},
        },
        {
            "line_number": 20,
            "quantity": Decimal("2"),
            "supplier_part_id": "WIJN",
            "unit_price": Decimal("8.50"),
            "unit_of_measure": "CT",
            "price_basis": {"quantity": 1, "conversion_factor": 6},
        },
    ]
    root = xml(order_request(lines=lines, total=None, tax=None))
    assert root.findtext(".//OrderRequestHeader/Total/Money") == "214.50"
    assert root.find(".//OrderRequestHeader/Tax") is None
    basis = root.findall(".//PriceBasisQuantity")
    assert [b.attrib for b in basis] == [
        {"quantity": "100", "conversionFactor": "1"},
        {"quantity": "1", "conversionFactor": "6"},
    ]
    assert basis[1].findtext("UnitOfMeasure") == "CT"
    empty = root.findall(".//ItemOut")[0].find("ItemDetail/Classification")
    assert (empty.get("domain"), empty.text) == ("NZI", None)


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"order_id": ""}, "missing_order_data"),
        ({"order_date": None}, "missing_order_data"),
        ({"lines": []}, "missing_order_data"),
        ({"bill_to": None}, "missing_order_data"),
        ({"currency": "EURO"}, "bad_currency"),
        ({"order_type": "regular"}, "bad_choice"),
        ({"sender_domain": ""}, "missing_credential"),
        ({"bill_to": {"street": "X"}}, "address_incomplete"),
        ({"ship_to": {**ADDRESS, "street": ""}}, "address_incomplete"),
        ({"total": "1.000,00"}, "bad_number"),
        ({"total": float("nan")}, "bad_number"),
    ],
)
def test_order_request_refuses_bad_header(overrides, code):
    with pytest.raises(CXMLError) as info:
        order_request(**overrides)
    assert info.value.code == code


@pytest.mark.parametrize(
    "line_overrides, code",
    [
        ({"quantity": 0}, "bad_line"),
        ({"quantity": Decimal("-1")}, "bad_line"),
        ({"unit_price": Decimal("-0.01")}, "bad_line"),
        ({"unit_price": None}, "missing_number"),
        ({"line_number": None}, "bad_line"),
        ({"supplier_part_auxiliary_id": "bell\x07"}, "invalid_xml_text"),
        ({"supplier_part_auxiliary_id": "lone \ud800 surrogate"}, "invalid_xml_text"),
        ({"description": "nul\x00"}, "invalid_xml_text"),
    ],
)
def test_order_request_refuses_bad_line(line_overrides, code):
    line = dict(order_dict()["lines"][0], **line_overrides)
    with pytest.raises(CXMLError) as info:
        order_request(lines=[line])
    assert info.value.code == code


def test_order_request_refuses_duplicate_line_numbers():
    line = order_dict()["lines"][0]
    with pytest.raises(CXMLError) as info:
        order_request(lines=[line, dict(line)])
    assert info.value.code == "bad_line"


# --- status responses ----------------------------------------------------------------


def test_parse_order_response_fixture():
    assert cxml.parse_cxml_response(read("cxml_order_response_ok.xml")) == {
        "code": 201,
        "text": "Accepted",
        "message": "Order TG-2024-55123 aangemaakt",
        "payload_id": "1733913000.12@topgeschenken.nl",
    }


@pytest.mark.parametrize(
    "code, text, message",
    [
        (200, "OK", ""),
        (400, "Bad Request", "Line 2: unknown SupplierPartID <X-9> & more"),
        (500, "Internal Server Error", "Probeer het later opnieuw"),
    ],
)
def test_status_response_round_trip(code, text, message):
    data = cxml.build_status_response(
        code, text, "pl-1", "2024-12-11T10:00:00+01:00", message
    )
    root = xml(data)
    assert root.find("Response/Status").get(XML_LANG) == "en"
    assert cxml.parse_cxml_response(data) == {
        "code": code,
        "text": text,
        "message": message,
        "payload_id": "pl-1",
    }


def test_parse_response_requires_cxml_with_status():
    with pytest.raises(CXMLError) as info:
        cxml.parse_cxml_response(b"<html><body>OK</body></html>")
    assert info.value.code == "not_cxml"
    with pytest.raises(CXMLError) as info:
        cxml.parse_cxml_response(b"<cXML payloadID='a'><Response/></cXML>")
    assert info.value.code == "no_status"


# --- helpers ------------------------------------------------------------------------


def test_payload_ids_unique_and_timestamps_with_zone():
    ids = {cxml.new_payload_id("odoo.acme.nl") for _ in range(50)}
    assert len(ids) == 50
    assert all(i.endswith("@odoo.acme.nl") for i in ids)
    assert cxml.format_timestamp(datetime(2024, 1, 2, 3, 4, 5)) == (
        "2024-01-02T03:04:05+00:00"
    )
    assert cxml.format_timestamp(None).endswith("+00:00")
    with pytest.raises(CXMLError):
        cxml.format_timestamp(12)


@pytest.mark.skipif(
    not os.environ.get("TOPGESCHENKEN_CXML_DTD"),
    reason="set TOPGESCHENKEN_CXML_DTD to a cXML.dtd to validate against it",
)
def test_built_documents_valid_against_dtd(cart):
    dtd = etree.DTD(os.environ["TOPGESCHENKEN_CXML_DTD"])
    documents = [
        order_request(),
        setup_request(ship_to=ADDRESS),
        setup_request(operation="edit", items=edit_items(), currency="EUR"),
        cxml_builders.build_punchout_setup_response(
            "https://x", payload_id="p", timestamp="t"
        ),
        cxml.build_status_response(200, "OK", "p", "t"),
        read("cxml_punchout_order_message.xml"),
    ]
    for document in documents:
        assert dtd.validate(xml(document)), dtd.error_log.filter_from_errors()


# --- properties ----------------------------------------------------------------------


def _xml_char(c):
    n = ord(c)
    return (
        n in (0x9, 0xA, 0xD)
        or 0x20 <= n <= 0xD7FF
        or 0xE000 <= n <= 0xFFFD
        or (n >= 0x10000)
    )


XML_TEXT = st.text(st.characters(codec="utf-8").filter(_xml_char), max_size=60)


@settings(max_examples=100, deadline=None)
@given(aux=XML_TEXT)
def test_property_aux_id_round_trips_through_order_request(aux):
    line = dict(order_dict()["lines"][0], supplier_part_auxiliary_id=aux)
    data = order_request(lines=[line])
    assert aux_ids(data) == ([aux] if aux else [])


@settings(max_examples=100, deadline=None)
@given(aux=XML_TEXT)
def test_property_aux_id_round_trips_through_order_message(aux):
    data = cxml_builders.build_punchout_order_message(
        payload_id="p",
        timestamp="2024-01-01T00:00:00+00:00",
        buyer_cookie="c",
        currency="EUR",
        items=[
            {
                "quantity": 1,
                "supplier_part_id": "X",
                "supplier_part_auxiliary_id": aux,
                "unit_price": "1.00",
            }
        ],
    )
    assert cxml.parse_punchout_order_message(data).items[0].aux_id == aux


@pytest.mark.parametrize(
    ("tax", "rate"),
    [
        (
            '<Tax><Money currency="EUR">0.90</Money><Description>BTW</Description>'
            '<TaxDetail purpose="tax" category="vat" percentageRate="9">'
            '<TaxAmount><Money currency="EUR">0.90</Money></TaxAmount>'
            "</TaxDetail></Tax>",
            Decimal("9"),
        ),
        # no rate: the amount over the line amount (2 x 10.00)
        (
            '<Tax><Money currency="EUR">4.20</Money><Description/></Tax>',
            Decimal("21.0"),
        ),
        ("", None),
    ],
)
def test_item_tax_rate(tax, rate):
    data = poom(item(quantity="2").replace("</ItemIn>", f"{tax}</ItemIn>"))
    assert cxml.parse_punchout_order_message(data).items[0].tax_rate == rate


@pytest.mark.parametrize("text", ["Ding\x0bmet\x1a", "Ding&#11;met&#x1a;&#0;"])
def test_control_characters_in_a_cxml_cart_dropped(text):
    data = poom(item()).replace(b">Ding<", f">{text}<".encode())
    assert cxml.parse_punchout_order_message(data).items[0].description == "Ding\nmet"


def test_shared_secret_added_at_send_time_only():
    stored = order_request(shared_secret="")
    assert b"SharedSecret" not in stored
    sent = cxml.with_shared_secret(stored, "s3cr<e>t")
    root = parse_xml(sent)
    credential = root.find("Header/Sender/Credential")
    assert [child.tag for child in credential] == ["Identity", "SharedSecret"]
    assert credential.findtext("SharedSecret") == "s3cr<e>t"
    # the same document otherwise; a second call replaces, never duplicates
    again = cxml.with_shared_secret(sent, "other")
    assert parse_xml(again).findtext("Header/Sender/Credential/SharedSecret") == "other"
    assert cxml.without_shared_secret(sent).count(b"SharedSecret") == 0
    assert cxml.with_shared_secret(stored, "") == stored


def test_envelope_keeps_its_secret_out_of_repr():
    assert "geheim" not in repr(ENVELOPE)
    assert ENVELOPE.without_secret().shared_secret == ""
    assert ENVELOPE.without_secret().sender_identity == "acme-inkoop"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENVELOPE.shared_secret = "x"


def test_envelope_payload_id_at_its_host():
    envelope = dataclasses.replace(ENVELOPE, payload_host="odoo.acme.nl")
    assert envelope.new_payload_id().endswith("@odoo.acme.nl")
    assert envelope.new_payload_id() != envelope.new_payload_id()


def test_one_envelope_gives_the_same_header_to_every_document():
    setup = parse_xml(setup_request()).find("Header")
    order = parse_xml(order_request()).find("Header")
    assert etree.tostring(setup) == etree.tostring(order)
    assert setup.findtext("Sender/Credential/SharedSecret") == "geheim&<123>"
    assert setup.findtext("Sender/UserAgent") == "Odoo 19 topgeschenken_oci"


def test_empty_message_allowed_for_an_edit():
    """A PunchOutOrderMessage without ItemIn is an empty cart when allowed
    (an emptied edit), refused otherwise."""
    cart = cxml.parse_punchout_order_message(poom(total="0.00"), allow_empty=True)
    assert cart.items == []
    assert cart.currency == "EUR"
    with pytest.raises(CartError) as caught:
        cxml.parse_punchout_order_message(poom(total="0.00"))
    assert caught.value.code == "empty_cart"
