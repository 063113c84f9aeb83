# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class PunchoutWebshopParam(models.Model):
    _name = "punchout.webshop.param"
    _description = "Extra OCI call parameter"
    _order = "sequence, id"

    webshop_id = fields.Many2one(
        "punchout.webshop",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Parameter", required=True)
    value = fields.Char()
