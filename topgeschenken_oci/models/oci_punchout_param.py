# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class OciPunchoutParam(models.Model):
    _name = "oci.punchout.param"
    _description = "Extra OCI call parameter"
    _order = "sequence, id"

    supplier_id = fields.Many2one(
        "oci.punchout.supplier",
        required=True,
        ondelete="cascade",
        index=True,
        string="Webshop",
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Parameter", required=True)
    value = fields.Char()
