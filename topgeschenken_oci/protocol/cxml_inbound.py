"""cXML documents a webshop sends on its own: order confirmations and ship notices.

Parses the two requests of the cXML 1.2 User's Guide, chapter "Order
Confirmations and Ship Notices" (``cXML.dtd``/``Fulfill.dtd`` 1.2.063):

* ``ConfirmationRequest (ConfirmationHeader, OrderReference,
  ConfirmationItem*)``: the header's ``type`` is ``accept``, ``allDetail``,
  ``detail``, ``backordered``, ``except``, ``reject`` or ``replace``; each
  ``ConfirmationItem lineNumber= quantity=`` holds one or more
  ``ConfirmationStatus type= quantity= deliveryDate= shipmentDate=`` (with an
  optional ``UnitPrice`` and ``Comments``);
* ``ShipNoticeRequest (ShipNoticeHeader, ShipControl*, ShipNoticePortion*)``:
  ``ShipNoticeHeader shipmentID= noticeDate= shipmentDate= deliveryDate=
  operation=``, ``ShipControl (CarrierIdentifier+, ShipmentIdentifier)`` (the
  carrier and its tracking number), ``ShipNoticePortion (OrderReference,
  ShipNoticeItem*)`` with ``ShipNoticeItem lineNumber= quantity=``.

``lineNumber`` is the ``ItemOut lineNumber`` of the ``OrderRequest`` the
buyer sent; ``OrderReference orderID`` its ``orderID`` (the PO number).

Both go through the same safety gate as every incoming cXML document
(:func:`.cxml._parse`: no DTD internal subset in any encoding, hardened
parser, size and depth limits). Dates are parsed as ISO 8601 (cXML
``%datetime.tz;``); quantities as plain decimals.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from . import const
from .cxml import _child, _children, _parse, _path, _strip_text
from .errors import CXMLError, _

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation

#: ConfirmationStatus / ConfirmationHeader types a shop may send.
CONFIRMATION_TYPES = (
    "accept",
    "allDetail",
    "detail",
    "backordered",
    "except",
    "reject",
    "replace",
    "requestToPay",
)
MAX_LINES = const.MAX_LINES


@dataclass
class LineStatus:
    """What the shop says of one ordered line (cXML ``ConfirmationStatus`` or
    ``ShipNoticeItem``)."""

    line_number: int
    status: str = ""  #: a CONFIRMATION_TYPES value; "" for a ship notice item
    quantity: Decimal | None = None
    unit: str = ""
    delivery_date: datetime | None = None  #: naive UTC
    shipment_date: datetime | None = None  #: naive UTC
    unit_price: Decimal | None = None
    comments: str = ""


@dataclass
class InboundDocument:
    """A ``ConfirmationRequest`` or ``ShipNoticeRequest`` with its envelope."""

    kind: str  #: "confirmation" or "ship_notice"
    payload_id: str
    sender_identity: str
    sender_domain: str
    shared_secret: str
    from_identity: str
    order_ids: list = field(default_factory=list)  #: OrderReference orderIDs
    document_id: str = ""  #: confirmID / shipmentID
    status: str = ""  #: ConfirmationHeader type
    operation: str = "new"
    notice_date: datetime | None = None
    shipment_date: datetime | None = None
    delivery_date: datetime | None = None
    carrier: str = ""
    tracking_ref: str = ""
    comments: str = ""
    lines: list = field(default_factory=list)  #: LineStatus, per order


def _date(value, what):
    """A naive UTC datetime from a cXML date (``2026-12-01T10:00:00+01:00``,
    ``2026-12-01``), or None for an empty value."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CXMLError(
            _("%(field)s: '%(value)s' is not a date."),
            code="bad_date",
            field=what,
            value=value[:40],
        ) from exc
    return plausible_utc(parsed, what, value, CXMLError)


# The checks below serve the cXML and the UBL documents alike (each passes
# its own error class): a document's values are judged the same whatever
# the format they came in.


def plausible_utc(parsed, what, value, error):
    """``parsed`` (a datetime) as a naive UTC datetime; ``error`` (a
    ``ProtocolError`` class, code ``bad_date``) for a year outside
    2000-2099, which no delivery of an order has."""
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    if not 2000 <= parsed.year <= 2099:
        raise error(
            _("%(field)s: '%(value)s' is not a plausible date."),
            code="bad_date",
            field=what,
            value=value[:40],
        )
    return parsed


def parse_quantity(value, what, error, maximum=None):
    """A ``Decimal`` of a quantity or price text, None for an empty one.

    :raises error: (code ``bad_number``) not a number, not finite, negative,
        or not below ``maximum`` when one is given.
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = Decimal(value[:40])
    except InvalidOperation as exc:
        raise error(
            _("%(field)s: '%(value)s' is not a number."),
            code="bad_number",
            field=what,
            value=value[:40],
        ) from exc
    if (
        not number.is_finite()
        or number < 0
        or (maximum is not None and number >= maximum)
    ):
        raise error(
            _("%(field)s: '%(value)s' is not a quantity."),
            code="bad_number",
            field=what,
            value=value[:40],
        )
    return number


def parse_line_number(value, error, message):
    """The ``int`` of an order line number text (ASCII digits, at most 9);
    ``error`` (code ``bad_line_number``) with ``message`` (``%(value)s``)
    otherwise."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise error(message, code="bad_line_number", value=value[:40])
    return int(value)


def refuse_repeated(numbers, error):
    """``error`` (code ``repeated_line``) when a line number comes twice:
    a line confirmed in one place and rejected in another cannot be
    applied."""
    seen = set()
    for number in numbers:
        if number in seen:
            raise error(
                _("Line %(line)s appears twice in the document."),
                code="repeated_line",
                line=number,
            )
        seen.add(number)


def _decimal(value, what):
    return parse_quantity(value, what, CXMLError)


def _line_number(value):
    return parse_line_number(
        value, CXMLError, _("lineNumber '%(value)s' is not a line number.")
    )


def _envelope(root, kind):
    header = _child(root, "Header")
    sender = _path(header, "Sender", "Credential")
    if sender is None:
        raise CXMLError(
            _("The cXML document has no Sender credential."), code="no_sender"
        )
    return InboundDocument(
        kind=kind,
        payload_id=(root.get("payloadID") or "").strip(),
        sender_identity=_strip_text(_child(sender, "Identity")),
        sender_domain=(sender.get("domain") or "").strip(),
        shared_secret=_strip_text(_child(sender, "SharedSecret")),
        from_identity=_strip_text(_path(header, "From", "Credential", "Identity")),
    )


def _order_id(portion):
    reference = _child(portion, "OrderReference")
    order_id = (reference.get("orderID") or "").strip() if reference is not None else ""
    if not order_id:
        raise CXMLError(
            _("The document names no order (OrderReference orderID)."),
            code="no_order_reference",
        )
    return order_id


def _comments(el):
    return " ".join(_strip_text(c) for c in _children(el, "Comments")).strip()


def _confirmation(body, doc):
    header = _child(body, "ConfirmationHeader")
    if header is None:
        raise CXMLError(
            _("The ConfirmationRequest has no ConfirmationHeader."),
            code="bad_document",
        )
    doc.status = (header.get("type") or "").strip()
    if doc.status not in CONFIRMATION_TYPES:
        raise CXMLError(
            _("Unknown confirmation type '%(type)s'."),
            code="bad_document",
            type=doc.status[:40],
        )
    doc.operation = (header.get("operation") or "new").strip()
    doc.document_id = (header.get("confirmID") or "").strip()
    doc.notice_date = _date(header.get("noticeDate"), "noticeDate")
    doc.comments = _comments(header)
    doc.order_ids = [_order_id(body)]
    items = _children(body, "ConfirmationItem")[: MAX_LINES + 1]
    # One ConfirmationItem per line.
    refuse_repeated((_line_number(item.get("lineNumber")) for item in items), CXMLError)
    for item in items:
        number = _line_number(item.get("lineNumber"))
        unit = _strip_text(_child(item, "UnitOfMeasure"))
        for status in _children(item, "ConfirmationStatus"):
            kind = (status.get("type") or "").strip()
            if kind not in CONFIRMATION_TYPES:
                raise CXMLError(
                    _("Line %(line)s: unknown confirmation type '%(type)s'."),
                    code="bad_document",
                    line=number,
                    type=kind[:40],
                )
            price = _path(status, "UnitPrice", "Money")
            doc.lines.append(
                LineStatus(
                    line_number=number,
                    status=kind,
                    quantity=_decimal(status.get("quantity"), "quantity"),
                    unit=_strip_text(_child(status, "UnitOfMeasure")) or unit,
                    delivery_date=_date(status.get("deliveryDate"), "deliveryDate"),
                    shipment_date=_date(status.get("shipmentDate"), "shipmentDate"),
                    unit_price=_decimal(_strip_text(price), "UnitPrice")
                    if price is not None
                    else None,
                    comments=_comments(status),
                )
            )
    if len(doc.lines) > MAX_LINES:
        raise CXMLError(
            _("The document has more than %(max)s lines."),
            code="too_many_lines",
            max=MAX_LINES,
        )


def _ship_notice(body, doc):
    header = _child(body, "ShipNoticeHeader")
    if header is None:
        raise CXMLError(
            _("The ShipNoticeRequest has no ShipNoticeHeader."), code="bad_document"
        )
    doc.document_id = (header.get("shipmentID") or "").strip()
    doc.operation = (header.get("operation") or "new").strip()
    doc.notice_date = _date(header.get("noticeDate"), "noticeDate")
    doc.shipment_date = _date(header.get("shipmentDate"), "shipmentDate")
    doc.delivery_date = _date(header.get("deliveryDate"), "deliveryDate")
    doc.comments = _comments(header)
    control = _child(body, "ShipControl")
    if control is not None:
        doc.carrier = _strip_text(_child(control, "CarrierIdentifier"))
        doc.tracking_ref = _strip_text(_child(control, "ShipmentIdentifier"))
    for portion in _children(body, "ShipNoticePortion"):
        order_id = _order_id(portion)
        doc.order_ids.append(order_id)
        for item in _children(portion, "ShipNoticeItem"):
            doc.lines.append(
                LineStatus(
                    line_number=_line_number(item.get("lineNumber")),
                    quantity=_decimal(item.get("quantity"), "quantity"),
                    unit=_strip_text(_child(item, "UnitOfMeasure")),
                    shipment_date=doc.shipment_date,
                    delivery_date=doc.delivery_date,
                )
            )
            if len(doc.lines) > MAX_LINES:
                raise CXMLError(
                    _("The document has more than %(max)s lines."),
                    code="too_many_lines",
                    max=MAX_LINES,
                )
    if not doc.order_ids:
        raise CXMLError(
            _("The document names no order (OrderReference orderID)."),
            code="no_order_reference",
        )


def parse_inbound_request(data):
    """Parse a shop's ``ConfirmationRequest`` or ``ShipNoticeRequest``.

    :param data: the request body (bytes).
    :returns: an :class:`InboundDocument`; for a ship notice, ``lines`` holds
        the items of every portion (one order per portion, ``order_ids`` in
        the same order; the addon accepts one order per notice).
    :raises CXMLError: not cXML (``not_cxml``), another request
        (``unsupported_document``), a missing part or a bad value.
    :raises UnsafeXMLError: hostile XML.
    """
    root = _parse(data, CXMLError)
    request = _child(root, "Request")
    body = None
    for child in request if request is not None else []:
        body = child
        break
    name = body.tag.rsplit("}", 1)[-1] if body is not None else ""
    if name == "ConfirmationRequest":
        doc = _envelope(root, "confirmation")
        _confirmation(body, doc)
    elif name == "ShipNoticeRequest":
        doc = _envelope(root, "ship_notice")
        _ship_notice(body, doc)
    else:
        raise CXMLError(
            _(
                "Only ConfirmationRequest and ShipNoticeRequest documents are "
                "accepted here, not %(name)s."
            ),
            code="unsupported_document",
            name=name or "-",
        )
    return doc
