# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models
from odoo.fields import Command, Domain
from odoo.tools import SQL, mute_logger

from ..protocol import units as unit_codes
from ..protocol.cart import check_plausible, normalise_location_code
from ..protocol.errors import CartError, _
from ..protocol.numbers import parse_tax_rate

# Cart errors are translated where they are shown (the marker lets Odoo
# extract them); pylint: disable=prefer-env-translation


class PunchoutCartImport(models.AbstractModel):
    """A returned cart onto a draft RFQ: the mapping, as a service.

    ``_import_cart(session, cart)`` turns a parsed ``protocol.cart.Cart``
    into the lines of a draft ``purchase.order`` (a new one, or the RFQ the
    punchout started from), the way Odoo's ``account.edi.common`` turns a
    UBL document into an invoice: one entry point and small hooks an
    integrator overrides one step at a time. The ``_retrieve_*`` hooks find
    records for a whole cart (currency, NZI codes, products, units, taxes of
    new products) in one search each; the ``_prepare_*`` hooks return the
    values of one record and receive everything they decide (the line hook
    gets the product's vendor taxes and the cart's VAT rate, and sets the
    line's taxes and its import note).

    Runs in the environment of the caller: the punchout session calls it as
    the session's buyer, in the session's company, so record rules and
    access rights apply as if the buyer had typed the RFQ. Errors in the
    cart raise ``CartError`` (``protocol.errors``); nothing is half-made,
    the caller runs it in a savepoint.
    """

    _name = "punchout.cart.import"
    _description = "Punchout cart import"

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------

    def _import_cart(self, session, cart):
        """Create or fill the draft RFQ of ``session`` from ``cart``.

        :param session: the ``punchout.session`` the cart came back to.
        :param cart: a ``protocol.cart.Cart`` (quantities and prices as
            ``Decimal``, prices per ``item.price_unit`` units).
        :returns: the ``purchase.order``.
        :raises CartError: an empty (but for an edit), implausible or
            unmappable cart.
        """
        session.ensure_one()
        before = session.order_id.order_line  # the lines the RFQ already had
        items = [item for item in cart.items if not item.is_outline]
        if not items and session.operation == "edit" and session.order_id:
            return self._import_emptied_cart(session)
        if not items:
            raise CartError(_("The returned cart is empty."), code="empty_cart")
        check_plausible(cart)
        currency, notes, mappings, products, uoms, rates, missing = (
            self._retrieve_cart_records(session, cart, items)
        )
        for item in items:
            if item.line_no not in rates:
                rates[item.line_no] = self._get_cart_tax_rate(session, item)
        order = self._get_or_create_order(session, currency)
        replaced = self._retrieve_replaced_lines(session, order)
        taxes = self._get_vendor_taxes(order, {p.id: p for p in products.values()})
        new_lines = {item.line_no for item in missing}
        line_vals = [
            self._prepare_order_line_vals(
                session,
                order,
                item,
                products[item.line_no],
                uoms[item.line_no],
                mapping=mappings.get(item.line_no),
                taxes=taxes[products[item.line_no].id],
                rate=rates[item.line_no],
                is_new=item.line_no in new_lines,
                notes=notes.get(item.line_no, []),
            )
            for item in items
        ]
        lines = self.env["purchase.order.line"].create(line_vals)
        if session.request_id:
            session.request_id.sudo()._oci_allocate_cart_lines(lines, session)
        self._post_line_notes(session, order, lines)
        charges = self._add_cart_charges(session, order, cart)
        self._check_cart_total(session, order, cart, lines, charges)
        if session.operation == "edit":
            body = self._replace_cart_lines(session, replaced, lines)
        else:
            body = self.env._(
                "%(count)s line(s) added from the %(shop)s cart "
                "(punchout %(session)s).",
                count=len(lines),
                shop=session.webshop_id.name,
                session=session.name,
            )
        order.message_post(
            body=body,
            author_id=session.user_id.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        self._apply_orderer_options(session, order, order.order_line - before)
        return order

    def _import_request_cart(self, session, cart):
        """Add the lines of ``cart`` to the draft purchase request of
        ``session`` (a requester's punchout: ``punchout.session._get_cart_target``).

        Products are matched, or created where the webshop allows it, by the
        rules of an RFQ's cart (the same ``_retrieve_*`` hooks); each item
        becomes a ``purchase.request.line`` with its quantity, unit,
        estimated cost (quantity x unit price, in the company's currency)
        and the webshop data the RFQ line needs later (``oci_*`` fields,
        see ``purchase.request.line._oci_prepare_order_line_vals``). Runs
        with the requester's own rights (OCA's rules: their own request).

        :param session: the ``punchout.session`` (``request_id`` set).
        :param cart: a ``protocol.cart.Cart``.
        :returns: the ``purchase.request.line`` records made.
        :raises CartError: an empty, implausible or unmappable cart, or a
            request that is no longer draft.
        """
        session.ensure_one()
        items = [item for item in cart.items if not item.is_outline]
        if not items:
            raise CartError(_("The returned cart is empty."), code="empty_cart")
        check_plausible(cart)
        request = self._lock_draft_request(session.request_id)
        currency, notes, mappings, products, uoms, __, __ = self._retrieve_cart_records(
            session, cart, items
        )
        # The cart's data on the lines is for the import alone to set
        # (``purchase.request.line._check_may_set_cart_fields``): created as
        # superuser, then checked with the requester's access rights and
        # record rules (OCA: their own request), as if they had created them.
        RequestLine = self.env["purchase.request.line"]
        RequestLine.check_access("create")
        lines = (
            RequestLine.sudo()
            .create(
                [
                    self._prepare_request_line_vals(
                        session,
                        request,
                        item,
                        products[item.line_no],
                        uoms[item.line_no],
                        currency,
                        mapping=mappings.get(item.line_no),
                        notes=notes.get(item.line_no, []),
                    )
                    for item in items
                ]
            )
            .sudo(False)
        )
        lines.check_access("create")
        orderer = session._oci_orderer()
        remarks = self._apply_cart_locations(session, orderer, lines)
        self._apply_cart_logos(session, lines)
        self._apply_department(orderer, lines)
        body = self.env._(
            "%(count)s line(s) added from the %(shop)s cart (punchout %(session)s).",
            count=len(lines),
            shop=session.webshop_id.name,
            session=session.name,
        )
        noted = lines.filtered("oci_import_note")
        if noted:
            remarks.append(
                self.env._(
                    "Check %(count)s line(s): %(lines)s",
                    count=len(noted),
                    lines="; ".join(
                        f"{line.product_id.display_name}: {line.oci_import_note}"
                        for line in noted
                    ),
                )
            )
        request.message_post(
            body=" ".join([body, *remarks]),
            author_id=session.user_id.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        return lines

    def _retrieve_cart_records(self, session, cart, items):
        """What the cart's ``items`` are in Odoo, for an RFQ and a request
        alike: ``(currency, notes, mappings, products, uoms, rates,
        missing)`` - the cart's currency, the import's remarks per line
        number, the ``punchout.nzi.code`` / ``product.product`` / ``uom.uom``
        of each line number, the VAT rates, and the items
        whose product the import created (where the webshop allows it).
        ``rates`` (the VAT rate a line states) covers those created items
        only: their taxes come from it.

        :raises CartError: a currency, unit or product the cart cannot have.
        """
        currency = self._retrieve_currency(session, cart, items)
        notes = {}
        self._check_cart_currency(session, currency, items, notes)
        mappings = self._retrieve_nzi_codes(session, items)
        products = self._retrieve_products(session, items)
        uoms = self._retrieve_uoms(session, items, products, notes)
        missing = [item for item in items if item.line_no not in products]
        rates = {
            item.line_no: self._get_cart_tax_rate(session, item) for item in missing
        }
        if missing:
            new_taxes = self._retrieve_product_taxes(session, missing, rates, mappings)
            products.update(
                self._create_products(
                    session, missing, uoms, mappings, currency, new_taxes
                )
            )
        return currency, notes, mappings, products, uoms, rates, missing

    def _lock_draft_request(self, request):
        """Lock ``request`` and check it still takes lines (OCA's
        ``is_editable``: draft): it may have been sent for approval since the
        punchout started."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = %s FOR UPDATE",
                SQL.identifier(request._table),
                request.id,
            ),
            log_exceptions=False,
        )
        request.invalidate_recordset(["state"])
        if not request.is_editable:
            raise CartError(
                _(
                    "Purchase request %(request)s is no longer a draft: the cart "
                    "cannot be added to it. Ask the purchasing team, or start a "
                    "punchout from a draft request."
                ),
                code="request_not_draft",
                request=request.name,
            )
        return request

    def _prepare_request_line_vals(
        self, session, request, item, product, uom, currency, mapping=None, notes=()
    ):
        """The ``purchase.request.line`` values of one cart item (a
        requester's cart): what the RFQ line will need
        (``_prepare_order_line_vals`` has the same data for a buyer's cart).

        :param currency: the cart's currency; the estimated cost is
            converted to the request's (the company's) currency.
        :param mapping: the item's ``punchout.nzi.code``, or ``None``.
        :param notes: what the import assumed for the line (texts).
        """
        company = session.company_id
        today = fields.Date.context_today(self)
        cost = float(item.quantity * item.unit_price)
        if currency != company.currency_id:
            cost = currency._convert(cost, company.currency_id, company, today)
        vals = {
            "request_id": request.id,
            "product_id": product.id,
            "name": item.description or product.display_name,
            "specifications": item.longtext or False,
            "product_qty": float(item.quantity),
            "product_uom_id": uom.id,
            "estimated_cost": cost,
            "date_required": today + timedelta(days=item.leadtime or 0),
            "oci_session_id": session.id,
            "oci_vendormat": item.vendormat or False,
            "oci_aux_id": item.aux_id or False,
            "oci_matgroup": item.matgroup or False,
            "punchout_nzi_code_id": mapping.id if mapping else False,
            "oci_unit_code": item.unit or False,
            "oci_price_unit": float(item.unit_price),
            "oci_currency_id": currency.id,
            "oci_price_unit_qty": float(item.price_unit or 1),
            "oci_item_data": self._get_item_data(item),
            "oci_import_note": "; ".join(notes) or False,
            **self._prepare_item_options(session, item),
        }
        if mapping and mapping.analytic_distribution:
            vals["analytic_distribution"] = mapping.analytic_distribution
        return vals

    # ------------------------------------------------------------------
    # Currency
    # ------------------------------------------------------------------

    def _retrieve_currency(self, session, cart, items):
        """The one currency of the cart's ``items`` (ISO 4217 codes on the
        lines or the cart), else the RFQ's, else the shop's.

        :raises CartError: mixed, unknown or inactive currencies, or another
            currency than the RFQ the cart is added to.
        """
        codes = {(item.currency or cart.currency or "").upper() for item in items}
        codes.discard("")
        if not codes:
            return session.order_id.currency_id or self._get_shop_currency(session)
        if len(codes) > 1:
            raise CartError(
                _("The cart mixes currencies (%(codes)s); an RFQ has one currency."),
                code="mixed_currencies",
                codes=", ".join(sorted(codes)),
            )
        code = codes.pop()
        currency = (
            self.env["res.currency"]
            .sudo()
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency:
            raise CartError(
                _("The cart is in an unknown currency: %(currency)s."),
                code="unknown_currency",
                currency=code,
            )
        if not currency.active:
            raise CartError(
                _(
                    "The cart is in %(currency)s, which is not active in Odoo: a "
                    "manager must activate it first."
                ),
                code="inactive_currency",
                currency=code,
            )
        order = session.order_id
        if order and order.currency_id != currency:
            raise CartError(
                _(
                    "The cart is in %(currency)s but %(order)s is in "
                    "%(order_currency)s."
                ),
                code="currency_mismatch",
                currency=code,
                order=order.name,
                order_currency=order.currency_id.name,
            )
        return currency

    def _get_shop_currency(self, session):
        return session.webshop_id.sudo().currency_id or session.company_id.currency_id

    def _check_cart_currency(self, session, currency, items, notes):
        """Flag every line of a cart in another currency than the shop's
        (``notes``: ``{line_no: [text]}``, filled in place)."""
        expected = self._get_shop_currency(session)
        if currency == expected:
            return
        note = self.env._(
            "the cart is in %(currency)s, but %(shop)s quotes in "
            "%(shop_currency)s: check the prices with the shop",
            currency=currency.name,
            shop=session.webshop_id.name,
            shop_currency=expected.name,
        )
        for item in items:
            notes.setdefault(item.line_no, []).append(note)

    # ------------------------------------------------------------------
    # NZI codes, products, units
    # ------------------------------------------------------------------

    def _retrieve_nzi_codes(self, session, items):
        """``{line_no: punchout.nzi.code}`` for the items whose material group
        (NZI code) the webshop maps."""
        mappings = session.webshop_id.sudo().nzi_mapping_ids
        cache, result = {}, {}
        for item in items:
            code = item.matgroup
            if code and mappings:
                if code not in cache:
                    cache[code] = mappings._find(code)
                if cache[code]:
                    result[item.line_no] = cache[code]
        return result

    def _retrieve_products(self, session, items):
        """``{line_no: product}``: by the vendor's code, else by EXT_PRODUCT_ID
        (one search each).

        Only the session company's products and shared ones: a look-up never
        crosses companies, whatever companies the buyer may also work in.
        """
        partner = session.webshop_id.partner_id.commercial_partner_id
        companies = [False, session.company_id.id]
        codes = {item.vendormat for item in items if item.vendormat}
        by_code = {}
        if codes:
            infos = self.env["product.supplierinfo"].search(
                Domain("partner_id", "child_of", partner.id)
                & Domain("product_code", "in", list(codes))
                & Domain("company_id", "in", companies)
                & Domain("product_tmpl_id.company_id", "in", companies),
                order="sequence, id",
            )
            for info in infos:
                product = info.product_id or info.product_tmpl_id.product_variant_id
                if product and info.product_code not in by_code:
                    by_code[info.product_code] = product
        ext_ids = {
            item.ext_product_id
            for item in items
            if item.ext_product_id and item.vendormat not in by_code
        }
        by_ext = {}
        if ext_ids:
            for product in self.env["product.product"].search(
                Domain("default_code", "in", list(ext_ids))
                & Domain("company_id", "in", companies)
            ):
                by_ext.setdefault(product.default_code, product)
        result = {}
        for item in items:
            product = by_code.get(item.vendormat) or by_ext.get(item.ext_product_id)
            if product:
                result[item.line_no] = product
        return result

    def _retrieve_uoms(self, session, items, products=None, notes=None):
        """Map each item to an Odoo unit; return ``{line_no: uom}``.

        A supplier alias wins; else the UN/ECE Rec. 20 code (SAP and ISO
        aliases normalised) names an Odoo unit. A count of items (box, pack,
        pair, set, roll... or a code Odoo has no unit for) that no Odoo unit
        fits takes the product's unit, or Units for a new product: the shop's
        code stays on the line and ``notes`` (``{line_no: [text]}``, filled
        in place) says what was assumed. Only a measure (weight, volume,
        length, time) that cannot be the product's unit is refused.
        """
        products = products or {}
        notes = {} if notes is None else notes
        aliases = {
            a.code.strip().upper(): a.uom_id
            for a in session.webshop_id.sudo().unit_alias_ids
        }
        codes, wanted = {}, set()
        for item in items:
            raw = (item.unit or "").strip().upper()
            if raw not in aliases:
                codes[item.line_no] = unit_codes.normalise_unit(raw) if raw else "C62"
                wanted.add(codes[item.line_no])
        UoM = self.env["uom.uom"]
        found = UoM._oci_by_unece_code(wanted | {"C62"}) if wanted else {}
        result = {}
        for item in items:
            raw = (item.unit or "").strip().upper()
            if raw in aliases:
                result[item.line_no] = aliases[raw]
                continue
            product = products.get(item.line_no)
            result[item.line_no] = self._retrieve_uom(
                session, item, codes[item.line_no], found, product, notes
            )
        return result

    def _retrieve_uom(self, session, item, code, found, product, notes):
        """The Odoo unit of one item whose shop code is the UNECE ``code``
        (``found``: ``{code: uom}`` for the cart)."""
        info = unit_codes.unece_table().get(code)
        uom = found.get(code)
        product_uom = self._get_product_purchase_uom(session, product)
        if product_uom and not (item.unit or "").strip():
            return product_uom  # no unit stated: the product's own
        if uom and (not product_uom or product_uom._has_common_reference(uom)):
            return uom
        if info and info.is_measure or (uom and not (info and info.is_count)):
            # A weight, volume, length or time: never a number of pieces.
            raise CartError(
                _(
                    "Line %(line)s: unit %(unit)s (%(unit_name)s) cannot be the unit "
                    "of %(product)s, bought per %(product_unit)s. A purchase manager "
                    "can map the code on the webshop's unit aliases."
                )
                if product_uom
                else _(
                    "Line %(line)s: unit %(unit)s (%(unit_name)s) is a measure no "
                    "Odoo unit carries. A purchase manager can map it on the "
                    "webshop's unit aliases, or give an Odoo unit this UNECE code."
                ),
                code="unknown_unit",
                line=item.line_no,
                unit=item.unit or code,
                unit_name=info.name if info else code,
                product=product.display_name if product else "",
                product_unit=product_uom.name or "",
            )
        target = product_uom or found.get("C62") or self.env.ref("uom.product_uom_unit")
        if info and info.is_count:
            note = self.env._(
                "the shop's unit %(unit)s (%(unit_name)s) was taken as one %(uom)s",
                unit=item.unit,
                unit_name=info.name,
                uom=target.name,
            )
        else:
            note = self.env._(
                "the shop's unit %(unit)s is not a known count of items; it was "
                "taken as one %(uom)s: check the quantity",
                unit=item.unit,
                uom=target.name,
            )
        notes.setdefault(item.line_no, []).append(note)
        return target

    def _get_product_purchase_uom(self, session, product):
        """The unit ``product`` is bought in from the webshop's vendor."""
        if not product:
            return self.env["uom.uom"]
        partner = session.webshop_id.partner_id.commercial_partner_id
        seller = product.seller_ids.filtered(
            lambda s: s.partner_id.commercial_partner_id == partner
            and s.company_id in (session.company_id, s.company_id.browse())
            and s.product_uom_id
        )[:1]
        return seller.product_uom_id or product.uom_id

    # ------------------------------------------------------------------
    # Taxes
    # ------------------------------------------------------------------

    def _get_cart_tax_rate(self, session, item):
        """The VAT percentage (``Decimal``) the cart states for ``item`` (cXML
        Tax, or the OCI field the webshop names), or ``None``."""
        if item.tax_rate is not None:
            return item.tax_rate
        field_name = session.webshop_id.sudo().tax_rate_field
        if not field_name:
            return None
        if field_name.startswith("CUST_FIELD"):
            value = (item.cust_fields or {}).get(int(field_name[len("CUST_FIELD") :]))
        else:
            value = getattr(item, field_name.lower(), "")
        return parse_tax_rate(value or "")

    def _retrieve_product_taxes(self, session, items, rates, mappings):
        """``{line_no: tax}`` for new products: the purchase tax of the rate
        the cart states, else the NZI mapping's (one search for the cart)."""
        wanted = {float(rate) for rate in rates.values() if rate is not None}
        by_rate = {}
        if wanted:
            company = session.company_id
            default = company.account_purchase_tax_id
            candidates = (
                self.env["account.tax"]
                .sudo()
                .search(
                    Domain("company_id", "=", company.id)
                    & Domain("type_tax_use", "=", "purchase")
                    & Domain("amount_type", "=", "percent")
                    & Domain("amount", "in", list(wanted)),
                    order="sequence, id",
                )
            )
            # The company's default purchase tax first, then plain (not
            # price-included, not reverse-charge) taxes.
            for tax in candidates.sorted(
                lambda t: (
                    t != default,
                    t.price_include,
                    len(t.invoice_repartition_line_ids) > 2,
                )
            ):
                by_rate.setdefault(tax.amount, tax)
        result = {}
        for item in items:
            rate = rates.get(item.line_no)
            tax = by_rate.get(float(rate)) if rate is not None else None
            mapping = mappings.get(item.line_no)
            if rate is None and mapping and mapping.tax_id:
                tax = mapping.sudo().tax_id
            if tax:
                result[item.line_no] = tax
        return result

    @api.model
    def _get_vendor_taxes(self, order, products):
        """Vendor taxes per product id (``products``: ``{id: product}``), as
        Odoo's ``_compute_tax_id`` sets them, computed once per product:
        given to ``create()``, they spare Odoo its per-line onchange."""
        company = order.company_id
        fpos = (
            order.fiscal_position_id
            or order.fiscal_position_id._get_fiscal_position(order.partner_id)
        )
        return {
            product_id: fpos.map_tax(
                product.with_company(
                    company
                ).supplier_taxes_id._filter_taxes_by_company(company)
            )
            for product_id, product in products.items()
        }

    def _check_line_tax(self, item, rate, taxes, is_new, mapping=None):
        """A remark on a line whose VAT the cart does not confirm, or ``None``.

        An existing product keeps Odoo's taxes, flagged only when the cart
        states another rate; a new product's tax is flagged unless the cart
        or the NZI mapping gave it.
        """
        names = ", ".join(taxes.mapped("name")) or self.env._("no tax")
        if rate is None:
            if not is_new or (mapping and mapping.sudo().tax_id):
                return None
            return self.env._(
                "the cart states no VAT rate; %(taxes)s was applied: check it",
                taxes=names,
            )
        applied = sum(
            taxes.filtered(lambda t: t.amount_type == "percent").mapped("amount")
        )
        if abs(applied - float(rate)) < 0.005:
            return None
        return self.env._(
            "the cart states VAT %(rate)s%%, the line has %(taxes)s: check it",
            rate=f"{rate:f}".rstrip("0").rstrip("."),
            taxes=names,
        )

    # ------------------------------------------------------------------
    # New products
    # ------------------------------------------------------------------

    def _create_products(self, session, items, uoms, mappings, currency, taxes=None):
        """Create the products of the ``items`` no product matched; return
        ``{line_no: product}`` (one product per distinct vendor code).

        :raises CartError: the webshop may not create products.
        """
        supplier = session.webshop_id.sudo()
        if not supplier.allow_create_products:
            raise CartError(
                _(
                    "Line %(line)s (%(vendor_code)s %(name)s) matches no product, and "
                    "this webshop may not create products."
                ),
                code="unknown_product",
                line=items[0].line_no,
                vendor_code=items[0].vendormat or "-",
                name=items[0].description,
            )
        # Two carts of one shop imported at once must not create the same new
        # product twice: touch the shop's row, so the second transaction
        # fails to serialize, and Odoo's request retry runs it again on a
        # fresh snapshot that sees the products the first one created.
        with mute_logger("odoo.sql_db"):  # a serialization failure is expected
            self.env.cr.execute(
                "UPDATE punchout_webshop SET write_date = write_date WHERE id = %s",
                [supplier.id],
            )
        # One product per distinct vendor code; lines without a code get their own.
        vals_by_key, keys = {}, {}
        for item in items:
            key = item.vendormat or f"line:{item.line_no}"
            keys[item.line_no] = key
            if key in vals_by_key:
                continue
            vals_by_key[key] = self._prepare_product_vals(
                session,
                item,
                uoms[item.line_no],
                mappings.get(item.line_no),
                currency,
                tax=(taxes or {}).get(item.line_no),
            )
        products = (
            self.env["product.product"]
            .sudo()
            .with_company(session.company_id)
            .create(list(vals_by_key.values()))
        )
        by_key = dict(zip(vals_by_key, products, strict=True))
        return {line_no: by_key[key].sudo(False) for line_no, key in keys.items()}

    def _prepare_product_vals(self, session, item, uom, mapping, currency, tax=None):
        """The ``product.product`` values of a cart item no product matched,
        with the webshop's vendor as its seller."""
        supplier = session.webshop_id.sudo()
        company = session.company_id
        categ = (mapping and mapping.categ_id) or supplier.default_categ_id
        vals = {
            "name": (item.description or item.vendormat or item.line_no)[:256],
            "type": "consu",
            "purchase_ok": True,
            "sale_ok": False,
            "uom_id": uom.id,
            "company_id": company.id,
            "seller_ids": [
                Command.create(
                    {
                        "partner_id": supplier.partner_id.id,
                        "product_code": item.vendormat or False,
                        "product_name": (item.description or "")[:256] or False,
                        "price": float(item.unit_price),
                        "currency_id": currency.id,
                        "company_id": company.id,
                        "delay": item.leadtime or 0,
                    }
                )
            ],
        }
        if categ:
            vals["categ_id"] = categ.id
        if tax:
            vals["supplier_taxes_id"] = [Command.set(tax.ids)]
        if item.ext_product_id:
            vals["default_code"] = item.ext_product_id[:64]
        return vals

    # ------------------------------------------------------------------
    # The RFQ and its lines
    # ------------------------------------------------------------------

    def _get_or_create_order(self, session, currency):
        if session.order_id:
            return self._lock_draft_order(session.order_id)
        return self.env["purchase.order"].create(
            self._prepare_order_vals(session, currency)
        )

    def _lock_draft_order(self, order):
        """Lock ``order`` and check it is still an RFQ: it may have been
        confirmed since the punchout started (or since the cart was refused)."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = %s FOR UPDATE",
                SQL.identifier(order._table),
                order.id,
            ),
            log_exceptions=False,
        )
        order.invalidate_recordset(["state"])
        if order.state not in ("draft", "sent"):
            raise CartError(
                _(
                    "%(order)s is no longer a draft RFQ: the cart cannot be added "
                    "to it. Start a new punchout from Odoo."
                ),
                code="order_not_draft",
                order=order.name,
            )
        return order

    def _prepare_order_vals(self, session, currency):
        """The values of a new draft RFQ: the webshop's vendor, the buyer,
        the request's operation type, the orderer's location and cost center."""
        supplier = session.webshop_id
        request = session.request_id
        vals = {
            "partner_id": supplier.partner_id.id,
            "company_id": session.company_id.id,
            "currency_id": currency.id,
            "user_id": session.user_id.id,
            "oci_webshop_id": supplier.id,
            "origin": request.name or False,
        }
        if request.picking_type_id:
            vals["picking_type_id"] = request.picking_type_id.id
        orderer = session._oci_orderer()
        if orderer.default_location_id:
            vals["oci_location_id"] = orderer.default_location_id.id
        if orderer.cost_center:
            vals["oci_cost_center"] = orderer.cost_center
        return vals

    def _prepare_order_line_vals(
        self,
        session,
        order,
        item,
        product,
        uom,
        mapping=None,
        taxes=None,
        rate=None,
        is_new=False,
        notes=(),
    ):
        """The ``purchase.order.line`` values of one cart item.

        :param mapping: the item's ``punchout.nzi.code`` (its analytic
            distribution), or ``None``.
        :param taxes: the product's vendor taxes, mapped by the RFQ's fiscal
            position (``_get_vendor_taxes``); ``None``: computed here.
        :param rate: the VAT percentage the cart states, or ``None``.
        :param is_new: whether the import created the product.
        :param notes: what the import assumed for the line so far (texts);
            a remark on its VAT is added, all go to ``oci_import_note``.
        """
        if taxes is None:
            taxes = self._get_vendor_taxes(order, {product.id: product})[product.id]
        name = item.description or product.display_name
        if item.longtext and item.longtext.strip() != name.strip():
            name = f"{name}\n{item.longtext}"
        tax_note = self._check_line_tax(item, rate, taxes, is_new, mapping)
        notes = [*notes, tax_note] if tax_note else list(notes)
        vals = {
            "order_id": order.id,
            "product_id": product.id,
            "name": name,
            "product_qty": float(item.quantity),
            "product_uom_id": uom.id,
            "price_unit": float(item.unit_price),
            "oci_vendormat": item.vendormat or False,
            "oci_aux_id": item.aux_id or False,
            "oci_matgroup": item.matgroup or False,
            "punchout_nzi_code_id": mapping.id if mapping else False,
            "oci_unit_code": item.unit or False,
            "oci_price_unit_qty": float(item.price_unit or 1),
            "oci_item_data": self._get_item_data(item),
            **self._prepare_item_options(session, item),
            "date_planned": (order.date_order or fields.Datetime.now())
            + timedelta(days=item.leadtime or 0),
            "tax_ids": [Command.set(taxes.ids)],
            "oci_import_note": "; ".join(notes) or False,
            "oci_session_id": session.id,
        }
        if mapping and mapping.analytic_distribution:
            vals["analytic_distribution"] = mapping.analytic_distribution
        return vals

    def _prepare_item_options(self, session, item):
        """The business-account options a cart item carries: card text, logo
        code and delivery location code (cXML extrinsics, or the OCI
        CUST_FIELDs the webshop names)."""
        if session.protocol == "cxml":
            extrinsics = item.extrinsics
            return {
                "oci_card_text": extrinsics.get("CardText") or False,
                "oci_logo": extrinsics.get("Logo") or False,
                "oci_location_code": extrinsics.get("DeliveryLocation") or False,
            }
        supplier = session.webshop_id
        cust = item.cust_fields or {}

        def cust_value(field_name):
            if not field_name or not field_name.startswith("CUST_FIELD"):
                return False
            return cust.get(int(field_name[len("CUST_FIELD") :])) or False

        return {
            "oci_card_text": cust_value(supplier.card_text_field),
            "oci_logo": cust_value(supplier.logo_field),
            "oci_location_code": cust_value(supplier.location_field),
        }

    @api.model
    def _get_item_data(self, item):
        """The cart line as the shop sent it (JSON-safe), kept on the RFQ line."""
        data = {}
        for key, value in vars(item).items():
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, dict):
                value = {str(k): v for k, v in value.items()}
            if value not in ("", None, {}, []):
                data[key] = value
        return data

    def _post_line_notes(self, session, order, lines):
        """Tell the buyer and purchasing, on the RFQ, what the import assumed."""
        noted = lines.filtered("oci_import_note")
        if not noted:
            return
        order.message_post(
            body=self.env._(
                "Punchout %(session)s: check %(count)s line(s): %(lines)s",
                session=session.name,
                count=len(noted),
                lines="; ".join(
                    f"{line.product_id.display_name}: {line.oci_import_note}"
                    for line in noted
                ),
            ),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------
    # Header amounts: shipping, total, tax
    # ------------------------------------------------------------------

    def _add_cart_charges(self, session, order, cart):
        """The shipping a cXML cart charges in its header, as an RFQ line of
        the webshop's shipping product; return the lines made."""
        shipping = cart.extra.get("shipping") if cart.protocol == "cxml" else None
        lines = self.env["purchase.order.line"]
        if not shipping:
            return lines
        product = session.webshop_id.sudo().shipping_product_id
        if not product:
            order.message_post(
                body=self.env._(
                    "Punchout %(session)s: the cart charges %(amount)s %(currency)s "
                    "shipping, and the webshop names no shipping product: add it "
                    "to the RFQ by hand.",
                    session=session.name,
                    amount=shipping,
                    currency=order.currency_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return lines
        taxes = self._get_vendor_taxes(order, {product.id: product})[product.id]
        return lines.create(
            {
                "order_id": order.id,
                "product_id": product.id,
                "name": product.display_name,
                "product_qty": 1,
                "product_uom_id": product.uom_id.id,
                "price_unit": float(shipping),
                "tax_ids": [Command.set(taxes.ids)],
                "date_planned": order.date_order or fields.Datetime.now(),
                "oci_session_id": session.id,
            }
        )

    # ------------------------------------------------------------------
    # Edited cart: which lines it replaces
    # ------------------------------------------------------------------

    def _retrieve_replaced_lines(self, session, order):
        """The lines of ``order`` (locked, still a draft) that the cart of
        ``session`` replaces: for an edit, every line from this webshop's
        earlier carts (items and charges), whoever's punchout brought them;
        lines added by hand in Odoo are never replaced, nor those of a
        punchout started after the edit (another tab's cart, not in the
        shop's edit cart). Empty for a new cart.

        :raises CartError: ``edited_since``: an edit started after this one
            already replaced the cart this one edits (two tabs).
        """
        if session.operation != "edit":
            return self.env["purchase.order.line"]
        lines = order._oci_cart_lines(session.webshop_id, charges=True)
        later_edit = lines.oci_session_id.sudo().filtered(
            lambda s: s.operation == "edit" and s.id > session.id
        )
        if later_edit:
            raise CartError(
                _(
                    "The cart of %(order)s was edited in another tab since "
                    "(punchout %(session)s): this edit is out of date. Edit the "
                    "cart again from Odoo."
                ),
                code="edited_since",
                order=order.name,
                session=later_edit[0].name,
            )
        return lines.filtered(lambda pl: pl.oci_session_id.id < session.id)

    def _import_emptied_cart(self, session):
        """The buyer removed everything from the cart of an edit session:
        the RFQ's lines of this webshop's earlier carts are removed (with
        their purchase request links), lines added by hand stay; the RFQ's
        chatter says so. Returns the RFQ.

        :raises CartError: as :meth:`_retrieve_replaced_lines`, or when the
            RFQ is no longer a draft.
        """
        order = self._lock_draft_order(session.order_id)
        replaced = self._retrieve_replaced_lines(session, order)
        replaced.sudo().purchase_request_allocation_ids.unlink()
        replaced.unlink()
        order.message_post(
            body=self.env._(
                "The %(shop)s cart was emptied in the shop (punchout "
                "%(session)s): %(removed)s line(s) removed; lines added by hand "
                "stay.",
                shop=session.webshop_id.name,
                session=session.name,
                removed=len(replaced),
            ),
            author_id=session.user_id.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        return order

    def _replace_cart_lines(self, session, replaced, lines):
        """Put the edited cart's ``lines`` in the place of ``replaced``;
        return the RFQ's chatter note (what changed).

        A new line takes the place of the old line with the same shop line
        reference (cXML ``SupplierPartAuxiliaryID``, the OCI field the
        webshop names), else of one with the same vendor code: it takes its
        purchase request links (allocations in the new quantity). Old lines
        the cart no longer has are removed, with their links; new lines
        without a predecessor are additions, linked to a request line of
        their product (``purchase.request._oci_allocate_added_lines``).
        """
        Request = self.env["purchase.request"].sudo()
        left = replaced.filtered("oci_item_data")
        pairs = {}  # new line -> the old line it takes the place of
        for key in ("oci_aux_id", "oci_vendormat"):
            # The old lines still unpaired, per value of ``key``, in order:
            # one dictionary look-up per new line.
            candidates = {
                value: list(group) for value, group in left.grouped(key).items()
            }
            for line in lines:
                if line not in pairs and line[key] and candidates.get(line[key]):
                    pairs[line] = candidates[line[key]].pop(0)
            taken = {old.id for old in pairs.values()}
            left = left.filtered(lambda pl, taken=taken: pl.id not in taken)
        for new, old in pairs.items():
            Request._oci_move_allocations(old.sudo(), new.sudo())
        paired = self.env["purchase.order.line"].union(*pairs)
        Request._oci_allocate_added_lines(replaced.sudo(), (lines - paired).sudo())
        changed = [
            new
            for new, old in pairs.items()
            if old.product_id != new.product_id
            or old.product_uom_id.compare(old.product_qty, new.product_qty)
            or old.currency_id.compare_amounts(old.price_unit, new.price_unit)
            or (old.oci_card_text or "") != (new.oci_card_text or "")
            or (old.oci_location_code or "") != (new.oci_location_code or "")
            or (old.oci_logo or "") != (new.oci_logo or "")
        ]
        added = len(lines) - len(pairs)
        # The links of the lines the cart no longer has go with them (through
        # the ORM: the requests' quantities in progress are recomputed).
        replaced.sudo().purchase_request_allocation_ids.unlink()
        replaced.unlink()
        return self.env._(
            "The %(shop)s cart was edited (punchout %(session)s): %(changed)s "
            "line(s) changed, %(removed)s removed, %(added)s added, %(kept)s "
            "unchanged; lines added by hand stay.",
            shop=session.webshop_id.name,
            session=session.name,
            changed=len(changed),
            removed=len(left),
            added=added,
            kept=len(pairs) - len(changed),
        )

    def _check_cart_total(self, session, order, cart, lines, charges):
        """Note on the RFQ when the cart's Total is none of the amounts of the
        lines it made (excluding or including tax, with or without its
        shipping ``charges``), or its Tax is not theirs."""
        self._check_cart_tax(session, order, cart, lines | charges)
        if cart.total is None:
            return
        untaxed = sum((lines | charges).mapped("price_subtotal"))
        total = sum((lines | charges).mapped("price_total"))
        rounding = order.currency_id.rounding * (len(lines) + len(charges))
        shipping = sum(charges.mapped("price_subtotal"))
        amounts = {untaxed, total, untaxed - shipping, total - shipping}
        if any(abs(float(cart.total) - amount) <= rounding for amount in amounts):
            return
        order.message_post(
            body=self.env._(
                "Punchout %(session)s: the cart's total is %(cart_total)s "
                "%(currency)s, the RFQ's lines from it come to %(untaxed)s "
                "(%(total)s with tax): check the prices with the shop.",
                session=session.name,
                cart_total=cart.total,
                currency=order.currency_id.name,
                untaxed=order.currency_id.round(untaxed),
                total=order.currency_id.round(total),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _check_cart_tax(self, session, order, cart, lines):
        tax = cart.extra.get("tax") if cart.protocol == "cxml" else None
        if tax is None:
            return
        ours = sum(lines.mapped("price_tax"))
        rounding = order.currency_id.rounding * max(len(lines), 1)
        if abs(float(tax) - ours) <= rounding:
            return
        order.message_post(
            body=self.env._(
                "Punchout %(session)s: the cart's tax is %(cart_tax)s %(currency)s, "
                "the RFQ's lines from it have %(tax)s: check their taxes.",
                session=session.name,
                cart_tax=tax,
                currency=order.currency_id.name,
                tax=order.currency_id.round(ours),
            ),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------
    # Business-account options
    # ------------------------------------------------------------------

    def _apply_orderer_options(self, session, order, lines):
        """The business account's options on the cart's new ``lines`` (the
        shipping lines included): delivery locations, card logos, the
        orderer's department and assortment; a note of what needs the
        buyer's attention (unknown locations, assortment, budget)."""
        orderer = session._oci_orderer()
        notes = []
        notes += self._apply_cart_locations(session, orderer, lines)
        self._apply_cart_logos(session, lines)
        self._apply_department(orderer, lines)
        notes += self._flag_assortment(session, orderer, lines)
        excess = order._webshop_budget_excess()
        if excess:
            notes.append(order._webshop_budget_text(excess))
        if notes:
            order.message_post(
                body=self.env._(
                    "Punchout %(session)s: %(notes)s",
                    session=session.name,
                    notes=" ".join(notes),
                ),
                author_id=session.user_id.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )

    def _apply_cart_locations(self, session, orderer, lines):
        """Link the lines to the delivery locations their cart codes name.

        Codes are compared as the shop may spell them (case, spaces,
        invisible characters). A code that names no address refuses the cart
        when the buyer's orderer line restricts their delivery locations;
        otherwise it is the shop's own code, kept on the line and noted.
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
            & Domain("company_id", "in", [False, session.company_id.id])
        )
        by_code = {normalise_location_code(p.oci_location_code): p for p in partners}
        unknown = sorted(raw for raw, key in codes.items() if key not in by_code)
        if unknown and orderer.location_ids:
            raise CartError(
                _(
                    "The cart names the delivery location %(codes)s, which is not "
                    "one of %(user)s's delivery locations."
                ),
                code="location_not_allowed",
                user=session.user_id.name,
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
                    user=session.user_id.name,
                    location=partner.display_name,
                    location_code=partner.oci_location_code,
                )
        # One write per location, not per line.
        lines_by_partner = lines.grouped(
            lambda line: by_code.get(codes.get(line.oci_location_code))
        )
        for partner, partner_lines in lines_by_partner.items():
            if partner:
                partner_lines.write(
                    {
                        "oci_location_id": partner.id,
                        "oci_location_code": partner.oci_location_code,
                    }
                )
        if not unknown:
            return []
        return [
            self.env._(
                "delivery location code(s) %(codes)s match no address: choose the "
                "delivery location on the lines.",
                codes=", ".join(unknown),
            )
        ]

    def _apply_cart_logos(self, session, lines):
        codes = {code for code in lines.mapped("oci_logo") if code}
        if not codes:
            return
        logos = self.env["webshop.logo"].search(
            [("code", "in", list(codes)), ("company_id", "=", session.company_id.id)]
        )
        for logo in logos:
            lines.filtered(lambda pl, c=logo.code: pl.oci_logo == c).oci_logo_id = logo

    def _apply_department(self, orderer, lines):
        department = orderer.analytic_account_id
        if department:
            lines.filtered(lambda pl: not pl.analytic_distribution).write(
                {"analytic_distribution": {str(department.id): 100}}
            )

    def _flag_assortment(self, session, orderer, lines):
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
                user=session.user_id.name,
                lines=", ".join(flagged),
            )
        ]
