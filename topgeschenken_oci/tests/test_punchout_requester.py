# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import re

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import GIFT_LINES, PunchoutHttpCommon

SESSION_LOGGER = "odoo.addons.topgeschenken_oci.models.punchout_session"


@tagged("post_install", "-at_install")
class TestPunchoutRequester(PunchoutHttpCommon):
    """A requester (OCA purchase_request rights, no purchase rights) fills
    their draft request from the webshop; the purchasing team makes the RFQ
    with OCA's wizard, and it goes to the shop as a cart RFQ."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls._start_order_shop()
        cls.requester = new_test_user(
            cls.env,
            "tg_requester",
            password="tg_requester_pw1",
            groups="base.group_user,purchase_request.group_purchase_request_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.purchaser = new_test_user(
            cls.env,
            "tg_purchaser",
            groups="base.group_user,purchase.group_purchase_user,"
            "purchase_request.group_purchase_request_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.own_request = cls.env["purchase.request"].create(
            {"company_id": cls.company.id, "requested_by": cls.requester.id}
        )

    def setUp(self):
        super().setUp()
        self.shop.reset()

    def _counts(self):
        return (
            self.env["purchase.order"].search_count([]),
            self.env["purchase.order.line"].search_count([]),
        )

    def _start_as_requester(self, request):
        """POST /punchout/start as the requester; return the response."""
        self.authenticate("tg_requester", "tg_requester_pw1")
        data = {"webshop_id": self.supplier.id, "csrf_token": self.csrf_token()}
        if request:
            data["request_id"] = request.id
        return self.url_open("/punchout/start", data=data, allow_redirects=False)

    def _requester_cart(self, request, lines=GIFT_LINES):
        """The requester punches out from ``request`` and the shop posts
        ``lines``; return (session, hook URL, the cart's response)."""
        response = self._start_as_requester(request)
        self.assertEqual(response.status_code, 303, response.text[:500])
        go = response.headers["Location"]
        session_id = int(re.search(r"/punchout/session/(\d+)/go", go).group(1))
        page = self.url_open(go)
        self.assertEqual(page.status_code, 200)
        hook = re.search(r'name="HOOK_URL" value="([^"]+)"', page.text).group(1)
        hook = hook.replace("&amp;", "&")
        session = self.env["punchout.session"].browse(session_id)
        return session, hook, self._post_cart(hook, self._oci_fields(lines))

    def test_requester_cart_becomes_request_lines(self):
        request = self.own_request
        self.assertTrue(request.with_user(self.requester).oci_can_punchout)
        action = request.with_user(self.requester).action_oci_punchout()
        self.assertIn(f"added to request {request.name}", action["params"]["message"])
        before = self._counts()
        session, hook, response = self._requester_cart(request)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assertTrue(
            response.headers["Location"].endswith(
                f"/odoo/purchase.request/{request.id}"
            )
        )
        session.invalidate_recordset()
        self.assertEqual(session.state, "done")
        self.assertEqual(session.cart_target, "request")
        self.assertFalse(session.order_id)
        # Nothing else: no RFQ, no RFQ line.
        self.assertEqual(self._counts(), before)
        self.assertEqual(request.state, "draft")
        pakket, bonbons = request.line_ids.sorted("id")
        self.assertEqual(pakket.product_id.seller_ids.product_code, "TG-KP-001")
        self.assertEqual(pakket.product_qty, 12)
        self.assertEqual(pakket.product_uom_id, self.env.ref("uom.product_uom_unit"))
        self.assertAlmostEqual(pakket.estimated_cost, 12 * 49.95)
        self.assertEqual(pakket.name, "Kerstpakket Deluxe")
        self.assertEqual(pakket.oci_vendormat, "TG-KP-001")
        self.assertEqual(pakket.oci_aux_id, "TGP-8f3a21c0")
        self.assertEqual(pakket.oci_card_text, "Fijne feestdagen! — Team Zorg")
        self.assertEqual(pakket.oci_logo, "COMPANY")
        self.assertEqual(pakket.oci_location_code, "LOC-UTR")
        self.assertEqual(pakket.oci_matgroup, "441020")
        self.assertEqual(pakket.oci_item_data["vendormat"], "TG-KP-001")
        self.assertEqual(pakket.oci_session_id, session)
        # 12.50 per 10 bonbons: 30 bonbons cost 37.50
        self.assertAlmostEqual(bonbons.estimated_cost, 37.5)
        self.assertEqual(bonbons.oci_price_unit_qty, 10)
        self.assertEqual(bonbons.punchout_nzi_code_id.code, "4410")
        self.assertEqual(
            bonbons.analytic_distribution, {str(self.analytic_gifts.id): 100}
        )
        note = request.message_ids.filtered(lambda m: "added from" in (m.body or ""))
        self.assertEqual(note.author_id, self.requester.partner_id)
        # The same cart again: the page says where it went.
        again = self._post_cart(hook, self._oci_fields(GIFT_LINES))
        self.assertEqual(again.status_code, 200)
        self.assertIn(f"already added to request {request.name}", again.text)
        self.assertIn(f'href="/odoo/purchase.request/{request.id}"', again.text)
        self.assertEqual(len(request.line_ids), 2)

    def test_requester_cannot_forge_cart_data(self):
        """What the shop's cart said (price, shop line reference, vendor
        code, the punchout it came from...) goes to the shop on the RFQ the
        purchasing team makes: the requester can neither change it on their
        lines nor make up a cart line, though the card text stays theirs."""
        __, __, response = self._requester_cart(self.own_request)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        line = self.own_request.line_ids[:1].with_user(self.requester)
        price, aux_id = line.oci_price_unit, line.oci_aux_id
        for vals in (
            {"oci_price_unit": 0.01},
            {"oci_aux_id": "FORGED"},
            {"oci_vendormat": "TG-OTHER"},
            {"oci_session_id": False},
            {"oci_item_data": {"vendormat": "TG-OTHER"}},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                line.write(vals)
        with self.assertRaises(AccessError):
            line.create(
                {
                    "request_id": self.own_request.id,
                    "product_id": self.product_flowers.id,
                    "product_qty": 100,
                    "oci_session_id": line.oci_session_id.id,
                    "oci_price_unit": 0.01,
                }
            )
        line.write({"oci_card_text": "Bedankt!", "product_qty": 2})
        self.assertEqual((line.oci_price_unit, line.oci_aux_id), (price, aux_id))
        self.assertEqual(line.oci_card_text, "Bedankt!")

    def test_requester_keeps_to_her_delivery_locations(self):
        """The delivery location of a request line stays the requester's to
        change, within the locations her orderer line allows (the RFQ's
        check is the purchaser's, who may send anywhere)."""
        utrecht, amsterdam = self.env["res.partner"].create(
            [
                {
                    "name": "Vestiging Utrecht",
                    "company_id": self.company.id,
                    "oci_location_code": "LOC-UTR",
                },
                {
                    "name": "Vestiging Amsterdam",
                    "company_id": self.company.id,
                    "oci_location_code": "LOC-AMS",
                },
            ]
        )
        self.env["webshop.orderer"].create(
            {
                "webshop_id": self.supplier.id,
                "user_id": self.requester.id,
                "location_ids": [Command.set(utrecht.ids)],
            }
        )
        __, __, response = self._requester_cart(self.own_request, GIFT_LINES[:1])
        self.assertEqual(response.status_code, 303, response.text[:1000])
        line = self.own_request.line_ids.with_user(self.requester)
        self.assertEqual(line.oci_location_id, utrecht)
        with self.assertRaises(ValidationError):
            line.write({"oci_location_id": amsterdam.id})
        line.write({"oci_location_id": False})
        # Without a location, the code the shop gets is checked alike.
        with self.assertRaises(ValidationError):
            line.write({"oci_location_code": "loc-ams"})
        line.write({"oci_location_id": utrecht.id})
        self.assertEqual(line.oci_location_id, utrecht)

    def test_requester_assortment_flagged_on_the_rfq(self):
        """A cart outside the requester's assortment (here: above her
        maximum unit price) is flagged on the RFQ the purchasing team makes,
        as a buyer's own cart is on theirs; not the purchaser's assortment."""
        self.env["webshop.orderer"].create(
            {
                "webshop_id": self.supplier.id,
                "user_id": self.requester.id,
                "max_unit_price": 10,
            }
        )
        self.env["webshop.orderer"].create(
            {"webshop_id": self.supplier.id, "user_id": self.purchaser.id}
        )
        __, __, response = self._requester_cart(self.own_request, GIFT_LINES[:1])
        self.assertEqual(response.status_code, 303, response.text[:1000])
        request = self.own_request
        request.button_to_approve()
        request.button_approved()
        action = (
            self.env["purchase.request.line.make.purchase.order"]
            .with_user(self.purchaser)
            .with_context(
                active_model="purchase.request.line", active_ids=request.line_ids.ids
            )
            .create({"supplier_id": self.vendor.id})
            .make_purchase_order()
        )
        order = self.env["purchase.order"].search(action["domain"])
        self.assertIn("above the maximum", order.order_line.oci_assortment_warning)
        self.assertEqual(order.oci_assortment_warning_count, 1)

    def test_request_of_another_company_is_refused(self):
        """The webshop's company and the request's must be one: a cart of
        company A's webshop (its products, NZI codes, budgets) does not fill
        company B's request, for a requester or a buyer."""
        other = self.env["res.company"].create({"name": "Zorggroep Elders"})
        for user in (self.requester, self.buyer):
            user.company_ids = [Command.link(other.id)]
        companies = [self.company.id, other.id]
        for user in (self.requester, self.buyer):
            request = self.env["purchase.request"].create(
                {"company_id": other.id, "requested_by": user.id}
            )
            Session = (
                self.env["punchout.session"]
                .with_user(user)
                .with_context(allowed_company_ids=companies)
            )
            # The session's company check refuses it (no company crossover).
            with self.subTest(user=user.login), self.assertRaises(UserError):
                Session._start(
                    self.supplier.with_env(Session.env),
                    request=request.with_env(Session.env),
                )
            self.assertFalse(
                self.env["punchout.session"].search([("request_id", "=", request.id)])
            )

    def test_requester_only_from_own_draft_request(self):
        sessions = self.env["punchout.session"].search_count([])
        # Someone else's request (the buyer's), and no request at all.
        for request in (self.request, None):
            response = self._start_as_requester(request)
            self.assertEqual(response.status_code, 400)
        # Their own request, sent for approval.
        submitted = self.own_request.copy(
            {
                "requested_by": self.requester.id,
                "line_ids": [Command.create({"name": "Bloemen", "product_qty": 1})],
            }
        )
        submitted.button_to_approve()
        self.assertFalse(submitted.with_user(self.requester).oci_can_punchout)
        response = self._start_as_requester(submitted)
        self.assertEqual(response.status_code, 400)
        self.assertIn("no longer a draft", response.text)
        self.assertEqual(self.env["punchout.session"].search_count([]), sessions)

    @mute_logger(SESSION_LOGGER)
    def test_request_submitted_meanwhile_refuses_the_cart(self):
        request = self.own_request.copy(
            {
                "requested_by": self.requester.id,
                "line_ids": [Command.create({"name": "Bloemen", "product_qty": 1})],
            }
        )
        response = self._start_as_requester(request)
        go = response.headers["Location"]
        page = self.url_open(go)
        hook = re.search(r'name="HOOK_URL" value="([^"]+)"', page.text).group(1)
        request.button_to_approve()
        before = self._counts()
        products = self.env["product.product"].search_count([])
        response = self._post_cart(
            hook.replace("&amp;", "&"), self._oci_fields(GIFT_LINES)
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("no longer a draft", response.text)
        self.assertEqual(len(request.line_ids), 1)
        self.assertEqual(self._counts(), before)
        self.assertEqual(self.env["product.product"].search_count([]), products)

    def test_wizard_rfq_carries_the_cart_and_goes_to_the_shop(self):
        request = self.own_request
        __, __, response = self._requester_cart(request)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        request.button_to_approve()
        request.button_approved()
        lines = request.line_ids.sorted("id")
        wizard = (
            self.env["purchase.request.line.make.purchase.order"]
            .with_user(self.purchaser)
            .with_context(active_model="purchase.request.line", active_ids=lines.ids)
            .create({"supplier_id": self.vendor.id})
        )
        action = wizard.make_purchase_order()
        order = self.env["purchase.order"].search(action["domain"])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.oci_webshop_id, self.supplier)
        self.assertEqual(request.state, "in_progress")
        pakket, bonbons = order.order_line.sorted("id")
        self.assertEqual(pakket.purchase_request_lines, lines[0])
        self.assertEqual(bonbons.purchase_request_lines, lines[1])
        self.assertEqual(
            lines[0].purchase_request_allocation_ids.purchase_line_id, pakket
        )
        self.assertEqual(pakket.product_qty, 12)
        self.assertAlmostEqual(pakket.price_unit, 49.95)
        self.assertAlmostEqual(bonbons.price_unit, 1.25)
        self.assertEqual(pakket.oci_aux_id, "TGP-8f3a21c0")
        self.assertEqual(pakket.oci_unit_code, "PCE")
        self.assertEqual(pakket.oci_card_text, "Fijne feestdagen! — Team Zorg")
        # Sent as any cart RFQ is.
        with trap_jobs() as trap:
            order.button_confirm()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(order.oci_transmission_state, "acknowledged")
        self.assertEqual(len(self.shop.requests), 1)
        root = etree.fromstring(self.shop.requests[0]["body"])
        items = root.findall("Request/OrderRequest/ItemOut")
        self.assertEqual(
            [i.findtext("ItemID/SupplierPartAuxiliaryID") for i in items],
            ["TGP-8f3a21c0", "TGP-77aa01bb"],
        )
        self.assertEqual(
            [i.findtext("ItemID/SupplierPartID") for i in items],
            ["TG-KP-001", "TG-CH-010"],
        )
        self.assertEqual([i.get("quantity") for i in items], ["12", "30"])
        first = items[0]
        self.assertEqual(first.findtext("ItemDetail/UnitPrice/Money"), "49.95")
        self.assertEqual(first.findtext("ItemDetail/Classification"), "441020")
        extrinsics = {
            e.get("name"): e.text for e in first.findall("ItemDetail/Extrinsic")
        }
        self.assertEqual(extrinsics["CardText"], "Fijne feestdagen! — Team Zorg")
        self.assertEqual(extrinsics["DeliveryLocation"], "LOC-UTR")
        self.assertEqual(items[1].findtext("ItemDetail/UnitPrice/Money"), "12.50")
        basis = items[1].find("ItemDetail/PriceBasisQuantity")
        self.assertEqual(basis.get("quantity"), "10")

    def test_wizard_refuses_carts_in_two_currencies(self):
        """Two carts of one request, one in euros and one in dollars (a shop
        that sent its default currency): one RFQ cannot carry both prices,
        so the wizard says to make one per currency instead of putting
        dollar prices in a euro RFQ."""
        self.env.ref("base.USD").active = True
        request = self.own_request
        for lines in (
            GIFT_LINES[:1],
            [{**GIFT_LINES[1], "CURRENCY": "USD", "CUST_FIELD5": "TGP-usd00001"}],
        ):
            __, __, response = self._requester_cart(request, lines)
            self.assertEqual(response.status_code, 303, response.text[:1000])
        euro, dollar = request.line_ids.sorted("id")
        self.assertEqual(dollar.oci_currency_id, self.env.ref("base.USD"))
        request.button_to_approve()
        request.button_approved()
        Wizard = (
            self.env["purchase.request.line.make.purchase.order"]
            .with_user(self.purchaser)
            .with_context(
                active_model="purchase.request.line",
                active_ids=(euro | dollar).ids,
            )
        )
        orders = self.env["purchase.order"].search_count([])
        with self.assertRaises(UserError) as caught:
            Wizard.create({"supplier_id": self.vendor.id}).make_purchase_order()
        self.assertIn("USD", str(caught.exception))
        self.assertEqual(self.env["purchase.order"].search_count([]), orders)
        # One RFQ per currency works.
        for line, currency in ((euro, "EUR"), (dollar, "USD")):
            action = (
                Wizard.with_context(active_ids=line.ids)
                .create({"supplier_id": self.vendor.id})
                .make_purchase_order()
            )
            order = self.env["purchase.order"].search(action["domain"])
            self.assertEqual(order.currency_id.name, currency)
            self.assertAlmostEqual(order.order_line.price_unit, line.oci_price_unit)

    def test_buyer_still_gets_an_rfq(self):
        before = len(self.request.line_ids)
        session, hook = self._start_session(request=self.request)
        self.assertEqual(session.cart_target, "order")
        response = self._post_cart(hook, self._oci_fields(GIFT_LINES))
        self.assertEqual(response.status_code, 303, response.text[:1000])
        session.invalidate_recordset()
        order = session.order_id
        self.assertTrue(order)
        self.assertIn(f"/{order.id}", response.headers["Location"])
        self.assertEqual(order.origin, self.request.name)
        self.assertEqual(len(self.request.line_ids), before)
