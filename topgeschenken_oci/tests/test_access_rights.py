# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import PunchoutHttpCommon

OPS = ("read", "write", "create", "unlink")


@tagged("post_install", "-at_install")
class TestAccessRights(PunchoutHttpCommon):
    """Who may read credentials, start a punchout, see whose sessions, resend."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company_ids = [Command.set(cls.company.ids)]
        cls.users = {
            "buyer": cls.buyer,
            "manager": new_test_user(
                env,
                "tg_acl_manager",
                password="tg_acl_manager_1",
                groups="base.group_user,purchase.group_purchase_manager",
                company_id=cls.company.id,
                company_ids=company_ids,
            ),
            "accountant": new_test_user(
                env,
                "tg_acl_accountant",
                password="tg_acl_accountant_1",
                groups="base.group_user,account.group_account_invoice",
                company_id=cls.company.id,
                company_ids=company_ids,
            ),
            "portal": new_test_user(
                env,
                "tg_acl_portal",
                password="tg_acl_portal_1",
                groups="base.group_portal",
            ),
        }
        other_company = env["res.company"].create({"name": "Andere Zorg B.V."})
        # a webshop of its own, so its users see a start page
        cls.supplier.copy({"company_id": other_company.id, "name": "Eigen shop"})
        cls.users["other_company"] = new_test_user(
            env,
            "tg_acl_other",
            password="tg_acl_other_1",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        cls.punchout = env["punchout.session"].with_user(cls.buyer)._start(cls.supplier)

    def _allowed(self, record, user, operation):
        try:
            record.with_user(user).check_access(operation)
        except AccessError:
            return False
        return True

    def test_model_matrix(self):
        expected = {
            # model record: {user: allowed operations}
            "supplier": {
                "buyer": {"read"},
                "manager": set(OPS),
                "accountant": {"read"},
                "portal": set(),
                "other_company": set(),
            },
            "session": {
                "buyer": {"read"},
                "manager": {"read", "write"},
                "accountant": set(),
                "portal": set(),
                "other_company": set(),
            },
        }
        records = {"supplier": self.supplier, "session": self.punchout}
        for name, matrix in expected.items():
            for login, allowed in matrix.items():
                for operation in OPS:
                    with self.subTest(model=name, user=login, operation=operation):
                        self.assertEqual(
                            self._allowed(records[name], self.users[login], operation),
                            operation in allowed,
                        )

    def test_credentials_only_for_managers(self):
        for login in ("buyer", "accountant"):
            with self.subTest(user=login), self.assertRaises(AccessError):
                _ = self.supplier.with_user(self.users[login]).oci_password
        supplier = self.supplier.with_user(self.users["manager"])
        self.assertEqual(supplier.oci_password, "pw-top-secret")

    def test_inbound_secret_only_for_system_admins(self):
        """The secret that authenticates the shop's documents: a purchase
        manager can neither read nor set it (else they could forge a shop
        confirmation), nor see it in the form; a system administrator can."""
        self.supplier.inbound_secret = "in-secret-1"
        manager = self.users["manager"]
        for login in ("buyer", "manager", "accountant"):
            supplier = self.supplier.with_user(self.users[login])
            with self.subTest(user=login), self.assertRaises(AccessError):
                _ = supplier.inbound_secret
        with self.assertRaises(AccessError):
            self.supplier.with_user(manager).write({"inbound_secret": "forged"})
        arch = (
            self.env["punchout.webshop"]
            .with_user(manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("inbound_secret", arch)
        self.assertNotIn(
            "inbound_secret", self.supplier.with_user(manager).fields_get()
        )
        admin = new_test_user(
            self.env,
            "tg_acl_sysadmin",
            groups="base.group_user,base.group_system,purchase.group_purchase_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        supplier = self.supplier.with_user(admin)
        self.assertEqual(supplier.inbound_secret, "in-secret-1")
        supplier.inbound_secret = "in-secret-2"
        self.assertEqual(self.supplier.inbound_secret, "in-secret-2")
        arch = supplier.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="inbound_secret"', arch)
        # Not copied with the webshop.
        self.assertFalse(self.supplier.copy().inbound_secret)

    def test_inbound_secret_is_no_search_oracle(self):
        """A purchase manager cannot learn the secret by searching,
        counting, grouping, sorting or exporting on it."""
        self.supplier.inbound_secret = "in-secret-1"
        Webshop = self.env["punchout.webshop"].with_user(self.users["manager"])
        for domain in (
            [("inbound_secret", "=", "in-secret-1")],
            [("inbound_secret", "=like", "in-%")],
            [("inbound_secret", "!=", False)],
        ):
            with self.subTest(domain=domain), self.assertRaises(AccessError):
                Webshop.search(domain)
            with self.subTest(domain=domain), self.assertRaises(AccessError):
                Webshop.search_count(domain)
        with self.assertRaises(AccessError):
            Webshop.search([], order="inbound_secret")
        with self.assertRaises(AccessError):
            Webshop.formatted_read_group([], ["inbound_secret"], ["__count"])
        # Export: no export right, and the field is out of reach anyway.
        with self.assertRaises(UserError):  # AccessError is one too
            self.supplier.with_user(self.users["manager"]).export_data(
                ["inbound_secret"]
            )

    def test_generate_inbound_secret(self):
        """A system administrator generates the secret and sees it once; a
        purchase manager cannot."""
        with self.assertRaises(AccessError):
            self.supplier.with_user(
                self.users["manager"]
            ).action_generate_inbound_secret()
        self.assertFalse(self.supplier.inbound_secret)
        admin = new_test_user(
            self.env,
            "tg_acl_sysadmin2",
            groups="base.group_user,base.group_system,purchase.group_purchase_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        action = self.supplier.with_user(admin).action_generate_inbound_secret()
        secret = action["context"]["default_secret"]
        self.assertGreaterEqual(len(secret), 43)
        self.assertEqual(self.supplier.inbound_secret, secret)
        shown = (
            self.env[action["res_model"]]
            .with_user(admin)
            .with_context(action["context"])
            .new({})
        )
        self.assertEqual(shown.secret, secret)
        # The chatter says that it changed, never what it is.
        self.assertNotIn(secret, str(self.supplier.message_ids.mapped("body")))
        again = self.supplier.with_user(admin).action_generate_inbound_secret()
        self.assertNotEqual(again["context"]["default_secret"], secret)

    def test_sessions_of_others_are_hidden(self):
        colleague = new_test_user(
            self.env,
            "tg_acl_colleague",
            groups="base.group_user,purchase.group_purchase_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        Session = self.env["punchout.session"]
        mine = [("id", "=", self.punchout.id)]
        self.assertFalse(Session.with_user(colleague).search(mine))
        self.assertTrue(Session.with_user(self.users["manager"]).search(mine))
        with self.assertRaises(AccessError):
            self.punchout.with_user(colleague)._launch()

    def test_send_again_is_for_managers(self):
        transmission = (
            self.env["punchout.order.transmission"]
            .sudo()
            .create(
                {
                    "order_id": self.env["purchase.order"]
                    .create({"partner_id": self.vendor.id})
                    .id,
                    "webshop_id": self.supplier.id,
                    "payload_format": "cxml",
                    "idempotency_key": "P-TEST",
                    "state": "failed",
                }
            )
        )
        with self.assertRaises(UserError):  # AccessError is one too
            transmission.with_user(self.buyer).action_send_again()

    def test_routes_for_portal_and_public(self):
        self.authenticate("tg_acl_portal", "tg_acl_portal_1")
        self.assertEqual(self.url_open("/punchout/start").status_code, 403)
        response = self.url_open(f"/punchout/session/{self.punchout.id}/go")
        self.assertEqual(response.status_code, 403)
        self.logout()
        response = self.url_open("/punchout/start", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_other_company_cannot_start_on_this_webshop(self):
        self.authenticate("tg_acl_other", "tg_acl_other_1")
        response = self.url_open(
            "/punchout/start",
            data={
                "webshop_id": self.supplier.id,
                "csrf_token": self.csrf_token(),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(
            self.env["punchout.session"].search(
                [("user_id", "=", self.users["other_company"].id)]
            )
        )

    def test_only_purchase_users_punch_out(self):
        """A requester without purchase rights cannot start a punchout for an
        RFQ (the cart is imported with the buyer's rights, so they could not
        make it); from their own draft request the cart fills its lines."""
        requester = new_test_user(
            self.env,
            "tg_acl_requester",
            groups="base.group_user,purchase_request.group_purchase_request_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        request = self.request.copy({"requested_by": requester.id})
        Session = self.env["punchout.session"].with_user(requester)
        with self.assertRaises(AccessError):
            Session._start(self.supplier)
        session = Session._start(self.supplier, request=request.with_user(requester))
        self.assertEqual(session.cart_target, "request")
        with self.assertRaises(AccessError):
            Session._start(self.supplier, request=self.request.with_user(requester))

    def test_cart_imported_with_the_buyer_rights(self):
        """A buyer who lost purchase rights after starting: the cart is
        refused, nothing is made as superuser."""
        buyer = new_test_user(
            self.env,
            "tg_acl_former_buyer",
            groups="base.group_user,purchase.group_purchase_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        session = self.env["punchout.session"].with_user(buyer)._start(self.supplier)
        buyer.group_ids -= self.env.ref("purchase.group_purchase_user")
        orders_before = self.env["purchase.order"].search_count([])
        body = "&".join(
            f"{k}={v}"
            for k, v in self._oci_fields(
                [
                    {
                        "DESCRIPTION": "Pen",
                        "QUANTITY": "1",
                        "PRICE": "1",
                        "VENDORMAT": "TG-ACL-1",
                    }
                ]
            )
        ).encode()
        with mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session"):
            error = session.sudo()._receive(body, "application/x-www-form-urlencoded")
        self.assertTrue(error)
        self.assertEqual(session.sudo().state, "error")
        self.assertEqual(self.env["purchase.order"].search_count([]), orders_before)
        self.assertFalse(
            self.env["product.supplierinfo"].search([("product_code", "=", "TG-ACL-1")])
        )

    def test_transmission_actions_check_the_company(self):
        """A purchase manager of another company cannot send again or cancel
        this company's transmission (the group alone is not enough)."""
        transmission = (
            self.env["punchout.order.transmission"]
            .sudo()
            .create(
                {
                    "order_id": self.env["purchase.order"]
                    .create({"partner_id": self.vendor.id})
                    .id,
                    "webshop_id": self.supplier.id,
                    "payload_format": "cxml",
                    "idempotency_key": "P-TEST-CO",
                    "state": "failed",
                }
            )
        )
        other = transmission.with_user(self.users["other_company"])
        for action in ("action_send_again", "action_cancel"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(other, action)()
        self.assertEqual(transmission.state, "failed")

    def test_links_stay_in_their_company(self):
        """A record of one company cannot point to another company's webshop,
        NZI mapping or delivery location (check_company)."""
        other_shop = (
            self.env["punchout.webshop"]
            .sudo()
            .search([("name", "=", "Eigen shop")], limit=1)
        )
        self.assertTrue(other_shop)
        order = self.env["purchase.order"].create({"partner_id": self.vendor.id})
        with self.assertRaises(UserError):
            order.oci_webshop_id = other_shop
        with self.assertRaises(UserError):
            self.env["punchout.order.transmission"].sudo().create(
                {
                    "order_id": order.id,
                    "webshop_id": other_shop.id,
                    "payload_format": "cxml",
                    "idempotency_key": "P-TEST-CC",
                }
            )
        other_mapping = self.env["punchout.nzi.code"].create(
            {"webshop_id": other_shop.id, "code": "99", "name": "Elders"}
        )
        order.order_line = [
            Command.create({"product_id": self.product_flowers.id, "product_qty": 1})
        ]
        with self.assertRaises(UserError):
            order.order_line.punchout_nzi_code_id = other_mapping
        with self.assertRaises(UserError):
            self.supplier.nzi_mapping_ids.copy({"webshop_id": other_shop.id}).write(
                {"account_id": self.expense_gifts.id}
            )

    def test_session_actions_check_access_before_sudo(self):
        colleague = new_test_user(
            self.env,
            "tg_acl_colleague2",
            groups="base.group_user,purchase.group_purchase_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            self.punchout.with_user(colleague).action_cancel()
        self.assertEqual(self.punchout.state, "open")
        # importing a kept cart again is for purchase managers
        self.punchout.sudo().write({"state": "error"})
        with self.assertRaises(AccessError):
            self.punchout.with_user(self.buyer).action_retry_import()
        self.punchout.with_user(self.users["manager"]).action_retry_import()
        # the buyer cancels their own open session
        session = (
            self.env["punchout.session"].with_user(self.buyer)._start(self.supplier)
        )
        session.action_cancel()
        self.assertEqual(session.sudo().state, "cancel")
