"""The simulated shop's catalogue: a handful of business gifts.

Prices are excluding VAT and are the price of ``price_unit`` units (OCI
PRICE / PRICEUNIT). Units are the SAP/ISO codes an OCI shop sends; the
cXML and UBL codes are derived from them.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

CURRENCY = "EUR"
CARD_TEXT_MAX = 250  # the shop's limit for a greeting card

# The logo choice as the form offers it and as CUST_FIELD2 carries it.
LOGO_CHOICES = {"COMPANY": "Bedrijfslogo", "NONE": "Geen logo"}
DEFAULT_LOGO = "NONE"

# Delivery locations the buyer may pick per line (CUST_FIELD3).
LOCATIONS = {
    "LOC-UTR": "Hoofdkantoor Utrecht",
    "LOC-RTM": "Vestiging Rotterdam",
    "LOC-HOME": "Thuisadres ontvanger",
}
DEFAULT_LOCATION = "LOC-UTR"

UNIT_LABELS = {"PCE": "stuk", "SET": "set", "BX": "doos"}
# OCI (SAP ISO) unit -> cXML UnitOfMeasure (UN/ECE Rec. 20).
CXML_UNITS = {"PCE": "EA", "SET": "SET", "BX": "BX"}
# Any unit a buyer may send back -> UN/ECE Rec. 20 code for the invoice.
UNECE_UNITS = {"PCE": "H87", "ST": "H87", "STK": "H87", "PC": "H87", "PCS": "H87"}


@dataclass(frozen=True)
class Gift:
    code: str  # the vendor's article number (OCI VENDORMAT, cXML SupplierPartID)
    product_id: str  # the shop's internal product id (OCI EXT_PRODUCT_ID)
    name: str
    description: str
    price: Decimal  # excl. VAT, for ``price_unit`` units
    vat_rate: int  # percent: 9 or 21
    unit: str  # OCI unit code
    price_unit: int
    nzi_code: str  # NZI purchasing classification (OCI MATGROUP)
    leadtime: int  # days
    color: str  # background of the generated image

    @property
    def unit_price(self):
        """Price of one unit, excl. VAT (not rounded)."""
        return self.price / self.price_unit

    @property
    def price_incl(self):
        """Price of ``price_unit`` units including VAT, rounded to cents."""
        return money(self.price * (100 + self.vat_rate) / 100)

    @property
    def unit_label(self):
        return UNIT_LABELS.get(self.unit, self.unit)

    @property
    def cxml_unit(self):
        return CXML_UNITS.get(self.unit, self.unit)


GIFTS = (
    Gift(
        code="TG-KP-001",
        product_id="100101",
        name="Kerstpakket Deluxe",
        description=(
            "Luxe kerstpakket in een houten kist met Hollandse kaas, "
            "worst, paté, crackers, notenmix, chocolade van de Zaanse "
            "chocolatier en een fles alcoholvrije glühwein. Geleverd met "
            "stevig transportkarton en een persoonlijke wenskaart; geschikt "
            "voor verzending naar kantoor of huisadres."
        ),
        price=Decimal("49.95"),
        vat_rate=9,
        unit="PCE",
        price_unit=1,
        nzi_code="NZI-4410",
        leadtime=3,
        color="#b22222",
    ),
    Gift(
        code="TG-BL-002",
        product_id="100102",
        name="Bloemetje met kaart",
        description=("Seizoensboeket van de kweker, met een wenskaart naar keuze."),
        price=Decimal("19.95"),
        vat_rate=9,
        unit="PCE",
        price_unit=1,
        nzi_code="NZI-4420",
        leadtime=1,
        color="#d16aa6",
    ),
    Gift(
        code="TG-WK-003",
        product_id="100103",
        name="Wijnkist Bordeaux",
        description=(
            "Houten wijnkist met twee flessen Bordeaux (rood, AOC) en een "
            "kurkentrekker. Alleen te bestellen voor ontvangers van 18 jaar "
            "en ouder."
        ),
        price=Decimal("64.50"),
        vat_rate=21,
        unit="BX",
        price_unit=1,
        nzi_code="NZI-4430",
        leadtime=4,
        color="#6b1e3a",
    ),
    Gift(
        code="TG-PB-004",
        product_id="100104",
        name="Relatiegeschenk Powerbank met logo",
        description=(
            "Powerbank 10.000 mAh met USB-C, in geschenkdoos; met uw "
            "bedrijfslogo gegraveerd als u dat kiest."
        ),
        price=Decimal("17.25"),
        vat_rate=21,
        unit="PCE",
        price_unit=1,
        nzi_code="NZI-7120",
        leadtime=10,
        color="#2f4f6f",
    ),
    Gift(
        code="TG-CT-005",
        product_id="100105",
        name="Chocoladetaart",
        description="Chocoladetaart voor 8 personen, vers van de banketbakker.",
        price=Decimal("24.95"),
        vat_rate=9,
        unit="PCE",
        price_unit=1,
        nzi_code="NZI-4410",
        leadtime=2,
        color="#5b3a29",
    ),
    Gift(
        code="TG-BB-006",
        product_id="100106",
        name="Bonbons Crème Brûlée",
        description=(
            "Handgemaakte bonbons met crème-brûléevulling, per stuk verpakt; "
            "prijs per 10 stuks."
        ),
        price=Decimal("12.50"),
        vat_rate=9,
        unit="PCE",
        price_unit=10,
        nzi_code="NZI-4410",
        leadtime=2,
        color="#8b5a2b",
    ),
    Gift(
        code="TG-CB-007",
        product_id="100107",
        name="Cadeaubon 25 EUR",
        description="Cadeaubon ter waarde van 25 euro, te besteden in de webshop.",
        price=Decimal("20.66"),
        vat_rate=21,
        unit="PCE",
        price_unit=1,
        nzi_code="NZI-9910",
        leadtime=1,
        color="#2e7d32",
    ),
    Gift(
        code="TG-TK-008",
        product_id="100108",
        name="Thee & koekjes set",
        description="Set van biologische thee (4 smaken) en roomboterkoekjes.",
        price=Decimal("15.75"),
        vat_rate=9,
        unit="SET",
        price_unit=1,
        nzi_code="NZI-4410",
        leadtime=3,
        color="#c28e0e",
    ),
)

BY_CODE = {gift.code: gift for gift in GIFTS}


def get(code):
    """The gift with vendor code ``code``, or None."""
    return BY_CODE.get((code or "").strip().upper())


def money(amount):
    """Round to cents, half up (the shop's rounding everywhere)."""
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def to_unece(unit):
    """A UN/ECE Rec. 20 unit code for ``unit`` (OCI, cXML or already UN/ECE)."""
    unit = (unit or "").strip().upper()
    return UNECE_UNITS.get(unit, unit or "H87")


def gift_svg(gift):
    """A small generated SVG picture of ``gift``."""
    initials = "".join(word[0] for word in gift.name.split()[:2]).upper()
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160" '
        'viewBox="0 0 240 160" role="img">'
        f"<title>{escape(gift.name)}</title>"
        f'<rect width="240" height="160" rx="12" fill="{gift.color}"/>'
        '<rect x="104" y="0" width="32" height="160" fill="#f5d76e" '
        'opacity="0.85"/>'
        '<rect x="0" y="64" width="240" height="32" fill="#f5d76e" '
        'opacity="0.85"/>'
        '<circle cx="120" cy="80" r="34" fill="#ffffff" opacity="0.92"/>'
        '<text x="120" y="92" font-family="sans-serif" font-size="32" '
        f'text-anchor="middle" fill="{gift.color}">{escape(initials)}</text>'
        "</svg>"
    )
