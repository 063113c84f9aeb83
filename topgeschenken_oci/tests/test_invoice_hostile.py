# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Hostile and odd e-invoices: DTDs, credits on an invoice, a foreign
currency, another company's or a cancelled order, a second bill."""

import copy
import threading
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_open, mute_logger

from . import test_invoice_matching
from .common import PunchoutCommon

_Matching = test_invoice_matching.TestInvoiceMatching
UBL = test_invoice_matching.UBL


@tagged("post_install", "-at_install")
class TestInvoiceHostile(PunchoutCommon):
    """Bills a supplier (or someone posing as one) can send."""

    _make_order = _Matching.__dict__["_make_order"]
    _import = _Matching._import
    _product_lines = _Matching._product_lines

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.vendor.vat = "NL000099998B57"
        cls.mapping = cls.supplier.nzi_mapping_ids
        cls.journal = cls.company_data["default_journal_purchase"]
        cls.product_kp = env["product.product"].create(
            {
                "name": "Kerstpakket Deluxe",
                "type": "consu",
                "purchase_method": "purchase",
            }
        )
        cls.product_flowers.purchase_method = "purchase"
        cls.lines = [
            (cls.product_kp, 12, 49.95, "TG-KP-001"),
            (cls.product_flowers, 5, 19.95, "TG-BL-002"),
        ]

    def _read(self, filename):
        with file_open(f"topgeschenken_oci/tests/test_files/{filename}", "rb") as f:
            return f.read()

    # ------------------------------------------------------------------
    # DTD internal subsets (XXE, billion laughs): Odoo's parser
    # ------------------------------------------------------------------

    def test_dtd_entities_never_resolved_in_any_thread(self):
        """Odoo parses e-invoices with lxml's default parser, which Odoo sets
        to ``resolve_entities=False`` (odoo/tools/misc.py) for every thread;
        libxml2 loads no DTD and no network. A file or cloud-metadata entity
        stays an unresolved reference, in UTF-8 and UTF-16, also in a thread
        of its own (HTTP and cron threads); entity expansion is refused by
        libxml2 as a loop."""
        move = self.env["account.move"]
        results = {}

        def parse(name):
            raw = self._read(name)
            tree = move._get_xml_tree(
                {"name": name, "raw": raw, "mimetype": "application/xml"}
            )
            results[name] = tree

        names = [
            "tg_dtd_file_entity.xml",
            "tg_dtd_file_entity_utf16.xml",
            "tg_dtd_network_entity.xml",
        ]
        for name in names:
            thread = threading.Thread(target=parse, args=(name,))
            thread.start()
            thread.join(30)
            tree = results[name]
            self.assertIsNotNone(tree, name)
            note = tree.find("{*}Note")
            self.assertEqual(note.xpath("string()"), "", name)
            self.assertNotIn(b"root:", etree.tostring(tree), name)
            self.assertNotIn(b"169.254", etree.tostring(tree), name)
        with mute_logger("odoo.addons.account.models.account_document_import_mixin"):
            parse("tg_dtd_billion_laughs.xml")
        self.assertIsNone(results["tg_dtd_billion_laughs.xml"])

    def test_dtd_bill_imports_without_leaking(self):
        """A bill with an external entity imports like any bill: the entity
        is not read, so nothing of /etc/passwd reaches the bill."""
        order = self._make_order("P90208", self.lines)
        for name in ("tg_dtd_file_entity.xml", "tg_dtd_file_entity_utf16.xml"):
            bill = self._import(name)
            self.assertTrue(bill.attachment_ids, name)
            texts = " ".join(
                str(value or "")
                for value in (
                    bill.narration,
                    bill.ref,
                    bill.invoice_origin,
                    bill.oci_edi_refs,
                    bill.oci_match_reason,
                    *bill.line_ids.mapped("name"),
                    *bill.message_ids.mapped("body"),
                )
            )
            self.assertNotIn("root:", texts, name)
            self.assertEqual(bill.oci_order_ids, order, name)
            bill.button_cancel()

    def test_dtd_quadratic_blowup_not_expanded(self):
        """One entity of 10,000 characters referenced 10,000 times (100 MB
        expanded; no nesting, so libxml2 sees no loop) parses, unexpanded:
        Odoo reads ``.text`` and ``findtext`` only, which stop at an entity
        reference (an XPath ``string()`` would expand it)."""
        order = self._make_order("P90208", self.lines)
        bill = self._import("tg_dtd_quadratic_blowup.xml")
        self.assertEqual(bill.oci_order_ids, order)
        texts = [bill.narration or "", *map(str, (bill.oci_edi_refs or {}).values())]
        self.assertLess(sum(map(len, texts)), 10000)

    def test_dtd_billion_laughs_bill_kept_empty(self):
        """Entity expansion makes libxml2 refuse the document: the bill is
        made empty, with the attachment, no order is linked, and the chatter
        says why."""
        self._make_order("P90208", self.lines)
        with mute_logger("odoo.addons.account.models.account_document_import_mixin"):
            bill = self._import("tg_dtd_billion_laughs.xml")
        self.assertTrue(bill.attachment_ids)
        self.assertFalse(self._product_lines(bill))
        self.assertFalse(bill.oci_order_ids)
        self.assertIn(
            "tg_dtd_billion_laughs.xml not imported: the XML document cannot be "
            "read: The XML document has a DTD internal subset",
            " ".join(bill.message_ids.mapped("body")),
        )

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    def test_negative_line_on_invoice_is_a_credit(self):
        """A line of -2 on an invoice credits what was never invoiced: it
        is checked as a credit (against the invoiced quantity), never posted
        as a match."""
        self.supplier.match_auto_post = True
        order = self._make_order("P90201", self.lines)
        bill = self._import("tg_negative_line.xml")
        self.assertEqual(bill.move_type, "in_invoice")
        flowers = self._product_lines(bill).filtered(lambda line: line.quantity < 0)
        self.assertTrue(flowers, "the credited line is imported as it is")
        self.assertEqual(bill.oci_match_state, "qty_deviation", bill.oci_match_reason)
        self.assertIn("2.0 credited, only 0.0 invoiced", bill.oci_match_reason)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.oci_order_ids, order)

    def test_other_currency_never_matched(self):
        """An order in euros billed in dollars needs review, also when the
        rate makes the prices look alike (here: no dollar rate, 1:1)."""
        self.supplier.match_auto_post = True
        usd = self.env.ref("base.USD")
        usd.active = True
        usd.rate_ids.filtered(lambda r: r.company_id == self.company).unlink()
        self.env["res.currency.rate"].create(
            {
                "name": "2026-01-01",
                "rate": 1.0,
                "currency_id": usd.id,
                "company_id": self.company.id,
            }
        )
        order = self._make_order("P90202", self.lines)
        self.assertEqual(order.currency_id, self.company.currency_id)
        self.assertNotEqual(order.currency_id, usd)
        bill = self._import("tg_other_currency.xml")
        self.assertEqual(bill.currency_id, usd)
        self.assertEqual(bill.oci_match_state, "price_deviation", bill.oci_match_reason)
        self.assertIn("USD", bill.oci_match_reason)
        self.assertEqual(bill.state, "draft")

    def test_other_company_order_never_linked(self):
        """The same vendor, an order of another company: never linked, not
        by its number and not when both companies have an order of that
        number."""
        other = self.setup_other_company(name="Zorggroep Twente")["company"]
        self.vendor.company_id = False
        foreign = self.env["purchase.order"].create(
            {
                "name": "P90203",
                "partner_id": self.vendor.id,
                "company_id": other.id,
                "order_line": [
                    Command.create(
                        {"product_id": p.id, "product_qty": q, "price_unit": u}
                    )
                    for p, q, u, _code in self.lines
                ],
            }
        )
        foreign.button_confirm()
        bill = self._import("tg_other_company_order.xml")
        self.assertEqual(bill.company_id, self.company)
        self.assertEqual(bill.oci_match_state, "unknown_order", bill.oci_match_reason)
        self.assertFalse(bill.oci_order_ids)
        self.assertFalse(self._product_lines(bill).purchase_line_id)
        bill.button_cancel()
        own = self._make_order("P90203", self.lines)
        bill = self._import("tg_other_company_order.xml")
        self.assertEqual(bill.oci_order_ids, own)
        self.assertEqual(self._product_lines(bill).purchase_line_id.order_id, own)

    def test_cancelled_order_never_linked(self):
        order = self._make_order("P90205", self.lines)
        order.button_cancel()
        bill = self._import("tg_cancelled_order.xml")
        self.assertEqual(bill.oci_match_state, "unknown_order", bill.oci_match_reason)
        self.assertFalse(self._product_lines(bill).purchase_line_id)

    def test_second_bill_for_billed_order_not_posted(self):
        """The same bill again (a new invoice number): the order is fully
        billed, so it needs review and is not posted."""
        self.supplier.match_auto_post = True
        self.company.autopost_bills = True
        order = self._make_order("P90206", self.lines)
        first = self._import("tg_second_bill.xml")
        self.assertEqual(first.oci_match_state, "matched", first.oci_match_reason)
        self.assertEqual(first.state, "posted")
        raw = self._read("tg_second_bill.xml").replace(b"TG-2026-2006", b"TG-2026-2106")
        second = self._import("tg_second_bill_again.xml", raw=raw)
        self.assertEqual(
            second.oci_match_state, "qty_deviation", second.oci_match_reason
        )
        self.assertEqual(second.state, "draft")
        self.assertEqual(order.order_line.mapped("qty_invoiced"), [24.0, 10.0])

    def test_order_number_glued_to_po(self):
        """``po90207`` in the order reference is our P90207."""
        order = self._make_order("P90207", self.lines)
        bill = self._import("tg_po_glued.xml")
        self.assertEqual(bill.oci_order_ids, order, bill.oci_match_reason)
        self.assertFalse(bill.oci_matched_by_total, "found by its number")
        self.assertEqual(bill.oci_match_state, "matched", bill.oci_match_reason)

    def test_vat_inclusive_prices_need_review(self):
        """Prices with the VAT in them (60.44 for 49.95) are a deviation."""
        self.supplier.match_auto_post = True
        self._make_order("P90209", self.lines)
        bill = self._import("tg_vat_inclusive.xml")
        self.assertEqual(bill.oci_match_state, "price_deviation", bill.oci_match_reason)
        self.assertIn("Price 60.44 instead of 49.95", bill.oci_match_reason)
        self.assertEqual(bill.state, "draft")

    def test_allowance_and_charge(self):
        """A 10 % line allowance is a price deviation (the accountant
        accepts it); the delivery charge the order does not have is left
        unlinked."""
        self.supplier.match_auto_post = True
        order = self._make_order("P90210", self.lines)
        bill = self._import("tg_allowance_charge.xml")
        self.assertEqual(bill.oci_match_state, "price_deviation", bill.oci_match_reason)
        self.assertEqual(bill.state, "draft")
        lines = self._product_lines(bill)
        linked = lines.filtered("purchase_line_id")
        self.assertEqual(linked.purchase_line_id, order.order_line)
        self.assertTrue(lines - linked, "the delivery charge stays unlinked")
        self.assertAlmostEqual(bill.amount_untaxed, 646.16)

    def test_other_vendor_order_named_not_posted(self):
        """An invoice naming our order and an order of another vendor: only
        ours is linked, and the bill waits for review."""
        self.supplier.match_auto_post = True
        order = self._make_order("P90211", self.lines)
        other_vendor = self.env["res.partner"].create({"name": "Bloemenhuis"})
        other = self.env["purchase.order"].create(
            {
                "name": "P90212",
                "partner_id": other_vendor.id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create(
                        {"product_id": p.id, "product_qty": q, "price_unit": u}
                    )
                    for p, q, u, _code in self.lines
                ],
            }
        )
        other.button_confirm()
        bill = self._import("tg_other_vendor_order.xml")
        self.assertEqual(self._product_lines(bill).purchase_line_id.order_id, order)
        self.assertIn("P90212 named on the invoice belong", bill.oci_match_reason)
        self.assertNotIn(other, bill.oci_order_ids)
        self.assertEqual(bill.oci_match_state, "partial")
        self.assertEqual(bill.state, "draft")

    def test_cancelled_order_named_next_to_valid_not_posted(self):
        """Our order and a cancelled order of ours on one invoice: ours is
        linked, the bill waits for review and says which number it is."""
        self.supplier.match_auto_post = True
        self.company.autopost_bills = True
        order = self._make_order("P90211", self.lines)
        cancelled = self._make_order("P90212", self.lines)
        cancelled.button_cancel()
        bill = self._import("tg_other_vendor_order.xml")
        self.assertEqual(self._product_lines(bill).purchase_line_id.order_id, order)
        self.assertEqual(bill.oci_order_ids, order)
        self.assertEqual(bill.oci_match_state, "partial", bill.oci_match_reason)
        self.assertIn(
            "P90212 named on the invoice: cancelled, not linked.",
            bill.oci_match_reason,
        )
        self.assertEqual(bill.state, "draft")

    def test_unknown_order_named_next_to_valid_not_posted(self):
        """Our order and a number of our form that is no order at all: the
        bill waits for review, the reason names the number."""
        self.supplier.match_auto_post = True
        self.company.autopost_bills = True
        order = self._make_order("P90211", self.lines)
        bill = self._import("tg_other_vendor_order.xml")
        self.assertEqual(self._product_lines(bill).purchase_line_id.order_id, order)
        self.assertEqual(bill.oci_match_state, "partial", bill.oci_match_reason)
        self.assertIn(
            "P90212 named on the invoice: no order of this company has that number.",
            bill.oci_match_reason,
        )
        self.assertEqual(bill.state, "draft")
        # With the number gone, the same bill matches and is posted.
        bill.button_cancel()
        raw = self._read("tg_other_vendor_order.xml").replace(
            b"P90211, P90212", b"P90211"
        )
        bill = self._import(
            "tg_valid_order_only.xml", raw=raw.replace(b"TG-2026-2014", b"TG-2026-2114")
        )
        self.assertEqual(bill.oci_match_state, "matched", bill.oci_match_reason)
        self.assertEqual(bill.state, "posted")

    # -- units of measure -----------------------------------------------------

    def _bill_in_unit(self, unit_code, qty, price):
        """tg_second_bill.xml (P90206) with its first line (12 gift boxes
        at 49.95) billed as ``qty`` ``unit_code`` at ``price``."""
        root = etree.fromstring(self._read("tg_second_bill.xml"))
        ns = {
            "cbc": UBL + "CommonBasicComponents-2",
            "cac": UBL + "CommonAggregateComponents-2",
        }
        line = root.find("cac:InvoiceLine", ns)
        quantity = line.find("cbc:InvoicedQuantity", ns)
        quantity.set("unitCode", unit_code)
        quantity.text = str(qty)
        line.find("cac:Price/cbc:PriceAmount", ns).text = str(price)
        return self._import("tg_unit.xml", raw=etree.tostring(root))

    def test_weight_against_units_needs_review(self):
        """12 kg billed for 12 gift boxes: Odoo drops kg (not the product's
        unit) and reads 12 boxes; the e-invoice's unit code is kept, and the
        line is a deviation naming both units, never posted."""
        self.supplier.match_auto_post = True
        self.company.autopost_bills = True
        order = self._make_order("P90206", self.lines)
        bill = self._bill_in_unit("KGM", 12, "49.95")
        boxes = self._product_lines(bill).filtered(
            lambda line: line.oci_edi_item_code == "TG-KP-001"
        )
        self.assertEqual(boxes.oci_edi_uom_code, "KGM")
        self.assertEqual(boxes.purchase_line_id, order.order_line[0])
        self.assertEqual(bill.oci_match_state, "qty_deviation", bill.oci_match_reason)
        self.assertIn(
            "Invoiced in kg, order P90206 is in Units: the units do not convert",
            bill.oci_match_reason,
        )
        self.assertIn("units do not convert", boxes.oci_match_note)
        self.assertEqual(bill.state, "draft")

    def test_pack_of_six_compared_in_the_order_unit(self):
        """2 boxes of 6 at 299.70 (the shop's BX, a pack of 6 by the
        webshop's unit alias) bill the 12 gift boxes at 49.95 ordered: a
        match in the order line's unit, posted."""
        self.supplier.match_auto_post = True
        self.company.autopost_bills = True
        self.supplier.unit_alias_ids = [
            Command.create(
                {"code": "BX", "uom_id": self.env.ref("uom.product_uom_pack_6").id}
            )
        ]
        order = self._make_order("P90206", self.lines)
        bill = self._bill_in_unit("BX", 2, "299.70")
        self.assertEqual(bill.oci_match_state, "matched", bill.oci_match_reason)
        self.assertEqual(self._product_lines(bill).purchase_line_id, order.order_line)
        self.assertEqual(bill.state, "posted")
        # The line bills in packs of 6, so the order counts 12 invoiced.
        boxes = self._product_lines(bill).filtered(
            lambda line: line.oci_edi_item_code == "TG-KP-001"
        )
        self.assertEqual(boxes.product_uom_id, self.env.ref("uom.product_uom_pack_6"))
        self.assertEqual((boxes.quantity, boxes.price_unit), (2, 299.70))
        self.assertAlmostEqual(bill.amount_untaxed, 699.15)
        self.assertEqual(order.order_line.mapped("qty_invoiced"), [12.0, 5.0])

    def test_unknown_unit_code_needs_review(self):
        """BX with no alias names no Odoo unit: 2 of them are not taken as 2
        gift boxes; the reason names the code."""
        self.supplier.match_auto_post = True
        self.company.autopost_bills = True
        self._make_order("P90206", self.lines)
        bill = self._bill_in_unit("BX", 2, "299.70")
        self.assertEqual(bill.oci_match_state, "qty_deviation", bill.oci_match_reason)
        self.assertIn(
            "Invoiced in unit BX, which names no unit in Odoo", bill.oci_match_reason
        )
        self.assertEqual(bill.state, "draft")

    def test_related_unit_converted(self):
        """1 dozen (DZN, Odoo's own mapping; Dozens is a unit of Units) at
        599.40 bills the 12 gift boxes at 49.95: matched."""
        self.env.ref("uom.product_uom_dozen").active = True
        self.supplier.match_auto_post = True
        self.company.autopost_bills = True
        self._make_order("P90206", self.lines)
        bill = self._bill_in_unit("DZN", 1, "599.40")
        self.assertEqual(bill.oci_match_state, "matched", bill.oci_match_reason)
        self.assertEqual(bill.state, "posted")

    def test_zero_quantity_line(self):
        """A line of 0 ("nagekomen") before the one that bills the gift
        boxes: it takes no order line from it, both are linked."""
        self.supplier.match_auto_post = True
        order = self._make_order("P90213", self.lines)
        bill = self._import("tg_zero_quantity.xml")
        self.assertEqual(bill.oci_match_state, "matched", bill.oci_match_reason)
        lines = self._product_lines(bill)
        self.assertEqual(len(lines), 3)
        kp_line = order.order_line.filtered(lambda pl: pl.product_id == self.product_kp)
        self.assertEqual(lines.purchase_line_id, order.order_line)
        self.assertEqual(
            sorted(
                lines.filtered(lambda line: line.purchase_line_id == kp_line).mapped(
                    "quantity"
                )
            ),
            [0.0, 12.0],
        )
        self.assertEqual(kp_line.qty_invoiced, 12)

    def test_coded_lines_matched_in_linear_time(self):
        """Each line of a bill with vendor codes is looked for among the
        order lines of its code only: a bill of thousands of lines is
        matched within the import's deadline, and "Match again" finishes
        (bench/invoice_many_lines.py: 5,000 lines, 35 s before, 2 s now)."""
        count = 200
        code = "TG-L{:04d}"
        self._make_order(
            "P90214",
            [(self.product_kp, 1, 49.95, code.format(i)) for i in range(count)],
        )
        root = etree.fromstring(self._read("tg_order_reference.xml"))
        ns = {
            "cbc": UBL + "CommonBasicComponents-2",
            "cac": UBL + "CommonAggregateComponents-2",
        }
        root.find("cac:OrderReference/cbc:ID", ns).text = "P90214"
        root.find("cbc:ID", ns).text = "TG-2026-2016"
        template, other = root.findall("cac:InvoiceLine", ns)
        root.remove(other)
        root.remove(template)
        for i in range(count):
            line = copy.deepcopy(template)
            line.find("cbc:ID", ns).text = str(i + 1)
            line.find("cbc:InvoicedQuantity", ns).text = "1"
            line.find("cbc:LineExtensionAmount", ns).text = "49.95"
            line.find(
                "cac:Item/cac:SellersItemIdentification/cbc:ID", ns
            ).text = code.format(i)
            root.append(line)
        untaxed, tax = 49.95 * count, round(49.95 * count * 0.21, 2)
        for xpath, amount in (
            ("cac:TaxTotal/cbc:TaxAmount", tax),
            ("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount", untaxed),
            ("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", tax),
            ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", untaxed),
            ("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", untaxed),
            ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", untaxed + tax),
            ("cac:LegalMonetaryTotal/cbc:PayableAmount", untaxed + tax),
        ):
            root.find(xpath, ns).text = f"{amount:.2f}"
        pool_sizes = []
        Move = type(self.env["account.move"])
        candidates = Move._oci_line_candidates

        def spy(move, line, pool, codes, budget):
            pool_sizes.append(len(pool))
            return candidates(move, line, pool, codes, budget)

        with patch.object(Move, "_oci_line_candidates", spy):
            bill = self._import("tg_many_lines.xml", raw=etree.tostring(root))
        self.assertEqual(bill.oci_match_state, "matched", bill.oci_match_reason)
        self.assertEqual(len(self._product_lines(bill).purchase_line_id), count)
        self.assertEqual(len(pool_sizes), count)
        self.assertEqual(sum(pool_sizes), count, "one order line looked at a line")
