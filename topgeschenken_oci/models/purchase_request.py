# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import re

from odoo import api, fields, models
from odoo.fields import Command


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
    @api.depends_context("uid")
    def _compute_oci_can_punchout(self):
        target = self.env["punchout.session"]._get_cart_target(self.env.user)
        states = self.env["punchout.webshop"]._punchout_request_states()
        for request in self:
            if target == "request":
                # A requester fills their own draft request (OCA's rules).
                request.oci_can_punchout = request.is_editable and request.has_access(
                    "write"
                )
            else:
                request.oci_can_punchout = request.state in states

    def action_oci_punchout(self):
        """Punch out from this request: the cart becomes an RFQ linked to it,
        or, for a requester who may not make RFQs, lines of this request
        (``punchout.session._get_cart_target``)."""
        self.ensure_one()
        supplier = self.env["punchout.webshop"]._for_partner(
            self.line_ids.supplier_id[:1], self.company_id
        )
        if self.env["punchout.session"]._get_cart_target(self.env.user) == "request":
            return supplier._action_start_punchout(request=self)
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

    def _oci_allocate_cart_lines(self, po_lines, session):
        """Allocate the RFQ lines of a punchout's cart to this request's
        lines, as OCA's make-RFQ wizard does (``create_allocation``); return
        the ``purchase.request.allocation`` records made.

        A request line takes the RFQ lines of its product, unless it is
        cancelled or its purchase is done (:meth:`_oci_can_take_lines`). The
        request's one line without a product (a wish such as "Christmas
        parcels, 12") takes one cart line only, and only while it has no live
        (not cancelled) RFQ line yet: the one left, or else the one line that
        fits it (its quantity, or a word of its name); with several that fit,
        which fulfils the wish is the buyer's call, not ours. Lines
        not allocated are additions to the request, listed in a note on it
        (by the ``session``'s buyer). An approved request is then in progress.

        Called with the rights to link the buyer's RFQ lines (sudo).
        """
        self.ensure_one()
        Allocation = self.env["purchase.request.allocation"]
        request_lines = self.line_ids.filtered(self._oci_can_take_lines)
        by_product = {}
        for rl in request_lines.filtered("product_id"):
            by_product.setdefault(rl.product_id.id, rl)
        generic = request_lines.filtered(lambda rl: not rl.product_id)
        if generic.purchase_lines.filtered(lambda pl: pl.state != "cancel"):
            # The wish has its line already (an earlier cart, or by hand).
            generic = generic.browse()
        left = po_lines.filtered(lambda pl: pl.product_id.id not in by_product)
        chosen = po_lines.browse()
        if len(generic) == 1:
            fitting = left.filtered(lambda pl: self._oci_request_line_fits(generic, pl))
            chosen = left if len(left) == 1 else fitting
            if len(chosen) != 1:
                chosen = chosen.browse()
        vals_list = []
        unlinked = po_lines.browse()
        for line in po_lines:
            rl = by_product.get(line.product_id.id) or (
                generic if line == chosen else generic.browse()
            )
            if not rl:
                unlinked |= line
                continue
            line.sudo().purchase_request_lines = [Command.link(rl.id)]
            vals_list.append(self._oci_prepare_allocation_vals(line, rl))
        allocations = Allocation.create(vals_list) if vals_list else Allocation
        if self.state == "approved":
            self.button_in_progress()
        if unlinked:
            self.message_post(
                body=self.env._(
                    "Punchout %(session)s: %(count)s cart line(s) match no line of "
                    "this request and were not linked: %(names)s",
                    session=session.name,
                    count=len(unlinked),
                    names=", ".join(unlinked.mapped("product_id.display_name")),
                ),
                author_id=session.user_id.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return allocations

    @api.model
    def _oci_can_take_lines(self, request_line):
        """Whether ``request_line`` may take RFQ lines of a cart: not
        cancelled, and its purchase not done (received in full), which OCA's
        own wizard refuses too and which would keep the RFQ from being
        confirmed ("has already been completed")."""
        return not request_line.cancelled and request_line.purchase_state != "done"

    @api.model
    def _oci_prepare_allocation_vals(self, po_line, request_line):
        """The ``purchase.request.allocation`` of ``po_line`` to
        ``request_line``: its quantity in the request line's unit (as OCA's
        ``create_allocation`` keeps it)."""
        alloc_uom = request_line.product_uom_id or po_line.product_uom_id
        qty = po_line.product_uom_id._compute_quantity(
            po_line.product_qty, alloc_uom, raise_if_failure=False
        )
        return {
            "requested_product_uom_qty": qty,
            "product_uom_id": alloc_uom.id,
            "purchase_request_line_id": request_line.id,
            "purchase_line_id": po_line.id,
        }

    @api.model
    def _oci_allocate_added_lines(self, replaced, added):
        """Allocate the RFQ lines an edited cart ``added`` to the request
        lines of their product, of the requests the ``replaced`` lines
        served (the rule of a first cart; a request line without a product
        is not guessed). Called with the rights to link them (sudo)."""
        requests = replaced.purchase_request_lines.request_id
        if not requests or not added:
            return self.env["purchase.request.allocation"]
        by_product = {}
        for rl in requests.line_ids.filtered(
            lambda rl: rl.product_id and self._oci_can_take_lines(rl)
        ):
            by_product.setdefault(rl.product_id, rl)
        vals_list = []
        for line in added:
            rl = by_product.get(line.product_id)
            if rl:
                line.purchase_request_lines = [Command.link(rl.id)]
                vals_list.append(self._oci_prepare_allocation_vals(line, rl))
        return self.env["purchase.request.allocation"].create(vals_list)

    @api.model
    def _oci_move_allocations(self, old, new):
        """RFQ line ``new`` takes the purchase request lines and allocations
        of ``old`` (the line of an edited cart it replaces), the allocation
        in its quantity. Called with the rights to link them (sudo)."""
        if not old.purchase_request_lines:
            return
        new.purchase_request_lines = [Command.set(old.purchase_request_lines.ids)]
        allocations = old.purchase_request_allocation_ids
        allocations.purchase_line_id = new
        if len(allocations) == 1:
            vals = self._oci_prepare_allocation_vals(
                new, allocations.purchase_request_line_id
            )
            allocations.requested_product_uom_qty = vals["requested_product_uom_qty"]

    @api.model
    def _oci_request_line_fits(self, request_line, po_line):
        """Whether an RFQ line fits a request line without a product: the
        quantity asked for, or a word of the wish in its description
        ("Kerstpakketten" fits "Kerstpakket Deluxe")."""
        uom = request_line.product_uom_id or po_line.product_uom_id
        qty = po_line.product_uom_id._compute_quantity(
            po_line.product_qty, uom, raise_if_failure=False
        )
        if request_line.product_qty and not uom.compare(qty, request_line.product_qty):
            return True

        def words(text):
            return {
                w for w in re.findall(r"\w+", (text or "").casefold()) if len(w) > 4
            }

        wished = words(request_line.name)
        offered = words(po_line.name)
        return any(a.startswith(b) or b.startswith(a) for a in wished for b in offered)

    def action_view_oci_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "topgeschenken_oci.punchout_session_action"
        )
        action["domain"] = [("request_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
