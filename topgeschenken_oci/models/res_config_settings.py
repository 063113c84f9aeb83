# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    oci_invoice_grouping = fields.Selection(
        related="company_id.oci_invoice_grouping", readonly=False
    )
    oci_cost_center_required = fields.Boolean(
        related="company_id.oci_cost_center_required", readonly=False
    )
    oci_invoice_matching = fields.Boolean(
        related="company_id.oci_invoice_matching", readonly=False
    )
