# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import hashlib
import logging
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError, ValidationError
from odoo.fields import Domain
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, consteq

from ..const import MANAGER
from ..protocol import returned_cart
from ..protocol.errors import CartError, ProtocolError, _

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
    cart_target = fields.Selection(
        [("order", "RFQ"), ("request", "Purchase request lines")],
        string="Cart goes to",
        default="order",
        required=True,
        readonly=True,
        help="RFQ: the cart becomes a draft RFQ (a buyer's punchout). Purchase "
        "request lines: the cart fills the lines of the draft purchase request "
        "(a requester without purchase rights); the purchasing team makes the "
        "RFQ from them.",
    )
    operation = fields.Selection(
        [("create", "New cart"), ("edit", "Edit the RFQ's cart")],
        default="create",
        required=True,
        readonly=True,
        help="Edit: the webshop re-opens the cart of the RFQ (cXML edit; OCI: a "
        "new cart), and the cart that comes back replaces the RFQ's lines from "
        "this webshop's carts. Lines added by hand stay.",
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
    def _start(self, supplier, request=None, order=None, operation="create"):
        """Create a punchout session for the current user and return it.

        ``operation`` ``"edit"`` re-opens the cart of the draft RFQ ``order``:
        the cart that comes back replaces the RFQ's lines from this webshop's
        carts (see ``punchout.cart.import._retrieve_replaced_lines``).
        """
        supplier = supplier.exists()
        if not supplier or not supplier.active:
            raise UserError(self.env._("This webshop is not active."))
        supplier.check_access("read")
        cart_target = self._get_cart_target(self.env.user)
        if cart_target == "request":
            self._check_may_start_request(request, order, operation)
        else:
            self._check_may_start(self.env.user)
        supplier._check_may_punch_out(self.env.user)
        if request and cart_target == "order":
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
        if operation == "edit":
            self._check_may_edit_cart(supplier, order)
        session = self.sudo().create(
            {
                "webshop_id": supplier.id,
                "company_id": supplier.company_id.id,
                "user_id": self.env.user.id,
                "request_id": request.id if request else False,
                "order_id": order.id if order else False,
                "operation": operation,
                "cart_target": cart_target,
                "date_expire": fields.Datetime.now()
                + timedelta(minutes=supplier.session_lifetime),
            }
        )
        return session.sudo(False)

    @api.model
    def _check_may_edit_cart(self, supplier, order):
        """Raise unless ``order`` (checked as a draft RFQ of ``supplier``'s
        vendor the user may write) has lines from ``supplier``'s carts."""
        if not order:
            raise UserError(self.env._("Choose the RFQ whose cart to edit."))
        if not order._oci_cart_lines(supplier):
            raise UserError(
                self.env._(
                    "%(order)s has no lines from a %(shop)s cart to edit.",
                    order=order.name,
                    shop=supplier.name,
                )
            )

    @api.model
    def _get_cart_target(self, user):
        """Where the cart of ``user``'s punchout goes: ``"order"`` or
        ``"request"``. The one place of this rule.

        The cart is imported with the user's own rights. A user who may
        create purchase orders (a buyer: ``purchase.group_purchase_user``)
        gets a draft RFQ (linked to the purchase request they punched out
        from, if any). Anyone else, such as a requester with OCA
        ``purchase_request`` rights only, may punch out from their own draft
        purchase request only, and the cart fills that request's lines: in
        OCA's flow the requester asks and the purchasing team makes the RFQ
        (``purchase.request.line.make.purchase.order``), which then carries
        the cart's data to the shop.
        """
        if self.env["purchase.order"].with_user(user).has_access("create"):
            return "order"
        return "request"

    @api.model
    def _check_may_start(self, user):
        """Raise unless ``user``'s cart can become an RFQ: the cart is
        imported with the buyer's own rights, so a buyer must be able to
        make an RFQ (``_get_cart_target``)."""
        if self._get_cart_target(user) != "order":
            raise AccessError(
                self.env._(
                    "Only users with purchase rights can order from a webshop "
                    "directly: punch out from your own draft purchase request, or "
                    "ask a purchase user to punch out for you."
                )
            )

    @api.model
    def _check_may_start_request(self, request, order=None, operation="create"):
        """Raise unless the current user (who may not make RFQs) may punch
        out for ``request``: a purchase request they may edit (OCA's rules:
        their own, for a requester) that is still draft (OCA's
        ``is_editable``), and no RFQ to add to or edit."""
        if not request or order or operation != "create":
            raise AccessError(
                self.env._(
                    "Only users with purchase rights can order from a webshop "
                    "directly: punch out from your own draft purchase request, or "
                    "ask a purchase user to punch out for you."
                )
            )
        request.check_access("write")
        if not request.is_editable:
            raise UserError(
                self.env._(
                    "Purchase request %(name)s is no longer a draft: the cart can "
                    "add lines to a request only while it is draft.",
                    name=request.name,
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
        if self.operation == "edit" and self.protocol == "oci":
            message = self.env._(
                "Put the whole cart together there and transfer it: it replaces "
                "the lines of %(order)s that came from the webshop; lines added "
                "by hand stay.",
                order=self.order_id.name,
            )
        elif self.operation == "edit":
            message = self.env._(
                "Change the cart there and transfer it: it replaces the lines of "
                "%(order)s that came from the webshop; lines added by hand stay.",
                order=self.order_id.name,
            )
        elif self.order_id:
            message = self.env._(
                "Transfer the cart there: it is added to %(order)s.",
                order=self.order_id.name,
            )
        elif self.cart_target == "request":
            message = self.env._(
                "Transfer the cart there: it is added to request %(request)s as "
                "request lines; the purchasing team makes the RFQ.",
                request=self.request_id.name,
            )
        elif self.request_id:
            message = self.env._(
                "Transfer the cart there: it becomes a draft RFQ linked to "
                "%(request)s.",
                request=self.request_id.name,
            )
        else:
            message = self.env._("Transfer the cart there: it becomes a draft RFQ.")
        if open_sessions and self.operation == "edit":
            message += " " + self.env._(
                "You opened the webshop for %(record)s before (punchout "
                "%(sessions)s): a cart transferred from that tab before this one "
                "is replaced by this one; after it, a new cart is added and an "
                "edited one refused.",
                record=self.order_id.display_name,
                sessions=", ".join(open_sessions.mapped("name")),
            )
        elif open_sessions:
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
            session._set_canceled("token_expired")
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
        destination = self._cart_destination()
        if same:
            return self._return_outcome(
                "replay",
                200,
                self.env._(
                    "This cart was already added to %(order)s.",
                    order=destination,
                ),
            )
        return self._return_outcome(
            "used",
            409,
            self.env._(
                "This punchout session has already returned its cart to "
                "%(order)s: start a new punchout from Odoo to order more.",
                order=destination,
            ),
        )

    def _cart_destination(self):
        """Where the cart went, for the buyer to read: the RFQ's name, or
        "request PR00012"."""
        self.ensure_one()
        if self.cart_target == "request" and self.request_id:
            return self.env._("request %(request)s", request=self.request_id.name)
        return self.order_id.name or self.name

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
        if self.operation == "edit" and not self.order_id:
            # Deleted since (the link is set to null): nothing to edit, and
            # the edited cart is no new RFQ the buyer asked for.
            raise CartError(
                _(
                    "The RFQ whose cart this punchout edits was deleted: start a "
                    "new punchout from Odoo."
                ),
                code="order_gone",
            )
        if self.operation == "edit" and self.order_id.state not in ("draft", "sent"):
            raise CartError(
                _(
                    "%(order)s is no longer a draft RFQ: the cart cannot be added "
                    "to it. Start a new punchout from Odoo."
                ),
                code="order_not_draft",
                order=self.order_id.name,
            )

    def _read_cart(self, body, content_type, method="POST"):
        """The returned cart of ``body`` as a ``Cart``, read once by the
        protocol package (``protocol.returned_cart.read_cart``) with this
        webshop's cart encoding and line reference field; its format is
        recorded before parsing. A cXML cart must carry this session's
        BuyerCookie (when it carries one). An edit session takes a cart
        without items (the buyer emptied it in the shop); any other refuses
        it."""
        self.ensure_one()
        supplier = self.webshop_id
        session = self.sudo()

        def record(file_format):
            session.payload_format = file_format

        cart = returned_cart.read_cart(
            body,
            content_type,
            method=method,
            charset=supplier.return_charset,
            aux_id_field=supplier.aux_id_field or "",
            on_format=record,
            allow_empty=self.operation == "edit",
        )
        if cart.buyer_cookie and cart.buyer_cookie != self.buyer_cookie:
            raise CartError(
                _("The cart's BuyerCookie does not belong to this punchout session."),
                code="cookie_mismatch",
            )
        return cart

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
            cart = self._read_cart(body, content_type, method)
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
                order=self._cart_destination(),
            ),
            partner_ids=(buyer - self.env.user.partner_id).ids,
            subtype_xmlid="mail.mt_note",
        )

    def _process_cart(self, cart):
        """Turn a parsed cart into a draft RFQ (or, for a requester, into
        lines of the session's purchase request: ``cart_target``),
        atomically, with the ``punchout.cart.import`` service; the session
        is then done. Return the RFQ, or the purchase request.

        Works as the session's buyer, so record rules and access rights
        apply as if the buyer had typed the RFQ (or the request lines).
        Only the products a webshop may create (``allow_create_products``,
        set by a purchase manager) are created with elevated rights.
        """
        self.ensure_one()
        session = self.with_company(self.company_id).with_user(self.user_id)
        Import = session.env["punchout.cart.import"]
        if self.cart_target == "request":
            with self.env.cr.savepoint():
                Import._import_request_cart(session, cart)
                self._set_done(self.env["purchase.order"], len(cart.items))
            return self.request_id
        # The buyer's rights, never the superuser's: a buyer who lost their
        # purchase rights since the start gets the cart refused.
        self._check_may_start(self.user_id)
        with self.env.cr.savepoint():
            order = Import._import_cart(session, cart)
            self._set_done(order, len(cart.items))
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
        self._set_error(code, message)
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

    def _oci_orderer(self):
        """The buyer's orderer line at the webshop (sudo), or an empty recordset."""
        self.ensure_one()
        return self.webshop_id._oci_orderer(self.user_id)

    # ------------------------------------------------------------------
    # State
    # ------------------------------------------------------------------

    def _set_done(self, order, line_count):
        """The cart is on ``order`` (``line_count`` cart lines): from "open",
        or from "error" when a refused cart is imported again."""
        return self._update_state(
            ("open", "error"),
            "done",
            {
                "order_id": order.id,
                "line_count": line_count,
                "error_code": False,
                "error_message": False,
            },
        )

    def _set_error(self, code, message):
        """The cart was refused (``code``: a ``CartError`` code or
        ``error``; ``message``: the buyer's text): from "open", or again from
        "error" when importing it again fails."""
        return self._update_state(
            ("open", "error"),
            "error",
            {"error_code": code, "error_message": message},
        )

    def _set_canceled(self, code=False):
        """No cart will come back (``code``: why, e.g. ``token_expired``)."""
        return self._update_state(
            ("open",), "cancel", {"error_code": code} if code else {}
        )

    def _update_state(self, allowed_states, target_state, vals):
        """Move the sessions in ``allowed_states`` to ``target_state`` with
        ``vals``; return them. Others stay as they are (logged).

        Leaving "open" for "error" or "cancel" retires the return token; a
        session that is done keeps its hash to recognise a second post.
        """
        allowed = self.filtered(lambda s: s.state in allowed_states)
        for session in self - allowed:
            _logger.warning(
                "Punchout session %s (id %s) is %s: not set to %s.",
                session.name,
                session.id,
                session.state,
                target_state,
            )
        vals = dict(vals, state=target_state)
        if target_state in ("error", "cancel"):
            vals["token_hash"] = False
        allowed.sudo().write(vals)
        return allowed

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_order(self):
        self.ensure_one()
        return self.order_id._get_records_action() if self.order_id else False

    def action_cancel(self):
        # The buyer's own sessions (record rules), checked before sudo().
        self.check_access("read")
        self.filtered(lambda s: s.state == "open")._set_canceled()

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
        expired._set_canceled("token_expired")
