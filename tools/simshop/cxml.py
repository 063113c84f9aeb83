"""cXML as the shop speaks it: PunchOut setup, the order message, orders."""

import hmac
import secrets
import time
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from lxml import etree

from . import catalogue
from .cart import cart_total
from .xmlutil import XMLError, parse_xml, text, tostring

CXML_VERSION = "1.2.069"
DOCTYPE = (
    f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/cXML.dtd">'
)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANG = "nl-NL"
USER_AGENT = "Topgeschenken SimShop 1.0"
SHOP_CREDENTIAL = {"domain": "NetworkID", "identity": "TOPGESCHENKEN"}


class CXMLRequestError(ValueError):
    """A cXML request the shop answers with a non-200 cXML status."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code = code
        self.text = text


def payload_id():
    return f"{int(time.time() * 1000)}.{secrets.token_hex(6)}@simshop.example"


def timestamp():
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _root():
    root = etree.Element("cXML")
    root.set("payloadID", payload_id())
    root.set("timestamp", timestamp())
    root.set(XML_LANG, LANG)
    return root


def _sub(parent, tag, value=None, **attrs):
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v})
    if value is not None:
        element.text = str(value)
    return element


def status_response(code=200, status_text="OK", message=""):
    """``<cXML><Response><Status code=… text=…/></Response></cXML>``."""
    root = _root()
    response = _sub(root, "Response")
    _sub(response, "Status", message or None, code=str(code), text=status_text)
    return tostring(root, DOCTYPE)


def setup_response(start_url):
    root = _root()
    response = _sub(root, "Response")
    _sub(response, "Status", code="200", text="success")
    setup = _sub(response, "PunchOutSetupResponse")
    _sub(_sub(setup, "StartPage"), "URL", start_url)
    return tostring(root, DOCTYPE)


def parse_request(data, shared_secret, request_tag):
    """Parse a cXML request, check its Sender SharedSecret.

    :returns: (root, the ``Request/<request_tag>`` element)
    :raises CXMLRequestError: 400 malformed or wrong type, 401 bad secret.
    """
    try:
        root = parse_xml(data)
    except XMLError as exc:
        raise CXMLRequestError(400, f"Bad Request: {exc}") from None
    if root.tag != "cXML":
        raise CXMLRequestError(400, "Bad Request: the root element is not cXML")
    request = root.find(f"Request/{request_tag}")
    if request is None:
        raise CXMLRequestError(400, f"Bad Request: no Request/{request_tag}")
    secret = text(root.find("Header/Sender/Credential/SharedSecret"))
    if not hmac.compare_digest(secret.encode(), shared_secret.encode()):
        raise CXMLRequestError(401, "Unauthorized")
    return root, request


def _credential(element):
    credential = element.find("Credential") if element is not None else None
    if credential is None:
        return {}
    return {
        "domain": credential.get("domain", ""),
        "identity": text(credential.find("Identity")),
    }


def _extrinsics(element):
    return {e.get("name", ""): text(e) for e in element.findall("Extrinsic")}


def parse_setup_request(root, request):
    return {
        "operation": request.get("operation", "create"),
        "buyer_cookie": text(request.find("BuyerCookie")),
        "browser_form_post": text(request.find("BrowserFormPost/URL")),
        "from": _credential(root.find("Header/From")),
        "to": _credential(root.find("Header/To")),
        "extrinsics": _extrinsics(request),
        "items": [_setup_item(item) for item in request.findall("ItemOut")],
    }


def _setup_item(item):
    """An ``ItemOut`` of an edit/inspect setup request: the cart line as the
    buyer's system has it now (quantity, card text, logo, location)."""
    detail = item.find("ItemDetail")
    extrinsics = _extrinsics(detail) if detail is not None else {}
    return {
        "ref": text(item.find("ItemID/SupplierPartAuxiliaryID")),
        "code": text(item.find("ItemID/SupplierPartID")),
        "quantity": item.get("quantity", "1"),
        "card_text": extrinsics.get("CardText", ""),
        "logo": extrinsics.get("Logo", ""),
        "location": extrinsics.get("DeliveryLocation", ""),
    }


def _add_credential(parent, tag, credential):
    credential = credential or SHOP_CREDENTIAL
    element = _sub(parent, tag)
    cred = _sub(element, "Credential", domain=credential.get("domain") or "NetworkID")
    _sub(cred, "Identity", credential.get("identity", ""))
    return element


def order_message(lines, buyer_cookie, buyer=None, operation="edit"):
    """The PunchOutOrderMessage for ``lines`` (a list of CartLine).

    ``buyer`` is the From credential of the setup request, returned as To.
    """
    root = _root()
    header = _sub(root, "Header")
    _add_credential(header, "From", SHOP_CREDENTIAL)
    _add_credential(header, "To", buyer)
    sender = _add_credential(header, "Sender", SHOP_CREDENTIAL)
    _sub(sender, "UserAgent", USER_AGENT)
    message = _sub(_sub(root, "Message"), "PunchOutOrderMessage")
    _sub(message, "BuyerCookie", buyer_cookie)
    msg_header = _sub(message, "PunchOutOrderMessageHeader", operationAllowed=operation)
    _money(_sub(msg_header, "Total"), cart_total(lines))
    for n, line in enumerate(lines, start=1):
        _item_in(message, n, line)
    return tostring(root, DOCTYPE)


def _money(parent, amount):
    return _sub(parent, "Money", f"{amount:.2f}", currency=catalogue.CURRENCY)


def _item_in(parent, n, line):
    gift = line.gift
    item = _sub(parent, "ItemIn", quantity=str(int(line.quantity)), lineNumber=str(n))
    item_id = _sub(item, "ItemID")
    _sub(item_id, "SupplierPartID", gift.code)
    _sub(item_id, "SupplierPartAuxiliaryID", line.ref)
    detail = _sub(item, "ItemDetail")
    _money(_sub(detail, "UnitPrice"), gift.price)
    description = _sub(detail, "Description", gift.description)
    description.set(XML_LANG, LANG)
    _sub(description, "ShortName", gift.name)
    _sub(detail, "UnitOfMeasure", gift.cxml_unit)
    if gift.price_unit != 1:
        basis = _sub(
            detail,
            "PriceBasisQuantity",
            quantity=str(gift.price_unit),
            conversionFactor="1",
        )
        _sub(basis, "UnitOfMeasure", gift.cxml_unit)
    _sub(detail, "Classification", gift.nzi_code, domain="NZI")
    _sub(detail, "LeadTime", gift.leadtime)
    for name, value in (
        ("CardText", line.card_text),
        ("Logo", line.logo),
        ("DeliveryLocation", line.location),
    ):
        _sub(detail, "Extrinsic", value, name=name)
    amount = catalogue.money(line.quantity * gift.unit_price * gift.vat_rate / 100)
    tax = _sub(item, "Tax")
    _money(tax, amount)
    _sub(tax, "Description", f"BTW {gift.vat_rate}%").set(XML_LANG, LANG)
    detail = _sub(
        tax,
        "TaxDetail",
        purpose="tax",
        category="vat",
        percentageRate=str(gift.vat_rate),
    )
    _money(_sub(detail, "TaxAmount"), amount)
    return item


def _decimal(value, what):
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CXMLRequestError(400, f"Bad Request: {what} is not a number: {value!r}")
    return number


def parse_address(element):
    """A cXML Address (BillTo/ShipTo) as a flat dict."""
    if element is None:
        return {}
    postal = element.find("PostalAddress")
    country = postal.find("Country") if postal is not None else None
    return {
        "address_id": element.get("addressID", ""),
        "name": text(element.find("Name")),
        "street": "\n".join(
            text(s) for s in (postal.findall("Street") if postal is not None else ())
        ),
        "zip": text(postal.find("PostalCode")) if postal is not None else "",
        "city": text(postal.find("City")) if postal is not None else "",
        "country": (country.get("isoCountryCode", "") if country is not None else "")
        or "NL",
        "email": text(element.find("Email")),
    }


def parse_order_request(request):
    """The recorded form of a cXML OrderRequest.

    :raises CXMLRequestError: 400 without orderID or lines, or bad numbers.
    """
    header = request.find("OrderRequestHeader")
    if header is None or not header.get("orderID", "").strip():
        raise CXMLRequestError(400, "Bad Request: OrderRequestHeader@orderID missing")
    extrinsics = _extrinsics(header)
    total = header.find("Total/Money")
    lines = []
    for n, item in enumerate(request.findall("ItemOut"), start=1):
        detail = item.find("ItemDetail")
        basis = detail.find("PriceBasisQuantity") if detail is not None else None
        lines.append(
            {
                "line_no": item.get("lineNumber") or str(n),
                "vendor_code": text(item.find("ItemID/SupplierPartID")),
                "line_ref": text(item.find("ItemID/SupplierPartAuxiliaryID")),
                "description": text(detail.find("Description"))
                if detail is not None
                else "",
                "quantity": str(_decimal(item.get("quantity"), "ItemOut@quantity")),
                "unit": text(detail.find("UnitOfMeasure"))
                if detail is not None
                else "",
                "price": str(
                    _decimal(
                        text(detail.find("UnitPrice/Money"))
                        if detail is not None
                        else "",
                        "UnitPrice",
                    )
                ),
                "price_unit": str(
                    _decimal(basis.get("quantity"), "PriceBasisQuantity@quantity")
                    if basis is not None
                    else Decimal(1)
                ),
                "requested_delivery_date": item.get("requestedDeliveryDate", ""),
                "extrinsics": _extrinsics(detail) if detail is not None else {},
            }
        )
    if not lines:
        raise CXMLRequestError(400, "Bad Request: the order has no ItemOut")
    return {
        "buyer_order_id": header.get("orderID").strip(),
        "order_date": header.get("orderDate", ""),
        "order_type": header.get("type", "new"),
        "currency": total.get("currency", "EUR") if total is not None else "EUR",
        "total": text(total),
        "buyer_reference": extrinsics.get("BuyerReference", ""),
        "bill_to": parse_address(header.find("BillTo/Address")),
        "ship_to": parse_address(header.find("ShipTo/Address")),
        "buyer_vat": extrinsics.get("BuyerVATID", ""),
        "buyer_kvk": extrinsics.get("BuyerKvK", ""),
        "comments": text(header.find("Comments")),
        "lines": lines,
    }


# --- documents the shop sends on its own: confirmation, ship notice ---------

FULFILL_DOCTYPE = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/Fulfill.dtd">'


def _shop_header(root, buyer_identity, shared_secret):
    header = _sub(root, "Header")
    _add_credential(header, "From", SHOP_CREDENTIAL)
    _add_credential(
        header, "To", {"domain": "NetworkID", "identity": buyer_identity or "BUYER"}
    )
    sender = _sub(header, "Sender")
    credential = _sub(sender, "Credential", domain=SHOP_CREDENTIAL["domain"])
    _sub(credential, "Identity", SHOP_CREDENTIAL["identity"])
    _sub(credential, "SharedSecret", shared_secret)
    _sub(sender, "UserAgent", USER_AGENT)


def confirmation_request(
    order, shared_secret, *, reject_lines=(), delivery_date="", buyer_identity=""
):
    """A ``ConfirmationRequest`` for a recorded order: every line accepted
    with ``delivery_date`` (ISO), except the ``reject_lines`` (line numbers)."""
    root = _root()
    _shop_header(root, buyer_identity, shared_secret)
    body = _sub(_sub(root, "Request"), "ConfirmationRequest")
    reject_lines = {str(n) for n in reject_lines}
    kind = "detail" if reject_lines else "accept"
    if reject_lines and reject_lines >= {line["line_no"] for line in order["lines"]}:
        kind = "reject"
    _sub(
        body,
        "ConfirmationHeader",
        type=kind,
        noticeDate=timestamp(),
        operation="new",
        confirmID=order["supplier_order_id"],
    )
    _sub(body, "OrderReference", orderID=order["buyer_order_id"])
    for line in order["lines"]:
        item = _sub(
            body,
            "ConfirmationItem",
            lineNumber=line["line_no"],
            quantity=line["quantity"],
        )
        _sub(item, "UnitOfMeasure", line.get("unit") or "C62")
        rejected = line["line_no"] in reject_lines
        status = _sub(
            item,
            "ConfirmationStatus",
            type="reject" if rejected else "accept",
            quantity=line["quantity"],
            deliveryDate=None if rejected else delivery_date,
        )
        _sub(status, "UnitOfMeasure", line.get("unit") or "C62")
        if rejected:
            comments = _sub(status, "Comments", "Uitverkocht")
            comments.set(XML_LANG, LANG)
    return tostring(root, FULFILL_DOCTYPE)


def ship_notice_request(
    order,
    shared_secret,
    *,
    shipment_id,
    carrier,
    tracking,
    delivery_date="",
    lines=None,
    buyer_identity="",
):
    """A ``ShipNoticeRequest`` for a recorded order: ``lines`` (line numbers,
    default all) shipped with ``carrier`` under ``tracking``."""
    root = _root()
    _shop_header(root, buyer_identity, shared_secret)
    body = _sub(_sub(root, "Request"), "ShipNoticeRequest")
    _sub(
        body,
        "ShipNoticeHeader",
        shipmentID=shipment_id,
        noticeDate=timestamp(),
        shipmentDate=timestamp(),
        deliveryDate=delivery_date or None,
        operation="new",
    )
    control = _sub(body, "ShipControl")
    _sub(control, "CarrierIdentifier", carrier, domain="companyName")
    _sub(control, "ShipmentIdentifier", tracking)
    portion = _sub(body, "ShipNoticePortion")
    _sub(portion, "OrderReference", orderID=order["buyer_order_id"])
    wanted = {str(n) for n in lines} if lines else None
    for line in order["lines"]:
        if wanted is None or line["line_no"] in wanted:
            item = _sub(
                portion,
                "ShipNoticeItem",
                lineNumber=line["line_no"],
                quantity=line["quantity"],
            )
            _sub(item, "UnitOfMeasure", line.get("unit") or "C62")
    return tostring(root, FULFILL_DOCTYPE)
