"""A hardened XML parser for documents that come from outside.

No DTD is loaded, no entity is resolved, no network is touched, and a
document that declares a DOCTYPE with an internal subset (entity
definitions: XXE, billion laughs) is refused outright. Size and depth are
bounded.
"""

import re

from lxml import etree

from .errors import UnsafeXMLError, _

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation

MAX_XML_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 256
_DECLARED_ENCODING = re.compile(
    r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])([A-Za-z0-9._:-]+)\2"""
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
    if isinstance(data, str):
        # The text is encoded as UTF-8 now: its declaration must say so.
        data = _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", data, count=1)
        data = data.encode("utf-8", "replace")
    if not data or not data.strip():
        raise UnsafeXMLError(_("The XML document is empty."), code="xml_empty")
    if len(data) > max_bytes:
        raise UnsafeXMLError(
            _("The XML document is %(size)s bytes, more than the %(max)s allowed."),
            code="xml_too_large",
            size=len(data),
            max=max_bytes,
        )
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
