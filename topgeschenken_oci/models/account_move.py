# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import difflib
import re
import time

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import float_compare, float_is_zero

from odoo.addons.purchase.models.account_invoice import TOLERANCE

from ..protocol import invoice_refs, xmlsafe
from ..protocol import units as unit_codes
from ..protocol.errors import UnsafeXMLError

MATCH_STATES = [
    ("matched", "Matched"),
    ("partial", "Partially matched"),
    ("price_deviation", "Price deviation"),
    ("qty_deviation", "Quantity deviation"),
    ("unknown_order", "Unknown order"),
    ("ambiguous", "Ambiguous"),
    ("accepted", "Deviation accepted"),
]
#: Match states an accountant has to look at.
REVIEW_STATES = (
    "partial",
    "price_deviation",
    "qty_deviation",
    "unknown_order",
    "ambiguous",
)
#: States whose deviation an accountant may accept.
ACCEPTABLE_STATES = ("partial", "price_deviation", "qty_deviation")
#: Minimal similarity of an invoice line's description to an order line's.
DESCRIPTION_RATIO = 0.8
#: Characters of a description compared (difflib is quadratic in the length).
DESCRIPTION_LENGTH = 200
#: Description comparisons one bill may make (lines x order lines x 2).
DESCRIPTION_COMPARISONS = 20000
#: Bill lines whose descriptions are searched for an order number.
TEXT_LINES = 100
#: Order-number candidates one bill is searched with (most reliable first).
MAX_REFERENCES = 200

_CODE_PREFIX_RE = re.compile(r"^\s*\[[^\]]*\]")


def _norm_code(code):
    """A vendor item code for comparing: no spaces, any case; a code of
    digits without its padding zeros (SAP's ``000000000000078915``)."""
    code = "".join((code or "")[:100].split()).casefold()
    if code.isascii() and code.isdigit():
        return code.lstrip("0") or "0"
    return code


def _norm_text(text):
    text = (text or "")[: DESCRIPTION_LENGTH * 5].split("\n", 1)[0]
    text = _CODE_PREFIX_RE.sub("", text)
    return " ".join(text.split()).casefold()[:DESCRIPTION_LENGTH]


class AccountMove(models.Model):
    _inherit = "account.move"

    oci_match_state = fields.Selection(
        MATCH_STATES,
        string="Match status",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="How the imported bill matched its purchase orders.",
    )
    oci_match_reason = fields.Text(string="Match result", readonly=True, copy=False)
    oci_order_ids = fields.Many2many(
        "purchase.order",
        "account_move_oci_order_rel",
        "move_id",
        "order_id",
        string="Matched orders",
        readonly=True,
        copy=False,
        check_company=True,
    )
    oci_order_refs = fields.Char(
        string="Order references",
        readonly=True,
        copy=False,
        help="The order numbers the e-invoice gave, as read from it.",
    )
    oci_edi_refs = fields.Json(
        string="Order reference texts (e-invoice)", readonly=True, copy=False
    )
    oci_matched_by_total = fields.Boolean(
        string="Order found by total",
        readonly=True,
        copy=False,
        help="The order was found by the vendor and the total alone, with no "
        "order number: such a bill is never posted automatically.",
    )

    # ------------------------------------------------------------------
    # Hook into Odoo's bill -> purchase order matching
    # ------------------------------------------------------------------

    # EXTENDS purchase
    def _find_and_set_purchase_orders(
        self, po_references, partner_id, amount_total, from_ocr=False, timeout=10
    ):
        self.ensure_one()
        if self.is_purchase_document() and not self.partner_id:
            # Without a known vendor no order is linked, not even by Odoo.
            if self._oci_matching_applies():
                self._oci_match(timeout=timeout)
            return None
        if from_ocr or not self._oci_matching_applies():
            return super()._find_and_set_purchase_orders(
                po_references,
                partner_id,
                amount_total,
                from_ocr=from_ocr,
                timeout=timeout,
            )
        refs = dict(self.oci_edi_refs or {})
        refs["text"] = invoice_refs.cap_texts([self.invoice_origin])
        self.oci_edi_refs = refs
        self._oci_match(timeout=timeout)
        return None

    # EXTENDS account
    def _get_edi_decoder(self, file_data, new=False):
        """An XML attachment of a bill that Odoo's parser could not read gets
        a decoder of the lowest priority that only says why (in the chatter,
        as Odoo does for a decoder's refusal): the bill stays empty, the
        attachment kept. Every other decoder comes first."""
        decoder = super()._get_edi_decoder(file_data, new=new)
        if (
            decoder is None
            and file_data.get("xml_tree") is None
            and self.is_purchase_document(include_receipts=True)
            and self._oci_is_xml_file(file_data)
        ):
            return {"priority": 1, "decoder": self._oci_decode_unreadable_xml}
        return decoder

    def _oci_is_xml_file(self, file_data):
        """Whether Odoo reads ``file_data`` as XML (its ``_get_xml_tree``)."""
        mimetype = file_data.get("mimetype") or ""
        name = (file_data.get("name") or "").lower()
        return mimetype.endswith("/xml") or (
            "text/plain" in mimetype and name.endswith(".xml")
        )

    def _oci_decode_unreadable_xml(self, invoice, file_data, new=False):
        """Why an XML attachment could not be read (a decoder's refusal):
        the reason the XML gate (``protocol.xmlsafe``) gives, such as a DTD
        internal subset (entity expansion), or a general one."""
        try:
            xmlsafe.parse_xml(file_data.get("raw"))
        except UnsafeXMLError as error:
            reason = self.env._(error.message, **error.params)  # pylint: disable=translation-not-lazy
            return self.env._(
                "the XML document cannot be read: %(reason)s", reason=reason
            )
        return self.env._("the XML document cannot be read.")

    def _oci_matching_applies(self):
        """Whether the addon matches this bill: a vendor with a webshop, or
        matching switched on for the vendor or the company. Other bills keep
        Odoo's own matching."""
        self.ensure_one()
        if self.env.context.get("oci_native_matching"):
            return False
        if not self.is_purchase_document():
            return False
        if self.company_id.oci_invoice_matching:
            return True
        vendor = self.partner_id.commercial_partner_id
        return bool(vendor) and bool(
            vendor.oci_invoice_matching or self._oci_supplier()
        )

    # EXTENDS account
    def _autopost_bill(self):
        self.ensure_one()
        if not self.oci_match_state:
            return super()._autopost_bill()
        refusal = self._oci_autopost_refusal()
        if refusal is None:
            return None
        if refusal:
            self.message_post(
                body=self.env._("Not posted automatically: %(reason)s", reason=refusal)
            )
            return None
        if self.partner_id.autopost_bills == "always":
            return super()._autopost_bill()
        try:
            with self.env.cr.savepoint():
                self.action_post()
        except (UserError, ValidationError) as error:
            self.message_post(
                body=self.env._(
                    "Matched, but not posted automatically: %(error)s",
                    error=str(error),
                )
            )
        return None

    def _oci_autopost_refusal(self):
        """Why this matched bill is not posted automatically: None when no one
        asked for it (the vendor's and the webshop's settings), a reason, or
        False to post. The match decides first; Odoo's conditions (company and
        vendor settings, duplicates, abnormal amounts) hold as well."""
        self.ensure_one()
        partner = self.partner_id
        if (
            self.state != "draft"
            or not partner
            or not self.company_id.autopost_bills
            or partner.autopost_bills == "never"
            or self.restrict_mode_hash_table
        ):
            return None
        if not (
            partner.autopost_bills == "always" or self._oci_supplier().match_auto_post
        ):
            return None
        if self.oci_match_state != "matched":
            state = dict(self._fields["oci_match_state"].selection)
            return self.env._(
                "the order match needs review (%(state)s).",
                state=state[self.oci_match_state],
            )
        if self.oci_matched_by_total:
            return self.env._(
                "the order was found by the total alone, the invoice names no "
                "order number."
            )
        if self.abnormal_amount_warning:
            return self.env._("the amount is unusual for this vendor.")
        if self.duplicated_ref_ids:
            return self.env._("a potential duplicate was detected.")
        return False

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    def _oci_supplier(self):
        self.ensure_one()
        return self.env["punchout.webshop"]._for_bill_partner(
            self.partner_id, self.company_id
        )

    def _oci_matchable_lines(self):
        """The bill's item lines (not the e-invoice's rounding line)."""
        return self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and not line.oci_edi_rounding
        )

    def _oci_order_sequences(self):
        """(prefix, padding) of the company's purchase order numbering
        (``("P", 5)``); sequences with date codes in the prefix are left out."""
        sequences = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [
                    ("code", "=", "purchase.order"),
                    ("company_id", "in", [self.company_id.id, False]),
                ]
            )
        )
        return [
            (s.prefix, s.padding) for s in sequences if s.prefix and "%" not in s.prefix
        ]

    def _oci_order_prefixes(self):
        """Prefixes of the company's purchase order numbers (``P``)."""
        return [prefix for prefix, _padding in self._oci_order_sequences()]

    def _oci_tokens(self, values, prefixes):
        found = []
        for value in invoice_refs.cap_texts(values):
            for part in invoice_refs.split_refs(value):
                found += invoice_refs.candidates(part, prefixes=prefixes)
        return list(dict.fromkeys(found))

    def _oci_reference_sources(self, prefixes):
        """[(source label, order-number tokens, the tokens that may be an
        order number without its prefix)], most reliable source first.

        A bare number (``31`` for ``P00031``) counts in the order reference,
        and in the buyer reference only when it is the whole value (there it
        is often a cost center written in a sentence)."""
        edi = self.oci_edi_refs or {}
        lines = self._oci_matchable_lines()[:TEXT_LINES]
        order_tokens = self._oci_tokens(edi.get("order"), prefixes)
        buyer_tokens = self._oci_tokens(edi.get("buyer"), prefixes)
        whole = {value.strip() for value in invoice_refs.cap_texts(edi.get("buyer"))}
        return [
            (
                self.env._("the order reference"),
                order_tokens,
                set(order_tokens),
            ),
            (
                self.env._("the buyer reference"),
                buyer_tokens,
                {token for token in buyer_tokens if token in whole},
            ),
            (
                self.env._("the payment reference"),
                self._oci_tokens(edi.get("payment"), prefixes),
                set(),
            ),
            (
                self.env._("the accounting cost reference"),
                self._oci_tokens(edi.get("accounting_cost"), prefixes),
                set(),
            ),
            (
                self.env._("the invoice note"),
                self._oci_tokens(edi.get("note"), prefixes),
                set(),
            ),
            (
                self.env._("the order number in the invoice text"),
                self._oci_tokens(
                    (edi.get("text") or []) + lines.mapped("name"), prefixes
                ),
                set(),
            ),
        ]

    def _oci_is_own_order_number(self, token, prefixes):
        """Whether ``token`` has the form of our order numbers (``P00023``)."""
        return any(
            re.fullmatch(re.escape(prefix) + r"[0-9]+", token, re.IGNORECASE)
            for prefix in prefixes
        )

    def _oci_supplier_order_refs(self):
        """Values that may be the supplier's order number (PO ``partner_ref``)."""
        edi = self.oci_edi_refs or {}
        values = []
        for value in invoice_refs.cap_texts(
            (edi.get("sales_order") or []) + (edi.get("order") or [])
        ):
            values += [ref.strip() for ref in invoice_refs.split_refs(value)]
        return list(dict.fromkeys(values))

    def _oci_order_domain(self):
        return Domain(
            [("company_id", "=", self.company_id.id), ("state", "=", "purchase")]
        )

    def _oci_resolve_references(self, tokens, supplier_refs, bare_tokens=()):
        """{reference: purchase orders it names}, in one search.

        A short form names the order it abbreviates (``P31``: ``P00031``), a
        bare number in ``bare_tokens`` too (``31``); a reference that fits
        several orders names them all, for the caller to refuse."""
        orders = self.env["purchase.order"]
        if not tokens and not supplier_refs:
            return {}
        sequences = self._oci_order_sequences()
        variants = {
            token: invoice_refs.order_names(token, sequences, bare=token in bare_tokens)
            for token in tokens
        }
        names = {
            form
            for names in variants.values()
            for name in names
            for form in (name, name.upper())
        }
        names |= set(tokens)
        domain = Domain("name", "in", list(names))
        vendor = self.partner_id.commercial_partner_id
        if supplier_refs and vendor:
            domain |= Domain("partner_ref", "in", supplier_refs) & Domain(
                "partner_id", "child_of", vendor.id
            )
        orders = orders.search(self._oci_order_domain() & domain)
        resolved = {}
        for token in tokens:
            keys = variants[token]
            found = orders.filtered(lambda o, keys=keys: o.name.casefold() in keys)
            if found:
                resolved[token] = found
        for ref in supplier_refs:
            key = ref.casefold()
            found = orders.filtered(
                lambda o, key=key: (o.partner_ref or "").strip().casefold() == key
                and o.partner_id.commercial_partner_id == vendor
            )
            if found:
                resolved[ref] = resolved.get(ref, orders.browse()) | found
        return resolved

    def _oci_orders_by_total(self):
        """Open orders of the vendor with this bill's total (Odoo's last resort)."""
        if not self.partner_id or not self.amount_total:
            return self.env["purchase.order"]
        return self.env["purchase.order"].search(
            self._oci_order_domain()
            & Domain(
                [
                    ("invoice_status", "in", ("to invoice", "no")),
                    (
                        "partner_id",
                        "child_of",
                        self.partner_id.commercial_partner_id.id,
                    ),
                    ("amount_total", ">=", self.amount_total - TOLERANCE),
                    ("amount_total", "<=", self.amount_total + TOLERANCE),
                ]
            )
        )

    def _oci_credited_order_lines(self):
        """The order lines billed by the invoices this credit note corrects
        (``BillingReference``): posted bills of the same vendor."""
        edi = self.oci_edi_refs or {}
        refs = [
            ref.strip()
            for ref in invoice_refs.cap_texts(edi.get("billing"))
            if not invoice_refs.is_placeholder(ref)
        ]
        vendor = self.partner_id.commercial_partner_id
        if self.move_type != "in_refund" or not refs or not vendor:
            return self.env["purchase.order.line"]
        bills = self.search(
            [
                ("move_type", "=", "in_invoice"),
                ("state", "=", "posted"),
                ("company_id", "=", self.company_id.id),
                ("commercial_partner_id", "=", vendor.id),
                ("ref", "in", refs),
            ]
        )
        return bills.invoice_line_ids.purchase_line_id.filtered(
            lambda pl: pl.order_id.state == "purchase"
        )

    def _oci_vendor_codes(self, po_lines):
        """{order line: its vendor item codes (cart code, supplierinfo codes)}."""
        codes = {}
        for po_line in po_lines:
            vendor = po_line.order_id.partner_id.commercial_partner_id
            line_codes = {_norm_code(po_line.oci_vendormat)}
            line_codes |= {
                _norm_code(seller.product_code)
                for seller in po_line.product_id.seller_ids
                if seller.partner_id.commercial_partner_id == vendor
                and (not seller.product_id or seller.product_id == po_line.product_id)
            }
            line_codes.discard("")
            codes[po_line] = line_codes
        return codes

    def _oci_line_candidates(self, line, pool, codes, budget):
        """Order lines ``line`` may invoice: by vendor code, product, description.

        ``budget`` is a one-item list of the description comparisons left;
        when it runs out, descriptions are no longer compared."""
        code = _norm_code(line.oci_edi_item_code)
        if code:
            found = pool.filtered(lambda pl: code in codes[pl])
            if found:
                return found, "code"
        if line.product_id:
            found = pool.filtered(lambda pl: pl.product_id == line.product_id)
            if found:
                return found, "product"
        name = _norm_text(line.name)
        if not name or budget[0] < 2 * len(pool):
            return pool.browse(), False
        budget[0] -= 2 * len(pool)
        ratios = {}
        for po_line in pool:
            ratio = 0.0
            for text in (po_line.name, po_line.product_id.name):
                matcher = difflib.SequenceMatcher(None, name, _norm_text(text))
                if (
                    matcher.real_quick_ratio() >= DESCRIPTION_RATIO
                    and matcher.quick_ratio() >= DESCRIPTION_RATIO
                ):
                    ratio = max(ratio, matcher.ratio())
            ratios[po_line] = ratio
        best = max(ratios.values(), default=0)
        if best < DESCRIPTION_RATIO:
            return pool.browse(), False
        return pool.filtered(lambda pl: ratios[pl] == best), "description"

    def _oci_invoiced_uoms(self, lines):
        """{bill line: the unit its quantity and price are in, or False when
        the e-invoice's unit code names no Odoo unit}, for ``lines`` at once.

        Odoo's decoder (``account_edi_ubl_cii``, ``_retrieve_line_vals``)
        maps the line's UN/ECE ``unitCode`` to an Odoo unit, and drops a
        unit that cannot be the product's (kg for a product sold by the
        piece): the line then has the product's unit, its quantity still in
        kg. The code the e-invoice gave (``oci_edi_uom_code``) is read again
        here: the webshop's unit aliases first (a shop's ``BX`` as a pack of
        6), then Odoo's mapping (and OCA ``uom_unece`` where installed), the
        usual aliases (``H87``, ``EA``: one) normalised. A line's own unit
        stands when it converts to the unit Odoo decoded (the unit Odoo kept,
        or one of its kind the accountant chose); a line without a code
        keeps its unit."""
        codes = {line: (line.oci_edi_uom_code or "").strip().upper() for line in lines}
        wanted = {code for code in codes.values() if code}
        if not wanted:
            return {line: line.product_uom_id for line in lines}
        aliases = {
            alias.code.strip().upper(): alias.uom_id
            for alias in self._oci_supplier().sudo().unit_alias_ids
        }
        normalised = {code: unit_codes.normalise_unit(code) for code in wanted}
        found = self.env["uom.uom"]._oci_by_unece_code(
            wanted | set(normalised.values())
        )
        result = {}
        for line, code in codes.items():
            uom = line.product_uom_id
            if code:
                stated = (
                    aliases.get(code) or found.get(code) or found.get(normalised[code])
                )
                decoded = not aliases.get(code) and found.get(code)
                if not stated:
                    uom = False
                elif not (uom and decoded and uom._has_common_reference(decoded)):
                    uom = stated
            result[line] = uom
        return result

    def _oci_units_convert(self, uom, po_line):
        """Whether a quantity in ``uom`` converts to ``po_line``'s unit (the
        same unit, or units of one reference unit, Odoo 19's ``uom.uom``)."""
        po_uom = po_line.product_uom_id
        return (
            not uom or not po_uom or uom == po_uom or uom._has_common_reference(po_uom)
        )

    def _oci_line_qty(self, line, po_line, uom=None):
        """The line's quantity in the order line's unit; ``uom``: the unit the
        line bills in (:meth:`_oci_invoiced_uoms`, by default its own). A
        quantity in a unit that does not convert stays as it is (the check
        makes that a deviation)."""
        uom = line.product_uom_id if uom is None else uom
        if (
            uom
            and uom != po_line.product_uom_id
            and self._oci_units_convert(uom, po_line)
        ):
            return uom._compute_quantity(
                line.quantity, po_line.product_uom_id, round=False
            )
        return line.quantity

    def _oci_line_price(self, line, po_line, uom=None):
        """The line's net unit price (in the bill's currency) per unit of the
        order line; ``uom`` as in :meth:`_oci_line_qty`."""
        price = line.price_unit * (1 - (line.discount or 0.0) / 100)
        uom = line.product_uom_id if uom is None else uom
        if (
            uom
            and uom != po_line.product_uom_id
            and self._oci_units_convert(uom, po_line)
        ):
            price = uom._compute_price(price, po_line.product_uom_id)
        return price

    def _oci_unit_deviation(self, line, po_line, uom):
        """Why the line's unit ``uom`` (False: a code no Odoo unit has) cannot
        be compared with ``po_line``'s, or None."""
        if uom is False and line.oci_edi_uom_code:
            return self.env._(
                "Invoiced in unit %(code)s, which names no unit in Odoo; order "
                "%(order)s is in %(order_unit)s: quantity and price not "
                "compared. A purchase manager can map the code on the webshop's "
                "unit aliases.",
                code=line.oci_edi_uom_code,
                order=po_line.order_id.name,
                order_unit=po_line.product_uom_id.name,
            )
        if uom and not self._oci_units_convert(uom, po_line):
            return self.env._(
                "Invoiced in %(unit)s, order %(order)s is in %(order_unit)s: the "
                "units do not convert, quantity and price not compared.",
                unit=uom.name,
                order=po_line.order_id.name,
                order_unit=po_line.product_uom_id.name,
            )
        return None

    def _oci_bills_received_qty(self, po_line):
        """Whether ``po_line`` is billed on what was received (the product's
        control policy, whatever its type), not on what was ordered."""
        return po_line.product_id.purchase_method == "receive"

    def _oci_line_credits(self, line):
        """Whether ``line`` takes back what was invoiced: a line of a credit
        note, or a negative quantity on an invoice (a deduction); a negative
        quantity on a credit note charges again."""
        return (self.move_type == "in_refund") != (line.quantity < 0)

    def _oci_open_qty(self, po_line, credit=None):
        """What ``po_line`` still accepts on this bill, as a positive quantity.
        A credit (``credit``, by default: this is a credit note) accepts what
        was invoiced; a charge what was ordered and not invoiced, or billed
        on received quantities, what was received and not invoiced."""
        if credit is None:
            credit = self.move_type == "in_refund"
        if credit:
            return po_line.qty_invoiced
        if self._oci_bills_received_qty(po_line):
            return po_line.qty_received - po_line.qty_invoiced
        return po_line.product_qty - po_line.qty_invoiced

    def _oci_order_price(self, line, po_line):
        """The order line's net unit price (per its own unit) in the bill's
        currency."""
        price = po_line.price_unit * (1 - (po_line.discount or 0.0) / 100)
        order_currency = po_line.order_id.currency_id
        if order_currency != self.currency_id:
            price = order_currency._convert(
                price,
                self.currency_id,
                self.company_id,
                self.invoice_date or fields.Date.context_today(self),
                round=False,
            )
        return price

    def _oci_check_line(self, line, po_line, supplier, uom=None):
        """(deviation kind or False, note) of ``line`` against ``po_line``,
        quantities and prices compared in the order line's unit; ``uom``: the
        unit the line bills in (:meth:`_oci_invoiced_uoms`, by default its
        own). A unit that does not convert is a quantity deviation."""
        order = po_line.order_id.name
        uom = line.product_uom_id if uom is None else uom
        unit_note = self._oci_unit_deviation(line, po_line, uom)
        if unit_note:
            return "qty", unit_note
        rounding = po_line.product_uom_id.rounding or 0.01
        credit = self._oci_line_credits(line)
        qty = abs(self._oci_line_qty(line, po_line, uom))
        open_qty = max(self._oci_open_qty(po_line, credit=credit), 0.0)
        allowed_qty = open_qty * (1 + supplier.match_qty_tolerance_percent / 100)
        invoiced_price = self._oci_line_price(line, po_line, uom)
        ordered_price = self._oci_order_price(line, po_line)
        allowed_price = max(
            abs(ordered_price) * supplier.match_price_tolerance_percent / 100,
            supplier.match_price_tolerance_amount,
        )
        currency = self.currency_id
        # Every deviation of the line is said, the price first.
        notes = []
        if po_line.order_id.currency_id != currency:
            # Prices converted at a rate are not the prices agreed.
            notes.append(
                self.env._(
                    "Invoiced in %(currency)s, order %(order)s is in "
                    "%(order_currency)s.",
                    currency=currency.name,
                    order=order,
                    order_currency=po_line.order_id.currency_id.name,
                )
            )
        if (
            currency.compare_amounts(abs(invoiced_price - ordered_price), allowed_price)
            > 0
        ):
            notes.append(
                self.env._(
                    "Price %(invoiced)s instead of %(ordered)s (order %(order)s).",
                    invoiced=currency.round(invoiced_price),
                    ordered=currency.round(ordered_price),
                    order=order,
                )
            )
        if float_compare(qty, allowed_qty, precision_rounding=rounding) > 0:
            if credit:
                message = self.env._(
                    "%(qty)s credited, only %(open)s invoiced (order %(order)s).",
                    qty=qty,
                    open=open_qty,
                    order=order,
                )
            elif po_line.oci_confirmation_state == "rejected":
                message = self.env._(
                    "%(qty)s invoiced of a line the webshop rejected (order "
                    "%(order)s).",
                    qty=qty,
                    order=order,
                )
            elif self._oci_bills_received_qty(po_line):
                message = self.env._(
                    "%(qty)s invoiced, only %(open)s received and not yet invoiced "
                    "(order %(order)s).",
                    qty=qty,
                    open=open_qty,
                    order=order,
                )
            else:
                message = self.env._(
                    "%(qty)s invoiced, only %(open)s ordered and not yet invoiced "
                    "(order %(order)s).",
                    qty=qty,
                    open=open_qty,
                    order=order,
                )
            notes.append(message)
            if len(notes) == 1:
                return "qty", message
        if notes:
            return "price", " ".join(notes)
        return False, self.env._("Matches order %(order)s.", order=order)

    def _oci_compute_match(self, timeout=10):
        """The match of this bill: a dict with ``state``, ``reasons``,
        ``orders``, ``links`` ({bill line: order line}), ``notes``
        ({bill line: note}), ``refs`` (the order numbers read) and
        ``by_total`` (found by the vendor and the total alone). The line
        matching stops after ``timeout`` seconds."""
        self.ensure_one()
        orders = self.env["purchase.order"]
        result = {
            "reasons": [],
            "orders": orders,
            "links": {},
            "notes": {},
            "by_total": False,
            "deadline": time.monotonic() + (10 if timeout is None else timeout),
        }
        reasons = result["reasons"]
        lines = self._oci_matchable_lines()
        prefixes = self._oci_order_prefixes()
        sources = self._oci_reference_sources(prefixes)
        line_tokens = {
            line: self._oci_tokens([line.oci_edi_order_ref], prefixes)
            for line in lines
            if line.oci_edi_order_ref
        }
        supplier_refs = self._oci_supplier_order_refs()
        tokens = [t for _label, found, _bare in sources for t in found]
        tokens += [t for found in line_tokens.values() for t in found]
        tokens = list(dict.fromkeys(tokens))[:MAX_REFERENCES]
        supplier_refs = supplier_refs[:MAX_REFERENCES]
        bare_tokens = set().union(*(bare for _label, _found, bare in sources))
        bare_tokens |= {t for found in line_tokens.values() for t in found}
        if not self.partner_id:
            result["refs"] = self._oci_shown_refs(tokens, bare_tokens, {}, prefixes)
            reasons.append(
                self.env._(
                    "The vendor of this bill is unknown: it is not linked to an order."
                )
            )
            result["state"] = "unknown_order"
            return result
        resolved = self._oci_resolve_references(tokens, supplier_refs, bare_tokens)
        sales_refs = [
            ref.strip()
            for value in invoice_refs.cap_texts(
                (self.oci_edi_refs or {}).get("sales_order")
            )
            for ref in invoice_refs.split_refs(value)
        ]
        result["refs"] = list(
            dict.fromkeys(
                self._oci_shown_refs(tokens, bare_tokens, resolved, prefixes)
                + [
                    ref
                    for ref in supplier_refs
                    if ref not in tokens and (ref in resolved or ref in sales_refs)
                ]
            )
        )
        # A reference naming several orders (a supplier order number used
        # twice, a short form of two orders' numbers).
        for ref, found in resolved.items():
            if len(found) > 1:
                reasons.append(
                    self.env._(
                        "The reference %(ref)s fits several orders: %(orders)s.",
                        ref=ref,
                        orders=", ".join(found.mapped("name")),
                    )
                )
        if reasons:
            result["state"] = "ambiguous"
            return result

        matched_orders, how, line_orders = self._oci_named_orders(
            result, sources, line_tokens, supplier_refs, resolved
        )
        ours = [t for t in tokens if self._oci_is_own_order_number(t, prefixes)]
        if not matched_orders and not ours and self.move_type == "in_invoice":
            matched_orders, how = self._oci_orders_found_by_total(result)
            if result.get("state"):
                return result

        if not matched_orders:
            if result["refs"]:
                reasons.append(
                    self.env._(
                        "No confirmed purchase order of this vendor matches the "
                        "references %(refs)s.",
                        refs=", ".join(result["refs"]),
                    )
                )
            else:
                reasons.append(self.env._("The invoice names no order number."))
            result["state"] = "unknown_order"
            return result

        result["orders"] = matched_orders
        # Numbers in the fields meant for the order number, not in texts.
        field_tokens = set(sources[0][1]) | set(sources[1][1])
        field_tokens |= {t for found in line_tokens.values() for t in found}
        self._oci_note_unresolved_numbers(
            result, [t for t in tokens if t in field_tokens], resolved, prefixes
        )
        reasons.insert(
            0,
            self.env._(
                "Found %(orders)s on %(where)s.",
                orders=", ".join(matched_orders.mapped("name")),
                where=how,
            ),
        )
        self._oci_match_lines(result, lines, line_orders)
        return result

    def _oci_named_orders(self, result, sources, line_tokens, supplier_refs, resolved):
        """(orders, where they were found, {bill line: its orders}) that the
        references name, the first source naming any; orders of another vendor
        never (noted in ``result``, ``foreign``: the bill is then at best
        partially matched). A credit note naming no order: the orders
        of the invoice it corrects."""
        orders = self.env["purchase.order"]
        vendor = self.partner_id.commercial_partner_id

        def orders_of(refs):
            return orders.union(*(resolved[ref] for ref in refs if ref in resolved))

        all_found = orders.union(*resolved.values())
        foreign = all_found.filtered(
            lambda o: o.partner_id.commercial_partner_id != vendor
        )
        if foreign:
            result["foreign"] = foreign
            result["reasons"].append(
                self.env._(
                    "%(orders)s named on the invoice belong to another vendor.",
                    orders=", ".join(foreign.mapped("name")),
                )
            )
        header_orders, how = orders, False
        for label, found, _bare in sources:
            header_orders = orders_of(found) - foreign
            if header_orders:
                how = label
                break
        line_orders = {
            line: orders_of(refs) - foreign for line, refs in line_tokens.items()
        }
        matched_orders = header_orders.union(*line_orders.values())
        if not how and matched_orders:
            how = self.env._("the order references of the lines")
        supplier_orders = orders_of(supplier_refs) - foreign
        if not matched_orders and supplier_orders:
            matched_orders = supplier_orders
            how = self.env._("the supplier's order number")
        if not matched_orders:
            credited = self._oci_credited_order_lines()
            if credited:
                matched_orders = credited.order_id
                result["po_lines"] = credited
                how = self.env._("the invoice this credit note corrects")
        return matched_orders, how, line_orders

    def _oci_note_unresolved_numbers(self, result, tokens, resolved, prefixes):
        """Note in ``result`` the numbers of the form of our order numbers
        among ``tokens`` (those of the order and buyer references and the
        lines' order references) that are no confirmed order (a cancelled
        order, an RFQ, a number unknown to this company), next to the orders
        the invoice matched: ``unresolved`` (their names) makes the bill at best
        partially matched, for the accountant to see what else it bills."""
        names = self._oci_shown_refs(
            [
                token
                for token in tokens
                if token not in resolved
                and self._oci_is_own_order_number(token, prefixes)
            ],
            set(),
            {},
            prefixes,
        )
        names = [name for name in names if name not in result["orders"].mapped("name")]
        if not names:
            return
        result["unresolved"] = names
        found = self.env["purchase.order"].search(
            [("company_id", "=", self.company_id.id), ("name", "in", names)]
        )
        cancelled = found.filtered(lambda o: o.state == "cancel")
        unconfirmed = found - cancelled
        unknown = [name for name in names if name not in found.mapped("name")]
        reasons = result["reasons"]
        if cancelled:
            reasons.append(
                self.env._(
                    "%(orders)s named on the invoice: cancelled, not linked.",
                    orders=", ".join(cancelled.mapped("name")),
                )
            )
        if unconfirmed:
            reasons.append(
                self.env._(
                    "%(orders)s named on the invoice: not a confirmed order, not "
                    "linked.",
                    orders=", ".join(unconfirmed.mapped("name")),
                )
            )
        if unknown:
            reasons.append(
                self.env._(
                    "%(orders)s named on the invoice: no order of this company has "
                    "that number.",
                    orders=", ".join(unknown),
                )
            )

    def _oci_orders_found_by_total(self, result):
        """(orders, how) found by the vendor and the total, Odoo's last resort;
        with several, ``result`` is made ambiguous."""
        by_total = self._oci_orders_by_total()
        if len(by_total) > 1:
            result["reasons"].append(
                self.env._(
                    "No order number on the invoice, and %(count)s open orders "
                    "of this vendor have its total: %(orders)s.",
                    count=len(by_total),
                    orders=", ".join(by_total.mapped("name")),
                )
            )
            result["state"] = "ambiguous"
            return by_total.browse(), False
        if not by_total:
            return by_total, False
        result["by_total"] = True
        return by_total, self.env._(
            "the vendor and the total (no order number on the invoice)"
        )

    def _oci_shown_refs(self, tokens, field_tokens, resolved, prefixes):
        """The order numbers the accountant sees: what names an order, what
        has the form of our numbers (a short form written in full), and what
        stands in a field meant for the order number; not every number of
        the texts ("prijs per 10 stuks")."""
        sequences = dict(self._oci_order_sequences())
        shown = []
        for token in tokens:
            if token in resolved:
                shown += resolved[token].mapped("name")
            elif self._oci_is_own_order_number(token, prefixes):
                prefix = next(
                    p for p in prefixes if token[: len(p)].casefold() == p.casefold()
                )
                digits = token[len(prefix) :].lstrip("0")
                shown.append(prefix + digits.zfill(sequences.get(prefix) or 0))
            elif token in field_tokens:
                shown.append(token)
        return list(dict.fromkeys(shown))

    def _oci_match_lines(self, result, lines, line_orders):
        """Link the bill lines to order lines and check them (fills ``result``)."""
        supplier = self._oci_supplier()
        po_lines = result.get("po_lines") or result["orders"].order_line
        po_lines = po_lines.filtered(lambda pl: not pl.display_type)
        codes = self._oci_vendor_codes(po_lines)
        by_code = {}
        for po_line, line_codes in codes.items():
            for code in line_codes:
                by_code.setdefault(code, []).append(po_line.id)
        budget = [DESCRIPTION_COMPARISONS]
        uoms = result["uoms"] = self._oci_invoiced_uoms(lines)
        used = set()
        ambiguous, unmatched, deviations = [], [], {"price": [], "qty": []}
        timed_out = False

        def link(line, po_line):
            kind, note = self._oci_check_line(
                line, po_line, supplier, uom=uoms.get(line)
            )
            result["links"][line] = po_line
            result["notes"][line] = note
            if kind:
                deviations[kind].append(note)

        for line in lines:
            timed_out = timed_out or time.monotonic() >= result["deadline"]
            if timed_out:
                unmatched.append(line)
                result["notes"][line] = self.env._(
                    "Not matched: the matching took too long."
                )
                continue
            # A line of nothing ("niet leverbaar", 0 x) bills no order line:
            # it may share one with the line that bills it.
            nothing = float_is_zero(
                line.quantity,
                precision_rounding=line.product_uom_id.rounding or 0.01,
            )
            pool = self._oci_line_pool(
                line,
                po_lines,
                by_code,
                set() if nothing else used,
                line_orders.get(line),
            )
            po_line, candidates = self._oci_pick_order_line(
                line, pool, codes, budget, uom=uoms.get(line)
            )
            if po_line:
                if not nothing:
                    used.add(po_line.id)
                link(line, po_line)
            elif candidates:
                ambiguous.append((line, candidates.order_id))
            else:
                unmatched.append(line)
                result["notes"][line] = self.env._("No order line matches this line.")

        if unmatched and not timed_out and not ambiguous:
            # What Odoo's own pairing (price and description) links in these
            # orders is kept: a stricter matcher never loses a looser match.
            for line, po_line in self._oci_native_line_pairs(
                unmatched,
                po_lines.filtered(lambda pl: pl.id not in used),
                line_orders,
                result["deadline"],
            ):
                unmatched.remove(line)
                link(line, po_line)
        self._oci_line_verdict(
            result, supplier, ambiguous, unmatched, deviations, timed_out
        )

    def _oci_line_pool(self, line, po_lines, by_code, used, orders):
        """The order lines ``line`` is looked for in: of ``po_lines``, not in
        ``used`` (ids), of ``orders`` when the line names its orders; only
        those with the line's vendor code when there are (the code decides
        first in :meth:`_oci_line_candidates`, so the outcome is the same,
        and a bill of thousands of coded lines is matched in linear time;
        ``by_code``: {normalised code: order line ids})."""
        code = _norm_code(line.oci_edi_item_code)
        pool = po_lines.browse()
        for ids in (by_code.get(code, []) if code else [], po_lines.ids):
            pool = po_lines.browse([i for i in ids if i not in used])
            pool = pool.with_prefetch(po_lines._prefetch_ids)
            if orders:
                pool = pool.filtered(lambda pl: pl.order_id in orders)
            if pool:
                break
        return pool

    def _oci_pick_order_line(self, line, pool, codes, budget, uom=None):
        """(order line, candidates) for ``line`` in ``pool``: no order line
        with candidates of several orders is ambiguous; none at all, unmatched.
        ``uom``: the unit the line bills in (:meth:`_oci_invoiced_uoms`)."""
        candidates, _how = self._oci_line_candidates(line, pool, codes, budget)
        if not candidates:
            return None, candidates
        credit = self._oci_line_credits(line)
        if len(candidates.order_id) > 1:
            # Only an exact fit of the open quantity tells the orders apart.
            fitting = candidates.filtered(
                lambda pl: float_compare(
                    self._oci_open_qty(pl, credit=credit),
                    abs(self._oci_line_qty(line, pl, uom)),
                    precision_rounding=pl.product_uom_id.rounding or 0.01,
                )
                == 0
            )
            if len(fitting.order_id) != 1:
                return None, candidates
            candidates = fitting
        open_enough = candidates.filtered(
            lambda pl: float_compare(
                self._oci_open_qty(pl, credit=credit),
                abs(self._oci_line_qty(line, pl, uom)),
                precision_rounding=pl.product_uom_id.rounding or 0.01,
            )
            >= 0
        )
        return (open_enough or candidates)[0], candidates

    def _oci_line_verdict(
        self, result, supplier, ambiguous, unmatched, deviations, timed_out
    ):
        """The state and reasons of ``result`` from its lines' outcome."""
        reasons = result["reasons"]
        if ambiguous:
            result["links"] = {}
            result["orders"] = result["orders"].browse()
            for line, orders in ambiguous:
                reasons.append(
                    self.env._(
                        "Line %(line)s could belong to %(orders)s.",
                        line=line.name,
                        orders=", ".join(orders.mapped("name")),
                    )
                )
            result["state"] = "ambiguous"
            return
        reasons += deviations["price"] + deviations["qty"]
        if timed_out:
            reasons.append(
                self.env._(
                    "The matching took too long: lines left unmatched, match "
                    "again to finish."
                )
            )
        for line in unmatched:
            reasons.append(
                self.env._(
                    "Line %(line)s matches no line of the order.", line=line.name
                )
            )
        if deviations["price"]:
            result["state"] = "price_deviation"
        elif deviations["qty"]:
            result["state"] = "qty_deviation"
        elif (
            unmatched
            or not result["links"]
            or result.get("foreign")
            or result.get("unresolved")
        ):
            # An order of another vendor, a cancelled or unknown order named
            # on the invoice: what the invoice bills of it is for the
            # accountant to see.
            result["state"] = "partial"
        else:
            result["state"] = "matched"
            if not supplier:
                reasons.append(
                    self.env._(
                        "The vendor has no webshop settings: exact match required."
                    )
                )

    def _oci_native_line_pairs(self, lines, po_lines, line_orders, deadline):
        """[(bill line, order line)] Odoo's own line pairing finds among
        ``po_lines`` for ``lines`` (same unit price, best description)."""
        if self.move_type != "in_invoice" or not lines or not po_lines:
            return []
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            return []
        _matched, pairs = self._find_matching_po_and_inv_lines(
            list(po_lines), self.env["account.move.line"].union(*lines), timeout
        )
        result = []
        for po_line_id, line in pairs:
            po_line = po_lines.browse(po_line_id)
            if line_orders.get(line) and po_line.order_id not in line_orders[line]:
                continue
            result.append((line, po_line))
        return result

    def _oci_po_line_account(self, po_line):
        """The expense account a bill line of ``po_line`` books on."""
        if po_line.oci_account_id:
            return po_line.oci_account_id
        if po_line.product_id:
            accounts = po_line.product_id.product_tmpl_id.get_product_accounts(
                fiscal_pos=self.fiscal_position_id
            )
            return accounts.get("expense") or self.env["account.account"]
        return self.env["account.account"]

    def _oci_prepare_line_vals(self, line, po_line, note, uom=None):
        """The values that link ``line`` to ``po_line``; ``uom``: the unit
        the line bills in (:meth:`_oci_invoiced_uoms`). When Odoo's import
        gave the line another unit (it could not decode the invoiced one, or
        dropped it as not the product's) and the invoiced one converts to the
        order line's, the line takes it: the order's invoiced quantity then
        counts what was billed (2 packs of 6: 12 units)."""
        vals = {"purchase_line_id": po_line.id, "oci_match_note": note}
        if po_line.product_id and line.product_id != po_line.product_id:
            # The import guessed the product from the line's name; the order
            # line knows it. What the invoice says stays as it said it.
            vals.update(
                {
                    "product_id": po_line.product_id.id,
                    "name": line.name,
                    "quantity": line.quantity,
                    "product_uom_id": line.product_uom_id.id,
                    "price_unit": line.price_unit,
                    "discount": line.discount,
                    "tax_ids": [Command.set(line.tax_ids.ids)],
                }
            )
        if uom and uom != line.product_uom_id and self._oci_units_convert(uom, po_line):
            vals.update(
                {
                    "product_uom_id": uom.id,
                    "quantity": line.quantity,
                    "price_unit": line.price_unit,
                    "discount": line.discount,
                }
            )
        account = self._oci_po_line_account(po_line)
        if account:
            vals["account_id"] = account.id
        distribution = (
            po_line.analytic_distribution
            or po_line.punchout_nzi_code_id.analytic_distribution
        )
        if distribution:
            vals["analytic_distribution"] = distribution
        return vals

    def _oci_apply_match(self, result):
        self.ensure_one()
        line_commands = []
        for line in self._oci_matchable_lines():
            po_line = result["links"].get(line)
            note = result["notes"].get(line) or False
            if po_line:
                vals = self._oci_prepare_line_vals(
                    line, po_line, note, uom=(result.get("uoms") or {}).get(line)
                )
            else:
                vals = {"purchase_line_id": False, "oci_match_note": note}
            line_commands.append(Command.update(line.id, vals))
        linked_orders = self.env["purchase.order"].union(
            *(po_line.order_id for po_line in result["links"].values())
        )
        reason = "\n".join(result["reasons"])
        with self._get_edi_creation() as move:
            move.write(
                {
                    "oci_match_state": result["state"],
                    "oci_match_reason": reason,
                    "oci_matched_by_total": bool(result.get("by_total")),
                    "oci_order_ids": [Command.set(result["orders"].ids)],
                    "oci_order_refs": ", ".join(result.get("refs") or []) or False,
                    "invoice_origin": ", ".join(linked_orders.mapped("name")) or False,
                    "invoice_line_ids": line_commands,
                }
            )
        state_label = dict(self._fields["oci_match_state"].selection)[result["state"]]
        self.message_post(
            body=Markup("<strong>%s</strong><br/>%s")
            % (
                self.env._("Order matching: %(state)s", state=state_label),
                Markup("<br/>").join(result["reasons"]),
            )
        )

    def _oci_match(self, timeout=10):
        """(Re-)match these bills to their purchase orders, each within
        ``timeout`` seconds."""
        for move in self:
            move._oci_apply_match(move._oci_compute_match(timeout=timeout))
        return True

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_oci_rematch(self):
        """Unlink the draft bills from their order lines and match again."""
        moves = self.filtered(lambda m: m.state == "draft" and m.is_purchase_document())
        if not moves:
            raise UserError(self.env._("Only draft vendor bills can be matched again."))
        for move in moves:
            with move._get_edi_creation() as edit:
                edit.invoice_line_ids = [
                    Command.update(line.id, {"purchase_line_id": False})
                    for line in edit._oci_matchable_lines()
                    if line.purchase_line_id
                ]
        moves._oci_match()
        return True

    def action_oci_accept_deviation(self):
        """Accept the deviations of these bills (accountants only)."""
        if not self.env.user.has_group("account.group_account_manager"):
            raise AccessError(
                self.env._("Only accounting managers can accept a matching deviation.")
            )
        moves = self.filtered(lambda m: m.oci_match_state in ACCEPTABLE_STATES)
        if not moves:
            raise UserError(
                self.env._(
                    "Only bills with a price or quantity deviation, or partially "
                    "matched, can be accepted."
                )
            )
        for move in moves:
            note = self.env._(
                "Deviation accepted by %(user)s.", user=self.env.user.name
            )
            reason = "\n".join(filter(None, [move.oci_match_reason, note]))
            move.write({"oci_match_state": "accepted", "oci_match_reason": reason})
            move.message_post(body=note)
        return True

    def action_oci_open_orders(self):
        self.ensure_one()
        orders = self.oci_order_ids | self.line_ids.purchase_line_id.order_id
        if not orders:
            raise UserError(self.env._("This bill is matched to no purchase order."))
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "purchase.purchase_form_action"
        )
        if len(orders) == 1:
            action["views"] = [
                (self.env.ref("purchase.purchase_order_form").id, "form")
            ]
            action["res_id"] = orders.id
        else:
            action["domain"] = [("id", "in", orders.ids)]
        return action
