# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Edit a cart before approval: the webshop re-opens the RFQ's cart (cXML
``operation="edit"``; OCI: a new cart), and the cart that comes back
replaces the RFQ's lines from the webshop. Over real HTTP, with the
simulated shop (``tools/simshop``) on loopback."""

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..protocol import cxml
from ..protocol.tests import cxml_builders
from .common import PunchoutHttpCommon
from .shop_server import FakeShop, SimShop, form_fields

SESSION_LOGGER = "odoo.addons.topgeschenken_oci.models.punchout_session"


@tagged("post_install", "-at_install")
class TestPunchoutEdit(PunchoutHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = SimShop(
            oci_user="buyer01",
            oci_password="pw-top-secret",
            shared_secret="edit-secret-9",
        ).start()
        cls.addClassCleanup(cls.shop.stop)
        cls.supplier.write(
            {
                "protocol": "cxml",
                "catalog_url": f"{cls.shop.base_url}/cxml/setup",
                "cxml_from_identity": "DE-LINDE",
                "cxml_to_identity": "TOPGESCHENKEN",
                "cxml_sender_identity": "DE-LINDE",
                "cxml_shared_secret": "edit-secret-9",
                "aux_id_field": "CUST_FIELD5",
            }
        )
        cls.coffee = cls.env["product.product"].create(
            {"name": "Koffiebonen (hand)", "type": "consu"}
        )

    # -- the buyer's steps -----------------------------------------------------

    def _open_shop(self, go_url):
        """The buyer's browser follows Odoo's start page to the shop."""
        self.authenticate("tg_buyer", "tg_buyer_pw1")
        response = self.url_open(go_url, allow_redirects=False)
        self.shop.new_browser()
        if self.supplier.protocol == "cxml":
            self.assertEqual(response.status_code, 303, response.text[:500])
            self.shop.open(response.headers["Location"])
        else:
            self.assertEqual(response.status_code, 200, response.text[:500])
            action, fields = form_fields(response.text, "oci_login_form")
            self.shop.open(action, fields)

    def _punch_out(self, request=None):
        """A new punchout (from ``request``, else none); the shop is open."""
        self.authenticate("tg_buyer", "tg_buyer_pw1")
        data = {"webshop_id": self.supplier.id, "csrf_token": self.csrf_token()}
        if request:
            data["request_id"] = request.id
        response = self.url_open("/punchout/start", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self._open_shop(response.headers["Location"])

    def _edit(self, order):
        """The buyer clicks Edit in webshop; the new tab opens the shop."""
        action = self.edit_action = order.with_user(self.buyer).action_oci_edit_cart()
        go_url = action["params"]["next"]["url"]
        self._open_shop(go_url)
        session_id = int(go_url.split("/")[-2])
        return self.env["punchout.session"].browse(session_id)

    def _transfer(self, status=303):
        """The shop's page posts the cart back to Odoo, cross-site."""
        action, fields = self.shop.transfer()
        response = self._post_cart(action, fields)
        self.assertEqual(response.status_code, status, response.text[:800])
        return response

    def _last_order(self):
        session = self.env["punchout.session"].search(
            [("user_id", "=", self.buyer.id), ("state", "=", "done")], limit=1
        )
        return session.order_id

    def _add_by_hand(self, order):
        order.with_user(self.buyer).write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.coffee.id,
                            "product_qty": 5,
                            "price_unit": 3,
                        }
                    )
                ]
            }
        )
        return order.order_line.filtered(lambda pl: pl.product_id == self.coffee)

    # -- tests -----------------------------------------------------------------

    def test_cxml_edit_round_trip(self):
        # The request also asks for 6 of a product the first cart lacks.
        truffels = self.env["product.product"].create(
            {
                "name": "Truffels",
                "type": "consu",
                "seller_ids": [
                    Command.create(
                        {"partner_id": self.vendor.id, "product_code": "TG-PB-004"}
                    )
                ],
            }
        )
        self.request.line_ids = [
            Command.create({"product_id": truffels.id, "product_qty": 6})
        ]
        wish, truffels_wish = self.request.line_ids.sorted("id")
        # 1. The first cart, for the request: the gift of 12 fulfils its wish.
        self._punch_out(request=self.request)
        self.shop.add("TG-KP-001", 12, "Fijne feestdagen!")
        self.shop.add("TG-BB-006", 20)
        self.shop.add("TG-CT-005", 3)
        self._transfer()
        order = self._last_order()
        pakket, bonbons, cadeau = order.order_line.sorted("id")
        self.assertEqual(pakket.purchase_request_lines, wish)
        refs = {line.oci_vendormat: line.oci_aux_id for line in order.order_line}
        self.assertTrue(all(ref.startswith("TGP-") for ref in refs.values()))
        hand = self._add_by_hand(order)
        self.assertEqual(order.oci_cart_protocol, "cxml")
        # The buyer changed a quantity in Odoo meanwhile: the shop gets it.
        bonbons.with_user(self.buyer).product_qty = 30

        # 2. Edit in webshop: the shop opens with the RFQ's cart lines, as
        #    Odoo has them now, under the shop's own line references.
        session = self._edit(order)
        self.assertEqual(session.operation, "edit")
        self.assertEqual(session.order_id, order)
        self.assertEqual(
            self.shop.cart_refs(),
            {
                refs["TG-KP-001"]: ("TG-KP-001", "12"),
                refs["TG-BB-006"]: ("TG-BB-006", "30"),
                refs["TG-CT-005"]: ("TG-CT-005", "3"),
            },
        )
        # 3. In the shop: a quantity changed, a line removed, one added.
        self.shop.update(refs["TG-KP-001"], 15)
        self.shop.remove(refs["TG-CT-005"])
        self.shop.add("TG-PB-004", 6)
        response = self._transfer()
        self.assertIn(f"/{order.id}", response.headers["Location"])

        session.invalidate_recordset()
        self.assertEqual(session.state, "done")
        lines = order.order_line
        self.assertIn(hand, lines, "a line added by hand stays")
        self.assertEqual(hand.product_qty, 5)
        cart_lines = lines - hand
        self.assertEqual(
            sorted((pl.oci_vendormat, pl.product_qty) for pl in cart_lines),
            [("TG-BB-006", 30), ("TG-KP-001", 15), ("TG-PB-004", 6)],
        )
        self.assertFalse(pakket.exists() or cadeau.exists())
        new_pakket = cart_lines.filtered(lambda pl: pl.oci_vendormat == "TG-KP-001")
        self.assertEqual(new_pakket.oci_aux_id, refs["TG-KP-001"])
        self.assertEqual(new_pakket.oci_card_text, "Fijne feestdagen!")
        self.assertEqual(new_pakket.oci_session_id, session)
        # the request's wish follows its line, in the new quantity
        self.assertEqual(new_pakket.purchase_request_lines, wish)
        allocation = wish.purchase_request_allocation_ids
        self.assertEqual(allocation.purchase_line_id, new_pakket)
        self.assertEqual(allocation.requested_product_uom_qty, 15)
        # the added gift is the request's other wish
        new_truffels = cart_lines.filtered(lambda pl: pl.product_id == truffels)
        self.assertEqual(new_truffels.purchase_request_lines, truffels_wish)
        self.assertEqual(
            truffels_wish.purchase_request_allocation_ids.requested_product_uom_qty,
            6,
        )
        self.assertFalse(
            (cart_lines - new_pakket - new_truffels).purchase_request_lines,
            "the bonbons are no wish of the request",
        )
        note = order.message_ids[:3].filtered(lambda m: "was edited" in m.body)
        self.assertTrue(note)
        self.assertIn("1 line(s) changed, 1 removed, 1 added, 1 unchanged", note.body)

        # 4. Edited again: the shop opens with the cart as it is now.
        self._edit(order)
        self.assertEqual(len(self.shop.cart_refs()), 3)

    def test_oci_repunchout_replaces_the_cart_lines(self):
        self.supplier.write(
            {"protocol": "oci", "catalog_url": f"{self.shop.base_url}/oci/login"}
        )
        self._punch_out()
        self.shop.add("TG-KP-001", 2)
        self.shop.add("TG-BB-006", 20)
        self._transfer()
        order = self._last_order()
        old_lines = order.order_line
        self.assertEqual(len(old_lines), 2)
        self.assertTrue(all(old_lines.mapped("oci_aux_id")))
        hand = self._add_by_hand(order)
        self.assertEqual(order.oci_cart_protocol, "oci")

        # OCI has no edit: the shop starts with an empty cart, and the cart
        # the buyer puts together replaces the lines of the earlier one.
        session = self._edit(order)
        self.assertIn(
            "Put the whole cart together", self.edit_action["params"]["message"]
        )
        self.assertEqual(session.operation, "edit")
        self.assertEqual(self.shop.cart_refs(), {})
        self.shop.add("TG-KP-001", 4)
        self._transfer()
        self.assertFalse(old_lines.exists())
        self.assertEqual(len(order.order_line), 2)
        self.assertIn(hand, order.order_line)
        new_line = order.order_line - hand
        self.assertEqual(new_line.oci_vendormat, "TG-KP-001")
        self.assertEqual(new_line.product_qty, 4)

    def test_cxml_edit_emptied_in_the_shop_removes_the_cart_lines(self):
        """The buyer removes everything from the edited cart: the webshop's
        lines (and their request links) go, the hand-added line stays, the
        RFQ's chatter says so."""
        self._punch_out(request=self.request)
        self.shop.add("TG-KP-001", 12)
        self.shop.add("TG-BB-006", 20)
        self._transfer()
        order = self._last_order()
        cart_lines = order.order_line
        self.assertTrue(cart_lines.purchase_request_lines)
        hand = self._add_by_hand(order)
        session = self._edit(order)
        for ref in self.shop.cart_refs():
            self.shop.remove(ref)
        self.assertEqual(self.shop.cart_refs(), {})
        self._transfer()
        session.invalidate_recordset()
        self.assertEqual(session.state, "done")
        self.assertEqual(session.order_id, order)
        self.assertFalse(cart_lines.exists())
        self.assertEqual(order.order_line, hand)
        self.assertFalse(self.request.line_ids.purchase_request_allocation_ids)
        notes = " ".join(order.message_ids.mapped("body"))
        self.assertIn("cart was emptied in the shop", notes)
        self.assertIn("2 line(s) removed", notes)

    @mute_logger(SESSION_LOGGER)
    def test_oci_repunchout_emptied_removes_the_cart_lines(self):
        """OCI: the re-punchout of an RFQ comes back without items; a new
        punchout's empty cart is still refused."""
        self.supplier.write(
            {"protocol": "oci", "catalog_url": f"{self.shop.base_url}/oci/login"}
        )
        empty = {"~OkCode": "ADDI", "~target": "_top", "~caller": "CTLG"}
        # A new punchout: an empty cart is refused.
        session, hook = self._start_session()
        response = self._post_cart(hook, empty)
        self.assertEqual(response.status_code, 400, response.text[:500])
        session.invalidate_recordset()
        self.assertEqual(session.error_code, "empty_cart")
        self.assertFalse(session.order_id)
        # The re-punchout of an RFQ: the webshop's lines go, the hand-added stay.
        self._punch_out()
        self.shop.add("TG-KP-001", 2)
        self._transfer()
        order = self._last_order()
        cart_lines = order.order_line
        hand = self._add_by_hand(order)
        action = order.with_user(self.buyer).action_oci_edit_cart()
        self.authenticate("tg_buyer", "tg_buyer_pw1")
        page = self.url_open(action["params"]["next"]["url"], allow_redirects=False)
        __, fields = form_fields(page.text, "oci_login_form")
        response = self._post_cart(dict(fields)["HOOK_URL"], empty)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertFalse(cart_lines.exists())
        self.assertEqual(order.order_line, hand)
        notes = " ".join(order.message_ids.mapped("body"))
        self.assertIn("emptied in the shop (punchout", notes)
        self.assertIn("1 line(s) removed", notes)

    @mute_logger(SESSION_LOGGER)
    def test_edit_refused_when_the_rfq_is_no_longer_a_draft(self):
        self._punch_out()
        self.shop.add("TG-KP-001", 2)
        self._transfer()
        order = self._last_order()
        session = self._edit(order)
        self.shop.update(self.shop.cart_refs().popitem()[0], 5)
        # Approved while the buyer was in the shop.
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        self._transfer(status=400)
        session.invalidate_recordset()
        self.assertEqual(session.state, "error")
        self.assertEqual(session.error_code, "order_not_draft")
        self.assertEqual(order.order_line.product_qty, 2)
        self.assertFalse(order.oci_cart_protocol)
        with self.assertRaises(UserError):
            order.with_user(self.buyer).action_oci_edit_cart()

    def test_cart_added_while_editing_stays(self):
        """A cart added to the RFQ after its edit started was not in the
        shop's edit cart: the edited cart coming back later keeps it."""
        self._punch_out()
        self.shop.add("TG-KP-001", 2)
        self._transfer()
        order = self._last_order()
        self._edit(order)
        self.shop.update(self.shop.cart_refs().popitem()[0], 5)
        edit_browser = self.shop.browser
        # Meanwhile, in another tab: Punch out from the RFQ, a cart added.
        action = order.with_user(self.buyer).action_oci_punchout()
        self._open_shop(action["params"]["next"]["url"])
        self.shop.add("TG-BB-006", 20)
        self._transfer()
        self.assertEqual(len(order.order_line), 2)
        # The edit's tab transfers its cart last.
        self.shop.browser = edit_browser
        self._transfer()
        self.assertEqual(
            sorted((pl.oci_vendormat, pl.product_qty) for pl in order.order_line),
            [("TG-BB-006", 20), ("TG-KP-001", 5)],
        )

    @mute_logger(SESSION_LOGGER)
    def test_two_edits_at_once(self):
        """Two tabs edit the same RFQ's cart: the second one transferred is
        refused (and kept), not added next to the first one's lines."""
        self._punch_out()
        self.shop.add("TG-KP-001", 2)
        self._transfer()
        order = self._last_order()
        first = self._edit(order)
        first_browser = self.shop.browser
        self._edit(order)
        self.shop.update(self.shop.cart_refs().popitem()[0], 7)
        self._transfer()
        self.shop.browser = first_browser
        self.shop.update(self.shop.cart_refs().popitem()[0], 5)
        self._transfer(status=400)
        first.invalidate_recordset()
        self.assertEqual(first.state, "error")
        self.assertEqual(first.error_code, "edited_since")
        self.assertTrue(first.payload_attachment_id)
        self.assertEqual(
            [(pl.oci_vendormat, pl.product_qty) for pl in order.order_line],
            [("TG-KP-001", 7)],
        )

    @mute_logger(SESSION_LOGGER)
    def test_edit_of_a_deleted_rfq(self):
        """The RFQ is cancelled and deleted while its cart is open in the
        shop: a reload of the start page says so (no server error), and the
        cart that comes back is refused and kept, not made a new RFQ."""
        self._punch_out()
        self.shop.add("TG-KP-001", 2)
        self._transfer()
        order = self._last_order()
        session = self._edit(order)
        order.button_cancel()
        order.unlink()
        orders = self.env["purchase.order"].search([])
        response = self.url_open(
            f"/punchout/session/{session.id}/go", allow_redirects=False
        )
        self.assertEqual(response.status_code, 400, response.text[:500])
        self._transfer(status=400)
        session.invalidate_recordset()
        self.assertEqual(session.state, "error")
        self.assertEqual(session.error_code, "order_gone")
        self.assertTrue(session.payload_attachment_id)
        self.assertEqual(self.env["purchase.order"].search([]), orders)

    def test_edit_needs_the_right_to_edit_the_rfq(self):
        self._punch_out()
        self.shop.add("TG-KP-001", 2)
        self._transfer()
        order = self._last_order()
        Session = self.env["punchout.session"]
        sessions = Session.search([])
        # Not a purchase user: no edit, through the button or the route.
        employee = new_test_user(
            self.env,
            "tg_employee",
            password="tg_employee_pw1",
            groups="base.group_user",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            order.with_user(employee).action_oci_edit_cart()
        self.authenticate("tg_employee", "tg_employee_pw1")
        response = self.url_open(
            "/punchout/start",
            data={
                "webshop_id": self.supplier.id,
                "order_id": order.id,
                "operation": "edit",
                "csrf_token": self.csrf_token(),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Session.search([]), sessions)
        # A colleague with purchase rights may edit it (Odoo lets purchase
        # users edit any RFQ); an RFQ without cart lines has nothing to edit.
        colleague = new_test_user(
            self.env,
            "tg_colleague",
            groups="base.group_user,purchase.group_purchase_user",
            company_id=self.company.id,
        )
        action = order.with_user(colleague).action_oci_edit_cart()
        self.assertIn("/punchout/session/", action["params"]["next"]["url"])
        hand_rfq = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "order_line": [Command.create({"product_id": self.coffee.id})],
            }
        )
        self.assertFalse(hand_rfq.oci_cart_protocol)
        with self.assertRaises(UserError):
            hand_rfq.with_user(self.buyer).action_oci_edit_cart()
        with self.assertRaises(UserError):
            Session.with_user(self.buyer)._start(
                self.supplier, order=hand_rfq, operation="edit"
            )


AUX = 'TGP-1 {"kaart": "Proficiat & dank!", "logo": "<bedrijf>"}'


@tagged("post_install", "-at_install")
class TestPunchoutEditRequest(PunchoutHttpCommon):
    """The edit PunchOutSetupRequest Odoo sends, as a scripted shop gets it."""

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
        cls.shop.setup_answer = (
            200,
            cxml_builders.build_punchout_setup_response(
                "http://localhost:9/shop/start/edit1",
                payload_id="1@shop",
                timestamp="2026-11-28T10:00:00+00:00",
            ),
            {},
        )

    def test_edit_request_carries_the_rfq_cart_lines(self):
        message = cxml_builders.build_punchout_order_message(
            payload_id="9@shop",
            timestamp="2026-11-28T10:05:00+00:00",
            buyer_cookie="c1",
            currency="EUR",
            items=[
                {
                    "quantity": "12",
                    "supplier_part_id": "TG-KP-001",
                    "supplier_part_auxiliary_id": AUX,
                    "unit_price": "49.95",
                    "unit_of_measure": "EA",
                    "description": "Kerstpakket Deluxe",
                    "classification": ("NZI", "441020"),
                    "extrinsics": {"CardText": "Proficiat!"},
                },
                {
                    "quantity": "30",
                    "supplier_part_id": "TG-CH-010",
                    "supplier_part_auxiliary_id": "TGP-77AA01BB",
                    "unit_price": "12.50",
                    "unit_of_measure": "EA",
                    "description": "Bonbons",
                    "price_basis": {"quantity": "10"},
                },
            ],
        )
        session = self.env["punchout.session"].with_user(self.buyer)
        session = session._start(self.supplier)
        order = session.sudo()._process_cart(cxml.parse_punchout_order_message(message))
        order.order_line[0].with_user(self.buyer).product_qty = 14
        order.with_user(self.buyer).write(
            {"order_line": [Command.create({"product_id": self.product_flowers.id})]}
        )

        self.authenticate("tg_buyer", "tg_buyer_pw1")
        action = order.with_user(self.buyer).action_oci_edit_cart()
        self.assertIn("replaces the lines", action["params"]["message"])
        response = self.url_open(action["params"]["next"]["url"], allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            response.headers["Location"], "http://localhost:9/shop/start/edit1"
        )
        self.assertNotIn("setup-secret-7", response.text)
        root = etree.fromstring(self.shop.requests[-1]["body"])
        self.assertEqual(
            root.findtext("Header/Sender/Credential/SharedSecret"), "setup-secret-7"
        )
        setup = root.find("Request/PunchOutSetupRequest")
        self.assertEqual(setup.get("operation"), "edit")
        self.assertTrue(setup.findtext("BrowserFormPost/URL"))
        pakket, bonbons = setup.findall("ItemOut")  # not the hand-added line
        self.assertEqual(pakket.get("quantity"), "14")
        self.assertEqual(pakket.findtext("ItemID/SupplierPartID"), "TG-KP-001")
        self.assertEqual(pakket.findtext("ItemID/SupplierPartAuxiliaryID"), AUX)
        self.assertEqual(pakket.findtext("ItemDetail/UnitPrice/Money"), "49.95")
        self.assertEqual(
            pakket.findtext("ItemDetail/Extrinsic[@name='CardText']"), "Proficiat!"
        )
        self.assertEqual(bonbons.get("quantity"), "30")
        self.assertEqual(
            bonbons.find("ItemDetail/PriceBasisQuantity").get("quantity"), "10"
        )
        self.assertEqual(bonbons.findtext("ItemDetail/UnitPrice/Money"), "12.50")
