"""Lenient parsing of the numbers OCI shops send.

Accepted: ``1``, ``1.00``, ``1,00``, ``0000000001.000`` (SAP's fixed width),
``1.234,56``, ``1,234.56``, ``1 234,56``, ``1'234.56``, ``+3``, ``12.``,
``.5`` and SAP's trailing minus ``5-``. Refused: empty values, NaN, Infinity,
exponents (``1e5``), letters, more than one sign and values over 40 characters.

A single separator is the decimal separator, also when exactly three digits
follow it: ``1.234`` and ``1,234`` are 1.234, because OCI prescribes a decimal
point and never a thousands separator. A separator that occurs more than once
(``1.234.567``) or before the other one (``1.234,56``) groups thousands, and
then every group after the first must have three digits.
"""

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from .const import MAX_NUMBER_LENGTH
from .errors import CartError, _

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation

_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2019": "'"}
_BODY = re.compile(r"[0-9.,' ]*[0-9][0-9.,' ]*")
_DIGITS = re.compile(r"[0-9]*")

# The messages (the cart parsers prefix them with the cart line).
NOT_A_NUMBER = _("%(field)s: '%(value)s' is not a number.")
EMPTY_NUMBER = _("%(field)s is empty; a number is required.")
NUMBER_TOO_LONG = _("%(field)s: '%(value)s' is too long for a number.")
NEGATIVE_NUMBER = _("%(field)s: '%(value)s' must not be negative.")


def _error(message, field, value):
    value = value if isinstance(value, str) else repr(value)
    if len(value) > 50:
        value = value[:47] + "..."
    return CartError(message, code="bad_number", field=field or "value", value=value)


def _not_a_number(field, value):
    return _error(NOT_A_NUMBER, field, value)


def _integer_part(text, group, field, value):
    """Digits of ``text`` once its thousands separators are checked."""
    separators = {char for char in text if not char.isdigit()}
    if not separators:
        return text
    if len(separators) > 1 or (group and separators != {group}):
        raise _not_a_number(field, value)
    sep = re.escape(separators.pop())
    if not re.fullmatch(rf"[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+", text):
        raise _not_a_number(field, value)
    return re.sub(sep, "", text)


def _split_sign(text, field, value):
    """Return ``(negative, unsigned text)``; SAP puts the minus at the end."""
    negative = signed = False
    if text[0] in "+-":
        negative, signed = text[0] == "-", True
        text = text[1:].lstrip()
    if text.endswith("-"):
        if signed:
            raise _not_a_number(field, value)
        negative = True
        text = text[:-1].rstrip()
    return negative, text


def _split_decimal(text, field, value):
    """Return ``(integer part, fraction, thousands separator)``."""
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        group = "," if decimal_sep == "." else "."
    elif dots > 1 or commas > 1:
        decimal_sep, group = None, "." if dots else ","
    else:
        decimal_sep = "." if dots else "," if commas else None
        group = None
    if not decimal_sep:
        return text, "", group
    if text.count(decimal_sep) > 1:
        raise _not_a_number(field, value)
    integer, fraction = text.split(decimal_sep)
    return integer, fraction, group


def parse_decimal(text, field=None):
    """Return ``text`` as a ``Decimal``.

    :param field: the field name used in the error message.
    :raises CartError: code ``bad_number``.
    """
    if isinstance(text, Decimal) and text.is_finite():
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Decimal(text)
    if not isinstance(text, str):
        raise _not_a_number(field, text)
    value = text
    for char, replacement in _SPACES.items():
        text = text.replace(char, replacement)
    text = text.strip()
    if not text:
        raise _error(EMPTY_NUMBER, field, value)
    if len(text) > MAX_NUMBER_LENGTH:
        raise _error(NUMBER_TOO_LONG, field, value)
    negative, text = _split_sign(text, field, value)
    if not _BODY.fullmatch(text):
        raise _not_a_number(field, value)
    integer, fraction, group = _split_decimal(text, field, value)
    if not _DIGITS.fullmatch(fraction):
        raise _not_a_number(field, value)
    integer = _integer_part(integer, group, field, value)
    try:
        number = Decimal(f"{integer or '0'}.{fraction}" if fraction else integer)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regexes
        raise _not_a_number(field, value) from exc
    if negative:
        number = -number
    return abs(number) if number.is_zero() else number


def parse_int(text, field=None):
    """Return a whole number (LEADTIME days) or ``None`` when empty.

    ``7``, ``007`` and ``7.0`` are 7; a fraction of a day rounds up
    (``2.5`` is 3 days), a negative value is refused.

    :raises CartError: code ``bad_number``.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    number = parse_decimal(text, field)
    if number < 0:
        raise _error(NEGATIVE_NUMBER, field, text)
    return int(number.to_integral_value(rounding=ROUND_CEILING))


def parse_tax_rate(text):
    """A VAT rate as a shop writes it (``9``, ``9%``, ``21,0 %``, ``0.09`` is
    not a rate but 0.09 %), as a ``Decimal`` percentage; ``None`` when empty
    or not a number between 0 and 100."""
    if not isinstance(text, str):
        return None
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    try:
        rate = parse_decimal(text)
    except ValueError:
        return None
    return rate if 0 <= rate <= 100 else None
