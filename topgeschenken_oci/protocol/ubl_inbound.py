"""UBL 2.1 documents a webshop sends about our orders: order responses and
despatch advices.

Parses the two Peppol BIS documents that answer a UBL ``Order``, into the
same :class:`.cxml_inbound.InboundDocument` the cXML ``ConfirmationRequest``
and ``ShipNoticeRequest`` become, so the addon applies both formats through
one path:

* ``OrderResponse`` (Peppol BIS Order Response 3, transaction T76):
  ``cbc:ID``, optional ``cbc:SalesOrderID`` (the shop's order number),
  ``cbc:OrderResponseCode`` (UNCL 4343 subset: ``AP`` accepted, ``RE``
  rejected, ``CA`` conditionally accepted, ``AB`` acknowledged),
  ``cac:OrderReference/cbc:ID`` (the PO number), a header
  ``cac:Delivery/cac:PromisedDeliveryPeriod`` and per ``cac:OrderLine``:
  ``cac:LineItem/cbc:LineStatusCode`` (UNCL 1229: ``5`` accepted, ``3``
  changed, ``7`` not accepted), ``cbc:Quantity``, the line's own
  ``cac:Delivery/cac:PromisedDeliveryPeriod``, and
  ``cac:OrderLineReference/cbc:LineID`` (the Order's line number; else
  ``cac:LineItem/cbc:ID``);
* ``DespatchAdvice`` (Peppol BIS Despatch Advice 3, T16): ``cbc:ID``,
  ``cac:OrderReference/cbc:ID``, ``cac:Shipment`` (``cbc:ID``; the carrier in
  ``cac:Consignment/cac:CarrierParty`` or ``cac:Delivery/cac:CarrierParty``;
  the tracking number in ``cbc:TrackingID``, else the carrier-assigned
  consignment ID, else the shipment ID; the delivery period and despatch
  date in ``cac:Delivery``) and per ``cac:DespatchLine``:
  ``cbc:DeliveredQuantity`` and ``cac:OrderLineReference/cbc:LineID``.

Mapped onto the cXML vocabulary: ``AP``/``AB`` → ``accept``, ``CA`` →
``detail``, ``RE`` → ``reject``; line codes ``5`` → ``accept``, ``3`` →
``detail``, ``7`` → ``reject``. A period's start (date and time) is the
delivery date; a date without a time is taken at 12:00 UTC, which is that
day in every European time zone. The document's replay key
(``payload_id``) is its root name and ``cbc:ID``
(``OrderResponse:TG-100001``).

Everything goes through :func:`.xmlsafe.parse_xml` (no DTD, no entities,
size and depth limits).
"""

from datetime import datetime, time, timezone
from decimal import Decimal

from . import const
from .cxml_inbound import (
    InboundDocument,
    LineStatus,
    parse_line_number,
    parse_quantity,
    plausible_utc,
    refuse_repeated,
)
from .errors import UBLError, _
from .xmlsafe import localname, parse_xml

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
NS = {
    "cac": UBL_NS + "CommonAggregateComponents-2",
    "cbc": UBL_NS + "CommonBasicComponents-2",
}
#: Root element -> the kind of InboundDocument it becomes.
DOCUMENT_KINDS = {"OrderResponse": "confirmation", "DespatchAdvice": "ship_notice"}
#: OrderResponseCode (UNCL 4343) -> the cXML ConfirmationHeader type.
RESPONSE_CODES = {"AP": "accept", "AB": "accept", "CA": "detail", "RE": "reject"}
#: LineStatusCode (UNCL 1229) -> the cXML ConfirmationStatus type.
LINE_STATUS_CODES = {"5": "accept", "3": "detail", "7": "reject"}
MAX_LINES = const.MAX_LINES
MAX_TEXT = 255
#: No order has a billion gifts on a line: a larger quantity is a typing error.
MAX_QUANTITY = Decimal(10) ** 9


def _find(el, path):
    return el.find(path, NS) if el is not None else None


def _text(el, path=None):
    if path is not None:
        el = _find(el, path)
    if el is None:
        return ""
    return " ".join("".join(el.itertext()).split())[:MAX_TEXT]


def _date(day, clock, what):
    """A naive UTC datetime of a UBL date (``2026-12-10``) and optional time
    (``12:00:00+01:00``); None without a date."""
    day = (day or "").strip()
    if not day:
        return None
    try:
        parsed = datetime.fromisoformat(day[:10])
        if (clock or "").strip():
            moment = time.fromisoformat(clock.strip().replace("Z", "+00:00"))
        else:
            moment = time(12, 0, tzinfo=timezone.utc)
    except ValueError as exc:
        raise UBLError(
            _("%(field)s: '%(value)s' is not a date."),
            code="bad_date",
            field=what,
            value=f"{day} {clock or ''}".strip()[:60],
        ) from exc
    parsed = datetime.combine(parsed.date(), moment)
    return plausible_utc(parsed, what, day, UBLError)


def _period_start(period, what):
    if period is None:
        return None
    return _date(
        _text(period, "cbc:StartDate") or _text(period, "cbc:EndDate"),
        _text(period, "cbc:StartTime")
        if _text(period, "cbc:StartDate")
        else _text(period, "cbc:EndTime"),
        what,
    )


def _quantity(el, what):
    return parse_quantity(_text(el), what, UBLError, maximum=MAX_QUANTITY)


def _line_number(value):
    return parse_line_number(
        value,
        UBLError,
        _("Order line '%(value)s' is not a line number of the order."),
    )


def _order_id(root):
    # A despatch advice may name the order on its lines only.
    order_id = _text(root, "cac:OrderReference/cbc:ID") or _text(
        root, "cac:DespatchLine/cac:OrderLineReference/cac:OrderReference/cbc:ID"
    )
    if not order_id:
        raise UBLError(
            _("The document names no order (cac:OrderReference/cbc:ID)."),
            code="no_order_reference",
        )
    return order_id


def _refuse_too_many(elements):
    if len(elements) > MAX_LINES:
        raise UBLError(
            _("The document has more than %(max)s lines."),
            code="too_many_lines",
            max=MAX_LINES,
        )


def _order_response(root, doc):
    code = _text(root, "cbc:OrderResponseCode")
    if code not in RESPONSE_CODES:
        raise UBLError(
            _("Unknown order response code '%(value)s' (AP, RE or CA)."),
            code="bad_document",
            value=code[:10],
        )
    doc.status = RESPONSE_CODES[code]
    doc.document_id = _text(root, "cbc:SalesOrderID") or _text(root, "cbc:ID")
    doc.notice_date = _date(
        _text(root, "cbc:IssueDate"), _text(root, "cbc:IssueTime"), "IssueDate"
    )
    doc.comments = _text(root, "cbc:Note")
    header_date = _period_start(
        _find(root, "cac:Delivery/cac:PromisedDeliveryPeriod"), "PromisedDeliveryPeriod"
    )
    doc.delivery_date = header_date
    lines = root.findall("cac:OrderLine", NS)
    _refuse_too_many(lines)
    for order_line in lines:
        item = _find(order_line, "cac:LineItem")
        number = _text(order_line, "cac:OrderLineReference/cbc:LineID") or _text(
            item, "cbc:ID"
        )
        line_code = _text(item, "cbc:LineStatusCode")
        if line_code not in LINE_STATUS_CODES:
            raise UBLError(
                _("Line %(line)s: unknown line status code '%(status)s' (5, 3 or 7)."),
                code="bad_document",
                line=number[:20],
                status=line_code[:10],
            )
        doc.lines.append(
            LineStatus(
                line_number=_line_number(number),
                status=LINE_STATUS_CODES[line_code],
                quantity=_quantity(_find(item, "cbc:Quantity"), "Quantity"),
                unit=(_find(item, "cbc:Quantity").get("unitCode") or "")[:20]
                if _find(item, "cbc:Quantity") is not None
                else "",
                delivery_date=_period_start(
                    _find(item, "cac:Delivery/cac:PromisedDeliveryPeriod"),
                    "PromisedDeliveryPeriod",
                )
                or header_date,
                unit_price=_quantity(
                    _find(item, "cac:Price/cbc:PriceAmount"), "PriceAmount"
                ),
                comments=_text(item, "cbc:Note") or _text(order_line, "cbc:Note"),
            )
        )
    refuse_repeated((line.line_number for line in doc.lines), UBLError)


def _despatch_advice(root, doc):
    doc.document_id = _text(root, "cbc:ID")
    doc.notice_date = _date(
        _text(root, "cbc:IssueDate"), _text(root, "cbc:IssueTime"), "IssueDate"
    )
    doc.comments = _text(root, "cbc:Note")
    shipment = _find(root, "cac:Shipment")
    delivery = _find(shipment, "cac:Delivery")
    consignment = _find(shipment, "cac:Consignment")
    doc.carrier = (
        _text(consignment, "cac:CarrierParty/cac:PartyName/cbc:Name")
        or _text(delivery, "cac:CarrierParty/cac:PartyName/cbc:Name")
        or _text(
            consignment, "cac:CarrierParty/cac:PartyLegalEntity/cbc:RegistrationName"
        )
    )
    tracking = shipment.find(".//cbc:TrackingID", NS) if shipment is not None else None
    doc.tracking_ref = (
        _text(tracking)
        or _text(consignment, "cbc:CarrierAssignedID")
        or _text(shipment, "cbc:ID")
    )
    doc.delivery_date = _period_start(
        _find(delivery, "cac:EstimatedDeliveryPeriod"), "EstimatedDeliveryPeriod"
    ) or _period_start(
        _find(delivery, "cac:PromisedDeliveryPeriod"), "PromisedDeliveryPeriod"
    )
    despatch = _find(delivery, "cac:Despatch")
    doc.shipment_date = _date(
        _text(despatch, "cbc:ActualDespatchDate"),
        _text(despatch, "cbc:ActualDespatchTime"),
        "ActualDespatchDate",
    )
    lines = root.findall("cac:DespatchLine", NS)
    _refuse_too_many(lines)
    for line in lines:
        reference = _find(line, "cac:OrderLineReference")
        other_order = _text(reference, "cac:OrderReference/cbc:ID")
        if other_order and other_order != doc.order_ids[0]:
            doc.order_ids.append(other_order)
        doc.lines.append(
            LineStatus(
                line_number=_line_number(
                    _text(reference, "cbc:LineID") or _text(line, "cbc:ID")
                ),
                quantity=_quantity(
                    _find(line, "cbc:DeliveredQuantity"), "DeliveredQuantity"
                ),
                unit=(_find(line, "cbc:DeliveredQuantity").get("unitCode") or "")[:20]
                if _find(line, "cbc:DeliveredQuantity") is not None
                else "",
                shipment_date=doc.shipment_date,
                delivery_date=doc.delivery_date,
            )
        )


def parse_order_document(data):
    """Parse a shop's UBL 2.1 ``OrderResponse`` or ``DespatchAdvice``.

    :param data: the request body (bytes).
    :returns: a :class:`.cxml_inbound.InboundDocument` (``kind``
        ``confirmation`` or ``ship_notice``; no cXML credentials: UBL
        documents are authenticated by the HTTP request); ``order_ids`` has
        more than one entry when a despatch line names another order.
    :raises UBLError: another document (``unsupported_document``), no
        ``cbc:ID`` (``no_document_id``), no order reference, a bad code,
        number, date or line number.
    :raises UnsafeXMLError: hostile or malformed XML.
    """
    root = parse_xml(data)
    name = localname(root)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if name not in DOCUMENT_KINDS or namespace != f"{UBL_NS}{name}-2":
        raise UBLError(
            _(
                "Only UBL 2.1 OrderResponse and DespatchAdvice documents are "
                "accepted here, not %(name)s."
            ),
            code="unsupported_document",
            name=(name or "-")[:60],
        )
    document_id = _text(root, "cbc:ID")
    if not document_id:
        raise UBLError(_("The document has no cbc:ID."), code="no_document_id")
    doc = InboundDocument(
        kind=DOCUMENT_KINDS[name],
        payload_id=f"{name}:{document_id}",
        sender_identity="",
        sender_domain="",
        shared_secret="",
        from_identity="",
        order_ids=[_order_id(root)],
    )
    if name == "OrderResponse":
        _order_response(root, doc)
    else:
        _despatch_advice(root, doc)
    return doc
