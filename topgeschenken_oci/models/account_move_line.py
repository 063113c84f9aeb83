# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    oci_edi_item_code = fields.Char(
        string="Vendor item code (e-invoice)",
        copy=False,
        help="The seller's item identification the e-invoice gave this line.",
    )
    oci_edi_order_ref = fields.Char(
        string="Order reference (e-invoice line)",
        copy=False,
        help="The order this line names in the e-invoice (line-level order reference).",
    )
    oci_edi_uom_code = fields.Char(
        string="Unit code (e-invoice)",
        copy=False,
        help="The unit of the invoiced quantity as the e-invoice gave it "
        "(UN/ECE Rec. 20 unitCode, such as KGM or C62). Odoo drops a unit "
        "that cannot be the product's; the matching compares this one.",
    )
    oci_edi_rounding = fields.Boolean(
        string="Rounding line (e-invoice)",
        copy=False,
        help="The e-invoice's payable rounding amount: not an ordered item.",
    )
    oci_match_note = fields.Char(
        string="Match note",
        copy=False,
        readonly=True,
        help="How this line was matched to its order line, or why it deviates.",
    )
