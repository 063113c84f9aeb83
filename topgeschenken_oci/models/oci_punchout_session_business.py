# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)


from odoo import models
from odoo.fields import Domain

from ..protocol.cart import normalise_location_code
from ..protocol.errors import CartError, _

# Cart errors are translated where they are shown (the marker lets Odoo
# extract them); pylint: disable=prefer-env-translation


class OciPunchoutSession(models.Model):
    _inherit = "oci.punchout.session"

    def _oci_orderer(self):
        self.ensure_one()
        return self.supplier_id._oci_orderer(self.user_id)

    # EXTENDS topgeschenken_oci
    def _prepare_order_vals(self, currency):
        vals = super()._prepare_order_vals(currency)
        orderer = self._oci_orderer()
        if orderer.default_location_id:
            vals["oci_location_id"] = orderer.default_location_id.id
        if orderer.cost_center:
            vals["oci_cost_center"] = orderer.cost_center
        return vals

    # EXTENDS topgeschenken_oci
    def _import_cart(self, cart):
        order = self.order_id
        before = order.order_line if order else self.env["purchase.order.line"]
        order = super()._import_cart(cart)
        lines = order.order_line - before
        notes = []
        notes += self._apply_cart_locations(order, lines)
        self._apply_cart_logos(lines)
        self._apply_department(lines)
        notes += self._flag_assortment(lines)
        excess = order._oci_budget_excess()
        if excess:
            notes.append(order._oci_budget_text(excess))
        if notes:
            order.message_post(
                body=self.env._(
                    "Punchout %(session)s: %(notes)s",
                    session=self.name,
                    notes=" ".join(notes),
                ),
                author_id=self.user_id.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return order

    def _apply_cart_locations(self, order, lines):
        """Link the lines to the delivery locations their cart codes name.

        Codes are compared as the shop may spell them (case, spaces,
        invisible characters); a code that names no address is never sent
        on to the shop, and refuses the cart when the buyer's orderer line
        restricts their delivery locations.
        """
        codes = {
            line.oci_location_code: normalise_location_code(line.oci_location_code)
            for line in lines
            if line.oci_location_code
        }
        if not codes:
            return []
        partners = self.env["res.partner"].search(
            Domain("oci_location_code", "!=", False)
            & Domain("company_id", "in", [False, self.company_id.id])
        )
        by_code = {normalise_location_code(p.oci_location_code): p for p in partners}
        orderer = self._oci_orderer()
        unknown = sorted(raw for raw, key in codes.items() if key not in by_code)
        if unknown and orderer.location_ids:
            raise CartError(
                _(
                    "The cart names the delivery location %(codes)s, which is not "
                    "one of %(user)s's delivery locations."
                ),
                code="location_not_allowed",
                user=self.user_id.name,
                codes=", ".join(unknown),
            )
        for key in set(codes.values()):
            partner = by_code.get(key)
            if partner and not orderer._allows_location(partner):
                raise CartError(
                    _(
                        "%(user)s may not send gifts to %(location)s "
                        "(%(location_code)s): ask a purchase manager to allow this "
                        "delivery location."
                    ),
                    code="location_not_allowed",
                    user=self.user_id.name,
                    location=partner.display_name,
                    location_code=partner.oci_location_code,
                )
        for line in lines.filtered("oci_location_code"):
            partner = by_code.get(codes[line.oci_location_code])
            if partner:
                line.write(
                    {
                        "oci_location_id": partner.id,
                        "oci_location_code": partner.oci_location_code,
                    }
                )
            else:
                # Kept in the cart line's raw data; never sent to the shop.
                line.oci_location_code = False
        if not unknown:
            return []
        return [
            self.env._(
                "delivery location code(s) %(codes)s match no address: choose the "
                "delivery location on the lines.",
                codes=", ".join(unknown),
            )
        ]

    def _apply_cart_logos(self, lines):
        codes = {code for code in lines.mapped("oci_logo") if code}
        if not codes:
            return
        logos = self.env["oci.punchout.logo"].search(
            [("code", "in", list(codes)), ("company_id", "=", self.company_id.id)]
        )
        for logo in logos:
            lines.filtered(lambda pl, c=logo.code: pl.oci_logo == c).oci_logo_id = logo

    def _apply_department(self, lines):
        department = self._oci_orderer().analytic_account_id
        if department:
            lines.filtered(lambda pl: not pl.analytic_distribution).write(
                {"analytic_distribution": {str(department.id): 100}}
            )

    def _flag_assortment(self, lines):
        orderer = self._oci_orderer()
        if not orderer or not (
            orderer.allowed_nzi_codes
            or orderer.allowed_categ_ids
            or orderer.max_unit_price
        ):
            return []
        flagged = []
        for line in lines:
            issues = orderer._assortment_issues(line)
            if issues:
                line.oci_assortment_warning = "; ".join(issues)
                flagged.append(f"{line.product_id.display_name} ({'; '.join(issues)})")
        if not flagged:
            return []
        return [
            self.env._(
                "%(count)s line(s) outside %(user)s's assortment: %(lines)s.",
                count=len(flagged),
                user=self.user_id.name,
                lines=", ".join(flagged),
            )
        ]
