# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import GIFT_LINES, PunchoutHttpCommon

SESSION_LOGGER = "odoo.addons.topgeschenken_oci.models.punchout_session"


@tagged("post_install", "-at_install")
class TestCartKinds(PunchoutHttpCommon):
    """Carts as real shops send them, over the real return route."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tax = cls.env["account.tax"]
        cls.tax_9, cls.tax_21 = (
            Tax.create(
                {
                    "name": f"BTW {rate}% inkoop",
                    "amount": rate,
                    "type_tax_use": "purchase",
                    "company_id": cls.company.id,
                }
            )
            for rate in (9, 21)
        )
        cls.supplier.tax_rate_field = "CUST_FIELD4"

    def _import(self, lines, request=None):
        session, hook = self._start_session(request=request)
        response = self._post_cart(hook, self._oci_fields(lines))
        session.invalidate_recordset()
        return session, response

    def _line(self, **values):
        return {**GIFT_LINES[1], "CUST_FIELD4": "9%", **values}

    # -- units ----------------------------------------------------------------

    def test_demo_catalogue_units_all_import(self):
        """The demo shop's PCE, SET and BX (a wine case) make one RFQ."""
        lines = [
            self._line(VENDORMAT="TG-KP-001", UNIT="PCE", PRICEUNIT="1"),
            self._line(VENDORMAT="TG-WK-003", UNIT="BX", PRICEUNIT="1"),
            self._line(VENDORMAT="TG-GS-008", UNIT="SET", PRICEUNIT="1"),
        ]
        session, response = self._import(lines)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertEqual(session.state, "done")
        units = self.env.ref("uom.product_uom_unit")
        pce, box, gift_set = session.order_id.order_line.sorted("id")
        self.assertEqual(pce.product_uom_id, units)
        self.assertFalse(pce.oci_import_note)
        self.assertEqual(box.product_uom_id, units)
        self.assertEqual(box.oci_unit_code, "BX")
        self.assertIn("BX (Box)", box.oci_import_note)
        self.assertEqual(box.product_id.uom_id, units)
        self.assertEqual(gift_set.oci_unit_code, "SET")
        self.assertIn("SET (set)", gift_set.oci_import_note)
        notes = session.order_id.message_ids.mapped("body")
        self.assertTrue([body for body in notes if "check 2 line(s)" in body])

    def test_whole_demo_catalogue_imports(self):
        """Every gift of the demo shop (tools/simshop/catalogue.py), as its OCI
        cart sends it, makes an RFQ line at its own VAT rate."""
        catalogue = [
            ("TG-KP-001", "PCE", "49.95", "1", "9"),
            ("TG-BL-002", "PCE", "19.95", "1", "9"),
            ("TG-WK-003", "BX", "64.50", "1", "21"),
            ("TG-PB-004", "PCE", "17.25", "1", "21"),
            ("TG-CT-005", "PCE", "24.95", "1", "9"),
            ("TG-BB-006", "PCE", "12.50", "10", "9"),
            ("TG-CB-007", "PCE", "20.66", "1", "21"),
            ("TG-TK-008", "SET", "15.75", "1", "9"),
        ]
        lines = [
            self._line(
                VENDORMAT=code,
                DESCRIPTION=code,
                UNIT=unit,
                PRICE=price,
                PRICEUNIT=price_unit,
                CUST_FIELD4=vat,
                QUANTITY="2",
                MATGROUP="NZI-4410",
            )
            for code, unit, price, price_unit, vat in catalogue
        ]
        session, response = self._import(lines)
        self.assertEqual(response.status_code, 303, response.text[:500])
        order_lines = session.order_id.order_line.sorted("id")
        self.assertEqual(len(order_lines), len(catalogue))
        for line, (code, unit, _price, _basis, vat) in zip(
            order_lines, catalogue, strict=True
        ):
            self.assertEqual(line.oci_unit_code, unit)
            if line.product_id == self.product_flowers:
                # an existing product keeps its tax, flagged if it differs
                if line.tax_ids.mapped("amount") != [float(vat)]:
                    self.assertIn(f"states VAT {vat}%", line.oci_import_note)
                continue
            self.assertEqual(line.tax_ids.mapped("amount"), [float(vat)], code)
        self.assertAlmostEqual(order_lines[5].price_unit, 1.25)

    def test_count_unit_takes_existing_products_unit(self):
        """A pack of an existing product bought per piece is one of its units."""
        lines = [self._line(VENDORMAT="TG-BL-002", UNIT="PK", QUANTITY="3")]
        session, _response = self._import(lines)
        line = session.order_id.order_line
        self.assertEqual(line.product_id, self.product_flowers)
        self.assertEqual(line.product_uom_id, self.product_flowers.uom_id)
        self.assertEqual(line.product_qty, 3)
        self.assertIn("PK (Package)", line.oci_import_note)

    def test_no_unit_is_the_products_purchase_unit(self):
        """A product bought per dozen from this vendor, a line without UNIT."""
        dozen = self.env.ref("uom.product_uom_dozen")
        self.product_flowers.seller_ids.product_uom_id = dozen
        session, _response = self._import(
            [self._line(VENDORMAT="TG-BL-002", UNIT="", CUST_FIELD4="")]
        )
        line = session.order_id.order_line
        self.assertEqual(line.product_uom_id, dozen)
        self.assertFalse(line.oci_import_note)

    def test_unknown_code_kept_and_flagged(self):
        session, _response = self._import([self._line(UNIT="ZQX")])
        self.assertEqual(session.state, "done")
        line = session.order_id.order_line
        self.assertEqual(line.oci_unit_code, "ZQX")
        self.assertIn("check the quantity", line.oci_import_note)

    def test_known_odoo_unit_needs_no_note(self):
        session, _response = self._import([self._line(UNIT="KGM", PRICEUNIT="1")])
        line = session.order_id.order_line
        self.assertEqual(line.product_uom_id, self.env.ref("uom.product_uom_kgm"))
        self.assertFalse(line.oci_import_note)

    @mute_logger(SESSION_LOGGER)
    def test_weight_for_product_per_piece_refused(self):
        lines = [self._line(VENDORMAT="TG-BL-002", UNIT="KGM")]
        session, response = self._import(lines)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(session.error_code, "unknown_unit")
        self.assertIn("kilogram", session.error_message)

    # -- text ------------------------------------------------------------------

    def test_control_characters_cleaned_at_the_edge(self):
        """Text pasted from a word processor still makes a sendable order."""
        lines = [
            self._line(
                DESCRIPTION="Bonbons\x0bpuur\x1a",
                LONGTEXT="Per doos\x0c10 stuks\x01",
                CUST_FIELD1="Fijne\x08 dagen",
            )
        ]
        session, response = self._import(lines)
        self.assertEqual(response.status_code, 303, response.text[:500])
        line = session.order_id.order_line
        self.assertEqual(line.name, "Bonbons\npuur\nPer doos\n10 stuks")
        self.assertEqual(line.oci_card_text, "Fijne dagen")
        document = line._oci_prepare_cxml_line(1, {})
        self.assertNotIn("\x0b", document["description"])

    # -- companies -------------------------------------------------------------

    def test_product_lookups_stay_in_the_sessions_company(self):
        """Another company's product with the same codes is never used."""
        other = self.env["res.company"].create({"name": "Andere B.V."})
        foreign = self.env["product.product"].create(
            {
                "name": "Bonbons (andere onderneming)",
                "default_code": "100199",
                "company_id": other.id,
                "seller_ids": [
                    Command.create(
                        {"partner_id": self.vendor.id, "product_code": "TG-CH-099"}
                    )
                ],
            }
        )
        self.buyer.company_ids |= other
        lines = [
            self._line(VENDORMAT="TG-CH-099"),
            self._line(VENDORMAT="", EXT_PRODUCT_ID="100199", DESCRIPTION="Taart"),
        ]
        session, response = self._import(lines)
        self.assertEqual(response.status_code, 303, response.text[:500])
        products = session.order_id.order_line.product_id
        self.assertEqual(len(products), 2)
        self.assertNotIn(foreign, products)
        self.assertEqual(products.company_id, self.company)

    # -- the purchase request --------------------------------------------------

    def test_request_line_takes_only_what_fits(self):
        """ "Christmas parcels, 12" and a cart of three products: only the
        parcels are allocated to the request line; the rest are additions."""
        parcels = self.env["product.product"].create(
            {"name": "Kerstpakket", "type": "consu"}
        )
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.vendor.id,
                "product_tmpl_id": parcels.product_tmpl_id.id,
                "product_code": "TG-KP-001",
            }
        )
        request = self.env["purchase.request"].create(
            {
                "company_id": self.company.id,
                "requested_by": self.buyer.id,
                "line_ids": [
                    Command.create(
                        {"name": "Kerstpakketten", "product_id": parcels.id}
                    ),
                    Command.create({"name": "Iets lekkers", "product_qty": 5}),
                ],
            }
        )
        lines = [
            self._line(VENDORMAT="TG-KP-001", QUANTITY="12", PRICEUNIT="1"),
            self._line(VENDORMAT="TG-BL-002", QUANTITY="20"),
            self._line(VENDORMAT="TG-CT-005", QUANTITY="12"),
        ]
        session, _response = self._import(lines, request=request)
        po_parcels, po_flowers, po_cake = session.order_id.order_line.sorted("id")
        rl_parcels, rl_generic = request.line_ids.sorted("id")
        self.assertEqual(po_parcels.purchase_request_lines, rl_parcels)
        self.assertEqual(
            rl_parcels.purchase_request_allocation_ids.requested_product_uom_qty, 12
        )
        # two lines left for the one wish: neither is guessed
        self.assertFalse(rl_generic.purchase_request_allocation_ids)
        self.assertFalse(
            po_flowers.purchase_request_lines | po_cake.purchase_request_lines
        )
        self.assertIn("2 cart line(s) match no line", request.message_ids[0].body)

    def test_one_wish_takes_the_one_line_that_fits(self):
        """ "Christmas parcels, 12" without a product, a cart of three
        products (44 items): the request shows the 12 parcels ordered."""
        request = self.env["purchase.request"].create(
            {
                "company_id": self.company.id,
                "requested_by": self.buyer.id,
                "line_ids": [
                    Command.create({"name": "Kerstpakketten", "product_qty": 12})
                ],
            }
        )
        lines = [
            self._line(VENDORMAT="TG-BB-006", QUANTITY="30"),
            self._line(
                VENDORMAT="TG-KP-001", DESCRIPTION="Kerstpakket Deluxe", QUANTITY="12"
            ),
            self._line(VENDORMAT="TG-WK-003", DESCRIPTION="Wijnkist", QUANTITY="2"),
        ]
        session, _response = self._import(lines, request=request)
        parcels = session.order_id.order_line.filtered(
            lambda pl: pl.oci_vendormat == "TG-KP-001"
        )
        self.assertEqual(parcels.purchase_request_lines, request.line_ids)
        self.assertEqual(
            request.line_ids.purchase_request_allocation_ids.purchase_line_id, parcels
        )
        self.assertEqual(request.line_ids.purchased_qty, 12)

    def test_one_wish_two_lines_that_fit_none_guessed(self):
        request = self.env["purchase.request"].create(
            {
                "company_id": self.company.id,
                "requested_by": self.buyer.id,
                "line_ids": [
                    Command.create({"name": "Iets lekkers", "product_qty": 12})
                ],
            }
        )
        lines = [
            self._line(VENDORMAT="TG-BB-006", QUANTITY="12"),
            self._line(VENDORMAT="TG-CT-005", QUANTITY="12"),
        ]
        session, _response = self._import(lines, request=request)
        self.assertFalse(session.order_id.order_line.purchase_request_lines)
        self.assertIn("2 cart line(s) match no line", request.message_ids[0].body)

    def test_single_wish_takes_the_single_cart_line(self):
        session, _response = self._import(
            [self._line(QUANTITY="12")], request=self.request
        )
        line = session.order_id.order_line
        self.assertEqual(line.purchase_request_lines, self.request.line_ids)

    def test_served_wish_takes_no_line_of_a_later_cart(self):
        """The one line without a product takes a cart line only while it has
        no live RFQ line: a second cart is an addition; once the RFQ that
        serves it is cancelled, the next cart serves it."""
        first, _response = self._import(
            [self._line(QUANTITY="12")], request=self.request
        )
        wish = self.request.line_ids
        self.assertEqual(wish.purchase_lines, first.order_id.order_line)
        second, _response = self._import(
            [self._line(VENDORMAT="TG-CT-005", QUANTITY="3")], request=self.request
        )
        added = second.order_id.order_line.filtered(
            lambda pl: pl.oci_vendormat == "TG-CT-005"
        )
        self.assertTrue(added)
        self.assertFalse(added.purchase_request_lines)
        self.assertEqual(len(wish.purchase_request_allocation_ids), 1)
        self.assertIn("match no line", self.request.message_ids[0].body)
        first.order_id.button_cancel()
        third, _response = self._import(
            [self._line(QUANTITY="12")], request=self.request
        )
        self.assertEqual(third.order_id.order_line.purchase_request_lines, wish)

    def test_completed_wish_takes_no_more_lines(self):
        """A request line whose purchase is done (received in full) takes no
        line of a later cart: OCA would refuse to confirm that RFQ ("has
        already been completed"), as its own wizard refuses such a line."""
        first, _response = self._import(
            [self._line(QUANTITY="12")], request=self.request
        )
        with trap_jobs():
            first.order_id.button_confirm()
        # Received in full: OCA counts the request line's purchase as done.
        receipt = first.order_id.picking_ids
        for move in receipt.move_ids:
            move.quantity = move.product_uom_qty
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(self.request.line_ids.purchase_state, "done")
        second, _response = self._import(
            [self._line(QUANTITY="5")], request=self.request
        )
        order = second.order_id
        self.assertNotEqual(order, first.order_id)
        self.assertFalse(order.order_line.purchase_request_lines)
        self.assertIn("match no line", self.request.message_ids[0].body)
        with trap_jobs():
            order.button_confirm()
        self.assertEqual(order.state, "purchase")

    # -- currency --------------------------------------------------------------

    def test_cart_in_another_currency_than_the_shops_flagged(self):
        """A USD default from a euro shop: imported as sent, never unseen."""
        # No currency set: the company's (EUR), read when the cart comes back;
        # the shipped webshop record, made at install, is the same.
        self.assertFalse(self.supplier.currency_id)
        shipped = self.env.ref("topgeschenken_oci.webshop_topgeschenken").sudo()
        self.assertFalse(shipped.currency_id)
        usd = self.env.ref("base.USD")
        usd.active = True
        session, response = self._import([self._line(CURRENCY="USD")])
        self.assertEqual(response.status_code, 303, response.text[:500])
        order = session.order_id
        self.assertEqual(order.currency_id, usd)
        self.assertIn("the cart is in USD", order.order_line.oci_import_note)
        self.assertIn("quotes in EUR", order.order_line.oci_import_note)

    def test_cart_without_currency_in_the_shops(self):
        self.supplier.currency_id = self.env.ref("base.USD").sudo()
        self.supplier.currency_id.active = True
        session, _response = self._import([self._line(CURRENCY="")])
        order = session.order_id
        self.assertEqual(order.currency_id.name, "USD")
        self.assertFalse(order.order_line.oci_import_note)

    # -- VAT -------------------------------------------------------------------

    def test_new_product_takes_the_rate_the_cart_states(self):
        """A food gift at 9 % is bought at 9 %, not the default purchase tax."""
        session, _response = self._import(
            [
                self._line(VENDORMAT="TG-CT-005"),
                self._line(VENDORMAT="TG-WK-003", CUST_FIELD4="21"),
            ]
        )
        cake, wine = session.order_id.order_line.sorted("id")
        self.assertEqual(cake.product_id.supplier_taxes_id.mapped("amount"), [9])
        self.assertEqual(cake.tax_ids.mapped("amount"), [9])
        self.assertEqual(wine.tax_ids.mapped("amount"), [21])
        self.assertEqual(wine.tax_ids.type_tax_use, "purchase")
        self.assertFalse(cake.oci_import_note or wine.oci_import_note)

    def test_nzi_mapping_names_the_tax(self):
        self.supplier.nzi_mapping_ids.tax_id = self.tax_21
        session, _response = self._import([self._line(MATGROUP="4410", CUST_FIELD4="")])
        line = session.order_id.order_line
        self.assertEqual(line.tax_ids, self.tax_21)
        self.assertFalse(line.oci_import_note)

    def test_unknown_tax_flagged(self):
        session, _response = self._import([self._line(MATGROUP="9999", CUST_FIELD4="")])
        line = session.order_id.order_line
        self.assertIn("the cart states no VAT rate", line.oci_import_note)

    def test_existing_product_keeps_its_tax_flagged_when_cart_differs(self):
        self.product_flowers.supplier_taxes_id = self.tax_21
        session, _response = self._import(
            [self._line(VENDORMAT="TG-BL-002", CUST_FIELD4="9")]
        )
        line = session.order_id.order_line
        self.assertEqual(line.tax_ids, self.tax_21)
        self.assertIn("the cart states VAT 9%", line.oci_import_note)
