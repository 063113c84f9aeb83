# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    oci_location_code = fields.Char(
        string="Webshop location code",
        index="btree_not_null",
        copy=False,
        help="Makes this address a delivery location (a branch, a gift "
        "recipient) of the webshops: the code the shop uses for it, for "
        "example LOC-UTR. Carts naming the code deliver here.",
    )

    oci_invoice_matching = fields.Boolean(
        string="Match e-invoices to orders (webshop rules)",
        help="Match this vendor's e-invoices to purchase orders as the "
        "webshops' are: order numbers in any field, item codes, tolerances and "
        "a review queue. Vendors with a webshop are always matched this way; "
        "other vendors' bills keep Odoo's own matching unless this is on.",
    )

    @api.constrains("oci_location_code", "company_id")
    def _check_oci_location_code(self):
        partners = self.filtered("oci_location_code")
        if not partners:
            return
        others = self.sudo().search(
            [
                ("oci_location_code", "in", partners.mapped("oci_location_code")),
                ("id", "not in", partners.ids),
            ]
        )
        for partner in partners:
            clash = others.filtered(
                lambda o, p=partner: o.oci_location_code == p.oci_location_code
                and (
                    not o.company_id or not p.company_id or o.company_id == p.company_id
                )
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "The location code %(code)s is already used by %(other)s.",
                        code=partner.oci_location_code,
                        other=clash[0].display_name,
                    )
                )
