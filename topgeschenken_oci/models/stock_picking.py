# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    oci_carrier = fields.Char(
        string="Carrier (webshop)",
        readonly=True,
        copy=False,
        help="The carrier the webshop's ship notice names.",
    )
    oci_tracking_ref = fields.Char(
        string="Tracking number (webshop)",
        readonly=True,
        copy=False,
        help="The shipment's tracking number, from the webshop's ship notice.",
    )
