# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import Command, fields
from odoo.tests import tagged

from .common import PunchoutCommon


@tagged("post_install", "-at_install")
class TestSpendReport(PunchoutCommon):
    """Committed and invoiced webshop spend next to the budgets."""

    def test_spend_per_orderer_and_department_against_budgets(self):
        env = self.env
        year = fields.Date.today().year
        team = env["account.analytic.account"].create(
            {"name": "Team Zorg", "plan_id": self.analytic_plan.id}
        )
        product = env["product.product"].create(
            {"name": "Kerstpakket", "type": "consu", "purchase_method": "purchase"}
        )
        for vals in (
            {"scope": "user", "user_id": self.buyer.id, "amount": 1000},
            {"scope": "analytic", "analytic_account_id": team.id, "amount": 400},
        ):
            env["webshop.budget"].create(
                {
                    "name": "Geschenken",
                    "company_id": self.company.id,
                    "date_from": f"{year}-01-01",
                    "date_to": f"{year}-12-31",
                    **vals,
                }
            )
        order = env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "company_id": self.company.id,
                "user_id": self.buyer.id,
                "oci_webshop_id": self.supplier.id,
                "oci_cost_center": "KP-100",
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_qty": 10,
                            "price_unit": 30.0,
                            "tax_ids": [Command.clear()],
                            "analytic_distribution": {
                                str(team.id): 60,
                                str(self.analytic_gifts.id): 40,
                            },
                        }
                    )
                ],
            }
        )
        order.button_confirm()
        # A draft RFQ and a non-webshop order do not count.
        order.copy()
        bill = env["account.move"].browse(order.action_create_invoice()["res_id"])
        bill.invoice_line_ids.filtered(lambda ln: ln.purchase_line_id).quantity = 5
        bill.invoice_date = fields.Date.today()
        Report = env["webshop.spend.report"]

        def totals(domain):
            [row] = Report._read_group(
                domain, [], ["committed:sum", "invoiced:sum", "budget:sum"]
            )
            return tuple(round(value, 2) for value in row)

        # A draft bill is not spend yet; posting it is.
        self.assertEqual(totals([("user_id", "=", self.buyer.id)]), (300, 0, 1000))
        bill.action_post()
        self.assertEqual(totals([("user_id", "=", self.buyer.id)]), (300, 150, 1000))
        self.assertEqual(
            totals([("analytic_account_id", "=", team.id)]), (180, 90, 400)
        )
        self.assertEqual(totals([("cost_center", "=", "KP-100")]), (300, 150, 0))
        action = env["webshop.budget"].search([("user_id", "=", self.buyer.id)])
        action = action.action_view_spend()
        self.assertEqual(totals(action["domain"]), (300, 150, 1000))
        # A posted refund of two units lowers it; a cancelled bill counts nothing.
        refund = bill._reverse_moves([{"invoice_date": fields.Date.today()}])
        refund.invoice_line_ids.filtered(lambda ln: ln.purchase_line_id).quantity = 2
        refund.action_post()
        self.assertEqual(totals([("user_id", "=", self.buyer.id)]), (300, 90, 1000))
        refund.button_draft()
        refund.button_cancel()
        self.assertEqual(totals([("user_id", "=", self.buyer.id)]), (300, 150, 1000))
