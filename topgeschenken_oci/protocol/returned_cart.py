"""A returned cart, read in one step: from the bytes the shop posted back to
the return URL to a neutral :class:`.cart.Cart`, whatever its format.

Formats (``Cart.protocol``):

- ``"oci"``: OCI 4.0/5.0 ``NEW_ITEM-*`` form fields (SAP OCI 4.0 spec, 3.2
  "Outbound section"), urlencoded or multipart, or a GET query string;
- ``"oci_xml"``: OCI's XML cart in the ``~xmlDocument`` field (OCI 5.0, 3.3);
- ``"cxml"``: a cXML ``PunchOutOrderMessage`` in ``cxml-urlencoded`` /
  ``cxml-base64`` or posted as the body itself (cXML User's Guide,
  "PunchOutOrderMessage").

The decoding (charsets, multipart, base64) is :mod:`.forms`; the XML goes
through :mod:`.xmlsafe`; the mapping to a ``Cart`` is :mod:`.oci` or
:mod:`.cxml`. Nothing here needs Odoo.
"""

from . import cxml, forms, oci


def read_cart(
    body,
    content_type,
    *,
    method="POST",
    charset="utf-8",
    aux_id_field="",
    on_format=None,
    allow_empty=False,
):
    """Read the cart a shop posted back.

    :param bytes body: the request body (for ``method="GET"``: the query
        string, as bytes).
    :param str content_type: the request's Content-Type header ("" if none).
    :param str method: ``"POST"`` or ``"GET"``.
    :param str charset: the encoding of a body that names none (the
        webshop's *Cart encoding*).
    :param str aux_id_field: the OCI field that carries the shop's line
        reference (``NEW_ITEM-EXT_PRODUCT_ID``, a ``CUST_FIELD``...), "" for
        none.
    :param on_format: called with the detected format (``"oci"``,
        ``"oci_xml"``, ``"cxml"``) before the cart is parsed, so a caller can
        record it even when parsing fails.
    :param allow_empty: a cart without items is returned as one (the buyer
        emptied the cart of an edit session) instead of refused
        (``empty_cart``); a post of nothing at all is still refused.
    :returns: the :class:`.cart.Cart` (``protocol`` set to the format).
    :raises ProtocolError: a body that cannot be decoded or parsed
        (:class:`.errors.CartError`, ``CXMLError``, ``UnsafeXMLError``...),
        each with a stable ``code`` and a message for the buyer.
    """
    if method == "GET":
        pairs = forms.decode_query(body, charset)
    else:
        pairs = forms.decode_body(body, content_type, charset)
    file_format = forms.detect_format(pairs)
    if on_format:
        on_format(file_format)
    if file_format == "cxml":
        return cxml.parse_punchout_order_message(
            forms.decode_cxml_post(pairs), allow_empty=allow_empty
        )
    if file_format == "oci_xml":
        xml_value = next(v for k, v in pairs if k.lower() == "~xmldocument")
        return oci.parse_oci_xml(
            xml_value, aux_id_field=aux_id_field, allow_empty=allow_empty
        )
    return oci.parse_oci_form(pairs, aux_id_field=aux_id_field, allow_empty=allow_empty)
