import base64
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol.cart import Cart
from protocol.errors import CartError, UnsafeXMLError
from protocol.oci import parse_oci_form, parse_oci_xml
from protocol.xmlsafe import parse_xml

# An ESAPO-style cart: SAP's BusinessDocument with Item elements.
ESAPO_CART = """<?xml version="1.0" encoding="UTF-8"?>
<BusinessDocument>
  <Catalog>
    <Currency>EUR</Currency>
    <Item>
      <ItemNumber>1</ItemNumber>
      <ItemDescription>Kerstpakket Deluxe</ItemDescription>
      <Quantity unitCode="PCE">25.000</Quantity>
      <Price>
        <Amount>49.95</Amount>
        <PriceUnit>1</PriceUnit>
      </Price>
      <LeadTime>5</LeadTime>
      <Vendor>100234</Vendor>
      <VendorMat>TG-KP-DLX</VendorMat>
      <MatGroup>53141600</MatGroup>
      <LongText>Luxe kerstpakket met bonbons en wijn.</LongText>
      <CustField5>TG-2025-000123-1</CustField5>
      <Colour>rood</Colour>
    </Item>
    <Item>
      <ItemNumber>2</ItemNumber>
      <ItemDescription>Bloemetje + kaart</ItemDescription>
      <Quantity>3</Quantity>
      <UnitOfMeasure>ST</UnitOfMeasure>
      <Price currency="EUR">24,50</Price>
      <VendorMat>TG-BL-KRT</VendorMat>
      <CustField5>TG-2025-000123-2</CustField5>
    </Item>
  </Catalog>
</BusinessDocument>
"""

# A cart whose item elements carry the OCI field names, in a namespace.
OCI_TAG_CART = """<?xml version="1.0" encoding="ISO-8859-1"?>
<oci:ITEMS xmlns:oci="urn:example:oci">
  <oci:ITEM>
    <oci:DESCRIPTION>Pat\xe9 &amp; cr\xe8me fra\xeeche pakket</oci:DESCRIPTION>
    <oci:QUANTITY>2</oci:QUANTITY>
    <oci:UNIT>ST</oci:UNIT>
    <oci:PRICE>1.234,50</oci:PRICE>
    <oci:PRICEUNIT>1</oci:PRICEUNIT>
    <oci:CURRENCY>eur</oci:CURRENCY>
    <oci:EXT_PRODUCT_ID>pate-pakket</oci:EXT_PRODUCT_ID>
    <oci:LONGTEXT_1>Voor \xe9\xe9n afdeling</oci:LONGTEXT_1>
    <oci:cust_field1>Kostenplaats 4711</oci:cust_field1>
  </oci:ITEM>
</oci:ITEMS>
"""


def b64(text, encoding="utf-8"):
    return base64.b64encode(text.encode(encoding)).decode("ascii")


def test_parse_xml_text_with_declaration():
    # Bug fix in xmlsafe: a str declaring ISO-8859-1 was parsed as mojibake.
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-1"?><a>één</a>')
    assert root.text == "één"


# --- parse_oci_xml --------------------------------------------------------------


def test_esapo_business_document():
    pairs = [
        ("~xmlDocument", b64(ESAPO_CART)),
        ("~xml_type", "ESAPO-V1.0"),
        ("~OkCode", "ADDI"),
    ]
    cart = parse_oci_xml(pairs, aux_id_field="CUST_FIELD5")
    assert cart.protocol == "oci_xml"
    assert cart.currency == "EUR"
    assert cart.operation == "ADDI"
    assert cart.extra == {
        "~xml_type": "ESAPO-V1.0",
        "~OkCode": "ADDI",
        "xml_root": "BusinessDocument",
    }
    pakket, bloemen = cart.items
    assert pakket.line_no == "1"
    assert pakket.description == "Kerstpakket Deluxe"
    assert pakket.quantity == Decimal(25)
    assert pakket.unit == "PCE"
    assert pakket.price == Decimal("49.95")
    assert pakket.price_unit == Decimal(1)
    assert pakket.currency == "EUR"  # from the catalog header
    assert pakket.leadtime == 5
    assert pakket.vendor == "100234"
    assert pakket.vendormat == "TG-KP-DLX"
    assert pakket.matgroup == "53141600"
    assert pakket.longtext == "Luxe kerstpakket met bonbons en wijn."
    assert pakket.cust_fields == {5: "TG-2025-000123-1"}
    assert pakket.aux_id == "TG-2025-000123-1"
    assert pakket.extra == {"Colour": "rood"}
    assert bloemen.line_no == "2"
    assert (bloemen.unit, bloemen.price, bloemen.currency) == (
        "ST",
        Decimal("24.50"),
        "EUR",
    )
    assert bloemen.aux_id == "TG-2025-000123-2"


def test_esapo_document_as_bare_value():
    cart = parse_oci_xml(b64(ESAPO_CART))
    assert [item.description for item in cart.items] == [
        "Kerstpakket Deluxe",
        "Bloemetje + kaart",
    ]
    assert cart.extra == {"xml_root": "BusinessDocument"}


def test_oci_field_tags_in_a_namespace_latin1():
    raw = OCI_TAG_CART.encode("latin-1")
    cart = parse_oci_xml([("~xmlDocument", base64.b64encode(raw).decode())])
    item = cart.items[0]
    assert item.description == "Paté & crème fraîche pakket"
    assert (item.quantity, item.price, item.currency) == (
        Decimal(2),
        Decimal("1234.50"),
        "EUR",
    )
    assert item.ext_product_id == "pate-pakket"
    assert item.cust_fields == {1: "Kostenplaats 4711"}
    assert item.longtext == "Voor één afdeling"  # LONGTEXT_1, as in the form
    assert item.extra == {}


def test_lower_case_oci_tags_and_attributes():
    xml = """<cart>
      <new_item line="10" quantity="2"><description>Taart</description>
        <price>30</price><currency>EUR</currency>
        <longtext>Regel 1</longtext><longtext>Regel 2</longtext></new_item>
      <new_item line="20"><description>Kaars</description><quantity>1</quantity>
        <price>5</price><currency>EUR</currency></new_item>
    </cart>"""
    cart = parse_oci_xml(xml)
    assert [item.line_no for item in cart.items] == ["10", "20"]
    assert cart.items[0].quantity == Decimal(2)
    assert cart.items[0].longtext == "Regel 1\nRegel 2"


def test_items_found_by_their_quantity():
    xml = """<Winkelwagen>
      <Artikel><Omschrijving>x</Omschrijving><DESCRIPTION>Bonbons</DESCRIPTION>
        <QUANTITY>4</QUANTITY><PRICE>2.5</PRICE></Artikel>
      <Artikel><DESCRIPTION>Thee</DESCRIPTION><QUANTITY>1</QUANTITY>
        <PRICE>4</PRICE></Artikel>
    </Winkelwagen>"""
    cart = parse_oci_xml(xml)
    assert [(item.line_no, item.description) for item in cart.items] == [
        ("1", "Bonbons"),
        ("2", "Thee"),
    ]
    assert cart.items[0].extra == {"Omschrijving": "x"}


def test_duplicate_line_numbers_fall_back_to_positions():
    xml = """<Items>
      <Item><LineNumber>1</LineNumber><Description>A</Description>
        <Quantity>1</Quantity><Price>1</Price></Item>
      <Item><LineNumber>1</LineNumber><Description>B</Description>
        <Quantity>1</Quantity><Price>1</Price></Item>
    </Items>"""
    assert [item.line_no for item in parse_oci_xml(xml).items] == ["1", "2"]


def test_nested_items_get_their_parent():
    xml = """<Items>
      <Item><ItemNumber>1</ItemNumber><Description>Kerstactie</Description>
        <ItemType>O</ItemType>
        <Item><ItemNumber>2</ItemNumber><Description>Pakket</Description>
          <Quantity>5</Quantity><Price>20</Price><Currency>EUR</Currency></Item>
      </Item>
    </Items>"""
    outline, item = parse_oci_xml(xml).items
    assert outline.is_outline and outline.parent_id == ""
    assert item.parent_id == "1"
    assert item.quantity == Decimal(5)


def test_blank_xml_items_are_dropped():
    xml = """<Items><Currency>EUR</Currency>
      <Item><Description>A</Description><Quantity>1</Quantity><Price>1</Price>
        <Item><Description/><Quantity> </Quantity></Item>
      </Item>
      <Item><Description> </Description></Item></Items>"""
    cart = parse_oci_xml(xml)
    assert [(item.line_no, item.description) for item in cart.items] == [("1", "A")]


def test_form_with_xml_document_goes_to_the_xml_parser():
    cart = parse_oci_form({"~xmlDocument": b64(ESAPO_CART), "~xml_type": "ESAPO"})
    assert cart.protocol == "oci_xml"
    assert len(cart.items) == 2


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ([("~xml_type", "ESAPO")], "bad_xml_document"),
        # the field itself unreadable: not taken for malformed XML
        ("not base64 at all!", "bad_xml_document"),
        ([("~xmlDocument", "%%%")], "bad_xml_document"),
        ("<Items>", "xml_syntax"),
        ("<Items></Items>", "empty_cart"),
        (
            '<!DOCTYPE a [<!ENTITY x "y">]><Items><Item>&x;</Item></Items>',
            "xml_dtd_subset",
        ),
        ('<cXML payloadID="1"><Message/></cXML>', "cxml_document"),
        (
            "<Items><Item><Description>A</Description><Quantity>0</Quantity>"
            "<Price>1</Price></Item></Items>",
            "bad_quantity",
        ),
        (
            "<Items><Item><Description>A</Description><Quantity>1</Quantity>"
            "</Item></Items>",
            "missing_price",
        ),
    ],
)
def test_refused_xml_carts(data, code):
    with pytest.raises(CartError) as caught:
        parse_oci_xml(data)
    assert caught.value.code == code


def test_xml_error_names_line_and_field():
    xml = """<Items><Item><ItemNumber>10</ItemNumber><Description>A</Description>
      <Quantity>1</Quantity><Price>veel</Price></Item></Items>"""
    with pytest.raises(CartError) as caught:
        parse_oci_xml(xml)
    assert str(caught.value) == "Line 10, field PRICE: 'veel' is not a number."


def test_xml_too_many_lines():
    item = (
        "<Item><Description>A</Description><Quantity>1</Quantity>"
        "<Price>1</Price></Item>"
    )
    xml = f"<Items>{item * 3}</Items>"
    assert len(parse_oci_xml(xml, max_lines=3).items) == 3
    with pytest.raises(CartError) as caught:
        parse_oci_xml(xml, max_lines=2)
    assert caught.value.code == "too_many_lines"


@settings(max_examples=200)
@given(
    st.one_of(
        st.text(max_size=80),
        st.binary(max_size=80),
        st.text(max_size=60).map(lambda t: b64(f"<Items><Item>{t}</Item></Items>")),
        st.builds(
            lambda d, q, p: (
                f"<Items><Item><Description>{d}</Description>"
                f"<Quantity>{q}</Quantity><Price>{p}</Price></Item></Items>"
            ),
            st.text(max_size=10),
            st.text(max_size=6),
            st.text(max_size=6),
        ),
    )
)
def test_parse_oci_xml_returns_a_cart_or_refuses(data):
    try:
        cart = parse_oci_xml(data)
    except CartError as exc:
        assert exc.code
    else:
        assert isinstance(cart, Cart)
        assert all(item.quantity > 0 or item.is_outline for item in cart.items)


@pytest.mark.parametrize(
    "description", ["Kerst\x0bpakket\x1a", "Kerst&#11;pakket&#x1A;", "Kerst&#xb;pakket"]
)
def test_control_characters_in_an_xml_cart_dropped(description):
    """A shop that builds its XML from pasted text, raw or as references."""
    xml = ESAPO_CART.replace("Kerstpakket Deluxe", description)
    cart = parse_oci_xml([("~xmlDocument", b64(xml))])
    assert cart.items[0].description == "Kerst\npakket"


def test_utf32_xml_cart_read_as_the_xml_gate_reads_it():
    xml = ESAPO_CART.replace('encoding="UTF-8"', 'encoding="UTF-32"')
    cart = parse_oci_xml([("~xmlDocument", b64(xml, "utf-32"))])
    assert cart.items[0].description == "Kerstpakket Deluxe"


def test_utf16_xml_cart_untouched_by_control_character_cleaning():
    xml = ESAPO_CART.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    cart = parse_oci_xml([("~xmlDocument", b64(xml, "utf-16"))])
    assert cart.items[0].description == "Kerstpakket Deluxe"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-16", "utf-16-le", "utf-32", "utf-32-be"]
)
@pytest.mark.parametrize(
    "subset",
    [
        '<!ENTITY xxe SYSTEM "file:///etc/hostname"><!ENTITY int "x">',
        "<!ATTLIST Item kind CDATA #IMPLIED>",
    ],
)
def test_dtd_internal_subset_refused_whatever_the_encoding(encoding, subset):
    """The one XML gate refuses any internal subset, in any encoding (an
    OCI XML cart here; cXML, answers and documents share the gate)."""
    document = (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
        f"<!DOCTYPE Items [{subset}]>"
        "<Items><Item><DESCRIPTION>Pakket</DESCRIPTION><QUANTITY>1</QUANTITY>"
        "</Item></Items>"
    ).encode(encoding)
    with pytest.raises(CartError) as error:
        parse_oci_xml(document)
    assert error.value.code == "xml_dtd_subset"
    with pytest.raises(UnsafeXMLError) as error:
        parse_xml(document)
    assert error.value.code == "xml_dtd_subset"
