# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import json
import os
from pathlib import Path

from lxml import etree

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..protocol import oci
from .common import GIFT_LINES, PunchoutCommon
from .shop_server import cxml_status

AUX_IDS = [
    'TGP-8f3a21c0 <kaart & logo> "Fijne feestdagen"',
    '{"card": "Bedankt!", "logo": "COMPANY", "ref": "TGP-77aa01bb"}',
]
LOGGER = "odoo.addons.topgeschenken_oci.models.oci_order_transmission"


def testdata_dir():
    env = os.environ.get("TOPGESCHENKEN_TESTDATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "testdata"


@tagged("post_install", "-at_install")
class TestTransmission(PunchoutCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls._start_order_shop(order_timeout=1, order_max_attempts=4)
        cls.manager = new_test_user(
            cls.env,
            "tg_po_manager",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=cls.company.id,
        )

    def setUp(self):
        super().setUp()
        self.shop.reset()

    def _make_rfq(self, lines=None):
        lines = lines or [
            {**GIFT_LINES[0], "CUST_FIELD5": AUX_IDS[0]},
            {**GIFT_LINES[1], "CUST_FIELD5": AUX_IDS[1]},
        ]
        cart = oci.parse_oci_form(self._oci_fields(lines), aux_id_field="CUST_FIELD5")
        session = self.env["oci.punchout.session"]._start(self.supplier)
        return session.sudo()._process_cart(cart)

    def _confirm_and_send(self, order):
        with trap_jobs() as trap:
            order.button_confirm()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        return order.oci_transmission_ids

    def test_order_request_sent_once_with_echoed_aux_ids(self):
        order = self._make_rfq()
        transmission = self._confirm_and_send(order)
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(order.oci_transmission_state, "acknowledged")
        self.assertEqual(order.partner_ref, "TG-100001")
        self.assertEqual(transmission.supplier_order_ref, "TG-100001")
        self.assertEqual(len(self.shop.requests), 1)
        request = self.shop.requests[0]
        self.assertEqual(request["headers"]["Idempotency-Key"], order.name)
        root = etree.fromstring(request["body"])
        self.assertEqual(root.get("payloadID"), transmission.payload_id)
        header = root.find("Request/OrderRequest/OrderRequestHeader")
        self.assertEqual(header.get("orderID"), order.name)
        self.assertEqual(header.get("type"), "new")
        self.assertEqual(
            root.findtext("Header/Sender/Credential/SharedSecret"), "cxml-secret-42"
        )
        self.assertEqual(
            root.findtext("Header/To/Credential/Identity"), "TOPGESCHENKEN"
        )
        self.assertEqual(
            float(header.findtext("Total/Money")), round(order.amount_total, 2)
        )
        self.assertIsNotNone(header.find("BillTo/Address"))
        self.assertIsNotNone(header.find("ShipTo/Address"))
        items = root.findall("Request/OrderRequest/ItemOut")
        self.assertEqual(len(items), 2)
        # byte for byte, as the cart gave them
        self.assertEqual(
            [i.findtext("ItemID/SupplierPartAuxiliaryID") for i in items], AUX_IDS
        )
        self.assertEqual(
            [i.findtext("ItemID/SupplierPartID") for i in items],
            ["TG-KP-001", "TG-CH-010"],
        )
        self.assertEqual([i.get("quantity") for i in items], ["12", "30"])
        first = items[0]
        self.assertEqual(first.findtext("ItemDetail/UnitOfMeasure"), "PCE")
        self.assertEqual(first.findtext("ItemDetail/UnitPrice/Money"), "49.95")
        self.assertEqual(first.find("ItemDetail/Classification").get("domain"), "NZI")
        self.assertEqual(first.findtext("ItemDetail/Classification"), "441020")
        extrinsics = {
            e.get("name"): e.text for e in first.findall("ItemDetail/Extrinsic")
        }
        self.assertEqual(extrinsics["CardText"], "Fijne feestdagen! — Team Zorg")
        self.assertEqual(extrinsics["DeliveryLocation"], "LOC-UTR")
        # the price per single bonbon (12.50 per 10)
        self.assertEqual(items[1].findtext("ItemDetail/UnitPrice/Money"), "1.25")
        # the secret is in the document for the shop, never in the chatter
        messages = order.message_ids | transmission.message_ids
        self.assertFalse([m for m in messages if "cxml-secret-42" in (m.body or "")])

    def test_duplicate_confirmation_one_transmission(self):
        order = self._make_rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            order.button_confirm()
            order.button_approve()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(order.oci_transmission_ids), 1)
        self.assertEqual(len(self.shop.requests), 1)

    def test_two_step_approval(self):
        self.company.write(
            {"po_double_validation": "two_step", "po_double_validation_amount": 10}
        )
        order = self._make_rfq()
        with trap_jobs() as trap:
            order.with_user(self.buyer).button_confirm()
            self.assertEqual(order.state, "to approve")
            self.assertFalse(order.oci_transmission_ids)
            trap.assert_jobs_count(0)
            order.with_user(self.manager).button_approve()
            self.assertEqual(order.state, "purchase")
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(order.oci_transmission_state, "acknowledged")

    def test_rejected_order_never_sent(self):
        self.company.write(
            {"po_double_validation": "two_step", "po_double_validation_amount": 10}
        )
        order = self._make_rfq()
        with trap_jobs() as trap:
            order.with_user(self.buyer).button_confirm()
            order.with_user(self.manager).button_cancel()
            trap.assert_jobs_count(0)
        self.assertFalse(order.oci_transmission_ids)
        self.assertFalse(self.shop.requests)

    def test_cancelled_before_sending(self):
        order = self._make_rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            order.button_cancel()
            trap.perform_enqueued_jobs()
        self.assertEqual(order.oci_transmission_ids.state, "cancelled")
        self.assertFalse(self.shop.requests)

    @mute_logger(LOGGER)
    def test_shop_down_then_up_delivered_once(self):
        order = self._make_rfq()
        self.shop.script = [
            (503, b"<html>Onderhoud</html>", {}),
            (500, b"Internal error", {}),
            "drop",  # placed, but the answer is lost
        ]
        with trap_jobs() as trap:
            order.button_confirm()
            for _attempt in range(3):
                trap.perform_enqueued_jobs()
                transmission = order.oci_transmission_ids
                self.assertIn(transmission.state, ("to_send", "sent"))
                self.assertTrue(transmission.next_attempt_at)
                trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(transmission.attempt_count, 4)
        self.assertEqual(
            transmission.attempt_ids.sorted("id").mapped("outcome"),
            ["retry", "retry", "retry", "acknowledged"],
        )
        # every attempt carried the same order number and payloadID ...
        self.assertEqual(
            {r["headers"]["Idempotency-Key"] for r in self.shop.requests}, {order.name}
        )
        self.assertEqual(len({r["body"] for r in self.shop.requests}), 1)
        # ... so the shop has the order exactly once
        self.assertEqual(len(self.shop.orders), 1)

    @mute_logger(LOGGER)
    def test_refused_4xx_fails_with_activity(self):
        order = self._make_rfq()
        self.shop.script = [
            (400, cxml_status(400, "Bad Request", "Onbekend artikel TG-KP-001"), {})
        ]
        transmission = self._confirm_and_send(order)
        self.assertEqual(transmission.state, "failed")
        self.assertIn("Onbekend artikel", transmission.last_error)
        activity = order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Onbekend artikel", str(activity.note))
        self.assertEqual(len(self.shop.requests), 1, "a 4xx is not retried")

    def test_acknowledged_order_is_acknowledged_and_announced(self):
        order = self._make_rfq()
        self.assertFalse(order.acknowledged)
        transmission = self._confirm_and_send(order)
        self.assertEqual(transmission.state, "acknowledged")
        # Odoo's own flag: the RFQ dashboard no longer counts it "Not Acknowledged"
        self.assertTrue(order.acknowledged)
        # open order forms hear of every state change (bus), and reload
        self.env.cr.precommit.run()
        group = self.env.ref("purchase.group_purchase_user")
        notifications = (
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", "topgeschenken_oci/transmission_state")])
        )
        self.assertTrue(notifications)
        self.assertEqual(
            json.loads(notifications[0].channel)[1:], ["res.groups", group.id]
        )
        payload = json.loads(notifications[0].message)["payload"]
        self.assertEqual(payload, {"order_ids": [order.id]})

    @mute_logger(LOGGER)
    def test_cxml_status_error_in_200(self):
        order = self._make_rfq()
        self.shop.script = [(200, cxml_status(406, "Not Acceptable", "Budget"), {})]
        transmission = self._confirm_and_send(order)
        self.assertEqual(transmission.state, "failed")

    @mute_logger(LOGGER)
    def test_garbage_answer_then_ack(self):
        order = self._make_rfq()
        self.shop.script = [(200, b"<html><body>Bedankt!</body>", {})]
        with trap_jobs() as trap:
            order.button_confirm()
            trap.perform_enqueued_jobs()
            transmission = order.oci_transmission_ids
            self.assertEqual(transmission.state, "sent")
            trap.perform_enqueued_jobs()
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(len(self.shop.orders), 1)

    @mute_logger(LOGGER)
    def test_gives_up_after_max_attempts_then_send_again(self):
        order = self._make_rfq()
        self.shop.script = [(503, b"down", {})] * 4
        with trap_jobs() as trap:
            order.button_confirm()
            for _attempt in range(4):
                trap.perform_enqueued_jobs()
            transmission = order.oci_transmission_ids
            self.assertEqual(transmission.state, "failed")
            self.assertIn("Given up after 4 attempts", transmission.last_error)
            trap.assert_jobs_count(0)
            self.assertTrue(order.activity_ids)
            # a purchase manager sends it again once the shop is back
            transmission.with_user(self.manager).action_send_again()
            trap.perform_enqueued_jobs()
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(len(self.shop.orders), 1)

    def test_ubl_order_valid_against_xsd(self):
        xsd_path = testdata_dir() / "ubl21-xsd" / "maindoc" / "UBL-Order-2.1.xsd"
        self.assertTrue(xsd_path.exists(), f"UBL XSD missing at {xsd_path}")
        self.supplier.write({"order_format": "ubl", "order_auth": "basic"})
        ubl_response = (
            b'<OrderResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
            b'OrderResponse-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:'
            b'xsd:CommonBasicComponents-2"><cbc:ID>TG-200002</cbc:ID>'
            b"<cbc:SalesOrderID>TG-200002</cbc:SalesOrderID></OrderResponse>"
        )
        self.shop.script = [(200, ubl_response, {})]
        order = self._make_rfq()
        transmission = self._confirm_and_send(order)
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(order.partner_ref, "TG-200002")
        request = self.shop.requests[0]
        self.assertTrue(request["headers"]["Authorization"].startswith("Basic "))
        schema = etree.XMLSchema(etree.parse(str(xsd_path)))
        document = etree.fromstring(request["body"])
        schema.assertValid(document)
        ubl = "urn:oasis:names:specification:ubl:schema:xsd:"
        ns = {
            "cac": ubl + "CommonAggregateComponents-2",
            "cbc": ubl + "CommonBasicComponents-2",
        }
        self.assertEqual(document.findtext("cbc:ID", namespaces=ns), order.name)
        self.assertEqual(
            document.xpath(
                "//cac:SellersItemIdentification/cbc:ExtendedID/text()", namespaces=ns
            ),
            AUX_IDS,
        )
