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
