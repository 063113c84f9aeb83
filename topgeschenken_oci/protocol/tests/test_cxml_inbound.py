"""ConfirmationRequest / ShipNoticeRequest parsing (cXML 1.2, Fulfill.dtd)."""

from datetime import datetime
from decimal import Decimal

import pytest
from conftest import TEST_FILES
from protocol import cxml_inbound
from protocol.errors import CXMLError, UnsafeXMLError


def _fixture(name, **replace):
    text = (TEST_FILES / name).read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


def test_confirmation_request():
    doc = cxml_inbound.parse_inbound_request(
        _fixture("cxml_confirmation_request.xml", **{"PO-ORDER-ID": "P00031"})
    )
    assert doc.kind == "confirmation"
    assert doc.payload_id.startswith("1764496800.4242.confirm-1@")
    assert (doc.sender_identity, doc.shared_secret) == ("TOPGESCHENKEN", "s3cret")
    assert doc.order_ids == ["P00031"]
    assert (doc.status, doc.document_id) == ("detail", "TG-300001")
    first, second = doc.lines
    assert (first.line_number, first.status, first.quantity) == (1, "accept", 12)
    # 12:00 at +01:00 is 11:00 UTC, naive as Odoo stores datetimes.
    assert first.delivery_date == datetime(2026, 12, 10, 11, 0)
    assert (second.line_number, second.status) == (2, "reject")
    assert second.comments == "Uitverkocht voor de kerst."


def test_ship_notice_request():
    doc = cxml_inbound.parse_inbound_request(
        _fixture("cxml_ship_notice_request.xml", **{"PO-ORDER-ID": "P00031"})
    )
    assert doc.kind == "ship_notice"
    assert (doc.document_id, doc.carrier, doc.tracking_ref) == (
        "SHIP-77",
        "PostNL",
        "3SDEVC1234567",
    )
    assert doc.delivery_date == datetime(2026, 12, 11, 11, 0)
    assert doc.order_ids == ["P00031"]
    assert [(i.line_number, i.quantity) for i in doc.lines] == [(1, Decimal("12"))]


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ('lineNumber="1"', 'lineNumber="١"', "bad_line_number"),  # Arabic-Indic digit
        ('lineNumber="1"', 'lineNumber="-1"', "bad_line_number"),
        ('quantity="12" deliveryDate', 'quantity="NaN" deliveryDate', "bad_number"),
        ('quantity="12" deliveryDate', 'quantity="-3" deliveryDate', "bad_number"),
        ("2026-12-10T12:00:00+01:00", "next week", "bad_date"),
        ('type="detail"', 'type="maybe"', "bad_document"),
        ('orderID="PO-ORDER-ID"', 'orderID=""', "no_order_reference"),
        ("<Sender>", "<Nobody>", "no_sender"),
    ],
)
def test_bad_documents_are_refused(old, new, code):
    data = _fixture("cxml_confirmation_request.xml", **{old: new})
    if code == "no_sender":
        data = data.replace(b"</Sender>", b"</Nobody>")
    with pytest.raises(CXMLError) as info:
        cxml_inbound.parse_inbound_request(data)
    assert info.value.code == code


def test_other_requests_and_non_cxml_are_refused():
    with pytest.raises(CXMLError) as info:
        cxml_inbound.parse_inbound_request(
            _fixture(
                "cxml_confirmation_request.xml",
                ConfirmationRequest="OrderRequest",
            )
        )
    assert info.value.code == "unsupported_document"
    with pytest.raises(CXMLError) as info:
        cxml_inbound.parse_inbound_request(b"<html>502 Bad Gateway</html>")
    assert info.value.code == "not_cxml"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_internal_subset_refused_whatever_the_encoding(encoding):
    text = _fixture("cxml_confirmation_request.xml").decode()
    text = text.replace(
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/Fulfill.dtd">',
        '<!DOCTYPE cXML [<!ENTITY x "boom">]>',
    )
    with pytest.raises(UnsafeXMLError):
        cxml_inbound.parse_inbound_request(text.encode(encoding))


def test_a_line_twice_and_implausible_dates_are_refused():
    text = _fixture("cxml_confirmation_request.xml").decode()
    twice = text.replace('lineNumber="2"', 'lineNumber="1"')
    with pytest.raises(CXMLError) as info:
        cxml_inbound.parse_inbound_request(twice.encode())
    assert info.value.code == "repeated_line"
    old = text.replace("2026-12-10T12:00:00+01:00", "1900-01-01T00:00:00Z")
    with pytest.raises(CXMLError) as info:
        cxml_inbound.parse_inbound_request(old.encode())
    assert info.value.code == "bad_date"
