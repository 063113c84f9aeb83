"""The shop's documents read by the addon's own protocol code, and the
addon's cXML OrderRequest accepted by the shop.

The addon's ``protocol`` package is framework-free; it is imported as a
top-level package the way its own tests do (``topgeschenken_oci`` itself
needs Odoo).
"""

import sys
from decimal import Decimal

import pytest

from tools.simshop import catalogue
from tools.simshop import oci as shop_oci

from .conftest import (
    FORM_POST_URL,
    REPO,
    add_to_cart,
    cxml_setup_request,
    oci_login,
    transfer_form,
)

ADDON_DIR = REPO / "topgeschenken_oci"
if not (ADDON_DIR / "protocol" / "__init__.py").exists():  # pragma: no cover
    pytest.skip("the addon's protocol package is absent", allow_module_level=True)
if str(ADDON_DIR) not in sys.path:
    sys.path.insert(0, str(ADDON_DIR))

from protocol import cxml as addon_cxml  # noqa: E402
from protocol import forms as addon_forms  # noqa: E402
from protocol import oci as addon_oci  # noqa: E402
from protocol import units as addon_units  # noqa: E402

CARD = "Fijne feestdagen!\nTeam € Inkoop"


def fill_cart(client):
    add_to_cart(client, "TG-BB-006", 20, CARD, "COMPANY", "LOC-RTM")
    add_to_cart(client, "TG-KP-001", 2)


def check_items(cart):
    bonbons, deluxe = cart.items
    assert bonbons.vendormat == "TG-BB-006" and deluxe.vendormat == "TG-KP-001"
    assert (bonbons.quantity, bonbons.price, bonbons.price_unit) == (
        Decimal(20),
        Decimal("12.50"),
        Decimal(10),
    )
    assert bonbons.unit_price == Decimal("1.25")
    assert bonbons.matgroup == "NZI-4410" and bonbons.leadtime == 2
    assert bonbons.aux_id.startswith("TGP-")
    if cart.protocol == "cxml":
        assert bonbons.extrinsics["Logo"] == "COMPANY"
        assert bonbons.extrinsics["DeliveryLocation"] == "LOC-RTM"
    else:
        assert bonbons.cust_fields[2] == "COMPANY"
        assert bonbons.cust_fields[3] == "LOC-RTM"
    assert deluxe.longtext == catalogue.get("TG-KP-001").description
    return bonbons


@pytest.mark.parametrize("fmt", ["form", "form-latin1", "xml"])
def test_oci_variants_parse_in_the_addon(client, fmt):
    oci_login(client, format=fmt)
    fill_cart(client)
    attrs, fields = transfer_form(client.post("/cart/transfer"))
    # The body exactly as a browser posts it, decoded as the addon does.
    body = shop_oci.encode_body(fields, attrs["accept-charset"]).encode("ascii")
    pairs = addon_forms.decode_form_body(
        body, "application/x-www-form-urlencoded", attrs["accept-charset"]
    )
    cart = addon_oci.parse_oci_form(pairs, aux_id_field="CUST_FIELD5")
    assert cart.protocol == ("oci_xml" if fmt == "xml" else "oci")
    bonbons = check_items(cart)
    assert bonbons.cust_fields[1] == CARD
    assert [item.cust_fields[4] for item in cart.items] == ["9", "9"]


def test_cxml_round_trip_with_the_addon(client, state):
    response = client.post(
        "/cxml/setup", data=cxml_setup_request(), content_type="text/xml"
    )
    start = addon_cxml.parse_punchout_setup_response(response.data)
    client.get(str(start).removeprefix("http://localhost"))
    fill_cart(client)
    attrs, fields = transfer_form(client.post("/cart/transfer"))
    assert attrs["action"] == FORM_POST_URL
    cart = addon_cxml.parse_punchout_order_message(addon_forms.decode_cxml_post(fields))
    assert cart.buyer_cookie == "BC-42"
    bonbons = check_items(cart)
    assert bonbons.extrinsics["CardText"] == CARD.replace("\n", "\r\n")
    assert [item.tax_rate for item in cart.items] == [Decimal(9), Decimal(9)]

    order = addon_cxml.build_order_request(
        {
            "payload_id": "3@odoo.example",
            "timestamp": "2025-01-10T12:00:00+01:00",
            "order_id": "P00321",
            "order_date": "2025-01-10",
            "currency": "EUR",
            "bill_to": {
                "name": "Zorggroep Demo B.V.",
                "street": "Postbus 123",
                "zip": "3500 AC",
                "city": "Utrecht",
                "country_code": "NL",
                "email": "crediteuren@zorg.example",
            },
            "extrinsics": {"BuyerReference": "KP-9"},
            "lines": [
                {
                    "line_number": n,
                    "quantity": item.quantity,
                    "supplier_part_id": item.vendormat,
                    "supplier_part_auxiliary_id": item.aux_id,
                    "unit_price": item.unit_price,
                    "unit_of_measure": "C62",
                    "description": item.description,
                }
                for n, item in enumerate(cart.items, start=1)
            ],
        },
        addon_cxml.Envelope(
            from_identity="ODOO-ZORG",
            to_identity="TOPGESCHENKEN",
            sender_identity="ODOO-ZORG",
            shared_secret="s3cret",
        ),
    )
    answer = client.post("/cxml/order", data=order, content_type="text/xml")
    assert answer.status_code == 200
    assert addon_cxml.parse_cxml_response(answer.data)["code"] == 200
    recorded = state.store.find_order("P00321")
    assert recorded["mismatches"] == []
    assert recorded["buyer_reference"] == "KP-9"
    invoice = client.post("/admin/invoice/P00321", json={})
    assert invoice.headers["X-Invoice-Total"] == "136.14"  # 124.90 + 9 % (11.24)


@pytest.mark.parametrize("gift", catalogue.GIFTS, ids=lambda gift: gift.code)
def test_every_catalogue_unit_is_a_count_the_addon_knows(gift):
    """The whole catalogue can be ordered: each OCI and cXML unit is a count."""
    for code in (gift.unit, gift.cxml_unit):
        info = addon_units.unece_table().get(addon_units.normalise_unit(code))
        assert info is not None and info.is_count, code
