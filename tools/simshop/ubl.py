"""UBL 2.1 as the shop speaks it: incoming Orders, OrderChanges and
OrderCancellations, OrderResponses and DespatchAdvices to the buyer, and
NLCIUS / Peppol BIS Billing 3 invoices and credit notes.

All amounts are ``Decimal`` and rounded half up to cents, per line, per VAT
category and for the totals, as EN 16931 computes them.
"""

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

from . import catalogue
from .catalogue import money
from .xmlutil import XMLError, parse_xml, text, tostring

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
DOC_NS = {
    name: f"urn:oasis:names:specification:ubl:schema:xsd:{name}-2"
    for name in (
        "Order",
        "OrderChange",
        "OrderCancellation",
        "OrderResponse",
        "DespatchAdvice",
        "Invoice",
        "CreditNote",
    )
}
NS = {"cac": CAC, "cbc": CBC}

INVOICE_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
INVOICE_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
ORDER_RESPONSE_CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order_response:3"
ORDER_RESPONSE_PROFILE = "urn:fdc:peppol.eu:poacc:bis:ordering:3"
DESPATCH_ADVICE_CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:despatch_advice:3"
DESPATCH_ADVICE_PROFILE = "urn:fdc:peppol.eu:poacc:bis:despatch_advice:3"
PAYMENT_DAYS = 30
LINE_REF_PROPERTY = "Personalisatiecode"
# AdditionalItemProperty names accepted as the line reference in a UBL Order.
LINE_REF_NAMES = {"supplierpartauxiliaryid", "personalisatiecode", "linereference"}

# Fictitious supplier data of the simulated shop.
SUPPLIER = {
    "name": "Topgeschenken",
    "legal_name": "Topgeschenken B.V.",
    "kvk": "81234564",
    "vat": "NL853746333B01",
    "street": "Cadeaulaan 12",
    "zip": "3542 AB",
    "city": "Utrecht",
    "country": "NL",
    "contact": "Debiteurenadministratie",
    "phone": "+31 30 123 45 67",
    "email": "facturen@topgeschenken.example",
    "iban": "NL91ABNA0417164300",
    "bic": "ABNANL2A",
}


class UBLRequestError(ValueError):
    def __init__(self, code, text):
        super().__init__(text)
        self.code = code
        self.text = text


def _q(prefix, name):
    return f"{{{NS[prefix]}}}{name}"


def _el(parent, tag, value=None, **attrs):
    """Append ``tag`` ("cbc:ID") to ``parent``; attributes with a value only."""
    prefix, name = tag.split(":")
    element = etree.SubElement(
        parent, _q(prefix, name), {k: str(v) for k, v in attrs.items() if v}
    )
    if value is not None:
        element.text = str(value)
    return element


def _root(doc):
    return etree.Element(
        f"{{{DOC_NS[doc]}}}{doc}", nsmap={None: DOC_NS[doc], "cac": CAC, "cbc": CBC}
    )


def _amount(parent, tag, amount, currency="EUR"):
    return _el(parent, tag, f"{money(amount):.2f}", currencyID=currency)


def _number(value):
    """A plain decimal string without exponent or superfluous zeros."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _price(value):
    """A price with at least 2 and at most 4 decimals."""
    value = Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if value == value.quantize(Decimal("0.01")):
        return f"{value:.2f}"
    return format(value.normalize(), "f")


# --- incoming UBL Order ---------------------------------------------------


def _find(element, path):
    return element.find(path, NS) if element is not None else None


def _ftext(element, path):
    return text(_find(element, path))


def _party(party):
    if party is None:
        return {}
    address = _find(party, "cac:PostalAddress")
    kvk = ""
    for company in party.findall("cac:PartyLegalEntity/cbc:CompanyID", NS):
        if company.get("schemeID") in (None, "0106"):
            kvk = text(company)
    return {
        "name": _ftext(party, "cac:PartyName/cbc:Name")
        or _ftext(party, "cac:PartyLegalEntity/cbc:RegistrationName"),
        "street": _ftext(address, "cbc:StreetName"),
        "zip": _ftext(address, "cbc:PostalZone"),
        "city": _ftext(address, "cbc:CityName"),
        "country": _ftext(address, "cac:Country/cbc:IdentificationCode") or "NL",
        "email": _ftext(party, "cac:Contact/cbc:ElectronicMail"),
        "vat": _ftext(party, "cac:PartyTaxScheme/cbc:CompanyID"),
        "kvk": kvk,
    }


def _decimal(value, what):
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise UBLRequestError(400, f"{what} is not a number: {value!r}")
    return number


def _line_ref(item):
    ref = _ftext(item, "cac:SellersItemIdentification/cbc:ExtendedID")
    if ref:
        return ref
    for prop in (
        item.findall("cac:AdditionalItemProperty", NS) if item is not None else ()
    ):
        if _ftext(prop, "cbc:Name").lower() in LINE_REF_NAMES:
            return _ftext(prop, "cbc:Value")
    return ""


def _order_lines(root):
    lines = []
    for n, line in enumerate(root.findall("cac:OrderLine/cac:LineItem", NS), 1):
        quantity = _find(line, "cbc:Quantity")
        item = _find(line, "cac:Item")
        base = _find(line, "cac:Price/cbc:BaseQuantity")
        lines.append(
            {
                "line_no": _ftext(line, "cbc:ID") or str(n),
                "status_code": _ftext(line, "cbc:LineStatusCode"),
                "vendor_code": _ftext(item, "cac:SellersItemIdentification/cbc:ID"),
                "line_ref": _line_ref(item),
                "description": _ftext(item, "cbc:Name")
                or _ftext(item, "cbc:Description"),
                "quantity": str(_decimal(text(quantity), "cbc:Quantity")),
                "unit": quantity.get("unitCode", "") if quantity is not None else "",
                "price": str(
                    _decimal(_ftext(line, "cac:Price/cbc:PriceAmount"), "PriceAmount")
                ),
                "price_unit": str(
                    _decimal(text(base), "BaseQuantity") if base is not None else 1
                ),
                "requested_delivery_date": _ftext(
                    line, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate"
                ),
                "extrinsics": {},
            }
        )
    return lines


def _parse_root(data):
    try:
        root = parse_xml(data)
    except XMLError as exc:
        raise UBLRequestError(400, f"Bad Request: {exc}") from None
    for name, namespace in DOC_NS.items():
        if root.tag == f"{{{namespace}}}{name}":
            return name, root
    raise UBLRequestError(400, "Bad Request: not a UBL 2.1 ordering document")


def parse_order(data):
    """The recorded form of a UBL 2.1 Order.

    The line reference is read from ``cac:Item/cac:SellersItemIdentification/
    cbc:ExtendedID`` or an ``AdditionalItemProperty`` named
    ``SupplierPartAuxiliaryID`` / ``Personalisatiecode`` / ``LineReference``.

    :raises UBLRequestError: 400 for anything that is not a usable Order.
    """
    name, root = _parse_root(data)
    if name != "Order":
        raise UBLRequestError(400, "Bad Request: not a UBL 2.1 Order")
    return _parse_order_root(root)


def parse_order_document(data):
    """The recorded form of a UBL 2.1 ``Order``, ``OrderChange`` (order type
    ``update``: the order's new lines, ``SequenceNumberID`` its version) or
    ``OrderCancellation`` (order type ``delete``, no lines); the change and
    the cancellation name the order in ``cac:OrderReference/cbc:ID``.

    :raises UBLRequestError: 400 for anything else or an unusable document.
    """
    name, root = _parse_root(data)
    if name == "Order":
        return _parse_order_root(root)
    if name not in ("OrderChange", "OrderCancellation"):
        raise UBLRequestError(400, f"Bad Request: a {name} is not an order")
    order_id = _ftext(root, "cac:OrderReference/cbc:ID")
    if not order_id or not _ftext(root, "cbc:ID"):
        raise UBLRequestError(400, "Bad Request: cbc:ID or OrderReference missing")
    if name == "OrderCancellation":
        return {
            "buyer_order_id": order_id,
            "order_type": "delete",
            "document_id": _ftext(root, "cbc:ID"),
            "comments": _ftext(root, "cbc:CancellationNote"),
            "lines": [],
        }
    lines = _order_lines(root)
    if not lines:
        raise UBLRequestError(400, "Bad Request: the change has no OrderLine")
    return {
        "buyer_order_id": order_id,
        "order_type": "update",
        "document_id": _ftext(root, "cbc:ID"),
        "sequence_number": _ftext(root, "cbc:SequenceNumberID"),
        "currency": _ftext(root, "cbc:DocumentCurrencyCode") or "EUR",
        "total": _ftext(root, "cac:AnticipatedMonetaryTotal/cbc:PayableAmount"),
        "comments": _ftext(root, "cbc:Note"),
        "lines": lines,
    }


def _parse_order_root(root):
    order_id = _ftext(root, "cbc:ID")
    if not order_id:
        raise UBLRequestError(400, "Bad Request: cbc:ID missing")
    buyer = _party(_find(root, "cac:BuyerCustomerParty/cac:Party"))
    invoicee = _party(_find(root, "cac:AccountingCustomerParty/cac:Party"))
    bill_to = invoicee or buyer
    delivery = _find(root, "cac:Delivery/cac:DeliveryLocation/cac:Address")
    ship_to = {}
    if delivery is not None:
        ship_to = {
            "name": _ftext(
                root, "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name"
            ),
            "street": _ftext(delivery, "cbc:StreetName"),
            "zip": _ftext(delivery, "cbc:PostalZone"),
            "city": _ftext(delivery, "cbc:CityName"),
            "country": _ftext(delivery, "cac:Country/cbc:IdentificationCode") or "NL",
        }
    lines = _order_lines(root)
    if not lines:
        raise UBLRequestError(400, "Bad Request: the order has no OrderLine")
    return {
        "buyer_order_id": order_id,
        "order_date": _ftext(root, "cbc:IssueDate"),
        "order_type": _ftext(root, "cbc:OrderTypeCode") or "220",
        "currency": _ftext(root, "cbc:DocumentCurrencyCode") or "EUR",
        "total": _ftext(root, "cac:AnticipatedMonetaryTotal/cbc:PayableAmount"),
        "buyer_reference": _ftext(root, "cbc:CustomerReference"),
        "bill_to": bill_to,
        "ship_to": ship_to,
        "buyer_vat": bill_to.get("vat", ""),
        "buyer_kvk": bill_to.get("kvk", ""),
        "comments": _ftext(root, "cbc:Note"),
        "lines": lines,
    }


# --- OrderResponse --------------------------------------------------------


def _supplier_party(parent):
    party = _el(parent, "cac:Party")
    _el(party, "cbc:EndpointID", SUPPLIER["kvk"], schemeID="0106")
    _el(_el(party, "cac:PartyName"), "cbc:Name", SUPPLIER["name"])
    address = _el(party, "cac:PostalAddress")
    _el(address, "cbc:StreetName", SUPPLIER["street"])
    _el(address, "cbc:CityName", SUPPLIER["city"])
    _el(address, "cbc:PostalZone", SUPPLIER["zip"])
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", SUPPLIER["country"])
    tax = _el(party, "cac:PartyTaxScheme")
    _el(tax, "cbc:CompanyID", SUPPLIER["vat"])
    _el(_el(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _el(party, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", SUPPLIER["legal_name"])
    _el(legal, "cbc:CompanyID", SUPPLIER["kvk"], schemeID="0106")
    contact = _el(party, "cac:Contact")
    _el(contact, "cbc:Name", SUPPLIER["contact"])
    _el(contact, "cbc:Telephone", SUPPLIER["phone"])
    _el(contact, "cbc:ElectronicMail", SUPPLIER["email"])
    return party


def _buyer_party(parent, order):
    bill_to = order.get("bill_to") or {}
    kvk = order.get("buyer_kvk") or bill_to.get("kvk", "")
    vat = order.get("buyer_vat") or bill_to.get("vat", "")
    email = bill_to.get("email", "")
    name = bill_to.get("name") or "Onbekende afnemer"
    party = _el(parent, "cac:Party")
    if kvk:
        _el(party, "cbc:EndpointID", kvk, schemeID="0106")
    elif vat:
        _el(party, "cbc:EndpointID", vat, schemeID="9944")
    else:
        _el(party, "cbc:EndpointID", email or "inkoop@example.invalid", schemeID="EM")
    _el(_el(party, "cac:PartyName"), "cbc:Name", name)
    address = _el(party, "cac:PostalAddress")
    street = (bill_to.get("street") or "").split("\n")
    if street[0]:
        _el(address, "cbc:StreetName", street[0])
    if len(street) > 1 and street[1]:
        _el(address, "cbc:AdditionalStreetName", street[1])
    if bill_to.get("city"):
        _el(address, "cbc:CityName", bill_to["city"])
    if bill_to.get("zip"):
        _el(address, "cbc:PostalZone", bill_to["zip"])
    _el(
        _el(address, "cac:Country"),
        "cbc:IdentificationCode",
        (bill_to.get("country") or "NL").upper(),
    )
    if vat:
        tax = _el(party, "cac:PartyTaxScheme")
        _el(tax, "cbc:CompanyID", vat)
        _el(_el(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _el(party, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", name)
    if kvk:
        _el(legal, "cbc:CompanyID", kvk, schemeID="0106")
    if email:
        _el(_el(party, "cac:Contact"), "cbc:ElectronicMail", email)
    return party


def order_response(
    order,
    issued=None,
    *,
    response_id=None,
    code="AP",
    reject_lines=(),
    delivery_date=None,
    with_lines=False,
):
    """A UBL 2.1 OrderResponse (Peppol BIS Order Response 3) to ``order`` (a
    recorded order): ``code`` AP (accepted), CA (conditionally accepted) or
    RE (rejected); with ``with_lines``, one ``OrderLine`` per ordered line,
    ``LineStatusCode`` 7 for the ``reject_lines`` (line numbers) and 5 for
    the others, which get the promised ``delivery_date`` (a ``datetime``)."""
    issued = issued or datetime.now().replace(microsecond=0)
    root = _root("OrderResponse")
    _el(root, "cbc:UBLVersionID", "2.1")
    _el(root, "cbc:CustomizationID", ORDER_RESPONSE_CUSTOMIZATION)
    _el(root, "cbc:ProfileID", ORDER_RESPONSE_PROFILE)
    _el(root, "cbc:ID", response_id or order["supplier_order_id"])
    _el(root, "cbc:SalesOrderID", order["supplier_order_id"])
    _el(root, "cbc:IssueDate", issued.date().isoformat())
    _el(root, "cbc:IssueTime", issued.time().isoformat())
    _el(root, "cbc:OrderResponseCode", code)
    if order.get("mismatches"):
        _el(
            root,
            "cbc:Note",
            "Regels met onbekende personalisatiecode: "
            + ", ".join(m["line_no"] for m in order["mismatches"]),
        )
    _el(root, "cbc:DocumentCurrencyCode", order.get("currency") or "EUR")
    _el(_el(root, "cac:OrderReference"), "cbc:ID", order["buyer_order_id"])
    _supplier_party(_el(root, "cac:SellerSupplierParty"))
    _buyer_party(_el(root, "cac:BuyerCustomerParty"), order)
    if not with_lines:
        return tostring(root)
    reject_lines = {str(n) for n in reject_lines}
    for line in order["lines"]:
        order_line = _el(root, "cac:OrderLine")
        item_line = _el(order_line, "cac:LineItem")
        _el(item_line, "cbc:ID", line["line_no"])
        rejected = str(line["line_no"]) in reject_lines
        if rejected:
            _el(item_line, "cbc:Note", "Uitverkocht")
        _el(item_line, "cbc:LineStatusCode", "7" if rejected else "5")
        _el(
            item_line,
            "cbc:Quantity",
            _number(line["quantity"]),
            unitCode=catalogue.to_unece(line.get("unit")),
        )
        if delivery_date and not rejected:
            _period(
                _el(_el(item_line, "cac:Delivery"), "cac:PromisedDeliveryPeriod"),
                delivery_date,
            )
        item = _el(item_line, "cac:Item")
        _el(item, "cbc:Name", line.get("description") or "Artikel")
        if line.get("vendor_code"):
            _el(
                _el(item, "cac:SellersItemIdentification"),
                "cbc:ID",
                line["vendor_code"],
            )
        _el(_el(order_line, "cac:OrderLineReference"), "cbc:LineID", line["line_no"])
    return tostring(root)


def _period(parent, moment):
    """``StartDate`` / ``StartTime`` (with its offset) of ``moment``."""
    _el(parent, "cbc:StartDate", moment.date().isoformat())
    _el(parent, "cbc:StartTime", moment.timetz().isoformat())


def despatch_advice(
    order,
    *,
    despatch_id,
    shipment_id,
    carrier,
    tracking,
    delivery_date=None,
    lines=None,
    issued=None,
):
    """A UBL 2.1 DespatchAdvice (Peppol BIS Despatch Advice 3) of ``order``:
    ``lines`` (line numbers, default all) shipped with ``carrier`` under
    ``tracking`` (``cbc:TrackingID``), expected on ``delivery_date``."""
    issued = issued or datetime.now().replace(microsecond=0)
    root = _root("DespatchAdvice")
    _el(root, "cbc:UBLVersionID", "2.1")
    _el(root, "cbc:CustomizationID", DESPATCH_ADVICE_CUSTOMIZATION)
    _el(root, "cbc:ProfileID", DESPATCH_ADVICE_PROFILE)
    _el(root, "cbc:ID", despatch_id)
    _el(root, "cbc:IssueDate", issued.date().isoformat())
    _el(root, "cbc:IssueTime", issued.time().isoformat())
    _el(_el(root, "cac:OrderReference"), "cbc:ID", order["buyer_order_id"])
    _supplier_party(_el(root, "cac:DespatchSupplierParty"))
    _buyer_party(_el(root, "cac:DeliveryCustomerParty"), order)
    shipment = _el(root, "cac:Shipment")
    _el(shipment, "cbc:ID", shipment_id)
    consignment = _el(shipment, "cac:Consignment")
    _el(consignment, "cbc:ID", shipment_id)
    _el(_el(_el(consignment, "cac:CarrierParty"), "cac:PartyName"), "cbc:Name", carrier)
    delivery = _el(shipment, "cac:Delivery")
    _el(delivery, "cbc:TrackingID", tracking)
    if delivery_date:
        _period(_el(delivery, "cac:EstimatedDeliveryPeriod"), delivery_date)
    despatch = _el(delivery, "cac:Despatch")
    _el(despatch, "cbc:ActualDespatchDate", issued.date().isoformat())
    wanted = {str(n) for n in lines} if lines else None
    number = 0
    for line in order["lines"]:
        if wanted is not None and str(line["line_no"]) not in wanted:
            continue
        number += 1
        despatch_line = _el(root, "cac:DespatchLine")
        _el(despatch_line, "cbc:ID", number)
        _el(
            despatch_line,
            "cbc:DeliveredQuantity",
            _number(line["quantity"]),
            unitCode=catalogue.to_unece(line.get("unit")),
        )
        _el(_el(despatch_line, "cac:OrderLineReference"), "cbc:LineID", line["line_no"])
        _el(
            _el(despatch_line, "cac:Item"),
            "cbc:Name",
            line.get("description") or "Artikel",
        )
    return tostring(root)


# --- Invoice / CreditNote -------------------------------------------------


def invoice_lines(order, price_delta=0, quantity_factor=1, quantities=None):
    """The lines to invoice for ``order``, with amounts.

    :param price_delta: added to the price of one unit (the buyer's unit
        price), so with a price basis of 10 the price changes by 10 times it.
    :param quantity_factor: multiplies every ordered quantity.
    :param quantities: {line_no: quantity} overriding the above per line.
    """
    price_delta = Decimal(str(price_delta))
    quantity_factor = Decimal(str(quantity_factor))
    quantities = {str(k): Decimal(str(v)) for k, v in (quantities or {}).items()}
    result = []
    for line in order["lines"]:
        gift = catalogue.get(line.get("vendor_code"))
        base = Decimal(line.get("price_unit") or 1) or Decimal(1)
        price = Decimal(line["price"])
        if price_delta:
            price = (price / base + price_delta) * base
        quantity = quantities.get(
            str(line["line_no"]), Decimal(line["quantity"]) * quantity_factor
        )
        if not quantity:
            continue
        result.append(
            {
                "line_no": str(line["line_no"]),
                "vendor_code": line.get("vendor_code", ""),
                "line_ref": line.get("line_ref", ""),
                "name": gift.name if gift else line.get("description") or "Artikel",
                "description": line.get("description", ""),
                "nzi_code": gift.nzi_code if gift else "",
                "unit": catalogue.to_unece(line.get("unit") or (gift and gift.unit)),
                "quantity": quantity,
                "price": Decimal(_price(price)),
                "base_quantity": base,
                "vat_rate": gift.vat_rate if gift else 21,
                "amount": money(quantity * Decimal(_price(price)) / base),
            }
        )
    return result


def compute_totals(lines):
    subtotals = {}
    for line in lines:
        subtotals.setdefault(line["vat_rate"], Decimal("0.00"))
        subtotals[line["vat_rate"]] += line["amount"]
    taxes = [
        {
            "rate": rate,
            "taxable": money(taxable),
            "tax": money(taxable * rate / Decimal(100)),
        }
        for rate, taxable in sorted(subtotals.items())
    ]
    line_total = money(sum((line["amount"] for line in lines), Decimal(0)))
    tax_total = money(sum((tax["tax"] for tax in taxes), Decimal(0)))
    return {
        "line_extension": line_total,
        "tax_exclusive": line_total,
        "tax": tax_total,
        "tax_inclusive": line_total + tax_total,
        "payable": line_total + tax_total,
        "subtotals": taxes,
    }


def _tax_category(parent, tag, rate):
    category = _el(parent, tag)
    _el(category, "cbc:ID", "S")
    _el(category, "cbc:Percent", rate)
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    return category


def build_invoice(
    order,
    number,
    issue_date=None,
    credit_note=False,
    billing_reference="",
    buyer_reference="",
    **line_options,
):
    """A UBL 2.1 Invoice (or CreditNote) for a recorded order.

    :returns: (XML bytes, summary dict with the lines and totals)
    """
    issue_date = issue_date or date.today()
    currency = order.get("currency") or "EUR"
    lines = invoice_lines(order, **line_options)
    if not lines:
        raise ValueError("Nothing to invoice: every quantity is zero.")
    totals = compute_totals(lines)
    doc = "CreditNote" if credit_note else "Invoice"
    root = _root(doc)
    _el(root, "cbc:CustomizationID", INVOICE_CUSTOMIZATION)
    _el(root, "cbc:ProfileID", INVOICE_PROFILE)
    _el(root, "cbc:ID", number)
    _el(root, "cbc:IssueDate", issue_date.isoformat())
    due_date = issue_date + timedelta(days=PAYMENT_DAYS)
    if credit_note:
        _el(root, "cbc:CreditNoteTypeCode", "381")
    else:
        _el(root, "cbc:DueDate", due_date.isoformat())
        _el(root, "cbc:InvoiceTypeCode", "380")
    _el(root, "cbc:Note", f"Uw bestelling {order['buyer_order_id']}")
    _el(root, "cbc:DocumentCurrencyCode", currency)
    _el(
        root,
        "cbc:BuyerReference",
        buyer_reference or order.get("buyer_reference") or order["buyer_order_id"],
    )
    order_ref = _el(root, "cac:OrderReference")
    _el(order_ref, "cbc:ID", order["buyer_order_id"])
    _el(order_ref, "cbc:SalesOrderID", order["supplier_order_id"])
    if billing_reference:
        _el(
            _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference"),
            "cbc:ID",
            billing_reference,
        )
    _supplier_party(_el(root, "cac:AccountingSupplierParty"))
    _buyer_party(_el(root, "cac:AccountingCustomerParty"), order)
    _delivery(root, order, issue_date)
    means = _el(root, "cac:PaymentMeans")
    _el(means, "cbc:PaymentMeansCode", "30", name="Credit transfer")
    if credit_note:
        _el(means, "cbc:PaymentDueDate", due_date.isoformat())
    _el(means, "cbc:PaymentID", number)
    account = _el(means, "cac:PayeeFinancialAccount")
    _el(account, "cbc:ID", SUPPLIER["iban"])
    _el(account, "cbc:Name", SUPPLIER["legal_name"])
    _el(_el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", SUPPLIER["bic"])
    _el(
        _el(root, "cac:PaymentTerms"),
        "cbc:Note",
        f"Betaling binnen {PAYMENT_DAYS} dagen na factuurdatum.",
    )
    tax_total = _el(root, "cac:TaxTotal")
    _amount(tax_total, "cbc:TaxAmount", totals["tax"], currency)
    for sub in totals["subtotals"]:
        subtotal = _el(tax_total, "cac:TaxSubtotal")
        _amount(subtotal, "cbc:TaxableAmount", sub["taxable"], currency)
        _amount(subtotal, "cbc:TaxAmount", sub["tax"], currency)
        _tax_category(subtotal, "cac:TaxCategory", sub["rate"])
    monetary = _el(root, "cac:LegalMonetaryTotal")
    for tag, key in (
        ("cbc:LineExtensionAmount", "line_extension"),
        ("cbc:TaxExclusiveAmount", "tax_exclusive"),
        ("cbc:TaxInclusiveAmount", "tax_inclusive"),
        ("cbc:PayableAmount", "payable"),
    ):
        _amount(monetary, tag, totals[key], currency)
    for n, line in enumerate(lines, start=1):
        _invoice_line(root, doc, n, line, currency)
    summary = {
        "number": number,
        "type": "credit_note" if credit_note else "invoice",
        "issue_date": issue_date.isoformat(),
        "buyer_order_id": order["buyer_order_id"],
        "supplier_order_id": order["supplier_order_id"],
        **{k: str(v) for k, v in totals.items() if k != "subtotals"},
        "subtotals": [{k: str(v) for k, v in s.items()} for s in totals["subtotals"]],
        "lines": [
            {k: str(v) for k, v in line.items() if k != "description"} for line in lines
        ],
    }
    return tostring(root), summary


def _delivery(root, order, issue_date):
    delivery = _el(root, "cac:Delivery")
    _el(delivery, "cbc:ActualDeliveryDate", issue_date.isoformat())
    ship_to = order.get("ship_to") or {}
    if ship_to.get("city") or ship_to.get("street"):
        address = _el(_el(delivery, "cac:DeliveryLocation"), "cac:Address")
        if ship_to.get("street"):
            _el(address, "cbc:StreetName", ship_to["street"].split("\n")[0])
        if ship_to.get("city"):
            _el(address, "cbc:CityName", ship_to["city"])
        if ship_to.get("zip"):
            _el(address, "cbc:PostalZone", ship_to["zip"])
        _el(
            _el(address, "cac:Country"),
            "cbc:IdentificationCode",
            (ship_to.get("country") or "NL").upper(),
        )
        if ship_to.get("name"):
            _el(
                _el(_el(delivery, "cac:DeliveryParty"), "cac:PartyName"),
                "cbc:Name",
                ship_to["name"],
            )


def _invoice_line(root, doc, n, line, currency):
    element = _el(root, f"cac:{doc}Line")
    _el(element, "cbc:ID", n)
    quantity_tag = (
        "cbc:CreditedQuantity" if doc == "CreditNote" else "cbc:InvoicedQuantity"
    )
    _el(element, quantity_tag, _number(line["quantity"]), unitCode=line["unit"])
    _amount(element, "cbc:LineExtensionAmount", line["amount"], currency)
    _el(_el(element, "cac:OrderLineReference"), "cbc:LineID", line["line_no"])
    item = _el(element, "cac:Item")
    if line["description"] and line["description"] != line["name"]:
        _el(item, "cbc:Description", line["description"])
    _el(item, "cbc:Name", line["name"])
    if line["vendor_code"]:
        _el(_el(item, "cac:SellersItemIdentification"), "cbc:ID", line["vendor_code"])
    if line["nzi_code"]:
        _el(
            _el(item, "cac:CommodityClassification"),
            "cbc:ItemClassificationCode",
            line["nzi_code"],
            listID="ZZZ",
        )
    _tax_category(item, "cac:ClassifiedTaxCategory", line["vat_rate"])
    if line["line_ref"]:
        prop = _el(item, "cac:AdditionalItemProperty")
        _el(prop, "cbc:Name", LINE_REF_PROPERTY)
        _el(prop, "cbc:Value", line["line_ref"])
    price = _el(element, "cac:Price")
    _el(price, "cbc:PriceAmount", _price(line["price"]), currencyID=currency)
    if line["base_quantity"] != 1:
        _el(
            price,
            "cbc:BaseQuantity",
            _number(line["base_quantity"]),
            unitCode=line["unit"],
        )
