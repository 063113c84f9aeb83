"""A returned cart read in one step, whatever its format
(protocol/returned_cart.py)."""

import base64
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from protocol.errors import ProtocolError
from protocol.returned_cart import read_cart

FORM = "application/x-www-form-urlencoded"
FILES = Path(__file__).parent / "test_files"
OCI_FIELDS = [
    ("NEW_ITEM-DESCRIPTION[1]", "Kerstpakket Deluxe, één doos"),
    ("NEW_ITEM-QUANTITY[1]", "12"),
    ("NEW_ITEM-UNIT[1]", "PCE"),
    ("NEW_ITEM-PRICE[1]", "24.95"),
    ("NEW_ITEM-CURRENCY[1]", "EUR"),
    ("NEW_ITEM-VENDORMAT[1]", "TG-1001"),
    ("NEW_ITEM-CUST_FIELD1[1]", "REF-9"),
]
OCI_XML = """<?xml version="1.0" encoding="ISO-8859-1"?>
<BusinessDocument>
  <Item>
    <ItemDescription>Bloemen, één bos</ItemDescription>
    <Quantity unitCode="PCE">3</Quantity>
    <Price><Amount>9.50</Amount><Currency>EUR</Currency></Price>
  </Item>
</BusinessDocument>
"""


def test_oci_form_fields_urlencoded_in_the_webshops_charset():
    body = urlencode(OCI_FIELDS, encoding="iso-8859-1").encode("ascii")
    seen = []
    cart = read_cart(
        body,
        FORM,
        charset="iso-8859-1",
        aux_id_field="NEW_ITEM-CUST_FIELD1",
        on_format=seen.append,
    )
    assert seen == ["oci"] and cart.protocol == "oci"
    [item] = cart.items
    assert item.description == "Kerstpakket Deluxe, één doos"
    assert item.quantity == Decimal("12") and item.aux_id == "REF-9"


def test_oci_form_fields_in_a_get_query_string():
    query = urlencode(OCI_FIELDS).encode("ascii")
    cart = read_cart(query, "", method="GET")
    assert cart.protocol == "oci" and cart.items[0].vendormat == "TG-1001"


def test_oci_xml_document_field():
    value = base64.b64encode(OCI_XML.encode("iso-8859-1")).decode("ascii")
    body = urlencode([("~xmlDocument", value), ("~xml_type", "ESAPO-V1.0")])
    cart = read_cart(body.encode("ascii"), FORM)
    assert cart.protocol == "oci_xml"
    assert cart.items[0].description == "Bloemen, één bos"


@pytest.mark.parametrize("field", ["cxml-urlencoded", "cxml-base64"])
def test_cxml_punchout_order_message_in_either_field(field):
    document = (FILES / "cxml_punchout_order_message.xml").read_bytes()
    value = (
        base64.b64encode(document).decode("ascii")
        if field == "cxml-base64"
        else document.decode("utf-8")
    )
    cart = read_cart(urlencode([(field, value)]).encode("ascii"), FORM)
    assert cart.protocol == "cxml"
    assert cart.buyer_cookie == "b3f1c0de-7a9e-4e55-9d1e-5f0c2a8e6b14"
    assert cart.items


def test_the_format_is_known_before_a_parse_error():
    seen = []
    body = urlencode([("cxml-urlencoded", "<cXML><Message>")]).encode("ascii")
    with pytest.raises(ProtocolError):
        read_cart(body, FORM, on_format=seen.append)
    assert seen == ["cxml"]
