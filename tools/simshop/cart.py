"""Cart lines: what a buyer picked, validated against the shop's rules."""

import re
import secrets
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from . import catalogue

MAX_QUANTITY = Decimal("9999")
LOGO_ALIASES = {
    "COMPANY": "COMPANY",
    "BEDRIJFSLOGO": "COMPANY",
    "LOGO": "COMPANY",
    "NONE": "NONE",
    "GEEN": "NONE",
    "GEEN LOGO": "NONE",
    "": "NONE",
}


class LineError(ValueError):
    """A cart line the shop refuses; the message is Dutch, for the user."""


def new_ref():
    """A fresh line reference (personalisation key): ``TGP-`` + 8 hex digits."""
    return "TGP-" + secrets.token_hex(4).upper()


def normalise_newlines(value):
    """Line breaks as a browser submits them (CRLF)."""
    return re.sub(r"\r\n|\r|\n", "\r\n", value or "")


@dataclass
class CartLine:
    ref: str
    code: str
    quantity: Decimal
    card_text: str = ""
    logo: str = catalogue.DEFAULT_LOGO
    location: str = catalogue.DEFAULT_LOCATION

    @property
    def gift(self):
        return catalogue.get(self.code)

    @property
    def amount(self):
        """Line amount excl. VAT, rounded to cents."""
        return catalogue.money(self.quantity * self.gift.unit_price)

    def to_dict(self):
        data = asdict(self)
        data["quantity"] = str(self.quantity)
        return data

    @classmethod
    def from_dict(cls, data):
        return cls(
            ref=data["ref"],
            code=data["code"],
            quantity=Decimal(data["quantity"]),
            card_text=data.get("card_text", ""),
            logo=data.get("logo", catalogue.DEFAULT_LOGO),
            location=data.get("location", catalogue.DEFAULT_LOCATION),
        )


def make_line(code, quantity, card_text="", logo="", location="", ref=None):
    """A validated :class:`CartLine`.

    :raises LineError: unknown article, bad quantity, card text over the
        shop's limit, unknown logo choice or delivery location.
    """
    gift = catalogue.get(code)
    if gift is None:
        raise LineError(f"Onbekend artikel: {code}")
    try:
        qty = Decimal(str(quantity).strip().replace(",", "."))
    except InvalidOperation:
        raise LineError(f"Ongeldig aantal: {quantity}") from None
    if not qty.is_finite() or qty <= 0 or qty > MAX_QUANTITY or qty != int(qty):
        raise LineError(f"Ongeldig aantal: {quantity} (1 tot en met 9999 stuks)")
    card_text = normalise_newlines((card_text or "").strip())
    if len(card_text) > catalogue.CARD_TEXT_MAX:
        raise LineError(
            f"De kaarttekst is {len(card_text)} tekens; "
            f"maximaal {catalogue.CARD_TEXT_MAX} tekens toegestaan."
        )
    logo_code = LOGO_ALIASES.get(str(logo or "").strip().upper())
    if logo_code is None:
        raise LineError(f"Onbekende logokeuze: {logo}")
    location = (location or catalogue.DEFAULT_LOCATION).strip().upper()
    if location not in catalogue.LOCATIONS:
        raise LineError(f"Onbekende afleverlocatie: {location}")
    return CartLine(
        ref=ref or new_ref(),
        code=gift.code,
        quantity=Decimal(int(qty)),
        card_text=card_text,
        logo=logo_code,
        location=location,
    )


def cart_total(lines):
    return sum((line.amount for line in lines), Decimal("0.00"))
