"""UBL 2.1 ordering documents: OrderChange / OrderCancellation built,
OrderResponse / DespatchAdvice parsed (Peppol BIS Advanced Ordering 3,
Order Response 3, Despatch Advice 3)."""

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from xml.sax.saxutils import escape

import pytest
from conftest import ADDON_DIR, TEST_FILES
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from protocol import ubl_inbound, ubl_ordering
from protocol.errors import ProtocolError, UBLError, UnsafeXMLError

XSD_DIR = ADDON_DIR / "tests" / "test_files" / "ubl21-xsd" / "maindoc"
NS = ubl_ordering.NS


@cache
def schema(name):
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"UBL-{name}-2.1.xsd")))


def _fixture(name, **replace):
    text = (TEST_FILES / name).read_text()
    replace.setdefault("PO-ORDER-ID", "P00031")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


PARTY_BUYER = {
    "name": "De Linde Zorg",
    "endpoint_id": "30123456",
    "endpoint_scheme": "0106",
    "vat": "NL000099998B57",
    "street": "Lindelaan 1",
    "city": "Utrecht",
    "zip": "3511 AA",
    "country_code": "NL",
    "contact_name": "Inkoop",
    "email": "inkoop@delinde.example",
}
PARTY_SELLER = {"name": "Topgeschenken Test B.V.", "country_code": "NL"}


def _change_values(**overrides):
    return {
        "document_id": "P00031-2",
        "issue_date": date(2026, 12, 1),
        "sequence_number": 2,
        "order_id": "P00031",
        "currency": "EUR",
        "note": "Aantal aangepast",
        "customer_reference": "KP-7734",
        "buyer": PARTY_BUYER,
        "seller": PARTY_SELLER,
        "delivery": {
            "name": "Vestiging Utrecht",
            "street": "Lindelaan 1",
            "city": "Utrecht",
            "zip": "3511 AA",
            "country_code": "NL",
        },
        "totals": {
            "line_extension": Decimal("786.75"),
            "tax": Decimal("165.22"),
            "tax_inclusive": Decimal("951.97"),
        },
        "lines": [
            {
                "line_id": "1",
                "status": "3",
                "quantity": Decimal("15"),
                "unit_code": "C62",
                "line_amount": Decimal("749.25"),
                "price": Decimal("49.95"),
                "name": "Kerstpakket Deluxe",
                "sellers_item_id": "TG-KP-001",
                "sellers_extended_id": "TGP-8f3a21c0",
                "tax_percent": 21.0,
                "delivery_date": datetime(2026, 12, 10, 11, 0),
            },
            {
                "line_id": "2",
                "status": "2",
                "quantity": 0,
                "price": Decimal("12.50"),
                "base_quantity": Decimal("10"),
                "name": "Bonbons (per 10)",
                "sellers_item_id": "TG-CH-010",
                "sellers_extended_id": "TGP-77aa01bb",
                "line_amount": 0.0,
            },
        ],
        **overrides,
    }


def test_order_change_valid_against_xsd():
    document = ubl_ordering.build_order_change(_change_values())
    root = etree.fromstring(document)
    schema("OrderChange").assertValid(root)
    assert root.findtext("cbc:SequenceNumberID", namespaces=NS) == "2"
    assert root.findtext("cbc:ID", namespaces=NS) == "P00031-2"
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "P00031"
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == (
        "urn:fdc:peppol.eu:poacc:trns:order_change:3"
    )
    lines = root.findall("cac:OrderLine/cac:LineItem", NS)
    assert [line.findtext("cbc:LineStatusCode", namespaces=NS) for line in lines] == [
        "3",
        "2",
    ]
    assert lines[0].findtext("cbc:Quantity", namespaces=NS) == "15"
    assert lines[1].findtext("cbc:Quantity", namespaces=NS) == "0"
    assert lines[1].find("cac:Price/cbc:BaseQuantity", NS).text == "10"
    assert root.xpath(
        "//cac:SellersItemIdentification/cbc:ExtendedID/text()", namespaces=NS
    ) == ["TGP-8f3a21c0", "TGP-77aa01bb"]
    assert (
        lines[0].findtext(
            "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate", namespaces=NS
        )
        == "2026-12-10"
    )
    assert (
        root.findtext("cac:AnticipatedMonetaryTotal/cbc:PayableAmount", namespaces=NS)
        == "951.97"
    )


def test_order_change_minimal_is_valid():
    values = _change_values(buyer=None, seller=None, delivery=None, totals=None)
    values["lines"] = [{"line_id": "1", "quantity": 3}]
    root = etree.fromstring(ubl_ordering.build_order_change(values))
    schema("OrderChange").assertValid(root)
    assert root.findtext(".//cbc:LineStatusCode", namespaces=NS) == "3"


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"order_id": ""}, "missing_value"),
        ({"document_id": None}, "missing_value"),
        ({"sequence_number": 1}, "bad_sequence"),
        ({"lines": []}, "no_lines"),
        ({"issue_date": "2026-12-01"}, "no_date"),
        (
            {"lines": [{"line_id": "1", "quantity": 1, "status": "9"}]},
            "bad_line_status",
        ),
        ({"lines": [{"line_id": "1"}]}, "missing_value"),
    ],
)
def test_order_change_refuses_incomplete_values(overrides, code):
    with pytest.raises(UBLError) as error:
        ubl_ordering.build_order_change(_change_values(**overrides))
    assert error.value.code == code


def test_order_cancellation_valid_against_xsd():
    document = ubl_ordering.build_order_cancellation(
        {
            "document_id": "P00031-3",
            "issue_date": date(2026, 12, 2),
            "order_id": "P00031",
            "note": "The order was cancelled by the buyer.",
            "buyer": PARTY_BUYER,
            "seller": PARTY_SELLER,
        }
    )
    root = etree.fromstring(document)
    schema("OrderCancellation").assertValid(root)
    assert root.findtext("cbc:CancellationNote", namespaces=NS).startswith(
        "The order was cancelled"
    )
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "P00031"
    assert root.findtext("cbc:ProfileID", namespaces=NS) == (
        "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"
    )


def test_order_cancellation_needs_a_note():
    with pytest.raises(UBLError):
        ubl_ordering.build_order_cancellation(
            {"document_id": "X", "issue_date": date(2026, 1, 1), "order_id": "P1"}
        )


# --- incoming ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, xsd",
    [
        ("ubl_order_response.xml", "OrderResponse"),
        ("ubl_despatch_advice.xml", "DespatchAdvice"),
    ],
)
def test_fixtures_valid_against_xsd(name, xsd):
    schema(xsd).assertValid(etree.fromstring(_fixture(name)))


def test_order_response_maps_onto_a_confirmation():
    doc = ubl_inbound.parse_order_document(_fixture("ubl_order_response.xml"))
    assert doc.kind == "confirmation"
    assert doc.payload_id == "OrderResponse:OR-300001"
    assert doc.order_ids == ["P00031"]
    assert (doc.status, doc.document_id) == ("detail", "TG-300001")
    assert not doc.shared_secret
    first, second = doc.lines
    assert (first.line_number, first.status, first.quantity) == (1, "accept", 12)
    # The header's promised period: 12:00 at +01:00 is 11:00 UTC.
    assert first.delivery_date == datetime(2026, 12, 10, 11, 0)
    assert (second.line_number, second.status) == (2, "reject")
    assert second.comments == "Uitverkocht voor de kerst."


@pytest.mark.parametrize(
    "code, status", [("AP", "accept"), ("RE", "reject"), ("CA", "detail")]
)
def test_order_response_codes(code, status):
    body = _fixture(
        "ubl_order_response.xml",
        **{"<cbc:OrderResponseCode>CA<": f"<cbc:OrderResponseCode>{code}<"},
    )
    assert ubl_inbound.parse_order_document(body).status == status


def test_order_response_line_date_and_date_without_time():
    body = _fixture(
        "ubl_order_response.xml",
        **{
            '<cbc:Quantity unitCode="C62">12</cbc:Quantity>': (
                '<cbc:Quantity unitCode="C62">10</cbc:Quantity><cac:Delivery>'
                "<cac:PromisedDeliveryPeriod><cbc:StartDate>2026-12-14</cbc:StartDate>"
                "</cac:PromisedDeliveryPeriod></cac:Delivery>"
            )
        },
    )
    first = ubl_inbound.parse_order_document(body).lines[0]
    assert first.quantity == 10
    assert first.delivery_date == datetime(2026, 12, 14, 12, 0)


def test_despatch_advice_maps_onto_a_ship_notice():
    doc = ubl_inbound.parse_order_document(_fixture("ubl_despatch_advice.xml"))
    assert doc.kind == "ship_notice"
    assert doc.payload_id == "DespatchAdvice:DA-77"
    assert doc.order_ids == ["P00031"]
    assert (doc.document_id, doc.carrier, doc.tracking_ref) == (
        "DA-77",
        "PostNL",
        "3SDEVC1234567",
    )
    assert doc.delivery_date == datetime(2026, 12, 11, 11, 0)
    assert doc.shipment_date == datetime(2026, 12, 2, 7, 0)
    (line,) = doc.lines
    assert (line.line_number, line.quantity) == (1, 12)


def test_despatch_advice_tracking_falls_back_to_the_shipment_id():
    body = _fixture(
        "ubl_despatch_advice.xml",
        **{"<cbc:TrackingID>3SDEVC1234567</cbc:TrackingID>": ""},
    )
    assert ubl_inbound.parse_order_document(body).tracking_ref == "SHIP-77"


def test_despatch_advice_naming_another_order_on_a_line():
    body = _fixture(
        "ubl_despatch_advice.xml",
        **{
            "<cbc:LineID>1</cbc:LineID>": (
                "<cbc:LineID>1</cbc:LineID><cac:OrderReference><cbc:ID>P00099"
                "</cbc:ID></cac:OrderReference>"
            )
        },
    )
    assert ubl_inbound.parse_order_document(body).order_ids == ["P00031", "P00099"]


ORDER = (
    b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
    b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
    b'CommonBasicComponents-2"><cbc:ID>P1</cbc:ID></Order>'
)


@pytest.mark.parametrize(
    "body, code",
    [
        (ORDER, "unsupported_document"),
        # the right name in another namespace
        (b"<OrderResponse><ID>1</ID></OrderResponse>", "unsupported_document"),
        (
            _fixture("ubl_order_response.xml", **{"<cbc:ID>OR-300001</cbc:ID>": ""}),
            "no_document_id",
        ),
        (
            _fixture(
                "ubl_despatch_advice.xml",
                **{"<cbc:ID>PO-ORDER-ID</cbc:ID>": "<cbc:ID> </cbc:ID>"},
            ),
            "no_order_reference",
        ),
        (
            _fixture(
                "ubl_order_response.xml",
                **{"<cbc:OrderResponseCode>CA<": "<cbc:OrderResponseCode>ZZ<"},
            ),
            "bad_document",
        ),
        (
            _fixture(
                "ubl_order_response.xml",
                **{"<cbc:LineStatusCode>5<": "<cbc:LineStatusCode>42<"},
            ),
            "bad_document",
        ),
        (
            _fixture("ubl_order_response.xml", **{"<cbc:LineID>2<": "<cbc:LineID>1<"}),
            "repeated_line",
        ),
        (
            _fixture(
                "ubl_despatch_advice.xml", **{"<cbc:LineID>1<": "<cbc:LineID>-1<"}
            ),
            "bad_line_number",
        ),
        (
            _fixture(
                "ubl_despatch_advice.xml",
                **{">12</cbc:DeliveredQuantity>": ">1e999999</cbc:DeliveredQuantity>"},
            ),
            "bad_number",
        ),
        (
            _fixture(
                "ubl_despatch_advice.xml",
                **{"<cbc:StartDate>2026-12-11<": "<cbc:StartDate>11-12-2026<"},
            ),
            "bad_date",
        ),
    ],
    ids=[
        "order",
        "no-namespace",
        "no-id",
        "no-order",
        "response-code",
        "line-code",
        "repeated-line",
        "line-number",
        "quantity",
        "date",
    ],
)
def test_refusals(body, code):
    with pytest.raises(UBLError) as error:
        ubl_inbound.parse_order_document(body)
    assert error.value.code == code


def test_hostile_xml_is_refused_at_the_gate():
    dtd = _fixture(
        "ubl_order_response.xml",
        **{
            '<?xml version="1.0" encoding="UTF-8"?>': (
                '<?xml version="1.0"?><!DOCTYPE OrderResponse [<!ENTITY x "boom">]>'
            ),
            "OR-300001": "&x;",
        },
    )
    deep = b"<a>" * 300 + b"</a>" * 300
    huge = _fixture("ubl_order_response.xml").replace(
        b"<cbc:Note>", b"<cbc:Note>" + b"x" * (21 * 1024 * 1024), 1
    )
    for body, code in (
        (dtd, "xml_dtd_subset"),
        # libxml2's own depth limit or the gate's, whichever comes first
        (deep, ("xml_too_deep", "xml_syntax")),
        (huge, "xml_too_large"),
        (b"", "xml_empty"),
        (b"<OrderResponse", "xml_syntax"),
    ):
        with pytest.raises(UnsafeXMLError) as error:
            ubl_inbound.parse_order_document(body)
        assert error.value.code in (code if isinstance(code, tuple) else (code,))


def test_utf16_document_is_read():
    body = _fixture("ubl_order_response.xml").decode().replace("UTF-8", "UTF-16")
    doc = ubl_inbound.parse_order_document(body.encode("utf-16"))
    assert doc.document_id == "TG-300001"


FIELD_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "-1", "1e999", "NaN", "0", "2026-02-30", "12:61:00"]),
)


@given(
    quantity=FIELD_VALUES,
    line=FIELD_VALUES,
    code=FIELD_VALUES,
    day=FIELD_VALUES,
    clock=FIELD_VALUES,
)
def test_order_response_fields_only_raise_documented_errors(
    quantity, line, code, day, clock
):
    """Whatever a field holds, the parser returns a document or raises its
    own error (the route answers 400), never anything else."""
    replace = {
        ">12</cbc:Quantity>": f">{escape(quantity)}</cbc:Quantity>",
        "<cbc:LineID>1<": f"<cbc:LineID>{escape(line)}<",
        "<cbc:LineStatusCode>5<": f"<cbc:LineStatusCode>{escape(code)}<",
        "<cbc:StartDate>2026-12-10<": f"<cbc:StartDate>{escape(day)}<",
        "<cbc:StartTime>12:00:00+01:00<": f"<cbc:StartTime>{escape(clock)}<",
    }
    try:
        ubl_inbound.parse_order_document(_fixture("ubl_order_response.xml", **replace))
    except ProtocolError:
        pass
