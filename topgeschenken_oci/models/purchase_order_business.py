# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_amount

MANAGER = "purchase.group_purchase_manager"
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
# What a change of a confirmed order sends to the shop again (cXML update).
ORDER_CHANGE_FIELDS = {"product_qty", "price_unit", "date_planned"}
LINE_BUSINESS_FIELDS = {
    "oci_card_text",
    "oci_logo",
    "oci_logo_id",
    "oci_location_code",
    "oci_location_id",
}


# Kept apart from purchase_order.py: the business-account options of the
# webshop order (cards, delivery locations, budget approval, invoice options).
class PurchaseOrder(models.Model):
    _inherit = "purchase.order"  # pylint: disable=consider-merging-classes-inherited

    oci_card_text = fields.Text(
        string="Card text",
        tracking=True,
        help="The greeting card text of the lines that have none of their own.",
    )
    oci_logo_id = fields.Many2one(
        "oci.punchout.logo",
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
        related="oci_supplier_id.card_text_max_length", string="Card text length"
    )
    oci_budget_message = fields.Text(
        string="Budget", compute="_compute_oci_budget_message"
    )
    oci_assortment_warning_count = fields.Integer(
        compute="_compute_oci_assortment_warning_count",
        string="Lines outside the assortment",
    )

    @api.depends("company_id")
    def _compute_oci_invoice_grouping(self):
        for order in self:
            order.oci_invoice_grouping = order.company_id.oci_invoice_grouping

    @api.depends("user_id", "oci_supplier_id", "company_id")
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
    def _compute_oci_budget_message(self):
        for order in self:
            message = False
            if order.oci_supplier_id and order.state in EDITABLE_STATES and order.id:
                excess = order._oci_budget_excess()
                if excess:
                    message = order._oci_budget_text(excess)
            order.oci_budget_message = message

    @api.depends("order_line.oci_assortment_warning")
    def _compute_oci_assortment_warning_count(self):
        for order in self:
            order.oci_assortment_warning_count = len(
                order.order_line.filtered("oci_assortment_warning")
            )

    @api.constrains("oci_card_text", "oci_supplier_id")
    def _check_oci_card_text(self):
        for order in self.filtered("oci_card_text"):
            order._oci_check_card_text(order.oci_card_text, order.display_name)

    @api.constrains("oci_location_id", "user_id", "oci_supplier_id")
    def _check_oci_location(self):
        for order in self:
            order._oci_check_location(order.oci_location_id)

    def _oci_orderer(self):
        """The buyer's orderer line at the order's webshop (sudo), if any."""
        self.ensure_one()
        if not self.oci_supplier_id:
            return self.env["oci.punchout.orderer"].sudo()
        return self.oci_supplier_id._oci_orderer(self.user_id)

    def _oci_check_card_text(self, text, where):
        self.ensure_one()
        limit = self.oci_supplier_id.card_text_max_length or 250
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

    def _oci_budget_excess(self):
        """The budgets this order would exceed: [{budget, spent, this}]."""
        self.ensure_one()
        if not self.oci_supplier_id:
            return []
        excess = []
        for budget in self.env["oci.budget"]._for_order(self):
            this = budget._order_amount(self)
            if not this:
                continue
            spent = budget._spent(exclude=self)
            if budget.currency_id.compare_amounts(spent + this, budget.amount) > 0:
                excess.append({"budget": budget, "spent": spent, "this": this})
        return excess

    def _oci_budget_text(self, excess):
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
            and self.oci_supplier_id
            and not self.env.user.has_group(MANAGER)
            and self._oci_budget_excess()
        ):
            return False
        return allowed

    # EXTENDS purchase
    def button_confirm(self):
        to_confirm = self.filtered(
            lambda o: o.state in ("draft", "sent") and o.oci_supplier_id
        )
        for order in to_confirm:
            order._oci_check_business_options()
        res = super().button_confirm()
        for order in to_confirm.filtered(lambda o: o.state == "to approve"):
            excess = order._oci_budget_excess()
            if excess:
                order.message_post(
                    body=order._oci_budget_text(excess),
                    subtype_xmlid="mail.mt_note",
                )
        return res

    # EXTENDS purchase
    def button_approve(self, force=False):
        if not self.env.user.has_group(MANAGER):
            for order in self.filtered(
                lambda o: o.state == "to approve" and o.oci_supplier_id
            ):
                excess = order._oci_budget_excess()
                if excess:
                    raise UserError(order._oci_budget_text(excess))
        return super().button_approve(force=force)

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
                lambda o: o.oci_supplier_id and o.state not in EDITABLE_STATES
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

    # ------------------------------------------------------------------
    # The order sent to the shop
    # ------------------------------------------------------------------

    # EXTENDS topgeschenken_oci
    def _oci_ship_to_partner(self):
        self.ensure_one()
        if self.oci_location_id:
            return self.oci_location_id
        lines = self.order_line.filtered(lambda pl: not pl.display_type)
        if lines and all(lines.mapped("oci_location_id")):
            locations = lines.oci_location_id
            if len(locations) == 1:
                return locations
        return super()._oci_ship_to_partner()

    # EXTENDS topgeschenken_oci
    def _oci_order_extrinsics(self):
        res = super()._oci_order_extrinsics()
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


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"  # pylint: disable=consider-merging-classes-inherited

    oci_logo_id = fields.Many2one(
        "oci.punchout.logo",
        string="Card logo",
        check_company=True,
        help="Empty: the order's logo, else the company logo.",
    )
    oci_location_id = fields.Many2one(
        "res.partner",
        string="Delivery location",
        check_company=True,
        help="Empty: the order's delivery location.",
    )
    oci_logo_label = fields.Char(
        string="Logo on the card",
        compute="_compute_oci_logo_label",
        help="The logo the shop prints on this line's card: the line's own, else "
        "the order's, else the company logo (for a line with a card text).",
    )
    oci_assortment_warning = fields.Char(
        string="Assortment",
        readonly=True,
        copy=False,
        help="Why this line is outside the orderer's assortment or budget rules.",
    )

    @api.depends(
        "oci_logo_id",
        "oci_logo",
        "oci_card_text",
        "order_id.oci_logo_id",
        "order_id.oci_card_text",
    )
    def _compute_oci_logo_label(self):
        for line in self:
            order = line.order_id
            code = line._oci_effective_logo_code()
            logo = line.oci_logo_id or (
                order.oci_logo_id if code == order.oci_logo_id.code else False
            )
            company_code = order.oci_supplier_id.company_logo_code or "COMPANY"
            if logo:
                line.oci_logo_label = logo.name
            elif code and code == company_code:
                line.oci_logo_label = self.env._("Company logo")
            else:
                line.oci_logo_label = code or False

    @api.onchange("oci_logo_id")
    def _onchange_oci_logo_id(self):
        if self.oci_logo_id:
            self.oci_logo = self.oci_logo_id.code

    @api.onchange("oci_location_id")
    def _onchange_oci_location_id(self):
        if self.oci_location_id:
            self.oci_location_code = self.oci_location_id.oci_location_code

    @api.constrains("oci_card_text")
    def _check_oci_card_text(self):
        for line in self.filtered("oci_card_text"):
            line.order_id._oci_check_card_text(
                line.oci_card_text,
                self.env._(
                    "%(order)s line %(line)s",
                    order=line.order_id.display_name,
                    line=line.product_id.display_name or line.name,
                ),
            )

    @api.constrains("oci_location_id")
    def _check_oci_location(self):
        for line in self.filtered("oci_location_id"):
            line.order_id._oci_check_location(line.oci_location_id)

    def write(self, vals):
        if LINE_BUSINESS_FIELDS & set(vals):
            frozen = self.filtered(
                lambda pl: pl.order_id.oci_supplier_id
                and pl.order_id.state not in EDITABLE_STATES
            )
            if frozen:
                raise UserError(
                    self.env._(
                        "%(order)s was approved and sent to the webshop: its cards "
                        "and delivery locations can no longer be changed.",
                        order=frozen[0].order_id.name,
                    )
                )
        res = super().write(vals)
        if ORDER_CHANGE_FIELDS & set(vals) and not self.env.context.get(
            "oci_from_shop"
        ):
            self.order_id._oci_send_changes()
        return res

    def _oci_effective_card_text(self):
        return self.oci_card_text or self.order_id.oci_card_text or ""

    def _oci_effective_logo_code(self):
        """The logo code sent for this line's card ("" for no card)."""
        order = self.order_id
        code = self.oci_logo_id.code or self.oci_logo or order.oci_logo_id.code
        if code:
            return code
        if self._oci_effective_card_text():
            return order.oci_supplier_id.company_logo_code or "COMPANY"
        return ""

    def _oci_effective_location(self):
        return self.oci_location_id or self.order_id.oci_location_id

    # EXTENDS topgeschenken_oci
    def _oci_prepare_cxml_line(self, number, order_ship_to):
        line = super()._oci_prepare_cxml_line(number, order_ship_to)
        extrinsics = dict(line.get("extrinsics") or {})
        card_text = self._oci_effective_card_text()
        if card_text:
            extrinsics["CardText"] = card_text
        logo = self._oci_effective_logo_code()
        if logo:
            extrinsics["Logo"] = logo
        location = self._oci_effective_location()
        if location:
            extrinsics["DeliveryLocation"] = location.oci_location_code or str(
                location.id
            )
            address = self.order_id._oci_address(location)
            if address != order_ship_to:
                line["ship_to"] = address
        line["extrinsics"] = extrinsics
        return line
