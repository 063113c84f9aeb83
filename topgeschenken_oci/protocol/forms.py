"""Decode the body a webshop posts back to the HOOK_URL into form pairs.

The one home of form decoding and charsets: ``application/x-www-form-
urlencoded`` bodies and query strings, ``multipart/form-data`` bodies, a
bare XML body, and the document fields of XML carts (``~xmlDocument`` of an
OCI XML cart, ``cxml-urlencoded`` or ``cxml-base64`` of a cXML one). The
format modules (:mod:`.oci`, :mod:`.cxml`) only
map the decoded pairs onto a :class:`~.cart.Cart`.

Werkzeug decodes forms as UTF-8; an OCI cart often comes in ISO-8859-1 or
windows-1252, named in the Content-Type charset or only in the supplier's
contract. These helpers decode the raw body with the right charset and keep
repeated fields (a long text split over several inputs) in order. Encoding
declarations of XML documents are read and rewritten by :mod:`.xmlsafe`.
"""

import base64
import binascii
import codecs
import re
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import unquote, unquote_plus, unquote_to_bytes

from .const import MAX_FORM_FIELDS
from .errors import CartError, UnsafeXMLError, _
from .xmlsafe import MAX_XML_BYTES, declared_encoding, encode_text, to_utf8

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation

FORMATS = ("oci", "oci_xml", "cxml")
#: Form fields of the cXML punchout return POST (cXML User's Guide,
#: "PunchOut Order Message": the document is posted URL-encoded or
#: base64-encoded).
FIELD_URLENCODED = "cxml-urlencoded"
FIELD_BASE64 = "cxml-base64"

# ---------------------------------------------------------------------------
# Charsets
# ---------------------------------------------------------------------------

_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]*)""", re.I)
# WHATWG: browsers post "ISO-8859-1" and "US-ASCII" forms as windows-1252.
_WINDOWS_1252_LABELS = {"latin_1", "iso8859_1", "ascii", "cp1252"}
# windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined: they stay C1.
_CP1252_TABLE = {
    byte: bytes([byte]).decode("cp1252")
    for byte in range(0x80, 0xA0)
    if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _decode_windows_1252(data):
    """Decode ``data`` (bytes) as browsers do for windows-1252; never raises."""
    return data.decode("latin-1").translate(_CP1252_TABLE)


def _codec(label):
    """Python's codec name for a charset label (``"iso8859_1"``), or ``None``."""
    try:
        return codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None


def _declares_charset(content_type):
    return bool(re.search(r"charset\s*=", content_type or "", re.I))


def _charset_of(content_type, default_charset="utf-8"):
    """The codec of a Content-Type's ``charset=`` parameter.

    An absent or unknown charset gives ``default_charset``, and an unknown
    default ``"utf_8"``.

    :returns: a Python codec name, such as ``"utf_8"`` or ``"iso8859_1"``.
    """
    match = _CHARSET_PARAM.search(content_type or "")
    for label in (match and match.group(1), default_charset, "utf-8"):
        codec = label and _codec(label)
        if codec:
            return codec
    return "utf_8"  # pragma: no cover


def _decode(data, charset):
    if charset in _WINDOWS_1252_LABELS:
        return _decode_windows_1252(data)
    return data.decode(charset)


#: Byte order marks and the encoding they name, longest first.
_BOM_ENCODINGS = (
    (codecs.BOM_UTF8, "utf_8"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)


def _decode_text(data, charset):
    """Decode ``data`` (bytes) in ``charset`` (a codec name, see
    ``_charset_of``); ISO-8859-1 and US-ASCII are read as windows-1252,
    and bytes not valid in ``charset`` too. A byte order mark wins over
    ``charset`` and is dropped (WHATWG Encoding, "decode": BOM sniffing), so
    a UTF-16 document posted without or with a wrong charset reads right;
    so do the first bytes of XML in UTF-16 or UTF-32 without one. Never
    raises."""
    for bom, encoding in _BOM_ENCODINGS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                break
    if data[:1] == b"\x00" or data[:2] == b"<\x00":
        # No text in an 8-bit charset starts so: XML in UTF-16 or UTF-32
        # without a byte order mark, told by its first bytes (XML 1.0
        # appendix F), whatever the charset said.
        try:
            return to_utf8(data).decode("utf-8")
        except (UnsafeXMLError, UnicodeDecodeError):
            return _decode_windows_1252(data)  # broken UTF-16: the parser says so
    try:
        return _decode(data, charset)
    except Exception:  # noqa: BLE001 - whatever the declared codec raises
        return _decode_windows_1252(data)


# ---------------------------------------------------------------------------
# Form bodies
# ---------------------------------------------------------------------------


def decode_form_body(body, content_type, default_charset="utf-8"):
    """Decode an ``application/x-www-form-urlencoded`` body into pairs.

    The charset comes from the ``charset=`` parameter of ``content_type``,
    else from a ``_charset_`` field, else ``default_charset``. When the bytes
    are not valid in it, the whole body is read as windows-1252. ISO-8859-1
    and US-ASCII are read as windows-1252, as browsers do. Never raises
    ``UnicodeDecodeError``.

    :returns: a list of ``(name, value)`` str pairs, in the order sent.
    """
    body = bytes(body or b"")
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
    raw = []
    for part in body.split(b"&"):
        if not part:
            continue
        name, _sep, value = part.partition(b"=")
        raw.append(
            (
                unquote_to_bytes(name.replace(b"+", b" ")),
                unquote_to_bytes(value.replace(b"+", b" ")),
            )
        )
    has_charset = _declares_charset(content_type)
    if not has_charset:
        for name, value in raw:
            if name == b"_charset_" and value:
                default_charset = value.decode("latin-1")
                break
    charset = _charset_of(content_type if has_charset else "", default_charset)
    try:
        return [
            (_decode(name, charset), _decode(value, charset)) for name, value in raw
        ]
    except Exception:  # noqa: BLE001 - whatever the declared codec raises
        return [
            (_decode_windows_1252(name), _decode_windows_1252(value))
            for name, value in raw
        ]


def decode_multipart(body, content_type, default_charset="utf-8"):
    """Decode a ``multipart/form-data`` body into (name, value) pairs.

    A part's own charset wins, then the request's, then ``default_charset``.
    File parts are decoded as text too (a cart has no binary parts).

    :raises CartError: code ``bad_multipart``.
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
        part_charset = part.get_content_charset()
        if part_charset:
            part_charset = _charset_of(f"charset={part_charset}", charset)
        pairs.append((str(name), _decode_text(payload, part_charset or charset)))
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
    parsing (a few MB of ``a&a&a…`` would otherwise be millions of pairs).

    :raises CartError: code ``too_many_fields``.
    """
    count = count_fields(body, content_type)
    if count > max_fields:
        raise CartError(
            _("The cart has more than %(max)s form fields and was refused."),
            code="too_many_fields",
            count=count,
            max=max_fields,
        )


def decode_body(body, content_type, default_charset="utf-8"):
    """Form pairs of a POSTed cart, whatever its encoding.

    ``body`` is the raw request body (bytes), ``content_type`` the request's
    Content-Type header; a bare cXML document (``text/xml``) becomes one
    ``cxml-urlencoded`` pair.

    :returns: a list of ``(name, value)`` str pairs, in the order sent.
    :raises CartError: ``too_many_fields``, ``bad_multipart``.
    """
    check_field_count(body, content_type)
    mimetype = (content_type or "").split(";")[0].strip().lower()
    if mimetype == "multipart/form-data":
        return decode_multipart(body, content_type, default_charset)
    if mimetype in ("text/xml", "application/xml"):
        # A cXML PunchOutOrderMessage posted as a bare document.
        return [(FIELD_URLENCODED, _decode_text(body, _charset_of(content_type)))]
    return decode_form_body(body, content_type or "", default_charset)


def decode_query(query_string, default_charset="utf-8"):
    """Form pairs of a cart sent as a GET query string.

    :raises CartError: code ``too_many_fields``.
    """
    check_field_count(query_string or b"", "")
    return decode_form_body(
        query_string or b"", "application/x-www-form-urlencoded", default_charset
    )


def detect_format(pairs):
    """``"cxml"``, ``"oci_xml"`` or ``"oci"``: which kind of cart the pairs hold."""
    names = {name.lower() for name, _value in pairs}
    if names & {FIELD_URLENCODED, FIELD_BASE64}:
        return "cxml"
    if "~xmldocument" in names:
        return "oci_xml"
    return "oci"


# ---------------------------------------------------------------------------
# The cXML document of a cXML cart (the cxml-urlencoded / cxml-base64 field)
# ---------------------------------------------------------------------------


def decode_cxml_post(pairs):
    """Return the cXML document of a punchout return POST as bytes.

    ``pairs`` is the form (a mapping, or an iterable of ``(name, value)``
    pairs). The cXML guide names two fields: ``cxml-urlencoded`` (already
    URL-decoded by the web framework; still-encoded text starting ``%3C`` is
    decoded once more) and ``cxml-base64`` (spaces, which a missing
    URL-encoding turns ``+`` into, are read back as ``+``). Field names are
    matched case-insensitively.

    :raises CartError: when neither field holds anything (``no_cxml``) or the
        base64 is broken (``bad_base64``).
    """
    items = pairs.items() if hasattr(pairs, "items") else pairs
    fields = {}
    for name, value in items:
        key = str(name).strip().lower()
        if key in (FIELD_URLENCODED, FIELD_BASE64) and key not in fields and value:
            fields[key] = value
    if FIELD_URLENCODED in fields:
        value = fields[FIELD_URLENCODED]
        if isinstance(value, bytes | bytearray):
            data = to_utf8(bytes(value))
        else:
            text = value.lstrip("\ufeff")
            if text.lstrip()[:3].upper() == "%3C":
                text = unquote_plus(text)
            data = encode_text(text)
        if data.strip():
            return data
    if FIELD_BASE64 in fields:
        value = fields[FIELD_BASE64]
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("ascii", "replace")
        compact = value.strip().translate({ord(c): None for c in "\r\n\t"})
        if len(compact) > MAX_XML_BYTES * 4 // 3 + 8:
            raise CartError(_("The returned cart is too large."), code="cart_too_large")
        compact = compact.replace(" ", "+")
        compact += "=" * (-len(compact) % 4)
        try:
            if "-" in compact or "_" in compact:
                decoded = base64.urlsafe_b64decode(compact)
            else:
                decoded = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CartError(
                _("The cxml-base64 field is not valid base64."), code="bad_base64"
            ) from exc
        if decoded.strip():
            return decoded
    raise CartError(
        _(
            "The shop returned no cXML document (no cxml-urlencoded or cxml-base64 "
            "field)."
        ),
        code="no_cxml",
    )


# ---------------------------------------------------------------------------
# The XML document of an OCI XML cart (the ~xmlDocument field)
# ---------------------------------------------------------------------------

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def bad_document(message, **params):
    """The :class:`~.errors.CartError` of an unreadable XML document."""
    return CartError(message, code="bad_xml_document", **params)


def _xml_bytes(data):
    """Return XML bytes the parser reads right: UTF-8 unless declared.

    A document declared (or, undeclared, not valid UTF-8) as ISO-8859-1 or
    US-ASCII is read as windows-1252, as browsers do, and returned as UTF-8
    with its declaration adjusted; other declared encodings are left to the
    parser, and so are documents with a byte order mark. UTF-16 and UTF-32
    without one are transcoded to UTF-8 first (:func:`.xmlsafe.to_utf8`
    tells them by their first bytes): they are not UTF-8, and must not be
    taken for windows-1252.
    """
    if data.startswith(_BOMS):
        return data
    data = to_utf8(data)
    declared = declared_encoding(data)
    if declared:
        # UTF-8, UTF-16...: the parser reads it, or refuses it.
        as_windows_1252 = _codec(declared) in _WINDOWS_1252_LABELS
    else:
        as_windows_1252 = not _is_utf8(data)
    if not as_windows_1252:
        return data
    return encode_text(_decode_windows_1252(data))


def _is_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_xml(data):
    """Whether ``data`` starts (after a BOM and blanks) with ``<``, in UTF-8
    or in the UTF-16 and UTF-32 forms the XML gate reads."""
    try:
        head = to_utf8(data[:64])
    except UnsafeXMLError:
        return False
    return head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<")


def _decode_base64(text):
    """Return the XML bytes base64 ``text`` holds, or ``None``."""
    text = re.sub(r"[\r\n\t]", "", text)
    # Spaces are "+" signs a form decoder turned into spaces, unless they
    # only pad the value.
    for candidate in (text, text.strip(" ")):
        encoded = candidate.replace(" ", "+")
        altchars = b"-_" if ("-" in encoded or "_" in encoded) else None
        encoded += "=" * (-len(encoded) % 4)
        try:
            data = base64.b64decode(encoded.encode("ascii"), altchars, validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
        if _looks_like_xml(data):
            return data.strip()
    return None


def decode_xml_document(value):
    """Return the XML of a ``~xmlDocument`` field as bytes.

    ``value`` (str or bytes) is base64, with or without line breaks (spaces
    are read as ``+`` lost in form decoding; the URL-safe alphabet and
    missing padding are accepted), percent-encoded XML, or XML text. XML text
    is returned as UTF-8 with its declaration adjusted; undeclared bytes
    that are not UTF-8 are read as windows-1252. The bytes still go through
    :func:`.xmlsafe.parse_xml`.

    :raises CartError: code ``bad_xml_document``.
    """
    if value is None:
        raise bad_document(_("The cart holds no XML document."))
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value).strip()
        if _looks_like_xml(data):
            return _xml_bytes(data)
        try:
            value = data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise bad_document(
                _("The XML document is neither XML nor base64.")
            ) from exc
    value = str(value).lstrip("\ufeff")
    text = value.strip()
    if not text:
        raise bad_document(_("The cart holds no XML document."))
    if len(text) > MAX_XML_BYTES * 2:
        raise bad_document(
            _("The XML document is larger than %(max)s bytes."), max=MAX_XML_BYTES
        )
    if text[:3].upper() == "%3C":
        text = unquote(text, encoding="utf-8", errors="replace").strip()
    if text.startswith("<"):
        return encode_text(text)
    data = _decode_base64(value)
    if data is None:
        raise bad_document(_("The XML document is neither XML nor base64 of XML."))
    return _xml_bytes(data)
