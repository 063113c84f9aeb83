# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    oci_supplier_id = fields.Many2one(
        "oci.punchout.supplier",
        string="Webshop",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The webshop this RFQ's cart came from.",
    )
    oci_session_ids = fields.One2many(
        "oci.punchout.session", "order_id", string="Punchout sessions"
    )
    oci_session_count = fields.Integer(compute="_compute_oci_session_count")
    oci_can_punchout = fields.Boolean(compute="_compute_oci_can_punchout")

    @api.depends("oci_session_ids")
    def _compute_oci_session_count(self):
        for order in self:
            order.oci_session_count = len(order.oci_session_ids)

    @api.depends("state", "partner_id")
    def _compute_oci_can_punchout(self):
        suppliers = self.env["oci.punchout.supplier"].search([])
        partners = suppliers.partner_id.commercial_partner_id
        for order in self:
            order.oci_can_punchout = order.state in ("draft", "sent") and (
                not order.partner_id
                or order.partner_id.commercial_partner_id in partners
            )

    def action_oci_punchout(self):
        """Punch out to the vendor's webshop; the cart is added to this RFQ."""
        self.ensure_one()
        supplier = self.oci_supplier_id or self.env[
            "oci.punchout.supplier"
        ]._for_partner(self.partner_id, self.company_id)
        return supplier._action_start_punchout(order=self)

    def action_view_oci_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "topgeschenken_oci.oci_punchout_session_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    oci_vendormat = fields.Char(string="Vendor code (cart)", readonly=True, copy=False)
    oci_aux_id = fields.Char(
        string="Shop line reference",
        readonly=True,
        copy=False,
        help="The webshop's own reference of this line (cXML "
        "SupplierPartAuxiliaryID); the order sent to the shop echoes it exactly.",
    )
    oci_matgroup = fields.Char(string="NZI code", readonly=True, copy=False)
    oci_nzi_mapping_id = fields.Many2one(
        "oci.nzi.mapping", string="NZI mapping", readonly=True, copy=False
    )
    oci_account_id = fields.Many2one(
        related="oci_nzi_mapping_id.account_id", string="Expense account (NZI)"
    )
    oci_card_text = fields.Text(string="Card text")
    oci_logo = fields.Char(string="Logo")
    oci_location_code = fields.Char(string="Delivery location")
    oci_unit_code = fields.Char(string="Shop unit", readonly=True, copy=False)
    oci_price_unit_qty = fields.Float(
        string="Price unit (cart)",
        readonly=True,
        copy=False,
        help="The cart's PRICEUNIT: the shop's price was for this many units.",
    )
    oci_item_data = fields.Json(string="Cart line (raw)", readonly=True, copy=False)

    # EXTENDS purchase
    def _prepare_account_move_line(self, move=False):
        res = super()._prepare_account_move_line(move=move)
        if self.oci_account_id:
            res["account_id"] = self.oci_account_id.id
        return res
