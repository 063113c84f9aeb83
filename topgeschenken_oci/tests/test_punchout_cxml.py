# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import base64

from lxml import etree

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..protocol import cxml
from ..protocol.tests import cxml_builders
from .common import PunchoutHttpCommon
from .shop_server import FakeShop

AUX = 'TGP-1 {"kaart": "Proficiat & dank!", "logo": "<bedrijf>"}'


@tagged("post_install", "-at_install")
class TestPunchoutCxml(PunchoutHttpCommon):
    """cXML: server-side set-up (no credential in the browser), cart back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = FakeShop().start()
        cls.addClassCleanup(cls.shop.stop)
        cls.supplier.write(
            {
                "protocol": "cxml",
                "catalog_url": f"{cls.shop.base_url}/cxml/setup",
                "cxml_from_identity": "DE-LINDE",
                "cxml_to_identity": "TOPGESCHENKEN",
                "cxml_sender_identity": "DE-LINDE",
                "cxml_shared_secret": "setup-secret-7",
            }
        )

    def setUp(self):
        super().setUp()
        self.shop.reset()
        self.shop.setup_answer = (
            200,
            cxml_builders.build_punchout_setup_response(
                "http://localhost:9/shop/start/abc123",
                payload_id="1@shop",
                timestamp="2026-11-28T10:00:00+00:00",
            ),
            {},
        )

    def _start_cxml(self):
        self.authenticate("tg_buyer", "tg_buyer_pw1")
        response = self.url_open(
            "/punchout/start",
            data={
                "webshop_id": self.supplier.id,
                "request_id": self.request.id,
                "csrf_token": self.csrf_token(),
            },
            allow_redirects=False,
        )
        go = response.headers["Location"]
        response = self.url_open(go, allow_redirects=False)
        return response

    def _message(self, cookie, items):
        return cxml_builders.build_punchout_order_message(
            payload_id="9@shop",
            timestamp="2026-11-28T10:05:00+00:00",
            buyer_cookie=cookie,
            currency="EUR",
            items=items,
        )

    def test_setup_server_side_then_cart(self):
        response = self._start_cxml()
        # the browser is sent to the shop's start page, with no credential
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            response.headers["Location"], "http://localhost:9/shop/start/abc123"
        )
        self.assertNotIn("setup-secret-7", response.text)
        setup = etree.fromstring(self.shop.requests[0]["body"])
        self.assertEqual(
            setup.findtext("Header/Sender/Credential/SharedSecret"), "setup-secret-7"
        )
        request = setup.find("Request/PunchOutSetupRequest")
        self.assertEqual(request.get("operation"), "create")
        return_url = request.findtext("BrowserFormPost/URL")
        cookie = request.findtext("BuyerCookie")
        self.assertIn("/punchout/return/", return_url)
        self.assertTrue(cookie)
        message = self._message(
            cookie,
            [
                {
                    "quantity": "12",
                    "supplier_part_id": "TG-KP-001",
                    "supplier_part_auxiliary_id": AUX,
                    "unit_price": "49.95",
                    "unit_of_measure": "EA",
                    "description": "Kerstpakket Deluxe",
                    "classification": ("NZI", "441020"),
                    "extrinsics": {
                        "CardText": "Proficiat!",
                        "DeliveryLocation": "LOC-RTM",
                    },
                },
                {
                    "quantity": "30",
                    "supplier_part_id": "TG-CH-010",
                    "unit_price": "12.50",
                    "unit_of_measure": "EA",
                    "description": "Bonbons",
                    "price_basis": {"quantity": "10"},
                    "classification": ("NZI", "4410"),
                },
            ],
        )
        # posted as cxml-base64 this time, cross-site, no cookie
        response = self._post_cart(
            return_url, [("cxml-base64", base64.b64encode(message).decode())]
        )
        self.assertEqual(response.status_code, 303, response.text[:800])
        session = self.env["punchout.session"].search(
            [("request_id", "=", self.request.id)], limit=1
        )
        self.assertEqual(session.state, "done")
        self.assertEqual(session.payload_format, "cxml")
        pakket, bonbons = session.order_id.order_line.sorted("id")
        self.assertEqual(pakket.oci_aux_id, AUX)
        self.assertEqual(pakket.oci_card_text, "Proficiat!")
        self.assertEqual(pakket.oci_location_code, "LOC-RTM")
        self.assertEqual(pakket.oci_account_id, self.expense_gifts)
        self.assertEqual(pakket.product_uom_id, self.env.ref("uom.product_uom_unit"))
        self.assertAlmostEqual(bonbons.price_unit, 1.25)
        # the request's one wish (12) takes the one line that fits it
        self.assertEqual(pakket.purchase_request_lines, self.request.line_ids)
        self.assertFalse(bonbons.purchase_request_lines)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session")
    def test_cart_with_foreign_buyer_cookie_refused(self):
        self._start_cxml()
        setup = etree.fromstring(self.shop.requests[0]["body"])
        return_url = setup.findtext("Request/PunchOutSetupRequest/BrowserFormPost/URL")
        message = self._message(
            "someone-elses-cookie",
            [
                {
                    "quantity": "1",
                    "supplier_part_id": "TG-KP-001",
                    "unit_price": "49.95",
                    "unit_of_measure": "EA",
                    "description": "Kerstpakket",
                }
            ],
        )
        response = self._post_cart(return_url, [("cxml-urlencoded", message.decode())])
        self.assertEqual(response.status_code, 400)
        session = self.env["punchout.session"].search(
            [("request_id", "=", self.request.id)], limit=1
        )
        self.assertEqual(session.error_code, "cookie_mismatch")
        self.assertFalse(session.order_id)

    def test_shop_refuses_setup(self):
        self.shop.setup_answer = (
            200,
            cxml.build_status_response(
                401, "Unauthorized", "2@shop", "2026-11-28T10:00:00+00:00"
            ),
            {},
        )
        response = self._start_cxml()
        self.assertEqual(response.status_code, 400)
        self.assertIn("refused the punchout", response.text)
        self.assertNotIn("setup-secret-7", response.text)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_webshop")
    def test_shop_unreachable_at_setup(self):
        # A closed port on loopback: the buyer reads why, the session stays
        # open (a reload of the start page tries again).
        self.supplier.catalog_url = "http://127.0.0.1:9/cxml/setup"
        response = self._start_cxml()
        self.assertEqual(response.status_code, 400)
        self.assertIn("could not be reached", response.text)
        self.assertNotIn("setup-secret-7", response.text)
        session = self.env["punchout.session"].search(
            [("request_id", "=", self.request.id)], limit=1
        )
        self.assertEqual(session.state, "open")

    def test_connection_sends_the_setup_request(self):
        # The webshop (the connection) does the exchange for the session.
        session = (
            self.env["punchout.session"]
            .with_user(self.buyer)
            ._start(self.supplier, request=self.request)
        )
        token = session._launch()
        return_url = session._return_url(token)
        start_url = self.supplier._cxml_punchout_setup(session, return_url)
        self.assertEqual(start_url, "http://localhost:9/shop/start/abc123")
        setup = etree.fromstring(self.shop.requests[-1]["body"])
        request = setup.find("Request/PunchOutSetupRequest")
        self.assertEqual(request.get("operation"), "create")
        self.assertEqual(request.findtext("BrowserFormPost/URL"), return_url)
        self.assertEqual(request.findtext("BuyerCookie"), session.sudo().buyer_cookie)
        self.assertEqual(
            request.findtext("Extrinsic[@name='UserFullName']"), self.buyer.name
        )
        self.assertEqual(session.state, "open")

    # -- header charges, item tax ----------------------------------------------

    def _post_cxml_cart(self, items, header_xml="", item_tax_xml="", total=None):
        self._start_cxml()
        setup = etree.fromstring(self.shop.requests[-1]["body"])
        request = setup.find("Request/PunchOutSetupRequest")
        message = cxml_builders.build_punchout_order_message(
            payload_id="10@shop",
            timestamp="2026-11-28T10:05:00+00:00",
            buyer_cookie=request.findtext("BuyerCookie"),
            currency="EUR",
            items=items,
            total=total,
        )
        root = etree.fromstring(message)
        header = root.find(".//PunchOutOrderMessageHeader")
        for element in reversed(etree.fromstring(f"<x>{header_xml}</x>")):
            header.find("Total").addnext(element)
        if item_tax_xml:
            for item_in in root.iter("ItemIn"):
                item_in.find("ItemDetail").addnext(etree.fromstring(item_tax_xml))
        response = self._post_cart(
            request.findtext("BrowserFormPost/URL"),
            [("cxml-base64", base64.b64encode(etree.tostring(root)).decode())],
        )
        self.assertEqual(response.status_code, 303, response.text[:800])
        return self.env["punchout.session"].search(
            [("request_id", "=", self.request.id)], limit=1
        )

    def test_header_shipping_total_and_item_tax(self):
        tax_9 = self.env["account.tax"].create(
            {
                "name": "BTW 9% inkoop (test)",
                "amount": 9,
                "type_tax_use": "purchase",
                "company_id": self.company.id,
            }
        )
        shipping = self.env["product.product"].create(
            {"name": "Verzendkosten", "type": "service", "supplier_taxes_id": False}
        )
        self.supplier.shipping_product_id = shipping
        item = {
            "quantity": "2",
            "supplier_part_id": "TG-KP-001",
            "unit_price": "49.95",
            "unit_of_measure": "EA",
            "description": "Kerstpakket Deluxe",
            "classification": ("NZI", "441020"),
        }
        session = self._post_cxml_cart(
            [item],
            header_xml='<Shipping><Money currency="EUR">6.95</Money>'
            "<Description>Verzending</Description></Shipping>"
            '<Tax><Money currency="EUR">8.99</Money><Description>BTW</Description>'
            "</Tax>",
            item_tax_xml='<Tax><Money currency="EUR">8.99</Money><Description>BTW'
            '</Description><TaxDetail category="vat" percentageRate="9">'
            '<TaxAmount><Money currency="EUR">8.99</Money></TaxAmount></TaxDetail>'
            "</Tax>",
        )
        order = session.order_id
        pakket, ship = order.order_line.sorted("id")
        self.assertEqual(pakket.tax_ids, tax_9)
        self.assertFalse(pakket.oci_import_note)
        self.assertEqual(ship.product_id, shipping)
        self.assertAlmostEqual(ship.price_unit, 6.95)
        self.assertFalse(
            [
                m
                for m in order.message_ids.mapped("body")
                if "cart's total" in m or "cart's tax" in m
            ]
        )

    def test_cart_total_differs_noted(self):
        item = {
            "quantity": "2",
            "supplier_part_id": "TG-KP-001",
            "unit_price": "49.95",
            "unit_of_measure": "EA",
            "description": "Kerstpakket Deluxe",
        }
        session = self._post_cxml_cart(
            [item],
            total="120.00",
            header_xml='<Tax><Money currency="EUR">25.00</Money>'
            "<Description>BTW</Description></Tax>",
        )
        bodies = session.order_id.message_ids.mapped("body")
        notes = [m for m in bodies if "cart's total" in m]
        self.assertTrue(notes)
        self.assertIn("120", notes[0])
        self.assertIn("99.9", notes[0])
        self.assertTrue([m for m in bodies if "cart's tax is 25.00" in m])
