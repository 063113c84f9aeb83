"""cXML 1.2 punchout and purchase-order documents.

Builds the documents we send (``PunchOutSetupRequest``, ``OrderRequest``,
plain status responses), each from an :class:`Envelope` (the header), and
parses the ones we receive (the setup response, the returned cart, the order
response). The shop's documents are built for the tests in
``tests/cxml_builders.py``.

The structures follow the cXML User's Guide and ``cXML.dtd`` 1.2.063:

* ``PunchOutSetupRequest (BuyerCookie, Extrinsic*, BrowserFormPost?,
  Contact*, SupplierSetup?, ShipTo?, ...)``
* ``PunchOutOrderMessage (BuyerCookie, PunchOutOrderMessageHeader, ItemIn*)``
* ``OrderRequest (OrderRequestHeader, ItemOut+)``, the header being
  ``(Total, ShipTo?, BillTo, ..., Shipping?, Tax?, ..., Contact*, Comments*,
  ..., Extrinsic*)``
* ``ItemDetail (UnitPrice, Description+, ..., UnitOfMeasure,
  PriceBasisQuantity?, Classification+, ManufacturerPartID?,
  ManufacturerName?, URL?, LeadTime?, ..., Extrinsic*)``

Incoming documents go through :func:`.xmlsafe.parse_xml`; on top of that a
DOCTYPE with an internal subset (``<!DOCTYPE cXML [...]>``) is refused, while
the customary external ``<!DOCTYPE cXML SYSTEM "...cXML.dtd">`` is accepted
and never loaded. UTF-16/UTF-32 documents are transcoded to UTF-8 first, so
the byte-level entity check of ``xmlsafe`` cannot be side-stepped by an
encoding.

Numbers in cXML are plain decimals with a dot (``%r8;``/``%number;`` in the
DTD), so they are parsed strictly here (no locale guessing: ``1,000`` is
refused, not read as one or as a thousand).
"""

import dataclasses
import os
import re
import time
import uuid
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

from lxml import etree

from . import const
from .cart import Cart, CartItem, clean_texts
from .errors import CartError, CXMLError, UnsafeXMLError, _
from .numbers import parse_tax_rate

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation
from .xmlsafe import (
    drop_control_chars,
    localname,
    parse_xml,
    to_utf8,
)

CXML_VERSION = "1.2.063"
CXML_DOCTYPE = (
    f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/cXML.dtd">'
)
DEFAULT_LANG = "nl-NL"
CENT = Decimal("0.01")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Classification domain whose value becomes ``CartItem.matgroup``.
MATGROUP_DOMAIN = "NZI"

#: Line item types: ``itemType="composite"`` is a group heading.
ITEM_TYPE_REGULAR = "R"
ITEM_TYPE_OUTLINE = "O"

#: ISO 3166 country -> international dialling code, for ``Phone`` elements.
DIAL_CODES = {
    "NL": "31",
    "BE": "32",
    "DE": "49",
    "FR": "33",
    "LU": "352",
    "GB": "44",
    "AT": "43",
    "CH": "41",
    "DK": "45",
    "ES": "34",
    "IT": "39",
    "US": "1",
}

_DEPLOYMENT_MODES = ("production", "test")
_ORDER_TYPES = ("new", "update", "delete")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,2})?$")
_MAX_NUMBER_CHARS = 40
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def new_payload_id(host="odoo"):
    """A unique cXML ``payloadID``: ``<time>.<pid>.<random>@<host>``."""
    return f"{int(time.time())}.{os.getpid()}.{uuid.uuid4().hex}@{host}"


@dataclasses.dataclass(frozen=True)
class Envelope:
    """Who a cXML document is from and to: the ``Header`` credentials and
    the values around them, the same for every document of one webshop
    connection (cXML User's Guide, "Header"; ``cXML.dtd`` ``Header (From,
    To, Sender)``).

    Built once by the webshop record (``_cxml_envelope()``) and passed to
    every builder. The shared secret is left out of ``repr()`` (logs);
    :meth:`without_secret` gives the envelope of a document that is stored.

    :ivar from_identity: ``From/Credential/Identity`` (the buyer).
    :ivar to_identity: ``To/Credential/Identity`` (the shop).
    :ivar sender_identity: ``Sender/Credential/Identity``.
    :ivar from_domain: ``From/Credential@domain`` (default ``NetworkID``);
        ``to_domain``, ``sender_domain`` likewise.
    :ivar shared_secret: ``Sender/Credential/SharedSecret`` (``""``: none).
    :ivar user_agent: ``Sender/UserAgent`` (also the HTTP User-Agent).
    :ivar deployment_mode: ``Request@deploymentMode``: ``"production"``,
        ``"test"`` or ``None`` (the attribute left out: production).
    :ivar payload_host: the domain after ``@`` in new ``payloadID`` values.
    """

    from_identity: str
    to_identity: str
    sender_identity: str
    from_domain: str = "NetworkID"
    to_domain: str = "NetworkID"
    sender_domain: str = "NetworkID"
    shared_secret: str = dataclasses.field(default="", repr=False)
    user_agent: str = "Odoo"
    deployment_mode: str | None = None
    payload_host: str = "odoo"

    def new_payload_id(self):
        """A new unique ``payloadID`` at :attr:`payload_host`."""
        return new_payload_id(self.payload_host)

    def without_secret(self):
        """This envelope without its shared secret."""
        return dataclasses.replace(self, shared_secret="")


def format_timestamp(value=None):
    """An ISO 8601 timestamp with time zone, as cXML wants it.

    ``value`` may be a string (returned as is), an aware ``datetime``, a
    naive ``datetime`` (taken as UTC, which is how Odoo stores datetimes) or
    ``None`` (now, UTC).
    """
    if value is None:
        value = datetime.now(timezone.utc)
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise CXMLError(
        _("%(value)r is not a date or time."), code="bad_timestamp", value=value
    )


def _format_date(value):
    """A ``%date;`` value: ``YYYY-MM-DD`` for dates, ISO strings as given."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cxml_decimal(text, field, error_cls=CartError):
    """Parse a cXML number (``%r8;``/``%number;``: a dot-decimal).

    Private on purpose: ``numbers.parse_decimal`` is locale tolerant (for OCI
    forms), which cXML must not be.
    """
    if isinstance(text, Decimal):
        value = text
    else:
        raw = (text or "").strip() if isinstance(text, str) else text
        if isinstance(raw, bool) or raw is None or raw == "":
            raise error_cls(
                "The %(field)s is missing.", code="missing_number", field=field
            )
        if isinstance(raw, int | float):
            raw = repr(raw)
        if (
            not isinstance(raw, str)
            or len(raw) > _MAX_NUMBER_CHARS
            or not _NUMBER_RE.match(raw)
        ):
            raise error_cls(
                "The %(field)s %(value)r is not a number.",
                code="bad_number",
                field=field,
                value=str(raw)[:_MAX_NUMBER_CHARS],
            )
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:  # pragma: no cover - regex guards it
            raise error_cls(
                "The %(field)s %(value)r is not a number.",
                code="bad_number",
                field=field,
                value=raw,
            ) from exc
    if not value.is_finite() or (value and abs(value.adjusted()) > 30):
        raise error_cls(
            "The %(field)s %(value)r is not a number.",
            code="bad_number",
            field=field,
            value=str(value),
        )
    return value


def _plain(value, field, error_cls=CXMLError):
    """Render a number as a plain decimal string (no exponent)."""
    number = _cxml_decimal(value, field, error_cls=error_cls)
    if number == 0:
        number = abs(number)  # no "-0"
    return format(number, "f")


def _choice(value, choices, field):
    """``value`` if it is one of ``choices`` (or empty), else CXMLError."""
    if value in (None, "") or value in choices:
        return value or None
    raise CXMLError(
        _("%(value)r is not a valid %(field)s (%(choices)s)."),
        code="bad_choice",
        value=value,
        field=field,
        choices=", ".join(choices),
    )


def _sub(parent, tag, text=None, attrs=None):
    el = etree.SubElement(parent, tag)
    for key, val in (attrs or {}).items():
        if val is None or val == "":
            continue
        _set(el, key, str(val), tag)
    if text is not None:
        _text(el, text, tag)
    return el


def _set(el, key, value, field):
    try:
        el.set(key, value)
    except (ValueError, UnicodeError) as exc:
        raise CXMLError(
            _("The %(field)s contains characters that XML cannot carry."),
            code="invalid_xml_text",
            field=field,
        ) from exc


def _text(el, value, field):
    try:
        el.text = str(value)
    except (ValueError, UnicodeError) as exc:
        raise CXMLError(
            _("The %(field)s contains characters that XML cannot carry."),
            code="invalid_xml_text",
            field=field,
        ) from exc


def _serialize(root):
    return etree.tostring(
        root,
        xml_declaration=True,
        encoding="UTF-8",
        doctype=CXML_DOCTYPE,
        pretty_print=True,
    )


def _root(payload_id, timestamp, lang=DEFAULT_LANG):
    if not payload_id:
        raise CXMLError(_("A cXML document needs a payloadID."), code="missing_payload")
    root = etree.Element("cXML")
    _set(root, "version", CXML_VERSION, "version")
    _set(root, "payloadID", str(payload_id), "payloadID")
    _set(root, "timestamp", format_timestamp(timestamp), "timestamp")
    if lang:
        _set(root, XML_LANG, lang, "xml:lang")
    return root


def _credential(parent, domain, identity, shared_secret=None):
    if not identity or not domain:
        raise CXMLError(
            _("The %(party)s credential needs an identity and a domain."),
            code="missing_credential",
            party=localname(parent),
        )
    cred = _sub(parent, "Credential", attrs={"domain": domain})
    _sub(cred, "Identity", identity)
    if shared_secret:
        _sub(cred, "SharedSecret", shared_secret)
    return cred


def _header(root, envelope):
    header = _sub(root, "Header")
    _credential(_sub(header, "From"), envelope.from_domain, envelope.from_identity)
    _credential(_sub(header, "To"), envelope.to_domain, envelope.to_identity)
    sender = _sub(header, "Sender")
    _credential(
        sender,
        envelope.sender_domain,
        envelope.sender_identity,
        envelope.shared_secret,
    )
    _sub(sender, "UserAgent", envelope.user_agent or "Odoo topgeschenken_oci")
    return header


def _request(root, envelope):
    mode = _choice(envelope.deployment_mode, _DEPLOYMENT_MODES, "deployment mode")
    return _sub(root, "Request", attrs={"deploymentMode": mode})


def _money(parent, tag, amount, currency, field):
    if not currency or not _CURRENCY_RE.match(str(currency)):
        raise CXMLError(
            _("The currency %(currency)r of the %(field)s is not an ISO 4217 code."),
            code="bad_currency",
            currency=currency,
            field=field,
        )
    holder = _sub(parent, tag)
    _sub(holder, "Money", _plain(amount, field), {"currency": currency})
    return holder


def _description(parent, text, lang, short_name=None):
    el = _sub(parent, "Description", attrs={XML_LANG: lang or DEFAULT_LANG})
    if text:
        _text(el, text, "Description")
    if short_name:
        _sub(el, "ShortName", short_name)
    return el


def _extrinsics(parent, extrinsics):
    for name, value in (extrinsics or {}).items():
        if value is None or value is False or value == "":
            continue
        _sub(parent, "Extrinsic", value, {"name": name})


def _phone(parent, phone, country_code):
    country_code = (country_code or "").upper()
    dial = DIAL_CODES.get(country_code, "")
    number = str(phone).strip()
    if number.startswith("+"):
        digits = number[1:].lstrip()
        for iso, code in DIAL_CODES.items():
            if digits.startswith(code) and (not dial or code == dial):
                dial, country_code = code, country_code or iso
                number = digits[len(code) :].strip()
                break
    tel = _sub(_sub(parent, "Phone", attrs={"name": "work"}), "TelephoneNumber")
    _sub(tel, "CountryCode", dial, {"isoCountryCode": country_code or "NL"})
    _sub(tel, "AreaOrCityCode", "")
    _sub(tel, "Number", number)


def _address(parent, tag, address, lang, *, require_postal=False):
    """Add ``<tag><Address>...</Address></tag>`` from an address dict.

    Keys: ``name`` (required), ``address_id``, ``address_id_domain``,
    ``deliver_to`` (str or list), ``street``, ``street2``, ``zip``, ``city``,
    ``state``, ``country_code`` (ISO 3166 alpha-2), ``country`` (name,
    defaults to the code), ``email``, ``phone``.
    """
    if not address or not address.get("name"):
        raise CXMLError(
            _("The %(tag)s address needs a name."), code="address_incomplete", tag=tag
        )
    holder = _sub(parent, tag)
    country_code = (address.get("country_code") or "").upper()
    addr = _sub(
        holder,
        "Address",
        attrs={
            "isoCountryCode": country_code,
            "addressID": address.get("address_id"),
            "addressIDDomain": address.get("address_id_domain"),
        },
    )
    _sub(addr, "Name", address["name"], {XML_LANG: lang})
    postal_keys = ("street", "city", "country_code")
    given = [key for key in postal_keys if address.get(key)]
    if given or require_postal:
        missing = [key for key in postal_keys if not address.get(key)]
        if missing:
            raise CXMLError(
                _("The %(tag)s address lacks %(missing)s."),
                code="address_incomplete",
                tag=tag,
                missing=", ".join(missing),
            )
        postal = _sub(addr, "PostalAddress", attrs={"name": "default"})
        deliver_to = address.get("deliver_to") or []
        if isinstance(deliver_to, str):
            deliver_to = [deliver_to]
        for line in deliver_to:
            if line:
                _sub(postal, "DeliverTo", line)
        _sub(postal, "Street", address["street"])
        if address.get("street2"):
            _sub(postal, "Street", address["street2"])
        _sub(postal, "City", address["city"])
        if address.get("state"):
            _sub(postal, "State", address["state"])
        if address.get("zip"):
            _sub(postal, "PostalCode", address["zip"])
        _sub(
            postal,
            "Country",
            address.get("country") or country_code,
            {"isoCountryCode": country_code},
        )
    if address.get("email"):
        _sub(addr, "Email", address["email"], {"name": "default"})
    if address.get("phone"):
        _phone(addr, address["phone"], country_code)
    return holder


def _parse(data, error_cls):
    """Parse an incoming cXML document and return its root element.

    Hostile input raises :class:`UnsafeXMLError`; input that is no XML at all
    (an HTML error page, an empty body) raises ``error_cls``.
    """
    raw = drop_control_chars(to_utf8(data))
    try:
        root = parse_xml(raw)
    except UnsafeXMLError as exc:
        if exc.code in ("xml_syntax", "xml_empty"):
            raise error_cls(
                "The answer is not a cXML document: %(error)s",
                code="not_cxml",
                error=exc.text,
            ) from exc
        raise
    if localname(root) != "cXML":
        raise error_cls(
            "The answer is not a cXML document: its root is %(root)s.",
            code="not_cxml",
            root=localname(root),
        )
    return root


def _child(el, name):
    if el is None:
        return None
    for child in el:
        if localname(child) == name:
            return child
    return None


def _children(el, name):
    if el is None:
        return []
    return [child for child in el if localname(child) == name]


def _path(el, *names):
    for name in names:
        el = _child(el, name)
        if el is None:
            return None
    return el


def _strip_text(el):
    if el is None:
        return ""
    return "".join(el.itertext()).strip()


def _inner_xml(el):
    """The content of ``el`` exactly: its text, or its markup if it has any."""
    if el is None:
        return ""
    if len(el) == 0:
        return el.text or ""
    parts = [el.text or ""]
    parts += [etree.tostring(child, encoding="unicode", with_tail=True) for child in el]
    return "".join(parts)


def _flat_text(el):
    """Text of an element; nested elements (nested Extrinsics) joined by spaces."""
    if len(el) == 0:
        return (el.text or "").strip()
    return " ".join(t.strip() for t in el.itertext() if t.strip())


def _status(root, error_cls):
    status = _path(root, "Response", "Status")
    if status is None:
        status = _path(root, "Message", "Status")
    if status is None:
        raise error_cls("The cXML answer has no Status.", code="no_status")
    raw_code = (status.get("code") or "").strip()
    try:
        code = int(raw_code)
    except ValueError as exc:
        raise error_cls(
            "The cXML status code %(code)r is not a number.",
            code="no_status",
            code_value=raw_code,
        ) from exc
    return code, (status.get("text") or "").strip(), _strip_text(status)


def _credential_info(header, party):
    cred = _path(header, party, "Credential")
    if cred is None:
        return {}
    return {
        "domain": cred.get("domain") or "",
        "identity": _strip_text(_child(cred, "Identity")),
    }


# ---------------------------------------------------------------------------
# PunchOutSetupRequest / Response
# ---------------------------------------------------------------------------

_USER_NAME_EXTRINSICS = ("UserFullName", "UserPrintableName", "UniqueName", "User")


def build_punchout_setup_request(
    envelope,
    *,
    payload_id,
    timestamp,
    buyer_cookie,
    return_url,
    operation="create",
    extrinsics=None,
    ship_to=None,
    supplier_setup_url=None,
    lang=DEFAULT_LANG,
    items=None,
    currency=None,
):
    """Build a ``PunchOutSetupRequest`` and return it as UTF-8 bytes.

    ``envelope`` (an :class:`Envelope`, with the shared secret: the request
    goes server to server) gives the header and the deployment mode.

    ``extrinsics`` is an ordered ``{name: value}`` dict written as
    ``<Extrinsic name="...">`` (the Ariba names ``UserEmail``,
    ``UserFullName``, ``UniqueName``, ``FirstName``, ``LastName``,
    ``CostCenter`` ... are understood by most shops). When it names the
    user (``UserFullName``/``UserPrintableName``/``FirstName`` +
    ``LastName``/``UniqueName``) or gives ``UserEmail``, a
    ``<Contact role="endUser">`` with ``Name`` and ``Email`` is added too.
    ``ship_to`` is an address dict (see :func:`build_order_request`).

    ``operation="edit"`` (or ``"inspect"``) re-opens a cart the shop sent
    before (cXML User's Guide, "PunchOutSetupRequest", operations edit and
    inspect): ``items`` are its lines, written as ``ItemOut`` elements after
    the other children (``cXML.dtd``: ``PunchOutSetupRequest (BuyerCookie,
    Extrinsic*, BrowserFormPost?, Contact*, SupplierSetup?, ShipTo?,
    SelectedItem?, ItemOut*)``). Each item is a line dict as
    :func:`build_order_request` takes it (``line_number``, ``quantity``,
    ``supplier_part_id``, ``supplier_part_auxiliary_id`` echoed exactly,
    ``unit_price`` in ``currency`` (ISO 4217, required with items),
    ``unit_of_measure``, ``description``, ``classification``,
    ``price_basis``, ``requested_delivery_date``, ``extrinsics``...): an
    ``ItemOut`` with ``ItemID`` and ``ItemDetail``, as in an OrderRequest.

    :raises CXMLError: an unknown operation (``bad_operation``), no buyer
        cookie or return URL, an edit without items or items with another
        operation than edit/inspect (``missing_setup_data``), items without
        a currency (``bad_currency``), a bad item (``bad_line``), missing
        credentials, text that XML cannot carry.
    """
    if operation not in ("create", "edit", "inspect", "source"):
        raise CXMLError(
            _("Unknown punchout operation %(operation)r."),
            code="bad_operation",
            operation=operation,
        )
    if not buyer_cookie or not return_url:
        raise CXMLError(
            _("A punchout setup request needs a buyer cookie and a return URL."),
            code="missing_setup_data",
        )
    items = list(items or [])
    if operation == "edit" and not items:
        raise CXMLError(
            _("A punchout to edit a cart needs the cart's lines."),
            code="missing_setup_data",
        )
    if items and operation not in ("edit", "inspect"):
        raise CXMLError(
            _(
                "Cart lines go with a punchout to edit or inspect a cart, not "
                "with %(operation)r."
            ),
            code="missing_setup_data",
            operation=operation,
        )
    root = _root(payload_id, timestamp, lang)
    _header(root, envelope)
    request = _request(root, envelope)
    setup = _sub(request, "PunchOutSetupRequest", attrs={"operation": operation})
    _sub(setup, "BuyerCookie", buyer_cookie)
    extrinsics = {k: v for k, v in (extrinsics or {}).items() if v not in (None, "")}
    _extrinsics(setup, extrinsics)
    _sub(_sub(setup, "BrowserFormPost"), "URL", return_url)
    email = extrinsics.get("UserEmail")
    name = next(
        (extrinsics[key] for key in _USER_NAME_EXTRINSICS if extrinsics.get(key)), ""
    )
    if not name:
        name = " ".join(
            str(extrinsics[key])
            for key in ("FirstName", "LastName")
            if extrinsics.get(key)
        )
    if name or email:
        contact = _sub(setup, "Contact", attrs={"role": "endUser"})
        _sub(contact, "Name", name or email, {XML_LANG: lang})
        if email:
            _sub(contact, "Email", email)
    if supplier_setup_url:
        _sub(_sub(setup, "SupplierSetup"), "URL", supplier_setup_url)
    if ship_to:
        _address(setup, "ShipTo", ship_to, lang)
    _add_item_outs(setup, items, str(currency or "").upper(), lang)
    return _serialize(root)


def parse_punchout_setup_response(data):
    """Return the start page URL of a ``PunchOutSetupResponse``.

    :raises CXMLError: with ``params["status_code"]``/``["status_text"]``
        when the status is not 2xx (code ``cxml_status``), when the URL is
        missing or not http(s) (code ``no_start_page``), or when the answer
        is no cXML.
    :raises UnsafeXMLError: for hostile XML.
    """
    root = _parse(data, CXMLError)
    code, text, message = _status(root, CXMLError)
    if not 200 <= code < 300:
        raise CXMLError(
            _(
                "The shop refused the punchout: %(status_code)s %(status_text)s "
                "%(detail)s"
            ),
            code="cxml_status",
            status_code=code,
            status_text=text,
            detail=message,
        )
    url = _strip_text(
        _path(root, "Response", "PunchOutSetupResponse", "StartPage", "URL")
    )
    if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        raise CXMLError(
            _("The shop's punchout answer has no usable start page (%(url)r)."),
            code="no_start_page",
            url=url,
            status_code=code,
            status_text=text,
        )
    return url


# ---------------------------------------------------------------------------
# PunchOutOrderMessage (the returned cart)
# ---------------------------------------------------------------------------


def _currency_code(value):
    """Upper-cased ISO 4217 code, with the aliases OCI carts get (``EURO``)."""
    code = (value or "").strip().upper()
    return const.CURRENCY_ALIASES.get(code, code)


def _line_key(value):
    value = (value or "").strip()
    return str(int(value)) if value.isdigit() else value


def _item_description(detail):
    """(short text, long text, {lang: text}) of an ItemDetail."""
    descriptions = _children(detail, "Description")
    texts = {}
    short = long = ""
    for index, desc in enumerate(descriptions):
        short_el = _child(desc, "ShortName")
        short_name = _strip_text(short_el)
        parts = [desc.text or ""]
        for child in desc:
            if child is not short_el:
                parts.append("".join(child.itertext()))
            parts.append(child.tail or "")
        text = "".join(parts).strip()
        texts.setdefault(desc.get(XML_LANG) or "", text or short_name)
        if index == 0:
            short, long = (short_name, text) if short_name else (text, "")
    return short, long, texts


def _leadtime(text):
    text = (text or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        return None
    return int(value) if value < 10000 else None


def _parse_item(item_in, index):
    """Build a CartItem (without parent resolution) from an ItemIn."""
    line_number = _line_key(item_in.get("lineNumber"))
    line_no = line_number or str(index)
    item_type = (item_in.get("itemType") or "").strip()
    outline = item_type.lower() == "composite"
    item = CartItem(line_no=line_no)
    item.item_type = ITEM_TYPE_OUTLINE if outline else ITEM_TYPE_REGULAR

    quantity = _cxml_decimal(item_in.get("quantity"), f"quantity of line {line_no}")
    if quantity < 0 or (quantity == 0 and not outline):
        raise CartError(
            _("Line %(line)s has quantity %(quantity)s; it must be more than zero."),
            code="bad_quantity",
            line=line_no,
            quantity=str(quantity),
        )
    item.quantity = quantity

    item_id = _child(item_in, "ItemID")
    item.vendormat = _strip_text(_child(item_id, "SupplierPartID"))
    item.aux_id = _inner_xml(_child(item_id, "SupplierPartAuxiliaryID"))
    item.matnr = _strip_text(_child(item_id, "BuyerPartID"))

    detail = _child(item_in, "ItemDetail")
    money = _path(detail, "UnitPrice", "Money")
    if money is None or not _strip_text(money):
        if not outline:
            raise CartError(
                _("Line %(line)s has no price."), code="missing_price", line=line_no
            )
        price = Decimal(0)
    else:
        price = _cxml_decimal(money.text, f"price of line {line_no}")
    if price < 0:
        raise CartError(
            _("Line %(line)s has a negative price %(price)s."),
            code="bad_price",
            line=line_no,
            price=str(price),
        )
    # A Money without a currency is a line without OCI CURRENCY: the cart's.
    currency = _currency_code(money.get("currency") if money is not None else "")
    if currency and not _CURRENCY_RE.match(currency):
        raise CartError(
            _("Line %(line)s has currency %(currency)r, not a 3-letter ISO code."),
            code="bad_currency",
            line=line_no,
            currency=currency,
        )
    item.currency = currency
    item.unit = _strip_text(_child(detail, "UnitOfMeasure"))
    _apply_price_basis(item, price, _child(detail, "PriceBasisQuantity"))

    item.description, item.longtext, texts = _item_description(detail)
    if len(texts) > 1:
        item.extra["descriptions"] = texts

    for cls in _children(detail, "Classification"):
        domain = (cls.get("domain") or "").strip()
        value = _strip_text(cls)
        if domain and value and domain not in item.classifications:
            item.classifications[domain] = value
    if item.classifications:
        nzi = next(
            (
                value
                for domain, value in item.classifications.items()
                if domain.upper() == MATGROUP_DOMAIN
            ),
            None,
        )
        item.matgroup = nzi or next(iter(item.classifications.values()))

    item.manufactmat = _strip_text(_child(detail, "ManufacturerPartID"))
    # cXML has no manufacturer code; its ManufacturerName is the closest field.
    item.manufactcode = _strip_text(_child(detail, "ManufacturerName"))
    item.leadtime = _leadtime(_strip_text(_child(detail, "LeadTime")))
    url = _strip_text(_child(detail, "URL"))
    if url:
        item.attachments.append({"url": url, "title": "", "purpose": "link"})

    for el in _children(detail, "Extrinsic") + _children(item_in, "Extrinsic"):
        name = (el.get("name") or "").strip()
        if not name:
            continue
        value = _flat_text(el)
        if name in item.extrinsics and value and value != item.extrinsics[name]:
            item.extrinsics[name] += "\n" + value
        else:
            item.extrinsics.setdefault(name, value)

    _apply_item_tax(item, _child(item_in, "Tax"))

    comments = _strip_text(_child(item_in, "Comments"))
    if comments:
        item.extra["comments"] = comments
    if item_in.get("compositeItemType"):
        item.extra["composite_item_type"] = item_in.get("compositeItemType")
    return item, _line_key(item_in.get("parentLineNumber")), bool(line_number)


def _apply_item_tax(item, tax):
    """``item.tax_rate`` from an ItemIn's Tax: the TaxDetail's
    ``percentageRate``, else the Tax amount over the line amount."""
    if tax is None:
        return
    for detail in _children(tax, "TaxDetail"):
        rate = parse_tax_rate(detail.get("percentageRate") or "")
        if rate is not None:
            item.tax_rate = rate
            return
    money = _path(tax, "Money")
    if money is None or not _strip_text(money):
        return
    amount = _cxml_decimal(money.text, f"tax of line {item.line_no}")
    item.extra["tax_amount"] = str(amount)
    line_amount = item.quantity * item.unit_price
    if line_amount > 0:
        item.tax_rate = (amount * 100 / line_amount).quantize(Decimal("0.1"))


def _apply_price_basis(item, price, basis):
    """Set ``price``/``price_unit`` from UnitPrice and PriceBasisQuantity.

    cXML: UnitPrice is the price of ``PriceBasisQuantity@quantity`` units of
    the PriceBasisQuantity's unit, and ``conversionFactor`` is "the conversion
    ratio from the unit of measure of the order to the unit of measure of the
    PriceBasisQuantity" (cXML.dtd 1.2.063), i.e. how many price-basis units
    one ordered unit is. SAP Ariba computes the line amount as
    ``quantity * (conversionFactor / PriceBasisQuantity@quantity) * UnitPrice``.

    So one ordered unit costs ``UnitPrice * conversionFactor / quantity``. We
    keep that exact in Decimals: ``price = UnitPrice * conversionFactor`` (the
    price of ``price_unit`` ordered units) and ``price_unit = quantity``. The
    values as sent are kept in ``item.extra``.
    """
    item.price = price
    item.price_unit = Decimal(1)
    if basis is None:
        return
    where = f"price basis of line {item.line_no}"
    basis_qty = _cxml_decimal(basis.get("quantity"), where)
    raw_factor = (basis.get("conversionFactor") or "").strip()
    factor = _cxml_decimal(raw_factor, where) if raw_factor else Decimal(1)
    if basis_qty <= 0 or factor <= 0:
        raise CartError(
            _(
                "Line %(line)s has a price basis quantity %(quantity)s and conversion "
                "factor %(factor)s; both must be more than zero."
            ),
            code="bad_price_basis",
            line=item.line_no,
            quantity=str(basis_qty),
            factor=str(factor),
        )
    item.price = price * factor
    item.price_unit = basis_qty
    item.extra["unit_price"] = str(price)
    item.extra["price_basis_quantity"] = str(basis_qty)
    item.extra["conversion_factor"] = str(factor)
    item.extra["price_basis_unit"] = _strip_text(_child(basis, "UnitOfMeasure"))
    basis_desc = _strip_text(_child(basis, "Description"))
    if basis_desc:
        item.extra["price_basis_description"] = basis_desc


def parse_punchout_order_message(data, *, max_lines=const.MAX_LINES, allow_empty=False):
    """Parse a ``PunchOutOrderMessage`` into a :class:`Cart`.

    ``data`` is the document (bytes or str), e.g. from
    :func:`.forms.decode_cxml_post`. Each ``ItemIn`` becomes a :class:`CartItem`:

    * ``quantity`` (> 0; >= 0 for group headings), ``line_no`` =
      ``lineNumber`` (or the position), ``parent_id`` = ``parentLineNumber``,
      ``item_type`` ``"O"`` for ``itemType="composite"``, else ``"R"``;
    * ``vendormat`` = SupplierPartID, ``aux_id`` = SupplierPartAuxiliaryID
      exactly as sent (text content, whitespace kept; inner markup, should
      the shop send unescaped elements), ``matnr`` = BuyerPartID;
    * ``price``/``price_unit``/``currency`` from UnitPrice/Money and
      PriceBasisQuantity (see :func:`_apply_price_basis`);
    * ``unit`` = UnitOfMeasure; ``description`` = ShortName or else the
      Description text, ``longtext`` = the Description text when a
      ShortName exists;
    * ``classifications`` {domain: value}, ``matgroup`` = the NZI one, else
      the first; ``manufactmat`` = ManufacturerPartID, ``manufactcode`` =
      ManufacturerName; ``leadtime`` = LeadTime (days);
    * ``extrinsics`` {name: text} from ItemDetail and ItemIn Extrinsics.

    ``cart.extra`` holds ``payload_id``, ``timestamp``, ``from``, ``to``,
    ``sender`` (``{"domain", "identity"}``), ``deployment_mode``,
    ``quote_status`` and, when sent, ``shipping``/``tax`` (Decimal).

    ``allow_empty``: a message without ``ItemIn`` is a cart without items
    (the buyer emptied the cart of an edit, ``operationAllowed="edit"``)
    instead of ``empty_cart``.

    :raises CartError: unusable cart (``empty_cart``, ``bad_quantity``,
        ``missing_price``, ``bad_price``, ``bad_currency``,
        ``mixed_currency``, ``bad_number``, ``bad_price_basis``,
        ``duplicate_line``, ``unknown_parent``, ``too_many_lines``,
        ``not_cxml``, ``not_order_message``).
    :raises UnsafeXMLError: hostile XML.
    """
    root = _parse(data, CartError)
    message = _child(root, "Message")
    poom = _child(message, "PunchOutOrderMessage")
    if poom is None:
        raise CartError(
            _("The cXML document is not a PunchOutOrderMessage."),
            code="not_order_message",
        )
    cart = Cart(protocol="cxml")
    cart.buyer_cookie = _strip_text(_child(poom, "BuyerCookie"))
    header = _child(poom, "PunchOutOrderMessageHeader")
    cart.operation = (
        (header.get("operationAllowed") if header is not None else "") or ""
    ).strip()
    doc_header = _child(root, "Header")
    cart.extra.update(
        payload_id=root.get("payloadID") or "",
        timestamp=root.get("timestamp") or "",
        deployment_mode=(message.get("deploymentMode") or "production"),
        quote_status=(header.get("quoteStatus") if header is not None else "") or "",
        **{
            party.lower(): _credential_info(doc_header, party)
            for party in ("From", "To", "Sender")
        },
    )
    total_money = _path(header, "Total", "Money")
    header_currency = ""
    if total_money is not None and _strip_text(total_money):
        cart.total = _cxml_decimal(total_money.text, "cart total")
        header_currency = _currency_code(total_money.get("currency"))
        if header_currency and not _CURRENCY_RE.match(header_currency):
            raise CartError(
                _("The cart total has currency %(currency)r, not a 3-letter ISO code."),
                code="bad_currency",
                currency=header_currency,
            )
    for tag in ("Shipping", "Tax"):
        amount = _path(header, tag, "Money")
        if amount is not None and _strip_text(amount):
            cart.extra[tag.lower()] = _cxml_decimal(amount.text, tag.lower())

    items_in = _children(poom, "ItemIn")
    if not items_in and allow_empty:
        cart.currency = header_currency
        return clean_texts(cart)
    if not items_in:
        raise CartError(_("The returned cart is empty."), code="empty_cart")
    if len(items_in) > max_lines:
        raise CartError(
            _("The returned cart has %(count)s lines, more than the %(max)s allowed."),
            code="too_many_lines",
            count=len(items_in),
            max=max_lines,
        )
    parsed = [_parse_item(el, index) for index, el in enumerate(items_in, start=1)]
    by_line = {}
    for item, _parent, _explicit in parsed:
        if item.line_no in by_line:
            raise CartError(
                _("Line number %(line)s occurs twice in the cart."),
                code="duplicate_line",
                line=item.line_no,
            )
        by_line[item.line_no] = item
    for item, parent, _explicit in parsed:
        if not parent:
            continue
        if parent not in by_line or parent == item.line_no:
            raise CartError(
                _(
                    "Line %(line)s belongs to line %(parent)s, which is not in the "
                    "cart."
                ),
                code="unknown_parent",
                line=item.line_no,
                parent=parent,
            )
        item.parent_id = parent
    cart.items = [item for item, _parent, _explicit in parsed]
    currencies = {item.currency for item in cart.items if item.currency}
    if header_currency:
        currencies.add(header_currency)
    if len(currencies) > 1:
        raise CartError(
            _("The cart mixes currencies (%(currencies)s)."),
            code="mixed_currency",
            currencies=", ".join(sorted(currencies)),
        )
    cart.currency = header_currency or next(iter(currencies), "")
    return clean_texts(cart)


def _line_amount(line, error_cls):
    amount = _cxml_decimal(line["quantity"], "quantity", error_cls) * _cxml_decimal(
        line["unit_price"], "unit price", error_cls
    )
    basis = line.get("price_basis")
    if basis:
        amount = (
            amount
            * _cxml_decimal(
                basis.get("conversion_factor", 1), "conversion factor", error_cls
            )
            / _cxml_decimal(basis["quantity"], "price basis quantity", error_cls)
        )
    return amount


def _default_total(lines):
    """Sum of the line amounts, rounded to cents (pass ``total`` otherwise)."""
    total = sum((_line_amount(line, CXMLError) for line in lines), Decimal(0))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def _item_id(parent, line):
    item_id = _sub(parent, "ItemID")
    _sub(item_id, "SupplierPartID", line.get("supplier_part_id") or "")
    aux = line.get("supplier_part_auxiliary_id")
    if aux is not None and aux != "":
        # Echoed byte for byte: lxml escapes <, &, > and CR on the way out.
        _sub(item_id, "SupplierPartAuxiliaryID", aux)
    if line.get("buyer_part_id"):
        _sub(item_id, "BuyerPartID", line["buyer_part_id"])
    return item_id


def _classifications(line):
    """``[(domain, value), ...]`` from a pair, a list of pairs or a dict."""
    value = line.get("classification")
    if not value:
        return [(MATGROUP_DOMAIN, "")]
    if isinstance(value, dict):
        return list(value.items())
    if len(value) == 2 and all(isinstance(v, str | None) for v in value):
        return [tuple(value)]
    return [tuple(pair) for pair in value]


def _item_detail(parent, line, currency, lang):
    detail = _sub(parent, "ItemDetail")
    _money(detail, "UnitPrice", line["unit_price"], currency, "unit price")
    _description(detail, line.get("description") or "", lang, line.get("short_name"))
    _sub(detail, "UnitOfMeasure", line.get("unit_of_measure") or "C62")
    basis = line.get("price_basis")
    if basis:
        pbq = _sub(
            detail,
            "PriceBasisQuantity",
            attrs={
                "quantity": _plain(basis["quantity"], "price basis quantity"),
                "conversionFactor": _plain(
                    basis.get("conversion_factor", 1), "conversion factor"
                ),
            },
        )
        _sub(
            pbq,
            "UnitOfMeasure",
            basis.get("unit_of_measure") or line.get("unit_of_measure") or "C62",
        )
    for domain, value in _classifications(line):
        _sub(detail, "Classification", value or "", {"domain": domain})
    if line.get("manufacturer_part_id"):
        _sub(detail, "ManufacturerPartID", line["manufacturer_part_id"])
    if line.get("manufacturer_name"):
        _sub(detail, "ManufacturerName", line["manufacturer_name"])
    if line.get("lead_time") not in (None, ""):
        _sub(detail, "LeadTime", str(int(line["lead_time"])))
    _extrinsics(detail, line.get("extrinsics"))
    return detail


# ---------------------------------------------------------------------------
# OrderRequest and responses
# ---------------------------------------------------------------------------


def with_shared_secret(document, shared_secret):
    """``document`` (an OrderRequest built without a secret) with the
    Sender's ``SharedSecret`` set.

    The stored order document carries no secret (whoever may read the order
    may not read the credential): the secret is added only to the bytes
    sent, at send time.
    """
    if not shared_secret:
        return document
    root = parse_xml(document)
    credential = root.find("Header/Sender/Credential")
    identity = credential.find("Identity") if credential is not None else None
    if identity is None:
        raise CXMLError(
            _("The document has no Sender credential to put the secret in."),
            code="missing_credential",
        )
    for old in credential.findall("SharedSecret"):
        credential.remove(old)
    secret = etree.Element("SharedSecret")
    _text(secret, shared_secret, "shared secret")
    identity.addnext(secret)
    return _serialize(root)


def without_shared_secret(document):
    """``document`` with every ``SharedSecret`` element removed (a document
    stored by an older version of the addon)."""
    if b"SharedSecret" not in (document or b""):
        return document
    root = parse_xml(document)
    for secret in root.iter("SharedSecret"):
        secret.getparent().remove(secret)
    return _serialize(root)


def build_order_request(order, envelope):
    """Build a cXML ``OrderRequest`` from a plain dict; return UTF-8 bytes.

    ``envelope`` (an :class:`Envelope`) gives the header and the deployment
    mode; a document that is stored is built with
    ``envelope.without_secret()`` and gets the secret at send time
    (:func:`with_shared_secret`).

    Keys of ``order`` (required in bold words):

    * document: **payload_id**, **timestamp** (datetime or ISO string),
      lang (``nl-NL``);
    * header: **order_id** (the PO name), **order_date**, order_type
      (``new``/``update``/``delete``: the ``type`` attribute, default
      ``new``), order_version, document_reference (the ``payloadID`` of the
      version an ``update``/``delete`` replaces), **currency**, total
      (default: sum of the lines, rounded to cents), tax (``{"amount",
      "description"}`` or an amount), shipping (same form), **bill_to** and
      ship_to (address dicts: name, street, street2, zip, city, state,
      country_code, country, email, phone, address_id, address_id_domain,
      deliver_to), contact (``{"name", "email", "phone", "role"}``), comments
      (text), extrinsics (ordered ``{name: value}``: CostCenter,
      BuyerReference, CardText ...);
    * **lines**: dicts with **line_number**, **quantity**,
      **supplier_part_id**, supplier_part_auxiliary_id (echoed exactly),
      buyer_part_id, **unit_price** (per ordered unit), unit_of_measure
      (UNECE, default ``C62``), description, short_name, classification
      (``(domain, value)``, a list of them, or a dict; none gives an empty
      ``NZI`` one, the DTD wanting at least one), price_basis (optional,
      ``{"quantity", "conversion_factor", "unit_of_measure"}``; then
      ``unit_price`` is the price of the basis quantity), manufacturer_part_id,
      manufacturer_name, lead_time, ship_to (address dict), comments,
      requested_delivery_date (date or ISO string), extrinsics (dict).

    Amounts and quantities are written as plain decimals (pass Decimals
    rounded to the currency; floats are written as ``repr`` gives them).

    :raises CXMLError: missing or invalid data, including text that XML
        cannot carry (code ``invalid_xml_text``).
    """
    for key in ("order_id", "order_date", "currency"):
        if not order.get(key):
            raise CXMLError(
                _("The order lacks %(key)s."), code="missing_order_data", key=key
            )
    lines = order.get("lines") or []
    if not lines:
        raise CXMLError(
            _("An order needs at least one line."),
            code="missing_order_data",
            key="lines",
        )
    if not order.get("bill_to"):
        raise CXMLError(
            _("The order lacks bill_to."), code="missing_order_data", key="bill_to"
        )
    lang = order.get("lang") or DEFAULT_LANG
    currency = str(order["currency"]).upper()
    root = _root(order.get("payload_id"), order.get("timestamp"), lang)
    _header(root, envelope)
    request = _request(root, envelope)
    order_request = _sub(request, "OrderRequest")
    _add_order_header(order_request, order, currency, lang)
    _add_item_outs(order_request, lines, currency, lang)
    return _serialize(root)


def _add_order_header(order_request, order, currency, lang):
    """The ``OrderRequestHeader``, children in the DTD's order."""
    header = _sub(
        order_request,
        "OrderRequestHeader",
        attrs={
            "orderID": order["order_id"],
            "orderDate": format_timestamp(order["order_date"]),
            "type": _choice(order.get("order_type"), _ORDER_TYPES, "order type")
            or "new",
            "orderVersion": order.get("order_version"),
        },
    )
    total = order.get("total")
    if total is None:
        total = _default_total(order["lines"])
    _money(header, "Total", total, currency, "total")
    if order.get("ship_to"):
        _address(header, "ShipTo", order["ship_to"], lang, require_postal=True)
    _address(header, "BillTo", order["bill_to"], lang)
    for tag, key, default in (
        ("Shipping", "shipping", "Verzendkosten"),
        ("Tax", "tax", "BTW"),
    ):
        value = order.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, dict):
            value = {"amount": value}
        holder = _money(header, tag, value.get("amount", 0), currency, key)
        _description(holder, value.get("description") or default, lang)
    contact = order.get("contact")
    if contact and (contact.get("name") or contact.get("email")):
        el = _sub(header, "Contact", attrs={"role": contact.get("role") or "buyer"})
        _sub(el, "Name", contact.get("name") or contact.get("email"), {XML_LANG: lang})
        if contact.get("email"):
            _sub(el, "Email", contact["email"])
        if contact.get("phone"):
            _phone(el, contact["phone"], contact.get("country_code") or "NL")
    if order.get("comments"):
        _sub(header, "Comments", order["comments"], {XML_LANG: lang})
    if order.get("document_reference"):
        # The version this one changes or cancels (type update / delete).
        _sub(
            header,
            "DocumentReference",
            attrs={"payloadID": order["document_reference"]},
        )
    _extrinsics(header, order.get("extrinsics"))
    return header


def _add_item_outs(parent, lines, currency, lang):
    """The ``ItemOut`` of each line, each with its own line number."""
    seen = set()
    for line in lines:
        number = line.get("line_number")
        if number in (None, "") or str(number) in seen:
            raise CXMLError(
                _("Every order line needs its own line number (%(number)r)."),
                code="bad_line",
                number=number,
            )
        seen.add(str(number))
        _add_item_out(parent, line, currency, lang)


def _add_item_out(order_request, line, currency, lang):
    """One ``ItemOut``: ItemID, ItemDetail, ShipTo, Comments."""
    number = line["line_number"]
    quantity = _cxml_decimal(line.get("quantity"), "quantity", CXMLError)
    price = _cxml_decimal(line.get("unit_price"), "unit price", CXMLError)
    if quantity <= 0 or price < 0:
        raise CXMLError(
            _("Line %(number)s has quantity %(quantity)s and price %(price)s."),
            code="bad_line",
            number=number,
            quantity=str(quantity),
            price=str(price),
        )
    delivery = line.get("requested_delivery_date")
    item_out = _sub(
        order_request,
        "ItemOut",
        attrs={
            "quantity": _plain(quantity, "quantity"),
            "lineNumber": str(number),
            "requestedDeliveryDate": _format_date(delivery) if delivery else None,
        },
    )
    _item_id(item_out, line)
    _item_detail(item_out, line, currency, lang)
    if line.get("ship_to"):
        _address(item_out, "ShipTo", line["ship_to"], lang, require_postal=True)
    if line.get("comments"):
        _sub(item_out, "Comments", line["comments"], {XML_LANG: lang})
    return item_out


def build_status_response(code, text, payload_id, timestamp, message="", lang="en"):
    """A cXML ``Response`` holding only a ``Status`` (what a shop answers)."""
    root = _root(payload_id, timestamp, lang)
    status = _sub(
        _sub(root, "Response"),
        "Status",
        message or "",
        {"code": str(int(code)), "text": text},
    )
    if lang:
        _set(status, XML_LANG, lang, "xml:lang")
    return _serialize(root)


def parse_cxml_response(data):
    """Read the ``Status`` of a cXML answer (e.g. to an OrderRequest).

    Returns ``{"code": int, "text": str, "message": str, "payload_id": str}``
    whatever the code; the caller decides what a non-2xx means.

    :raises CXMLError: the answer is not cXML (``not_cxml``) or has no
        usable Status (``no_status``).
    :raises UnsafeXMLError: hostile XML.
    """
    root = _parse(data, CXMLError)
    code, text, message = _status(root, CXMLError)
    return {
        "code": code,
        "text": text,
        "message": message,
        "payload_id": root.get("payloadID") or "",
    }
