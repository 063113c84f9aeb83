# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import base64
import json
import os
import socket
from unittest.mock import patch

import requests
from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import file_path, mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..protocol import cxml, oci
from .common import GIFT_LINES, PunchoutCommon
from .shop_server import FakeShop, cxml_status

AUX_IDS = [
    'TGP-8f3a21c0 <kaart & logo> "Fijne feestdagen"',
    '{"card": "Bedankt!", "logo": "COMPANY", "ref": "TGP-77aa01bb"}',
]
LOGGER = "odoo.addons.topgeschenken_oci.models.punchout_order_transmission"


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
        session = self.env["punchout.session"]._start(self.supplier)
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
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        self.assertEqual(
            request["headers"]["Idempotency-Key"],
            f"{dbuuid}-{transmission.id}-1",
            "unique across companies and database copies",
        )
        self.assertEqual(transmission.idempotency_key, f"{dbuuid}-{transmission.id}-1")
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
        # the price as the shop quoted it: 12.50 per 10 bonbons
        self.assertEqual(items[1].findtext("ItemDetail/UnitPrice/Money"), "12.50")
        basis = items[1].find("ItemDetail/PriceBasisQuantity")
        self.assertEqual(basis.get("quantity"), "10")
        self.assertEqual(basis.get("conversionFactor"), "1")
        # the secret is in the document for the shop, never in the chatter
        messages = order.message_ids | transmission.message_ids
        self.assertFalse([m for m in messages if "cxml-secret-42" in (m.body or "")])

    def test_secret_only_in_the_bytes_sent(self):
        """The stored order document carries no shared secret (purchase users
        read it); the shop gets it; an answer that echoes credentials is kept
        as a short redacted excerpt."""
        echo = (
            b"<cXML><Response><Status code='500' text='x'>"
            b"<SharedSecret>cxml-secret-42</SharedSecret> Authorization: Bearer abc "
            + b"x" * 3000
            + b"</Status></Response></cXML>"
        )
        self.shop.script.append((503, echo, {}))
        order = self._make_rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            trap.perform_enqueued_jobs()
        transmission = order.oci_transmission_ids
        stored = base64.b64decode(transmission.with_user(self.buyer).payload)
        self.assertNotIn(b"cxml-secret-42", stored)
        self.assertNotIn(b"SharedSecret", stored)
        root = etree.fromstring(self.shop.requests[0]["body"])
        self.assertEqual(
            root.findtext("Header/Sender/Credential/SharedSecret"), "cxml-secret-42"
        )
        attempt = transmission.attempt_ids[-1:]
        excerpt = attempt.with_user(self.buyer).response_excerpt
        self.assertLessEqual(len(excerpt), 500)
        self.assertNotIn("cxml-secret-42", excerpt)
        self.assertNotIn("Bearer abc", excerpt)
        self.assertIn("[redacted]", excerpt)

    def test_price_per_thousand_sent_as_quoted(self):
        """24.25 per 1,000 envelopes: the RFQ keeps 0.02425 a piece and the
        order quotes 24.25 per 1,000, so its lines add up to its total."""
        order = self._make_rfq(
            [
                {
                    **GIFT_LINES[1],
                    "VENDORMAT": "TG-EN-011",
                    "DESCRIPTION": "Enveloppen C5",
                    "QUANTITY": "10000",
                    "PRICE": "24.25",
                    "PRICEUNIT": "1000",
                }
            ]
        )
        line = order.order_line
        self.assertEqual(line.price_unit, 0.02425)
        self.assertAlmostEqual(line.price_subtotal, 242.50)
        self._confirm_and_send(order)
        root = etree.fromstring(self.shop.requests[0]["body"])
        item = root.find("Request/OrderRequest/ItemOut")
        self.assertEqual(item.findtext("ItemDetail/UnitPrice/Money"), "24.25")
        self.assertEqual(
            item.find("ItemDetail/PriceBasisQuantity").get("quantity"), "1000"
        )
        header = root.find("Request/OrderRequest/OrderRequestHeader")
        subtotal = float(header.findtext("Total/Money")) - float(
            header.findtext("Tax/Money")
        )
        self.assertAlmostEqual(subtotal, 10000 * 24.25 / 1000)

    def test_secret_stripped_from_documents_stored_before(self):
        order = self._make_rfq()
        with trap_jobs():
            order.button_confirm()
        transmission = order.oci_transmission_ids
        stored = cxml.with_shared_secret(
            base64.b64decode(transmission.payload), "cxml-secret-42"
        )
        transmission.payload = base64.b64encode(stored)
        self.env["punchout.order.transmission"]._strip_stored_secrets()
        document = base64.b64decode(transmission.payload)
        self.assertNotIn(b"cxml-secret-42", document)
        self.assertIn(b"DE-LINDE", document)

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
                self.assertTrue(transmission.date_next_attempt)
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
            {r["headers"]["Idempotency-Key"] for r in self.shop.requests},
            {transmission.idempotency_key},
        )
        self.assertEqual(len({r["body"] for r in self.shop.requests}), 1)
        # ... so the shop has the order exactly once
        self.assertEqual(len(self.shop.orders), 1)

    def test_order_headers_and_authentication_per_format(self):
        """The webshop says how an order is sent: cXML carries its
        credentials in the document, UBL uses Basic or a Bearer token whose
        value never shows in a repr (logs, tracebacks)."""
        supplier = self.supplier
        supplier.write({"order_auth": "bearer", "cxml_shared_secret": "t0ken-9"})
        self.assertIsNone(supplier._order_auth("cxml"))
        auth = supplier._order_auth("ubl")
        prepared = requests.Request("POST", "http://127.0.0.1/").prepare()
        self.assertEqual(auth(prepared).headers["Authorization"], "Bearer t0ken-9")
        self.assertNotIn("t0ken-9", repr(auth))
        supplier.order_auth = "basic"
        self.assertEqual(
            supplier._order_auth("ubl"),
            (supplier.oci_username or "", supplier.oci_password or ""),
        )
        headers = supplier._prepare_order_headers("ubl", "key-1")
        self.assertEqual(headers["Content-Type"], "application/xml")
        self.assertEqual(headers["Idempotency-Key"], "key-1")
        headers = supplier._prepare_order_headers("cxml", "key-2")
        self.assertEqual(headers["Content-Type"], "text/xml; charset=UTF-8")

    def test_oversized_answer_not_read_then_retried(self):
        """A shop answer over the reply limit (10 MB) is not read into
        memory: the attempt is retried with the same key, then acknowledged."""
        order = self._make_rfq()
        self.shop.script = [(200, b"<x/>" * (3 * 1024 * 1024), {})]
        with trap_jobs() as trap:
            order.button_confirm()
            trap.perform_enqueued_jobs()
            transmission = order.oci_transmission_ids
            self.assertIn(transmission.state, ("to_send", "sent"))
            self.assertIn("ReplyTooLargeError", transmission.last_error)
            trap.perform_enqueued_jobs()
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(
            transmission.attempt_ids.sorted("id").mapped("outcome"),
            ["retry", "acknowledged"],
        )
        self.assertEqual(
            {r["headers"]["Idempotency-Key"] for r in self.shop.requests},
            {transmission.idempotency_key},
        )

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
        xsd_path = file_path(
            "topgeschenken_oci/tests/test_files/ubl21-xsd/maindoc/UBL-Order-2.1.xsd"
        )
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


@tagged("post_install", "-at_install")
class TestOutgoingUrls(PunchoutCommon):
    """Where the server sends requests: set by administrators, never an
    internal address (unless allowed), redirects not followed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls._start_order_shop(order_timeout=1, order_max_attempts=2)
        cls.manager = new_test_user(
            cls.env,
            "tg_url_manager",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=cls.company.id,
        )

    def setUp(self):
        super().setUp()
        self.shop.reset()

    def _confirmed_rfq(self):
        cart = oci.parse_oci_form(self._oci_fields(GIFT_LINES[:1]))
        session = self.env["punchout.session"]._start(self.supplier)
        return session.sudo()._process_cart(cart)

    def test_only_administrators_set_urls(self):
        supplier = self.supplier.with_user(self.manager)
        for field in ("catalog_url", "order_url"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                supplier.write({field: "https://shop.example/x"})
        supplier.write({"session_lifetime": 30})  # other fields stay theirs

    def test_urls_without_credentials_or_unreadable_parts(self):
        """A URL with a user name and password would show them to every
        purchase user (and in the chatter's tracking); one with a port or
        host the server cannot read fails only when it is called: both are
        refused when saved, and nothing of them is kept."""
        for url in (
            "https://shopuser:pw-s3cret@shop.example/order",
            "https://pw-s3cret@shop.example/order",
            "https://shop.example:99999/order",
            "https://\u2603.example/order",
        ):
            for field in ("catalog_url", "order_url"):
                with self.subTest(url=url, field=field):
                    with self.assertRaises(ValidationError):
                        self.supplier.write({field: url})
        self.assertNotIn(
            "pw-s3cret",
            str(self.supplier.message_ids.tracking_value_ids.mapped("new_value_char")),
        )
        self.supplier.write({"order_url": "https://bücher.example:8443/order"})

    def test_internal_addresses_refused(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "topgeschenken_oci.allow_private_urls", "False"
        )
        Supplier = self.env["punchout.webshop"]
        for url in (
            "http://127.0.0.1:8069/web",
            "http://localhost/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://[::1]/",
            "http://user:pw@127.0.0.1/",
            "http://localhost./x",
            "http://2130706433/",
            "http://[::ffff:127.0.0.1]/",
            "ftp://shop.example/",
            # Unreadable: a clear UserError, not a server error.
            "https://shop.example:99999/x",
            "https://shop.example:port/x",
            "https://\u2603.example/x",
        ):
            with self.subTest(url=url), self.assertRaises(UserError):
                Supplier._check_outgoing_url(url)
        order = self._confirmed_rfq()
        with mute_logger(LOGGER), trap_jobs() as trap:
            order.button_confirm()
            trap.perform_enqueued_jobs()
        self.assertEqual(order.oci_transmission_ids.state, "failed")
        self.assertIn("internal address", order.oci_transmission_ids.last_error)
        self.assertFalse(self.shop.requests)

    def _resolving(self, answers):
        """``socket.getaddrinfo`` answering ``answers`` (host name -> list
        of addresses) for those names, as the real resolver for others."""
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host not in answers:
                return real(host, port, *args, **kwargs)
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in answers[host]
            ]

        return patch.object(socket, "getaddrinfo", getaddrinfo)

    def test_any_internal_address_refuses_the_host(self):
        """One internal address among a host's addresses refuses it: the
        connection could go to any of them."""
        self.env["ir.config_parameter"].sudo().set_param(
            "topgeschenken_oci.allow_private_urls", "False"
        )
        Supplier = self.env["punchout.webshop"]
        answers = {
            "shop.example": ["93.184.216.34", "10.0.0.7"],
            "meta.example": ["169.254.169.254"],
            "mapped.example": ["93.184.216.34", "::ffff:127.0.0.1"],
        }
        with self._resolving(answers):
            for host in answers:
                with self.subTest(host=host), self.assertRaises(UserError) as error:
                    Supplier._outgoing_post(f"http://{host}/order", data=b"<x/>")
                self.assertIn("internal address", str(error.exception))

    def test_proxy_does_not_bypass_the_check(self):
        """A proxy from the environment would resolve the name itself, out
        of reach of the check: it is not used, and the check still holds."""
        proxy = FakeShop().start()
        self.addCleanup(proxy.stop)
        Supplier = self.env["punchout.webshop"]
        with patch.dict(
            os.environ,
            {"HTTP_PROXY": proxy.base_url, "http_proxy": proxy.base_url},
        ):
            os.environ.pop("NO_PROXY", None)
            os.environ.pop("no_proxy", None)
            # Allowed (loopback shop): straight to the shop, not the proxy.
            response = Supplier._outgoing_post(self.shop.url, data=b"<cXML/>")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(len(self.shop.requests), 1)
            self.assertFalse(proxy.requests)
            # Not allowed: refused before anything is sent, proxy or not.
            self.env["ir.config_parameter"].sudo().set_param(
                "topgeschenken_oci.allow_private_urls", "False"
            )
            with self.assertRaises(UserError):
                Supplier._outgoing_post(self.shop.url, data=b"<cXML/>")
        self.assertEqual(len(self.shop.requests), 1)
        self.assertFalse(proxy.requests)

    def test_connection_pinned_to_the_checked_address(self):
        """DNS rebinding: the name resolves to the checked address once, and
        to nothing (or anything else) afterwards; the POST still reaches
        the checked address, with the name in its Host header."""
        Supplier = self.env["punchout.webshop"]
        port = self.shop.server.server_address[1]
        calls = []
        real = socket.getaddrinfo

        def getaddrinfo(host, *args, **kwargs):
            if host != "localhost":
                return real(host, *args, **kwargs)
            calls.append(host)
            if len(calls) > 1:
                raise socket.gaierror(socket.EAI_NONAME, "rebound")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

        with patch.object(socket, "getaddrinfo", getaddrinfo):
            response = Supplier._outgoing_post(
                f"http://localhost:{port}/cxml/order", data=b"<cXML/>"
            )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(calls, ["localhost"])
        self.assertEqual(len(self.shop.requests), 1)
        self.assertEqual(self.shop.requests[0]["headers"]["Host"], f"localhost:{port}")

    @mute_logger(LOGGER)
    def test_redirect_not_followed(self):
        self.shop.script.append((302, b"", {"Location": f"{self.shop.base_url}/x"}))
        order = self._confirmed_rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.shop.requests), 1)
        self.assertEqual(order.oci_transmission_ids.state, "failed")
        self.assertIn("redirect", order.oci_transmission_ids.last_error)


@tagged("post_install", "-at_install")
class TestExactlyOnce(PunchoutCommon):
    """The current order, once: versions, neutralized copies, the watchdog,
    failures that stay visible."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls._start_order_shop(order_timeout=1, order_max_attempts=3)

    def setUp(self):
        super().setUp()
        self.shop.reset()

    def _rfq(self):
        cart = oci.parse_oci_form(self._oci_fields(GIFT_LINES[:1]))
        session = self.env["punchout.session"]._start(self.supplier)
        return session.sudo()._process_cart(cart)

    def test_confirmed_again_sends_the_current_order(self):
        order = self._rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            order.button_cancel()
            trap.perform_enqueued_jobs()
        transmission = order.oci_transmission_ids
        self.assertEqual(transmission.state, "cancelled")
        self.assertFalse(self.shop.requests)
        first_key = transmission.idempotency_key
        order.button_draft()
        order.order_line.product_qty = 7
        with trap_jobs() as trap:
            order.button_confirm()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(transmission.version, 2)
        self.assertNotEqual(transmission.idempotency_key, first_key)
        self.assertEqual(len(self.shop.requests), 1)
        root = etree.fromstring(self.shop.requests[0]["body"])
        self.assertEqual(root.find("Request/OrderRequest/ItemOut").get("quantity"), "7")
        self.assertEqual(root.get("payloadID"), transmission.payload_id)

    def test_changed_after_confirmation_sends_the_current_order(self):
        """Confirmed, then edited before the job ran: the job sends what the
        order says now, not the document built at confirmation."""
        order = self._rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            order.order_line.product_qty = 3
            trap.perform_enqueued_jobs()
        root = etree.fromstring(self.shop.requests[0]["body"])
        self.assertEqual(root.find("Request/OrderRequest/ItemOut").get("quantity"), "3")
        self.assertEqual(order.oci_transmission_ids.version, 2)

    def test_neutralized_copy_sends_nothing(self):
        from odoo.modules.neutralize import neutralize_database

        order = self._rfq()
        self.assertTrue(self.supplier.inbound_secret)
        with trap_jobs() as trap:
            order.button_confirm()
            self.env.flush_all()
            neutralize_database(self.env.cr)
            self.env.invalidate_all()
            trap.perform_enqueued_jobs()
        self.assertFalse(self.shop.requests)
        transmission = order.oci_transmission_ids
        self.assertEqual(transmission.state, "cancelled")
        self.assertIn("neutralized", transmission.last_error)
        self.assertEqual(self.supplier.order_format, "none")
        # Nor takes the shop's documents: it has no inbound secret left.
        self.assertFalse(self.supplier.inbound_secret)

    @mute_logger(LOGGER)
    def test_error_while_preparing_is_a_visible_failure(self):
        order = self._rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            # the document cannot be built any more (say, a broken
            # configuration): a failure with an activity, not "to send"
            self.supplier.cxml_to_identity = False
            order.order_line.product_qty = 2
            trap.perform_enqueued_jobs()
        transmission = order.oci_transmission_ids
        self.assertEqual(transmission.state, "failed")
        self.assertIn("could not be prepared", transmission.last_error)
        self.assertTrue(order.activity_ids)
        self.assertFalse(self.shop.requests)

    def test_watchdog_requeues_a_lost_job(self):
        order = self._rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            trap.assert_jobs_count(1)
        transmission = order.oci_transmission_ids
        # the job is gone (trap_jobs kept it out of queue_job) and long ago
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE punchout_order_transmission"
            " SET write_date = now() - interval '1 hour' WHERE id = %s",
            [transmission.id],
        )
        self.env.invalidate_all()
        with trap_jobs() as trap:
            self.env["punchout.order.transmission"]._cron_requeue_lost()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(len(self.shop.requests), 1)

    def test_cancel_after_the_shop_has_it_sends_the_cancellation(self):
        order = self._rfq()
        with trap_jobs() as trap:
            order.button_confirm()
            trap.perform_enqueued_jobs()
        self.assertEqual(order.oci_transmission_state, "acknowledged")
        with trap_jobs() as trap:
            order.button_cancel()
            trap.assert_jobs_count(1)  # the cancellation, to the shop
        transmission = order.oci_transmission_ids
        self.assertEqual(transmission.state, "to_send")
        self.assertTrue(
            any(
                "the cancellation is sent to the webshop" in (message.body or "")
                for message in transmission.message_ids
            )
        )
        self.assertEqual(len(self.shop.requests), 1)
