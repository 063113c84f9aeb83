# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class WebshopLogo(models.Model):
    """A logo the shop prints on greeting cards, besides the company logo."""

    _name = "webshop.logo"
    _description = "Greeting card logo"
    _order = "name"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    code = fields.Char(
        string="Shop logo code",
        required=True,
        help="The code under which the shop keeps this logo (as it returns it "
        "in the cart's logo field); sent with the order.",
    )
    image = fields.Image(max_width=1024, max_height=1024)

    _code_unique = models.Constraint(
        "UNIQUE(company_id, code)",
        "A logo code is used only once per company.",
    )
