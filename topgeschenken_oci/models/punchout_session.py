# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

import requests

from odoo import api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, consteq, mute_logger

from ..const import MANAGER, PURCHASE_USER
from ..protocol import cxml, forms, oci
from ..protocol import units as unit_codes
from ..protocol.cart import check_plausible, normalise_location_code
from ..protocol.errors import CartError, ProtocolError, _
from ..protocol.numbers import parse_tax_rate

# Cart errors are translated where they are shown (the marker lets Odoo
# extract them); pylint: disable=prefer-env-translation

_logger = logging.getLogger(__name__)

# The largest cart the return route takes: well above a full cart of
# MAX_LINES lines, far below what would tie up a worker.
MAX_CART_BYTES = 20 * 1024 * 1024


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class PunchoutSession(models.Model):
    """One visit of a buyer to a webshop: from the start to the returned cart."""

    _name = "punchout.session"
    _description = "Punchout session"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda s: s.env._("New"),
        string="Reference",
    )
    webshop_id = fields.Many2one(
        "punchout.webshop",
        required=True,
        readonly=True,
        check_company=True,
        index=True,
    )
    partner_id = fields.Many2one(related="webshop_id.partner_id")
    protocol = fields.Selection(related="webshop_id.protocol")
    user_id = fields.Many2one(
        "res.users",
        string="Buyer",
        required=True,
        readonly=True,
        default=lambda s: s.env.user,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda s: s.env.company,
        index=True,
    )
    request_id = fields.Many2one(
        "purchase.request",
        string="Purchase request",
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    order_id = fields.Many2one(
        "purchase.order",
        string="RFQ",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The RFQ the cart was added to (or the one it started from).",
    )
    state = fields.Selection(
        [
            ("open", "Waiting for the cart"),
            ("done", "Cart received"),
            ("error", "Cart refused"),
            ("cancel", "Cancelled"),
        ],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        string="Status",
    )
    token_hash = fields.Char(
        readonly=True,
        copy=False,
        index=True,
        groups="base.group_system",
        string="Token hash",
    )
    buyer_cookie = fields.Char(
        readonly=True, copy=False, groups="base.group_system", string="Buyer cookie"
    )
    date_expire = fields.Datetime(readonly=True, required=True, string="Expires on")
    date_return = fields.Datetime(readonly=True, string="Returned on")
    payload_attachment_id = fields.Many2one(
        "ir.attachment", string="Returned cart (raw)", readonly=True, copy=False
    )
    payload_format = fields.Selection(
        [("oci", "OCI form"), ("oci_xml", "OCI XML"), ("cxml", "cXML")],
        readonly=True,
        string="Cart format",
    )
    line_count = fields.Integer(string="Cart lines", readonly=True)
    error_code = fields.Char(readonly=True, string="Error code")
    error_message = fields.Text(readonly=True, string="Error message")
    is_expired = fields.Boolean(compute="_compute_is_expired", string="Expired")

    @api.depends("date_expire", "state")
    def _compute_is_expired(self):
        now = fields.Datetime.now()
        for session in self:
            session.is_expired = session.state == "open" and session.date_expire < now

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "punchout.session"
                ) or self.env._("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Starting
    # ------------------------------------------------------------------

    @api.model
    def _start(self, supplier, request=None, order=None):
        """Create a punchout session for the current user and return it."""
        supplier = supplier.exists()
        if not supplier or not supplier.active:
            raise UserError(self.env._("This webshop is not active."))
        supplier.check_access("read")
        self._check_may_start(self.env.user)
        supplier._check_may_punch_out(self.env.user)
        if request:
            request.check_access("write")
            if request.state not in supplier._punchout_request_states():
                raise UserError(
                    self.env._(
                        "Purchase request %(name)s is %(state)s: a punchout can add "
                        "to a request only while it is draft, to approve or approved.",
                        name=request.name,
                        state=request.state,
                    )
                )
        if order:
            order.check_access("write")
            if order.state not in ("draft", "sent"):
                raise UserError(
                    self.env._(
                        "%(name)s is no longer a draft RFQ: a cart can only be "
                        "added to a draft RFQ.",
                        name=order.name,
                    )
                )
            if (
                order.partner_id.commercial_partner_id
                != supplier.partner_id.commercial_partner_id
            ):
                raise UserError(
                    self.env._(
                        "%(name)s is made out to %(vendor)s, not to %(shop)s.",
                        name=order.name,
                        vendor=order.partner_id.display_name,
                        shop=supplier.partner_id.display_name,
                    )
                )
        session = self.sudo().create(
            {
                "webshop_id": supplier.id,
                "company_id": supplier.company_id.id,
                "user_id": self.env.user.id,
                "request_id": request.id if request else False,
                "order_id": order.id if order else False,
                "date_expire": fields.Datetime.now()
                + timedelta(minutes=supplier.session_lifetime),
            }
        )
        return session.sudo(False)

    @api.model
    def _check_may_start(self, user):
        """Only purchase users punch out: the cart is imported with the
        buyer's own rights, so a buyer must be able to make an RFQ."""
        if not user.has_group(PURCHASE_USER):
            raise AccessError(
                self.env._(
                    "Only users with purchase rights can order from a webshop: ask "
                    "a purchase user to punch out for you."
                )
            )

    def _open_sessions_of(self, supplier, user, request=None, order=None):
        """The sessions ``user`` opened for the same request or RFQ at this
        webshop whose cart can still come back (a second click, another tab)."""
        domain = Domain("webshop_id", "=", supplier.id) & Domain(
            "user_id", "=", user.id
        )
        domain &= Domain("state", "=", "open") & Domain(
            "date_expire", ">", fields.Datetime.now()
        )
        if request:
            domain &= Domain("request_id", "=", request.id)
        elif order:
            domain &= Domain("order_id", "=", order.id)
        else:
            return self.browse()
        return self.sudo().search(domain)

    def _start_message(self, open_sessions, note=""):
        """What the buyer reads when the webshop opens: where the cart goes."""
        self.ensure_one()
        if self.order_id:
            message = self.env._(
                "Transfer the cart there: it is added to %(order)s.",
                order=self.order_id.name,
            )
        elif self.request_id:
            message = self.env._(
                "Transfer the cart there: it becomes a draft RFQ linked to "
                "%(request)s.",
                request=self.request_id.name,
            )
        else:
            message = self.env._("Transfer the cart there: it becomes a draft RFQ.")
        if open_sessions:
            message += " " + self.env._(
                "You opened the webshop for %(record)s before (punchout "
                "%(sessions)s): a cart transferred from that tab is taken as well.",
                record=(self.request_id or self.order_id).display_name,
                sessions=", ".join(open_sessions.mapped("name")),
            )
        if note:
            message += " " + note
        return message

    def _launch(self):
        """Issue the session's return token; return it (only its hash is kept).

        The token is the secret part of the return URL (HOOK_URL /
        BrowserFormPost URL): the cart comes back cross-site, without the Odoo
        session cookie, so the token alone identifies the session. Launching
        again (a reload of the start page) replaces the token.
        """
        self.ensure_one()
        self.check_access_session()
        self._check_returnable()
        token = secrets.token_urlsafe(32)
        self.sudo().write(
            {"token_hash": hash_token(token), "buyer_cookie": secrets.token_hex(16)}
        )
        return token

    def _return_url(self, token):
        self.ensure_one()
        return f"{self.get_base_url()}/punchout/return/{token}"

    # ------------------------------------------------------------------
    # Returning
    # ------------------------------------------------------------------

    @api.model
    def _find_by_token(self, token):
        """The session (sudo) the token belongs to; or an empty recordset.

        One indexed look-up, nothing locked: the return route asks this
        before it reads a byte of the body.
        """
        if not token or len(token) > 128:
            return self.sudo().browse()
        digest = hash_token(token)
        session = self.sudo().search([("token_hash", "=", digest)], limit=1)
        if session and consteq(session.token_hash, digest):
            return session
        return self.sudo().browse()

    def _lock_for_return(self):
        """Wait for the row lock, then read the session again.

        ``lock_for_update()`` skips a locked row and raises; a second post
        of the same cart at the same instant must wait for the first one
        instead: it then fails to serialize, and Odoo runs the request
        again on a snapshot where the cart was received.
        """
        self.ensure_one()
        # A serialization failure here is expected (Odoo runs the request
        # again): not an error for the log.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = %s FOR UPDATE",
                SQL.identifier(self._table),
                self.id,
            ),
            log_exceptions=False,
        )
        self.invalidate_recordset()

    def _write_closed(self, vals):
        """Leave the "open" state: the return token is retired with it (a
        session that is done keeps its hash to recognise a second post)."""
        if vals.get("state") in ("error", "cancel"):
            vals = dict(vals, token_hash=False)
        return self.sudo().write(vals)

    @api.model
    def _handle_return(
        self, token, method, content_type, content_length, read_body, query=b""
    ):
        """The shop's post to the return URL, from token to outcome.

        Everything that can be decided without the body is decided first
        (unknown, used, closed or expired token, no cart, too large), so
        such a request costs one indexed query. ``read_body(limit)`` returns
        at most ``limit + 1`` bytes.

        :returns: a dict: ``kind`` (``unknown``, ``no_cart``, ``replay``,
            ``used``, ``closed``, ``expired``, ``too_large``, ``refused``,
            ``imported``), ``status`` (HTTP), ``session``, ``message``.
        """
        session = self._find_by_token(token)
        if not session:
            _logger.info("Punchout return with an unknown token")
            return {
                "kind": "unknown",
                "status": 404,
                "session": session,
                "message": self.env._(
                    "This link is unknown or no longer valid. Start the punchout "
                    "again from Odoo."
                ),
            }
        # No Odoo cookie comes with the shop's post: speak the buyer's
        # language, and write the chatter and tracking as the buyer, not as
        # the public user (still sudo: the buyer's own rights apply where
        # the cart is imported).
        session = (
            session.with_user(session.user_id)
            .sudo()
            .with_context(lang=session.user_id.lang or "en_US")
        )
        if method == "HEAD" or (method == "GET" and not query):
            # A link checker, a prefetch or a reload: nothing changes.
            return session._return_outcome(
                "no_cart",
                200 if method == "HEAD" else 400,
                session.env._(
                    "No cart came with this request. Transfer the cart from the "
                    "webshop, or start the punchout again from Odoo."
                ),
            )
        session._lock_for_return()
        if session.state == "done":
            return session._replay_outcome(method, content_length, read_body, query)
        if session.state != "open":
            return session._return_outcome(
                "closed",
                409,
                session.env._(
                    "This punchout session is closed (%(state)s): start a new "
                    "punchout from Odoo.",
                    state=dict(
                        session._fields["state"]._description_selection(session.env)
                    )[session.state],
                ),
            )
        if session.date_expire < fields.Datetime.now():
            session._write_closed({"state": "cancel", "error_code": "token_expired"})
            return session._return_outcome(
                "expired",
                410,
                session.env._(
                    "This punchout session expired at %(when)s (UTC): start a new "
                    "punchout from Odoo.",
                    when=fields.Datetime.to_string(session.date_expire),
                ),
            )
        if method == "GET":
            body = query
        elif content_length and content_length > MAX_CART_BYTES:
            body = None
        else:
            body = read_body(MAX_CART_BYTES)
        if body is None or len(body) > MAX_CART_BYTES:
            message = session._fail(session._too_large_error())
            return session._return_outcome("too_large", 413, message)
        error = session._receive(body, content_type, method)
        if error:
            return session._return_outcome("refused", 400, error)
        return session._return_outcome("imported", 303, "")

    def _return_outcome(self, kind, status, message):
        return {"kind": kind, "status": status, "session": self, "message": message}

    @api.model
    def _too_large_error(self):
        return CartError(
            _("The cart is larger than %(max)s MB and was refused."),
            code="payload_too_large",
            max=MAX_CART_BYTES // (1024 * 1024),
        )

    def _replay_outcome(self, method, content_length, read_body, query):
        """A post to a session that already received its cart: the same
        cart again (browser Back, a double click) or another one."""
        self.ensure_one()
        attachment = self.sudo().payload_attachment_id
        same = False
        if attachment:
            if method == "GET":
                same = attachment.raw == query
            elif content_length == attachment.file_size:
                # Only a body of the kept cart's size is read at all.
                same = read_body(MAX_CART_BYTES) == attachment.raw
        order = self.order_id
        if same:
            return self._return_outcome(
                "replay",
                200,
                self.env._(
                    "This cart was already added to %(order)s.",
                    order=order.name or self.name,
                ),
            )
        return self._return_outcome(
            "used",
            409,
            self.env._(
                "This punchout session has already returned its cart to "
                "%(order)s: start a new punchout from Odoo to order more.",
                order=order.name or self.name,
            ),
        )

    def _store_payload(self, body, content_type, file_format):
        """Keep the raw cart first: whatever happens next, support has it."""
        self.ensure_one()
        ext = (
            "xml"
            if file_format in ("cxml", "oci_xml") and b"<" in body[:200]
            else "txt"
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"{self.name.replace('/', '-')}-cart.{ext}",
                    "raw": body,
                    "mimetype": "text/plain",
                    "res_model": self._name,
                    "res_id": self.id,
                    "description": content_type or "",
                }
            )
        )
        self.sudo().write(
            {
                "payload_attachment_id": attachment.id,
                "payload_format": file_format,
                "date_return": fields.Datetime.now(),
            }
        )
        return attachment

    def _cxml_setup(self, return_url):
        """Send the cXML PunchOutSetupRequest; return the shop's start URL.

        Runs server to server: the shared secret never reaches the browser.
        """
        self.ensure_one()
        supplier = self.webshop_id.sudo()
        user = self.user_id
        document = cxml.build_punchout_setup_request(
            payload_id=cxml.new_payload_id(self._cxml_host()),
            timestamp=cxml.format_timestamp(),
            from_identity=supplier.cxml_from_identity or "",
            from_domain=supplier.cxml_from_domain or "NetworkID",
            to_identity=supplier.cxml_to_identity or "",
            to_domain=supplier.cxml_to_domain or "NetworkID",
            sender_identity=supplier.cxml_sender_identity or "",
            sender_domain=supplier.cxml_sender_domain or "NetworkID",
            shared_secret=supplier.cxml_shared_secret or "",
            user_agent=supplier.cxml_user_agent or "Odoo",
            buyer_cookie=self.buyer_cookie,
            return_url=return_url,
            extrinsics={"UserEmail": user.email or "", "UserFullName": user.name},
        )
        try:
            response = supplier._outgoing_post(
                supplier.catalog_url,
                data=document,
                headers={"Content-Type": "text/xml; charset=UTF-8"},
                timeout=30,
            )
        except requests.RequestException as error:
            _logger.warning(
                "cXML punchout set-up with %s failed: %s",
                supplier.name,
                type(error).__name__,
            )
            raise UserError(
                self.env._(
                    "The webshop %(shop)s could not be reached (%(error)s). Try again "
                    "in a moment.",
                    shop=supplier.name,
                    error=type(error).__name__,
                )
            ) from error
        try:
            return cxml.parse_punchout_setup_response(response.content)
        except ProtocolError as error:
            raise UserError(
                self.env._(
                    "The webshop %(shop)s refused the punchout: %(reason)s",
                    shop=supplier.name,
                    reason=error.text,
                )
            ) from error

    def _cxml_host(self):
        return urlparse(self.get_base_url()).hostname or "odoo"

    def _check_returnable(self):
        """Raise a CartError when this session cannot take a cart (any more)."""
        self.ensure_one()
        if self.state == "done":
            raise CartError(
                _("This punchout session has already returned its cart."),
                code="token_used",
            )
        if self.state != "open":
            raise CartError(
                _("This punchout session is closed (%(state)s)."),
                code="session_closed",
                state=self.state,
            )
        if self.date_expire < fields.Datetime.now():
            raise CartError(
                _(
                    "This punchout session expired at %(when)s (UTC): start a new "
                    "punchout from Odoo."
                ),
                code="token_expired",
                when=fields.Datetime.to_string(self.date_expire),
            )

    def _payload_pairs(self, body, content_type, method="POST"):
        """The returned cart's form pairs, decoded with the right charset."""
        charset = self.webshop_id.return_charset
        if method == "GET":
            return forms.decode_query(body, charset)
        return forms.decode_body(body, content_type, charset)

    def _parse_cart(self, pairs, file_format):
        """Parse the form pairs of a returned cart into a ``Cart``."""
        self.ensure_one()
        supplier = self.webshop_id
        if file_format == "cxml":
            cart = cxml.parse_punchout_order_message(cxml.decode_cxml_post(pairs))
            if cart.buyer_cookie and cart.buyer_cookie != self.buyer_cookie:
                raise CartError(
                    _(
                        "The cart's BuyerCookie does not belong to this punchout "
                        "session."
                    ),
                    code="cookie_mismatch",
                )
            return cart
        aux_id_field = supplier.aux_id_field or ""
        if file_format == "oci_xml":
            xml_value = next(v for k, v in pairs if k.lower() == "~xmldocument")
            return oci.parse_oci_xml(
                oci.decode_xml_document(xml_value), aux_id_field=aux_id_field
            )
        return oci.parse_oci_form(pairs, aux_id_field=aux_id_field)

    def _receive(self, body, content_type, method="POST", again=False):
        """Keep, parse and import a returned cart; return the error message or
        ``None``. The one entry point of a cart's body: the return route and
        "Import the cart again" (``again``: the kept payload) both come here.

        The payload is stored before anything else; the import is atomic
        (nothing half-made on error); whatever goes wrong once the body is
        known closes the session with a reason, never an HTTP 500.
        """
        self.ensure_one()
        if not again:
            self._store_payload(body, content_type, "oci")
        try:
            if not again:
                self._check_returnable()
            if len(body) > MAX_CART_BYTES:
                raise self._too_large_error()
            pairs = self._payload_pairs(body, content_type, method)
            file_format = forms.detect_format(pairs)
            self.sudo().payload_format = file_format
            cart = self._parse_cart(pairs, file_format)
            self._process_cart(cart)
        except (ProtocolError, UserError, ValidationError, AccessError) as error:
            return self._fail(error)
        except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
            raise  # Odoo runs the request again on a fresh snapshot
        except Exception as error:  # noqa: BLE001 - no input may end in a 500
            _logger.exception(
                "Punchout session %s (id %s): unexpected error importing the cart",
                self.name,
                self.id,
            )
            return self._fail(
                CartError(
                    _("The cart could not be imported (%(error)s)."),
                    code="import_failed",
                    error=type(error).__name__,
                )
            )
        return None

    def action_retry_import(self):
        """Import the kept cart again, after the configuration was fixed."""
        # Purchase managers (write access) only, checked before sudo().
        self.check_access("write")
        for session in self.filtered(lambda s: s.state == "error"):
            attachment = session.sudo().payload_attachment_id
            if not attachment:
                continue
            session = session.sudo()
            session._lock_for_return()
            if session.state != "error":
                continue
            session._receive(
                attachment.raw,
                attachment.description or "",
                "POST",
                again=True,
            )
            if session.state == "done":
                session._notify_reimported()
        return True

    def _notify_reimported(self):
        """Tell the buyer their refused cart is on an RFQ after all."""
        self.ensure_one()
        buyer = self.user_id.partner_id
        self.sudo().message_post(
            body=self.env._(
                "%(user)s imported the cart again: it is on %(order)s.",
                user=self.env.user.name,
                order=self.order_id.name,
            ),
            partner_ids=(buyer - self.env.user.partner_id).ids,
            subtype_xmlid="mail.mt_note",
        )

    def _process_cart(self, cart):
        """Turn a parsed cart into a draft RFQ, atomically.

        Works as the session's buyer, so record rules and access rights
        apply as if the buyer had typed the RFQ. Only the products a
        webshop may create (``allow_create_products``, set by a purchase
        manager) are created with elevated rights.
        """
        self.ensure_one()
        # The buyer's rights, never the superuser's: a buyer who lost their
        # purchase rights since the start gets the cart refused.
        self._check_may_start(self.user_id)
        session = self.with_company(self.company_id).with_user(self.user_id)
        with self.env.cr.savepoint():
            order = session._import_cart(cart)
            self.write(
                {
                    "state": "done",
                    "order_id": order.id,
                    "line_count": len(cart.items),
                    "error_code": False,
                    "error_message": False,
                }
            )
        return order

    def _fail(self, error):
        """Record why a cart was refused, for the buyer and for support."""
        self.ensure_one()
        code = getattr(error, "code", "error")
        if isinstance(error, ProtocolError):
            message = self.env._(error.message, **error.params)  # pylint: disable=translation-not-lazy
        elif isinstance(error, UserError | ValidationError | AccessError):
            message = error.args[0]
        else:
            message = str(error)
        self._write_closed(
            {"state": "error", "error_code": code, "error_message": message}
        )
        self.message_post(
            body=self.env._(
                "The returned cart was refused: %(reason)s", reason=message
            ),
            partner_ids=self.user_id.partner_id.ids,
            subtype_xmlid="mail.mt_note",
        )
        _logger.info(
            "Punchout session %s (id %s): cart refused (%s): %s",
            self.name,
            self.id,
            code,
            message,
        )
        return message

    # ------------------------------------------------------------------
    # Cart to RFQ
    # ------------------------------------------------------------------

    def _import_cart(self, cart):
        """Create or fill the draft RFQ from ``cart``; return the order."""
        self.ensure_one()
        before = self.order_id.order_line  # the lines the RFQ already had
        items = [item for item in cart.items if not item.is_outline]
        if not items:
            raise CartError(_("The returned cart is empty."), code="empty_cart")
        check_plausible(cart)
        currency = self._get_cart_currency(cart, items)
        notes = {}
        self._check_cart_currency(currency, items, notes)
        mappings = self._match_nzi(items)
        products = self._match_products(items)
        uoms = self._match_uoms(items, products, notes)
        missing = [item for item in items if item.line_no not in products]
        rates = {item.line_no: self._get_cart_tax_rate(item) for item in items}
        if missing:
            cart_taxes = self._match_cart_taxes(missing, rates, mappings)
            products.update(
                self._create_products(missing, uoms, mappings, currency, cart_taxes)
            )
        order = self._get_or_create_order(currency)
        taxes = self._get_line_taxes(order, {p.id: p for p in products.values()})
        new_lines = {item.line_no for item in missing}
        for item in items:
            note = self._check_line_tax(
                item,
                rates[item.line_no],
                taxes[products[item.line_no].id],
                item.line_no in new_lines,
                mappings.get(item.line_no),
            )
            if note:
                notes.setdefault(item.line_no, []).append(note)
        line_vals = [
            self._prepare_order_line_vals(
                order,
                item,
                products[item.line_no],
                uoms[item.line_no],
                mappings.get(item.line_no),
            )
            | {
                "tax_ids": [Command.set(taxes[products[item.line_no].id].ids)],
                "oci_import_note": "; ".join(notes.get(item.line_no, [])) or False,
            }
            for item in items
        ]
        lines = self.env["purchase.order.line"].create(line_vals)
        if self.request_id:
            self._link_request_lines(lines)
        self._post_line_notes(order, lines)
        charges = self._add_cart_charges(order, cart)
        self._check_cart_total(order, cart, lines, charges)
        order.message_post(
            body=self.env._(
                "%(count)s line(s) added from the %(shop)s cart "
                "(punchout %(session)s).",
                count=len(lines),
                shop=self.webshop_id.name,
                session=self.name,
            ),
            author_id=self.user_id.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        self._apply_orderer_options(order, order.order_line - before)
        return order

    def _apply_orderer_options(self, order, lines):
        """The business account's options on the cart's new ``lines`` (the
        shipping lines included): delivery locations, card logos, the
        orderer's department and assortment; a note of what needs the
        buyer's attention (unknown locations, assortment, budget)."""
        notes = []
        notes += self._apply_cart_locations(order, lines)
        self._apply_cart_logos(lines)
        self._apply_department(lines)
        notes += self._flag_assortment(lines)
        excess = order._webshop_budget_excess()
        if excess:
            notes.append(order._webshop_budget_text(excess))
        if notes:
            order.message_post(
                body=self.env._(
                    "Punchout %(session)s: %(notes)s",
                    session=self.name,
                    notes=" ".join(notes),
                ),
                author_id=self.user_id.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )

    def _apply_cart_locations(self, order, lines):
        """Link the lines to the delivery locations their cart codes name.

        Codes are compared as the shop may spell them (case, spaces,
        invisible characters). A code that names no address refuses the cart
        when the buyer's orderer line restricts their delivery locations;
        otherwise it is the shop's own code, kept on the line and noted.
        """
        codes = {
            line.oci_location_code: normalise_location_code(line.oci_location_code)
            for line in lines
            if line.oci_location_code
        }
        if not codes:
            return []
        partners = self.env["res.partner"].search(
            Domain("oci_location_code", "!=", False)
            & Domain("company_id", "in", [False, self.company_id.id])
        )
        by_code = {normalise_location_code(p.oci_location_code): p for p in partners}
        orderer = self._oci_orderer()
        unknown = sorted(raw for raw, key in codes.items() if key not in by_code)
        if unknown and orderer.location_ids:
            raise CartError(
                _(
                    "The cart names the delivery location %(codes)s, which is not "
                    "one of %(user)s's delivery locations."
                ),
                code="location_not_allowed",
                user=self.user_id.name,
                codes=", ".join(unknown),
            )
        for key in set(codes.values()):
            partner = by_code.get(key)
            if partner and not orderer._allows_location(partner):
                raise CartError(
                    _(
                        "%(user)s may not send gifts to %(location)s "
                        "(%(location_code)s): ask a purchase manager to allow this "
                        "delivery location."
                    ),
                    code="location_not_allowed",
                    user=self.user_id.name,
                    location=partner.display_name,
                    location_code=partner.oci_location_code,
                )
        # One write per location, not per line.
        lines_by_partner = lines.grouped(
            lambda line: by_code.get(codes.get(line.oci_location_code))
        )
        for partner, partner_lines in lines_by_partner.items():
            if partner:
                partner_lines.write(
                    {
                        "oci_location_id": partner.id,
                        "oci_location_code": partner.oci_location_code,
                    }
                )
        if not unknown:
            return []
        return [
            self.env._(
                "delivery location code(s) %(codes)s match no address: choose the "
                "delivery location on the lines.",
                codes=", ".join(unknown),
            )
        ]

    def _apply_cart_logos(self, lines):
        codes = {code for code in lines.mapped("oci_logo") if code}
        if not codes:
            return
        logos = self.env["webshop.logo"].search(
            [("code", "in", list(codes)), ("company_id", "=", self.company_id.id)]
        )
        for logo in logos:
            lines.filtered(lambda pl, c=logo.code: pl.oci_logo == c).oci_logo_id = logo

    def _apply_department(self, lines):
        department = self._oci_orderer().analytic_account_id
        if department:
            lines.filtered(lambda pl: not pl.analytic_distribution).write(
                {"analytic_distribution": {str(department.id): 100}}
            )

    def _flag_assortment(self, lines):
        orderer = self._oci_orderer()
        if not orderer or not (
            orderer.allowed_nzi_codes
            or orderer.allowed_categ_ids
            or orderer.max_unit_price
        ):
            return []
        flagged = []
        for line in lines:
            issues = orderer._assortment_issues(line)
            if issues:
                line.oci_assortment_warning = "; ".join(issues)
                flagged.append(f"{line.product_id.display_name} ({'; '.join(issues)})")
        if not flagged:
            return []
        return [
            self.env._(
                "%(count)s line(s) outside %(user)s's assortment: %(lines)s.",
                count=len(flagged),
                user=self.user_id.name,
                lines=", ".join(flagged),
            )
        ]

    def _post_line_notes(self, order, lines):
        """Tell the buyer and purchasing, on the RFQ, what the import assumed."""
        noted = lines.filtered("oci_import_note")
        if not noted:
            return
        order.message_post(
            body=self.env._(
                "Punchout %(session)s: check %(count)s line(s): %(lines)s",
                session=self.name,
                count=len(noted),
                lines="; ".join(
                    f"{line.product_id.display_name}: {line.oci_import_note}"
                    for line in noted
                ),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _add_cart_charges(self, order, cart):
        """The shipping a cXML cart charges in its header, as an RFQ line of
        the webshop's shipping product; return the lines made."""
        shipping = cart.extra.get("shipping") if cart.protocol == "cxml" else None
        lines = self.env["purchase.order.line"]
        if not shipping:
            return lines
        product = self.webshop_id.sudo().shipping_product_id
        if not product:
            order.message_post(
                body=self.env._(
                    "Punchout %(session)s: the cart charges %(amount)s %(currency)s "
                    "shipping, and the webshop names no shipping product: add it "
                    "to the RFQ by hand.",
                    session=self.name,
                    amount=shipping,
                    currency=order.currency_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return lines
        taxes = self._get_line_taxes(order, {product.id: product})[product.id]
        return lines.create(
            {
                "order_id": order.id,
                "product_id": product.id,
                "name": product.display_name,
                "product_qty": 1,
                "product_uom_id": product.uom_id.id,
                "price_unit": float(shipping),
                "tax_ids": [Command.set(taxes.ids)],
                "date_planned": order.date_order or fields.Datetime.now(),
            }
        )

    def _check_cart_total(self, order, cart, lines, charges):
        """Note on the RFQ when the cart's Total is none of the amounts of the
        lines it made (excluding or including tax, with or without its
        shipping ``charges``), or its Tax is not theirs."""
        self._check_cart_tax(order, cart, lines | charges)
        if cart.total is None:
            return
        untaxed = sum((lines | charges).mapped("price_subtotal"))
        total = sum((lines | charges).mapped("price_total"))
        rounding = order.currency_id.rounding * (len(lines) + len(charges))
        shipping = sum(charges.mapped("price_subtotal"))
        amounts = {untaxed, total, untaxed - shipping, total - shipping}
        if any(abs(float(cart.total) - amount) <= rounding for amount in amounts):
            return
        order.message_post(
            body=self.env._(
                "Punchout %(session)s: the cart's total is %(cart_total)s "
                "%(currency)s, the RFQ's lines from it come to %(untaxed)s "
                "(%(total)s with tax): check the prices with the shop.",
                session=self.name,
                cart_total=cart.total,
                currency=order.currency_id.name,
                untaxed=order.currency_id.round(untaxed),
                total=order.currency_id.round(total),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _check_cart_tax(self, order, cart, lines):
        tax = cart.extra.get("tax") if cart.protocol == "cxml" else None
        if tax is None:
            return
        ours = sum(lines.mapped("price_tax"))
        rounding = order.currency_id.rounding * max(len(lines), 1)
        if abs(float(tax) - ours) <= rounding:
            return
        order.message_post(
            body=self.env._(
                "Punchout %(session)s: the cart's tax is %(cart_tax)s %(currency)s, "
                "the RFQ's lines from it have %(tax)s: check their taxes.",
                session=self.name,
                cart_tax=tax,
                currency=order.currency_id.name,
                tax=order.currency_id.round(ours),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _get_cart_tax_rate(self, item):
        """The VAT percentage the cart states for ``item`` (cXML Tax, or the
        OCI field the webshop names), or ``None``."""
        if item.tax_rate is not None:
            return item.tax_rate
        field_name = self.webshop_id.sudo().tax_rate_field
        if not field_name:
            return None
        if field_name.startswith("CUST_FIELD"):
            value = (item.cust_fields or {}).get(int(field_name[len("CUST_FIELD") :]))
        else:
            value = getattr(item, field_name.lower(), "")
        return parse_tax_rate(value or "")

    def _match_cart_taxes(self, items, rates, mappings):
        """``{line_no: tax}`` for new products: the purchase tax of the rate
        the cart states, else the NZI mapping's (one search for the cart)."""
        wanted = {float(rate) for rate in rates.values() if rate is not None}
        by_rate = {}
        if wanted:
            company = self.company_id
            default = company.account_purchase_tax_id
            candidates = (
                self.env["account.tax"]
                .sudo()
                .search(
                    Domain("company_id", "=", company.id)
                    & Domain("type_tax_use", "=", "purchase")
                    & Domain("amount_type", "=", "percent")
                    & Domain("amount", "in", list(wanted)),
                    order="sequence, id",
                )
            )
            # The company's default purchase tax first, then plain (not
            # price-included, not reverse-charge) taxes.
            for tax in candidates.sorted(
                lambda t: (
                    t != default,
                    t.price_include,
                    len(t.invoice_repartition_line_ids) > 2,
                )
            ):
                by_rate.setdefault(tax.amount, tax)
        result = {}
        for item in items:
            rate = rates.get(item.line_no)
            tax = by_rate.get(float(rate)) if rate is not None else None
            mapping = mappings.get(item.line_no)
            if rate is None and mapping and mapping.tax_id:
                tax = mapping.sudo().tax_id
            if tax:
                result[item.line_no] = tax
        return result

    def _check_line_tax(self, item, rate, taxes, is_new, mapping=None):
        """A remark on a line whose VAT the cart does not confirm, or ``None``.

        An existing product keeps Odoo's taxes, flagged only when the cart
        states another rate; a new product's tax is flagged unless the cart
        or the NZI mapping gave it.
        """
        names = ", ".join(taxes.mapped("name")) or self.env._("no tax")
        if rate is None:
            if not is_new or (mapping and mapping.sudo().tax_id):
                return None
            return self.env._(
                "the cart states no VAT rate; %(taxes)s was applied: check it",
                taxes=names,
            )
        applied = sum(
            taxes.filtered(lambda t: t.amount_type == "percent").mapped("amount")
        )
        if abs(applied - float(rate)) < 0.005:
            return None
        return self.env._(
            "the cart states VAT %(rate)s%%, the line has %(taxes)s: check it",
            rate=f"{rate:f}".rstrip("0").rstrip("."),
            taxes=names,
        )

    def _get_line_taxes(self, order, products):
        """Vendor taxes per product id, as Odoo's ``_compute_tax_id`` sets them,
        computed once per product: given to ``create()``, they spare Odoo its
        per-line onchange."""
        company = order.company_id
        fpos = (
            order.fiscal_position_id
            or order.fiscal_position_id._get_fiscal_position(order.partner_id)
        )
        return {
            product_id: fpos.map_tax(
                product.with_company(
                    company
                ).supplier_taxes_id._filter_taxes_by_company(company)
            )
            for product_id, product in products.items()
        }

    def _get_cart_currency(self, cart, items):
        codes = {(item.currency or cart.currency or "").upper() for item in items}
        codes.discard("")
        if not codes:
            return self.order_id.currency_id or self._shop_currency()
        if len(codes) > 1:
            raise CartError(
                _("The cart mixes currencies (%(codes)s); an RFQ has one currency."),
                code="mixed_currencies",
                codes=", ".join(sorted(codes)),
            )
        code = codes.pop()
        currency = (
            self.env["res.currency"]
            .sudo()
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency:
            raise CartError(
                _("The cart is in an unknown currency: %(currency)s."),
                code="unknown_currency",
                currency=code,
            )
        if not currency.active:
            raise CartError(
                _(
                    "The cart is in %(currency)s, which is not active in Odoo: a "
                    "manager must activate it first."
                ),
                code="inactive_currency",
                currency=code,
            )
        if self.order_id and self.order_id.currency_id != currency:
            raise CartError(
                _(
                    "The cart is in %(currency)s but %(order)s is in "
                    "%(order_currency)s."
                ),
                code="currency_mismatch",
                currency=code,
                order=self.order_id.name,
                order_currency=self.order_id.currency_id.name,
            )
        return currency

    def _shop_currency(self):
        return self.webshop_id.sudo().currency_id or self.company_id.currency_id

    def _check_cart_currency(self, currency, items, notes):
        """Flag every line of a cart in another currency than the shop's."""
        expected = self._shop_currency()
        if currency == expected:
            return
        note = self.env._(
            "the cart is in %(currency)s, but %(shop)s quotes in "
            "%(shop_currency)s: check the prices with the shop",
            currency=currency.name,
            shop=self.webshop_id.name,
            shop_currency=expected.name,
        )
        for item in items:
            notes.setdefault(item.line_no, []).append(note)

    def _match_uoms(self, items, products=None, notes=None):
        """Map each item to an Odoo unit; return ``{line_no: uom}``.

        A supplier alias wins; else the UN/ECE Rec. 20 code (SAP and ISO
        aliases normalised) names an Odoo unit. A count of items (box, pack,
        pair, set, roll... or a code Odoo has no unit for) that no Odoo unit
        fits takes the product's unit, or Units for a new product: the shop's
        code stays on the line and ``notes`` (``{line_no: [text]}``, filled
        in place) says what was assumed. Only a measure (weight, volume,
        length, time) that cannot be the product's unit is refused.
        """
        products = products or {}
        notes = {} if notes is None else notes
        supplier = self.webshop_id
        aliases = {
            a.code.strip().upper(): a.uom_id for a in supplier.sudo().unit_alias_ids
        }
        codes, wanted = {}, set()
        for item in items:
            raw = (item.unit or "").strip().upper()
            if raw not in aliases:
                codes[item.line_no] = unit_codes.normalise_unit(raw) if raw else "C62"
                wanted.add(codes[item.line_no])
        UoM = self.env["uom.uom"]
        found = UoM._oci_by_unece_code(wanted | {"C62"}) if wanted else {}
        result = {}
        for item in items:
            raw = (item.unit or "").strip().upper()
            if raw in aliases:
                result[item.line_no] = aliases[raw]
                continue
            product = products.get(item.line_no)
            result[item.line_no] = self._match_uom(
                item, codes[item.line_no], found, product, notes
            )
        return result

    def _match_uom(self, item, code, found, product, notes):
        """The Odoo unit of one item whose shop code is the UNECE ``code``."""
        info = unit_codes.unece_table().get(code)
        uom = found.get(code)
        product_uom = self._product_purchase_uom(product)
        if product_uom and not (item.unit or "").strip():
            return product_uom  # no unit stated: the product's own
        if uom and (not product_uom or product_uom._has_common_reference(uom)):
            return uom
        if info and info.is_measure or (uom and not (info and info.is_count)):
            # A weight, volume, length or time: never a number of pieces.
            raise CartError(
                _(
                    "Line %(line)s: unit %(unit)s (%(unit_name)s) cannot be the unit "
                    "of %(product)s, bought per %(product_unit)s. A purchase manager "
                    "can map the code on the webshop's unit aliases."
                )
                if product_uom
                else _(
                    "Line %(line)s: unit %(unit)s (%(unit_name)s) is a measure no "
                    "Odoo unit carries. A purchase manager can map it on the "
                    "webshop's unit aliases, or give an Odoo unit this UNECE code."
                ),
                code="unknown_unit",
                line=item.line_no,
                unit=item.unit or code,
                unit_name=info.name if info else code,
                product=product.display_name if product else "",
                product_unit=product_uom.name or "",
            )
        target = product_uom or found.get("C62") or self.env.ref("uom.product_uom_unit")
        if info and info.is_count:
            note = self.env._(
                "the shop's unit %(unit)s (%(unit_name)s) was taken as one %(uom)s",
                unit=item.unit,
                unit_name=info.name,
                uom=target.name,
            )
        else:
            note = self.env._(
                "the shop's unit %(unit)s is not a known count of items; it was "
                "taken as one %(uom)s: check the quantity",
                unit=item.unit,
                uom=target.name,
            )
        notes.setdefault(item.line_no, []).append(note)
        return target

    def _product_purchase_uom(self, product):
        """The unit ``product`` is bought in from this webshop's vendor."""
        if not product:
            return self.env["uom.uom"]
        partner = self.webshop_id.partner_id.commercial_partner_id
        seller = product.seller_ids.filtered(
            lambda s: s.partner_id.commercial_partner_id == partner
            and s.company_id in (self.company_id, s.company_id.browse())
            and s.product_uom_id
        )[:1]
        return seller.product_uom_id or product.uom_id

    def _match_nzi(self, items):
        mappings = self.webshop_id.sudo().nzi_mapping_ids
        cache, result = {}, {}
        for item in items:
            code = item.matgroup
            if code and mappings:
                if code not in cache:
                    cache[code] = mappings._find(code)
                if cache[code]:
                    result[item.line_no] = cache[code]
        return result

    def _match_products(self, items):
        """Products by the vendor's code, else by EXT_PRODUCT_ID (one search each).

        Only the session company's products and shared ones: a look-up never
        crosses companies, whatever companies the buyer may also work in.
        """
        partner = self.webshop_id.partner_id.commercial_partner_id
        companies = [False, self.company_id.id]
        codes = {item.vendormat for item in items if item.vendormat}
        by_code = {}
        if codes:
            infos = self.env["product.supplierinfo"].search(
                Domain("partner_id", "child_of", partner.id)
                & Domain("product_code", "in", list(codes))
                & Domain("company_id", "in", companies)
                & Domain("product_tmpl_id.company_id", "in", companies),
                order="sequence, id",
            )
            for info in infos:
                product = info.product_id or info.product_tmpl_id.product_variant_id
                if product and info.product_code not in by_code:
                    by_code[info.product_code] = product
        ext_ids = {
            item.ext_product_id
            for item in items
            if item.ext_product_id and item.vendormat not in by_code
        }
        by_ext = {}
        if ext_ids:
            for product in self.env["product.product"].search(
                Domain("default_code", "in", list(ext_ids))
                & Domain("company_id", "in", companies)
            ):
                by_ext.setdefault(product.default_code, product)
        result = {}
        for item in items:
            product = by_code.get(item.vendormat) or by_ext.get(item.ext_product_id)
            if product:
                result[item.line_no] = product
        return result

    def _create_products(self, items, uoms, mappings, currency, taxes=None):
        supplier = self.webshop_id.sudo()
        if not supplier.allow_create_products:
            raise CartError(
                _(
                    "Line %(line)s (%(vendor_code)s %(name)s) matches no product, and "
                    "this webshop may not create products."
                ),
                code="unknown_product",
                line=items[0].line_no,
                vendor_code=items[0].vendormat or "-",
                name=items[0].description,
            )
        # Two carts of one shop imported at once must not create the same new
        # product twice: touch the shop's row, so the second transaction
        # fails to serialize, and Odoo's request retry runs it again on a
        # fresh snapshot that sees the products the first one created.
        with mute_logger("odoo.sql_db"):  # a serialization failure is expected
            self.env.cr.execute(
                "UPDATE punchout_webshop SET write_date = write_date WHERE id = %s",
                [supplier.id],
            )
        # One product per distinct vendor code; lines without a code get their own.
        vals_by_key, keys = {}, {}
        for item in items:
            key = item.vendormat or f"line:{item.line_no}"
            keys[item.line_no] = key
            if key in vals_by_key:
                continue
            vals_by_key[key] = self._prepare_product_vals(
                item,
                uoms[item.line_no],
                mappings.get(item.line_no),
                currency,
                tax=(taxes or {}).get(item.line_no),
            )
        products = (
            self.env["product.product"]
            .sudo()
            .with_company(self.company_id)
            .create(list(vals_by_key.values()))
        )
        by_key = dict(zip(vals_by_key, products, strict=True))
        return {line_no: by_key[key].sudo(False) for line_no, key in keys.items()}

    def _prepare_product_vals(self, item, uom, mapping, currency, tax=None):
        supplier = self.webshop_id.sudo()
        categ = (mapping and mapping.categ_id) or supplier.default_categ_id
        vals = {
            "name": (item.description or item.vendormat or item.line_no)[:256],
            "type": "consu",
            "purchase_ok": True,
            "sale_ok": False,
            "uom_id": uom.id,
            "company_id": self.company_id.id,
            "seller_ids": [
                Command.create(
                    {
                        "partner_id": supplier.partner_id.id,
                        "product_code": item.vendormat or False,
                        "product_name": (item.description or "")[:256] or False,
                        "price": float(item.unit_price),
                        "currency_id": currency.id,
                        "company_id": self.company_id.id,
                        "delay": item.leadtime or 0,
                    }
                )
            ],
        }
        if categ:
            vals["categ_id"] = categ.id
        if tax:
            vals["supplier_taxes_id"] = [Command.set(tax.ids)]
        if item.ext_product_id:
            vals["default_code"] = item.ext_product_id[:64]
        return vals

    def _get_or_create_order(self, currency):
        if self.order_id:
            return self._lock_draft_order(self.order_id)
        vals = self._prepare_order_vals(currency)
        order = self.env["purchase.order"].create(vals)
        return order

    def _lock_draft_order(self, order):
        """Lock ``order`` and check it is still an RFQ: it may have been
        confirmed since the punchout started (or since the cart was refused)."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = %s FOR UPDATE",
                SQL.identifier(order._table),
                order.id,
            ),
            log_exceptions=False,
        )
        order.invalidate_recordset(["state"])
        if order.state not in ("draft", "sent"):
            raise CartError(
                _(
                    "%(order)s is no longer a draft RFQ: the cart cannot be added "
                    "to it. Start a new punchout from Odoo."
                ),
                code="order_not_draft",
                order=order.name,
            )
        return order

    def _oci_orderer(self):
        self.ensure_one()
        return self.webshop_id._oci_orderer(self.user_id)

    def _prepare_order_vals(self, currency):
        supplier = self.webshop_id
        vals = {
            "partner_id": supplier.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": currency.id,
            "user_id": self.user_id.id,
            "oci_webshop_id": supplier.id,
            "origin": self.request_id.name or False,
        }
        if self.request_id.picking_type_id:
            vals["picking_type_id"] = self.request_id.picking_type_id.id
        orderer = self._oci_orderer()
        if orderer.default_location_id:
            vals["oci_location_id"] = orderer.default_location_id.id
        if orderer.cost_center:
            vals["oci_cost_center"] = orderer.cost_center
        return vals

    def _prepare_order_line_vals(self, order, item, product, uom, mapping):
        name = item.description or product.display_name
        if item.longtext and item.longtext.strip() != name.strip():
            name = f"{name}\n{item.longtext}"
        supplier = self.webshop_id
        cust = item.cust_fields or {}

        def cust_value(field_name):
            if not field_name or not field_name.startswith("CUST_FIELD"):
                return False
            return cust.get(int(field_name[len("CUST_FIELD") :])) or False

        if self.protocol == "cxml":
            card_text = item.extrinsics.get("CardText") or False
            logo = item.extrinsics.get("Logo") or False
            location = item.extrinsics.get("DeliveryLocation") or False
        else:
            card_text = cust_value(supplier.card_text_field)
            logo = cust_value(supplier.logo_field)
            location = cust_value(supplier.location_field)
        vals = {
            "order_id": order.id,
            "product_id": product.id,
            "name": name,
            "product_qty": float(item.quantity),
            "product_uom_id": uom.id,
            "price_unit": float(item.unit_price),
            "oci_vendormat": item.vendormat or False,
            "oci_aux_id": item.aux_id or False,
            "oci_matgroup": item.matgroup or False,
            "punchout_nzi_code_id": mapping.id if mapping else False,
            "oci_card_text": card_text,
            "oci_logo": logo,
            "oci_location_code": location,
            "oci_unit_code": item.unit or False,
            "oci_price_unit_qty": float(item.price_unit or 1),
            "oci_item_data": self._item_data(item),
        }
        vals["date_planned"] = (order.date_order or fields.Datetime.now()) + timedelta(
            days=item.leadtime or 0
        )
        if mapping and mapping.analytic_distribution:
            vals["analytic_distribution"] = mapping.analytic_distribution
        return vals

    @api.model
    def _item_data(self, item):
        """The cart line as the shop sent it (JSON-safe), kept on the RFQ line."""
        data = {}
        for key, value in vars(item).items():
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, dict):
                value = {str(k): v for k, v in value.items()}
            if value not in ("", None, {}, []):
                data[key] = value
        return data

    def _link_request_lines(self, po_lines):
        """Allocate the RFQ lines to the request's lines, as OCA's wizard does.

        A request line takes the RFQ lines of its product. The request's one
        line without a product (a wish such as "Christmas parcels, 12") takes
        one cart line only: the one left, or else the one line that fits it
        (its quantity, or a word of its name); with several that fit, which
        fulfils the wish is the buyer's call, not ours. Lines not allocated
        are additions to the request, listed in a note on it.
        """
        request = self.request_id.sudo()
        request_lines = request.line_ids.filtered(lambda rl: not rl.cancelled)
        if not request_lines:
            return
        by_product = {}
        for rl in request_lines.filtered("product_id"):
            by_product.setdefault(rl.product_id.id, rl)
        generic = request_lines.filtered(lambda rl: not rl.product_id)
        left = po_lines.filtered(lambda pl: pl.product_id.id not in by_product)
        chosen = self.env["purchase.order.line"]
        if len(generic) == 1:
            fitting = left.filtered(lambda pl: self._request_line_fits(generic, pl))
            chosen = left if len(left) == 1 else fitting
            if len(chosen) != 1:
                chosen = chosen.browse()
        allocations = []
        unlinked = self.env["purchase.order.line"]
        for line in po_lines:
            rl = by_product.get(line.product_id.id) or (
                generic if line == chosen else generic.browse()
            )
            if not rl:
                unlinked |= line
                continue
            line.sudo().purchase_request_lines = [Command.link(rl.id)]
            alloc_uom = rl.product_uom_id or line.product_uom_id
            qty = line.product_uom_id._compute_quantity(
                line.product_qty, alloc_uom, raise_if_failure=False
            )
            allocations.append(
                {
                    "requested_product_uom_qty": qty,
                    "product_uom_id": alloc_uom.id,
                    "purchase_request_line_id": rl.id,
                    "purchase_line_id": line.id,
                }
            )
        if allocations:
            self.env["purchase.request.allocation"].sudo().create(allocations)
        if request.state == "approved":
            request.button_in_progress()
        if unlinked:
            request.message_post(
                body=self.env._(
                    "Punchout %(session)s: %(count)s cart line(s) match no line of "
                    "this request and were not linked: %(names)s",
                    session=self.name,
                    count=len(unlinked),
                    names=", ".join(unlinked.mapped("product_id.display_name")),
                ),
                author_id=self.user_id.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _request_line_fits(self, request_line, po_line):
        """Whether an RFQ line fits a request line without a product: the
        quantity asked for, or a word of the wish in its description
        ("Kerstpakketten" fits "Kerstpakket Deluxe")."""
        uom = request_line.product_uom_id or po_line.product_uom_id
        qty = po_line.product_uom_id._compute_quantity(
            po_line.product_qty, uom, raise_if_failure=False
        )
        if request_line.product_qty and not uom.compare(qty, request_line.product_qty):
            return True

        def words(text):
            return {
                w for w in re.findall(r"\w+", (text or "").casefold()) if len(w) > 4
            }

        wished = words(request_line.name)
        offered = words(po_line.name)
        return any(a.startswith(b) or b.startswith(a) for a in wished for b in offered)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_order(self):
        self.ensure_one()
        return self.order_id._get_records_action() if self.order_id else False

    def action_cancel(self):
        # The buyer's own sessions (record rules), checked before sudo().
        self.check_access("read")
        self.filtered(lambda s: s.state == "open")._write_closed({"state": "cancel"})

    def check_access_session(self):
        """Only the buyer, or a purchase manager, may see a session."""
        self.ensure_one()
        if self.user_id != self.env.user and not self.env.user.has_group(MANAGER):
            raise AccessError(self.env._("This punchout session is not yours."))

    @api.model
    def _cron_expire(self):
        """Close sessions whose cart never came back."""
        expired = self.sudo().search(
            [("state", "=", "open"), ("date_expire", "<", fields.Datetime.now())]
        )
        expired._write_closed({"state": "cancel", "error_code": "token_expired"})
