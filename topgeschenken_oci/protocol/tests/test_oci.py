import base64
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol import const
from protocol.cart import Cart
from protocol.errors import CartError
from protocol.forms import decode_form_body
from protocol.oci import (
    build_oci_login_fields,
    group_oci_fields,
    parse_oci_form,
)

FORM = "application/x-www-form-urlencoded"


def item_pairs(index, **fields):
    return [(f"NEW_ITEM-{name}[{index}]", value) for name, value in fields.items()]


def gift_cart():
    """A Topgeschenken.nl cart as its OCI form posts it back."""
    return [
        ("~OkCode", "ADDI"),
        ("~target", "_top"),
        ("~caller", "CTLG"),
        *item_pairs(
            1,
            DESCRIPTION="Kerstpakket Deluxe",
            QUANTITY="25.000",
            UNIT="PCE",
            PRICE="49.95",
            PRICEUNIT="1",
            CURRENCY="EUR",
            LEADTIME="5",
            VENDOR="100234",
            VENDORMAT="TG-KP-DLX",
            MATGROUP="53141600",
            EXT_PRODUCT_ID="kerstpakket-deluxe",
            CUST_FIELD1="Afdeling Inkoop",
            CUST_FIELD5="TG-2025-000123-1",
        ),
        ("NEW_ITEM-LONGTEXT_1:132[]", "Luxe kerstpakket met Belgische bonbons, "),
        ("NEW_ITEM-LONGTEXT_1:132[]", "rode wijn en een geurkaars."),
        *item_pairs(
            2,
            DESCRIPTION="Bloemetje + kaart",
            QUANTITY="3",
            UNIT="ST",
            PRICE="24,50",
            CURRENCY="eur",
            VENDORMAT="TG-BL-KRT",
            CUST_FIELD5="TG-2025-000123-2",
            ATTACHMENT="https://www.topgeschenken.nl/kaart/123.pdf",
            ATTACHMENT_TITLE="Kaarttekst",
            ATTACHMENT_PURPOSE="C",
        ),
        (
            "NEW_ITEM-LONGTEXT_2:132[]",
            'Kaarttekst: "Bedankt voor een geweldig jaar!"\r\nCafé Één',
        ),
    ]


# --- the meplato/sapoci fixtures ----------------------------------------------


def test_sapoci_valid_long(sapoci_pairs):
    cart = parse_oci_form(sapoci_pairs("valid_long_html"))
    assert cart.protocol == "oci"
    assert cart.currency == "EUR"
    assert [item.line_no for item in cart.items] == ["1", "2"]
    macbook, imac = cart.items
    assert macbook.description == 'Apple MacBook Air 11"'
    assert macbook.quantity == Decimal("1")
    assert macbook.unit == "PCE"
    assert macbook.price == Decimal("999.90")
    assert macbook.price_unit == Decimal("1")
    assert macbook.unit_price == Decimal("999.90")
    assert macbook.currency == "EUR"
    assert macbook.leadtime == 7
    assert macbook.vendor == "Apple"
    assert macbook.vendormat == "MBA11"
    assert macbook.matgroup == "NOTEBOOK"
    assert macbook.longtext == "Ein tolles Notebook von Apple."
    assert macbook.service == ""
    assert macbook.extra == {"GTIN": "2000111096426"}
    assert imac.description == 'Apple iMac 27"'
    assert imac.quantity == Decimal("2")
    assert imac.price == Decimal("1799")
    assert imac.service == "X"
    assert imac.longtext == "Der elegante Desktop-Rechner von Apple."
    assert imac.extra == {"GTIN": "4060838384365"}


def test_sapoci_longtext_spellings_seen_in_the_wild(sapoci_pairs):
    cart = parse_oci_form(sapoci_pairs("valid_invalid_longtext_html"))
    assert [(item.line_no, item.longtext) for item in cart.items] == [
        ("1", "Ein tolles Notebook von Apple."),
        ("2", "Der elegante Desktop-Rechner von Apple."),
        ("3", "Der Profi-Rechner von Apple."),
        ("4", "Das Pro Tablet von Apple."),
        ("5", "Das iPhone 7 Plus. Weil größer ist besser."),
    ]
    assert [item.leadtime for item in cart.items] == [7, 7, 14, 3, 3]
    assert cart.items[3].vendormat == "IPADPRO10/5"
    assert cart.items[4].vendormat == "IPHONE7+"
    assert all(item.extra == {} for item in cart.items)


def test_sapoci_quotes_in_a_single_quoted_value(sapoci_pairs):
    pairs = sapoci_pairs("valid_html_with_quotes")
    items, extra = group_oci_fields(pairs)
    assert items == {1: {"DESCRIPTION": '19" Rack'}}
    assert extra == {}
    # The fixture holds no QUANTITY: the cart is refused, naming line and field.
    with pytest.raises(CartError) as caught:
        parse_oci_form(pairs)
    assert caught.value.code == "bad_quantity"
    assert str(caught.value) == "Line 1, field QUANTITY: the quantity is missing."
    cart = parse_oci_form([*pairs, *item_pairs(1, QUANTITY="1", PRICE="0")])
    assert cart.items[0].description == '19" Rack'


def test_sapoci_items_posted_out_of_order(sapoci_pairs):
    pairs = sapoci_pairs("valid_multiple_html")
    assert [name for name, _value in pairs] == [
        "NEW_ITEM-DESCRIPTION[2]",
        "NEW_ITEM-DESCRIPTION[3]",
        "NEW_ITEM-DESCRIPTION[1]",
    ]
    items, _extra = group_oci_fields(pairs)
    assert list(items) == [1, 2, 3]
    with pytest.raises(CartError) as caught:
        parse_oci_form(pairs)
    assert caught.value.params["line"] == "1"  # the first line, not the first sent
    for index in (1, 2, 3):
        pairs += item_pairs(index, QUANTITY="1", PRICE="1.00", CURRENCY="EUR")
    cart = parse_oci_form(pairs)
    assert [item.description for item in cart.items] == [
        "Description 1",
        "Description 2",
        "Description 3",
    ]


# --- a realistic gift cart ------------------------------------------------------


def test_gift_cart():
    cart = parse_oci_form(gift_cart(), aux_id_field="CUST_FIELD5")
    assert isinstance(cart, Cart)
    assert cart.protocol == "oci"
    assert cart.currency == "EUR"
    assert cart.operation == "ADDI"
    assert cart.extra == {"~OkCode": "ADDI", "~target": "_top", "~caller": "CTLG"}
    assert cart.total is None
    pakket, bloemen = cart.items
    assert pakket.line_no == "1"
    assert pakket.description == "Kerstpakket Deluxe"
    assert pakket.quantity == Decimal("25")
    assert pakket.price == Decimal("49.95")
    assert pakket.leadtime == 5
    assert pakket.vendor == "100234"
    assert pakket.matgroup == "53141600"
    assert pakket.ext_product_id == "kerstpakket-deluxe"
    assert pakket.cust_fields == {1: "Afdeling Inkoop", 5: "TG-2025-000123-1"}
    assert pakket.aux_id == "TG-2025-000123-1"
    assert pakket.attachments == []
    # Two short chunks are two lines; the trailing space before the break goes.
    assert pakket.longtext == (
        "Luxe kerstpakket met Belgische bonbons,\nrode wijn en een geurkaars."
    )
    assert bloemen.price == Decimal("24.50")
    assert bloemen.currency == "EUR"
    assert bloemen.unit == "ST"
    assert bloemen.leadtime is None
    assert bloemen.aux_id == "TG-2025-000123-2"
    assert bloemen.attachments == [
        {
            "url": "https://www.topgeschenken.nl/kaart/123.pdf",
            "title": "Kaarttekst",
            "purpose": "C",
        }
    ]
    assert bloemen.longtext == (
        'Kaarttekst: "Bedankt voor een geweldig jaar!"\nCafé Één'
    )


@pytest.mark.parametrize(
    "aux_id_field",
    ["EXT_QUOTE_ITEM", "ext_quote_item", "NEW_ITEM-EXT_QUOTE_ITEM", " EXT_QUOTE_ITEM "],
)
def test_aux_id_from_another_field(aux_id_field):
    pairs = item_pairs(
        1,
        DESCRIPTION="Wijnkist Bordeaux",
        QUANTITY="1",
        PRICE="89.00",
        EXT_QUOTE_ID="Q-77",
        EXT_QUOTE_ITEM="0010",
    )
    item = parse_oci_form(pairs, aux_id_field=aux_id_field).items[0]
    assert item.aux_id == "0010"
    assert item.ext_quote_id == "Q-77"
    assert item.ext_quote_item == "0010"


def test_aux_id_from_an_unknown_field():
    pairs = item_pairs(1, DESCRIPTION="Taart", QUANTITY="1", PRICE="30", REF="R-9")
    item = parse_oci_form(pairs, aux_id_field="REF").items[0]
    assert item.aux_id == "R-9"
    assert item.extra == {"REF": "R-9"}


def test_no_aux_id_field_leaves_aux_id_empty():
    item = parse_oci_form(gift_cart()).items[0]
    assert item.aux_id == ""


def test_all_oci_fields():
    values = {
        "DESCRIPTION": "Relatiegeschenk",
        "MATNR": "MAT-1",
        "MATGROUP": "GIFTS",
        "QUANTITY": "2",
        "UNIT": "EA",
        "PRICE": "0.50",
        "PRICEUNIT": "5",
        "CURRENCY": "USD",
        "LEADTIME": "1",
        "VENDOR": "1768",
        "VENDORMAT": "648570",
        "MANUFACTCODE": "4711",
        "MANUFACTMAT": "4712",
        "CONTRACT": "4600000011",
        "CONTRACT_ITEM": "10",
        "SERVICE": "",
        "EXT_QUOTE_ID": "Q1",
        "EXT_QUOTE_ITEM": "1",
        "EXT_PRODUCT_ID": "P-1",
        "EXT_SCHEMA_TYPE": "UNSPSC",
        "EXT_CATEGORY_ID": "53141600",
        "EXT_CATEGORY": "Gifts",
        "SLD_SYS_NAME": "TG_SHOP",
        "CUST_FIELD1": "a",
        "CUST_FIELD2": "b",
        "CUST_FIELD3": "c",
        "CUST_FIELD4": "d",
        "CUST_FIELD5": "e",
        "ATTACHMENT": "https://x.example/a.pdf",
        "ATTACHMENT_TITLE": "Offerte",
        "ATTACHMENT_PURPOSE": "A",
        "PARENT_ID": "",
        "ITEM_TYPE": "r",
    }
    assert set(values) | {"LONGTEXT"} == set(const.OCI5_ITEM_FIELDS)
    item = parse_oci_form(item_pairs(1, **values)).items[0]
    assert (item.description, item.matnr, item.matgroup) == (
        "Relatiegeschenk",
        "MAT-1",
        "GIFTS",
    )
    assert (item.quantity, item.unit, item.price, item.price_unit) == (
        Decimal(2),
        "EA",
        Decimal("0.50"),
        Decimal(5),
    )
    assert item.unit_price == Decimal("0.1")
    assert (item.currency, item.leadtime, item.vendor, item.vendormat) == (
        "USD",
        1,
        "1768",
        "648570",
    )
    assert (item.manufactcode, item.manufactmat) == ("4711", "4712")
    assert (item.contract, item.contract_item) == ("4600000011", "10")
    assert (item.ext_quote_id, item.ext_quote_item, item.ext_product_id) == (
        "Q1",
        "1",
        "P-1",
    )
    assert (item.ext_schema_type, item.ext_category_id, item.ext_category) == (
        "UNSPSC",
        "53141600",
        "Gifts",
    )
    assert item.cust_fields == {1: "a", 2: "b", 3: "c", 4: "d", 5: "e"}
    assert item.attachments == [
        {"url": "https://x.example/a.pdf", "title": "Offerte", "purpose": "A"}
    ]
    assert item.item_type == "R"
    assert item.is_outline is False
    assert item.extra == {"SLD_SYS_NAME": "TG_SHOP"}


# --- field names and indices ---------------------------------------------------


@pytest.mark.parametrize(
    ("indices", "lines"),
    [
        (["0", "1"], ["0", "1"]),  # 0-based
        (["001", "002"], ["1", "2"]),  # zero-padded
        (["0000000001", "10"], ["1", "10"]),  # numeric order, not text order
        (["1", "3", "4"], ["1", "3", "4"]),  # holes (sapoci test_parse_invalid_order)
        (["10", "9"], ["9", "10"]),
    ],
)
def test_indices(indices, lines):
    pairs = []
    for number, index in enumerate(indices):
        pairs += [
            (f"NEW_ITEM-DESCRIPTION[{index}]", f"Artikel {number}"),
            (f"NEW_ITEM-QUANTITY[{index}]", "1"),
            (f"NEW_ITEM-PRICE[{index}]", "1"),
        ]
    assert [item.line_no for item in parse_oci_form(pairs).items] == lines


@pytest.mark.parametrize(
    "name",
    [
        "new_item-description[1]",
        "New_Item-Description[1]",
        "NEW_ITEM-DESCRIPTION [1]",  # as SAP's own example writes it
        "NEW_ITEM-DESCRIPTION[ 1 ]",
        "NEW_ITEM_DESCRIPTION[1]",
        " NEW_ITEM-DESCRIPTION[01] ",
    ],
)
def test_field_name_spellings(name):
    pairs = [(name, "Fruitmand"), *item_pairs(1, QUANTITY="1", PRICE="35")]
    assert parse_oci_form(pairs).items[0].description == "Fruitmand"


@pytest.mark.parametrize(
    "name",
    [
        "NEW_ITEM-LONGTEXT_1:132[]",
        "NEW_ITEM-LONGTEXT_1:132",
        "NEW_ITEM-LONGTEXT_1[]",
        "NEW_ITEM-LONGTEXT[1]",
        "NEW_ITEM-LONGTEXT_1:132[1]",
        "NEW_ITEM-LONGTEXT:132[1]",
        "NEW_ITEM-LONGTEXT_1:132[][1]",
        "new_item-longtext_1:132[]",
        "NEW_ITEM-LONGTEXT_001:132[]",
    ],
)
def test_longtext_spellings(name):
    pairs = [
        *item_pairs(1, DESCRIPTION="Taart", QUANTITY="1", PRICE="20"),
        (name, "Met naam"),
    ]
    assert parse_oci_form(pairs).items[0].longtext == "Met naam"


def test_longtext_sap_chunks_are_joined_as_sent():
    text = (
        "Gefeliciteerd met jullie jubileum! Dit cadeau is een blijk van onze "
        "waardering voor de prettige samenwerking in de afgelopen vijfentwintig "
        "jaar. Op naar de volgende vijfentwintig!"
    )
    chunks = [text[i : i + 132] for i in range(0, len(text), 132)]
    assert len(chunks) == 2 and chunks[0][-1] != " "  # cut inside a word
    pairs = item_pairs(1, DESCRIPTION="Jubileumtaart", QUANTITY="1", PRICE="45")
    pairs += [("NEW_ITEM-LONGTEXT_1:132[]", chunk) for chunk in chunks]
    assert parse_oci_form(pairs).items[0].longtext == text


def test_longtext_chunks_keep_spaces_at_their_edges():
    first = "x" * 131 + " "
    pairs = item_pairs(1, DESCRIPTION="Kaart", QUANTITY="1", PRICE="3")
    pairs += [("NEW_ITEM-LONGTEXT_1:132[]", first), ("NEW_ITEM-LONGTEXT_1:132[]", "y")]
    assert parse_oci_form(pairs).items[0].longtext == first + "y"


def test_longtext_numbered_chunks_are_ordered():
    pairs = item_pairs(1, DESCRIPTION="Kaart", QUANTITY="1", PRICE="3")
    pairs += [
        ("NEW_ITEM-LONGTEXT_1:132[3]", "drie"),
        ("NEW_ITEM-LONGTEXT_1:132[1]", "een"),
        ("NEW_ITEM-LONGTEXT_1:132[2]", "twee"),
    ]
    assert parse_oci_form(pairs).items[0].longtext == "een\ntwee\ndrie"


def test_longtext_declared_chunk_length():
    pairs = item_pairs(1, DESCRIPTION="Kaart", QUANTITY="1", PRICE="3")
    pairs += [
        ("NEW_ITEM-LONGTEXT_1:5[]", "Hallo"),
        ("NEW_ITEM-LONGTEXT_1:5[]", "wereld"),
    ]
    assert parse_oci_form(pairs).items[0].longtext == "Hallowereld"


def test_longtext_without_index_goes_to_cart_extra():
    pairs = [
        *item_pairs(1, DESCRIPTION="Kaart", QUANTITY="1", PRICE="3"),
        ("NEW_ITEM-LONGTEXT", "zwevend"),
    ]
    cart = parse_oci_form(pairs)
    assert cart.items[0].longtext == ""
    assert cart.extra == {"NEW_ITEM-LONGTEXT": "zwevend"}


def test_repeated_field_keeps_last_non_empty_value():
    pairs = [
        *item_pairs(1, DESCRIPTION="Eerste", QUANTITY="1", PRICE="3"),
        ("NEW_ITEM-DESCRIPTION[1]", "Tweede"),
        ("NEW_ITEM-DESCRIPTION[1]", ""),
    ]
    assert parse_oci_form(pairs).items[0].description == "Tweede"


def test_blank_items_are_dropped():
    pairs = [
        *item_pairs(1, DESCRIPTION="Chocolade", QUANTITY="2", PRICE="7.5"),
        *item_pairs(2, DESCRIPTION="", QUANTITY=" ", PRICE="", UNIT=""),
        ("NEW_ITEM-LONGTEXT_2:132[]", "  "),
    ]
    cart = parse_oci_form(pairs)
    assert [item.line_no for item in cart.items] == ["1"]


def test_values_are_stripped_inner_spaces_kept():
    pairs = item_pairs(
        1,
        DESCRIPTION="  Bloemen   en\r\n  bonbons \x00 ",
        QUANTITY=" 12 ",
        PRICE=" 780.00",
        PRICEUNIT="100 ",
        UNIT=" PCE ",
    )
    item = parse_oci_form(pairs).items[0]
    assert item.description == "Bloemen   en\n  bonbons"
    assert item.quantity == Decimal(12)
    assert item.price == Decimal("780")
    assert item.price_unit == Decimal(100)
    assert item.unit_price == Decimal("7.8")
    assert item.unit == "PCE"


@pytest.mark.parametrize("price_unit", [None, "", " ", "0", "0.000"])
def test_missing_price_unit_is_one(price_unit):
    pairs = item_pairs(1, DESCRIPTION="Mok", QUANTITY="1", PRICE="9.95")
    if price_unit is not None:
        pairs += item_pairs(1, PRICEUNIT=price_unit)
    item = parse_oci_form(pairs).items[0]
    assert item.price_unit == Decimal(1)
    assert item.unit_price == Decimal("9.95")


def test_sap_number_formats():
    pairs = item_pairs(
        1, DESCRIPTION="Pen", QUANTITY="0000000010.000", PRICE="00000000016.180"
    )
    item = parse_oci_form(pairs).items[0]
    assert (item.quantity, item.price) == (Decimal(10), Decimal("16.18"))


def test_zero_price_is_allowed():
    pairs = item_pairs(1, DESCRIPTION="Gratis wenskaart", QUANTITY="1", PRICE="0.00")
    assert parse_oci_form(pairs).items[0].price == Decimal(0)


@pytest.mark.parametrize(
    ("sent", "expected"), [("eur", "EUR"), ("Euro", "EUR"), ("€", "EUR"), ("", "")]
)
def test_currency_spellings(sent, expected):
    pairs = item_pairs(1, DESCRIPTION="Mok", QUANTITY="1", PRICE="5", CURRENCY=sent)
    cart = parse_oci_form(pairs)
    assert cart.items[0].currency == expected
    assert cart.currency == expected


def test_mixed_currencies_give_no_cart_currency():
    pairs = item_pairs(1, DESCRIPTION="A", QUANTITY="1", PRICE="5", CURRENCY="EUR")
    pairs += item_pairs(2, DESCRIPTION="B", QUANTITY="1", PRICE="5", CURRENCY="GBP")
    assert parse_oci_form(pairs).currency == ""


def test_oci5_outline_items():
    pairs = item_pairs(1, DESCRIPTION="Kerstactie 2025", ITEM_TYPE="O")
    pairs += item_pairs(
        2,
        DESCRIPTION="Kerstpakket Basic",
        QUANTITY="10",
        PRICE="29.95",
        CURRENCY="EUR",
        PARENT_ID="1",
        ITEM_TYPE="R",
    )
    cart = parse_oci_form(pairs)
    outline, item = cart.items
    assert outline.is_outline and not item.is_outline
    assert (outline.quantity, outline.price) == (Decimal(0), Decimal(0))
    assert item.parent_id == "1"
    assert cart.currency == "EUR"  # outlines carry no currency


def test_item_identified_by_vendormat_only():
    pairs = item_pairs(1, VENDORMAT="TG-123", QUANTITY="1", PRICE="5")
    item = parse_oci_form(pairs).items[0]
    assert (item.description, item.vendormat) == ("", "TG-123")


def test_mapping_input_with_repeated_values():
    form = {
        "NEW_ITEM-DESCRIPTION[1]": ["Thee", "Theepakket"],
        "NEW_ITEM-QUANTITY[1]": "4",
        "NEW_ITEM-PRICE[1]": "12",
        "NEW_ITEM-LONGTEXT_1:132[]": ["Regel 1", "Regel 2"],
    }
    item = parse_oci_form(form).items[0]
    assert item.description == "Theepakket"
    assert item.longtext == "Regel 1\nRegel 2"


def test_unknown_item_fields_are_kept():
    pairs = item_pairs(
        1, DESCRIPTION="Bon", QUANTITY="1", PRICE="25", GTIN="8712345678906"
    )
    pairs += [("NEW_ITEM-DESCRIPTION[x]", "geen index"), ("HOOK_URL", "https://a")]
    cart = parse_oci_form(pairs)
    assert cart.items[0].extra == {"GTIN": "8712345678906"}
    assert cart.extra == {
        "NEW_ITEM-DESCRIPTION[x]": "geen index",
        "HOOK_URL": "https://a",
    }


# --- refused carts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        (
            {"QUANTITY": "1", "PRICE": "5", "UNIT": "PCE"},
            "missing_description",
            "Line 1, field DESCRIPTION: the item has no description and no "
            "VENDORMAT, EXT_PRODUCT_ID or MATNR.",
        ),
        (
            # Found by hypothesis: control characters are cleaned away.
            {"DESCRIPTION": "\x1b", "QUANTITY": "1", "PRICE": "9.95"},
            "missing_description",
            "Line 1, field DESCRIPTION: the item has no description and no "
            "VENDORMAT, EXT_PRODUCT_ID or MATNR.",
        ),
        (
            {"DESCRIPTION": "Mok", "PRICE": "5"},
            "bad_quantity",
            "Line 1, field QUANTITY: the quantity is missing.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "0", "PRICE": "5"},
            "bad_quantity",
            "Line 1, field QUANTITY: the quantity 0 must be more than zero.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "2-", "PRICE": "5"},
            "bad_quantity",
            "Line 1, field QUANTITY: the quantity 2- must be more than zero.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "twee", "PRICE": "5"},
            "bad_number",
            "Line 1, field QUANTITY: 'twee' is not a number.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "1"},
            "missing_price",
            "Line 1, field PRICE: the price is missing.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "1", "PRICE": "-5"},
            "bad_price",
            "Line 1, field PRICE: the price -5 is negative.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "1", "PRICE": "5 euro"},
            "bad_number",
            "Line 1, field PRICE: '5 euro' is not a number.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "1", "PRICE": "5", "PRICEUNIT": "-1"},
            "bad_price_unit",
            "Line 1, field PRICEUNIT: the price unit -1 is negative.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "1", "PRICE": "5", "CURRENCY": "EU"},
            "bad_currency",
            "Line 1, field CURRENCY: 'EU' is not a three-letter currency code.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "1", "PRICE": "5", "CURRENCY": "€$"},
            "bad_currency",
            "Line 1, field CURRENCY: '€$' is not a three-letter currency code.",
        ),
        (
            {"DESCRIPTION": "Mok", "QUANTITY": "1", "PRICE": "5", "LEADTIME": "morgen"},
            "bad_number",
            "Line 1, field LEADTIME: 'morgen' is not a number.",
        ),
    ],
)
def test_refused_items(fields, code, message):
    with pytest.raises(CartError) as caught:
        parse_oci_form(item_pairs(1, **fields))
    assert caught.value.code == code
    assert str(caught.value) == message
    assert caught.value.params["line"] == "1"


def test_error_names_the_failing_line():
    pairs = gift_cart() + item_pairs(7, DESCRIPTION="Wijn", QUANTITY="1")
    with pytest.raises(CartError) as caught:
        parse_oci_form(pairs)
    assert caught.value.code == "missing_price"
    assert caught.value.params == {"line": "7", "field": "PRICE"}
    assert str(caught.value).startswith("Line 7, field PRICE:")


def test_field_too_long():
    pairs = item_pairs(1, DESCRIPTION="A" * (const.MAX_FIELD_LENGTH + 1), QUANTITY="1")
    with pytest.raises(CartError) as caught:
        parse_oci_form(pairs)
    assert caught.value.code == "field_too_long"
    assert str(caught.value) == (
        "Line 1, field DESCRIPTION: the value is 10001 characters long, "
        "more than the 10000 allowed."
    )


def test_field_at_the_limit_is_accepted():
    pairs = item_pairs(
        1, DESCRIPTION="A" * const.MAX_FIELD_LENGTH, QUANTITY="1", PRICE="1"
    )
    assert len(parse_oci_form(pairs).items[0].description) == const.MAX_FIELD_LENGTH


def test_too_many_lines():
    pairs = []
    for index in range(1, 4):
        pairs += item_pairs(index, DESCRIPTION=f"Item {index}", QUANTITY="1", PRICE="1")
    assert len(parse_oci_form(pairs, max_lines=3).items) == 3
    with pytest.raises(CartError) as caught:
        parse_oci_form(pairs, max_lines=2)
    assert caught.value.code == "too_many_lines"
    assert caught.value.params["max"] == 2


def test_default_line_limit():
    pairs = []
    for index in range(const.MAX_LINES + 1):
        pairs += item_pairs(index, DESCRIPTION="x", QUANTITY="1", PRICE="1")
    with pytest.raises(CartError) as caught:
        parse_oci_form(pairs)
    assert caught.value.code == "too_many_lines"
    assert caught.value.params["max"] == const.MAX_LINES == 1000


@pytest.mark.parametrize(
    "pairs",
    [
        [],
        [("~OkCode", "ADDI")],
        item_pairs(1, DESCRIPTION="", QUANTITY="", PRICE=""),
    ],
)
def test_empty_cart(pairs):
    with pytest.raises(CartError) as caught:
        parse_oci_form(pairs)
    assert caught.value.code == "empty_cart"
    assert str(caught.value) == "The cart holds no items."


def test_empty_cart_allowed_for_an_edit():
    """An edit's emptied cart is a cart without items; a post of nothing at
    all is still refused."""
    cart = parse_oci_form([("~OkCode", "ADDI")], allow_empty=True)
    assert cart.items == []
    assert cart.protocol == "oci"
    with pytest.raises(CartError) as caught:
        parse_oci_form([], allow_empty=True)
    assert caught.value.code == "empty_cart"


def test_malformed_pairs():
    with pytest.raises(CartError) as caught:
        parse_oci_form([("NEW_ITEM-DESCRIPTION[1]", "a", "b")])
    assert caught.value.code == "bad_form"


def test_form_holding_an_xml_document_is_parsed_as_xml():
    xml = (
        "<ITEMS><ITEM><DESCRIPTION>Kaas</DESCRIPTION><QUANTITY>1</QUANTITY>"
        "<PRICE>12.00</PRICE></ITEM></ITEMS>"
    )
    pairs = [
        ("~xmlDocument", base64.b64encode(xml.encode()).decode()),
        ("~xml_type", "ESAPO"),
    ]
    cart = parse_oci_form(pairs)
    assert cart.protocol == "oci_xml"
    assert cart.items[0].description == "Kaas"


# --- the OCI call ---------------------------------------------------------------


def test_login_fields():
    fields = build_oci_login_fields(
        username="inkoop",
        password="geheim",
        hook_url="https://odoo.example/oci/return/abc",
        extra=[("sLanguage", "NL"), ("FUNCTION", "")],
    )
    assert fields == [
        ("USERNAME", "inkoop"),
        ("PASSWORD", "geheim"),
        ("HOOK_URL", "https://odoo.example/oci/return/abc"),
        ("~OkCode", "ADDI"),
        ("~TARGET", "_top"),
        ("~CALLER", "CTLG"),
        ("OCI_VERSION", "4.0"),
        ("sLanguage", "NL"),
        ("FUNCTION", ""),
    ]


def test_login_fields_without_version_and_with_mapping_extra():
    fields = build_oci_login_fields(
        username="u",
        password="p",
        hook_url="h",
        extra={"shop": "tg"},
        oci_version=None,
    )
    assert [name for name, _value in fields] == [
        "USERNAME",
        "PASSWORD",
        "HOOK_URL",
        "~OkCode",
        "~TARGET",
        "~CALLER",
        "shop",
    ]
    assert build_oci_login_fields(
        username="u", password="p", hook_url="h", oci_version="5.0"
    )[-1] == ("OCI_VERSION", "5.0")


@pytest.mark.parametrize(
    "name",
    [
        "USERNAME",
        "password",
        "Hook_Url",
        "~okcode",
        "~target",
        "~CALLER",
        "oci_version",
        " HOOK_URL ",
        "",
    ],
)
def test_login_fields_refuse_reserved_names(name):
    with pytest.raises(ValueError):
        build_oci_login_fields(
            username="u", password="p", hook_url="h", extra=[(name, "x")]
        )


def test_latin1_cart_end_to_end():
    pairs = [
        *item_pairs(
            1,
            DESCRIPTION="Paté & crème fraîche pakket",
            QUANTITY="2,000",
            PRICE="1.234,50",
            CURRENCY="EUR",
            UNIT="ST",
        ),
        ("NEW_ITEM-LONGTEXT_1:132[]", "Voor de collega's van één afdeling"),
    ]
    body = urlencode(pairs, encoding="iso-8859-1").encode("ascii")
    cart = parse_oci_form(decode_form_body(body, FORM + "; charset=ISO-8859-1"))
    item = cart.items[0]
    assert item.description == "Paté & crème fraîche pakket"
    assert item.longtext == "Voor de collega's van één afdeling"
    assert (item.quantity, item.price) == (Decimal(2), Decimal("1234.50"))


# --- properties -----------------------------------------------------------------

_FIELD_NAMES = st.one_of(
    st.sampled_from(sorted(const.OCI_ITEM_FIELDS)),
    st.sampled_from(["description", "Quantity", "GTIN", "", "LONGTEXT_1:132"]),
    st.text(max_size=8),
)
_INDICES = st.one_of(
    st.integers(min_value=0, max_value=12).map(str),
    st.sampled_from(["", "001", " 2 ", "x", "-1", "1.5", "99999999999999999999"]),
    st.text(max_size=3),
)
_NAMES = st.one_of(
    st.builds(lambda f, i: f"NEW_ITEM-{f}[{i}]", _FIELD_NAMES, _INDICES),
    st.builds(
        lambda n, k: f"NEW_ITEM-LONGTEXT_{n}:132[{k}]",
        st.integers(min_value=0, max_value=5),
        st.sampled_from(["", "1", "2", "x"]),
    ),
    st.sampled_from(["~OkCode", "~xmlDocument", "~xml_type", "NEW_ITEM-LONGTEXT"]),
    st.text(max_size=20),
)
_VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "1",
            "2,50",
            "-1",
            "0",
            "1e3",
            "NaN",
            "EUR",
            "euro",
            "PCE",
            "O",
            "R",
            "Kerstpakket",
            "1.234,56",
            "5-",
            "\x00",
            "PD94bWw+",
        ]
    ),
    st.text(max_size=30),
)


_ITEM = st.fixed_dictionaries(
    {
        "DESCRIPTION": st.one_of(st.sampled_from(["Kerstpakket", ""]), st.text()),
        "QUANTITY": st.sampled_from(["1", " 2,5 ", "0", "-1", "x", "", "003.000"]),
        "PRICE": st.sampled_from(["9.95", "0", "", "-1", "1.234,56", "abc", "5-"]),
    },
    optional={
        "CURRENCY": st.sampled_from(["EUR", "eur", "Euro", "", "E", "€$"]),
        "PRICEUNIT": st.sampled_from(["", "0", "1", "100", "-1"]),
        "ITEM_TYPE": st.sampled_from(["", "R", "O", "o"]),
        "LEADTIME": st.sampled_from(["", "7", "2.5", "-1", "morgen"]),
        "VENDORMAT": st.sampled_from(["", "TG-1"]),
        "CUST_FIELD5": st.text(max_size=5),
    },
)


def _cart_pairs(items, noise):
    pairs = []
    for index, fields in enumerate(items, 1):
        pairs += item_pairs(index, **fields)
    return pairs + noise


@settings(max_examples=150)
@given(
    st.one_of(
        st.lists(st.tuples(_NAMES, _VALUES), max_size=30),
        st.builds(
            _cart_pairs,
            st.lists(_ITEM, min_size=1, max_size=4),
            st.lists(st.tuples(_NAMES, _VALUES), max_size=3),
        ),
    )
)
def test_parse_oci_form_returns_a_cart_or_refuses(pairs):
    try:
        cart = parse_oci_form(pairs, aux_id_field="CUST_FIELD5", max_lines=8)
    except CartError as exc:
        assert exc.code and isinstance(str(exc), str)
        return
    assert isinstance(cart, Cart)
    assert 1 <= len(cart.items) <= 8
    for item in cart.items:
        assert item.description or item.vendormat or item.ext_product_id or item.matnr
        assert item.price >= 0 and item.price_unit > 0
        assert item.quantity > 0 or item.is_outline
        assert item.currency == "" or re.fullmatch("[A-Z]{3}", item.currency)
        assert item.leadtime is None or item.leadtime >= 0
        assert "\x00" not in item.description + item.longtext
        assert item.description == item.description.strip()
