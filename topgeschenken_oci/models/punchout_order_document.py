# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import logging
from collections import namedtuple

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, consteq, mute_logger

from ..protocol import cxml_inbound
from ..protocol.errors import ProtocolError

_logger = logging.getLogger(__name__)

#: The answer to the shop: cXML status code and text (HTTP status alike).
Answer = namedtuple("Answer", "code text")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class PunchoutOrderDocument(models.Model):
    """A document the webshop sent about one of our orders: an order
    confirmation or a ship notice (cXML ``ConfirmationRequest`` /
    ``ShipNoticeRequest``), kept raw with what it changed."""

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
    payload_id = fields.Char(string="cXML payloadID", required=True, readonly=True)
    document_ref = fields.Char(
        string="Shop reference",
        readonly=True,
        help="The shop's confirmation number (confirmID) or shipment number "
        "(shipmentID).",
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
        "The webshop sent this document (payloadID) before.",
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
        supplier = self._find_supplier(doc)
        if not supplier:
            _logger.info("cXML %s refused: unknown sender or secret", doc.kind)
            return Answer(401, "Unauthorized")
        if not doc.payload_id:
            return Answer(400, "Bad Request: the document has no payloadID")
        known = self.search(
            [("webshop_id", "=", supplier.id), ("payload_id", "=", doc.payload_id)],
            limit=1,
        )
        if known:
            return Answer(200, "OK (already processed)")
        if len(set(doc.order_ids)) != 1:
            return Answer(400, "Bad Request: one order per document")
        order = self.env["purchase.order"].search(
            [
                ("name", "=", doc.order_ids[0]),
                ("oci_webshop_id", "=", supplier.id),
                ("company_id", "=", supplier.company_id.id),
            ],
            limit=1,
        )
        if not order or order.state not in ("purchase", "done"):
            return Answer(404, f"Not Found: order {doc.order_ids[0][:64]}")
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
        """The webshop that sent ``doc``: the cXML Sender (the authenticating
        party) is the webshop's *To identity*, and the SharedSecret matches
        (compared in constant time). Empty when none does."""
        if not doc.shared_secret or not doc.sender_identity:
            return self.env["punchout.webshop"]
        candidates = self.env["punchout.webshop"].search(
            [("cxml_to_identity", "=", doc.sender_identity)]
        )
        for supplier in candidates:
            secret = supplier.cxml_shared_secret or ""
            if secret and consteq(secret, doc.shared_secret):
                return supplier
        return self.env["punchout.webshop"]
