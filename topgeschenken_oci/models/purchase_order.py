# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from decimal import Decimal
from urllib.parse import urlparse

from odoo import api, fields, models

from .oci_order_transmission import TRANSMISSION_STATES


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    oci_supplier_id = fields.Many2one(
        "oci.punchout.supplier",
        string="Webshop",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
        help="The webshop this RFQ's cart came from.",
    )
    oci_session_ids = fields.One2many(
        "oci.punchout.session", "order_id", string="Punchout sessions"
    )
    oci_session_count = fields.Integer(compute="_compute_oci_session_count")
    oci_transmission_ids = fields.One2many(
        "oci.order.transmission", "order_id", string="Transmissions", readonly=True
    )
    oci_transmission_state = fields.Selection(
        TRANSMISSION_STATES,
        string="Webshop order",
        compute="_compute_oci_transmission_state",
        store=True,
        help="Where the order stands with the webshop: to send, sent (no answer "
        "yet), acknowledged by the shop, or failed (see the activity).",
    )
    oci_can_punchout = fields.Boolean(compute="_compute_oci_can_punchout")

    @api.depends("oci_session_ids")
    def _compute_oci_session_count(self):
        for order in self:
            order.oci_session_count = len(order.oci_session_ids)

    @api.depends("oci_transmission_ids.state")
    def _compute_oci_transmission_state(self):
        for order in self:
            order.oci_transmission_state = order.oci_transmission_ids[:1].state

    @api.constrains("company_id", "oci_supplier_id", "oci_location_id", "oci_logo_id")
    def _check_oci_company(self):
        # purchase.order does not check its companies automatically.
        self._check_company(["oci_supplier_id", "oci_location_id", "oci_logo_id"])

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

    # EXTENDS purchase
    def button_approve(self, force=False):
        res = super().button_approve(force=force)
        # The outbox: the transmission is created in the confirmation's own
        # transaction, so a confirmed order is never left without one.
        confirmed = self.filtered(lambda o: o.state == "purchase")
        self.env["oci.order.transmission"]._create_for_orders(confirmed)
        confirmed._oci_rematch_waiting_bills()
        return res

    # EXTENDS purchase
    def button_cancel(self):
        res = super().button_cancel()
        # The shop may already have the order (a send may even have been in
        # flight: the job holds the order's lock, so this cancel ran after
        # it): say so where the buyer looks.
        for order in self.filtered(
            lambda o: o.oci_transmission_state in ("sent", "acknowledged")
        ):
            transmission = order.oci_transmission_ids[:1]
            order.message_post(
                body=self.env._(
                    "%(shop)s already has this order%(ref)s: cancel it with the "
                    "webshop too.",
                    shop=transmission.supplier_id.name,
                    ref=self.env._(" (%(ref)s)", ref=transmission.supplier_order_ref)
                    if transmission.supplier_order_ref
                    else "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        return res

    def _oci_rematch_waiting_bills(self):
        """Match again the draft bills that named these orders before they were
        confirmed (an invoice can arrive before its order is approved)."""
        if not self:
            return
        Move = self.env["account.move"].sudo()
        domain = [
            ("state", "=", "draft"),
            ("move_type", "in", ("in_invoice", "in_refund")),
            ("oci_match_state", "in", ("unknown_order", "ambiguous")),
            ("company_id", "in", self.company_id.ids),
            ("commercial_partner_id", "in", self.partner_id.commercial_partner_id.ids),
        ]
        bills = Move.search(domain)
        waiting = bills.filtered(
            lambda bill: any(
                order.name in (bill.oci_order_refs or "")
                or order.name in (bill.ref or "")
                for order in self
            )
        )
        if waiting:
            waiting.action_oci_rematch()

    def _oci_host(self):
        return urlparse(self.get_base_url()).hostname or "odoo"

    @api.model
    def _oci_address(self, partner):
        """A cXML address dict of ``partner``."""
        return {
            "name": partner.commercial_company_name or partner.name or "",
            "deliver_to": partner.name if partner.parent_id else "",
            "street": partner.street or "",
            "street2": partner.street2 or "",
            "zip": partner.zip or "",
            "city": partner.city or "",
            "country_code": partner.country_id.code or "",
            "country": partner.country_id.name or "",
            "email": partner.email or "",
            "phone": partner.phone or "",
            "address_id": str(partner.ref or partner.id),
        }

    def _oci_ship_to_partner(self):
        """Hook: where the order goes (a drop-ship address, the warehouse, the
        company)."""
        self.ensure_one()
        if "dest_address_id" in self._fields and self.dest_address_id:
            return self.dest_address_id
        warehouse = self.picking_type_id.warehouse_id if self.picking_type_id else False
        return (warehouse and warehouse.partner_id) or self.company_id.partner_id

    def _oci_ship_to_address(self):
        return self._oci_address(self._oci_ship_to_partner())

    def _oci_order_extrinsics(self):
        """Hook: order-level cXML Extrinsics (cost center, buyer's reference)."""
        return {}

    def action_view_oci_transmissions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "topgeschenken_oci.oci_order_transmission_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.oci_transmission_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.oci_transmission_ids.id
        return action

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
        "oci.nzi.mapping",
        string="NZI mapping",
        readonly=True,
        copy=False,
        check_company=True,
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

    @api.constrains("oci_nzi_mapping_id", "oci_location_id", "oci_logo_id")
    def _check_oci_company(self):
        # purchase.order.line does not check its companies automatically.
        self._check_company(["oci_nzi_mapping_id", "oci_location_id", "oci_logo_id"])

    def _oci_decimal(self, value, precision_name):
        """``value`` rounded to the precision, as a Decimal without trailing
        zeros (12.0 -> 12, 1.250 -> 1.25)."""
        digits = self.env["decimal.precision"].precision_get(precision_name)
        text = f"{value:.{digits}f}"
        return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)

    def _oci_prepare_cxml_line(self, number, order_ship_to):
        """One ItemOut of the cXML OrderRequest (a ``build_order_request`` line)."""
        self.ensure_one()
        seller = self.product_id._select_seller(
            partner_id=self.order_id.partner_id,
            quantity=None,
            uom_id=self.product_uom_id,
        )
        part_id = (
            self.oci_vendormat
            or seller.product_code
            or self.product_id.default_code
            or str(self.product_id.id)
        )
        unit = self.oci_unit_code or self.env["account.edi.common"]._get_uom_unece_code(
            self.product_uom_id
        )
        extrinsics = {}
        if self.oci_card_text:
            extrinsics["CardText"] = self.oci_card_text
        if self.oci_logo:
            extrinsics["Logo"] = self.oci_logo
        if self.oci_location_code:
            extrinsics["DeliveryLocation"] = self.oci_location_code
        line = {
            "line_number": number,
            "quantity": self._oci_decimal(self.product_qty, "Product Unit"),
            "supplier_part_id": part_id,
            "supplier_part_auxiliary_id": self.oci_aux_id or "",
            "unit_price": self._oci_decimal(self.price_unit, "Product Price"),
            "unit_of_measure": unit,
            "description": self.name or self.product_id.display_name,
            "requested_delivery_date": self.date_planned,
            "extrinsics": extrinsics,
        }
        if self.oci_matgroup:
            line["classification"] = ("NZI", self.oci_matgroup)
        return line

    # EXTENDS purchase
    def _prepare_account_move_line(self, move=False):
        res = super()._prepare_account_move_line(move=move)
        if self.oci_account_id:
            res["account_id"] = self.oci_account_id.id
        return res
