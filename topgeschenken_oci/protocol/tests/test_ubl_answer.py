"""The shop's synchronous answer to a UBL Order (protocol/ubl_answer.py)."""

import pytest
from conftest import TEST_FILES
from protocol.errors import UnsafeXMLError
from protocol.ubl_answer import OrderAnswer, UBLAnswerError, parse_order_answer

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
CBC = f'xmlns:cbc="{UBL}CommonBasicComponents-2"'


def answer(root, inner=""):
    return (f'<{root} xmlns="{UBL}{root}-2" {CBC}>{inner}</{root}>').encode()


def test_accepted_order_response():
    body = (TEST_FILES / "ubl_order_response_accepted.xml").read_bytes()
    assert parse_order_answer(body) == OrderAnswer(
        document="OrderResponse",
        order_ref="TG-200002",
        response_code="AP",
        rejected=False,
    )


@pytest.mark.parametrize("root", ["OrderResponseSimple", "ApplicationResponse"])
def test_other_answer_documents(root):
    result = parse_order_answer(answer(root))
    assert (result.document, result.order_ref, result.rejected) == (root, "", False)


def test_order_number_anywhere_in_the_answer():
    inner = (
        f"<cac:OrderReference xmlns:cac='{UBL}CommonAggregateComponents-2'>"
        "<cbc:SalesOrderID>TG-7</cbc:SalesOrderID></cac:OrderReference>"
    )
    assert parse_order_answer(answer("OrderResponse", inner)).order_ref == "TG-7"


@pytest.mark.parametrize("code", ["RE", "27", " RE "])
def test_rejected(code):
    inner = (
        f"<cbc:SalesOrderID>TG-9</cbc:SalesOrderID>"
        f"<cbc:OrderResponseCode>{code}</cbc:OrderResponseCode>"
    )
    result = parse_order_answer(answer("OrderResponse", inner))
    assert result.rejected and result.order_ref == "TG-9"
    assert result.response_code == code.strip()


def test_rejection_counts_whatever_the_document():
    inner = "<cbc:OrderResponseCode>RE</cbc:OrderResponseCode>"
    assert parse_order_answer(answer("Order", inner)).rejected


def test_order_response_code_only_at_the_root():
    inner = "<x><cbc:OrderResponseCode>RE</cbc:OrderResponseCode></x>"
    assert not parse_order_answer(answer("OrderResponse", inner)).rejected


def test_unexpected_document():
    with pytest.raises(UBLAnswerError) as caught:
        parse_order_answer(b"<html><body>OK</body></html>")
    assert caught.value.code == "unexpected_answer"
    assert caught.value.text == (
        "The webshop answered with an unexpected document <html>."
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not xml", "xml_syntax"),
        (b'<!DOCTYPE x [<!ENTITY e "e">]><OrderResponse/>', "xml_dtd_subset"),
    ],
)
def test_unsafe_or_malformed_answers(body, code):
    with pytest.raises(UnsafeXMLError) as caught:
        parse_order_answer(body)
    assert caught.value.code == code
