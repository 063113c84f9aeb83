"""The neutral cart model and its plausibility check."""

from decimal import Decimal

import pytest
from protocol.cart import Cart, CartItem, check_plausible
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


def test_absurd_lead_time_refused():
    item = CartItem(line_no=1, description="Pen", quantity=Decimal(1), price=Decimal(1))
    item.leadtime = 10**12
    with pytest.raises(CartError) as error:
        check_plausible(Cart(items=[item]))
    assert error.value.code == "implausible_leadtime"
    item.leadtime = 30
    check_plausible(Cart(items=[item]))


def test_form_fields_counted_before_parsing():
    from protocol import forms

    with pytest.raises(CartError) as error:
        forms.decode_body(b"&".join([b"a=1"] * 200_001), "")
    assert error.value.code == "too_many_fields"
    boundary = "zz"
    body = b"".join(
        b'--zz\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n'
        for _ in range(200_001)
    )
    with pytest.raises(CartError) as error:
        forms.decode_body(body, f"multipart/form-data; boundary={boundary}")
    assert error.value.code == "too_many_fields"


def test_malformed_multipart_is_a_cart_error():
    from protocol import forms

    with pytest.raises(CartError) as error:
        forms.decode_body(b"--nope\r\nnot a part", "multipart/form-data; boundary=zz")
    assert error.value.code == "bad_multipart"
