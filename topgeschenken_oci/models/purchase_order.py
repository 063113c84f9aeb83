# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)


from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, format_datetime
from odoo.tools.misc import format_amount

from ..const import MANAGER
from ..protocol.cxml_inbound import LineStatus
from .punchout_order_transmission import TRANSMISSION_STATES

EDITABLE_STATES = ("draft", "sent", "to approve")
# What was sent to the shop with the order: frozen once the order is approved.
ORDER_BUSINESS_FIELDS = {
    "oci_card_text",
    "oci_logo_id",
    "oci_location_id",
    "oci_cost_center",
    "oci_buyer_reference",
    "oci_invoice_grouping",
}
#: cXML ConfirmationStatus type -> the line's confirmation state.
CONFIRMATION_STATE = {
    "accept": "confirmed",
    "allDetail": "confirmed",
    "detail": "confirmed",
    "replace": "confirmed",
    "requestToPay": "confirmed",
    "backordered": "backordered",
    "except": "exception",
    "reject": "rejected",
}


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    oci_webshop_id = fields.Many2one(
        "punchout.webshop",
        string="Webshop",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
        help="The webshop this RFQ's cart came from.",
    )
    oci_session_ids = fields.One2many(
        "punchout.session", "order_id", string="Punchout sessions"
    )
    oci_session_count = fields.Integer(
        compute="_compute_oci_session_count", string="Punchout count"
    )
    oci_transmission_ids = fields.One2many(
        "punchout.order.transmission", "order_id", string="Transmissions", readonly=True
    )
    oci_transmission_state = fields.Selection(
        TRANSMISSION_STATES,
        string="Webshop order",
        compute="_compute_oci_transmission_state",
        store=True,
        help="Where the order stands with the webshop: to send, sent (no answer "
        "yet), acknowledged by the shop, or failed (see the activity).",
    )
    oci_can_punchout = fields.Boolean(
        compute="_compute_oci_can_punchout", string="Can punch out"
    )
    oci_cart_protocol = fields.Selection(
        [("oci", "OCI"), ("cxml", "cXML")],
        compute="_compute_oci_cart_protocol",
        string="Editable cart",
        help="How the webshop of this draft RFQ's cart lines re-opens the cart "
        "(empty when there is no cart to edit).",
    )
    oci_document_ids = fields.One2many(
        "punchout.order.document", "order_id", string="Webshop documents", readonly=True
    )

    # Business account: cards, delivery locations, invoice options, budget
    oci_card_text = fields.Text(
        string="Card text",
        tracking=True,
        help="The greeting card text of the lines that have none of their own.",
    )
    oci_logo_id = fields.Many2one(
        "webshop.logo",
        string="Card logo",
        check_company=True,
        help="The logo on the cards of the lines that have none of their own. "
        "Empty: the company logo.",
    )
    oci_location_id = fields.Many2one(
        "res.partner",
        string="Delivery location",
        tracking=True,
        check_company=True,
        help="Where the gifts go (a branch, a recipient), for the lines that "
        "name no location of their own.",
    )
    oci_allowed_location_ids = fields.Many2many(
        "res.partner",
        compute="_compute_oci_allowed_location_ids",
        string="Allowed delivery locations",
    )
    oci_cost_center = fields.Char(
        string="Cost center",
        tracking=True,
        help="Sent to the webshop, which prints it on the invoice.",
    )
    oci_buyer_reference = fields.Char(
        string="PO number on invoice",
        tracking=True,
        help="The order number the webshop prints on its invoice (your own PO "
        "numbering). Empty: this order's number.",
    )
    oci_invoice_grouping = fields.Selection(
        [
            ("separate", "A separate invoice per branch"),
            ("collective", "One collective invoice"),
        ],
        string="Webshop invoice",
        compute="_compute_oci_invoice_grouping",
        store=True,
        readonly=False,
        precompute=True,
        help="Asked of the webshop with the order. A collective invoice covers "
        "several orders.",
    )
    oci_card_text_max_length = fields.Integer(
        related="oci_webshop_id.card_text_max_length", string="Card text length"
    )
    webshop_budget_message = fields.Text(
        string="Budget", compute="_compute_webshop_budget_message"
    )
    oci_assortment_warning_count = fields.Integer(
        compute="_compute_oci_assortment_warning_count",
        string="Lines outside the assortment",
    )

    @api.depends("oci_session_ids")
    def _compute_oci_session_count(self):
        for order in self:
            order.oci_session_count = len(order.oci_session_ids)

    @api.depends("oci_transmission_ids.state")
    def _compute_oci_transmission_state(self):
        for order in self:
            order.oci_transmission_state = order.oci_transmission_ids[:1].state

    @api.constrains("company_id", "oci_webshop_id", "oci_location_id", "oci_logo_id")
    def _check_oci_company(self):
        # purchase.order does not check its companies automatically.
        self._check_company(["oci_webshop_id", "oci_location_id", "oci_logo_id"])

    @api.depends("state", "partner_id")
    def _compute_oci_can_punchout(self):
        suppliers = self.env["punchout.webshop"].search([])
        partners = suppliers.partner_id.commercial_partner_id
        for order in self:
            order.oci_can_punchout = order.state in ("draft", "sent") and (
                not order.partner_id
                or order.partner_id.commercial_partner_id in partners
            )

    @api.depends("state", "order_line.oci_session_id")
    def _compute_oci_cart_protocol(self):
        for order in self:
            webshop = (
                order._oci_cart_webshop()
                if order.state in ("draft", "sent")
                else order.oci_webshop_id.browse()
            )
            order.oci_cart_protocol = webshop.sudo().protocol or False

    def _oci_cart_webshop(self):
        """The webshop whose carts the RFQ's lines came from: the RFQ's own,
        else the first one (or none)."""
        self.ensure_one()
        webshops = self.order_line.oci_session_id.sudo().webshop_id.sudo(False)
        if self.oci_webshop_id in webshops:
            return self.oci_webshop_id
        return webshops[:1]

    def _oci_cart_lines(self, webshop, charges=False):
        """The lines that came from ``webshop``'s carts (its punchout
        sessions, whoever's): the items, and with ``charges`` the cart's
        charges (shipping) too. Lines added by hand have no session."""
        self.ensure_one()
        lines = self.order_line.filtered(
            lambda pl: pl.oci_session_id
            and pl.oci_session_id.sudo().webshop_id == webshop
        )
        return lines if charges else lines.filtered("oci_item_data")

    def _oci_cart_setup_items(self, webshop):
        """The ``ItemOut`` lines of a cXML edit ``PunchOutSetupRequest``
        (``protocol.cxml.build_punchout_setup_request`` items): the RFQ's
        lines from ``webshop``'s carts as they are now, as the order would
        send them (the shop's line reference echoed exactly). A line of
        quantity 0 is left out: the edited cart then removes it."""
        self.ensure_one()
        items = []
        lines = self._oci_cart_lines(webshop).filtered(lambda pl: pl.product_qty > 0)
        for number, line in enumerate(lines, start=1):
            item = line._oci_prepare_cxml_line(number, None)
            item.pop("ship_to", None)
            items.append(item)
        return items

    def action_oci_edit_cart(self):
        """Edit in webshop: re-open the webshop with this draft RFQ's cart.
        The cart transferred back replaces the lines from the webshop's
        carts; lines added by hand stay."""
        self.ensure_one()
        webshop = self._oci_cart_webshop()
        if not webshop:
            raise UserError(
                self.env._(
                    "%(order)s has no lines from a webshop cart to edit.",
                    order=self.name,
                )
            )
        return webshop._action_start_punchout(order=self, operation="edit")

    def action_oci_punchout(self):
        """Punch out to the vendor's webshop; the cart is added to this RFQ."""
        self.ensure_one()
        supplier = self.oci_webshop_id or self.env["punchout.webshop"]._for_partner(
            self.partner_id, self.company_id
        )
        return supplier._action_start_punchout(order=self)

    @api.depends("company_id")
    def _compute_oci_invoice_grouping(self):
        for order in self:
            order.oci_invoice_grouping = order.company_id.oci_invoice_grouping

    @api.depends("user_id", "oci_webshop_id", "company_id")
    def _compute_oci_allowed_location_ids(self):
        locations = self.env["res.partner"].search(
            [
                ("oci_location_code", "!=", False),
                ("company_id", "in", [False, *self.company_id.ids]),
            ]
        )
        for order in self:
            orderer = order._oci_orderer()
            allowed = orderer.location_ids if orderer.location_ids else locations
            order.oci_allowed_location_ids = allowed.filtered(
                lambda p, o=order: not p.company_id or p.company_id == o.company_id
            )

    @api.depends("state", "order_line.price_subtotal", "user_id", "date_order")
    def _compute_webshop_budget_message(self):
        for order in self:
            message = False
            if order.oci_webshop_id and order.state in EDITABLE_STATES and order.id:
                excess = order._webshop_budget_excess()
                if excess:
                    message = order._webshop_budget_text(excess)
            order.webshop_budget_message = message

    @api.depends("order_line.oci_assortment_warning")
    def _compute_oci_assortment_warning_count(self):
        for order in self:
            order.oci_assortment_warning_count = len(
                order.order_line.filtered("oci_assortment_warning")
            )

    @api.constrains("oci_card_text", "oci_webshop_id")
    def _check_oci_card_text(self):
        for order in self.filtered("oci_card_text"):
            order._oci_check_card_text(order.oci_card_text, order.display_name)

    @api.constrains("oci_location_id", "user_id", "oci_webshop_id")
    def _check_oci_location(self):
        for order in self:
            order._oci_check_location(order.oci_location_id)

    def _oci_orderer(self):
        """The buyer's orderer line at the order's webshop (sudo), if any."""
        self.ensure_one()
        if not self.oci_webshop_id:
            return self.env["webshop.orderer"].sudo()
        return self.oci_webshop_id._oci_orderer(self.user_id)

    def _oci_check_card_text(self, text, where):
        self.ensure_one()
        limit = self.oci_webshop_id.card_text_max_length or 250
        if text and len(text) > limit:
            raise ValidationError(
                self.env._(
                    "The card text of %(where)s has %(length)s characters; the "
                    "webshop accepts %(limit)s.",
                    where=where,
                    length=len(text),
                    limit=limit,
                )
            )

    def _oci_check_location(self, partner):
        self.ensure_one()
        if partner and not self._oci_orderer()._allows_location(partner):
            raise ValidationError(
                self.env._(
                    "%(user)s may not send gifts to %(location)s: a purchase manager "
                    "allows delivery locations on the orderer.",
                    user=self.user_id.name,
                    location=partner.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Budget approval
    # ------------------------------------------------------------------

    def _webshop_budget_excess(self):
        """The budgets this order would exceed: [{budget, spent, this}]."""
        self.ensure_one()
        if not self.oci_webshop_id:
            return []
        excess = []
        for budget in self.env["webshop.budget"]._for_order(self):
            this = budget._order_amount(self)
            if not this:
                continue
            spent = budget._spent(exclude=self)
            if budget.currency_id.compare_amounts(spent + this, budget.amount) > 0:
                excess.append({"budget": budget, "spent": spent, "this": this})
        return excess

    def _webshop_budget_text(self, excess):
        self.ensure_one()
        texts = []
        for item in excess:
            budget = item["budget"]
            currency = budget.currency_id
            texts.append(
                self.env._(
                    "%(order)s exceeds the budget %(budget)s: budget %(amount)s, "
                    "spent %(spent)s, this order %(this)s. A purchase manager must "
                    "approve it.",
                    order=self.name,
                    budget=budget.name,
                    amount=format_amount(self.env, budget.amount, currency),
                    spent=format_amount(self.env, item["spent"], currency),
                    this=format_amount(self.env, item["this"], currency),
                )
            )
        return "\n".join(texts)

    # EXTENDS purchase
    def _approval_allowed(self):
        allowed = super()._approval_allowed()
        if (
            allowed
            and self.oci_webshop_id
            and not self.env.user.has_group(MANAGER)
            and self._webshop_budget_excess()
        ):
            return False
        return allowed

    # EXTENDS purchase
    def button_confirm(self):
        to_confirm = self.filtered(
            lambda o: o.state in ("draft", "sent") and o.oci_webshop_id
        )
        for order in to_confirm:
            order._oci_check_business_options()
        res = super().button_confirm()
        for order in to_confirm.filtered(lambda o: o.state == "to approve"):
            excess = order._webshop_budget_excess()
            if excess:
                order.message_post(
                    body=order._webshop_budget_text(excess),
                    subtype_xmlid="mail.mt_note",
                )
        return res

    def _oci_check_business_options(self):
        """Raise when the webshop order cannot be confirmed as it is."""
        self.ensure_one()
        if self.company_id.oci_cost_center_required and not self.oci_cost_center:
            raise UserError(
                self.env._(
                    "%(order)s needs a cost center before it can be confirmed.",
                    order=self.name,
                )
            )
        self._oci_check_location(self.oci_location_id)
        for line in self.order_line.filtered("oci_location_id"):
            self._oci_check_location(line.oci_location_id)

    def write(self, vals):
        if ORDER_BUSINESS_FIELDS & set(vals):
            frozen = self.filtered(
                lambda o: o.oci_webshop_id and o.state not in EDITABLE_STATES
            )
            if frozen:
                raise UserError(
                    self.env._(
                        "%(order)s was approved and sent to the webshop: its card, "
                        "delivery and invoice options can no longer be changed.",
                        order=frozen[0].name,
                    )
                )
        return super().write(vals)

    # EXTENDS purchase
    def button_approve(self, force=False):
        # Over budget: only a purchase manager approves.
        if not self.env.user.has_group(MANAGER):
            for order in self.filtered(
                lambda o: o.state == "to approve" and o.oci_webshop_id
            ):
                excess = order._webshop_budget_excess()
                if excess:
                    raise UserError(order._webshop_budget_text(excess))
        res = super().button_approve(force=force)
        # The outbox: the transmission is created in the confirmation's own
        # transaction, so a confirmed order is never left without one.
        confirmed = self.filtered(lambda o: o.state == "purchase")
        self.env["punchout.order.transmission"]._create_for_orders(confirmed)
        confirmed._oci_rematch_waiting_bills()
        return res

    # EXTENDS purchase
    def button_cancel(self):
        res = super().button_cancel()
        # The shop has the order (or may have it: a send may even have been
        # in flight, the job holds the order's lock so this cancel ran after
        # it): the cancellation goes to it as a new version (cXML delete).
        for order in self.filtered(lambda o: o.state == "cancel"):
            order.oci_transmission_ids.filtered("delivered_version")._restart(
                self.env._(
                    "The order was cancelled: the cancellation is sent to the webshop."
                )
            )
        return res

    def _oci_send_changes(self):
        """A confirmed order the shop took changed (quantity, price, date):
        the change goes to it as a new version (cXML update), through the
        same outbox, exactly once."""
        # Every quantity edit of any order passes here: webshop orders only.
        orders = self.filtered(lambda o: o.state == "purchase" and o.oci_webshop_id)
        transmissions = orders.oci_transmission_ids.filtered(
            lambda t: t.delivered_version and t.state == "acknowledged"
        )
        if transmissions:
            transmissions._restart(
                self.env._("The order changed: the change is sent to the webshop.")
            )

    def _oci_rematch_waiting_bills(self):
        """Match again the draft bills that named these orders before they were
        confirmed (an invoice can arrive before its order is approved)."""
        if not self:
            return
        Move = self.env["account.move"].sudo()
        domain = [
            ("state", "=", "draft"),
            ("move_type", "in", ("in_invoice", "in_refund")),
            ("oci_match_state", "in", ("unknown_order", "ambiguous")),
            ("company_id", "in", self.company_id.ids),
            ("commercial_partner_id", "in", self.partner_id.commercial_partner_id.ids),
        ]
        bills = Move.search(domain)
        waiting = bills.filtered(
            lambda bill: any(
                order.name in (bill.oci_order_refs or "")
                or order.name in (bill.ref or "")
                for order in self
            )
        )
        if waiting:
            waiting.action_oci_rematch()

    @api.model
    def _oci_address(self, partner):
        """A cXML address dict of ``partner``."""
        return {
            "name": partner.commercial_company_name or partner.name or "",
            "deliver_to": partner.name if partner.parent_id else "",
            "street": partner.street or "",
            "street2": partner.street2 or "",
            "zip": partner.zip or "",
            "city": partner.city or "",
            "country_code": partner.country_id.code or "",
            "country": partner.country_id.name or "",
            "email": partner.email or "",
            "phone": partner.phone or "",
            "address_id": str(partner.ref or partner.id),
        }

    def _oci_ship_to_partner(self):
        """Hook: where the order goes (the order's delivery location, the one
        location all its lines name, a drop-ship address, the warehouse, the
        company)."""
        self.ensure_one()
        if self.oci_location_id:
            return self.oci_location_id
        lines = self.order_line.filtered(lambda pl: not pl.display_type)
        if lines and all(lines.mapped("oci_location_id")):
            locations = lines.oci_location_id
            if len(locations) == 1:
                return locations
        if "dest_address_id" in self._fields and self.dest_address_id:
            return self.dest_address_id
        warehouse = self.picking_type_id.warehouse_id if self.picking_type_id else False
        return (warehouse and warehouse.partner_id) or self.company_id.partner_id

    def _oci_ship_to_address(self):
        return self._oci_address(self._oci_ship_to_partner())

    def _oci_order_extrinsics(self):
        """Hook: order-level cXML Extrinsics (cost center, buyer's reference)."""
        res = {}
        res["BuyerReference"] = self.oci_buyer_reference or self.name
        if self.oci_cost_center:
            res["CostCenter"] = self.oci_cost_center
        if self.oci_invoice_grouping:
            res["InvoiceGrouping"] = self.oci_invoice_grouping
            invoiced = (
                self.company_id.root_id
                if self.oci_invoice_grouping == "collective"
                else self.company_id
            )
            res["InvoiceTo"] = invoiced.name
        return res

    def action_view_oci_transmissions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "topgeschenken_oci.punchout_order_transmission_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.oci_transmission_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.oci_transmission_ids.id
        return action

    def action_view_oci_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "topgeschenken_oci.punchout_session_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _oci_numbered_lines(self):
        """``{cXML lineNumber: order line}``: the numbering of the
        ``OrderRequest`` ItemOut lines (product lines in order, from 1), by
        which the shop's confirmations and ship notices name the lines."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda pl: not pl.display_type)
        return dict(enumerate(lines, start=1))

    def _oci_confirmation_type_label(self, status):
        labels = {
            "accept": self.env._("accepted"),
            "allDetail": self.env._("accepted with details"),
            "detail": self.env._("accepted with details"),
            "replace": self.env._("replaced"),
            "requestToPay": self.env._("accepted"),
            "backordered": self.env._("backordered"),
            "except": self.env._("accepted with exceptions"),
            "reject": self.env._("rejected"),
        }
        return labels.get(status, status)

    def _oci_apply_confirmation(self, doc, lines):
        """Apply a shop's ``ConfirmationRequest`` (a ``cxml_inbound``
        document) to this order: the shop's confirmation number as vendor
        reference, each line's confirmation state, confirmed quantity and
        delivery date (through Odoo's own vendor date update, which moves the
        receipt and tells the buyer), an activity for rejected lines.
        Returns the summary lines (already translated)."""
        self.ensure_one()
        env = self.env
        shop = self.oci_webshop_id.name
        summary = [
            env._(
                "%(shop)s confirmed the order: %(type)s%(ref)s.",
                shop=shop,
                type=self._oci_confirmation_type_label(doc.status),
                ref=env._(" (%(ref)s)", ref=doc.document_id) if doc.document_id else "",
            )
        ]
        if doc.document_id and not self.partner_ref:
            self.partner_ref = doc.document_id
        statuses = doc.lines
        if doc.status == "reject" and not statuses:
            statuses = [LineStatus(line_number=n, status="reject") for n in lines]
        dates, rejected = [], []
        for status in statuses:
            line = lines[status.line_number]
            state = CONFIRMATION_STATE[status.status]
            vals = {"oci_confirmation_state": state}
            if status.quantity is not None and state != "rejected":
                vals["oci_confirmed_qty"] = float(status.quantity)
            line.write(vals)
            name = line.product_id.display_name or line.name
            if state == "rejected":
                rejected.append(name)
                summary.append(
                    env._(
                        "Line %(number)s (%(name)s) rejected%(why)s.",
                        number=status.line_number,
                        name=name,
                        why=f": {status.comments}" if status.comments else "",
                    )
                )
                if not line.qty_received and not line.qty_invoiced:
                    # Nothing of it will come: the receipt stops waiting for
                    # it, the budget and the bill check stop counting it
                    # (Odoo's own way to drop a line of a confirmed order).
                    line.with_context(oci_from_shop=True).product_qty = 0
                    line.move_ids.filtered(
                        lambda m: m.state not in ("done", "cancel")
                    )._action_cancel()
                    summary.append(
                        env._(
                            "Line %(number)s: quantity set to 0.",
                            number=status.line_number,
                        )
                    )
                continue
            if (
                status.quantity is not None
                and float_compare(
                    float(status.quantity),
                    line.product_qty,
                    precision_rounding=line.product_uom_id.rounding or 0.01,
                )
                != 0
            ):
                summary.append(
                    env._(
                        "Line %(number)s (%(name)s): %(confirmed)s confirmed of "
                        "%(ordered)s ordered.",
                        number=status.line_number,
                        name=name,
                        confirmed=float(status.quantity),
                        ordered=line.product_qty,
                    )
                )
            if status.delivery_date and status.delivery_date != line.date_planned:
                dates.append((line, status.delivery_date))
                summary.append(
                    env._(
                        "Line %(number)s (%(name)s): delivery on %(date)s.",
                        number=status.line_number,
                        name=name,
                        date=format_datetime(
                            env, status.delivery_date, tz=env.context.get("tz")
                        ),
                    )
                )
        if dates:
            # Odoo's own path for a vendor's new dates (the vendor portal's):
            # the lines' planned dates, the receipt moves' deadlines and a
            # "Date Updated" activity for the buyer; the moves' scheduled date
            # follows, so the receipt shows when the gifts arrive.
            # (The shop's own dates: nothing to send back to it.)
            self._update_date_planned_for_lines(
                [(line.with_context(oci_from_shop=True), date) for line, date in dates]
            )
            for line, date in dates:
                line.move_ids.filtered(
                    lambda m: m.state not in ("done", "cancel")
                ).write({"date": date})
        if rejected:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(self.user_id or env.user).id,
                summary=env._(
                    "%(shop)s rejected lines of %(order)s", shop=shop, order=self.name
                ),
                note=env._(
                    "The webshop will not deliver: %(lines)s. Order these gifts "
                    "elsewhere or cancel the lines.",
                    lines=", ".join(rejected),
                ),
            )
        if doc.status != "reject":
            self.acknowledged = True
        return summary

    def _oci_apply_ship_notice(self, doc, lines):
        """Apply a shop's ``ShipNoticeRequest``: carrier, tracking number and
        delivery date on the open receipts of the shipped lines. Returns the
        summary lines (already translated)."""
        self.ensure_one()
        env = self.env
        shipped = self.env["purchase.order.line"].union(
            *(lines[item.line_number] for item in doc.lines)
        )
        receipts = (
            shipped.move_ids.picking_id if shipped else self.picking_ids
        ).filtered(
            lambda p: p.picking_type_code == "incoming"
            and p.state not in ("done", "cancel")
        )
        vals = {
            "oci_carrier": doc.carrier or False,
            "oci_tracking_ref": doc.tracking_ref or False,
        }
        if doc.delivery_date:
            vals["scheduled_date"] = doc.delivery_date
        receipts.write(vals)
        summary = [
            env._(
                "%(shop)s shipped %(count)s line(s)%(carrier)s%(tracking)s%(date)s.",
                shop=self.oci_webshop_id.name,
                count=len(doc.lines),
                carrier=env._(" with %(carrier)s", carrier=doc.carrier)
                if doc.carrier
                else "",
                tracking=env._(", tracking number %(ref)s", ref=doc.tracking_ref)
                if doc.tracking_ref
                else "",
                date=env._(
                    ", delivery on %(date)s",
                    date=format_datetime(
                        env, doc.delivery_date, tz=env.context.get("tz")
                    ),
                )
                if doc.delivery_date
                else "",
            )
        ]
        for receipt in receipts:
            receipt.message_post(
                body=Markup("%s") % summary[0],
                author_id=self.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return summary
