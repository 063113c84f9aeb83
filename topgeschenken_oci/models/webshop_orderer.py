# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models

from ..const import MANAGER


class WebshopOrderer(models.Model):
    """An Odoo user who may order from a webshop, and what they may order."""

    _name = "webshop.orderer"
    _description = "Webshop orderer"
    _order = "sequence, id"
    _check_company_auto = True

    webshop_id = fields.Many2one(
        "punchout.webshop",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="webshop_id.company_id", store=True, index=True
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        "res.users",
        string="Orderer",
        required=True,
        index=True,
        domain="[('share', '=', False)]",
    )
    oci_username = fields.Char(
        string="Shop user name",
        groups=MANAGER,
        help="This orderer's own login at the shop, sent as USERNAME in the OCI "
        "call when the webshop's credentials are per orderer. Empty: the "
        "company's shared account.",
    )
    oci_password = fields.Char(
        string="Shop password",
        groups=MANAGER,
        copy=False,
        help="Empty: the shared password is sent with this orderer's user name.",
    )
    has_own_credentials = fields.Boolean(
        compute="_compute_has_own_credentials",
        string="Own shop login",
    )
    location_ids = fields.Many2many(
        "res.partner",
        "webshop_orderer_location_rel",
        "orderer_id",
        "partner_id",
        string="Allowed delivery locations",
        check_company=True,
        domain="[('oci_location_code', '!=', False)]",
        help="The delivery locations this orderer may send gifts to. Empty: "
        "every delivery location of the company.",
    )
    default_location_id = fields.Many2one(
        "res.partner",
        string="Default delivery location",
        check_company=True,
        domain="[('oci_location_code', '!=', False)]",
        help="Set on the RFQs made from this orderer's carts.",
    )
    cost_center = fields.Char(
        string="Default cost center",
        help="Set on the RFQs made from this orderer's carts; sent to the shop "
        "and printed on its invoice.",
    )
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Department",
        check_company=True,
        help="Cart lines that no NZI mapping books get this analytic account, "
        "so department budgets count them.",
    )
    allowed_nzi_codes = fields.Char(
        string="Allowed NZI codes",
        help="Comma-separated NZI code prefixes (for example 4410, 4420). Cart "
        "lines with another code are flagged. Empty: every code.",
    )
    allowed_categ_ids = fields.Many2many(
        "product.category",
        "webshop_orderer_categ_rel",
        "orderer_id",
        "categ_id",
        string="Allowed product categories",
        help="Cart lines whose product is in no such category (or a "
        "sub-category) are flagged. Empty: every category.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    max_unit_price = fields.Monetary(
        string="Max unit price",
        help="Cart lines with a higher unit price are flagged. 0: no limit.",
    )

    _user_unique = models.Constraint(
        "UNIQUE(webshop_id, user_id)",
        "A user is an orderer of a webshop only once.",
    )

    @api.depends_context("uid")
    def _compute_has_own_credentials(self):
        for orderer in self:
            orderer.has_own_credentials = bool(orderer.sudo().oci_username)

    def _allows_location(self, partner):
        """Whether this orderer may send to ``partner`` (empty self: yes)."""
        if not self or not partner:
            return True
        return not self.location_ids or partner in self.location_ids

    def _nzi_prefixes(self):
        self.ensure_one()
        nzi = self.env["punchout.nzi.code"]
        return [
            nzi._normalise_code(code)
            for code in (self.allowed_nzi_codes or "").split(",")
            if code.strip()
        ]

    def _assortment_issues(self, line):
        """Why ``line`` is outside this orderer's assortment (a list of texts)."""
        self.ensure_one()
        issues = []
        prefixes = self._nzi_prefixes()
        if prefixes:
            code = self.env["punchout.nzi.code"]._normalise_code(line.oci_matgroup)
            if not any(code.startswith(p) for p in prefixes):
                issues.append(
                    self.env._(
                        "NZI code %(code)s is not in the assortment",
                        code=line.oci_matgroup or "-",
                    )
                )
        if self.allowed_categ_ids:
            allowed = self.allowed_categ_ids
            categ = line.product_id.categ_id
            if not any(categ.parent_path.startswith(c.parent_path) for c in allowed):
                issues.append(
                    self.env._(
                        "category %(categ)s is not in the assortment",
                        categ=categ.display_name,
                    )
                )
        if self.max_unit_price:
            price = line.currency_id._convert(
                line.price_unit,
                self.currency_id,
                self.company_id,
                line.order_id.date_order or fields.Date.today(),
            )
            if self.currency_id.compare_amounts(price, self.max_unit_price) > 0:
                issues.append(
                    self.env._(
                        "unit price %(price)s is above the maximum %(max)s",
                        price=f"{price:.2f}",
                        max=f"{self.max_unit_price:.2f}",
                    )
                )
        return issues
