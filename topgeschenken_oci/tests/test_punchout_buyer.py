# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from urllib.parse import urlencode

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..protocol import oci
from .common import GIFT_LINES, PunchoutCommon


@tagged("post_install", "-at_install")
class TestPunchoutBuyer(PunchoutCommon):
    """What the buyer is told when punching out, and when a cart comes back."""

    def _punch_out(self, record):
        action = record.with_user(self.buyer).action_oci_punchout()
        self.assertEqual(action["tag"], "display_notification")
        go = action["params"]["next"]
        self.assertEqual(go["type"], "ir.actions.act_url")
        self.assertEqual(go["target"], "new")
        session_id = int(go["url"].split("/")[3])
        return self.env["punchout.session"].browse(session_id), action["params"]

    def _return_cart(self, session, lines=GIFT_LINES[:1]):
        cart = oci.parse_oci_form(self._oci_fields(lines))
        return session.sudo()._process_cart(cart)

    def test_punchout_says_the_shop_opened_and_where_the_cart_goes(self):
        session, params = self._punch_out(self.request)
        self.assertEqual(session.request_id, self.request)
        self.assertFalse(session.order_id)
        self.assertIn("new tab", params["title"])
        self.assertIn(self.request.name, params["message"])
        self.assertEqual(params["next"]["url"], f"/punchout/session/{session.id}/go")

    def test_second_click_says_the_shop_is_already_open(self):
        first, __ = self._punch_out(self.request)
        second, params = self._punch_out(self.request)
        self.assertNotEqual(first, second)
        self.assertIn(first.name, params["message"])
        self.assertTrue(params["sticky"])

    def test_punchout_again_continues_the_draft_rfq(self):
        first, __ = self._punch_out(self.request)
        order = self._return_cart(first)
        second, params = self._punch_out(self.request)
        self.assertEqual(second.order_id, order)
        self.assertIn(order.name, params["message"])
        self._return_cart(second, GIFT_LINES[1:])
        self.assertEqual(len(order.order_line), 2)
        self.assertEqual(
            self.env["purchase.order"].search_count(
                [("oci_webshop_id", "=", self.supplier.id)]
            ),
            1,
        )
        # once confirmed, the next cart makes a new RFQ
        order.button_cancel()
        third, params = self._punch_out(self.request)
        self.assertFalse(third.order_id)

    def test_draft_rfq_the_buyer_may_not_edit_is_left_alone(self):
        first, __ = self._punch_out(self.request)
        order = self._return_cart(first)
        # Someone else's RFQ, and a rule that lets buyers edit their own only.
        self.purchase_user_group = self.env.ref("purchase.group_purchase_user")
        order.user_id = self.env.user
        self.env["ir.rule"].create(
            {
                "name": "Buyers edit their own RFQs",
                "model_id": self.env.ref("purchase.model_purchase_order").id,
                "domain_force": "[('user_id', '=', user.id)]",
                "perm_read": False,
                "perm_create": False,
                "perm_unlink": False,
                "groups": [Command.link(self.purchase_user_group.id)],
            }
        )
        second, params = self._punch_out(self.request)
        self.assertFalse(second.order_id)
        self.assertIn(f"draft RFQ {order.name} is not yours", params["message"])

    def test_cart_messages_are_written_by_the_buyer(self):
        session, __ = self._punch_out(self.request)
        order = self._return_cart(session)
        message = order.message_ids.filtered(lambda m: "added from" in (m.body or ""))
        self.assertEqual(message.author_id, self.buyer.partner_id)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session")
    def test_reimported_cart_notifies_the_buyer(self):
        session, __ = self._punch_out(self.request)
        # A configuration reason: this webshop may not create products.
        self.supplier.allow_create_products = False
        body = urlencode(self._oci_fields(GIFT_LINES[:1])).encode()
        error = session.sudo()._receive(body, "application/x-www-form-urlencoded")
        self.assertIn("TG-KP-001", error)
        self.assertEqual(session.state, "error")
        self.supplier.allow_create_products = True
        session.action_retry_import()
        self.assertEqual(session.state, "done")
        notice = session.message_ids.filtered(
            lambda m: "imported the cart again" in (m.body or "")
        )
        self.assertEqual(notice.partner_ids, self.buyer.partner_id)
        self.assertIn(session.order_id.name, notice.body)

    def test_session_states_move_only_from_the_states_they_leave(self):
        Session = self.env["punchout.session"].with_user(self.buyer)
        session = Session._start(self.supplier)
        session._launch()
        session = session.sudo()
        order = self._return_cart(session)
        self.assertEqual(session.state, "done")
        # A done session is neither refused nor cancelled afterwards: it
        # keeps its state, its RFQ and its hash (to recognise a second post).
        logger = "odoo.addons.topgeschenken_oci.models.punchout_session"
        with self.assertLogs(logger, "WARNING") as logs:
            self.assertFalse(session._set_error("error", "late"))
            self.assertFalse(session._set_canceled("token_expired"))
        self.assertEqual(len(logs.output), 2)
        self.assertIn("is done: not set to error", logs.output[0])
        self.assertEqual(session.state, "done")
        self.assertEqual(session.order_id, order)
        self.assertFalse(session.error_code)
        self.assertTrue(session.token_hash)
        # An open one is cancelled, and its return token retired.
        other = Session._start(self.supplier)
        other._launch()
        other = other.sudo()
        self.assertTrue(other.token_hash)
        self.assertEqual(other._set_canceled("token_expired"), other)
        self.assertEqual((other.state, other.error_code), ("cancel", "token_expired"))
        self.assertFalse(other.token_hash)
