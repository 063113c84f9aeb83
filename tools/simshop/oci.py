"""The OCI cart the shop returns to the buyer's HOOK_URL.

Three variants, chosen by the ``format`` setting:

``form``
    The classic OCI form, one hidden field per value, posted in UTF-8.
``form-latin1``
    The same form with ``accept-charset="ISO-8859-1"``: the browser sends
    single bytes, in windows-1252 as browsers read that label (the euro sign
    as 0x80; characters outside windows-1252 as ``&#NNNN;``).
``xml``
    One field ``~xmlDocument`` holding the base64 of an OCI XML document,
    plus ``~xml_type`` = ``ESAPO-V1.0``.

Field conventions per line ``n`` (1-based), besides the standard fields:
CUST_FIELD1 card text, CUST_FIELD2 logo choice (COMPANY / NONE),
CUST_FIELD3 delivery location code, CUST_FIELD4 the VAT rate (9 or 21),
CUST_FIELD5 the shop's line reference
(``TGP-<8 hex>``) that the buyer's order must echo.
"""

import base64
from urllib.parse import quote_plus

from lxml import etree

from . import catalogue
from .xmlutil import tostring

FORMATS = ("form", "form-latin1", "xml")
CHARSETS = {"form": "UTF-8", "form-latin1": "ISO-8859-1", "xml": "UTF-8"}
XML_TYPE = "ESAPO-V1.0"
LONGTEXT_CHUNK = 132
DESCRIPTION_MAX = 40  # OCI's DESCRIPTION is CHAR 40
DEFAULT_OKCODE = "ADDI"
CALLER = "CTLG"

# (OCI field, function of the line) in the order they are sent.
ITEM_FIELDS = (
    ("DESCRIPTION", lambda line: line.gift.name[:DESCRIPTION_MAX]),
    ("QUANTITY", lambda line: format_quantity(line.quantity)),
    ("UNIT", lambda line: line.gift.unit),
    ("PRICE", lambda line: f"{line.gift.price:.2f}"),
    ("PRICEUNIT", lambda line: str(line.gift.price_unit)),
    ("CURRENCY", lambda line: catalogue.CURRENCY),
    ("LEADTIME", lambda line: str(line.gift.leadtime)),
    ("VENDOR", lambda line: ""),
    ("VENDORMAT", lambda line: line.gift.code),
    ("MATGROUP", lambda line: line.gift.nzi_code),
    ("EXT_PRODUCT_ID", lambda line: line.gift.product_id),
)
CUST_FIELDS = (
    ("CUST_FIELD1", lambda line: line.card_text),
    ("CUST_FIELD2", lambda line: line.logo),
    ("CUST_FIELD3", lambda line: line.location),
    ("CUST_FIELD4", lambda line: str(line.gift.vat_rate)),
    ("CUST_FIELD5", lambda line: line.ref),
)


def format_quantity(quantity):
    """``2`` for whole numbers, else the plain decimal (``2.5``)."""
    if quantity == quantity.to_integral_value():
        return str(int(quantity))
    return format(quantity.normalize(), "f")


def longtext_chunks(text, size=LONGTEXT_CHUNK):
    """``text`` cut in pieces of ``size`` characters (concatenate to restore)."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def header_fields(okcode="", target=""):
    fields = [("~OkCode", okcode or DEFAULT_OKCODE)]
    if target:
        fields.append(("~TARGET", target))
    fields.append(("~CALLER", CALLER))
    return fields


def line_fields(n, line):
    """The OCI form fields of cart line number ``n`` (1-based)."""
    fields = [(f"NEW_ITEM-{name}[{n}]", get(line)) for name, get in ITEM_FIELDS]
    fields += [
        (f"NEW_ITEM-LONGTEXT_{n}:132[]", chunk)
        for chunk in longtext_chunks(line.gift.description)
    ]
    fields += [(f"NEW_ITEM-{name}[{n}]", get(line)) for name, get in CUST_FIELDS]
    return fields


def build_oci_xml(lines):
    """The OCI XML document (``ESAPO-V1.0``): ``<ItemList><Item>`` with the
    OCI field names (without ``NEW_ITEM-``) as child tags."""
    root = etree.Element("ItemList")
    for line in lines:
        item = etree.SubElement(root, "Item")
        for name, get in ITEM_FIELDS:
            etree.SubElement(item, name).text = get(line)
        etree.SubElement(item, "LONGTEXT").text = line.gift.description
        for name, get in CUST_FIELDS:
            etree.SubElement(item, name).text = get(line)
    return tostring(root)


def build_fields(lines, fmt="form", okcode="", target=""):
    """All fields (name, value) of the return form, in order."""
    fields = header_fields(okcode, target)
    if fmt == "xml":
        document = base64.b64encode(build_oci_xml(lines)).decode("ascii")
        return fields + [("~xmlDocument", document), ("~xml_type", XML_TYPE)]
    for n, line in enumerate(lines, start=1):
        fields += line_fields(n, line)
    return fields


def browser_codec(charset):
    """The codec a browser really uses for ``charset``: the WHATWG Encoding
    Standard reads the labels ISO-8859-1, latin1 and US-ASCII as windows-1252
    (so the euro sign is sent as byte 0x80)."""
    label = charset.strip().lower()
    if label in ("iso-8859-1", "iso8859-1", "latin1", "l1", "us-ascii", "ascii"):
        return "cp1252"
    return label


def encode_body(fields, charset="UTF-8"):
    """The urlencoded body a browser sends for ``fields`` in ``charset``.

    Characters the charset cannot hold become ``&#NNNN;`` as browsers do.
    """
    codec = browser_codec(charset)
    return "&".join(
        _form_quote(name, codec) + "=" + _form_quote(value, codec)
        for name, value in fields
    )


def _form_quote(value, charset):
    # The WHATWG urlencoded serializer keeps only ``*-._`` and alphanumerics.
    encoded = quote_plus(value.encode(charset, "xmlcharrefreplace"), safe="*")
    return encoded.replace("~", "%7E")
