"""SAP OCI: the call fields, and the carts a shop posts back (form and XML).

A cart comes back as an HTML form posted to the HOOK_URL, one field per item
value: ``NEW_ITEM-<FIELD>[<n>]``. The XML variant posts one field,
``~xmlDocument``, holding a base64-encoded XML document whose schema type is
named in ``~xml_type`` (``ESAPO``, "Encoded SAP Object").

Decisions on what the OCI specification leaves open:

* Item indices may start at 0 or 1, may be zero-padded and may have holes;
  items are ordered by their numeric index and ``line_no`` is that index.
* A field posted twice for one item keeps its last non-empty value.
* Long text may come as ``LONGTEXT_<n>:132[]`` (the specification), or
  ``LONGTEXT_<n>:132``, ``LONGTEXT_<n>[]``, ``LONGTEXT[<n>]``,
  ``LONGTEXT_<n>:132[<k>]``, ``LONGTEXT:132[<n>]``. Chunks are ordered by
  ``k`` (else as posted) and joined as sent when a chunk fills the declared
  length (SAP cuts text in 132-character chunks, even inside a word);
  shorter chunks are lines and are joined with a newline.
* An item is identified by DESCRIPTION, VENDORMAT, EXT_PRODUCT_ID or MATNR.
  QUANTITY must be above zero and PRICE present and not negative, except on
  OCI 5 outlines (ITEM_TYPE ``O``). An empty or zero PRICEUNIT is 1. An empty
  CURRENCY is allowed (the addon falls back on the supplier's currency).
* Values are stripped, NUL characters removed and CRLF turned into LF.

This module maps form pairs that :mod:`.forms` decoded (the body, its
charset, the ``~xmlDocument`` field) onto a :class:`~.cart.Cart`.
"""

import re
from collections.abc import Mapping
from decimal import Decimal

from . import const
from .cart import Cart, CartItem, clean_texts, xml_text
from .errors import CartError, UnsafeXMLError, _
from .forms import bad_document, decode_xml_document

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation
from .numbers import (
    EMPTY_NUMBER,
    NEGATIVE_NUMBER,
    NOT_A_NUMBER,
    NUMBER_TOO_LONG,
    parse_decimal,
    parse_int,
)
from .xmlsafe import drop_control_chars, localname, parse_xml

_INDEX = r"\s*\[\s*([0-9]{1,12})\s*\]\s*"
_ITEM_NAME = re.compile(rf"\s*NEW_ITEM[-_]([A-Z][A-Z0-9_]*?){_INDEX}", re.I)
_LONGTEXT_NAME = re.compile(
    r"\s*NEW_ITEM[-_]LONGTEXT(?:_([0-9]{1,12}))?(?::([0-9]{1,6}))?"
    r"\s*((?:\[\s*[0-9]{0,12}\s*\]\s*)*)",
    re.I,
)
_BRACKET = re.compile(r"\[\s*([0-9]*)\s*\]")
_CURRENCY = re.compile(r"[A-Z]{3}")

# CartItem attributes filled verbatim from an OCI field.
_TEXT_FIELDS = {
    const.DESCRIPTION: "description",
    const.MATNR: "matnr",
    const.MATGROUP: "matgroup",
    const.UNIT: "unit",
    const.VENDOR: "vendor",
    const.VENDORMAT: "vendormat",
    const.MANUFACTCODE: "manufactcode",
    const.MANUFACTMAT: "manufactmat",
    const.CONTRACT: "contract",
    const.CONTRACT_ITEM: "contract_item",
    const.SERVICE: "service",
    const.EXT_QUOTE_ID: "ext_quote_id",
    const.EXT_QUOTE_ITEM: "ext_quote_item",
    const.EXT_PRODUCT_ID: "ext_product_id",
    const.EXT_SCHEMA_TYPE: "ext_schema_type",
    const.EXT_CATEGORY_ID: "ext_category_id",
    const.EXT_CATEGORY: "ext_category",
    const.LONGTEXT: "longtext",
    const.PARENT_ID: "parent_id",
}
# Known fields that have no CartItem attribute of their own.
_EXTRA_FIELDS = {const.SLD_SYS_NAME}


# ---------------------------------------------------------------------------
# The OCI call
# ---------------------------------------------------------------------------


def build_oci_login_fields(
    *, username, password, hook_url, extra=(), oci_version="4.0"
):
    """Return the fields of an OCI call, in order.

    USERNAME, PASSWORD, HOOK_URL, ``~OkCode=ADDI``, ``~TARGET=_top``,
    ``~CALLER=CTLG``, OCI_VERSION (when ``oci_version`` is set), then the
    ``extra`` pairs (or mapping): a supplier's static parameters.

    :raises ValueError: when an extra name is one of the standard fields.
    """
    fields = [
        (const.USERNAME, _text(username)),
        (const.PASSWORD, _text(password)),
        (const.HOOK_URL, _text(hook_url)),
        (const.OKCODE, const.OKCODE_ADD_ITEMS),
        (const.TARGET, const.TARGET_TOP),
        (const.CALLER, const.CALLER_CATALOG),
    ]
    if oci_version:
        fields.append((const.OCI_VERSION, _text(oci_version)))
    reserved = {name.upper() for name in const.LOGIN_FIELDS}
    if isinstance(extra, Mapping):
        extra = extra.items()
    for name, value in extra or ():
        name = _text(name).strip()
        if not name or name.upper() in reserved:
            raise ValueError(
                f"The OCI parameter {name!r} is empty or a standard OCI field."
            )
        fields.append((name, _text(value)))
    return fields


def _text(value):
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------
# Carts: shared item building
# ---------------------------------------------------------------------------


def _clean(value):
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _join_longtext(chunks, length=const.LONGTEXT_CHUNK):
    """Join long text chunks: full chunks as sent, shorter ones as lines."""
    text = ""
    previous = None
    for chunk in chunks:
        chunk = chunk.replace("\x00", "")
        if previous is not None and len(previous) < length:
            text = text.rstrip(" ") + "\n"
        text += chunk
        previous = chunk
    return text


def _line_error(message, code, line, field, **params):
    """A CartError about a field of a cart line; ``message`` starts with
    ``Line %(line)s, field %(field)s: `` (one literal, translated whole)."""
    return CartError(message, code=code, line=line, field=field, **params)


# The messages of ``numbers``, prefixed with the cart line: one literal each,
# so that they are translated whole.
_LINE_NUMBER_MESSAGES = {
    NOT_A_NUMBER: _("Line %(line)s, field %(field)s: '%(value)s' is not a number."),
    EMPTY_NUMBER: _("Line %(line)s, field %(field)s is empty; a number is required."),
    NUMBER_TOO_LONG: _(
        "Line %(line)s, field %(field)s: '%(value)s' is too long for a number."
    ),
    NEGATIVE_NUMBER: _(
        "Line %(line)s, field %(field)s: '%(value)s' must not be negative."
    ),
}


def _in_line(exc, line, field):
    """``exc`` (a CartError of ``numbers``) about the field of a cart line."""
    params = dict(exc.params, line=line, field=field)
    message = _LINE_NUMBER_MESSAGES.get(
        exc.message, "Line %(line)s, field " + exc.message
    )
    return CartError(message, code=exc.code, **params)


def _number(value, field, line):
    try:
        return parse_decimal(value, field)
    except CartError as exc:
        raise _in_line(exc, line, field) from exc


def _leadtime(value, line):
    try:
        return parse_int(value, const.LEADTIME)
    except CartError as exc:
        raise _in_line(exc, line, const.LEADTIME) from exc


def _aux_field(aux_id_field):
    name = (aux_id_field or "").strip().upper()
    if name.startswith(const.NEW_ITEM_PREFIX):
        name = name[len(const.NEW_ITEM_PREFIX) :]
    return name.split("[", 1)[0].strip()


def _norm(name):
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _too_long(line, field, value):
    return _line_error(
        _(
            "Line %(line)s, field %(field)s: the value is %(length)s characters long, "
            "more than the %(max)s allowed."
        ),
        "field_too_long",
        line,
        field,
        length=len(value),
        max=const.MAX_FIELD_LENGTH,
    )


def _cleaned(line, values):
    cleaned = {}
    for field, value in values.items():
        if len(value) > const.MAX_FIELD_LENGTH:
            raise _too_long(line, field, value)
        cleaned[field] = _clean(value)
    return cleaned


def _set_quantity(item, value):
    outline = item.is_outline
    if not value:
        if outline:
            return
        raise _line_error(
            _("Line %(line)s, field %(field)s: the quantity is missing."),
            "bad_quantity",
            item.line_no,
            const.QUANTITY,
        )
    item.quantity = _number(value, const.QUANTITY, item.line_no)
    if item.quantity < 0 or (item.quantity == 0 and not outline):
        raise _line_error(
            _(
                "Line %(line)s, field %(field)s: the quantity %(value)s must be more "
                "than zero."
            ),
            "bad_quantity",
            item.line_no,
            const.QUANTITY,
            value=value,
        )


def _set_price(item, price, price_unit):
    line = item.line_no
    if price:
        item.price = _number(price, const.PRICE, line)
        if item.price < 0:
            raise _line_error(
                _("Line %(line)s, field %(field)s: the price %(value)s is negative."),
                "bad_price",
                line,
                const.PRICE,
                value=price,
            )
    elif not item.is_outline:
        raise _line_error(
            _("Line %(line)s, field %(field)s: the price is missing."),
            "missing_price",
            line,
            const.PRICE,
        )
    if price_unit:
        item.price_unit = _number(price_unit, const.PRICEUNIT, line)
        if item.price_unit < 0:
            raise _line_error(
                _(
                    "Line %(line)s, field %(field)s: the price unit %(value)s is "
                    "negative."
                ),
                "bad_price_unit",
                line,
                const.PRICEUNIT,
                value=price_unit,
            )
    if not item.price_unit:
        item.price_unit = Decimal("1")


def _set_currency(item, value):
    currency = value.upper()
    currency = const.CURRENCY_ALIASES.get(currency, currency)
    if currency and not _CURRENCY.fullmatch(currency):
        raise _line_error(
            _(
                "Line %(line)s, field %(field)s: '%(value)s' is not a three-letter "
                "currency code."
            ),
            "bad_currency",
            item.line_no,
            const.CURRENCY,
            value=value,
        )
    item.currency = currency


def _set_custom(item, cleaned):
    for number, field in enumerate(const.CUST_FIELDS, 1):
        if cleaned.get(field):
            item.cust_fields[number] = cleaned[field]
    attachment = {
        "url": cleaned.get(const.ATTACHMENT, ""),
        "title": cleaned.get(const.ATTACHMENT_TITLE, ""),
        "purpose": cleaned.get(const.ATTACHMENT_PURPOSE, ""),
    }
    if any(attachment.values()):
        item.attachments.append(attachment)


def _build_item(line, values, extra=None, aux_id_field=""):
    """Return a ``CartItem`` from ``{OCI FIELD: raw value}``."""
    line = str(line)
    cleaned = _cleaned(line, values)
    get = cleaned.get
    item = CartItem(line_no=line)
    for field, attr in _TEXT_FIELDS.items():
        setattr(item, attr, get(field, ""))
    item.item_type = get(const.ITEM_TYPE, "").upper()
    # Identified by what is left once the cart's texts are cleaned: a
    # description of control characters only is no description.
    names = (item.description, item.vendormat, item.ext_product_id, item.matnr)
    if not any(xml_text(name).strip() for name in names):
        raise _line_error(
            _(
                "Line %(line)s, field %(field)s: the item has no description and no "
                "VENDORMAT, EXT_PRODUCT_ID or MATNR."
            ),
            "missing_description",
            line,
            const.DESCRIPTION,
        )
    _set_quantity(item, get(const.QUANTITY, ""))
    _set_price(item, get(const.PRICE, ""), get(const.PRICEUNIT, ""))
    _set_currency(item, get(const.CURRENCY, ""))
    item.leadtime = _leadtime(get(const.LEADTIME, ""), line)
    _set_custom(item, cleaned)
    for field, value in cleaned.items():
        if field not in const.OCI_ITEM_FIELDS or field in _EXTRA_FIELDS:
            item.extra[field] = value
    for name, value in _cleaned(line, extra or {}).items():
        item.extra[name] = value
    aux = _aux_field(aux_id_field)
    if aux:
        item.aux_id = get(aux) or next(
            (v for k, v in item.extra.items() if _norm(k) == _norm(aux) and v), ""
        )
    return item


def _make_cart(items, protocol, extra, max_lines, allow_empty=False):
    if not items and not allow_empty:
        raise CartError(_("The cart holds no items."), code="empty_cart")
    if len(items) > max_lines:
        raise CartError(
            _("The cart has %(count)s lines, more than the %(max)s allowed."),
            code="too_many_lines",
            count=len(items),
            max=max_lines,
        )
    cart = clean_texts(Cart(items=items, protocol=protocol, extra=extra))
    currencies = {item.currency for item in items if not item.is_outline}
    if len(currencies) == 1:
        cart.currency = currencies.pop()
    for name, value in extra.items():
        if name.lower() == const.OKCODE.lower() and isinstance(value, str):
            cart.operation = value.strip()
    return cart


# ---------------------------------------------------------------------------
# Carts: the HTML form variant
# ---------------------------------------------------------------------------


def _pairs(pairs):
    if isinstance(pairs, Mapping):
        pairs = pairs.items()
    for pair in pairs or ():
        try:
            name, value = pair
        except (TypeError, ValueError) as exc:
            raise CartError(
                _("The cart form holds a field that is not a name and a value."),
                code="bad_form",
            ) from exc
        if isinstance(value, (list, tuple)):
            for single in value:
                yield _form_text(name), _form_text(single)
        else:
            yield _form_text(name), _form_text(value)


def _form_text(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return _text(value)


def _item_key(name):
    """Return ``(index, field, chunk_key, chunk_length)`` or ``None``."""
    match = _LONGTEXT_NAME.fullmatch(name)
    if match:
        number, length, brackets = match.groups()
        numbers = [n for n in _BRACKET.findall(brackets or "") if n]
        if number is None:
            if not numbers:
                return None
            number, numbers = numbers[0], numbers[1:]
        chunk = int(numbers[0]) if numbers else None
        length = int(length) if length else const.LONGTEXT_CHUNK
        return int(number), const.LONGTEXT, chunk, length
    match = _ITEM_NAME.fullmatch(name)
    if match:
        return int(match.group(2)), match.group(1).upper(), None, None
    return None


def group_oci_fields(pairs, *, max_lines=const.MAX_LINES):
    """Group the fields of an OCI form by item, as sent.

    :returns: ``(items, extra)``: ``items`` maps each item index (int, in
        ascending order) to ``{FIELD: value}``, the long text chunks already
        joined under ``LONGTEXT``; ``extra`` holds the fields that are not
        ``NEW_ITEM`` fields. Items whose values are all blank are left out.
    :raises CartError: ``too_many_lines``, ``bad_form``.
    """
    fields, chunks, extra = {}, {}, {}
    filled = set()
    for name, value in _pairs(pairs):
        key = _item_key(name)
        if key is None:
            extra[name] = value
            continue
        index, field, chunk, length = key
        if field == const.LONGTEXT:
            parts = chunks.setdefault(index, [])
            parts.append(
                (chunk if chunk is not None else -1, len(parts), value, length)
            )
        else:
            item = fields.setdefault(index, {})
            if value.strip() or field not in item:
                item[field] = value
        if value.strip() and index not in filled:
            filled.add(index)
            if len(filled) > max_lines:
                raise CartError(
                    _("The cart has more than %(max)s lines."),
                    code="too_many_lines",
                    count=len(filled),
                    max=max_lines,
                )
    items = {}
    for index in sorted(filled):
        item = dict(fields.get(index, {}))
        parts = sorted(chunks.get(index, []), key=lambda part: part[:2])
        if parts:
            item[const.LONGTEXT] = _join_longtext(
                [part[2] for part in parts], min(part[3] for part in parts)
            )
        items[index] = item
    return items, extra


def parse_oci_form(
    pairs, *, aux_id_field="", max_lines=const.MAX_LINES, allow_empty=False
):
    """Parse the fields of an OCI cart posted as an HTML form.

    :param pairs: ``(name, value)`` pairs as posted (a name may repeat), or a
        mapping. A form that holds no ``NEW_ITEM`` fields but a
        ``~xmlDocument`` is parsed as the XML variant.
    :param aux_id_field: the OCI field (``CUST_FIELD5``, ``EXT_QUOTE_ITEM``)
        that holds the supplier's line reference, copied to ``aux_id``.
    :param allow_empty: a form without items is a cart with none (the buyer
        emptied an edited cart); a post of no fields at all never is.
    :raises CartError: for an unusable cart; the message names line and field.
    """
    pairs = list(_pairs(pairs))
    allow_empty = allow_empty and bool(pairs)
    grouped, extra = group_oci_fields(pairs, max_lines=max_lines)
    if not grouped and any(
        name.strip().lower() == const.XML_DOCUMENT.lower() for name, _v in pairs
    ):
        return parse_oci_xml(
            pairs,
            aux_id_field=aux_id_field,
            max_lines=max_lines,
            allow_empty=allow_empty,
        )
    items = [
        _build_item(index, values, aux_id_field=aux_id_field)
        for index, values in grouped.items()
    ]
    return _make_cart(items, "oci", extra, max_lines, allow_empty=allow_empty)


# ---------------------------------------------------------------------------
# Carts: the XML variant
# ---------------------------------------------------------------------------

# Element names (lower case, letters and digits only) that hold one item.
_XML_ITEM_TAGS = frozenset(
    {
        "item",
        "newitem",
        "lineitem",
        "catalogitem",
        "cartitem",
        "orderitem",
        "shoppingcartitem",
        "purchaseorderitem",
        "businessdocumentitem",
    }
)
# Element names that carry the line number of an item.
_XML_LINE_TAGS = frozenset(
    {
        "linenumber",
        "lineno",
        "itemnumber",
        "itemno",
        "index",
        "line",
        "position",
        "posnr",
        "positionnumber",
    }
)
_XML_FIELDS = {_norm(field): field for field in const.OCI5_ITEM_FIELDS}
_XML_FIELDS.update(
    {
        "itemdescription": const.DESCRIPTION,
        "shortdescription": const.DESCRIPTION,
        "shorttext": const.DESCRIPTION,
        "productname": const.DESCRIPTION,
        "productdescription": const.DESCRIPTION,
        "materialnumber": const.MATNR,
        "material": const.MATNR,
        "productmaster": const.MATNR,
        "materialgroup": const.MATGROUP,
        "productgroup": const.MATGROUP,
        "productcategory": const.MATGROUP,
        "category": const.MATGROUP,
        "qty": const.QUANTITY,
        "orderquantity": const.QUANTITY,
        "unitofmeasure": const.UNIT,
        "uom": const.UNIT,
        "quantityunit": const.UNIT,
        "unitcode": const.UNIT,
        "netprice": const.PRICE,
        "unitprice": const.PRICE,
        "pricebasis": const.PRICEUNIT,
        "pricebasisquantity": const.PRICEUNIT,
        "currencycode": const.CURRENCY,
        "deliverytime": const.LEADTIME,
        "leadtimedays": const.LEADTIME,
        "vendorid": const.VENDOR,
        "vendornumber": const.VENDOR,
        "supplierid": const.VENDOR,
        "vendormaterial": const.VENDORMAT,
        "vendormaterialnumber": const.VENDORMAT,
        "vendorpartnumber": const.VENDORMAT,
        "supplierpartid": const.VENDORMAT,
        "supplierpartnumber": const.VENDORMAT,
        "supplierproductid": const.VENDORMAT,
        "manufacturercode": const.MANUFACTCODE,
        "manufacturerid": const.MANUFACTCODE,
        "manufacturerpartid": const.MANUFACTMAT,
        "manufacturerpartnumber": const.MANUFACTMAT,
        "manufacturermaterial": const.MANUFACTMAT,
        "contractid": const.CONTRACT,
        "contractnumber": const.CONTRACT,
        "contractitemid": const.CONTRACT_ITEM,
        "externalproductid": const.EXT_PRODUCT_ID,
        "externalquoteid": const.EXT_QUOTE_ID,
        "externalquoteitem": const.EXT_QUOTE_ITEM,
        "externalcategoryid": const.EXT_CATEGORY_ID,
        "externalcategory": const.EXT_CATEGORY,
        "longdescription": const.LONGTEXT,
        "itemtext": const.LONGTEXT,
        "attachmenturl": const.ATTACHMENT,
        "parentitemid": const.PARENT_ID,
        "parentitem": const.PARENT_ID,
    }
)
_XML_PRICE_AMOUNT = frozenset({"amount", "value", "money", "price", "netprice"})
_XML_CURRENCY_ATTRS = frozenset({"currency", "currencycode", "currencyid"})
_XML_UNIT_ATTRS = frozenset({"unit", "unitcode", "uom", "unitofmeasure"})


class _XMLItem:
    def __init__(self, element):
        self.element = element
        self.values = {}
        self.extra = {}
        self.longtext = []
        self.line = None

    def set(self, field, text):
        if field == const.LONGTEXT:
            self.longtext.append(text)
        elif field not in self.values or (text.strip() and not self.values[field]):
            self.values[field] = text.strip()


def _is_element(node):
    return isinstance(node.tag, str)


def _xml_field(key, context):
    if context == const.PRICE and key in _XML_PRICE_AMOUNT:
        return const.PRICE
    if re.fullmatch(r"longtext[0-9]*", key):  # LONGTEXT_1, like the form name
        return const.LONGTEXT
    return _XML_FIELDS.get(key)


def _flatten(element, item, items, context=None):
    for child in element:
        if not _is_element(child) or child in items:
            continue
        name = localname(child)
        key = _norm(name)
        field = _xml_field(key, context)
        for attr, value in child.attrib.items():
            attr_key = _norm(attr.rsplit("}", 1)[-1])
            if attr_key in _XML_CURRENCY_ATTRS:
                item.set(const.CURRENCY, value)
            elif attr_key in _XML_UNIT_ATTRS and field == const.QUANTITY:
                item.set(const.UNIT, value)
        if any(_is_element(grandchild) for grandchild in child):
            _flatten(child, item, items, field or context)
            continue
        text = "".join(child.itertext())
        if field:
            item.set(field, text)
        elif context == const.LONGTEXT:
            item.longtext.append(text)
        elif key in _XML_LINE_TAGS and context is None and item.line is None:
            item.line = text.strip()
        else:
            item.extra[name] = text


def _item_elements(root):
    """The elements holding one item: by name, else by a Quantity child."""
    elements = [
        el
        for el in root.iter()
        if _is_element(el) and _norm(localname(el)) in _XML_ITEM_TAGS
    ]
    if elements:
        return elements
    return [
        el
        for el in root.iter()
        if _is_element(el)
        and any(
            _is_element(child)
            and _XML_FIELDS.get(_norm(localname(child))) == const.QUANTITY
            for child in el
        )
    ]


def _header_currency(root, members):
    """A currency given once for the document, outside the items."""
    for el in root.iter():
        if (
            _is_element(el)
            and _norm(localname(el)) in _XML_CURRENCY_ATTRS
            and not any(parent in members for parent in el.iterancestors())
            and (el.text or "").strip()
        ):
            return el.text.strip()
    return ""


def _xml_items(root, max_lines):
    if localname(root).lower() == "cxml":
        raise CartError(
            _("The XML document is a cXML document, not an OCI cart."),
            code="cxml_document",
        )
    elements = _item_elements(root)
    members = set(elements)
    header_currency = _header_currency(root, members)

    items = []
    for element in elements:
        item = _XMLItem(element)
        for attr, value in element.attrib.items():
            key = _norm(attr.rsplit("}", 1)[-1])
            if key in _XML_LINE_TAGS:
                item.line = value.strip()
            elif key in _XML_FIELDS:
                item.set(_XML_FIELDS[key], value)
        _flatten(element, item, members)
        if not (
            any(v.strip() for v in item.values.values())
            or any(v.strip() for v in item.longtext + list(item.extra.values()))
        ):
            continue  # a blank item, as an empty template row
        if header_currency:
            item.values.setdefault(const.CURRENCY, header_currency)
        if item.longtext:
            item.values[const.LONGTEXT] = _join_longtext(item.longtext)
        items.append(item)
        if len(items) > max_lines:
            raise CartError(
                _("The cart has more than %(max)s lines."),
                code="too_many_lines",
                count=len(items),
                max=max_lines,
            )

    lines = [item.line for item in items]
    if not all(lines) or len(set(lines)) != len(lines):
        lines = [str(position) for position in range(1, len(items) + 1)]
    by_element = {}
    for item, line in zip(items, lines, strict=True):
        item.line = line
        by_element[item.element] = item
    for item in items:
        parent = next(
            (p for p in item.element.iterancestors() if p in by_element), None
        )
        if parent is not None and not item.values.get(const.PARENT_ID):
            item.values[const.PARENT_ID] = by_element[parent].line
    return items


def parse_oci_xml(
    data, *, aux_id_field="", max_lines=const.MAX_LINES, allow_empty=False
):
    """Parse an OCI cart sent in the XML variant.

    :param data: the value of ``~xmlDocument`` (base64 or XML, str or bytes),
        or the posted ``(name, value)`` pairs holding it; the other fields
        (``~xml_type``, ``~OkCode``...) then go to ``cart.extra``.
    :param allow_empty: a document without items is a cart with none (the
        buyer emptied an edited cart).
    :raises CartError: for an unusable cart, also for unsafe or malformed XML
        (the ``UnsafeXMLError`` code is kept).
    """
    extra = {}
    if isinstance(data, (str, bytes, bytearray, memoryview)):
        document = data
    else:
        document = None
        for name, value in _pairs(data):
            if name.strip().lower() == const.XML_DOCUMENT.lower():
                document = value
            else:
                extra[name] = value
    if document is None:
        raise bad_document(_("The cart holds no ~xmlDocument field."))
    data = decode_xml_document(document)  # CartError: bad_xml_document
    try:
        root = parse_xml(drop_control_chars(data))
    except UnsafeXMLError as exc:
        raise CartError(exc.message, code=exc.code, **exc.params) from exc
    except (ValueError, LookupError) as exc:
        raise CartError(
            _("The XML document is not well-formed: %(error)s"),
            code="xml_syntax",
            error=str(exc),
        ) from exc
    extra.setdefault("xml_root", localname(root))
    items = _xml_items(root, max_lines)
    cart_items = [
        _build_item(item.line, item.values, item.extra, aux_id_field) for item in items
    ]
    return _make_cart(cart_items, "oci_xml", extra, max_lines, allow_empty=allow_empty)
