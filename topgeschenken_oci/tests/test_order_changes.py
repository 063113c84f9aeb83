# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from datetime import datetime

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import file_open

from odoo.addons.queue_job.tests.common import trap_jobs

from ..protocol import oci
from .common import GIFT_LINES, PunchoutCommon


@tagged("post_install", "-at_install")
class TestOrderChanges(PunchoutCommon):
    """A change or a cancellation of an order the shop took goes to it as a new
    version of the OrderRequest (cXML ``type="update"`` / ``"delete"``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls._start_order_shop(order_timeout=1, order_max_attempts=4)

    def setUp(self):
        super().setUp()
        self.shop.reset()
        cart = oci.parse_oci_form(
            self._oci_fields(GIFT_LINES), aux_id_field="CUST_FIELD5"
        )
        session = self.env["punchout.session"]._start(self.supplier)
        self.order = session.sudo()._process_cart(cart)
        with trap_jobs() as trap:
            self.order.button_confirm()
            trap.perform_enqueued_jobs()
        self.transmission = self.order.oci_transmission_ids
        self.assertEqual(self.transmission.state, "acknowledged")

    def _sent(self, index=-1):
        request = self.shop.requests[index]
        root = etree.fromstring(request["body"])
        return request, root.find("Request/OrderRequest/OrderRequestHeader"), root

    def test_changed_quantity_sent_as_an_update_once(self):
        first_payload = self.transmission.payload_id
        with trap_jobs() as trap:
            self.order.order_line[0].product_qty = 15
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.shop.requests), 2)
        request, header, root = self._sent()
        self.assertEqual(header.get("type"), "update")
        self.assertEqual(header.get("orderID"), self.order.name)
        self.assertEqual(header.get("orderVersion"), "2")
        self.assertEqual(
            header.find("DocumentReference").get("payloadID"), first_payload
        )
        self.assertEqual(
            root.find("Request/OrderRequest/ItemOut").get("quantity"), "15"
        )
        self.assertNotEqual(
            request["headers"]["Idempotency-Key"],
            self.shop.requests[0]["headers"]["Idempotency-Key"],
        )
        self.assertEqual(self.transmission.state, "acknowledged")
        self.assertEqual(self.transmission.delivered_version, 2)
        self.assertIn("changed order", self.order.message_ids[0].body)

    def test_added_line_sent_as_an_update_once(self):
        """A line added to the confirmed order (the form saves it, then a
        quantity) goes to the shop as one update with every line."""
        first_payload = self.transmission.payload_id
        product = self.env["product.product"].create(
            {"name": "Extra kerstpakket", "type": "consu"}
        )
        with trap_jobs() as trap:
            self.order.write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_qty": 2,
                                "price_unit": 9,
                            }
                        )
                    ]
                }
            )
            self.order.order_line[-1].product_qty = 3
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.shop.requests), 2)
        __, header, root = self._sent()
        self.assertEqual(header.get("type"), "update")
        self.assertEqual(
            header.find("DocumentReference").get("payloadID"), first_payload
        )
        items = root.findall("Request/OrderRequest/ItemOut")
        self.assertEqual(len(items), len(GIFT_LINES) + 1)
        self.assertEqual(items[-1].get("quantity"), "3")
        self.assertEqual(self.transmission.state, "acknowledged")
        self.assertEqual(self.transmission.delivered_version, self.transmission.version)

    def test_removed_line_sent_as_an_update_once(self):
        """Odoo keeps an ordered line (it refuses to delete it): a line is
        removed by setting its quantity to 0. The update goes once, without
        that line; the other lines keep their numbers."""
        with self.assertRaises(UserError):
            self.order.order_line[0].unlink()
        with trap_jobs() as trap:
            self.order.order_line[0].product_qty = 0
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.shop.requests), 2)
        __, header, root = self._sent()
        self.assertEqual(header.get("type"), "update")
        items = root.findall("Request/OrderRequest/ItemOut")
        self.assertEqual([item.get("lineNumber") for item in items], ["2"])
        self.assertEqual(self.transmission.delivered_version, 2)
        # a note added and removed changes nothing the shop has
        with trap_jobs() as trap:
            self.order.write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "name": "Bezorgen na 12 uur",
                                "display_type": "line_note",
                                "product_qty": 0,
                            }
                        )
                    ]
                }
            )
            self.order.order_line.filtered("display_type").unlink()
            trap.assert_jobs_count(0)

    def test_shop_confirmed_dates_are_not_sent_back(self):
        self.supplier.write({"inbound_secret": "s3cret"})
        with file_open(
            "topgeschenken_oci/protocol/tests/test_files/cxml_confirmation_request.xml",
            "rb",
        ) as f:
            body = f.read().replace(b"PO-ORDER-ID", self.order.name.encode())
        with trap_jobs() as trap:
            answer = self.env["punchout.order.document"].sudo()._receive_cxml(body)
            trap.assert_jobs_count(0)
        self.assertEqual(answer.code, 200, answer.text)
        self.assertEqual(
            self.order.order_line[0].date_planned, datetime(2026, 12, 10, 11)
        )
        self.assertEqual(self.transmission.version, 1)

    def test_cancellation_sent_as_a_delete(self):
        with trap_jobs() as trap:
            self.order.button_cancel()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.shop.requests), 2)
        __, header, __ = self._sent()
        self.assertEqual(header.get("type"), "delete")
        self.assertEqual(header.get("orderVersion"), "2")
        self.assertEqual(self.transmission.state, "cancelled")
        self.assertEqual(self.order.oci_transmission_state, "cancelled")
        self.assertIn("took the cancellation", self.order.message_ids[0].body)

    def test_change_before_the_shop_had_it_is_still_new(self):
        """An order the shop never took goes as one ``new`` document, as it
        is when sent."""
        self.shop.reset()
        cart = oci.parse_oci_form(
            self._oci_fields(GIFT_LINES[:1]), aux_id_field="CUST_FIELD5"
        )
        session = self.env["punchout.session"]._start(self.supplier)
        order = session.sudo()._process_cart(cart)
        with trap_jobs() as trap:
            order.button_confirm()
            order.order_line.product_qty = 20
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.shop.requests), 1)
        __, header, root = self._sent()
        self.assertEqual(header.get("type"), "new")
        self.assertEqual(
            root.find("Request/OrderRequest/ItemOut").get("quantity"), "20"
        )
