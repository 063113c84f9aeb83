# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models


class PurchaseRequest(models.Model):
    _inherit = "purchase.request"

    oci_session_ids = fields.One2many(
        "punchout.session", "request_id", string="Punchout sessions"
    )
    oci_session_count = fields.Integer(
        compute="_compute_oci_session_count", string="Punchout count"
    )
    oci_can_punchout = fields.Boolean(
        compute="_compute_oci_can_punchout", string="Can punch out"
    )

    @api.depends("oci_session_ids")
    def _compute_oci_session_count(self):
        for request in self:
            request.oci_session_count = len(request.oci_session_ids)

    @api.depends("state")
    def _compute_oci_can_punchout(self):
        states = self.env["punchout.webshop"]._punchout_request_states()
        for request in self:
            request.oci_can_punchout = request.state in states

    def action_oci_punchout(self):
        """Punch out from this request: the cart becomes an RFQ linked to it."""
        self.ensure_one()
        supplier = self.env["punchout.webshop"]._for_partner(
            self.line_ids.supplier_id[:1], self.company_id
        )
        order, note = self._oci_draft_order(supplier)
        return supplier._action_start_punchout(request=self, order=order, note=note)

    def _oci_draft_order(self, supplier):
        """The draft RFQ of this request at ``supplier`` that a new cart is
        added to (the latest one the user may edit), and a note for the buyer
        when one exists but cannot take it."""
        self.ensure_one()
        orders = (
            self.line_ids.purchase_lines.order_id | self.oci_session_ids.order_id
        ).filtered(
            lambda o: o.state in ("draft", "sent") and o.oci_webshop_id == supplier
        )
        if not orders:
            return self.env["purchase.order"], ""
        editable = orders.filtered(lambda o: o.has_access("write"))
        if editable:
            return editable.sorted("id")[-1], ""
        return self.env["purchase.order"], self.env._(
            "This request's draft RFQ %(orders)s is not yours to edit, so the cart "
            "makes a new one.",
            orders=", ".join(orders.sudo().mapped("name")),
        )

    def action_view_oci_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "topgeschenken_oci.punchout_session_action"
        )
        action["domain"] = [("request_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
