# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from .purchase_order import EDITABLE_STATES

# What was sent to the shop with the order: frozen once the order is approved.
# What a change of a confirmed order sends to the shop again (cXML update).
ORDER_CHANGE_FIELDS = {"product_qty", "price_unit", "date_planned"}
LINE_BUSINESS_FIELDS = {
    "oci_card_text",
    "oci_logo",
    "oci_logo_id",
    "oci_location_code",
    "oci_location_id",
}


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    oci_vendormat = fields.Char(string="Vendor code (cart)", readonly=True, copy=False)
    oci_aux_id = fields.Char(
        string="Shop line reference",
        readonly=True,
        copy=False,
        help="The webshop's own reference of this line (OCI: the webshop's "
        "line reference field, cXML: SupplierPartAuxiliaryID); the order sent "
        "to the shop echoes it exactly (UBL: the item's ExtendedID).",
    )
    oci_matgroup = fields.Char(string="NZI code", readonly=True, copy=False)
    punchout_nzi_code_id = fields.Many2one(
        "punchout.nzi.code",
        string="NZI mapping",
        readonly=True,
        copy=False,
        check_company=True,
    )
    oci_account_id = fields.Many2one(
        related="punchout_nzi_code_id.account_id", string="Expense account (NZI)"
    )
    oci_card_text = fields.Text(string="Card text")
    oci_logo = fields.Char(
        string="Logo code (cart)",
        help="The logo choice as the cart gave it; the Card logo column shows "
        "the logo it names.",
    )
    oci_location_code = fields.Char(
        string="Location code (cart)",
        help="The delivery location code as the cart gave it; the Delivery "
        "location column shows the address it names.",
    )
    oci_unit_code = fields.Char(string="Shop unit", readonly=True, copy=False)
    oci_price_unit_qty = fields.Float(
        string="Price unit (cart)",
        readonly=True,
        copy=False,
        help="The cart's PRICEUNIT: the shop's price was for this many units.",
    )
    oci_import_note = fields.Char(
        string="Cart remarks",
        readonly=True,
        copy=False,
        help="What the import of the shop's cart assumed for this line (a unit "
        "taken as another, a tax rate the cart did not state...): check it.",
    )
    oci_item_data = fields.Json(string="Cart line (raw)", readonly=True, copy=False)
    oci_session_id = fields.Many2one(
        "punchout.session",
        string="Punchout session",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The punchout whose cart brought this line (empty: added by hand). "
        "An edited cart replaces the lines of its webshop's carts.",
    )

    oci_confirmation_state = fields.Selection(
        [
            ("confirmed", "Confirmed"),
            ("backordered", "Backordered"),
            ("exception", "Confirmed with changes"),
            ("rejected", "Rejected"),
        ],
        string="Shop confirmation",
        readonly=True,
        copy=False,
        help="What the webshop's order confirmation said of this line.",
    )
    oci_confirmed_qty = fields.Float(
        string="Confirmed quantity",
        digits="Product Unit",
        readonly=True,
        copy=False,
        help="The quantity the webshop confirmed.",
    )

    # Business account: cards and delivery locations
    oci_logo_id = fields.Many2one(
        "webshop.logo",
        string="Card logo",
        check_company=True,
        help="Empty: the order's logo, else the company logo.",
    )
    oci_location_id = fields.Many2one(
        "res.partner",
        string="Delivery location",
        check_company=True,
        help="Empty: the order's delivery location.",
    )
    oci_logo_label = fields.Char(
        string="Logo on the card",
        compute="_compute_oci_logo_label",
        help="The logo the shop prints on this line's card: the line's own, else "
        "the order's, else the company logo (for a line with a card text).",
    )
    oci_assortment_warning = fields.Char(
        string="Assortment",
        readonly=True,
        copy=False,
        help="Why this line is outside the orderer's assortment or budget rules.",
    )

    @api.constrains("punchout_nzi_code_id", "oci_location_id", "oci_logo_id")
    def _check_oci_company(self):
        # purchase.order.line does not check its companies automatically.
        self._check_company(["punchout_nzi_code_id", "oci_location_id", "oci_logo_id"])

    @api.depends(
        "oci_logo_id",
        "oci_logo",
        "oci_card_text",
        "order_id.oci_logo_id",
        "order_id.oci_card_text",
    )
    def _compute_oci_logo_label(self):
        for line in self:
            order = line.order_id
            code = line._oci_effective_logo_code()
            logo = line.oci_logo_id or (
                order.oci_logo_id if code == order.oci_logo_id.code else False
            )
            company_code = order.oci_webshop_id.company_logo_code or "COMPANY"
            if logo:
                line.oci_logo_label = logo.name
            elif code and code == company_code:
                line.oci_logo_label = self.env._("Company logo")
            else:
                line.oci_logo_label = code or False

    @api.onchange("oci_logo_id")
    def _onchange_oci_logo_id(self):
        if self.oci_logo_id:
            self.oci_logo = self.oci_logo_id.code

    @api.onchange("oci_location_id")
    def _onchange_oci_location_id(self):
        if self.oci_location_id:
            self.oci_location_code = self.oci_location_id.oci_location_code

    @api.constrains("oci_card_text")
    def _check_oci_card_text(self):
        for line in self.filtered("oci_card_text"):
            line.order_id._oci_check_card_text(
                line.oci_card_text,
                self.env._(
                    "%(order)s line %(line)s",
                    order=line.order_id.display_name,
                    line=line.product_id.display_name or line.name,
                ),
            )

    @api.constrains("oci_location_id")
    def _check_oci_location(self):
        for line in self.filtered("oci_location_id"):
            line.order_id._oci_check_location(line.oci_location_id)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # A line added to a confirmed order the shop took: an update. (A line
        # is removed from a confirmed order by setting its quantity to 0:
        # Odoo refuses to delete it; ``write`` sends that.)
        if not self.env.context.get("oci_from_shop"):
            lines.filtered(lambda pl: not pl.display_type).order_id._oci_send_changes()
        return lines

    def write(self, vals):
        if LINE_BUSINESS_FIELDS & set(vals):
            frozen = self.filtered(
                lambda pl: pl.order_id.oci_webshop_id
                and pl.order_id.state not in EDITABLE_STATES
            )
            if frozen:
                raise UserError(
                    self.env._(
                        "%(order)s was approved and sent to the webshop: its cards "
                        "and delivery locations can no longer be changed.",
                        order=frozen[0].order_id.name,
                    )
                )
        res = super().write(vals)
        if ORDER_CHANGE_FIELDS & set(vals) and not self.env.context.get(
            "oci_from_shop"
        ):
            self.order_id._oci_send_changes()
        return res

    def _oci_effective_card_text(self):
        return self.oci_card_text or self.order_id.oci_card_text or ""

    def _oci_effective_logo_code(self):
        """The logo code sent for this line's card ("" for no card)."""
        order = self.order_id
        code = self.oci_logo_id.code or self.oci_logo or order.oci_logo_id.code
        if code:
            return code
        if self._oci_effective_card_text():
            return order.oci_webshop_id.company_logo_code or "COMPANY"
        return ""

    def _oci_effective_location(self):
        return self.oci_location_id or self.order_id.oci_location_id

    def _oci_decimal(self, value, precision_name):
        """``value`` rounded to the precision, as a Decimal without trailing
        zeros (12.0 -> 12, 1.250 -> 1.25)."""
        digits = self.env["decimal.precision"].precision_get(precision_name)
        text = f"{value:.{digits}f}"
        return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)

    def _oci_prepare_cxml_line(self, number, order_ship_to):
        """One ItemOut of the cXML OrderRequest (a ``build_order_request``
        line); ``order_ship_to`` is the order's address: a line delivered
        elsewhere gets its own."""
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
        # The cart's values first, then the card and delivery location in
        # effect (the line's own, else the order's): a key keeps the place the
        # cart gave it.
        extrinsics = {}
        if self.oci_card_text:
            extrinsics["CardText"] = self.oci_card_text
        if self.oci_logo:
            extrinsics["Logo"] = self.oci_logo
        if self.oci_location_code:
            extrinsics["DeliveryLocation"] = self.oci_location_code
        card_text = self._oci_effective_card_text()
        if card_text:
            extrinsics["CardText"] = card_text
        logo = self._oci_effective_logo_code()
        if logo:
            extrinsics["Logo"] = logo
        location = self._oci_effective_location()
        if location:
            extrinsics["DeliveryLocation"] = location.oci_location_code or str(
                location.id
            )
        line = {
            "line_number": number,
            "quantity": self._oci_decimal(self.product_qty, "Product Unit"),
            "supplier_part_id": part_id,
            "supplier_part_auxiliary_id": self.oci_aux_id or "",
            "unit_price": self._oci_price(self.price_unit),
            "unit_of_measure": unit,
            "description": self.name or self.product_id.display_name,
            "requested_delivery_date": self.date_planned,
            "extrinsics": extrinsics,
        }
        if self.oci_matgroup:
            line["classification"] = ("NZI", self.oci_matgroup)
        basis = self._oci_price_basis()
        if basis:
            line["price_basis"] = basis
            line["unit_price"] = self._oci_price(
                Decimal(repr(self.price_unit))
                * basis["quantity"]
                / basis["conversion_factor"]
            )
        if location:
            address = self.order_id._oci_address(location)
            if address != order_ship_to:
                line["ship_to"] = address
        return line

    def _oci_price_basis(self):
        """The cart's price basis (OCI PRICEUNIT, cXML PriceBasisQuantity) as
        ``build_order_request`` takes it, or ``None`` for a price per unit:
        the order quotes the price the way the shop did (24.25 per 1,000),
        not a rounded price of one unit."""
        self.ensure_one()
        quantity = self.oci_price_unit_qty or 1
        if quantity == 1:
            return None
        extra = (self.oci_item_data or {}).get("extra") or {}
        return {
            "quantity": self._oci_decimal(quantity, "Product Unit"),
            "conversion_factor": Decimal(extra.get("conversion_factor") or 1),
            "unit_of_measure": extra.get("price_basis_unit") or "",
        }

    @api.model
    def _oci_price(self, value, digits=6):
        """A price as the order sends it: all the decimals it has, up to
        ``digits`` (never fewer than two): 0.02425 stays 0.02425."""
        number = Decimal(repr(value) if isinstance(value, float) else value)
        number = number.quantize(Decimal(1).scaleb(-digits)).normalize()
        if number.as_tuple().exponent > -2:
            number = number.quantize(Decimal("0.01"))
        return number

    # EXTENDS purchase
    def _prepare_account_move_line(self, move=False):
        res = super()._prepare_account_move_line(move=move)
        if self.oci_account_id:
            res["account_id"] = self.oci_account_id.id
        return res
