"""Form bodies, their charsets and the ~xmlDocument field (protocol/forms.py)."""

import base64
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol import forms
from protocol.errors import CartError
from protocol.forms import decode_form_body, decode_xml_document
from protocol.xmlsafe import declared_encoding, parse_xml

FORM = "application/x-www-form-urlencoded"
SMALL_CART = """<?xml version="1.0" encoding="UTF-8"?>
<BusinessDocument>
  <Item>
    <ItemDescription>Kerstpakket Deluxe, één doos</ItemDescription>
    <Quantity unitCode="PCE">25.000</Quantity>
  </Item>
</BusinessDocument>
"""


def b64(text, encoding="utf-8"):
    return base64.b64encode(text.encode(encoding)).decode("ascii")


# --- form bodies ----------------------------------------------------------------


def test_decode_utf8_body():
    body = urlencode([("NEW_ITEM-DESCRIPTION[1]", "Crème brûlée & één"), ("a", "")])
    assert decode_form_body(body.encode(), FORM) == [
        ("NEW_ITEM-DESCRIPTION[1]", "Crème brûlée & één"),
        ("a", ""),
    ]


def test_decode_latin1_body_with_charset():
    body = urlencode(
        [("NEW_ITEM-DESCRIPTION[1]", "Zoete cadeaumand, ééndags")], encoding="latin-1"
    )
    assert "%E9" in body
    pairs = decode_form_body(body.encode(), FORM + "; charset=ISO-8859-1")
    assert pairs == [("NEW_ITEM-DESCRIPTION[1]", "Zoete cadeaumand, ééndags")]


def test_decode_latin1_body_without_charset_falls_back():
    body = urlencode([("NEW_ITEM-DESCRIPTION[1]", "Crème, ë, ü")], encoding="latin-1")
    assert decode_form_body(body.encode(), FORM) == [
        ("NEW_ITEM-DESCRIPTION[1]", "Crème, ë, ü")
    ]


def test_decode_windows_1252_body():
    text = "Wijnkist \u201cBordeaux\u201d \u20ac 25 \u2013 prijs"
    body = urlencode([("NEW_ITEM-DESCRIPTION[1]", text)], encoding="cp1252")
    assert decode_form_body(body.encode(), FORM + '; charset="windows-1252"') == [
        ("NEW_ITEM-DESCRIPTION[1]", text)
    ]
    # Labelled ISO-8859-1 but written by Windows: browsers read it as 1252.
    assert decode_form_body(body.encode(), FORM + "; charset=iso-8859-1") == [
        ("NEW_ITEM-DESCRIPTION[1]", text)
    ]


def test_decode_unescaped_bytes():
    body = "NEW_ITEM-DESCRIPTION[1]=Kaas+&+wijn&x=caf\xe9".encode("latin-1")
    assert decode_form_body(body, FORM) == [
        ("NEW_ITEM-DESCRIPTION[1]", "Kaas "),
        (" wijn", ""),
        ("x", "café"),
    ]


def test_decode_plus_and_percent():
    body = (
        b"NEW_ITEM-DESCRIPTION%5B1%5D=Bloemetje+%2B+kaart&NEW_ITEM-PRICE%5B1%5D=24%2C50"
    )
    assert decode_form_body(body, FORM) == [
        ("NEW_ITEM-DESCRIPTION[1]", "Bloemetje + kaart"),
        ("NEW_ITEM-PRICE[1]", "24,50"),
    ]


def test_decode_charset_field_and_defaults():
    body = urlencode([("_charset_", "ISO-8859-1"), ("d", "é")], encoding="latin-1")
    assert decode_form_body(body.encode(), FORM)[1] == ("d", "é")
    latin = urlencode([("d", "é")], encoding="latin-1").encode()
    assert decode_form_body(latin, FORM, default_charset="iso-8859-1") == [("d", "é")]
    assert decode_form_body(latin, FORM + "; charset=nonsense") == [("d", "é")]
    assert decode_form_body(latin, None, default_charset="nonsense") == [("d", "é")]


def test_decode_bom_and_empty_parts():
    body = codecs_bom() + b"a=1&&b&c=%E2%82%AC"
    assert decode_form_body(body, FORM) == [("a", "1"), ("b", ""), ("c", "€")]
    assert decode_form_body(b"", FORM) == []


def codecs_bom():
    return "\ufeff".encode()


def test_decode_repeated_names_keep_order():
    body = b"NEW_ITEM-LONGTEXT_1%3A132%5B%5D=een&NEW_ITEM-LONGTEXT_1%3A132%5B%5D=twee"
    assert decode_form_body(body, FORM) == [
        ("NEW_ITEM-LONGTEXT_1:132[]", "een"),
        ("NEW_ITEM-LONGTEXT_1:132[]", "twee"),
    ]


@settings(max_examples=150)
@given(
    body=st.binary(max_size=200),
    content_type=st.one_of(
        st.none(),
        st.text(max_size=40),
        st.sampled_from(
            [
                FORM,
                FORM + "; charset=utf-8",
                FORM + "; charset=latin-1",
                FORM + "; charset=utf-16",
                FORM + "; charset=idna",
                FORM + "; charset=rot13",
                FORM + "; charset=base64",
                FORM + "; charset=punycode",
                FORM + "; charset=unicode_escape",
            ]
        ),
    ),
    default=st.sampled_from(["utf-8", "iso-8859-1", "bogus", "utf-7"]),
)
def test_decode_form_body_never_raises(body, content_type, default):
    pairs = decode_form_body(body, content_type, default)
    assert all(isinstance(n, str) and isinstance(v, str) for n, v in pairs)


_LATIN1_TEXT = st.characters(codec="latin-1", exclude_categories=("Cc",))


@settings(max_examples=100)
@given(
    pairs=st.lists(
        st.tuples(
            st.text(_LATIN1_TEXT, min_size=1, max_size=10),
            st.text(_LATIN1_TEXT, max_size=20),
        ),
        max_size=6,
    ),
    charset=st.sampled_from(["utf-8", "iso-8859-1", "windows-1252"]),
    declared=st.booleans(),
)
def test_decode_form_body_round_trips(pairs, charset, declared):
    body = urlencode(pairs, encoding=charset).encode("ascii")
    content_type = f"{FORM}; charset={charset}" if declared else FORM
    # Undeclared, the charset comes from the supplier's configuration (the
    # default): Latin-1 bytes can also be valid UTF-8 ("Â\xa0"), so sniffing
    # alone cannot round-trip every text.
    assert decode_form_body(body, content_type, default_charset=charset) == pairs


# --- decode_xml_document ----------------------------------------------------------


def test_decode_base64():
    assert decode_xml_document(b64("<a>é</a>")) == "<a>é</a>".encode()


def test_decode_base64_with_line_breaks():
    encoded = base64.encodebytes(SMALL_CART.encode()).decode("ascii")
    assert "\n" in encoded
    assert decode_xml_document(encoded) == SMALL_CART.strip().encode()
    crlf = encoded.replace("\n", "\r\n")
    assert decode_xml_document(crlf) == SMALL_CART.strip().encode()


def test_decode_base64_whose_plus_became_a_space():
    xml = "<a>" + "\u00fe\u00ff" * 20 + "</a>"
    encoded = b64(xml)
    assert "+" in encoded
    assert decode_xml_document(encoded.replace("+", " ")) == xml.encode()
    # Blanks around the value are padding, not lost "+" signs.
    assert decode_xml_document(f"\n    {b64('<a/>')}\n  ") == b"<a/>"


def test_decode_url_safe_base64_without_padding():
    xml = "<a>\u00fe\u00ff?</a>"
    encoded = base64.urlsafe_b64encode(xml.encode()).decode("ascii").rstrip("=")
    assert "=" not in encoded and ("-" in encoded or "_" in encoded)
    assert decode_xml_document(encoded) == xml.encode()


def test_decode_base64_bytes():
    assert decode_xml_document(b64("<a/>").encode("ascii")) == b"<a/>"


def test_decode_plain_xml_text_and_bytes():
    assert decode_xml_document("  <a>ë</a>\n") == "<a>ë</a>".encode()
    assert decode_xml_document(b"\n<a>x</a>") == b"<a>x</a>"
    assert decode_xml_document("\ufeff<a/>") == b"<a/>"


def test_decode_percent_encoded_xml():
    assert decode_xml_document(quote("<a>é</a>")) == "<a>é</a>".encode()


def test_decode_text_with_latin1_declaration_is_utf8():
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'
    data = decode_xml_document(text)
    assert data == '<?xml version="1.0" encoding="UTF-8"?><a>é</a>'.encode()
    assert parse_xml(data).text == "é"


def test_decode_undeclared_latin1_bytes():
    data = decode_xml_document("<a>caf\xe9 \x80</a>".encode("latin-1"))
    assert parse_xml(data).text == "café €"


def test_decode_declared_latin1_bytes_read_as_windows_1252():
    raw = "<?xml version='1.0' encoding='iso-8859-1'?><a>\x80 5</a>".encode("latin-1")
    data = decode_xml_document(base64.b64encode(raw))
    assert parse_xml(data).text == "€ 5"


def test_decode_declared_utf16_is_left_alone():
    raw = '<?xml version="1.0" encoding="UTF-16"?><a>é</a>'.encode("utf-16")
    assert decode_xml_document(base64.b64encode(raw)) == raw
    assert parse_xml(decode_xml_document(raw)).text == "é"


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "not base64 at all!", b64("just text"), "%%%", b"\xff\xfe\x00"],
)
def test_decode_refuses(value):
    with pytest.raises(CartError) as caught:
        decode_xml_document(value)
    assert caught.value.code == "bad_xml_document"


# --- the forms of a request ---------------------------------------------------


def test_form_fields_counted_before_parsing():
    with pytest.raises(CartError) as error:
        forms.decode_body(b"&".join([b"a=1"] * 200_001), "")
    assert error.value.code == "too_many_fields"
    boundary = "zz"
    body = b"".join(
        b'--zz\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n'
        for _ in range(200_001)
    )
    with pytest.raises(CartError) as error:
        forms.decode_body(body, f"multipart/form-data; boundary={boundary}")
    assert error.value.code == "too_many_fields"


def test_malformed_multipart_is_a_cart_error():
    with pytest.raises(CartError) as error:
        forms.decode_body(b"--nope\r\nnot a part", "multipart/form-data; boundary=zz")
    assert error.value.code == "bad_multipart"


# --- the encoding declaration (xmlsafe, used here) -----------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>', "ISO-8859-1"),
        ("<?xml version='1.0' encoding='windows-1252' ?><a/>", "windows-1252"),
        (b'  <?xml version="1.0"?><a encoding="x"/>', ""),
        (b"<a/>", ""),
        ("<a>é</a>".encode("utf-16"), ""),
    ],
)
def test_declared_encoding(data, expected):
    assert declared_encoding(data) == expected


def test_bare_xml_body_is_one_cxml_field_in_the_header_charset():
    text = '<?xml version="1.0" encoding="ISO-8859-1"?><cXML>Café</cXML>'
    pairs = forms.decode_body(text.encode("latin-1"), "text/xml; charset=ISO-8859-1")
    assert pairs == [("cxml-urlencoded", text)]
    assert forms.detect_format(pairs) == "cxml"
    assert b"Caf\xc3\xa9" in forms.decode_cxml_post(pairs)


# --- a byte order mark names the encoding (WHATWG "decode": BOM sniffing) ------

CXML_DOC = '<?xml version="1.0" encoding="UTF-16"?><cXML>Café</cXML>'


@pytest.mark.parametrize(
    "content_type",
    ["text/xml", "application/xml; charset=utf-8", "text/xml; charset=ISO-8859-1"],
)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_bare_xml_body_with_a_bom_is_read_in_the_bom_encoding(content_type, encoding):
    # utf-16 writes a little-endian BOM; utf-16-be gets its BOM by hand.
    data = CXML_DOC.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    pairs = forms.decode_body(data, content_type)
    assert pairs == [("cxml-urlencoded", CXML_DOC)]
    assert parse_xml(forms.decode_cxml_post(pairs)).text == "Café"


def test_multipart_part_with_a_bom_and_no_charset_is_read_in_the_bom_encoding():
    boundary = "XyZ"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="cxml-urlencoded"'
            "\r\nContent-Type: text/xml\r\n\r\n"
        ).encode()
        + CXML_DOC.encode("utf-16")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    pairs = forms.decode_body(body, f"multipart/form-data; boundary={boundary}")
    assert pairs == [("cxml-urlencoded", CXML_DOC)]
    assert parse_xml(forms.decode_cxml_post(pairs)).text == "Café"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-16"])
@pytest.mark.parametrize("as_base64", [True, False])
def test_xml_document_in_utf16_without_a_bom(encoding, as_base64):
    """UTF-16/32 without a byte order mark is told by its first bytes (XML
    1.0 appendix F), not taken for windows-1252 because it is not UTF-8."""
    data = '<?xml version="1.0"?><a>Café</a>'.encode(encoding)
    value = base64.b64encode(data).decode("ascii") if as_base64 else data
    assert parse_xml(decode_xml_document(value)).text == "Café"


@pytest.mark.parametrize(
    "content_type", ["text/xml", "text/xml; charset=utf-16", "multipart"]
)
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_cxml_body_in_utf16_without_a_bom(encoding, content_type):
    """A bare (or multipart) cXML document in UTF-16 without a byte order
    mark is told by its first bytes (XML 1.0 appendix F): not read as
    windows-1252 for want of a charset, nor little-endian for "utf-16"."""
    text = '<?xml version="1.0" encoding="UTF-16"?><cXML>Café</cXML>'
    data = text.encode(encoding)
    if content_type == "multipart":
        content_type = "multipart/form-data; boundary=XyZ"
        data = (
            b'--XyZ\r\nContent-Disposition: form-data; name="cxml-urlencoded"'
            b"\r\n\r\n" + data + b"\r\n--XyZ--\r\n"
        )
    pairs = forms.decode_body(data, content_type)
    assert parse_xml(forms.decode_cxml_post(pairs)).text == "Café"
