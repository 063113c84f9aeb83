# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain


class WebshopBudget(models.Model):
    """What an orderer or a department may spend at the webshops in a period.

    Confirmed webshop orders approved in the period count as spent. An order
    that would take the spending over the budget goes to "To Approve", and
    only a purchase manager can approve it.
    """

    _name = "webshop.budget"
    _description = "Webshop budget"
    _order = "date_from desc, name"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    scope = fields.Selection(
        [("user", "Orderer"), ("analytic", "Department (analytic account)")],
        string="Budget of",
        required=True,
        default="user",
    )
    user_id = fields.Many2one("res.users", string="Orderer", index="btree_not_null")
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Department",
        check_company=True,
        index="btree_not_null",
        help="Order lines count for their share of this analytic account.",
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        string="Budget", required=True, help="Untaxed, in the company's currency."
    )
    spent = fields.Monetary(compute="_compute_spent")
    remaining = fields.Monetary(compute="_compute_spent")

    _dates_ordered = models.Constraint(
        "CHECK(date_from <= date_to)", "A budget's period must end after it starts."
    )

    @api.constrains("scope", "user_id", "analytic_account_id")
    def _check_scope(self):
        for budget in self:
            if budget.scope == "user" and not budget.user_id:
                raise ValidationError(
                    self.env._("Budget %(name)s needs an orderer.", name=budget.name)
                )
            if budget.scope == "analytic" and not budget.analytic_account_id:
                raise ValidationError(
                    self.env._("Budget %(name)s needs a department.", name=budget.name)
                )

    @api.depends("amount", "date_from", "date_to", "user_id", "analytic_account_id")
    @api.depends_context("uid")
    def _compute_spent(self):
        for budget in self:
            budget.spent = budget._spent() if budget.id else 0.0
            budget.remaining = budget.amount - budget.spent

    def _order_domain(self):
        """Confirmed webshop orders approved in the budget's period."""
        self.ensure_one()
        return (
            Domain("state", "=", "purchase")
            & Domain("oci_webshop_id", "!=", False)
            & Domain("company_id", "=", self.company_id.id)
            & Domain("date_approve", ">=", fields.Datetime.to_datetime(self.date_from))
            & Domain(
                "date_approve",
                "<",
                fields.Datetime.to_datetime(fields.Date.add(self.date_to, days=1)),
            )
        )

    def _spent(self, exclude=None):
        """Spent in the period (untaxed, company currency), without ``exclude``."""
        self.ensure_one()
        domain = self._order_domain()
        if exclude:
            domain &= Domain("id", "not in", exclude.ids)
        if self.scope == "user":
            domain &= Domain("user_id", "=", self.user_id.id)
        orders = self.env["purchase.order"].sudo().search(domain)
        if self.scope == "user":
            return sum(self._order_amount(order) for order in orders)
        lines = orders.order_line.filtered(
            lambda line: line.analytic_distribution and not line.display_type
        )
        return sum(self._line_amount(line) for line in lines)

    def _covers(self, order):
        """Whether ``order`` counts towards this budget."""
        self.ensure_one()
        if self.scope == "user":
            return order.user_id == self.user_id
        return any(self._share(line) for line in order.order_line)

    def _share(self, line):
        """The percentage of ``line`` booked on this budget's department."""
        key = str(self.analytic_account_id.id)
        return sum(
            float(pct or 0.0)
            for accounts, pct in (line.analytic_distribution or {}).items()
            if key in str(accounts).split(",")
        )

    def _to_company_currency(self, amount, order):
        return order.currency_id._convert(
            amount,
            self.currency_id,
            self.company_id,
            order.date_approve or order.date_order or fields.Date.today(),
        )

    def _line_amount(self, line):
        share = self._share(line)
        if not share:
            return 0.0
        return self._to_company_currency(
            line.price_subtotal * share / 100.0, line.order_id
        )

    def _order_amount(self, order):
        """What ``order`` weighs on this budget."""
        self.ensure_one()
        if self.scope == "user":
            return self._to_company_currency(order.amount_untaxed, order)
        return sum(
            self._line_amount(line)
            for line in order.order_line.filtered(lambda pl: not pl.display_type)
        )

    @api.model
    def _for_order(self, order):
        """The active budgets ``order`` counts towards."""
        day = fields.Date.to_date(order.date_order) or fields.Date.today()
        accounts = [
            int(account_id)
            for line in order.order_line
            for key in (line.analytic_distribution or {})
            for account_id in str(key).split(",")
            if account_id.isdigit()
        ]
        domain = (
            Domain("company_id", "=", order.company_id.id)
            & Domain("date_from", "<=", day)
            & Domain("date_to", ">=", day)
            & (
                (
                    Domain("scope", "=", "user")
                    & Domain("user_id", "=", order.user_id.id)
                )
                | (
                    Domain("scope", "=", "analytic")
                    & Domain("analytic_account_id", "in", accounts)
                )
            )
        )
        return self.sudo().search(domain)

    def action_view_spend(self):
        """The spend report, filtered on this budget's orderer or department."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "topgeschenken_oci.webshop_spend_report_action"
        )
        if self.scope == "user":
            domain = [("user_id", "=", self.user_id.id)]
        else:
            domain = [("analytic_account_id", "=", self.analytic_account_id.id)]
        action["domain"] = domain + [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
        ]
        action["context"] = {}
        return action
