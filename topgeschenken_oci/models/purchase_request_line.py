# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..protocol.cart import normalise_location_code

#: What the shop's cart said, which the RFQ made from the line sends the
#: shop: set by the cart import only (the card text, logo and delivery
#: location stay the requester's to change).
CART_FIELDS = frozenset(
    {
        "oci_session_id",
        "oci_vendormat",
        "oci_aux_id",
        "oci_matgroup",
        "punchout_nzi_code_id",
        "oci_unit_code",
        "oci_price_unit",
        "oci_currency_id",
        "oci_price_unit_qty",
        "oci_import_note",
        "oci_item_data",
    }
)


class PurchaseRequestLine(models.Model):
    """A request line from a requester's webshop cart keeps what the RFQ
    line needs later (``purchase.request.line.make.purchase.order``): the
    fields are named as on ``purchase.order.line``."""

    _inherit = "purchase.request.line"

    oci_session_id = fields.Many2one(
        "punchout.session",
        string="Punchout session",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The punchout whose cart brought this line (empty: typed in).",
    )
    oci_webshop_id = fields.Many2one(
        related="oci_session_id.webshop_id", string="Webshop", store=True
    )
    oci_vendormat = fields.Char(string="Vendor code (cart)", readonly=True, copy=False)
    oci_aux_id = fields.Char(
        string="Shop line reference",
        readonly=True,
        copy=False,
        help="The webshop's own reference of this line; the order sent to the "
        "shop echoes it exactly.",
    )
    oci_matgroup = fields.Char(string="NZI code", readonly=True, copy=False)
    punchout_nzi_code_id = fields.Many2one(
        "punchout.nzi.code", string="NZI mapping", readonly=True, copy=False
    )
    oci_unit_code = fields.Char(string="Shop unit", readonly=True, copy=False)
    oci_price_unit = fields.Float(
        string="Unit price (cart)",
        digits="Product Price",
        readonly=True,
        copy=False,
        help="The shop's price of one unit, in the cart's currency.",
    )
    oci_currency_id = fields.Many2one(
        "res.currency", string="Cart currency", readonly=True, copy=False
    )
    oci_price_unit_qty = fields.Float(
        string="Price unit (cart)",
        readonly=True,
        copy=False,
        help="The cart's PRICEUNIT: the shop's price was for this many units.",
    )
    oci_card_text = fields.Text(string="Card text")
    oci_logo = fields.Char(string="Logo code (cart)")
    oci_logo_id = fields.Many2one("webshop.logo", string="Card logo")
    oci_location_code = fields.Char(string="Location code (cart)")
    oci_location_id = fields.Many2one("res.partner", string="Delivery location")
    oci_import_note = fields.Char(
        string="Cart remarks",
        readonly=True,
        copy=False,
        help="What the import of the shop's cart assumed for this line: check it.",
    )
    oci_item_data = fields.Json(string="Cart line (raw)", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_may_set_cart_fields(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_may_set_cart_fields([vals])
        return super().write(vals)

    @api.model
    def _check_may_set_cart_fields(self, vals_list):
        """Only the cart import (``punchout.cart.import._import_request_cart``,
        as superuser after the requester's own access check) sets
        :data:`CART_FIELDS`: a requester who could would choose the price and
        the shop line reference the order sends the shop.

        :raises AccessError: a user sets one of them.
        """
        if self.env.su or not any(CART_FIELDS.intersection(v) for v in vals_list):
            return
        raise AccessError(
            self.env._(
                "What the webshop's cart said (price, vendor code, shop line "
                "reference) cannot be changed on a request line: punch out again "
                "to change the cart."
            )
        )

    @api.constrains("punchout_nzi_code_id", "oci_location_id", "oci_logo_id")
    def _check_oci_company(self):
        for line in self:
            for record in (
                line.punchout_nzi_code_id,
                line.oci_location_id,
                line.oci_logo_id,
            ):
                company = record.sudo().company_id
                if company and line.company_id and company != line.company_id:
                    raise ValidationError(
                        self.env._(
                            "%(record)s belongs to another company than %(request)s.",
                            record=record.sudo().display_name,
                            request=line.request_id.display_name,
                        )
                    )

    @api.constrains("oci_location_id", "oci_location_code")
    def _check_oci_location(self):
        """A cart line's delivery location (or, without one, its location
        code) is one the requester's orderer line at the webshop allows, as
        the import checked it: the RFQ checks the purchaser's, who may send
        anywhere."""
        for line in self.filtered("oci_webshop_id"):
            orderer = line.oci_webshop_id._oci_orderer(line.request_id.requested_by)
            allowed = orderer.location_ids
            location = line.oci_location_id
            code = normalise_location_code(line.oci_location_code or "")
            if location:
                refused = not orderer._allows_location(location)
            else:
                refused = bool(allowed and code) and code not in {
                    normalise_location_code(p.oci_location_code or "") for p in allowed
                }
            if refused:
                raise ValidationError(
                    self.env._(
                        "%(user)s may not send gifts to %(location)s: a purchase "
                        "manager allows delivery locations on the orderer.",
                        user=line.request_id.requested_by.name,
                        location=location.display_name or line.oci_location_code,
                    )
                )

    def _oci_prepare_order_line_vals(self):
        """The webshop values of the RFQ line made from this request line
        (``purchase.request.line.make.purchase.order``), as a cart RFQ line
        has them: ``{}`` for a line that came from no cart."""
        self.ensure_one()
        if not self.oci_session_id:
            return {}
        return {
            "name": self.name or self.product_id.display_name,
            "product_uom_id": self.product_uom_id.id or self.product_id.uom_id.id,
            "price_unit": self.oci_price_unit,
            "oci_vendormat": self.oci_vendormat,
            "oci_aux_id": self.oci_aux_id,
            "oci_matgroup": self.oci_matgroup,
            "punchout_nzi_code_id": self.punchout_nzi_code_id.id,
            "oci_unit_code": self.oci_unit_code,
            "oci_price_unit_qty": self.oci_price_unit_qty,
            "oci_card_text": self.oci_card_text,
            "oci_logo": self.oci_logo,
            "oci_logo_id": self.oci_logo_id.id,
            "oci_location_code": self.oci_location_code,
            "oci_location_id": self.oci_location_id.id,
            "oci_import_note": self.oci_import_note,
            "oci_item_data": self.oci_item_data,
            "oci_session_id": self.oci_session_id.id,
        }
