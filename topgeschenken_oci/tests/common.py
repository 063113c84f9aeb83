# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import re
from urllib.parse import urlencode

from odoo import Command
from odoo.tests import HttpCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .shop_server import FakeShop


class PunchoutCommon(AccountTestInvoicingCommon):
    """A company with a gift webshop configured, a buyer and a purchase request."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("nl")
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.user.group_ids |= env.ref("purchase.group_purchase_manager") | env.ref(
            "purchase_request.group_purchase_request_manager"
        )
        # The tests' webshops listen on loopback.
        env["ir.config_parameter"].sudo().set_param(
            "topgeschenken_oci.allow_private_urls", "True"
        )
        cls.company = cls.company_data["company"]
        cls.company.partner_id.write(
            {"street": "Lindelaan 1", "zip": "3511 AA", "city": "Utrecht"}
        )
        cls.vendor = env["res.partner"].create(
            {"name": "Topgeschenken Test B.V.", "is_company": True}
        )
        cls.analytic_plan = env["account.analytic.plan"].create(
            {"name": "Kostenplaats"}
        )
        cls.analytic_gifts = env["account.analytic.account"].create(
            {"name": "Relatiegeschenken", "plan_id": cls.analytic_plan.id}
        )
        cls.expense_gifts = cls.company_data["default_account_expense"].copy(
            {"name": "Relatiegeschenken", "code": "458000"}
        )
        cls.categ_gifts = env["product.category"].create({"name": "Geschenken"})
        cls.supplier = env["punchout.webshop"].create(
            {
                "name": "Topgeschenken (test)",
                "partner_id": cls.vendor.id,
                "company_id": cls.company.id,
                "catalog_url": "http://localhost:9/oci/login",
                "oci_username": "buyer01",
                "oci_password": "pw-top-secret",
                "default_categ_id": cls.categ_gifts.id,
                "nzi_mapping_ids": [
                    Command.create(
                        {
                            "code": "4410",
                            "name": "Geschenken",
                            "categ_id": cls.categ_gifts.id,
                            "account_id": cls.expense_gifts.id,
                            "analytic_distribution": {str(cls.analytic_gifts.id): 100},
                        }
                    )
                ],
            }
        )
        cls.product_flowers = env["product.product"].create(
            {
                "name": "Bloemetje met kaart",
                "type": "consu",
                "seller_ids": [
                    Command.create(
                        {"partner_id": cls.vendor.id, "product_code": "TG-BL-002"}
                    )
                ],
            }
        )
        cls.buyer = new_test_user(
            env,
            "tg_buyer",
            password="tg_buyer_pw1",
            groups="base.group_user,purchase.group_purchase_user,"
            "purchase_request.group_purchase_request_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.request = env["purchase.request"].create(
            {
                "company_id": cls.company.id,
                "requested_by": cls.buyer.id,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Kerstgeschenken voor het team",
                            "product_qty": 12,
                        }
                    )
                ],
            }
        )

    @classmethod
    def _start_order_shop(cls, **supplier_vals):
        """A loopback webshop taking cXML orders, and the supplier pointed at it."""
        shop = FakeShop().start()
        cls.addClassCleanup(shop.stop)
        cls.supplier.write(
            {
                "order_format": "cxml",
                "order_url": shop.url,
                "order_timeout": 5,
                "cxml_from_identity": "DE-LINDE",
                "cxml_to_identity": "TOPGESCHENKEN",
                "cxml_sender_identity": "DE-LINDE",
                "cxml_shared_secret": "cxml-secret-42",
                "inbound_secret": "inbound-secret-42",
                **supplier_vals,
            }
        )
        return shop

    @classmethod
    def _oci_fields(cls, lines, **common):
        """OCI form pairs for ``lines`` (dicts of OCI field -> value)."""
        pairs = []
        for n, line in enumerate(lines, start=1):
            for key, value in {**common, **line}.items():
                if key.startswith("LONGTEXT"):
                    pairs.append((f"NEW_ITEM-LONGTEXT_{n}:132[]", value))
                else:
                    pairs.append((f"NEW_ITEM-{key}[{n}]", value))
        return pairs


GIFT_LINES = [
    {
        "DESCRIPTION": "Kerstpakket Deluxe",
        "QUANTITY": "12",
        "UNIT": "PCE",
        "PRICE": "49,95",
        "PRICEUNIT": "1",
        "CURRENCY": "EUR",
        "LEADTIME": "5",
        "VENDORMAT": "TG-KP-001",
        "MATGROUP": "441020",
        "LONGTEXT": "Luxe kerstpakket met Hollandse delicatessen.",
        "CUST_FIELD1": "Fijne feestdagen! — Team Zorg",
        "CUST_FIELD2": "COMPANY",
        "CUST_FIELD3": "LOC-UTR",
        "CUST_FIELD5": "TGP-8f3a21c0",
    },
    {
        "DESCRIPTION": "Bonbons (per 10)",
        "QUANTITY": "30",
        "UNIT": "ST",
        "PRICE": "12.50",
        "PRICEUNIT": "10",
        "CURRENCY": "EUR",
        "VENDORMAT": "TG-CH-010",
        "MATGROUP": "4410",
        "CUST_FIELD5": "TGP-77aa01bb",
    },
]


class PunchoutHttpCommon(PunchoutCommon, HttpCase):
    """Real HTTP: the buyer's browser session and the shop's cookie-less post."""

    def _start_session(self, request=None, order=None):
        """Start a punchout over HTTP as the buyer; return (session, hook_url)."""
        self.authenticate("tg_buyer", "tg_buyer_pw1")
        data = {
            "webshop_id": self.supplier.id,
            "csrf_token": self.csrf_token(),
        }
        if request:
            data["request_id"] = request.id
        if order:
            data["order_id"] = order.id
        response = self.url_open("/punchout/start", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:500])
        go = response.headers["Location"]
        session_id = int(re.search(r"/punchout/session/(\d+)/go", go).group(1))
        page = self.url_open(go)
        self.assertEqual(page.status_code, 200)
        hook = re.search(r'name="HOOK_URL" value="([^"]+)"', page.text).group(1)
        session = self.env["punchout.session"].browse(session_id)
        return session, hook.replace("&amp;", "&")

    def _post_cart(self, hook_url, data=None, body=None, content_type=None, files=None):
        """POST a cart the way a shop's page does: cross-site, no Odoo cookie."""
        path = hook_url[hook_url.index("/punchout/return/") :]
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if body is None and data is not None and files is None:
            body = urlencode(data).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        # The shop's page posts cross-site: the browser sends no Odoo session
        # cookie (SameSite), so the request goes without it.
        session_id = self.opener.cookies.get("session_id")
        self.opener.cookies.pop("session_id", None)
        try:
            return self.url_open(
                path,
                data=body if files is None else data,
                files=files,
                headers=headers,
                allow_redirects=False,
                timeout=60,
            )
        finally:
            if session_id:
                self.opener.cookies.set("session_id", session_id)

    def csrf_token(self):
        page = self.url_open("/punchout/start")
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
