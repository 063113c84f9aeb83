# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import base64
from datetime import datetime
from functools import cache
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_open, file_path, mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..models import punchout_order_document
from ..protocol import oci
from .common import GIFT_LINES, PunchoutCommon, PunchoutHttpCommon

URL = "/punchout/ubl/order-documents"
UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
NS = {
    "cac": UBL + "CommonAggregateComponents-2",
    "cbc": UBL + "CommonBasicComponents-2",
}
UBL_ACCEPTED = (
    b'<OrderResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
    b'OrderResponse-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:'
    b'xsd:CommonBasicComponents-2"><cbc:ID>TG-100001</cbc:ID>'
    b"<cbc:SalesOrderID>TG-100001</cbc:SalesOrderID>"
    b"<cbc:OrderResponseCode>AP</cbc:OrderResponseCode></OrderResponse>"
)


@cache
def _schema(name):
    path = file_path(f"topgeschenken_oci/tests/test_files/ubl21-xsd/maindoc/{name}")
    return etree.XMLSchema(etree.parse(path))


def assert_valid_ubl(document, name):
    """``document`` (bytes) validates against the OASIS UBL 2.1 ``name``."""
    root = etree.fromstring(document)
    _schema(f"UBL-{name}-2.1.xsd").assertValid(root)
    return root


def _basic(username, password):
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return f"Basic {token}"


@tagged("post_install", "-at_install")
class TestUblOrderDocuments(PunchoutHttpCommon):
    """The shop's UBL 2.1 OrderResponse and DespatchAdvice, over real HTTP:
    the same effects as the cXML ConfirmationRequest and ShipNoticeRequest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier.write(
            {
                "order_format": "ubl",
                "order_auth": "basic",
                "inbound_secret": "in-b0und-secret",
            }
        )
        cls.auth = _basic("topgeschenken", "in-b0und-secret")
        cls.product_box = cls.env["product.product"].create(
            {"name": "Kerstpakket Deluxe", "type": "consu", "is_storable": True}
        )

    def setUp(self):
        super().setUp()
        self.order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "company_id": self.company.id,
                "user_id": self.buyer.id,
                "oci_webshop_id": self.supplier.id,
                "order_line": [
                    Command.create(
                        {"product_id": p.id, "product_qty": q, "price_unit": 10.0}
                    )
                    for p, q in ((self.product_box, 12), (self.product_flowers, 5))
                ],
            }
        )
        with trap_jobs():
            self.order.button_confirm()
        self.assertEqual(self.order.state, "purchase")
        self.receipt = self.order.picking_ids

    def _document(self, name, **replace):
        with file_open(
            f"topgeschenken_oci/protocol/tests/test_files/{name}", "rb"
        ) as f:
            body = f.read()
        replace.setdefault("PO-ORDER-ID", self.order.name)
        for old, new in replace.items():
            body = body.replace(old.encode(), new.encode())
        return body

    def _post(self, body, auth=None):
        headers = {"Content-Type": "application/xml"}
        auth = self.auth if auth is None else auth
        if auth:
            headers["Authorization"] = auth
        return self.url_open(URL, data=body, headers=headers)

    def _rejection_activities(self):
        return self.order.activity_ids.filtered(
            lambda a: "rejected" in (a.summary or "")
        )

    def test_order_response_updates_the_order_once(self):
        body = self._document("ubl_order_response.xml")
        assert_valid_ubl(body, "OrderResponse")
        response = self._post(body)
        self.assertEqual(response.status_code, 200, response.text)
        first, second = self.order.order_line
        delivery = datetime(2026, 12, 10, 11, 0)  # 12:00 +01:00
        self.assertEqual(first.oci_confirmation_state, "confirmed")
        self.assertEqual(first.oci_confirmed_qty, 12)
        self.assertEqual(first.date_planned, delivery)
        self.assertEqual(first.move_ids.date, delivery)
        self.assertEqual(second.oci_confirmation_state, "rejected")
        self.assertEqual(second.product_qty, 0)
        self.assertEqual(self.order.partner_ref, "TG-300001")
        self.assertTrue(self.order.acknowledged)
        activity = self._rejection_activities()
        self.assertEqual(activity.user_id, self.buyer)
        self.assertIn("Bloemetje met kaart", activity.note)
        # Made as OdooBot, as for cXML, not as the public user: "assigned
        # by" is a user every buyer of every company may read.
        self.assertEqual(
            self.order.activity_ids.create_uid, self.env.ref("base.user_root")
        )
        document = self.order.oci_document_ids
        self.assertEqual(document.document_type, "confirmation")
        self.assertEqual(document.payload_id, "OrderResponse:OR-300001")
        self.assertEqual(document.status, "detail")
        self.assertEqual(document.attachment_id.raw, body)
        self.assertIn("Uitverkocht voor de kerst.", document.summary)
        # The same document again: nothing changes.
        first.date_planned = datetime(2026, 12, 24)
        again = self._post(body)
        self.assertEqual(again.status_code, 200)
        self.assertIn("already processed", again.text)
        self.assertEqual(len(self.order.oci_document_ids), 1)
        self.assertEqual(len(self._rejection_activities()), 1)
        self.assertEqual(first.date_planned, datetime(2026, 12, 24))

    def test_rejected_order_rejects_every_line(self):
        body = self._document(
            "ubl_order_response.xml",
            **{"<cbc:OrderResponseCode>CA<": "<cbc:OrderResponseCode>RE<"},
        )
        # A rejection without lines: the whole order.
        root = etree.fromstring(body)
        for line in root.findall("cac:OrderLine", NS):
            root.remove(line)
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        assert_valid_ubl(body, "OrderResponse")
        response = self._post(body)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            set(self.order.order_line.mapped("oci_confirmation_state")), {"rejected"}
        )
        self.assertFalse(self.order.acknowledged)

    def test_despatch_advice_reaches_the_receipt(self):
        body = self._document("ubl_despatch_advice.xml")
        assert_valid_ubl(body, "DespatchAdvice")
        response = self._post(body)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.receipt.oci_carrier, "PostNL")
        self.assertEqual(self.receipt.oci_tracking_ref, "3SDEVC1234567")
        self.assertEqual(self.receipt.scheduled_date, datetime(2026, 12, 11, 11, 0))
        notes = self.receipt.message_ids.mapped("body")
        self.assertTrue([b for b in notes if "3SDEVC1234567" in b], notes)
        document = self.order.oci_document_ids
        self.assertEqual(document.document_type, "ship_notice")
        self.assertEqual(document.document_ref, "DA-77")
        again = self._post(body)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(len(self.order.oci_document_ids), 1)

    def test_bearer_token(self):
        body = self._document("ubl_despatch_advice.xml")
        self.assertEqual(
            self._post(body, auth="Bearer in-b0und-secre").status_code, 401
        )
        response = self._post(body, auth="Bearer in-b0und-secret")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.receipt.oci_tracking_ref, "3SDEVC1234567")

    def test_outbound_credentials_do_not_authenticate_the_shop(self):
        """The OCI password and the cXML shared secret are readable by
        purchase managers: they never authenticate the shop's documents,
        whatever the webshop's order authentication."""
        self.supplier.write({"order_auth": "bearer", "cxml_shared_secret": "t0ken-42"})
        body = self._document("ubl_despatch_advice.xml")
        for auth in (
            "Bearer t0ken-42",
            _basic("buyer01", "pw-top-secret"),
            _basic("buyer01", "t0ken-42"),
        ):
            with self.subTest(auth=auth):
                self.assertEqual(self._post(body, auth=auth).status_code, 401)
        self.assertFalse(self.order.oci_document_ids)
        self.assertFalse(self.receipt.oci_tracking_ref)

    def test_no_inbound_secret_refuses_everything(self):
        self.supplier.inbound_secret = False
        self.env.flush_all()
        body = self._document("ubl_despatch_advice.xml")
        with patch.object(punchout_order_document, "_logger") as logger:
            for auth in ("Bearer ", _basic("topgeschenken", ""), self.auth):
                with self.subTest(auth=auth):
                    self.assertEqual(self._post(body, auth=auth).status_code, 401)
        logged = str(logger.info.call_args_list)
        self.assertIn("no inbound secret is set", logged)
        self.assertNotIn("in-b0und", logged)
        self.assertFalse(self.order.oci_document_ids)

    def test_non_ascii_credentials(self):
        """A password or token with letters outside ASCII is compared like
        any other (hmac.compare_digest refuses non-ASCII str): a wrong one
        is a 401, not a 500; a right one authenticates."""
        body = self._document("ubl_despatch_advice.xml")
        for label, auth in (
            ("basic", _basic("buyer01", "pw-töp-sécret")),
            ("bearer", "Bearer t\u00f6ken"),
        ):
            with self.subTest(label), mute_logger("odoo.http"):
                self.assertEqual(self._post(body, auth=auth).status_code, 401)
        self.supplier.write({"inbound_secret": "pw-töp-sécret"})
        response = self._post(body, auth=_basic("buyer01", "pw-töp-sécret"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.receipt.oci_tracking_ref, "3SDEVC1234567")

    def test_webshops_sharing_a_secret_each_get_their_documents(self):
        """Another company's webshop with the same inbound secret: the order
        number in the document decides whose it is (no 404 for either)."""
        other = self.setup_other_company(name="Zorggroep Twente")["company"]
        webshop = self.env["punchout.webshop"].create(
            {
                "name": "Topgeschenken (Twente)",
                "partner_id": self.vendor.id,
                "company_id": other.id,
                "catalog_url": "http://localhost:9/oci/login",
                "order_format": "ubl",
                "inbound_secret": "in-b0und-secret",
            }
        )
        order = self.env["purchase.order"].create(
            {
                "name": "PT-0001",
                "partner_id": self.vendor.id,
                "company_id": other.id,
                "oci_webshop_id": webshop.id,
                "order_line": [
                    Command.create(
                        {"product_id": p.id, "product_qty": q, "price_unit": 10.0}
                    )
                    for p, q in ((self.product_box, 12), (self.product_flowers, 5))
                ],
            }
        )
        with trap_jobs():
            order.button_confirm()
        body = self._document("ubl_order_response.xml", **{"PO-ORDER-ID": order.name})
        response = self._post(body)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(order.oci_document_ids.webshop_id, webshop)
        self.assertEqual(order.partner_ref, "TG-300001")
        response = self._post(self._document("ubl_despatch_advice.xml"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.order.oci_document_ids.webshop_id, self.supplier)
        self.assertEqual(
            self._post(body, auth=_basic("topgeschenken", "guess")).status_code, 401
        )

    def test_refusals_change_nothing(self):
        response_body = self._document("ubl_order_response.xml")
        cxml_body = self._document(
            "cxml_confirmation_request.xml", **{"s3cret": "pw-top-secret"}
        )
        dtd = response_body.replace(
            b"<OrderResponse ",
            b'<!DOCTYPE OrderResponse [<!ENTITY x "boom">]><OrderResponse ',
            1,
        )
        cases = [
            # no, wrong or other credentials
            ("no credentials", response_body, "", 401),
            ("wrong password", response_body, _basic("buyer01", "guess"), 401),
            ("OCI password", response_body, _basic("buyer01", "pw-top-secret"), 401),
            ("not basic", response_body, "Basic %%%", 401),
            ("other scheme", response_body, "Digest in-b0und-secret", 401),
            ("cXML secret as bearer", response_body, "Bearer s3cret", 401),
            # an order of no one / not this webshop's
            (
                "unknown order",
                self._document("ubl_order_response.xml", **{"PO-ORDER-ID": "P99999"}),
                None,
                404,
            ),
            # a line the order does not have
            (
                "unknown line",
                self._document(
                    "ubl_order_response.xml", **{"<cbc:LineID>2<": "<cbc:LineID>7<"}
                ),
                None,
                400,
            ),
            ("cXML", cxml_body, None, 400),
            ("html", b"<html><body>hello</body></html>", None, 400),
            ("dtd", dtd, None, 400),
            (
                "no document ID",
                self._document(
                    "ubl_despatch_advice.xml", **{"<cbc:ID>DA-77</cbc:ID>": ""}
                ),
                None,
                400,
            ),
            ("too large", b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>", None, 413),
        ]
        for label, body, auth, code in cases:
            with self.subTest(label):
                response = self._post(body, auth=auth)
                self.assertEqual(response.status_code, code, response.text[:300])
                if code == 401:
                    self.assertIn("Basic", response.headers["WWW-Authenticate"])
        self.assertFalse(self.order.oci_document_ids)
        self.assertFalse(self.order.partner_ref)
        self.assertFalse(any(self.order.order_line.mapped("oci_confirmation_state")))
        self.assertFalse(self._rejection_activities())
        self.assertFalse(self.receipt.oci_tracking_ref)


@tagged("post_install", "-at_install")
class TestUblOrderChanges(PunchoutCommon):
    """A change or a cancellation of an order the shop took in UBL goes to it
    as a UBL 2.1 OrderChange / OrderCancellation, a new version through the
    same outbox (key, retries) as the cXML update / delete."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls._start_order_shop(
            order_timeout=1,
            order_max_attempts=4,
            order_format="ubl",
            order_auth="basic",
        )

    def setUp(self):
        super().setUp()
        self.shop.reset()
        self.shop.default = (200, UBL_ACCEPTED, {})
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
        self.assertEqual(self.order.partner_ref, "TG-100001")
        assert_valid_ubl(self.shop.requests[0]["body"], "Order")

    def test_changed_quantity_sent_as_an_order_change_once(self):
        self.shop.script = [(503, b"Onderhoud", {})]
        with trap_jobs() as trap:
            self.order.order_line[0].product_qty = 15
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()  # 503: tried again later
            self.assertEqual(self.transmission.state, "to_send")
            self.assertEqual(self.transmission.version, 2)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.shop.requests), 3)
        retry, change = self.shop.requests[1:]
        # Both attempts of version 2: the same key and the same document.
        self.assertEqual(
            retry["headers"]["Idempotency-Key"], change["headers"]["Idempotency-Key"]
        )
        self.assertEqual(retry["body"], change["body"])
        self.assertNotEqual(
            change["headers"]["Idempotency-Key"],
            self.shop.requests[0]["headers"]["Idempotency-Key"],
        )
        self.assertTrue(change["headers"]["Authorization"].startswith("Basic "))
        root = assert_valid_ubl(change["body"], "OrderChange")
        self.assertEqual(root.findtext("cbc:SequenceNumberID", namespaces=NS), "2")
        self.assertEqual(root.findtext("cbc:ID", namespaces=NS), f"{self.order.name}-2")
        self.assertEqual(
            root.findtext("cac:OrderReference/cbc:ID", namespaces=NS), self.order.name
        )
        lines = root.findall("cac:OrderLine/cac:LineItem", NS)
        self.assertEqual(lines[0].findtext("cbc:Quantity", namespaces=NS), "15")
        self.assertEqual(lines[0].findtext("cbc:LineStatusCode", namespaces=NS), "3")
        self.assertEqual(
            root.xpath(
                "//cac:SellersItemIdentification/cbc:ExtendedID/text()", namespaces=NS
            ),
            [line["CUST_FIELD5"] for line in GIFT_LINES],
        )
        self.assertEqual(self.transmission.state, "acknowledged")
        self.assertEqual(self.transmission.delivered_version, 2)
        self.assertEqual(self.transmission.order_type, "update")
        self.assertIn("changed order", self.order.message_ids[0].body)
        # A second change: version 3.
        with trap_jobs() as trap:
            self.order.order_line[1].product_qty = 40
            trap.perform_enqueued_jobs()
        root = assert_valid_ubl(self.shop.requests[-1]["body"], "OrderChange")
        self.assertEqual(root.findtext("cbc:SequenceNumberID", namespaces=NS), "3")
        self.assertEqual(self.transmission.delivered_version, 3)

    def test_added_line_marked_as_added(self):
        self.assertEqual(self.transmission.delivered_line_count, 2)
        with trap_jobs() as trap:
            self.order.write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_flowers.id,
                                "product_qty": 3,
                                "price_unit": 7.5,
                            }
                        )
                    ]
                }
            )
            self.order.order_line[1].product_qty = 0
            trap.perform_enqueued_jobs()
        root = assert_valid_ubl(self.shop.requests[-1]["body"], "OrderChange")
        lines = root.findall("cac:OrderLine/cac:LineItem", NS)
        self.assertEqual(
            [line.findtext("cbc:LineStatusCode", namespaces=NS) for line in lines],
            ["3", "2", "1"],
        )
        self.assertEqual(
            lines[2].findtext(
                "cac:Item/cac:SellersItemIdentification/cbc:ID", namespaces=NS
            ),
            "TG-BL-002",
        )
        self.assertEqual(self.transmission.delivered_line_count, 3)

    def test_cancellation_sent_as_an_order_cancellation(self):
        with trap_jobs() as trap:
            self.order.button_cancel()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.shop.requests), 2)
        request = self.shop.requests[-1]
        root = assert_valid_ubl(request["body"], "OrderCancellation")
        self.assertEqual(
            root.findtext("cac:OrderReference/cbc:ID", namespaces=NS), self.order.name
        )
        self.assertIn(
            "was cancelled", root.findtext("cbc:CancellationNote", namespaces=NS)
        )
        self.assertEqual(
            request["headers"]["Idempotency-Key"], self.transmission.idempotency_key
        )
        self.assertEqual(self.transmission.state, "cancelled")
        self.assertEqual(self.order.oci_transmission_state, "cancelled")
        self.assertIn("took the cancellation", self.order.message_ids[0].body)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_order_transmission")
    def test_refused_change_fails_visibly(self):
        rejected = UBL_ACCEPTED.replace(b">AP<", b">RE<")
        self.shop.script = [(200, rejected, {})]
        with trap_jobs() as trap:
            self.order.order_line[0].product_qty = 15
            trap.perform_enqueued_jobs()
        assert_valid_ubl(self.shop.requests[-1]["body"], "OrderChange")
        self.assertEqual(self.transmission.state, "failed")
        self.assertEqual(self.transmission.delivered_version, 1)
        self.assertTrue(self.order.activity_ids)
