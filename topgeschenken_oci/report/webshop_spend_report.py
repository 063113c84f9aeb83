# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class WebshopSpendReport(models.Model):
    """Webshop spend against the budgets, for the pivot and graph views.

    One row per confirmed webshop order line and analytic account of its
    distribution (its share of the line), one row for a line without
    analytic distribution, and one row per active budget (the budget amount,
    dated on its first day). Amounts are untaxed, in the company's currency:
    *committed* is the line's subtotal, *invoiced* what posted vendor bills
    charged for it, less posted refunds (draft and cancelled bills count
    nothing).
    A line whose distribution spreads over several analytic plans has a row
    per account, so group on one plan's accounts to sum it once.
    """

    _name = "webshop.spend.report"
    _description = "Webshop spend report"
    _auto = False
    _order = "date desc"
    # What the view reads: flushed before every query on it.
    _depends = {
        "purchase.order": [
            "company_id",
            "currency_rate",
            "date_approve",
            "date_order",
            "oci_cost_center",
            "oci_webshop_id",
            "state",
            "user_id",
        ],
        "purchase.order.line": [
            "analytic_distribution",
            "display_type",
            "order_id",
            "price_subtotal",
            "product_qty",
        ],
        "account.move": ["move_type", "state"],
        "account.move.line": ["balance", "display_type", "move_id", "purchase_line_id"],
        "webshop.budget": [
            "active",
            "amount",
            "analytic_account_id",
            "company_id",
            "date_from",
            "scope",
            "user_id",
        ],
    }

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    user_id = fields.Many2one("res.users", string="Orderer", readonly=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account", string="Department", readonly=True
    )
    cost_center = fields.Char(readonly=True)
    webshop_id = fields.Many2one("punchout.webshop", readonly=True)
    order_id = fields.Many2one("purchase.order", readonly=True)
    budget_id = fields.Many2one("webshop.budget", string="Budget line", readonly=True)
    committed = fields.Monetary(readonly=True)
    invoiced = fields.Monetary(readonly=True)
    budget = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        return """
            WITH lines AS (
                SELECT l.id AS line_id,
                       po.id AS order_id,
                       po.company_id,
                       po.user_id,
                       po.oci_cost_center AS cost_center,
                       po.oci_webshop_id AS webshop_id,
                       COALESCE(po.date_approve, po.date_order)::date AS date,
                       l.price_subtotal
                           / COALESCE(NULLIF(po.currency_rate, 0), 1) AS committed,
                       COALESCE(billed.amount, 0.0) AS invoiced,
                       l.analytic_distribution
                  FROM purchase_order_line l
                  JOIN purchase_order po ON po.id = l.order_id
                  LEFT JOIN LATERAL (
                      SELECT SUM(aml.balance) AS amount
                        FROM account_move_line aml
                        JOIN account_move am ON am.id = aml.move_id
                       WHERE aml.purchase_line_id = l.id
                         AND aml.display_type = 'product'
                         AND am.state = 'posted'
                         AND am.move_type IN ('in_invoice', 'in_refund')
                  ) billed ON TRUE
                 WHERE po.oci_webshop_id IS NOT NULL
                   AND po.state IN ('purchase', 'done')
                   AND l.display_type IS NULL
            ),
            rows AS (
                SELECT 'l' || line_id AS key, date, company_id, user_id,
                       NULL::integer AS analytic_account_id, cost_center,
                       webshop_id, order_id, NULL::integer AS budget_id,
                       committed, invoiced, 0.0 AS budget
                  FROM lines
                 WHERE analytic_distribution IS NULL
                    OR analytic_distribution = '{}'::jsonb
                UNION ALL
                SELECT 'a' || line_id || '-' || account.id, date, company_id,
                       user_id, account.id::integer, cost_center, webshop_id,
                       order_id, NULL, committed * share.value::numeric / 100,
                       invoiced * share.value::numeric / 100, 0.0
                  FROM lines
                 CROSS JOIN LATERAL jsonb_each_text(lines.analytic_distribution)
                       AS share
                 CROSS JOIN LATERAL unnest(string_to_array(share.key, ','))
                       AS account(id)
                 WHERE lines.analytic_distribution IS NOT NULL
                   AND lines.analytic_distribution <> '{}'::jsonb
                UNION ALL
                SELECT 'b' || b.id, b.date_from, b.company_id,
                       CASE WHEN b.scope = 'user' THEN b.user_id END,
                       CASE WHEN b.scope = 'analytic'
                            THEN b.analytic_account_id END,
                       NULL, NULL, NULL, b.id, 0.0, 0.0, b.amount
                  FROM webshop_budget b
                 WHERE b.active
            )
            SELECT row_number() OVER (ORDER BY key) AS id, date, company_id,
                   user_id, analytic_account_id, cost_center, webshop_id,
                   order_id, budget_id, committed, invoiced, budget
              FROM rows
        """
