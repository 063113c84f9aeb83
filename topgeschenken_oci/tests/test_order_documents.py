# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from datetime import datetime
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_open

from ..models import punchout_order_document
from .common import PunchoutHttpCommon

URL = "/punchout/cxml/order-documents"
SENDER = "<Identity>TOPGESCHENKEN</Identity><SharedSecret>"


@tagged("post_install", "-at_install")
class TestOrderDocuments(PunchoutHttpCommon):
    """The shop's cXML ConfirmationRequest and ShipNoticeRequest, over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier.write(
            {
                "cxml_from_identity": "DELINDE",
                "cxml_to_identity": "TOPGESCHENKEN",
                # What Odoo sends the shop (purchase managers read it) ...
                "cxml_shared_secret": "0utbound-secret",
                # ... and what the shop sends Odoo: the fixtures' SharedSecret.
                "inbound_secret": "s3cret",
            }
        )
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
        self.order.button_confirm()
        self.assertEqual(self.order.state, "purchase")
        self.receipt = self.order.picking_ids
        self.assertEqual(len(self.receipt), 1)

    def _document(self, name, **replace):
        with file_open(
            f"topgeschenken_oci/protocol/tests/test_files/{name}", "rb"
        ) as f:
            body = f.read()
        replace.setdefault("PO-ORDER-ID", self.order.name)
        for old, new in replace.items():
            body = body.replace(old.encode(), new.encode())
        return body

    def _post(self, body):
        response = self.url_open(
            URL, data=body, headers={"Content-Type": "text/xml; charset=UTF-8"}
        )
        status = etree.fromstring(response.content).find("Response/Status")
        self.assertEqual(int(status.get("code")), response.status_code)
        return response

    def _activities(self):
        return self.order.activity_ids.filtered(
            lambda a: "rejected" in (a.summary or "")
        )

    def test_confirmation_updates_the_order_once(self):
        body = self._document("cxml_confirmation_request.xml")
        response = self._post(body)
        self.assertEqual(response.status_code, 200, response.text)
        first, second = self.order.order_line
        delivery = datetime(2026, 12, 10, 11, 0)  # 12:00 +01:00
        self.assertEqual(first.oci_confirmation_state, "confirmed")
        self.assertEqual(first.oci_confirmed_qty, 12)
        self.assertEqual(first.date_planned, delivery)
        self.assertEqual(first.move_ids.date, delivery)
        self.assertEqual(first.move_ids.date_deadline, delivery)
        self.assertEqual(second.oci_confirmation_state, "rejected")
        # The rejected gifts will not come: not expected, not committed.
        self.assertEqual(second.product_qty, 0)
        waiting = second.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertFalse(sum(waiting.mapped("product_uom_qty")))
        self.assertEqual(self.order.partner_ref, "TG-300001")
        self.assertTrue(self.order.acknowledged)
        activity = self._activities()
        self.assertEqual(activity.user_id, self.buyer)
        self.assertIn("Bloemetje met kaart", activity.note)
        document = self.order.oci_document_ids
        self.assertEqual(document.document_type, "confirmation")
        # Written by the shop, for the buyer.
        note = self.order.message_ids.filtered(lambda m: "TG-300001" in (m.body or ""))
        self.assertEqual(note.author_id, self.vendor)
        # Kept on the order without the shop's inbound secret: whoever reads
        # the order must not be able to post documents as the shop.
        raw = document.attachment_id.raw
        self.assertIn(b"TG-300001", raw)
        self.assertNotIn(b"s3cret", raw)
        self.assertNotIn(b"SharedSecret", raw)
        self.assertEqual(document.attachment_id.res_id, self.order.id)
        self.assertIn("Uitverkocht voor de kerst.", document.summary)
        # The same document again (a shop's retry): nothing changes.
        first.date_planned = datetime(2026, 12, 24)
        again = self._post(body)
        self.assertEqual(again.status_code, 200)
        self.assertIn("already processed", again.text)
        self.assertEqual(len(self.order.oci_document_ids), 1)
        self.assertEqual(len(self._activities()), 1)
        self.assertEqual(first.date_planned, datetime(2026, 12, 24))

    def test_ship_notice_reaches_the_receipt(self):
        response = self._post(self._document("cxml_ship_notice_request.xml"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.receipt.oci_carrier, "PostNL")
        self.assertEqual(self.receipt.oci_tracking_ref, "3SDEVC1234567")
        self.assertEqual(self.receipt.scheduled_date, datetime(2026, 12, 11, 11, 0))
        notes = self.receipt.message_ids.mapped("body")
        self.assertTrue([body for body in notes if "3SDEVC1234567" in body], notes)
        self.assertEqual(self.order.oci_document_ids.document_type, "ship_notice")

    def test_outbound_secret_does_not_authenticate_the_shop(self):
        """A purchase manager reads the shared secret Odoo sends the shop: a
        document carrying it is refused, and the log names no secret."""
        body = self._document("cxml_confirmation_request.xml", s3cret="0utbound-secret")
        with patch.object(punchout_order_document, "_logger") as logger:
            self.assertEqual(self._post(body).status_code, 401)
        logged = str(logger.info.call_args_list)
        self.assertIn("refused", logged)
        self.assertNotIn("0utbound", logged)
        # Without an inbound secret, even the right one is refused.
        self.supplier.inbound_secret = False
        self.env.flush_all()
        with patch.object(punchout_order_document, "_logger") as logger:
            response = self._post(self._document("cxml_confirmation_request.xml"))
        self.assertEqual(response.status_code, 401)
        logged = str(logger.info.call_args_list)
        self.assertIn("no inbound secret is set", logged)
        self.assertNotIn("s3cret", logged)
        self.assertFalse(self.order.oci_document_ids)
        self.assertFalse(self.order.partner_ref)

    def test_non_ascii_shared_secret(self):
        """A SharedSecret with letters outside ASCII is a 401 when wrong, not
        a 500, and authenticates when right."""
        body = self._document("cxml_confirmation_request.xml", s3cret="sécret")
        self.assertEqual(self._post(body).status_code, 401)
        self.supplier.inbound_secret = "sécret"
        self.assertEqual(self._post(body).status_code, 200)
        self.assertTrue(self.order.oci_document_ids)

    def _shared_secret_order(self, name=None, **webshop_vals):
        """A webshop of another company with this one's identity and inbound
        secret, and a confirmed order of it (named ``name``)."""
        other = self.setup_other_company(name="Zorggroep Twente")["company"]
        webshop = self.env["punchout.webshop"].create(
            {
                "name": "Topgeschenken (Twente)",
                "partner_id": self.vendor.id,
                "company_id": other.id,
                "catalog_url": "http://localhost:9/oci/login",
                "cxml_to_identity": self.supplier.cxml_to_identity,
                "inbound_secret": self.supplier.inbound_secret,
                **webshop_vals,
            }
        )
        order = self.env["purchase.order"].create(
            {
                "name": name or "PT-0001",
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
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        return webshop, order

    def test_webshops_sharing_a_secret_each_get_their_documents(self):
        """Two companies' webshops with one identity and inbound secret: the
        order number tells whose document it is, for both of them."""
        webshop, order = self._shared_secret_order()
        response = self._post(
            self._document(
                "cxml_confirmation_request.xml", **{"PO-ORDER-ID": order.name}
            )
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(order.oci_document_ids.webshop_id, webshop)
        self.assertEqual(order.partner_ref, "TG-300001")
        self.assertFalse(self.order.oci_document_ids)
        response = self._post(self._document("cxml_ship_notice_request.xml"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.order.oci_document_ids.webshop_id, self.supplier)
        # Neither secret of theirs matches a guess.
        response = self._post(
            self._document("cxml_confirmation_request.xml", s3cret="guess")
        )
        self.assertEqual(response.status_code, 401)

    def test_webshops_sharing_a_secret_same_order_number_refused(self):
        """Both webshops have an order of the number: which one the shop
        means is not guessed (409), nothing changes."""
        _webshop, order = self._shared_secret_order(name=self.order.name)
        response = self._post(self._document("cxml_confirmation_request.xml"))
        self.assertEqual(response.status_code, 409, response.text)
        self.assertFalse(self.order.oci_document_ids | order.oci_document_ids)
        self.assertFalse(self.order.partner_ref or order.partner_ref)

    def test_refusals_change_nothing(self):
        cases = [
            # wrong secret, unknown sender
            (self._document("cxml_confirmation_request.xml", s3cret="guess"), 401),
            (
                self._document(
                    "cxml_confirmation_request.xml",
                    **{SENDER: "<Identity>X</Identity><SharedSecret>"},
                ),
                401,
            ),
            # an order of no one / not this webshop's
            (
                self._document(
                    "cxml_confirmation_request.xml", **{"PO-ORDER-ID": "P99999"}
                ),
                404,
            ),
            # a line the order does not have
            (
                self._document(
                    "cxml_confirmation_request.xml",
                    **{'lineNumber="2"': 'lineNumber="7"'},
                ),
                400,
            ),
            # not a document at all
            (b"<html><body>hello</body></html>", 400),
            (b"", 400),
        ]
        for body, code in cases:
            with self.subTest(code=code, body=body[-80:]):
                response = self._post(body) if body else self.url_open(URL, data=b"x")
                self.assertEqual(response.status_code, code, response.text[:300])
        self.assertFalse(self.order.oci_document_ids)
        self.assertFalse(self.order.partner_ref)
        self.assertFalse(self.order.order_line.mapped("oci_confirmation_state")[0])
        self.assertFalse(self._activities())
