"""The neutral cart model every punchout format is parsed into."""

import re
import unicodedata
from dataclasses import dataclass, field, fields
from decimal import Decimal

from .const import MAX_LEADTIME_DAYS
from .errors import CartError, _

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation


@dataclass
class CartItem:
    """One line of a returned cart, whatever the format it came in.

    Numbers are ``Decimal``; ``price`` is the price of ``price_unit`` units
    (OCI PRICE / PRICEUNIT, cXML UnitPrice / PriceBasisQuantity), so the
    price of one unit is ``unit_price``.
    """

    line_no: str
    description: str = ""
    quantity: Decimal = Decimal("0")
    unit: str = ""  # the unit code as the shop sent it (PCE, C62, EA, ST...)
    price: Decimal = Decimal("0")
    price_unit: Decimal = Decimal("1")
    currency: str = ""
    leadtime: int | None = None  # days
    vendor: str = ""  # OCI VENDOR: the supplier's number in the buyer's system
    vendormat: str = ""  # OCI VENDORMAT / cXML SupplierPartID
    aux_id: str = ""  # cXML SupplierPartAuxiliaryID, echoed in the order
    manufactmat: str = ""
    manufactcode: str = ""
    matnr: str = ""
    matgroup: str = ""  # OCI MATGROUP / cXML Classification: the NZI code
    ext_product_id: str = ""
    ext_quote_id: str = ""
    ext_quote_item: str = ""
    ext_category_id: str = ""
    ext_category: str = ""
    ext_schema_type: str = ""
    contract: str = ""
    contract_item: str = ""
    service: str = ""
    longtext: str = ""
    cust_fields: dict = field(default_factory=dict)  # {1: "...", ..., 5: "..."}
    attachments: list = field(default_factory=list)  # [{"url", "title", "purpose"}]
    parent_id: str = ""  # OCI 5 hierarchies
    item_type: str = ""  # OCI 5: "R" regular item, "O" outline (a group heading)
    classifications: dict = field(default_factory=dict)  # {domain: value}
    extrinsics: dict = field(default_factory=dict)  # cXML Extrinsic name -> text
    extra: dict = field(default_factory=dict)  # fields we do not know, kept as sent
    tax_rate: Decimal | None = None  # VAT percentage the cart states (cXML Tax)

    @property
    def unit_price(self):
        """Price of one unit: PRICE / PRICEUNIT."""
        return self.price / self.price_unit if self.price_unit else self.price

    @property
    def is_outline(self):
        """An OCI 5 outline (group heading), not an orderable item."""
        return self.item_type.upper() == "O"


@dataclass
class Cart:
    items: list = field(default_factory=list)
    protocol: str = ""  # "oci", "oci_xml" or "cxml"
    currency: str = ""
    buyer_cookie: str = ""  # cXML BuyerCookie (our session token)
    total: Decimal | None = None
    operation: str = ""  # cXML operationAllowed / OCI ~OkCode
    extra: dict = field(default_factory=dict)


# Beyond these a number is a typing or encoding error, not an order: a
# gift shop sells no billion items, nor one item at a trillion.
MAX_QUANTITY = Decimal("1000000000")
MAX_UNIT_PRICE = Decimal("1000000000000")


def check_plausible(cart):
    """Raise a ``CartError`` for an item whose quantity or price is absurd."""
    for item in cart.items:
        if item.is_outline:
            continue
        if item.quantity > MAX_QUANTITY:
            raise CartError(
                _("Line %(line)s: the quantity %(quantity)s is not plausible."),
                code="implausible_quantity",
                line=item.line_no,
                quantity=item.quantity,
            )
        if item.unit_price > MAX_UNIT_PRICE or item.price > MAX_UNIT_PRICE:
            raise CartError(
                _("Line %(line)s: the price %(price)s is not plausible."),
                code="implausible_price",
                line=item.line_no,
                price=item.price,
            )
        if item.leadtime is not None and item.leadtime > MAX_LEADTIME_DAYS:
            raise CartError(
                _("Line %(line)s: the lead time of %(days)s days is not plausible."),
                code="implausible_leadtime",
                line=item.line_no,
                days=item.leadtime,
            )


# Characters XML 1.0 cannot carry (C0 controls but tab, LF and CR; lone
# surrogates; U+FFFE and U+FFFF). A word processor's manual line break is a
# vertical tab and its page break a form feed: those become a line break.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def xml_text(value):
    """``value`` without the characters XML 1.0 cannot carry."""
    return _XML_INVALID.sub("", value.translate(_LINE_BREAKS))


def _clean_value(value):
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {_clean_value(k): _clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clean_value(v) for v in value)
    return value


def clean_texts(cart):
    """Remove from every text of ``cart`` what an XML 1.0 document cannot
    carry, so that an order built from it can always be sent. Called once,
    by each parser, on the cart it returns."""
    for item in cart.items:
        for spec in fields(item):
            setattr(item, spec.name, _clean_value(getattr(item, spec.name)))
    for spec in fields(cart):
        if spec.name != "items":
            setattr(cart, spec.name, _clean_value(getattr(cart, spec.name)))
    return cart


def normalise_location_code(value):
    """A delivery-location code as the shop may spell it, made comparable:
    Unicode-normalised (NFKC), without spaces or invisible characters
    (format characters such as U+200B), case-folded. ``LOC-UTR``,
    `` loc-utr `` and ``LOC-\\u200bUTR`` are the same code."""
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(
        char
        for char in value
        if not char.isspace() and unicodedata.category(char) not in ("Cf", "Cc")
    ).casefold()
