# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, models
from odoo.exceptions import UserError


class PurchaseRequestLineMakePurchaseOrder(models.TransientModel):
    """OCA's make-RFQ wizard on request lines a requester's webshop cart
    filled: the RFQ lines carry the cart's data (vendor code, shop line
    reference, price, card, logo, delivery location, NZI code, raw line), and
    the RFQ is a cart RFQ of the webshop, sent to the shop like any other."""

    _inherit = "purchase.request.line.make.purchase.order"

    def _oci_cart_webshop(self):
        """The webshop whose carts filled the wizard's request lines, when
        the wizard's vendor is that webshop's (else an empty recordset)."""
        webshops = self.item_ids.line_id.oci_webshop_id
        supplier = self.supplier_id.commercial_partner_id
        return webshops.filtered(
            lambda w: w.partner_id.commercial_partner_id == supplier
        )[:1]

    # EXTENDS purchase_request
    @api.model
    def _prepare_purchase_order(self, picking_type, company, origin):
        vals = super()._prepare_purchase_order(picking_type, company, origin)
        webshop = self._oci_cart_webshop()
        if not webshop:
            return vals
        lines = self.item_ids.line_id.filtered(lambda rl: rl.oci_webshop_id == webshop)
        vals["oci_webshop_id"] = webshop.id
        currency = lines.oci_currency_id[:1]
        if currency:
            vals["currency_id"] = currency.id
        # The requester's orderer line: their delivery location and cost center.
        orderer = webshop._oci_orderer(lines.requested_by[:1])
        if orderer.default_location_id:
            vals["oci_location_id"] = orderer.default_location_id.id
        if orderer.cost_center:
            vals["oci_cost_center"] = orderer.cost_center
        return vals

    # EXTENDS purchase_request
    @api.model
    def _prepare_purchase_order_line(self, po, item):
        vals = super()._prepare_purchase_order_line(po, item)
        if po.oci_webshop_id and item.line_id.oci_webshop_id == po.oci_webshop_id:
            currency = item.line_id.oci_currency_id
            if currency and currency != po.currency_id:
                # The cart's price is in its currency: never in another's RFQ.
                raise UserError(
                    self.env._(
                        "%(line)s comes from a cart in %(currency)s, but RFQ "
                        "%(order)s is in %(order_currency)s: make one RFQ per "
                        "currency.",
                        line=item.line_id.display_name,
                        currency=currency.name,
                        order=po.name,
                        order_currency=po.currency_id.name,
                    )
                )
            cart_vals = item.line_id._oci_prepare_order_line_vals()
            # The quantity the wizard buys, in the cart's unit.
            cart_vals["product_qty"] = item.product_uom_id._compute_quantity(
                item.product_qty,
                item.line_id.product_uom_id or item.product_uom_id,
                raise_if_failure=False,
            )
            vals.update(cart_vals)
        return vals

    # EXTENDS purchase_request
    @api.model
    def _get_order_line_search_domain(self, order, item):
        domain = super()._get_order_line_search_domain(order, item)
        if item.line_id.oci_session_id:
            # A cart line is never merged into another RFQ line: each has its
            # own shop reference, card and delivery location.
            domain = [*domain, ("id", "=", False)]
        return domain

    # EXTENDS purchase_request
    def make_purchase_order(self):
        res = super().make_purchase_order()
        self._oci_flag_requester_assortment(self.item_ids.line_id)
        return res

    def _oci_flag_requester_assortment(self, request_lines):
        """Flag the RFQ lines made from cart lines of ``request_lines``
        that are outside their requester's assortment (their orderer line's
        NZI codes, categories, maximum unit price), as a buyer's own cart
        is flagged on their RFQ (``oci_assortment_warning``)."""
        for request_line in request_lines.filtered("oci_session_id"):
            webshop = request_line.oci_webshop_id
            orderer = webshop._oci_orderer(request_line.request_id.requested_by)
            if not orderer or not (
                orderer.allowed_nzi_codes
                or orderer.allowed_categ_ids
                or orderer.max_unit_price
            ):
                continue
            for po_line in request_line.purchase_lines.filtered(
                lambda pl, w=webshop: pl.order_id.oci_webshop_id == w
                and pl.order_id.state in ("draft", "sent")
            ):
                issues = orderer._assortment_issues(po_line)
                if issues:
                    po_line.oci_assortment_warning = "; ".join(issues)
