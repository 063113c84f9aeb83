# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models


class PunchoutNziCode(models.Model):
    """Where an NZI code (OCI MATGROUP / cXML Classification) books.

    NZI codes are hierarchical: a mapping of ``44`` also covers ``4410`` and
    ``441020`` unless a longer code is mapped too (the longest prefix wins).
    """

    _name = "punchout.nzi.code"
    _description = "NZI code mapping"
    _inherit = ["analytic.mixin"]
    _order = "code"
    _check_company_auto = True

    webshop_id = fields.Many2one(
        "punchout.webshop",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="webshop_id.company_id", store=True)
    code = fields.Char(
        string="NZI code",
        required=True,
        help="The code as the shop sends it in MATGROUP (for example 4410 or "
        "NZI-4410). It also covers the codes that start with it.",
    )
    name = fields.Char(string="Description")
    categ_id = fields.Many2one("product.category", string="Product category")
    account_id = fields.Many2one(
        "account.account",
        string="Expense account",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
    )

    tax_id = fields.Many2one(
        "account.tax",
        string="Purchase tax",
        check_company=True,
        domain="[('type_tax_use', '=', 'purchase')]",
        help="The tax of products created from cart lines of this code when the "
        "cart states no VAT rate (a food gift at 9 %, a gadget at 21 %).",
    )

    _code_unique = models.Constraint(
        "UNIQUE(webshop_id, code)",
        "An NZI code can be mapped only once per supplier.",
    )

    @api.model
    def _normalise_code(self, code):
        return "".join((code or "").split()).upper()

    def _find(self, code):
        """The mapping of ``self`` (one supplier's) covering ``code``."""
        code = self._normalise_code(code)
        if not code:
            return self.browse()
        best = self.browse()
        for mapping in self:
            prefix = self._normalise_code(mapping.code)
            if code.startswith(prefix) and len(prefix) > len(best.code or ""):
                best = mapping
        return best
