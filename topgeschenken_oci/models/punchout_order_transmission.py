# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import base64
import logging
import re
import time
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, float_round, html2plaintext

from ..const import MANAGER
from ..protocol import cxml, ubl_answer, ubl_ordering
from ..protocol.errors import ProtocolError

_logger = logging.getLogger(__name__)

# Back-off between attempts, in minutes: 1, 2, 5, 10, 30, 60, then hourly.
BACKOFF_MINUTES = (1, 2, 5, 10, 30, 60)
# Attempts keep a short excerpt of the shop's answer, credentials redacted.
RESPONSE_EXCERPT = 500
SECRET_ELEMENT = re.compile(
    r"(<(?:\w+:)?(?:SharedSecret|Password|DigitalSignature)\b[^>]{0,200}>)[^<]*",
    re.I,
)
SECRET_HEADER = re.compile(
    r"((?:authorization|password|passwd|secret|token|apikey|api_key)"
    r"[\"']?\s{0,5}[:=]\s{0,5}[\"']?)[^\s\"'&<,;]*",
    re.I,
)
TRANSMISSION_STATES = [
    ("to_send", "To send"),
    ("sent", "Sent, not acknowledged"),
    ("acknowledged", "Acknowledged"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]


class PunchoutOrderTransmission(models.Model):
    """The outbox entry of one confirmed order for the webshop.

    Created in the transaction that confirms the purchase order, so a
    confirmed order always has one, and at most one (a unique constraint).
    A queue job sends it; every attempt carries the order number as
    idempotency key, so a retry after a lost response never places a second
    order.
    """

    _name = "punchout.order.transmission"
    _description = "Order transmission to a webshop"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(related="order_id.name", string="Order number", store=True)
    order_id = fields.Many2one(
        "purchase.order",
        required=True,
        readonly=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        string="Purchase order",
    )
    webshop_id = fields.Many2one(
        "punchout.webshop",
        required=True,
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    user_id = fields.Many2one(related="order_id.user_id", string="Buyer")
    state = fields.Selection(
        TRANSMISSION_STATES,
        default="to_send",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        string="Status",
    )
    payload_format = fields.Selection(
        [("cxml", "cXML OrderRequest"), ("ubl", "UBL 2.1 / Peppol Order")],
        required=True,
        readonly=True,
        string="Format",
    )
    payload_id = fields.Char(
        string="Document ID",
        readonly=True,
        help="The unique ID of this version of the order, the same for every "
        "attempt so that the shop can recognise a retry. cXML: the payloadID "
        "of the OrderRequest. UBL: kept in Odoo only (the UBL document is "
        "numbered after the order and its version, P00012-2).",
    )
    idempotency_key = fields.Char(
        string="Idempotency key",
        readonly=True,
        required=True,
        help="Sent with every attempt of one version of the order: the "
        "database's unique id, the transmission and its version, so no two "
        "companies or database copies share one.",
    )
    version = fields.Integer(
        default=1,
        readonly=True,
        help="Raised when the order is sent again with other content (after "
        "a change, a fix or a new confirmation): the shop gets a new key.",
    )
    payload = fields.Binary(attachment=True, readonly=True, string="Document sent")
    attempt_ids = fields.One2many(
        "punchout.order.transmission.attempt",
        "transmission_id",
        readonly=True,
        string="Attempts",
    )
    attempt_count = fields.Integer(
        compute="_compute_attempt_count", store=True, string="Number of attempts"
    )
    date_next_attempt = fields.Datetime(readonly=True, string="Next attempt")
    last_error = fields.Text(readonly=True, string="Last error")
    supplier_order_ref = fields.Char(string="Shop order number", readonly=True)
    date_sent = fields.Datetime(readonly=True, string="Sent on")
    delivered_version = fields.Integer(
        string="Version the shop has",
        readonly=True,
        help="The last version of the order the webshop took (HTTP 2xx): a "
        "later version goes as a change (cXML update, UBL OrderChange) or, "
        "for a cancelled order, a cancellation (cXML delete, UBL "
        "OrderCancellation) that refers to it.",
    )
    delivered_line_count = fields.Integer(
        string="Lines the shop has",
        readonly=True,
        help="How many order lines the version the webshop took had: a UBL "
        "order change marks the lines after them as added.",
    )
    previous_payload_id = fields.Char(
        string="Previous document ID",
        readonly=True,
        help="The document ID of the version this one replaces (the version "
        "the shop has): a cXML change or cancellation refers to it.",
    )
    order_type = fields.Selection(
        [("new", "New order"), ("update", "Change"), ("delete", "Cancellation")],
        string="Document type",
        compute="_compute_order_type",
        help="What this version asks of the shop: a new order (cXML "
        "OrderRequest type new, UBL Order), a change (update, OrderChange) or "
        "a cancellation (delete, OrderCancellation).",
    )
    date_acknowledged = fields.Datetime(readonly=True, string="Acknowledged on")

    _order_unique = models.Constraint(
        "UNIQUE(order_id)", "An order is transmitted to the webshop only once."
    )

    @api.depends("delivered_version", "version", "order_id.state")
    def _compute_order_type(self):
        for transmission in self:
            transmission.order_type = transmission._cxml_order_type()

    def _cxml_order_type(self):
        """``new`` until the shop took a version; then ``update`` for a later
        version of the order, ``delete`` once the order is cancelled (cXML
        OrderRequest ``type``)."""
        self.ensure_one()
        if not self.delivered_version:
            return "new"
        if self.order_id.state == "cancel":
            return "delete"
        if self.version > self.delivered_version:
            return "update"
        return "new" if self.delivered_version == 1 else "update"

    @api.depends("attempt_ids")
    def _compute_attempt_count(self):
        for transmission in self:
            transmission.attempt_count = len(transmission.attempt_ids)

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            self._notify_state()
        return res

    def _notify_state(self):
        """Tell open order forms that the webshop state changed (bus), so the
        Webshop smart button updates without a reload. Only ids go out, to
        the purchase users' group channel."""
        self.env.ref("purchase.group_purchase_user")._bus_send(
            "topgeschenken_oci/transmission_state",
            {"order_ids": self.order_id.ids},
        )

    # ------------------------------------------------------------------
    # Creating (the outbox)
    # ------------------------------------------------------------------

    @api.model
    def _create_for_orders(self, orders):
        """Create the transmission of each order that needs one, and queue it.

        Called in the confirmation's transaction; orders that already have
        one (a second click, a re-approval) get nothing new.
        """
        orders = orders.filtered(
            lambda o: o.state == "purchase"
            and o.oci_webshop_id
            and o.oci_webshop_id.order_format != "none"
        )
        if not orders:
            return self.browse()
        existing = self.sudo().search([("order_id", "in", orders.ids)])
        orders -= existing.order_id
        # Confirmed again after a cancellation (or a refusal): send the order
        # as it is now, as a new version.
        existing.filtered(lambda t: t.state in ("cancelled", "failed"))._restart(
            self.env._("The order was confirmed again.")
        )
        vals_list = []
        for order in orders:
            supplier = order.oci_webshop_id.sudo()
            vals_list.append(
                {
                    "order_id": order.id,
                    "webshop_id": supplier.id,
                    "payload_format": supplier.order_format,
                    "idempotency_key": order.name,
                    "payload_id": supplier._cxml_envelope().new_payload_id(),
                }
            )
        transmissions = self.sudo().create(vals_list)
        for transmission in transmissions:
            transmission.idempotency_key = transmission._make_idempotency_key()
            transmission.payload = base64.b64encode(transmission._build_payload())
            transmission._enqueue()
        return transmissions

    @api.model
    def _strip_stored_secrets(self):
        """Remove the shared secret from the documents stored before it was
        added at send time only (run at every update of the addon)."""
        for transmission in self.sudo().search([("payload_format", "=", "cxml")]):
            document = base64.b64decode(transmission.payload or b"")
            if b"SharedSecret" in document:
                transmission.payload = base64.b64encode(
                    cxml.without_shared_secret(document)
                )

    def _make_idempotency_key(self):
        """Unique across companies, database copies and versions; the same
        for every attempt of one version."""
        self.ensure_one()
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return f"{dbuuid}-{self.id}-{self.version}"

    def _rebuild(self):
        """Build the document again from the order as it is now. Unchanged
        content keeps its version (a retry: same key, same document ID);
        other content becomes a new version with a new key and document ID."""
        for transmission in self.sudo():
            payload_id = transmission.payload_id
            document = transmission._build_payload()
            old = base64.b64decode(transmission.payload or b"")
            if _comparable(document) == _comparable(old):
                continue
            version = transmission.version + 1
            # The version this one replaces is the one the shop has: a
            # version built but never delivered (changed again before its
            # job ran) is skipped over.
            previous = payload_id
            if 0 < transmission.delivered_version < transmission.version:
                previous = transmission.previous_payload_id
            transmission.write(
                {
                    "version": version,
                    "previous_payload_id": previous,
                    "payload_id": (
                        transmission.webshop_id._cxml_envelope().new_payload_id()
                    ),
                }
            )
            transmission.write(
                {
                    "idempotency_key": transmission._make_idempotency_key(),
                    "payload": base64.b64encode(transmission._build_payload()),
                }
            )
            transmission.message_post(
                body=self.env._(
                    "The order changed since document ID %(old)s: it is sent as "
                    "version %(version)s.",
                    old=payload_id,
                    version=version,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _restart(self, reason):
        """Send again, the current order, from the start."""
        for transmission in self.sudo():
            transmission._rebuild()
            transmission.write(
                {"state": "to_send", "date_next_attempt": False, "last_error": False}
            )
            transmission._enqueue()
            transmission.message_post(body=reason, subtype_xmlid="mail.mt_note")

    def _enqueue(self, eta=None):
        for transmission in self:
            transmission.with_delay(
                eta=eta,
                description=self.env._(
                    "Send order %(name)s to %(shop)s",
                    name=transmission.name,
                    shop=transmission.webshop_id.name,
                ),
                identity_key=transmission._job_identity_key(),
            )._send()

    def _job_identity_key(self):
        return f"oci-transmission-{self.id}-{self.version}-{self.attempt_count}"

    @api.model
    def _cron_requeue_lost(self, minutes=15):
        """Watchdog: queue again the transmissions waiting to be sent whose
        job is gone (deleted, lost with a worker, failed outside the send)."""
        limit = fields.Datetime.now() - timedelta(minutes=minutes)
        waiting = self.sudo().search(
            [
                ("state", "in", ("to_send", "sent")),
                "|",
                ("date_next_attempt", "<", limit),
                "&",
                ("date_next_attempt", "=", False),
                ("write_date", "<", limit),
            ]
        )
        if not waiting:
            return
        keys = [f"oci-transmission-{t.id}-%" for t in waiting]
        self.env.cr.execute(
            SQL(
                "SELECT identity_key FROM queue_job WHERE identity_key LIKE ANY(%s) "
                "AND state IN ('wait_dependencies', 'pending', 'enqueued', 'started')",
                keys,
            )
        )
        alive = {row[0].rsplit("-", 2)[0] for row in self.env.cr.fetchall()}
        lost = waiting.filtered(lambda t: f"oci-transmission-{t.id}" not in alive)
        for transmission in lost:
            _logger.info(
                "Transmission of %s lost its job: queued again", transmission.name
            )
            transmission._enqueue()

    # ------------------------------------------------------------------
    # Building the document
    # ------------------------------------------------------------------

    def _build_payload(self):
        """The document sent to the shop, built once at confirmation: every
        attempt sends the same bytes."""
        self.ensure_one()
        try:
            if self.payload_format == "ubl":
                return self._build_ubl_payload()
            # Never a secret in the stored document: added when sending.
            envelope = self.webshop_id._cxml_envelope().without_secret()
            return cxml.build_order_request(self._prepare_cxml_order(), envelope)
        except ProtocolError as error:
            raise UserError(
                self.env._(
                    "%(order)s cannot be sent to %(shop)s: %(reason)s Complete it "
                    "and confirm again.",
                    order=self.order_id.name,
                    shop=self.webshop_id.name,
                    reason=error.text,
                )
            ) from error

    def _build_ubl_payload(self):
        """The UBL document of this version: the Peppol BIS ``Order``
        (Odoo's own builder) until the shop took a version, then an
        ``OrderChange`` for a changed order, an ``OrderCancellation`` for a
        cancelled one (the same versions as cXML ``update`` / ``delete``)."""
        self.ensure_one()
        order_type = self._cxml_order_type()
        if order_type == "delete":
            return ubl_ordering.build_order_cancellation(
                self._prepare_ubl_order_cancellation()
            )
        if order_type == "update":
            return ubl_ordering.build_order_change(self._prepare_ubl_order_change())
        builder = self.env["purchase.edi.xml.ubl_bis3"]
        return builder._export_order(self.order_id)

    def _ubl_document_id(self):
        """The number of this version's UBL document: the order number and
        the version (``P00012-2``), the same for every attempt."""
        return f"{self.order_id.name}-{self.version}"

    def _prepare_ubl_party(self, partner):
        """A ``protocol.ubl_ordering`` party dict of ``partner``."""
        partner = partner.commercial_partner_id
        endpoint_id = endpoint_scheme = ""
        if "peppol_endpoint" in partner._fields and partner.peppol_endpoint:
            endpoint_id = partner.peppol_endpoint
            endpoint_scheme = partner.peppol_eas or ""
        return {
            "name": partner.name or "",
            "endpoint_id": endpoint_id,
            "endpoint_scheme": endpoint_scheme,
            "vat": partner.vat or "",
            "street": partner.street or "",
            "street2": partner.street2 or "",
            "city": partner.city or "",
            "zip": partner.zip or "",
            "country_code": partner.country_id.code or "",
            "email": partner.email or "",
            "phone": partner.phone or "",
        }

    def _prepare_ubl_order_change(self):
        """The ``protocol.ubl_ordering.build_order_change`` dict of the
        order as it is now: every line, with its quantity, price and
        expected arrival; a line whose quantity went to 0 is marked deleted
        (UNCL 1229 ``2``), a line the version the shop took did not have
        added (``1``), the others changed (``3``: take the line as it is
        now)."""
        self.ensure_one()
        order = self.order_id
        currency = order.currency_id
        ship_to = order._oci_ship_to_address()
        ship_to_partner = order._oci_ship_to_partner()
        lines = []
        known = self.delivered_line_count
        for number, line in order._oci_numbered_lines().items():
            values = line._oci_prepare_cxml_line(number, ship_to)
            basis = values.get("price_basis") or {}
            taxes = line.tax_ids.filtered(lambda t: t.amount_type == "percent")
            if not values["quantity"]:
                status = ubl_ordering.LINE_DELETED
            elif known and number > known:
                status = ubl_ordering.LINE_ADDED
            else:
                status = ubl_ordering.LINE_CHANGED
            lines.append(
                {
                    "line_id": str(number),
                    "status": status,
                    "quantity": values["quantity"],
                    "unit_code": values["unit_of_measure"],
                    "line_amount": float_round(
                        line.price_subtotal, precision_rounding=currency.rounding
                    ),
                    "price": values["unit_price"],
                    "base_quantity": basis.get("quantity"),
                    "name": (values["description"] or "").split("\n")[0],
                    "sellers_item_id": values["supplier_part_id"],
                    "sellers_extended_id": values["supplier_part_auxiliary_id"],
                    "tax_percent": sum(taxes.mapped("amount")) if taxes else None,
                    "delivery_date": line.date_planned,
                }
            )
        return {
            "document_id": self._ubl_document_id(),
            "issue_date": fields.Date.context_today(self),
            "sequence_number": self.version,
            "order_id": order.name,
            "currency": currency.name,
            # Protocol text, not translated: the same words at every build, so
            # that a retry is recognised as the same version.
            "note": f"Version {self.version} of order {order.name}: it replaces "
            "the version you have.",
            "customer_reference": order.oci_buyer_reference or "",
            "buyer": self._prepare_ubl_party(order.company_id.partner_id),
            "seller": self._prepare_ubl_party(order.partner_id),
            "delivery": {**ship_to, "name": ship_to_partner.name or ""},
            "totals": {
                "line_extension": float_round(
                    order.amount_untaxed, precision_rounding=currency.rounding
                ),
                "tax": float_round(
                    order.amount_tax, precision_rounding=currency.rounding
                ),
                "tax_inclusive": float_round(
                    order.amount_total, precision_rounding=currency.rounding
                ),
            },
            "lines": lines,
        }

    def _prepare_ubl_order_cancellation(self):
        """The ``protocol.ubl_ordering.build_order_cancellation`` dict."""
        self.ensure_one()
        order = self.order_id
        return {
            "document_id": self._ubl_document_id(),
            "issue_date": fields.Date.context_today(self),
            "order_id": order.name,
            "note": f"Order {order.name} was cancelled by {order.company_id.name}.",
            "buyer": self._prepare_ubl_party(order.company_id.partner_id),
            "seller": self._prepare_ubl_party(order.partner_id),
        }

    def _prepare_cxml_order(self):
        """The ``protocol.cxml.build_order_request`` dict of the order (the
        envelope, :meth:`punchout.webshop._cxml_envelope`, apart)."""
        self.ensure_one()
        order = self.order_id
        company = order.company_id
        currency = order.currency_id
        bill_to = order._oci_address(company.partner_id)
        ship_to = order._oci_ship_to_address()
        order_type = self._cxml_order_type()
        lines = []
        for number, line in order._oci_numbered_lines().items():
            if line.product_uom_id.compare(line.product_qty, 0) <= 0:
                # Removed from the order (quantity 0): not ordered; the other
                # lines keep their numbers, by which the shop knows them.
                continue
            lines.append(line._oci_prepare_cxml_line(number, ship_to))
        extrinsics = {"BuyerReference": order.name}
        if order.origin:
            extrinsics["PurchaseRequest"] = order.origin
        extrinsics.update(order._oci_order_extrinsics())
        return {
            "payload_id": self.payload_id,
            "timestamp": cxml.format_timestamp(),
            "order_id": order.name,
            "order_date": order.date_approve or fields.Datetime.now(),
            "order_type": order_type,
            "order_version": str(self.version) if self.version > 1 else None,
            "document_reference": self.previous_payload_id
            if order_type != "new"
            else None,
            "currency": currency.name,
            "total": float_round(
                order.amount_total, precision_rounding=currency.rounding
            ),
            "tax": {
                "amount": float_round(
                    order.amount_tax, precision_rounding=currency.rounding
                ),
                "description": ", ".join(order.order_line.tax_ids.mapped("name"))
                or "VAT",
            },
            "bill_to": bill_to,
            "ship_to": ship_to,
            "contact": {
                "name": order.user_id.name or "",
                "email": order.user_id.email or "",
                "role": "buyer",
            },
            "comments": html2plaintext(order.note) if order.note else "",
            "extrinsics": extrinsics,
            "lines": lines,
        }

    # ------------------------------------------------------------------
    # Sending (the queue job)
    # ------------------------------------------------------------------

    def _send(self):
        """Job: POST the order to the webshop; one attempt.

        Safe to run twice or concurrently: the transmission and its order
        are locked before the call, and a transmission no longer "to send"
        (or "sent" without an answer) is left alone. Retries are new delayed
        jobs, so every attempt is logged in the job's own transaction.

        Why lock the order rather than record the answer in a transaction
        of its own: the job writes the order (the shop's order number, the
        chatter, the stored webshop state), so a buyer saving the order
        during the call made the job's commit fail to serialize, queue_job
        ran it again and the order was posted a second time after the shop
        had acknowledged it. Holding the order's row lock from before the
        call makes that save wait for the job instead (Odoo then retries
        the save on its own), so the job's commit cannot conflict on it; and
        everything stays in one transaction that tests and rollbacks see
        whole. A save that started first keeps the lock: the job then sends
        nothing and is queued again.
        """
        self.ensure_one()
        transmission = self.sudo()
        if not transmission.try_lock_for_update():
            _logger.info("Transmission %s is being sent by another worker", self.id)
            return False
        transmission.invalidate_recordset()
        if transmission.state not in ("to_send", "sent"):
            return False
        if self.env["ir.config_parameter"].sudo().get_param("database.is_neutralized"):
            transmission.write(
                {
                    "state": "cancelled",
                    "last_error": self.env._(
                        "Not sent: this database is a neutralized copy."
                    ),
                }
            )
            return False
        order = transmission.order_id
        if not order.try_lock_for_update():
            _logger.info("Order %s is being edited: sending later", order.name)
            transmission._enqueue(eta=fields.Datetime.now() + timedelta(minutes=1))
            return False
        order.invalidate_recordset()
        cancelling = order.state == "cancel" and transmission.delivered_version
        if order.state != "purchase" and not cancelling:
            transmission.write(
                {
                    "state": "cancelled",
                    "last_error": self.env._("The order was cancelled."),
                }
            )
            return False
        supplier = transmission.webshop_id
        if not supplier.order_url:
            return transmission._fail_final(
                self.env._(
                    "No order URL is configured on %(shop)s.", shop=supplier.name
                )
            )
        try:
            with self.env.cr.savepoint():
                supplier._check_outgoing_url(supplier.order_url)
                # The order as it is now: changed since it was built (edited,
                # cancelled and confirmed again), it goes as a new version.
                transmission._rebuild()
                data = transmission._payload_bytes()
                headers = supplier._prepare_order_headers(
                    transmission.payload_format, transmission.idempotency_key
                )
                auth = supplier._order_auth(transmission.payload_format)
        except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
            raise
        except Exception as error:  # noqa: BLE001 - a visible failure, never stuck
            reason = error.args[0] if isinstance(error, UserError) else repr(error)
            return transmission._fail_final(
                self.env._(
                    "The order could not be prepared for sending: %(reason)s",
                    reason=reason,
                )
            )
        started = time.monotonic()
        try:
            response = supplier._outgoing_post(
                supplier.order_url,
                data=data,
                headers=headers,
                auth=auth,
                timeout=supplier.order_timeout or 30,
            )
        except requests.RequestException as error:
            return transmission._retry_later(
                self.env._(
                    "The webshop could not be reached: %(error)s",
                    error=type(error).__name__,
                ),
                duration=time.monotonic() - started,
            )
        duration = time.monotonic() - started
        try:
            with self.env.cr.savepoint():
                return transmission._handle_response(response, duration)
        except (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError):
            raise
        except Exception as error:  # noqa: BLE001 - the shop may have the order
            _logger.exception("Transmission of %s: the answer broke", self.name)
            # The shop may have taken it: ask again with the same key.
            transmission.write({"state": "sent"})
            return transmission._retry_later(
                self.env._(
                    "The webshop's answer could not be handled (%(error)s); the "
                    "order will be sent again with the same key.",
                    error=type(error).__name__,
                ),
                duration=duration,
                http_status=response.status_code,
            )

    def _payload_bytes(self):
        """The bytes to send: the stored document, with the cXML shared
        secret put in only now (the stored one has none)."""
        document = base64.b64decode(self.sudo().payload)
        if self.payload_format == "cxml":
            secret = self.webshop_id._cxml_envelope().shared_secret
            document = cxml.with_shared_secret(document, secret)
        return document

    def _secrets(self):
        supplier = self.webshop_id.sudo()
        values = [
            supplier.cxml_shared_secret,
            supplier.oci_password,
            *supplier.with_context(active_test=False).orderer_ids.mapped(
                "oci_password"
            ),
        ]
        return [value for value in values if value and len(value) >= 4]

    def _sanitise(self, text, limit=RESPONSE_EXCERPT):
        """``text`` cut to ``limit`` characters, with credentials redacted:
        attempts and errors are read by purchase users, who may not read
        the webshop's credentials."""
        text = (text or "")[: limit * 4]
        for secret in self._secrets():
            text = text.replace(secret, "[redacted]")
        text = SECRET_ELEMENT.sub(r"\1[redacted]", text)
        text = SECRET_HEADER.sub(r"\1[redacted]", text)
        # Cut last: a secret split by the first cut lies beyond this one.
        text = text[:limit]
        return text

    def _handle_response(self, response, duration):
        status = response.status_code
        body = response.content or b""
        if status >= 500 or status in (408, 425, 429):
            return self._retry_later(
                self.env._(
                    "The webshop answered HTTP %(status)s; it will be tried again.",
                    status=status,
                ),
                duration=duration,
                http_status=status,
                body=body,
            )
        if 300 <= status < 400:
            # Redirects are not followed: they could lead anywhere.
            return self._fail_final(
                self.env._(
                    "The webshop answered with a redirect (HTTP %(status)s); "
                    "redirects are not followed: check the order URL.",
                    status=status,
                ),
                duration=duration,
                http_status=status,
                body=body,
            )
        if status >= 400:
            return self._fail_final(
                self._supplier_message(body)
                or self.env._(
                    "The webshop refused the order (HTTP %(status)s).", status=status
                ),
                duration=duration,
                http_status=status,
                body=body,
            )
        # 2xx: read the answer.
        try:
            code, text, supplier_ref = self._parse_answer(response)
        except (ProtocolError, ValueError) as error:
            # Delivered, but the answer is unreadable: ask again (same key).
            self.write(
                {
                    "state": "sent",
                    "date_sent": self.date_sent or fields.Datetime.now(),
                    "delivered_version": self.version,
                }
            )
            return self._retry_later(
                self.env._(
                    "The webshop's answer could not be read (%(error)s); the order "
                    "will be sent again with the same order number.",
                    error=getattr(error, "text", str(error)),
                ),
                duration=duration,
                http_status=status,
                body=body,
            )
        if code >= 500:
            return self._retry_later(
                text, duration=duration, http_status=status, body=body
            )
        if code >= 400:
            return self._fail_final(
                text, duration=duration, http_status=status, body=body
            )
        now = fields.Datetime.now()
        self._log_attempt("acknowledged", duration, http_status=status, body=body)
        if self._cxml_order_type() == "delete":
            return self._cancellation_acknowledged(now)
        was_update = self._cxml_order_type() == "update"
        self.write(
            {
                "state": "acknowledged",
                "delivered_version": self.version,
                # The order is locked since the document was built: these are
                # the lines the shop took.
                "delivered_line_count": len(self.order_id._oci_numbered_lines()),
                "date_sent": self.date_sent or now,
                "date_acknowledged": now,
                "last_error": False,
                "supplier_order_ref": supplier_ref or self.supplier_order_ref,
                "date_next_attempt": False,
            }
        )
        order = self.order_id
        order.acknowledged = True
        if supplier_ref and not order.partner_ref:
            order.partner_ref = supplier_ref
        # Written for the buyer, whoever runs the job.
        env = self.with_context(lang=order.user_id.lang or "en_US").env
        if was_update:
            body = env._(
                "%(shop)s took the changed order (version %(version)s).",
                shop=self.webshop_id.name,
                version=self.version,
            )
        else:
            body = env._(
                "Order placed with %(shop)s: acknowledged%(ref)s.",
                shop=self.webshop_id.name,
                ref=env._(" as %(ref)s", ref=supplier_ref) if supplier_ref else "",
            )
        order.message_post(
            body=body, author_id=order.partner_id.id, subtype_xmlid="mail.mt_note"
        )
        return True

    def _cancellation_acknowledged(self, now):
        """The shop took the cancellation of an order it had."""
        self.write(
            {
                "state": "cancelled",
                "delivered_version": self.version,
                "date_acknowledged": now,
                "last_error": False,
                "date_next_attempt": False,
            }
        )
        self.order_id.message_post(
            body=self.env._(
                "%(shop)s took the cancellation of the order.",
                shop=self.webshop_id.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _parse_answer(self, response):
        """(status code, text, supplier's order number) of a 2xx answer."""
        header_ref = response.headers.get("X-Supplier-Order-Id") or ""
        body = response.content or b""
        if self.payload_format == "cxml":
            status = cxml.parse_cxml_response(body)
            return status["code"], status["text"] or status["message"], header_ref
        if not body.strip():
            return response.status_code, "", header_ref
        answer = ubl_answer.parse_order_answer(body)
        ref = answer.order_ref or header_ref
        if answer.rejected:
            return (
                400,
                self.env._("The webshop rejected the order (OrderResponse)."),
                ref,
            )
        return response.status_code, "", ref

    def _supplier_message(self, body):
        try:
            status = cxml.parse_cxml_response(body)
        except ProtocolError:
            text = body[:500].decode("utf-8", errors="replace").strip()
            text = text if text and not text.lstrip().startswith("<") else ""
        else:
            text = f"{status['code']} {status['text']} {status['message']}".strip()
        return self._sanitise(text)

    def _log_attempt(self, outcome, duration, http_status=0, body=b"", error=""):
        self.env["punchout.order.transmission.attempt"].sudo().create(
            {
                "transmission_id": self.id,
                "outcome": outcome,
                "http_status": http_status,
                "duration_ms": int(duration * 1000),
                "response_excerpt": self._sanitise(
                    (body or b"")[: RESPONSE_EXCERPT * 4].decode(
                        "utf-8", errors="replace"
                    )
                ),
                "error": self._sanitise(error, limit=2000),
            }
        )

    def _retry_later(self, reason, duration=0.0, http_status=0, body=b""):
        self._log_attempt(
            "retry", duration, http_status=http_status, body=body, error=reason
        )
        supplier = self.webshop_id
        if self.attempt_count >= (supplier.order_max_attempts or 8):
            return self._fail_final(
                self.env._(
                    "Given up after %(count)s attempts. Last error: %(reason)s",
                    count=self.attempt_count,
                    reason=reason,
                ),
                log=False,
            )
        delay = BACKOFF_MINUTES[min(self.attempt_count - 1, len(BACKOFF_MINUTES) - 1)]
        eta = fields.Datetime.now() + timedelta(minutes=delay)
        self.write({"last_error": reason, "date_next_attempt": eta})
        self._enqueue(eta=eta)
        _logger.info(
            "Transmission of %s: attempt %s failed (%s), next at %s",
            self.name,
            self.attempt_count,
            reason,
            eta,
        )
        return False

    def _fail_final(self, reason, duration=0.0, http_status=0, body=b"", log=True):
        if log:
            self._log_attempt(
                "failed", duration, http_status=http_status, body=body, error=reason
            )
        self.write(
            {"state": "failed", "last_error": reason, "date_next_attempt": False}
        )
        order = self.order_id
        order.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(order.user_id or self.env.user).id,
            summary=self.env._(
                "Order not placed with %(shop)s", shop=self.webshop_id.name
            ),
            note=self.env._(
                "The webshop did not accept order %(name)s: %(reason)s. Check the "
                "order "
                "with the webshop, then use Send again (purchase managers), or order "
                "by other means and cancel this transmission.",
                name=order.name,
                reason=reason,
            ),
        )
        _logger.warning("Transmission of %s failed: %s", self.name, reason)
        return False

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_send_again(self):
        """Managers: send a failed (or unanswered) order again, same key."""
        if not self.env.user.has_group(MANAGER):
            raise UserError(
                self.env._("Only purchase managers can send an order again.")
            )
        # The record rules (company) and rights first, then sudo.
        self.check_access("write")
        self.order_id.check_access("read")
        for transmission in self.sudo():
            if transmission.state not in ("failed", "sent", "to_send"):
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s: only failed or unanswered "
                        "transmissions "
                        "are sent again.",
                        name=transmission.name,
                        state=transmission.state,
                    )
                )
            # The current order: a fixed or changed order is a new version.
            transmission._rebuild()
            transmission.write({"state": "to_send", "date_next_attempt": False})
            transmission._enqueue()
            transmission.message_post(
                body=self.env._("Sent again by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_cancel(self):
        if not self.env.user.has_group(MANAGER):
            raise UserError(
                self.env._("Only purchase managers can cancel a transmission.")
            )
        self.check_access("write")
        self.order_id.check_access("read")
        self.sudo().filtered(lambda t: t.state != "acknowledged").write(
            {"state": "cancelled", "date_next_attempt": False}
        )
        return True


_VOLATILE = re.compile(
    rb'(payloadID|timestamp)="[^"]*"|<cbc:(IssueDate|IssueTime)>[^<]*</cbc:\2>'
)


def _comparable(document):
    """The document without what changes at every build (payloadID,
    timestamp, issue date and time)."""
    return _VOLATILE.sub(b"", document or b"")
