"""cXML documents the shop sends, built for the tests.

The addon only reads a ``PunchOutSetupResponse`` and a
``PunchOutOrderMessage``; the tests (the protocol tests and the addon's
Odoo tests) build them here, with the production builder's helpers, so
that what the parser reads is what cXML.dtd allows.
"""

from ..cxml import (
    DEFAULT_LANG,
    Envelope,
    _default_total,
    _header,
    _item_detail,
    _item_id,
    _money,
    _plain,
    _root,
    _serialize,
    _sub,
)

#: The header of the documents the shop sends (From/Sender: the shop).
SHOP_ENVELOPE = Envelope(
    from_identity="shop",
    from_domain="NetworkId",
    to_identity="buyer",
    to_domain="NetworkId",
    sender_identity="shop",
    sender_domain="NetworkId",
    user_agent="Topgeschenken punchout",
)


def build_punchout_setup_response(
    start_url, *, payload_id, timestamp, code=200, text="OK"
):
    """A ``PunchOutSetupResponse`` with its ``StartPage`` URL."""
    root = _root(payload_id, timestamp, "en")
    response = _sub(root, "Response")
    _sub(response, "Status", "", {"code": str(code), "text": text})
    if start_url:
        _sub(
            _sub(_sub(response, "PunchOutSetupResponse"), "StartPage"), "URL", start_url
        )
    return _serialize(root)


def build_punchout_order_message(
    envelope=SHOP_ENVELOPE,
    *,
    payload_id,
    timestamp,
    buyer_cookie,
    items,
    currency,
    total=None,
    operation="create",
    lang=DEFAULT_LANG,
):
    """A ``PunchOutOrderMessage`` (a returned cart).

    ``items`` are dicts with ``quantity``, ``supplier_part_id``,
    ``supplier_part_auxiliary_id``, ``unit_price``, ``unit_of_measure``,
    ``description``, ``short_name``, ``classification`` (see
    :func:`.cxml.build_order_request`) and optionally ``line_number``,
    ``parent_line_number``, ``item_type``, ``price_basis`` (dict
    ``quantity``, ``conversion_factor``, ``unit_of_measure``),
    ``manufacturer_part_id``, ``manufacturer_name``, ``lead_time``,
    ``extrinsics``. ``total`` defaults to the sum of the lines.
    """
    root = _root(payload_id, timestamp, lang)
    _header(root, envelope)
    poom = _sub(_sub(root, "Message"), "PunchOutOrderMessage")
    _sub(poom, "BuyerCookie", buyer_cookie)
    header = _sub(
        poom, "PunchOutOrderMessageHeader", attrs={"operationAllowed": operation}
    )
    if total is None:
        total = _default_total(
            item for item in items if item.get("item_type") != "composite"
        )
    _money(header, "Total", total, currency, "total")
    for item in items:
        item_in = _sub(
            poom,
            "ItemIn",
            attrs={
                "quantity": _plain(item["quantity"], "quantity"),
                "lineNumber": item.get("line_number"),
                "parentLineNumber": item.get("parent_line_number"),
                "itemType": item.get("item_type"),
            },
        )
        _item_id(item_in, item)
        _item_detail(item_in, item, currency, lang)
    return _serialize(root)
