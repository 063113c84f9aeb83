# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import base64
import binascii
import logging
from collections import namedtuple

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, consteq, mute_logger

from ..protocol import cxml, cxml_inbound, ubl_inbound
from ..protocol.errors import ProtocolError

_logger = logging.getLogger(__name__)

#: The answer to the shop: cXML status code and text (HTTP status alike).
Answer = namedtuple("Answer", "code text")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class PunchoutOrderDocument(models.Model):
    """A document the webshop sent about one of our orders: an order
    confirmation or a ship notice (cXML ``ConfirmationRequest`` /
    ``ShipNoticeRequest``, UBL 2.1 ``OrderResponse`` / ``DespatchAdvice``),
    kept raw with what it changed."""

    _name = "punchout.order.document"
    _description = "Webshop order document"
    _order = "id desc"
    _check_company_auto = True

    webshop_id = fields.Many2one(
        "punchout.webshop",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="webshop_id.company_id", store=True)
    order_id = fields.Many2one(
        "purchase.order",
        string="Purchase order",
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    document_type = fields.Selection(
        [("confirmation", "Order confirmation"), ("ship_notice", "Ship notice")],
        string="Document",
        required=True,
        readonly=True,
    )
    payload_id = fields.Char(
        string="Document ID",
        required=True,
        readonly=True,
        help="What makes the document unique, so that a repeated post changes "
        "nothing: the cXML payloadID, or the UBL document type and its ID "
        "(OrderResponse:OR-300001).",
    )
    document_ref = fields.Char(
        string="Shop reference",
        readonly=True,
        help="The shop's confirmation number (cXML confirmID, UBL SalesOrderID) "
        "or shipment number (cXML shipmentID, UBL DespatchAdvice ID).",
    )
    status = fields.Char(
        string="Confirmation type",
        readonly=True,
        help="What the shop confirmed: accept, detail, backordered, reject…",
    )
    carrier = fields.Char(readonly=True)
    tracking_ref = fields.Char(string="Tracking number", readonly=True)
    state = fields.Selection(
        [("done", "Processed"), ("refused", "Refused")],
        string="Status",
        required=True,
        readonly=True,
    )
    summary = fields.Text(string="What changed", readonly=True)
    attachment_id = fields.Many2one(
        "ir.attachment", string="Document (raw)", readonly=True
    )

    _payload_unique = models.Constraint(
        "UNIQUE(webshop_id, payload_id)",
        "The webshop sent this document (payloadID or UBL ID) before.",
    )

    # ------------------------------------------------------------------
    # Receiving (the public route calls this, as superuser)
    # ------------------------------------------------------------------

    @api.model
    def _receive_cxml(self, body):
        """Authenticate, parse and apply a shop's cXML document; return an
        :data:`Answer`. Nothing changes unless the answer is 200; a replay of
        a processed document (same payloadID) answers 200 and changes nothing.
        """
        if len(body) > MAX_DOCUMENT_BYTES:
            return Answer(413, "Request Entity Too Large")
        try:
            doc = cxml_inbound.parse_inbound_request(body)
        except ProtocolError as error:
            return Answer(400, f"Bad Request: {error.text}"[:300])
        suppliers = self._find_supplier(doc)
        if not suppliers:
            _logger.info("cXML %s refused: unknown sender or secret", doc.kind)
            return Answer(401, "Unauthorized")
        if not doc.payload_id:
            return Answer(400, "Bad Request: the document has no payloadID")
        # Kept on the order without the inbound secret: whoever may read the
        # order may not post documents as the shop.
        return self._receive_document(suppliers, doc, cxml.without_shared_secret(body))

    @api.model
    def _receive_ubl(self, body, authorization):
        """Authenticate, parse and apply a shop's UBL 2.1 ``OrderResponse``
        or ``DespatchAdvice`` (Peppol BIS Order Response 3 / Despatch Advice
        3); return an :data:`Answer` (HTTP status and text).

        :param body: the request body (bytes).
        :param authorization: the request's ``Authorization`` header
            carrying the webshop's inbound secret (``Bearer <secret>``, or
            HTTP Basic with the secret as the password), checked before the
            body is parsed.

        401 wrong or missing credentials, 400 malformed (or not one of the
        two documents, or a line the order does not have), 404 no such
        confirmed order of that webshop (of those sharing the secret), 409
        an order of that number at several of them, 413 larger than 5 MB,
        200 applied
        or a replay (same document type and ``cbc:ID``), which changes
        nothing. Nothing changes unless the answer is 200.
        """
        if len(body) > MAX_DOCUMENT_BYTES:
            return Answer(413, "Request Entity Too Large")
        suppliers = self._find_ubl_supplier(authorization)
        if not suppliers:
            _logger.info("UBL order document refused: wrong or missing credentials")
            return Answer(401, "Unauthorized")
        try:
            doc = ubl_inbound.parse_order_document(body)
        except ProtocolError as error:
            return Answer(400, f"Bad Request: {error.text}"[:300])
        return self._receive_document(suppliers, doc, body)

    @api.model
    def _receive_document(self, suppliers, doc, body):
        """Apply ``doc`` (a ``cxml_inbound.InboundDocument``, from cXML or
        UBL) of one of the authenticated ``suppliers`` (the webshops whose
        inbound secret the sender gave: several when webshops, such as those
        of two companies, share one): the replay check, the order and its
        lines, then :meth:`_apply`. The order number in the document decides
        which of them it is for (:meth:`_find_document_order`). Returns an
        :data:`Answer`."""
        known = self.search(
            [
                ("webshop_id", "in", suppliers.ids),
                ("payload_id", "=", doc.payload_id),
            ],
            limit=1,
        )
        if known:
            return Answer(200, "OK (already processed)")
        if len(set(doc.order_ids)) != 1:
            return Answer(400, "Bad Request: one order per document")
        order = self._find_document_order(suppliers, doc.order_ids[0])
        if len(order) > 1:
            return Answer(
                409, f"Conflict: order {doc.order_ids[0][:64]} of several webshops"
            )
        if not order:
            return Answer(404, f"Not Found: order {doc.order_ids[0][:64]}")
        supplier = order.oci_webshop_id
        lines = order._oci_numbered_lines()
        unknown = sorted({s.line_number for s in doc.lines} - set(lines))
        if unknown:
            return Answer(
                400,
                f"Bad Request: order {order.name} has no line "
                + ", ".join(map(str, unknown[:10])),
            )
        # Wait for the order (a confirmation and a ship notice may come at
        # once; the send job holds it during its call): no LockError page.
        # A concurrent update of it makes this request fail to serialize,
        # and Odoo runs it again on a fresh snapshot (a replay is then seen).
        self.env.cr.execute(
            SQL("SELECT id FROM purchase_order WHERE id = %s FOR UPDATE", order.id)
        )
        try:
            # The document is created first: it claims its payloadID, so two
            # identical posts at the same instant apply it once (the second
            # meets the unique constraint and is a replay).
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                document = self.create(
                    {
                        "webshop_id": supplier.id,
                        "order_id": order.id,
                        "document_type": doc.kind,
                        "payload_id": doc.payload_id[:255],
                        "document_ref": doc.document_id[:255] or False,
                        "status": doc.status or False,
                        "carrier": doc.carrier[:255] or False,
                        "tracking_ref": doc.tracking_ref[:255] or False,
                        "state": "done",
                    }
                )
                self.env.flush_all()
                document._apply(doc, order, lines, body)
        except psycopg2.errors.UniqueViolation:
            return Answer(200, "OK (already processed)")
        return Answer(200, "OK")

    @api.model
    def _find_document_order(self, suppliers, name):
        """The confirmed purchase orders named ``name`` of ``suppliers`` (each
        in its webshop's company): one, none (404), or several when webshops
        sharing an inbound secret each have an order of that number."""
        orders = self.env["purchase.order"].search(
            [
                ("name", "=", name),
                ("oci_webshop_id", "in", suppliers.ids),
                ("company_id", "in", suppliers.company_id.ids),
                ("state", "=", "purchase"),
            ]
        )
        return orders.filtered(lambda o: o.company_id == o.oci_webshop_id.company_id)

    def _apply(self, doc, order, lines, body):
        """Apply ``doc`` to ``order``; keep the raw body on the order."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{order.name}-{doc.kind}-{doc.document_id or 'cxml'}.xml",
                "raw": body,
                "mimetype": "application/xml",
                "res_model": "purchase.order",
                "res_id": order.id,
            }
        )
        # The shop's post has no user: what it writes is for the buyer, in
        # the buyer's language and time zone, and comes from the vendor.
        buyer = order.user_id
        order = order.with_context(lang=buyer.lang or "en_US", tz=buyer.tz or "UTC")
        lines = {number: line.with_env(order.env) for number, line in lines.items()}
        if doc.kind == "confirmation":
            summary = order._oci_apply_confirmation(doc, lines)
        else:
            summary = order._oci_apply_ship_notice(doc, lines)
        self.write({"summary": "\n".join(summary), "attachment_id": attachment.id})
        order.message_post(
            body=Markup("<br/>").join(summary),
            attachment_ids=attachment.ids,
            author_id=order.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )

    @api.model
    def _find_supplier(self, doc):
        """The webshops that may have sent ``doc``: the cXML Sender (the
        authenticating party) is the webshop's *To identity*, and its
        SharedSecret is the webshop's *inbound secret* (compared in constant
        time), never the secret Odoo sends the shop. Several when webshops
        share identity and secret (the order number then decides); empty
        when none matches."""
        if not doc.shared_secret or not doc.sender_identity:
            return self.env["punchout.webshop"]
        candidates = (
            self.env["punchout.webshop"]
            .sudo()
            .search([("cxml_to_identity", "=", doc.sender_identity)])
        )
        return self._match_inbound_secret(candidates, doc.shared_secret)

    @api.model
    def _find_ubl_supplier(self, authorization):
        """The webshops whose *inbound secret* ``authorization`` (an HTTP
        ``Authorization`` header) carries: ``Bearer <secret>``, or ``Basic``
        with the secret as the password (the user name is not checked: the
        secret alone names the webshop, as a bearer token does). Compared
        in constant time; the credentials Odoo sends the shop (OCI password,
        cXML shared secret) never authenticate the shop. Several when
        webshops share the secret (the order number then decides); empty
        when none matches."""
        Supplier = self.env["punchout.webshop"]
        scheme, __, credentials = (authorization or "").strip().partition(" ")
        credentials = credentials.strip()
        scheme = scheme.lower()
        if not credentials or len(credentials) > 4096:
            return Supplier
        if scheme == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return Supplier
            __, sep, secret = decoded.partition(":")
            if not sep:
                return Supplier
        elif scheme == "bearer":
            secret = credentials
        else:
            return Supplier
        return self._match_inbound_secret(Supplier.sudo().search([]), secret)

    @api.model
    def _match_inbound_secret(self, candidates, secret):
        """The ``candidates`` (webshops) whose inbound secret is ``secret``
        (str), each compared in constant time as UTF-8 bytes, all of them
        (none is skipped once one matches); empty when none is. A webshop
        without an inbound secret never matches: its documents are refused,
        and the log says so (without any secret)."""
        Supplier = self.env["punchout.webshop"]
        if not secret or not candidates:
            return Supplier
        offered = secret.encode("utf-8", "replace")
        configured = candidates.sudo().filtered("inbound_secret")
        if candidates and not configured:
            _logger.info(
                "Order document refused: no inbound secret is set on webshop "
                "ids %s (a system administrator sets it on the webshop, "
                "Orders tab)",
                candidates.ids[:20],
            )
            return Supplier
        matching = configured.filtered(
            lambda supplier: consteq(supplier.inbound_secret.encode(), offered)
        )
        return matching.with_env(self.env)
