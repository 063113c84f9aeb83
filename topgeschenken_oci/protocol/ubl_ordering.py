"""UBL 2.1 changes and cancellations of an order we sent (Peppol BIS
Advanced Ordering 3).

Builds the two documents that follow a UBL ``Order`` the shop took:

* ``OrderChange`` (Peppol BIS Order Change, transaction T114,
  ``urn:fdc:peppol.eu:poacc:trns:order_change:3``): ``ID``, ``IssueDate``,
  ``SequenceNumberID`` (the version of the order: 2, 3…), ``OrderReference``
  (the original order's ``cbc:ID``, the PO number), the parties, the
  delivery address and every order line as it is now, each with its
  ``LineStatusCode`` (UNCL 1229: ``3`` changed, ``2`` deleted);
* ``OrderCancellation`` (T115,
  ``urn:fdc:peppol.eu:poacc:trns:order_cancellation:3``): ``ID``,
  ``IssueDate``, ``CancellationNote``, ``OrderReference`` and the parties.

Both validate against the OASIS UBL 2.1 ``maindoc`` schemas (the element
order below is theirs). The builders take plain values (strings, ``Decimal``,
``date``) that the addon prepares; they never import Odoo.
"""

from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from .errors import UBLError, _

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation

UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
CAC = UBL_NS + "CommonAggregateComponents-2"
CBC = UBL_NS + "CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}
ORDER_CHANGE_NS = UBL_NS + "OrderChange-2"
ORDER_CANCELLATION_NS = UBL_NS + "OrderCancellation-2"

PROFILE_ADVANCED_ORDERING = "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"
CUSTOMIZATION_ORDER_CHANGE = "urn:fdc:peppol.eu:poacc:trns:order_change:3"
CUSTOMIZATION_ORDER_CANCELLATION = "urn:fdc:peppol.eu:poacc:trns:order_cancellation:3"

#: UNCL 1229 action codes of an order change line.
LINE_ADDED = "1"
LINE_DELETED = "2"
LINE_CHANGED = "3"
LINE_NO_ACTION = "4"
LINE_STATUS_CODES = (LINE_ADDED, LINE_DELETED, LINE_CHANGED, LINE_NO_ACTION)


def _el(parent, tag, value=None, **attrs):
    """Append ``tag`` ("cbc:ID") to ``parent``; attributes with a value only."""
    prefix, name = tag.split(":")
    element = etree.SubElement(
        parent, f"{{{NS[prefix]}}}{name}", {k: str(v) for k, v in attrs.items() if v}
    )
    if value is not None:
        element.text = str(value)
    return element


def _root(namespace, name):
    return etree.Element(
        f"{{{namespace}}}{name}", nsmap={None: namespace, "cac": CAC, "cbc": CBC}
    )


def _date(value):
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise UBLError(_("A date is missing."), code="no_date")
    return value.isoformat()


def _number(value):
    """A plain decimal without exponent or superfluous zeros (12, 0.02425)."""
    number = Decimal(repr(value) if isinstance(value, float) else str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _amount(parent, tag, value, currency, digits=2):
    number = Decimal(repr(value) if isinstance(value, float) else str(value))
    return _el(parent, tag, f"{number:.{digits}f}", currencyID=currency)


def _required(values, key):
    value = values.get(key)
    if value in (None, ""):
        raise UBLError(
            _("The UBL document cannot be built: %(key)s is missing."),
            code="missing_value",
            key=key,
        )
    return value


def _party(parent, tag, party):
    """``cac:<tag>/cac:Party`` of a party dict: ``name``, optional
    ``endpoint_id`` with ``endpoint_scheme`` (an ISO 6523 ICD such as 0106,
    or 9944 for a Dutch VAT number), ``vat``, ``street``, ``city``, ``zip``,
    ``country_code``, ``contact_name``, ``email``, ``phone``."""
    party = party or {}
    node = _el(_el(parent, tag), "cac:Party")
    if party.get("endpoint_id"):
        _el(
            node,
            "cbc:EndpointID",
            party["endpoint_id"],
            schemeID=party.get("endpoint_scheme"),
        )
    if party.get("name"):
        _el(_el(node, "cac:PartyName"), "cbc:Name", party["name"])
    if party.get("city") or party.get("street") or party.get("country_code"):
        _address(_el(node, "cac:PostalAddress"), party)
    if party.get("vat"):
        tax = _el(node, "cac:PartyTaxScheme")
        _el(tax, "cbc:CompanyID", party["vat"])
        _el(_el(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _el(node, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", party.get("name") or "-")
    if party.get("contact_name") or party.get("email") or party.get("phone"):
        contact = _el(node, "cac:Contact")
        if party.get("contact_name"):
            _el(contact, "cbc:Name", party["contact_name"])
        if party.get("phone"):
            _el(contact, "cbc:Telephone", party["phone"])
        if party.get("email"):
            _el(contact, "cbc:ElectronicMail", party["email"])
    return node


def _address(node, address):
    if address.get("street"):
        _el(node, "cbc:StreetName", address["street"])
    if address.get("street2"):
        _el(node, "cbc:AdditionalStreetName", address["street2"])
    if address.get("city"):
        _el(node, "cbc:CityName", address["city"])
    if address.get("zip"):
        _el(node, "cbc:PostalZone", address["zip"])
    if address.get("country_code"):
        _el(_el(node, "cac:Country"), "cbc:IdentificationCode", address["country_code"])
    return node


def _header(root, customization, values):
    _el(root, "cbc:CustomizationID", customization)
    _el(root, "cbc:ProfileID", PROFILE_ADVANCED_ORDERING)
    _el(root, "cbc:ID", _required(values, "document_id"))
    _el(root, "cbc:IssueDate", _date(values.get("issue_date")))


def _serialize(root):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _change_line(root, line, currency):
    status = str(line.get("status") or LINE_CHANGED)
    if status not in LINE_STATUS_CODES:
        raise UBLError(
            _("Line %(line)s: unknown line status code %(status)s."),
            code="bad_line_status",
            line=line.get("line_id"),
            status=status[:10],
        )
    item_line = _el(_el(root, "cac:OrderLine"), "cac:LineItem")
    _el(item_line, "cbc:ID", _required(line, "line_id"))
    _el(item_line, "cbc:LineStatusCode", status)
    _el(
        item_line,
        "cbc:Quantity",
        _number(_required(line, "quantity")),
        unitCode=line.get("unit_code") or "C62",
    )
    if line.get("line_amount") is not None:
        _amount(item_line, "cbc:LineExtensionAmount", line["line_amount"], currency)
    if line.get("delivery_date"):
        period = _el(_el(item_line, "cac:Delivery"), "cac:RequestedDeliveryPeriod")
        _el(period, "cbc:StartDate", _date(line["delivery_date"]))
        _el(period, "cbc:EndDate", _date(line["delivery_date"]))
    if line.get("price") is not None:
        price = _el(item_line, "cac:Price")
        _el(
            price,
            "cbc:PriceAmount",
            _number(line["price"]),
            currencyID=currency,
        )
        base = line.get("base_quantity")
        if base and Decimal(str(base)) != 1:
            _el(
                price,
                "cbc:BaseQuantity",
                _number(base),
                unitCode=line.get("unit_code") or "C62",
            )
    item = _el(item_line, "cac:Item")
    _el(item, "cbc:Name", (line.get("name") or "-")[:200])
    if line.get("sellers_item_id") or line.get("sellers_extended_id"):
        ident = _el(item, "cac:SellersItemIdentification")
        _el(ident, "cbc:ID", line.get("sellers_item_id") or "-")
        if line.get("sellers_extended_id"):
            _el(ident, "cbc:ExtendedID", line["sellers_extended_id"])
    if line.get("tax_percent") is not None:
        category = _el(item, "cac:ClassifiedTaxCategory")
        _el(category, "cbc:ID", line.get("tax_category") or "S")
        _el(category, "cbc:Percent", _number(line["tax_percent"]))
        _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def build_order_change(values):
    """Return the UBL 2.1 ``OrderChange`` (bytes, UTF-8) of ``values``.

    :param values: a dict: ``document_id`` (this change's number, unique per
        version, e.g. ``P00012-2``), ``issue_date`` (``date``),
        ``sequence_number`` (int ≥ 2: the order's version), ``order_id`` (the
        original Order's ``cbc:ID``), ``currency`` (ISO 4217), optional
        ``note``, ``customer_reference``, ``buyer`` and ``seller`` (party
        dicts, see :func:`_party`), ``delivery`` (an address dict:
        ``street``, ``city``, ``zip``, ``country_code``, ``name``), ``totals``
        (``line_extension``, ``tax``, ``tax_inclusive``, amounts) and
        ``lines``: dicts with ``line_id`` (the Order's ``LineItem/cbc:ID``),
        ``status`` (UNCL 1229 code, default ``3``), ``quantity``,
        ``unit_code`` (UN/ECE Rec. 20), ``line_amount``, ``price`` (of
        ``base_quantity`` units), ``base_quantity``, ``name``,
        ``sellers_item_id``, ``sellers_extended_id`` (the shop's line
        reference, echoed), ``tax_percent``, ``tax_category``,
        ``delivery_date``.
    :raises UBLError: a required value is missing (no order number, no
        lines, a sequence number below 2).
    """
    root = _root(ORDER_CHANGE_NS, "OrderChange")
    _header(root, CUSTOMIZATION_ORDER_CHANGE, values)
    sequence = int(_required(values, "sequence_number"))
    if sequence < 2:
        raise UBLError(
            _("An order change has a sequence number of 2 or more, not %(n)s."),
            code="bad_sequence",
            n=sequence,
        )
    _el(root, "cbc:SequenceNumberID", sequence)
    if values.get("note"):
        _el(root, "cbc:Note", values["note"][:1000])
    currency = _required(values, "currency")
    _el(root, "cbc:DocumentCurrencyCode", currency)
    if values.get("customer_reference"):
        _el(root, "cbc:CustomerReference", values["customer_reference"])
    order_ref = _el(root, "cac:OrderReference")
    _el(order_ref, "cbc:ID", _required(values, "order_id"))
    _party(root, "cac:BuyerCustomerParty", values.get("buyer"))
    _party(root, "cac:SellerSupplierParty", values.get("seller"))
    delivery = values.get("delivery")
    if delivery:
        node = _el(root, "cac:Delivery")
        _address(_el(_el(node, "cac:DeliveryLocation"), "cac:Address"), delivery)
        if delivery.get("name"):
            _el(
                _el(_el(node, "cac:DeliveryParty"), "cac:PartyName"),
                "cbc:Name",
                delivery["name"],
            )
    totals = values.get("totals")
    if totals:
        _amount(
            _el(root, "cac:TaxTotal"), "cbc:TaxAmount", totals.get("tax", 0), currency
        )
        monetary = _el(root, "cac:AnticipatedMonetaryTotal")
        _amount(monetary, "cbc:LineExtensionAmount", totals["line_extension"], currency)
        _amount(monetary, "cbc:TaxExclusiveAmount", totals["line_extension"], currency)
        _amount(monetary, "cbc:TaxInclusiveAmount", totals["tax_inclusive"], currency)
        _amount(monetary, "cbc:PayableAmount", totals["tax_inclusive"], currency)
    lines = values.get("lines") or []
    if not lines:
        raise UBLError(_("An order change has at least one line."), code="no_lines")
    for line in lines:
        _change_line(root, line, currency)
    return _serialize(root)


def build_order_cancellation(values):
    """Return the UBL 2.1 ``OrderCancellation`` (bytes, UTF-8) of ``values``.

    :param values: a dict: ``document_id`` (e.g. ``P00012-3``),
        ``issue_date`` (``date``), ``order_id`` (the original Order's
        ``cbc:ID``), ``note`` (the ``CancellationNote``, required by UBL),
        ``buyer`` and ``seller`` (party dicts, see :func:`_party`).
    :raises UBLError: a required value is missing.
    """
    root = _root(ORDER_CANCELLATION_NS, "OrderCancellation")
    _header(root, CUSTOMIZATION_ORDER_CANCELLATION, values)
    _el(
        root,
        "cbc:CancellationNote",
        _required(values, "note")[:1000],
    )
    _el(
        _el(root, "cac:OrderReference"),
        "cbc:ID",
        _required(values, "order_id"),
    )
    _party(root, "cac:BuyerCustomerParty", values.get("buyer"))
    _party(root, "cac:SellerSupplierParty", values.get("seller"))
    return _serialize(root)
