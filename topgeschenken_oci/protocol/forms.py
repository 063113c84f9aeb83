"""Decode the body a webshop posts back to the HOOK_URL into form pairs.

Werkzeug decodes forms as UTF-8; an OCI cart often comes in ISO-8859-1 or
windows-1252, named in the Content-Type charset or only in the supplier's
contract. These helpers decode the raw body with the right charset and keep
repeated fields (a long text split over several inputs) in order.
"""

from email.parser import BytesParser
from email.policy import HTTP

from .const import MAX_FORM_FIELDS
from .errors import CartError, _

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation
from .oci import decode_form_body

FORMATS = ("oci", "oci_xml", "cxml")


def _charset_of(content_type, default):
    for part in (content_type or "").split(";")[1:]:
        key, _sep, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return default


def _decode_text(data, charset):
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return data.decode("windows-1252", errors="replace")


def decode_multipart(body, content_type, default_charset="utf-8"):
    """Decode a ``multipart/form-data`` body into (name, value) pairs.

    A part's own charset wins, then the request's, then ``default_charset``.
    File parts are decoded as text too (a cart has no binary parts).
    """
    charset = _charset_of(content_type, default_charset)
    try:
        return _decode_multipart_parts(body, content_type, charset)
    except CartError:
        raise
    except Exception as error:  # noqa: BLE001 - any malformed part is a bad cart
        raise CartError(
            _("The multipart cart could not be read."), code="bad_multipart"
        ) from error


def _decode_multipart_parts(body, content_type, charset):
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode(
        "latin-1"
    )
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise CartError(
            _("The multipart cart could not be read."), code="bad_multipart"
        )
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        pairs.append(
            (str(name), _decode_text(payload, part.get_content_charset() or charset))
        )
    return pairs


def _boundary_of(content_type):
    for part in (content_type or "").split(";")[1:]:
        key, _sep, value = part.strip().partition("=")
        if key.strip().lower() == "boundary" and value.strip():
            return value.strip().strip('"')
    return ""


def count_fields(body, content_type):
    """How many form fields ``body`` holds at most, counted without parsing."""
    mimetype = (content_type or "").split(";")[0].strip().lower()
    if mimetype == "multipart/form-data":
        boundary = _boundary_of(content_type)
        if not boundary:
            return 0
        return body.count(b"--" + boundary.encode("latin-1", "replace"))
    if mimetype in ("text/xml", "application/xml"):
        return 1
    return body.count(b"&") + 1


def check_field_count(body, content_type, max_fields=MAX_FORM_FIELDS):
    """Refuse a body with more form fields than a cart can hold, before any
    parsing (a few MB of ``a&a&a…`` would otherwise be millions of pairs)."""
    count = count_fields(body, content_type)
    if count > max_fields:
        raise CartError(
            _("The cart has more than %(max)s form fields and was refused."),
            code="too_many_fields",
            count=count,
            max=max_fields,
        )


def decode_body(body, content_type, default_charset="utf-8"):
    """Form pairs of a POSTed cart, whatever its encoding."""
    check_field_count(body, content_type)
    mimetype = (content_type or "").split(";")[0].strip().lower()
    if mimetype == "multipart/form-data":
        return decode_multipart(body, content_type, default_charset)
    if mimetype in ("text/xml", "application/xml"):
        # A cXML PunchOutOrderMessage posted as a bare document.
        return [
            ("cxml-urlencoded", _decode_text(body, _charset_of(content_type, "utf-8")))
        ]
    return decode_form_body(body, content_type or "", default_charset)


def decode_query(query_string, default_charset="utf-8"):
    """Form pairs of a cart sent as a GET query string."""
    check_field_count(query_string or b"", "")
    return decode_form_body(
        query_string or b"", "application/x-www-form-urlencoded", default_charset
    )


def detect_format(pairs):
    """``"cxml"``, ``"oci_xml"`` or ``"oci"``: which kind of cart the pairs hold."""
    names = {name.lower() for name, _value in pairs}
    if names & {"cxml-urlencoded", "cxml-base64"}:
        return "cxml"
    if "~xmldocument" in names:
        return "oci_xml"
    return "oci"
