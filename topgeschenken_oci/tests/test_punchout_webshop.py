# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPunchoutSupplier(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Gift Shop B.V."})
        cls.supplier = cls.env["punchout.webshop"].create(
            {
                "name": "Gift Shop",
                "partner_id": cls.vendor.id,
                "catalog_url": "https://shop.example/oci",
                "oci_username": "buyer",
                "oci_password": "s3cret",
            }
        )
        cls.manager = new_test_user(
            cls.env, "tg_manager", groups="purchase.group_purchase_manager"
        )
        cls.purchaser = new_test_user(
            cls.env, "tg_purchaser", groups="purchase.group_purchase_user"
        )

    def test_catalog_url_must_be_http(self):
        with self.assertRaises(ValidationError):
            self.supplier.catalog_url = "javascript:alert(1)"
        with self.assertRaises(ValidationError):
            self.supplier.catalog_url = "ftp://shop.example/oci"

    def test_password_readable_by_managers_only(self):
        self.assertEqual(self.supplier.with_user(self.manager).oci_password, "s3cret")
        with self.assertRaises(AccessError):
            _ = self.supplier.with_user(self.purchaser).oci_password
        # a purchaser still sees the supplier itself
        self.assertEqual(self.supplier.with_user(self.purchaser).name, "Gift Shop")

    def test_nzi_longest_prefix_wins(self):
        mappings = self.env["punchout.nzi.code"].create(
            [
                {"webshop_id": self.supplier.id, "code": "44", "name": "Gifts"},
                {"webshop_id": self.supplier.id, "code": "4410", "name": "Food"},
            ]
        )
        self.assertEqual(mappings._find("441020").name, "Food")
        self.assertEqual(mappings._find(" 44 99 ").name, "Gifts")
        self.assertFalse(mappings._find("45"))
        self.assertFalse(mappings._find(""))
