# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    oci_invoice_grouping = fields.Selection(
        [
            ("separate", "A separate invoice per branch"),
            ("collective", "One collective invoice"),
        ],
        string="Webshop invoices",
        default="separate",
        required=True,
        help="Asked of the webshop with each order: a separate invoice for this "
        "company (branch), or one collective invoice for the whole group "
        "covering several orders.",
    )
    oci_cost_center_required = fields.Boolean(
        string="Cost center required on webshop orders",
        help="Webshop orders cannot be confirmed without a cost center.",
    )
    oci_invoice_matching = fields.Boolean(
        string="Match every vendor's e-invoices (webshop rules)",
        help="Match the e-invoices of every vendor to purchase orders as the "
        "webshops' are. Off: only vendors with a webshop, or switched on one "
        "by one, are; the others keep Odoo's own matching.",
    )
