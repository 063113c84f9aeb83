from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol.errors import CartError
from protocol.numbers import parse_decimal, parse_int, parse_tax_rate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "1"),
        ("1.00", "1"),
        ("1,00", "1"),
        ("0000000001.000", "1"),  # SAP fixed width
        ("00000000016.180", "16.18"),  # the sapoci gem's own output
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),  # no-break space
        ("1'234.56", "1234.56"),
        ("1\u2019234.56", "1234.56"),  # typographic apostrophe
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("12 345 678,9", "12345678.9"),
        ("+3", "3"),
        ("  2 ", "2"),
        (" 780,12", "780.12"),  # sapoci test_parse_numeric_fields_with_comma
        ("100 ", "100"),
        ("12.", "12"),
        (".5", "0.5"),
        (",5", "0.5"),
        ("5-", "-5"),  # SAP trailing minus
        ("12,50-", "-12.5"),
        ("-7.25", "-7.25"),
        ("- 7", "-7"),
        ("-0", "0"),
        ("0", "0"),
        # A lone separator is decimal, also before exactly three digits.
        ("1.234", "1.234"),
        ("1,234", "1.234"),
    ],
)
def test_parse_decimal_accepts(text, expected):
    assert parse_decimal(text) == Decimal(expected)


def test_parse_decimal_keeps_the_digits_sent():
    assert str(parse_decimal("0000000001.000")) == "1.000"
    assert str(parse_decimal("-0")) == "0"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "1e5",
        "1E5",
        "1.5e-3",
        "abc",
        "12 EUR",
        "EUR 12",
        "€12",
        "0x1F",
        "--5",
        "+-5",
        "-5-",
        "+5-",
        "5+",
        "5--",
        "1" * 41,
        ".",
        ",",
        "-",
        "1 23",
        "1.2.3",
        "1,23,456",
        "1.234,5.6",
        "1,2,3.4,5",
        "1.234 567,8",
        "1,5 0",
        "١٢",  # Arabic-Indic digits
        "½",
    ],
)
def test_parse_decimal_refuses(text):
    with pytest.raises(CartError) as caught:
        parse_decimal(text, "PRICE")
    assert caught.value.code == "bad_number"
    assert caught.value.params["field"] == "PRICE"
    assert "PRICE" in str(caught.value)


def test_parse_decimal_error_names_field_and_value():
    with pytest.raises(CartError) as caught:
        parse_decimal("twaalf", "QUANTITY")
    assert str(caught.value) == "QUANTITY: 'twaalf' is not a number."


def test_parse_decimal_error_without_field():
    with pytest.raises(CartError) as caught:
        parse_decimal("x")
    assert str(caught.value) == "value: 'x' is not a number."


def test_parse_decimal_error_truncates_huge_values():
    with pytest.raises(CartError) as caught:
        parse_decimal("9" * 5000, "PRICE")
    assert len(caught.value.params["value"]) == 50
    assert caught.value.params["value"].endswith("...")


def test_parse_decimal_accepts_numbers():
    assert parse_decimal(Decimal("2.50")) == Decimal("2.50")
    assert parse_decimal(3) == Decimal(3)


@pytest.mark.parametrize("value", [None, 1.5, True, b"1", Decimal("NaN")])
def test_parse_decimal_refuses_other_types(value):
    with pytest.raises(CartError) as caught:
        parse_decimal(value, "PRICE")
    assert caught.value.code == "bad_number"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        ("007", 7),
        ("7.0", 7),
        ("7,000", 7),
        (" 14 ", 14),
        ("0", 0),
        ("2.5", 3),  # part of a day rounds up
        ("", None),
        ("   ", None),
        (None, None),
        (5, 5),
    ],
)
def test_parse_int(text, expected):
    assert parse_int(text, "LEADTIME") == expected


@pytest.mark.parametrize("text", ["-1", "1-", "7 dagen", "3d", "1e2"])
def test_parse_int_refuses(text):
    with pytest.raises(CartError) as caught:
        parse_int(text, "LEADTIME")
    assert caught.value.code == "bad_number"
    assert "LEADTIME" in str(caught.value)


def _group(digits, sep):
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(groups)


def _format(value, places, style):
    """Format ``value`` the way a shop of ``style`` would."""
    negative = value < 0
    text = f"{abs(value):.{places}f}"
    integer, _sep, fraction = text.partition(".")
    if style == "plain":
        out = text
    elif style == "comma":
        out = text.replace(".", ",")
    elif style == "sap":
        out = integer.zfill(11) + ("." + fraction if fraction else "")
    elif style == "de":
        out = _group(integer, ".") + "," + fraction
    elif style == "en":
        out = _group(integer, ",") + "." + fraction
    elif style == "fr":
        out = _group(integer, " ") + "," + fraction
    elif style == "ch":
        out = _group(integer, "'") + "." + fraction
    if not negative:
        return out
    return out + "-" if style == "sap" else "-" + out


@settings(max_examples=300)
@given(
    value=st.decimals(
        min_value=Decimal("-99999999999"),
        max_value=Decimal("99999999999"),
        allow_nan=False,
        allow_infinity=False,
        places=3,
    ),
    style=st.sampled_from(["plain", "comma", "sap", "de", "en", "fr", "ch"]),
    places=st.integers(min_value=0, max_value=3),
)
def test_parse_decimal_round_trips_every_style(value, style, places):
    if style in ("de", "en", "fr", "ch"):
        places = max(places, 1)  # "1,234" alone would be 1.234 (documented)
    text = _format(value, places, style)
    expected = Decimal(f"{value:.{places}f}")
    assert parse_decimal(text) == expected, text


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=50), st.from_regex(r"[-+ 0-9.,'eE]{0,20}")))
def test_parse_decimal_returns_a_finite_decimal_or_refuses(text):
    try:
        result = parse_decimal(text, "QUANTITY")
    except CartError as exc:
        assert exc.code == "bad_number"
    else:
        assert isinstance(result, Decimal)
        assert result.is_finite()


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("9", Decimal(9)),
        ("9%", Decimal(9)),
        (" 21,0 % ", Decimal("21.0")),
        ("0", Decimal(0)),
        ("", None),
        ("hoog", None),
        ("121", None),
        (None, None),
    ],
)
def test_parse_tax_rate(text, rate):
    assert parse_tax_rate(text) == rate
