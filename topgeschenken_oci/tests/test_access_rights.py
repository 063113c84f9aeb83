# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

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
        cls.punchout = (
            env["oci.punchout.session"].with_user(cls.buyer)._start(cls.supplier)
        )

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

    def test_sessions_of_others_are_hidden(self):
        colleague = new_test_user(
            self.env,
            "tg_acl_colleague",
            groups="base.group_user,purchase.group_purchase_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        Session = self.env["oci.punchout.session"]
        mine = [("id", "=", self.punchout.id)]
        self.assertFalse(Session.with_user(colleague).search(mine))
        self.assertTrue(Session.with_user(self.users["manager"]).search(mine))
        with self.assertRaises(AccessError):
            self.punchout.with_user(colleague)._launch()

    def test_send_again_is_for_managers(self):
        transmission = (
            self.env["oci.order.transmission"]
            .sudo()
            .create(
                {
                    "order_id": self.env["purchase.order"]
                    .create({"partner_id": self.vendor.id})
                    .id,
                    "supplier_id": self.supplier.id,
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
                "supplier_id": self.supplier.id,
                "csrf_token": self.csrf_token(),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(
            self.env["oci.punchout.session"].search(
                [("user_id", "=", self.users["other_company"].id)]
            )
        )
