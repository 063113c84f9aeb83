# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from decimal import Decimal
from urllib.parse import urlparse

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import float_compare, format_datetime

from ..protocol.cxml_inbound import LineStatus
from .oci_order_transmission import TRANSMISSION_STATES

#: cXML ConfirmationStatus type -> the line's confirmation state.
CONFIRMATION_STATE = {
    "accept": "confirmed",
    "allDetail": "confirmed",
    "detail": "confirmed",
    "replace": "confirmed",
    "requestToPay": "confirmed",
    "backordered": "backordered",
    "except": "exception",
    "reject": "rejected",
}


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
    oci_session_count = fields.Integer(
        compute="_compute_oci_session_count", string="Punchout count"
    )
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
    oci_can_punchout = fields.Boolean(
        compute="_compute_oci_can_punchout", string="Can punch out"
    )
    oci_document_ids = fields.One2many(
        "oci.order.document", "order_id", string="Webshop documents", readonly=True
    )

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
        # The shop has the order (or may have it: a send may even have been
        # in flight, the job holds the order's lock so this cancel ran after
        # it): the cancellation goes to it as a new version (cXML delete).
        for order in self.filtered(lambda o: o.state == "cancel"):
            order.oci_transmission_ids.filtered("delivered_version")._restart(
                self.env._(
                    "The order was cancelled: the cancellation is sent to the webshop."
                )
            )
        return res

    def _oci_send_changes(self):
        """A confirmed order the shop took changed (quantity, price, date):
        the change goes to it as a new version (cXML update), through the
        same outbox, exactly once."""
        for order in self.filtered(lambda o: o.state == "purchase"):
            order.oci_transmission_ids.filtered(
                lambda t: t.delivered_version and t.state == "acknowledged"
            )._restart(
                self.env._("The order changed: the change is sent to the webshop.")
            )

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

    def _oci_numbered_lines(self):
        """``{cXML lineNumber: order line}``: the numbering of the
        ``OrderRequest`` ItemOut lines (product lines in order, from 1), by
        which the shop's confirmations and ship notices name the lines."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda pl: not pl.display_type)
        return dict(enumerate(lines, start=1))

    def _oci_confirmation_type_label(self, status):
        labels = {
            "accept": self.env._("accepted"),
            "allDetail": self.env._("accepted with details"),
            "detail": self.env._("accepted with details"),
            "replace": self.env._("replaced"),
            "requestToPay": self.env._("accepted"),
            "backordered": self.env._("backordered"),
            "except": self.env._("accepted with exceptions"),
            "reject": self.env._("rejected"),
        }
        return labels.get(status, status)

    def _oci_apply_confirmation(self, doc, lines):
        """Apply a shop's ``ConfirmationRequest`` (a ``cxml_inbound``
        document) to this order: the shop's confirmation number as vendor
        reference, each line's confirmation state, confirmed quantity and
        delivery date (through Odoo's own vendor date update, which moves the
        receipt and tells the buyer), an activity for rejected lines.
        Returns the summary lines (already translated)."""
        self.ensure_one()
        env = self.env
        shop = self.oci_supplier_id.name
        summary = [
            env._(
                "%(shop)s confirmed the order: %(type)s%(ref)s.",
                shop=shop,
                type=self._oci_confirmation_type_label(doc.status),
                ref=env._(" (%(ref)s)", ref=doc.document_id) if doc.document_id else "",
            )
        ]
        if doc.document_id and not self.partner_ref:
            self.partner_ref = doc.document_id
        statuses = doc.lines
        if doc.status == "reject" and not statuses:
            statuses = [LineStatus(line_number=n, status="reject") for n in lines]
        dates, rejected = [], []
        for status in statuses:
            line = lines[status.line_number]
            state = CONFIRMATION_STATE[status.status]
            vals = {"oci_confirmation_state": state}
            if status.quantity is not None and state != "rejected":
                vals["oci_confirmed_qty"] = float(status.quantity)
            line.write(vals)
            name = line.product_id.display_name or line.name
            if state == "rejected":
                rejected.append(name)
                summary.append(
                    env._(
                        "Line %(number)s (%(name)s) rejected%(why)s.",
                        number=status.line_number,
                        name=name,
                        why=f": {status.comments}" if status.comments else "",
                    )
                )
                if not line.qty_received and not line.qty_invoiced:
                    # Nothing of it will come: the receipt stops waiting for
                    # it, the budget and the bill check stop counting it
                    # (Odoo's own way to drop a line of a confirmed order).
                    line.with_context(oci_from_shop=True).product_qty = 0
                    line.move_ids.filtered(
                        lambda m: m.state not in ("done", "cancel")
                    )._action_cancel()
                    summary.append(
                        env._(
                            "Line %(number)s: quantity set to 0.",
                            number=status.line_number,
                        )
                    )
                continue
            if (
                status.quantity is not None
                and float_compare(
                    float(status.quantity),
                    line.product_qty,
                    precision_rounding=line.product_uom_id.rounding or 0.01,
                )
                != 0
            ):
                summary.append(
                    env._(
                        "Line %(number)s (%(name)s): %(confirmed)s confirmed of "
                        "%(ordered)s ordered.",
                        number=status.line_number,
                        name=name,
                        confirmed=float(status.quantity),
                        ordered=line.product_qty,
                    )
                )
            if status.delivery_date and status.delivery_date != line.date_planned:
                dates.append((line, status.delivery_date))
                summary.append(
                    env._(
                        "Line %(number)s (%(name)s): delivery on %(date)s.",
                        number=status.line_number,
                        name=name,
                        date=format_datetime(
                            env, status.delivery_date, tz=env.context.get("tz")
                        ),
                    )
                )
        if dates:
            # Odoo's own path for a vendor's new dates (the vendor portal's):
            # the lines' planned dates, the receipt moves' deadlines and a
            # "Date Updated" activity for the buyer; the moves' scheduled date
            # follows, so the receipt shows when the gifts arrive.
            # (The shop's own dates: nothing to send back to it.)
            self._update_date_planned_for_lines(
                [(line.with_context(oci_from_shop=True), date) for line, date in dates]
            )
            for line, date in dates:
                line.move_ids.filtered(
                    lambda m: m.state not in ("done", "cancel")
                ).write({"date": date})
        if rejected:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(self.user_id or env.user).id,
                summary=env._(
                    "%(shop)s rejected lines of %(order)s", shop=shop, order=self.name
                ),
                note=env._(
                    "The webshop will not deliver: %(lines)s. Order these gifts "
                    "elsewhere or cancel the lines.",
                    lines=", ".join(rejected),
                ),
            )
        if doc.status != "reject":
            self.acknowledged = True
        return summary

    def _oci_apply_ship_notice(self, doc, lines):
        """Apply a shop's ``ShipNoticeRequest``: carrier, tracking number and
        delivery date on the open receipts of the shipped lines. Returns the
        summary lines (already translated)."""
        self.ensure_one()
        env = self.env
        shipped = self.env["purchase.order.line"].union(
            *(lines[item.line_number] for item in doc.lines)
        )
        receipts = (
            shipped.move_ids.picking_id if shipped else self.picking_ids
        ).filtered(
            lambda p: p.picking_type_code == "incoming"
            and p.state not in ("done", "cancel")
        )
        vals = {
            "oci_carrier": doc.carrier or False,
            "oci_tracking_ref": doc.tracking_ref or False,
        }
        if doc.delivery_date:
            vals["scheduled_date"] = doc.delivery_date
        receipts.write(vals)
        summary = [
            env._(
                "%(shop)s shipped %(count)s line(s)%(carrier)s%(tracking)s%(date)s.",
                shop=self.oci_supplier_id.name,
                count=len(doc.lines),
                carrier=env._(" with %(carrier)s", carrier=doc.carrier)
                if doc.carrier
                else "",
                tracking=env._(", tracking number %(ref)s", ref=doc.tracking_ref)
                if doc.tracking_ref
                else "",
                date=env._(
                    ", delivery on %(date)s",
                    date=format_datetime(
                        env, doc.delivery_date, tz=env.context.get("tz")
                    ),
                )
                if doc.delivery_date
                else "",
            )
        ]
        for receipt in receipts:
            receipt.message_post(
                body=Markup("%s") % summary[0],
                author_id=self.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return summary


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
