# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models


class OciPunchoutSupplier(models.Model):
    """How strictly this webshop's e-invoices must match the orders."""

    # A file of its own on purpose: the matching settings merge independently.
    _inherit = "oci.punchout.supplier"  # pylint: disable=consider-merging-classes-inherited

    match_price_tolerance_percent = fields.Float(
        string="Price tolerance (%)",
        digits=(16, 2),
        help="An invoiced unit price within this percentage of the order's "
        "price still matches. With an absolute tolerance as well, the larger "
        "of the two applies. 0: the price must be exact.",
    )
    match_price_tolerance_amount = fields.Float(
        string="Price tolerance (amount)",
        digits="Product Price",
        help="An invoiced unit price within this amount (in the invoice's "
        "currency) of the order's price still matches.",
    )
    match_qty_tolerance_percent = fields.Float(
        string="Quantity tolerance (%)",
        digits=(16, 2),
        help="A line may invoice this percentage more than is left to invoice "
        "(received and not yet invoiced for stocked products, ordered and not "
        "yet invoiced otherwise). 0: never more.",
    )
    match_auto_post = fields.Boolean(
        string="Auto-post when fully matched",
        help="Post an imported bill at once when every line matches its "
        "order within the tolerances. Bills that need review stay draft.",
    )

    _match_tolerances_positive = models.Constraint(
        "CHECK(match_price_tolerance_percent >= 0 AND match_price_tolerance_amount >= 0"
        " AND match_qty_tolerance_percent >= 0)",
        "Matching tolerances cannot be negative.",
    )

    @api.model
    def _for_bill_partner(self, partner, company):
        """The webshop whose vendor is ``partner`` in ``company`` (or none)."""
        if not partner:
            return self.browse()
        commercial = partner.commercial_partner_id
        suppliers = self.search(
            [
                ("company_id", "in", (company | company.parent_ids).ids),
                ("partner_id", "child_of", commercial.id),
            ]
        )
        return suppliers[:1]
