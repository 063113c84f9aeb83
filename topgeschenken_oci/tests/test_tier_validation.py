# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""The approval with OCA ``purchase_tier_validation`` installed.

Not a dependency (it is AGPL-3): these tests carry the tag ``tgoci_tier``
instead of ``standard``, and scripts/test.sh runs them in a second pass after
installing purchase_tier_validation on the test database.
"""

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..protocol import oci
from .common import GIFT_LINES, PunchoutCommon


@tagged("-standard", "tgoci_tier", "post_install", "-at_install")
class TestTierValidation(PunchoutCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls._start_order_shop(cxml_shared_secret="tier-secret")
        cls.reviewer = new_test_user(
            cls.env,
            "tg_tier_reviewer",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=cls.company.id,
        )
        cls.env["tier.definition"].create(
            {
                "model_id": cls.env["ir.model"]._get("purchase.order").id,
                "review_type": "individual",
                "reviewer_id": cls.reviewer.id,
                "definition_domain": "[('oci_webshop_id', '!=', False)]",
            }
        )

    def setUp(self):
        super().setUp()
        self.shop.reset()

    def _rfq(self):
        cart = oci.parse_oci_form(
            self._oci_fields(GIFT_LINES), aux_id_field="CUST_FIELD5"
        )
        session = (
            self.env["punchout.session"].with_user(self.buyer)._start(self.supplier)
        )
        return session.sudo()._process_cart(cart).with_user(self.buyer)

    def test_validated_then_sent_once(self):
        order = self._rfq()
        with trap_jobs() as trap:
            with self.assertRaises(ValidationError):
                order.button_confirm()
            self.assertFalse(order.oci_transmission_ids)
            order.request_validation()
            order.invalidate_recordset()
            order.with_user(self.reviewer).validate_tier()
            order.button_confirm()
            self.assertEqual(order.state, "purchase")
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(order.oci_transmission_state, "acknowledged")
        self.assertEqual(len(self.shop.requests), 1)

    def test_rejected_never_sent(self):
        order = self._rfq()
        with trap_jobs() as trap:
            order.request_validation()
            order.invalidate_recordset()
            order.with_user(self.reviewer).reject_tier()
            with self.assertRaises(ValidationError):
                order.button_confirm()
            trap.assert_jobs_count(0)
        self.assertNotEqual(order.state, "purchase")
        self.assertFalse(order.oci_transmission_ids)
        self.assertFalse(self.shop.requests)
