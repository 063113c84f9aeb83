# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import re
from datetime import date

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import GIFT_LINES, PunchoutHttpCommon

PIXEL_PNG = (
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
    b"WjR9awAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestBusinessOptions(PunchoutHttpCommon):
    """The business account: orderers, locations, cards, budgets, invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.shop = cls._start_order_shop()
        nl = env.ref("base.nl")
        cls.loc_utr, cls.loc_ams = env["res.partner"].create(
            [
                {
                    "name": "Vestiging Utrecht",
                    "street": "Catharijnesingel 10",
                    "zip": "3511 GB",
                    "city": "Utrecht",
                    "country_id": nl.id,
                    "company_id": cls.company.id,
                    "oci_location_code": "LOC-UTR",
                },
                {
                    "name": "Vestiging Amsterdam",
                    "street": "Damrak 1",
                    "zip": "1012 LG",
                    "city": "Amsterdam",
                    "country_id": nl.id,
                    "company_id": cls.company.id,
                    "oci_location_code": "LOC-AMS",
                },
            ]
        )
        cls.logo_care = env["webshop.logo"].create(
            {
                "name": "Team Zorg",
                "code": "LOGO-ZORG",
                "company_id": cls.company.id,
                "image": PIXEL_PNG,
            }
        )
        cls.manager = new_test_user(
            env,
            "tg_biz_manager",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.buyer2 = new_test_user(
            env,
            "tg_buyer2",
            password="tg_buyer2_pw1",
            groups="base.group_user,purchase.group_purchase_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        self.shop.reset()

    # -- helpers --------------------------------------------------------------

    def _add_orderer(self, user, **vals):
        return self.env["webshop.orderer"].create(
            {"webshop_id": self.supplier.id, "user_id": user.id, **vals}
        )

    def _cart_rfq(self, lines=None):
        """A cart returned over HTTP by the buyer's punchout: the RFQ."""
        session, hook = self._start_session()
        response = self._post_cart(hook, self._oci_fields(lines or GIFT_LINES))
        self.assertEqual(response.status_code, 303, response.text[:1000])
        session.invalidate_recordset()
        return session.order_id

    def _confirm_and_send(self, order, user=None):
        with trap_jobs() as trap:
            order.with_user(user or self.buyer).button_confirm()
            self.assertEqual(order.state, "purchase")
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(order.oci_transmission_state, "acknowledged")
        self.assertEqual(len(self.shop.requests), 1)
        return etree.fromstring(self.shop.requests[0]["body"])

    @staticmethod
    def _extrinsics(element, path):
        return {e.get("name"): e.text for e in element.findall(path)}

    # -- orderers -------------------------------------------------------------

    def test_orderer_list_restricts_punchout(self):
        self._add_orderer(self.buyer2)
        self.authenticate("tg_buyer", "tg_buyer_pw1")
        response = self.url_open(
            "/punchout/start",
            data={"webshop_id": self.supplier.id, "csrf_token": self.csrf_token()},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("is not an orderer", response.text)
        self.assertFalse(
            self.env["punchout.session"].search([("user_id", "=", self.buyer.id)])
        )
        # once on the list, the buyer punches out
        orderer = self._add_orderer(self.buyer)
        session, _hook = self._start_session()
        self.assertEqual(session.user_id, self.buyer)
        # archived orderers may no longer, even when nobody else is left
        self.supplier.orderer_ids.active = False
        with self.assertRaisesRegex(UserError, "is not an orderer"):
            self.supplier._check_may_punch_out(self.buyer)
        orderer.active = True
        self.assertTrue(self.supplier._check_may_punch_out(self.buyer))

    def test_orderer_own_credentials_in_oci_call(self):
        self.supplier.credential_scope = "user"
        self._add_orderer(
            self.buyer, oci_username="zorg-inkoop", oci_password="pw-zorg"
        )
        self._add_orderer(self.buyer2)
        session, _hook = self._start_session()
        page = self.url_open(f"/punchout/session/{session.id}/go").text
        self.assertIn('name="USERNAME" value="zorg-inkoop"', page)
        self.assertIn('name="PASSWORD" value="pw-zorg"', page)
        self.assertNotIn("pw-top-secret", page)
        # an orderer without a login of their own uses the shared account
        self.assertEqual(
            self.supplier._oci_credentials(self.buyer2), ("buyer01", "pw-top-secret")
        )
        # with shared credentials, everybody logs in with the company's
        self.supplier.credential_scope = "company"
        self.assertEqual(
            self.supplier._oci_credentials(self.buyer), ("buyer01", "pw-top-secret")
        )

    def test_orderer_credentials_manager_only(self):
        orderer = self._add_orderer(self.buyer, oci_username="u", oci_password="p")
        self.assertEqual(orderer.with_user(self.manager).oci_password, "p")
        with self.assertRaises(AccessError):
            _ = orderer.with_user(self.buyer).oci_password
        with self.assertRaises(AccessError):
            self.env["webshop.orderer"].with_user(self.buyer).create(
                {"webshop_id": self.supplier.id, "user_id": self.buyer.id}
            )
        self.assertTrue(orderer.with_user(self.buyer).has_own_credentials)

    # -- delivery locations, cards, logos ----------------------------------

    def test_lines_to_different_locations_ship_to_per_line(self):
        lines = [
            GIFT_LINES[0],  # LOC-UTR, company logo, a card text
            {
                **GIFT_LINES[1],
                "CUST_FIELD1": "Bedankt voor je inzet!",
                "CUST_FIELD2": "LOGO-ZORG",
                "CUST_FIELD3": "LOC-AMS",
            },
        ]
        order = self._cart_rfq(lines)
        pakket, bonbons = order.order_line.sorted("id")
        self.assertEqual(pakket.oci_location_id, self.loc_utr)
        self.assertEqual(bonbons.oci_location_id, self.loc_ams)
        self.assertFalse(pakket.oci_logo_id)
        self.assertEqual(bonbons.oci_logo_id, self.logo_care)
        # the list shows the logo each card gets, also the company logo
        self.assertEqual(pakket.oci_logo_label, "Company logo")
        self.assertEqual(bonbons.oci_logo_label, self.logo_care.name)
        root = self._confirm_and_send(order)
        items = root.findall("Request/OrderRequest/ItemOut")
        self.assertEqual(
            [i.findtext("ShipTo/Address/PostalAddress/City") for i in items],
            ["Utrecht", "Amsterdam"],
        )
        self.assertEqual(
            items[1].find("ShipTo/Address").get("addressID"), str(self.loc_ams.id)
        )
        first = self._extrinsics(items[0], "ItemDetail/Extrinsic")
        second = self._extrinsics(items[1], "ItemDetail/Extrinsic")
        self.assertEqual(first["DeliveryLocation"], "LOC-UTR")
        self.assertEqual(first["Logo"], "COMPANY")
        self.assertEqual(first["CardText"], "Fijne feestdagen! — Team Zorg")
        self.assertEqual(second["DeliveryLocation"], "LOC-AMS")
        self.assertEqual(second["Logo"], "LOGO-ZORG")
        self.assertEqual(second["CardText"], "Bedankt voor je inzet!")

    def test_location_not_allowed_refuses_cart(self):
        self._add_orderer(self.buyer, location_ids=[Command.set(self.loc_utr.ids)])
        session, hook = self._start_session()
        lines = [{**GIFT_LINES[0], "CUST_FIELD3": "LOC-AMS"}]
        response = self._post_cart(hook, self._oci_fields(lines))
        self.assertEqual(response.status_code, 400)
        self.assertIn("Vestiging Amsterdam", response.text)
        session.invalidate_recordset()
        self.assertEqual(session.error_code, "location_not_allowed")
        self.assertFalse(session.order_id)
        # an allowed location comes through; only allowed ones can be chosen
        order = self._cart_rfq()
        self.assertEqual(order.order_line[0].oci_location_id, self.loc_utr)
        self.assertEqual(order.oci_allowed_location_ids, self.loc_utr)
        with self.assertRaises(ValidationError):
            order.with_user(self.buyer).oci_location_id = self.loc_ams
        with self.assertRaises(ValidationError):
            order.order_line[1].with_user(self.buyer).oci_location_id = self.loc_ams

    def test_location_code_spellings_cannot_bypass_the_orderer(self):
        """Case, spaces and invisible characters name the same location; a
        code that names none is refused for a restricted orderer."""
        self._add_orderer(self.buyer, location_ids=[Command.set(self.loc_utr.ids)])
        for code in ("loc-ams", " LOC-AMS ", "LOC-\u200bAMS", "LOC-NOWHERE"):
            with self.subTest(code=code):
                session, hook = self._start_session()
                lines = [{**GIFT_LINES[0], "CUST_FIELD3": code}]
                response = self._post_cart(hook, self._oci_fields(lines))
                self.assertEqual(response.status_code, 400, response.text[:300])
                session.invalidate_recordset()
                self.assertEqual(session.error_code, "location_not_allowed")
        # An allowed location however the shop spells it.
        order = self._cart_rfq([{**GIFT_LINES[0], "CUST_FIELD3": "loc-utr"}])
        self.assertEqual(order.order_line.oci_location_id, self.loc_utr)
        self.assertEqual(order.order_line.oci_location_code, "LOC-UTR")

    def test_order_defaults_card_logo_and_editing(self):
        self._add_orderer(
            self.buyer,
            default_location_id=self.loc_utr.id,
            cost_center="KP-4711",
        )
        lines = [
            {**line, "CUST_FIELD1": "", "CUST_FIELD2": "", "CUST_FIELD3": ""}
            for line in GIFT_LINES
        ]
        order = self._cart_rfq(lines)
        self.assertEqual(order.oci_location_id, self.loc_utr)
        self.assertEqual(order.oci_cost_center, "KP-4711")
        self.supplier.card_text_max_length = 40
        with Form(order.with_user(self.buyer)) as form:
            form.oci_card_text = "Prettige feestdagen van ons allemaal!"
            form.oci_logo_id = self.logo_care
        with self.assertRaisesRegex(ValidationError, "accepts 40"):
            order.order_line[0].oci_card_text = "x" * 41
        order.order_line[0].oci_card_text = False
        # the card is printed on the RFQ
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("purchase.report_purchase_quotation", order.ids)[0]
            .decode()
        )
        self.assertIn("Prettige feestdagen van ons allemaal!", html)
        self.assertIn("Team Zorg", html)
        self.assertIn("data:image/png;base64,", html)
        root = self._confirm_and_send(order)
        header = root.find("Request/OrderRequest/OrderRequestHeader")
        self.assertEqual(
            header.findtext("ShipTo/Address/PostalAddress/City"), "Utrecht"
        )
        items = root.findall("Request/OrderRequest/ItemOut")
        self.assertEqual([i.find("ShipTo") for i in items], [None, None])
        for item in items:
            extrinsics = self._extrinsics(item, "ItemDetail/Extrinsic")
            self.assertEqual(
                extrinsics["CardText"], "Prettige feestdagen van ons allemaal!"
            )
            self.assertEqual(extrinsics["Logo"], "LOGO-ZORG")
            self.assertEqual(extrinsics["DeliveryLocation"], "LOC-UTR")
        # approved and sent: the card can no longer change
        with self.assertRaises(UserError):
            order.order_line[0].with_user(self.buyer).oci_card_text = "Te laat"
        with self.assertRaises(UserError):
            order.with_user(self.buyer).oci_location_id = False
        # and the purchase order prints it
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("purchase.action_report_purchase_order", order.ids)[0]
            .decode()
        )
        self.assertIn("Prettige feestdagen van ons allemaal!", html)
        self.assertIn("KP-4711", html)

    # -- budgets and assortment -------------------------------------------

    def _year_budget(self, **vals):
        year = date.today().year
        return self.env["webshop.budget"].create(
            {
                "name": "Geschenken",
                "company_id": self.company.id,
                "date_from": date(year, 1, 1),
                "date_to": date(year, 12, 31),
                **vals,
            }
        )

    def test_budget_over_needs_manager_approval(self):
        budget = self._year_budget(scope="user", user_id=self.buyer.id, amount=1000)
        # 12 x 49.95 + 30 x 1.25 = 636.90 untaxed: the first order fits
        first = self._cart_rfq()
        self.assertFalse(first.webshop_budget_message)
        self._confirm_and_send(first)
        self.assertAlmostEqual(budget.spent, 636.90)
        budget.invalidate_recordset()
        second = self._cart_rfq()
        # the cart return already says so
        self.assertIn("exceeds the budget Geschenken", second.message_ids[0].body)
        self.assertIn("exceeds the budget", second.webshop_budget_message)
        with trap_jobs() as trap:
            second.with_user(self.buyer).button_confirm()
            self.assertEqual(second.state, "to approve")
            notes = second.message_ids.filtered(
                lambda m: "this order" in (m.body or "")
            )
            self.assertEqual(len(notes), 2, "one note on the cart, one on confirming")
            for amount in ("1,000.00", "spent", "636.90"):
                self.assertIn(amount, notes[0].body)
            with self.assertRaisesRegex(UserError, "A purchase manager must approve"):
                second.with_user(self.buyer).button_approve()
            self.assertEqual(second.state, "to approve")
            trap.assert_jobs_count(0)
            second.with_user(self.manager).button_approve()
            self.assertEqual(second.state, "purchase")
            trap.assert_jobs_count(1)
        budget.invalidate_recordset()
        self.assertAlmostEqual(budget.spent, 2 * 636.90)

    def test_department_budget(self):
        # both lines book on Relatiegeschenken through the NZI mapping
        self._year_budget(
            scope="analytic", analytic_account_id=self.analytic_gifts.id, amount=600
        )
        order = self._cart_rfq()
        with trap_jobs() as trap:
            order.with_user(self.buyer).button_confirm()
            self.assertEqual(order.state, "to approve")
            trap.assert_jobs_count(0)
        # another department's budget does not hold the order up
        other = self.env["account.analytic.account"].create(
            {"name": "Marketing", "plan_id": self.analytic_plan.id}
        )
        self._add_orderer(self.buyer2, analytic_account_id=other.id)
        self.supplier.nzi_mapping_ids.analytic_distribution = False
        session, hook = self._start_session_as("tg_buyer2", "tg_buyer2_pw1")
        self._post_cart(hook, self._oci_fields(GIFT_LINES))
        session.invalidate_recordset()
        order2 = session.order_id
        self.assertEqual(
            order2.order_line.mapped("analytic_distribution"),
            [{str(other.id): 100}] * 2,
        )
        with trap_jobs():
            order2.with_user(self.buyer2).button_confirm()
        self.assertEqual(order2.state, "purchase")

    def _start_session_as(self, login, password):
        self.authenticate(login, password)
        response = self.url_open(
            "/punchout/start",
            data={"webshop_id": self.supplier.id, "csrf_token": self.csrf_token()},
            allow_redirects=False,
        )
        go = response.headers["Location"]
        session_id = int(re.search(r"/punchout/session/(\d+)/go", go).group(1))
        page = self.url_open(go)
        hook = re.search(r'name="HOOK_URL" value="([^"]+)"', page.text).group(1)
        return self.env["punchout.session"].browse(session_id), hook

    def test_assortment_flags_lines_on_cart_return(self):
        self._add_orderer(self.buyer, allowed_nzi_codes="4410, 4420", max_unit_price=40)
        order = self._cart_rfq()
        pakket, bonbons = order.order_line.sorted("id")
        self.assertIn("above the maximum 40.00", pakket.oci_assortment_warning)
        self.assertFalse(bonbons.oci_assortment_warning)
        self.assertEqual(order.oci_assortment_warning_count, 1)
        self.assertIn("outside", order.message_ids[0].body)
        # a category outside the assortment
        self.supplier.orderer_ids.write(
            {
                "max_unit_price": 0,
                "allowed_nzi_codes": False,
                "allowed_categ_ids": [
                    Command.create({"name": "Diensten"}),
                ],
            }
        )
        order = self._cart_rfq()
        self.assertTrue(all(order.order_line.mapped("oci_assortment_warning")))
        self.assertEqual(order.state, "draft")

    # -- invoice options ---------------------------------------------------

    def test_invoice_options_sent_and_stored(self):
        self.company.write(
            {"oci_invoice_grouping": "collective", "oci_cost_center_required": True}
        )
        order = self._cart_rfq()
        self.assertEqual(order.oci_invoice_grouping, "collective")
        with self.assertRaisesRegex(UserError, "needs a cost center"):
            order.with_user(self.buyer).button_confirm()
        order.with_user(self.buyer).write(
            {"oci_cost_center": "CC-0815", "oci_buyer_reference": "INK-2026-0042"}
        )
        root = self._confirm_and_send(order)
        header = root.find("Request/OrderRequest/OrderRequestHeader")
        extrinsics = self._extrinsics(header, "Extrinsic")
        self.assertEqual(extrinsics["InvoiceGrouping"], "collective")
        self.assertEqual(extrinsics["CostCenter"], "CC-0815")
        self.assertEqual(extrinsics["BuyerReference"], "INK-2026-0042")
        self.assertEqual(extrinsics["InvoiceTo"], self.company.root_id.name)
        # stored on the order for the invoice matching
        self.assertEqual(order.oci_buyer_reference, "INK-2026-0042")
        self.assertEqual(order.oci_cost_center, "CC-0815")
        # a branch invoiced on its own
        order2 = self._cart_rfq()
        order2.oci_invoice_grouping = "separate"
        order2.oci_cost_center = "CC-0816"
        self.shop.reset()
        root = self._confirm_and_send(order2)
        extrinsics = self._extrinsics(
            root.find("Request/OrderRequest/OrderRequestHeader"), "Extrinsic"
        )
        self.assertEqual(extrinsics["InvoiceGrouping"], "separate")
        self.assertEqual(extrinsics["BuyerReference"], order2.name)

    # -- configuration through the forms ---------------------------------

    def test_configured_through_forms(self):
        with Form(self.supplier.with_user(self.manager)) as form:
            form.credential_scope = "user"
            form.card_text_max_length = 120
            form.company_logo_code = "LOGO-HQ"
            with form.orderer_ids.new() as orderer:
                orderer.user_id = self.buyer
                orderer.oci_username = "zorg-inkoop"
                orderer.oci_password = "pw-zorg"
                orderer.location_ids.add(self.loc_utr)
                orderer.default_location_id = self.loc_utr
                orderer.allowed_nzi_codes = "4410"
                orderer.max_unit_price = 100
        orderer = self.supplier.orderer_ids
        self.assertEqual(orderer.user_id, self.buyer)
        self.assertEqual(orderer.sudo().oci_password, "pw-zorg")
        self.assertEqual(orderer.location_ids, self.loc_utr)
        self.assertEqual(self.supplier.card_text_max_length, 120)
        with Form(self.env["res.partner"].with_user(self.manager)) as form:
            form.name = "Vestiging Rotterdam"
            form.oci_location_code = "LOC-RTM"
        with Form(self.env["webshop.budget"].with_user(self.manager)) as form:
            form.name = "Afdeling Zorg"
            form.scope = "analytic"
            form.analytic_account_id = self.analytic_gifts
            form.date_from = date(2026, 1, 1)
            form.date_to = date(2026, 12, 31)
            form.amount = 2500
        self.assertEqual(form.record.remaining, 2500)
        with Form(self.env["webshop.logo"].with_user(self.manager)) as form:
            form.name = "Jubileum"
            form.code = "LOGO-50"
        # Settings > Purchase > Webshop orders (a settings Form would run every
        # other setting's onchange too).
        self.env["res.config.settings"].create(
            {"oci_invoice_grouping": "collective", "oci_cost_center_required": True}
        ).execute()
        self.assertEqual(self.company.oci_invoice_grouping, "collective")

    def test_branch_invoice_grouping(self):
        branch = self.env["res.company"].create(
            {"name": "Filiaal Amsterdam", "parent_id": self.company.id}
        )
        self.env.user.company_ids |= branch
        branch.oci_invoice_grouping = "separate"
        orders = self.env["purchase.order"].create(
            [
                {"partner_id": self.vendor.id, "company_id": branch.id},
                {"partner_id": self.vendor.id, "company_id": self.company.id},
            ]
        )
        self.company.oci_invoice_grouping = "collective"
        branch_order, main_order = orders
        self.assertEqual(branch_order.oci_invoice_grouping, "separate")
        extrinsics = branch_order._oci_order_extrinsics()
        self.assertEqual(extrinsics["InvoiceGrouping"], "separate")
        self.assertEqual(extrinsics["InvoiceTo"], "Filiaal Amsterdam")
        # the branch asks for the group's collective invoice on this order
        branch_order.oci_invoice_grouping = "collective"
        extrinsics = branch_order._oci_order_extrinsics()
        self.assertEqual(extrinsics["InvoiceTo"], self.company.name)
        self.assertEqual(extrinsics["BuyerReference"], branch_order.name)
        # the company's later change does not rewrite existing orders
        self.assertEqual(main_order.oci_invoice_grouping, "separate")

    def test_other_company_budgets_and_logos_hidden(self):
        other = self.env["res.company"].create({"name": "Andere B.V."})
        budget = self._year_budget(
            company_id=other.id, scope="user", user_id=self.buyer.id, amount=1
        )
        logo = self.env["webshop.logo"].create(
            {"name": "Ander logo", "code": "LOGO-X", "company_id": other.id}
        )
        Budget = self.env["webshop.budget"].with_user(self.buyer)
        self.assertFalse(Budget.search([("id", "=", budget.id)]))
        Logo = self.env["webshop.logo"].with_user(self.buyer)
        self.assertFalse(Logo.search([("id", "=", logo.id)]))
        self.assertIn(self.logo_care, Logo.search([]))
        # and the other company's budget does not hold the buyer's order up
        order = self._cart_rfq()
        self.assertFalse(order._webshop_budget_excess())
