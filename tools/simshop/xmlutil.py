"""Hardened XML parsing for the documents buyers post to the shop."""

from lxml import etree

MAX_XML_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 128


class XMLError(ValueError):
    """A posted document that is not acceptable XML."""


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


def parse_xml(data):
    """Parse ``data`` (bytes or str) and return the root element.

    A DOCTYPE naming an external DTD (as cXML documents do) is accepted and
    ignored; entity declarations are refused.

    :raises XMLError: for empty, oversized, too deep, entity-declaring or
        malformed documents.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data or not data.strip():
        raise XMLError("empty document")
    if len(data) > MAX_XML_BYTES:
        raise XMLError(f"document larger than {MAX_XML_BYTES} bytes")
    if b"<!entity" in data.lower():
        raise XMLError("entity declarations are not accepted")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XMLError(f"not well-formed: {exc}") from exc
    if root is None:
        raise XMLError("empty document")
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise XMLError(f"nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in element)
    return root


def localname(element):
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text(element, default=""):
    """The whole text content of ``element``, stripped; ``default`` if None."""
    if element is None:
        return default
    return "".join(element.itertext()).strip()


def tostring(root, doctype=None):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=doctype)
