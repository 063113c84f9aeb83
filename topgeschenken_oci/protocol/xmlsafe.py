"""The one XML gate for every document that comes from outside.

OCI XML carts, cXML carts, answers and order documents, shop answers: all
are parsed by :func:`parse_xml`. UTF-16/32 input is transcoded to UTF-8
first; a DOCTYPE with an internal subset (entity definitions: XXE, billion
laughs) is refused outright, whatever the encoding; no DTD is loaded, no
entity is resolved, no network is touched; size and depth are bounded.
"""

import codecs
import re

from lxml import etree

from .errors import UnsafeXMLError, _

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation

MAX_XML_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 256
# The encoding declaration of an XML text: the one pattern of the package.
_ENCODING_DECL = re.compile(
    r"""^(\s*<\?xml[^>]*?\sencoding\s*=\s*)(["'])([A-Za-z0-9._:-]+)\2"""
)


# C0 control characters XML 1.0 cannot carry, as raw bytes (in UTF-8 and
# single-byte encodings they are never part of another character) and as
# character references. A word processor's line (VT) and page (FF) breaks
# become line breaks; the others are dropped.
_LINE_BREAK_BYTES = bytes.maketrans(b"\x0b\x0c", b"\n\n")
_CONTROL_BYTES = bytes(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D})
_CHAR_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _xml_char_reference(match):
    code = int(match[1], 16) if match[1] else int(match[2])
    if code in (0x0B, 0x0C):
        return b"&#10;"
    if (
        code in (0x09, 0x0A, 0x0D)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        return match[0]
    return b""


def drop_control_chars(data):
    """``data`` (XML bytes) without the control characters XML 1.0 cannot
    carry, raw or as character references, so that a cart a shop built
    from pasted text still parses. UTF-16 and UTF-32 bytes are returned as
    they are (the parser reads them, or refuses them)."""
    if not isinstance(data, bytes) or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data
    if b"\x00" in data[:4]:
        return data
    data = data.translate(_LINE_BREAK_BYTES, _CONTROL_BYTES)
    if b"&#" in data:
        data = _CHAR_REFERENCE.sub(_xml_char_reference, data)
    return data


def to_utf8(data):
    """Return ``data`` as UTF-8 bytes; UTF-16/32 input is transcoded."""
    if isinstance(data, str):
        return encode_text(data)
    if not isinstance(data, bytes | bytearray):
        raise UnsafeXMLError(_("The XML document is empty."), code="xml_empty")
    data = bytes(data)
    head = data[:4]
    encoding = None
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head[:2] == b"<\x00":
        encoding = "utf-32-le" if head[2:4] == b"\x00\x00" else "utf-16-le"
    elif head[:1] == b"\x00":
        encoding = "utf-32-be" if head[:3] == b"\x00\x00\x00" else "utf-16-be"
    if encoding is None:
        return data
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnsafeXMLError(
            _("The XML document is not well-formed: %(error)s"),
            code="xml_syntax",
            error=str(exc),
        ) from exc
    return encode_text(text.lstrip("\ufeff"))


def declared_encoding(data):
    """The encoding named in the XML declaration of ``data`` (bytes or str),
    as written (``"ISO-8859-1"``), or ``""`` when there is none."""
    head = data[:1024]
    if isinstance(head, bytes | bytearray):
        head = bytes(head).decode("latin-1")
    match = _ENCODING_DECL.match(head)
    return match.group(3) if match else ""


def encode_text(text):
    """UTF-8 bytes of an XML text, its encoding declaration made to match."""
    text = text.lstrip("\ufeff")
    return _ENCODING_DECL.sub(r"\1\2UTF-8\2", text, count=1).encode(
        "utf-8", "surrogatepass"
    )


def _refuse_internal_subset(raw):
    """Refuse a DOCTYPE with an internal subset (``<!DOCTYPE x [...]>``).

    Walks the prolog only (XML declaration, comments, processing
    instructions, the DOCTYPE), honouring quotes inside the DOCTYPE, so the
    cost is linear and a ``[`` later in the document does not count.
    """
    pos, size = 0, len(raw)
    while pos < size:
        while pos < size and raw[pos] in b" \t\r\n":
            pos += 1
        if raw.startswith(b"<?", pos):
            end = raw.find(b"?>", pos + 2)
            pos = size if end < 0 else end + 2
        elif raw.startswith(b"<!--", pos):
            end = raw.find(b"-->", pos + 4)
            pos = size if end < 0 else end + 3
        elif raw[pos : pos + 9].upper() == b"<!DOCTYPE":
            pos += 9
            quote = None
            while pos < size:
                char = raw[pos : pos + 1]
                if quote:
                    if char == quote:
                        quote = None
                elif char in (b'"', b"'"):
                    quote = char
                elif char == b"[":
                    raise UnsafeXMLError(
                        _(
                            "The XML document has a DTD internal subset; such "
                            "documents are refused."
                        ),
                        code="xml_dtd_subset",
                    )
                elif char == b">":
                    break
                pos += 1
            pos += 1
        else:
            return


def _parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data, max_bytes=MAX_XML_BYTES, max_depth=MAX_DEPTH):
    """Parse ``data`` (bytes or str) and return the root element.

    :raises UnsafeXMLError: for oversized, deep, entity-declaring or
        malformed documents.
    """
    # One gate for every document: UTF-16/32 (with or without a BOM) is read
    # as UTF-8 first, so no check below can be side-stepped by an encoding.
    data = to_utf8(data)
    if not data or not data.strip():
        raise UnsafeXMLError(_("The XML document is empty."), code="xml_empty")
    if len(data) > max_bytes:
        raise UnsafeXMLError(
            _("The XML document is %(size)s bytes, more than the %(max)s allowed."),
            code="xml_too_large",
            size=len(data),
            max=max_bytes,
        )
    _refuse_internal_subset(data)
    if b"<!entity" in data.lower():
        raise UnsafeXMLError(
            _(
                "The XML document declares entities (a DTD internal subset); "
                "such documents are refused."
            ),
            code="xml_entities",
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(
            _("The XML document is not well-formed: %(error)s"),
            code="xml_syntax",
            error=str(exc),
        ) from exc
    if root is None:
        raise UnsafeXMLError(_("The XML document is empty."), code="xml_empty")
    _check_depth(root, max_depth)
    return root


def _check_depth(root, max_depth):
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        if depth > max_depth:
            raise UnsafeXMLError(
                _("The XML document is nested deeper than %(max)s levels."),
                code="xml_too_deep",
                max=max_depth,
            )
        stack.extend((child, depth + 1) for child in el)


def localname(el):
    """The element's tag without namespace."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
