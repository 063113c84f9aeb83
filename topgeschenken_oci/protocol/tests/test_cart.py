"""The neutral cart model and its plausibility check."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from protocol.cart import Cart, CartItem, check_plausible, xml_text
from protocol.errors import CartError


def test_check_plausible_refuses_absurd_numbers():
    ok = Cart(items=[CartItem("1", quantity=Decimal("12"), price=Decimal("49.95"))])
    check_plausible(ok)
    huge = Cart(items=[CartItem("1", quantity=Decimal("1e12"), price=Decimal("1"))])
    with pytest.raises(CartError) as error:
        check_plausible(huge)
    assert error.value.code == "implausible_quantity"
    pricey = Cart(items=[CartItem("2", quantity=Decimal("1"), price=Decimal("1e15"))])
    with pytest.raises(CartError) as error:
        check_plausible(pricey)
    assert error.value.code == "implausible_price"


def test_oci_form_texts_cleaned_of_what_xml_cannot_carry():
    from protocol.oci import parse_oci_form

    pairs = [
        ("NEW_ITEM-DESCRIPTION[1]", "Kerstpakket\x0bDeluxe\x1a"),
        ("NEW_ITEM-QUANTITY[1]", "1"),
        ("NEW_ITEM-PRICE[1]", "10"),
        ("NEW_ITEM-VENDORMAT[1]", "TG\x01-1"),
        ("NEW_ITEM-LONGTEXT_1:132[]", "Regel 1\x0cRegel 2\x7f\ufffe"),
        ("NEW_ITEM-CUST_FIELD1[1]", "Fijne \x08feestdagen"),
    ]
    item = parse_oci_form(pairs).items[0]
    assert item.description == "Kerstpakket\nDeluxe"
    assert item.vendormat == "TG-1"
    assert item.longtext == "Regel 1\nRegel 2\x7f"
    assert item.cust_fields[1] == "Fijne feestdagen"


@given(st.text())
def test_xml_text_always_fits_in_xml(text):
    from lxml import etree

    etree.Element("a").text = xml_text(text)


def test_absurd_lead_time_refused():
    item = CartItem(line_no=1, description="Pen", quantity=Decimal(1), price=Decimal(1))
    item.leadtime = 10**12
    with pytest.raises(CartError) as error:
        check_plausible(Cart(items=[item]))
    assert error.value.code == "implausible_leadtime"
    item.leadtime = 30
    check_plausible(Cart(items=[item]))
