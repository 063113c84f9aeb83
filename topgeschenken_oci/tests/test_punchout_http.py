# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..protocol.const import MAX_LINES
from .common import GIFT_LINES, PunchoutHttpCommon


@tagged("post_install", "-at_install")
class TestPunchoutHttp(PunchoutHttpCommon):
    def _rfqs(self):
        return self.env["purchase.order"].search([("partner_id", "=", self.vendor.id)])

    def test_start_page_logs_in_with_oci_call(self):
        session, hook = self._start_session(request=self.request)
        self.assertEqual(session.state, "open")
        self.assertEqual(session.user_id, self.buyer)
        self.assertEqual(session.request_id, self.request)
        self.assertIn("/punchout/return/", hook)
        token = hook.rsplit("/", 1)[1]
        self.assertGreaterEqual(len(token), 40)
        # only the hash of the token is stored
        self.assertNotIn(token, session.sudo().token_hash)
        page = self.url_open(f"/punchout/session/{session.id}/go").text
        for name, value in (
            ("USERNAME", "buyer01"),
            ("PASSWORD", "pw-top-secret"),
            ("~OkCode", "ADDI"),
            ("~TARGET", "_top"),
            ("~CALLER", "CTLG"),
        ):
            self.assertIn(f'name="{name}" value="{value}"', page)
        self.assertIn('action="http://localhost:9/oci/login"', page)

    def test_oci_cart_becomes_rfq_linked_to_request(self):
        session, hook = self._start_session(request=self.request)
        response = self._post_cart(hook, self._oci_fields(GIFT_LINES))
        self.assertEqual(response.status_code, 303, response.text[:1000])
        session.invalidate_recordset()
        self.assertEqual(session.state, "done")
        order = session.order_id
        self.assertIn(f"/{order.id}", response.headers["Location"])
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.vendor)
        self.assertEqual(order.oci_webshop_id, self.supplier)
        self.assertEqual(order.origin, self.request.name)
        self.assertEqual(len(order.order_line), 2)
        pakket, bonbons = order.order_line.sorted("id")
        # product created with the vendor's code, category from the NZI mapping
        self.assertEqual(pakket.product_id.name, "Kerstpakket Deluxe")
        self.assertEqual(pakket.product_id.seller_ids.product_code, "TG-KP-001")
        self.assertEqual(pakket.product_id.categ_id, self.categ_gifts)
        self.assertEqual(pakket.product_qty, 12)
        self.assertEqual(pakket.product_uom_id, self.env.ref("uom.product_uom_unit"))
        self.assertAlmostEqual(pakket.price_unit, 49.95)
        self.assertIn("Hollandse delicatessen", pakket.name)
        self.assertEqual(pakket.oci_card_text, "Fijne feestdagen! — Team Zorg")
        self.assertEqual(pakket.oci_logo, "COMPANY")
        self.assertEqual(pakket.oci_location_code, "LOC-UTR")
        self.assertEqual(pakket.oci_aux_id, "TGP-8f3a21c0")
        self.assertEqual(pakket.oci_matgroup, "441020")
        self.assertEqual(pakket.oci_account_id, self.expense_gifts)
        self.assertEqual(
            pakket.analytic_distribution, {str(self.analytic_gifts.id): 100}
        )
        # PRICEUNIT honoured: 12.50 per 10 pieces
        self.assertAlmostEqual(bonbons.price_unit, 1.25)
        self.assertEqual(bonbons.product_qty, 30)
        # the request's one wish ("gifts for the team", 12) takes the one
        # line that fits it (12 parcels); the bonbons are an addition
        request_line = self.request.line_ids
        self.assertEqual(pakket.purchase_request_lines, request_line)
        self.assertFalse(bonbons.purchase_request_lines)
        self.assertEqual(
            request_line.purchase_request_allocation_ids.mapped(
                "requested_product_uom_qty"
            ),
            [12.0],
        )
        self.assertIn(
            "1 cart line(s) match no line of this request",
            self.request.message_ids[0].body,
        )
        # the raw cart is kept on the session
        self.assertIn(b"TG-KP-001", session.payload_attachment_id.raw)

    def test_existing_product_matched_by_vendor_code(self):
        session, hook = self._start_session()
        lines = [{**GIFT_LINES[0], "VENDORMAT": "TG-BL-002", "DESCRIPTION": "Bloemen"}]
        self._post_cart(hook, self._oci_fields(lines))
        session.invalidate_recordset()
        self.assertEqual(session.order_id.order_line.product_id, self.product_flowers)

    def test_latin1_cart(self):
        self.supplier.return_charset = "iso-8859-1"
        session, hook = self._start_session()
        lines = [{**GIFT_LINES[1], "DESCRIPTION": "Crème brûlée-taart für Zoë"}]
        body = (
            "&".join(f"{k}={v}" for k, v in self._oci_fields(lines))
            .replace(" ", "+")
            .encode("iso-8859-1")
        )
        response = self._post_cart(
            hook, body=body, content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual(response.status_code, 303, response.text[:1000])
        session.invalidate_recordset()
        self.assertEqual(session.order_id.order_line.name, "Crème brûlée-taart für Zoë")

    def test_multipart_cart(self):
        session, hook = self._start_session()
        files = [
            (k, (None, v.encode("utf-8"))) for k, v in self._oci_fields(GIFT_LINES)
        ]
        response = self._post_cart(hook, files=files)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        session.invalidate_recordset()
        self.assertEqual(len(session.order_id.order_line), 2)

    def test_oci_xml_cart(self):
        session, hook = self._start_session()
        xml = (
            "<?xml version='1.0' encoding='UTF-8'?><BusinessDocument><Catalog>"
            "<Item><DESCRIPTION>Wijnkist Bordeaux</DESCRIPTION>"
            "<QUANTITY>2</QUANTITY><UNIT>PCE</UNIT><PRICE>39.50</PRICE>"
            "<PRICEUNIT>1</PRICEUNIT><CURRENCY>EUR</CURRENCY>"
            "<VENDORMAT>TG-WK-003</VENDORMAT><MATGROUP>4410</MATGROUP>"
            "</Item></Catalog></BusinessDocument>"
        )
        data = [
            ("~xmlDocument", base64.b64encode(xml.encode()).decode()),
            ("~xml_type", "ESAPO-V1.0"),
        ]
        response = self._post_cart(hook, data)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        session.invalidate_recordset()
        line = session.order_id.order_line
        self.assertEqual(line.name, "Wijnkist Bordeaux")
        self.assertAlmostEqual(line.price_unit, 39.5)
        self.assertEqual(session.payload_format, "oci_xml")

    def test_cart_added_to_existing_rfq(self):
        order = self.env["purchase.order"].create({"partner_id": self.vendor.id})
        order.message_subscribe(self.buyer.partner_id.ids)
        session, hook = self._start_session(order=order)
        self._post_cart(hook, self._oci_fields(GIFT_LINES[:1]))
        session.invalidate_recordset()
        self.assertEqual(session.order_id, order)
        self.assertEqual(len(order.order_line), 1)

    # -- bad input: a clear page, nothing half-made, the payload kept ----------

    def _assert_refused(self, response, session, code, rfqs_before):
        self.assertEqual(response.status_code, 400, response.text[:500])
        session.invalidate_recordset()
        self.assertEqual(session.state, "error")
        self.assertEqual(session.error_code, code)
        self.assertIn(session.error_message.split(":")[0][:20], response.text)
        self.assertTrue(session.payload_attachment_id.raw)
        self.assertEqual(self._rfqs(), rfqs_before, "a half-made RFQ was left")
        self.assertFalse(
            self.env["product.product"].search([("name", "=", "Kerstpakket Deluxe")])
        )

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session")
    def test_refused_carts_leave_nothing(self):
        cases = [
            ("bad_number", [{**GIFT_LINES[0], "QUANTITY": "twaalf"}]),
            ("bad_quantity", [{**GIFT_LINES[0], "QUANTITY": "0"}]),
            (
                "unknown_unit",
                [
                    GIFT_LINES[0],
                    {**GIFT_LINES[1], "VENDORMAT": "TG-BL-002", "UNIT": "KGM"},
                ],
            ),
            ("unknown_currency", [{**GIFT_LINES[0], "CURRENCY": "QQQ"}]),
            ("bad_number", [GIFT_LINES[0], {**GIFT_LINES[1], "PRICE": "NaN"}]),
            ("implausible_quantity", [{**GIFT_LINES[0], "QUANTITY": "1" + "0" * 20}]),
            ("implausible_price", [{**GIFT_LINES[0], "PRICE": "9" * 25}]),
            ("bad_price", [{**GIFT_LINES[0], "PRICE": "-5"}]),
        ]
        for code, lines in cases:
            with self.subTest(code=code, lines=lines):
                before = self._rfqs()
                session, hook = self._start_session()
                response = self._post_cart(hook, self._oci_fields(lines))
                self.assertEqual(response.status_code, 400, response.text[:500])
                session.invalidate_recordset()
                self.assertEqual(session.state, "error")
                self.assertTrue(session.error_code)
                self.assertTrue(session.payload_attachment_id.raw)
                self.assertEqual(self._rfqs(), before)
                self.assertFalse(
                    self.env["product.product"].search(
                        [("name", "=", "Kerstpakket Deluxe")]
                    )
                )
                self.assertEqual(session.error_code, code)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session")
    def test_empty_cart(self):
        before = self._rfqs()
        session, hook = self._start_session()
        response = self._post_cart(hook, [("~OkCode", "ADDI")])
        self._assert_refused(response, session, "empty_cart", before)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session")
    def test_hostile_xml_refused(self):
        before = self._rfqs()
        session, hook = self._start_session()
        xml = (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            "<BusinessDocument><Item><DESCRIPTION>&b;</DESCRIPTION>"
            "<QUANTITY>1</QUANTITY><PRICE>1</PRICE></Item></BusinessDocument>"
        )
        data = [("~xmlDocument", base64.b64encode(xml.encode()).decode())]
        response = self._post_cart(hook, data)
        self._assert_refused(response, session, "xml_dtd_subset", before)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session")
    def test_thousands_of_lines_refused_over_the_limit(self):
        before = self._rfqs()
        session, hook = self._start_session()
        line = {
            "DESCRIPTION": "Pen",
            "QUANTITY": "1",
            "UNIT": "PCE",
            "PRICE": "1",
            "CURRENCY": "EUR",
        }
        response = self._post_cart(hook, self._oci_fields([line] * (MAX_LINES + 1)))
        self._assert_refused(response, session, "too_many_lines", before)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session")
    def test_oversized_payload_refused(self):
        session, hook = self._start_session()
        body = b"NEW_ITEM-DESCRIPTION[1]=" + b"x" * (21 * 1024 * 1024)
        response = self._post_cart(
            hook, body=body, content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual(response.status_code, 413)
        self.assertIn("larger than 20 MB", response.text)
        session.invalidate_recordset()
        self.assertEqual(session.state, "error")
        self.assertEqual(session.error_code, "payload_too_large")

    def test_script_in_description_is_escaped(self):
        session, hook = self._start_session()
        evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
        lines = [{**GIFT_LINES[0], "DESCRIPTION": evil, "CUST_FIELD1": evil}]
        response = self._post_cart(hook, self._oci_fields(lines))
        self.assertEqual(response.status_code, 303)
        session.invalidate_recordset()
        order = session.order_id
        self.assertEqual(order.order_line.oci_card_text, evil)  # kept as text
        for message in order.message_ids:
            self.assertNotIn("<script>", str(message.body))
            self.assertNotIn("<img", str(message.body))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("purchase.report_purchasequotation", order.ids)[0]
            .decode()
        )
        self.assertNotIn("<script>alert(2)", html)
        self.assertIn("&lt;script&gt;", html)

    def test_unknown_token(self):
        response = self._post_cart(
            "/punchout/return/" + "x" * 43, self._oci_fields(GIFT_LINES)
        )
        self.assertEqual(response.status_code, 404)
        self.assertIn("link is unknown", response.text)

    def test_used_token_and_double_post(self):
        session, hook = self._start_session()
        fields_ = self._oci_fields(GIFT_LINES)
        first = self._post_cart(hook, fields_)
        self.assertEqual(first.status_code, 303)
        session.invalidate_recordset()
        order = session.order_id
        # the same cart again (browser Back, a double click): said so, with a
        # link to the RFQ, nothing new
        again = self._post_cart(hook, fields_)
        self.assertEqual(again.status_code, 200, again.text[:500])
        self.assertIn(f"This cart was already added to {order.name}", again.text)
        self.assertIn(f"/odoo/action-purchase.purchase_rfq/{order.id}", again.text)
        self.assertNotIn("could not be received", again.text)
        self.assertEqual(len(session.order_id.order_line), 2)
        # another cart on a used token: refused, without reading it, and the
        # page links the RFQ
        other = self._post_cart(hook, self._oci_fields(GIFT_LINES[:1]))
        self.assertEqual(other.status_code, 409)
        self.assertIn(order.name, other.text)
        self.assertIn(f"/odoo/action-purchase.purchase_rfq/{order.id}", other.text)
        self.assertEqual(len(session.order_id.order_line), 2)

    def test_expired_token(self):
        before = self._rfqs()
        attachments = self.env["ir.attachment"].search_count([])
        session, hook = self._start_session()
        session.sudo().date_expire = fields.Datetime.now() - timedelta(minutes=1)
        response = self._post_cart(hook, self._oci_fields(GIFT_LINES))
        self.assertEqual(response.status_code, 410, response.text[:500])
        self.assertIn("has expired", response.text)
        self.assertNotIn("could not be received", response.text)
        session.invalidate_recordset()
        self.assertEqual(session.state, "cancel")
        self.assertEqual(session.error_code, "token_expired")
        self.assertFalse(session.sudo().token_hash, "the token is retired")
        self.assertEqual(self._rfqs(), before)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

    def test_relaunch_replaces_token(self):
        session, hook = self._start_session()
        self.url_open(f"/punchout/session/{session.id}/go")
        response = self._post_cart(hook, self._oci_fields(GIFT_LINES))
        self.assertEqual(response.status_code, 404)

    def test_other_user_cannot_open_session(self):
        session, _hook = self._start_session()
        from odoo.tests import new_test_user

        new_test_user(
            self.env,
            "tg_other",
            password="tg_other_pw1",
            groups="base.group_user,purchase.group_purchase_user",
        )
        self.authenticate("tg_other", "tg_other_pw1")
        response = self.url_open(f"/punchout/session/{session.id}/go")
        self.assertNotIn("pw-top-secret", response.text)
        self.assertEqual(response.status_code, 403)
        self.assertIn("belongs to another user", response.text)
        self.assertNotIn("top-secret records", response.text)


@tagged("post_install", "-at_install")
class TestPunchoutReturnRoute(PunchoutHttpCommon):
    """The public return route under hostile or odd input: a 4xx page (never a
    500 or a bare framework page), decided before the body when it can be."""

    def _rfqs(self):
        return self.env["purchase.order"].search([("partner_id", "=", self.vendor.id)])

    def _tiny_fields_body(self, count):
        return b"&".join([b"a=1"] * count)

    def test_bad_tokens_answered_before_the_body_is_read(self):
        """Unknown, used and cancelled tokens: 4xx, nothing stored or parsed.
        A multipart body of more parts than werkzeug's form parser allows
        would give its bare 413 if the form were parsed first."""
        boundary = "xYzBoundary"
        parts = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="f{n}"\r\n\r\n'
            f"v\r\n".encode()
            for n in range(3000)
        )
        body = parts + f"--{boundary}--\r\n".encode()
        content_type = f"multipart/form-data; boundary={boundary}"
        attachments = self.env["ir.attachment"].search_count([])
        unknown = self._post_cart(
            "/punchout/return/" + "x" * 43, body=body, content_type=content_type
        )
        self.assertEqual(unknown.status_code, 404, unknown.text[:300])
        self.assertIn("This link is not valid", unknown.text)
        # used
        session, hook = self._start_session()
        self.assertEqual(
            self._post_cart(hook, self._oci_fields(GIFT_LINES)).status_code, 303
        )
        attachments += 1
        used = self._post_cart(hook, body=body, content_type=content_type)
        self.assertEqual(used.status_code, 409)
        # cancelled: the token is retired
        session2, hook2 = self._start_session()
        session2.action_cancel()
        self.assertFalse(session2.sudo().token_hash)
        cancelled = self._post_cart(hook2, body=body, content_type=content_type)
        self.assertEqual(cancelled.status_code, 404)
        # a 30 MB body of tiny fields to an unknown token: no 500, no parsing
        huge = self._post_cart(
            "/punchout/return/" + "y" * 43,
            body=self._tiny_fields_body(7_500_000),
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(huge.status_code, 404)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

    def test_head_and_empty_get_change_nothing(self):
        session, hook = self._start_session()
        path = hook[hook.index("/punchout/return/") :]
        self.opener.cookies.pop("session_id", None)
        head = self.url_open(path, method="HEAD", allow_redirects=False)
        self.assertEqual(head.status_code, 200)
        get = self.url_open(path, allow_redirects=False)
        self.assertEqual(get.status_code, 400)
        self.assertIn("No cart came with this request", get.text)
        session.invalidate_recordset()
        self.assertEqual(session.state, "open")
        self.assertFalse(session.payload_attachment_id)
        # the token still takes the cart
        response = self._post_cart(hook, self._oci_fields(GIFT_LINES))
        self.assertEqual(response.status_code, 303)

    @mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session")
    def test_odd_input_refused_with_reason_and_payload_kept(self):
        cases = [
            (
                "bad_multipart",
                {
                    "body": b"--nope\r\nnot a part at all",
                    "content_type": "multipart/form-data; boundary=zz",
                },
            ),
            (
                "too_many_fields",
                {
                    "body": self._tiny_fields_body(200_001),
                    "content_type": "application/x-www-form-urlencoded",
                },
            ),
            (
                "implausible_leadtime",
                {"data": self._oci_fields([{**GIFT_LINES[0], "LEADTIME": "9" * 30}])},
            ),
            (
                "empty_cart",
                {
                    "data": [
                        ("NEW_ITEM-DESCRIPTION[\u0661]", "Pen"),
                        ("NEW_ITEM-QUANTITY[\u0661]", "1"),
                        ("NEW_ITEM-PRICE[\u0661]", "1"),
                    ]
                },
            ),
        ]
        for code, post in cases:
            with self.subTest(code=code):
                before = self._rfqs()
                session, hook = self._start_session()
                response = self._post_cart(hook, **post)
                self.assertEqual(response.status_code, 400, response.text[:500])
                self.assertIn("The cart could not be received", response.text)
                session.invalidate_recordset()
                self.assertEqual(session.state, "error")
                self.assertEqual(session.error_code, code)
                self.assertTrue(session.payload_attachment_id.raw)
                self.assertFalse(session.sudo().token_hash)
                self.assertEqual(self._rfqs(), before)

    def test_chatter_written_as_the_buyer(self):
        """The shop's post comes without a cookie: what the return writes is
        still the buyer's, not the public user's."""
        self.supplier.allow_create_products = False  # the cart is refused
        session, hook = self._start_session()
        with mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session"):
            self._post_cart(hook, self._oci_fields(GIFT_LINES[:1]))
        session.invalidate_recordset()
        self.assertEqual(session.state, "error")
        public = self.env.ref("base.public_user").sudo().partner_id
        authors = session.sudo().message_ids.author_id
        self.assertIn(self.buyer.partner_id, authors)
        self.assertNotIn(public, authors)

    def test_nul_and_control_characters_never_a_500(self):
        for field in ("DESCRIPTION", "CUST_FIELD1", "VENDORMAT", "UNIT"):
            with self.subTest(field=field):
                session, hook = self._start_session()
                lines = [{**GIFT_LINES[0], field: "Kerst\x00pakket\x1b"}]
                with mute_logger(
                    "odoo.addons.topgeschenken_oci.models.punchout_session"
                ):
                    response = self._post_cart(hook, self._oci_fields(lines))
                self.assertIn(response.status_code, (303, 400), response.text[:300])
                session.invalidate_recordset()
                self.assertIn(session.state, ("done", "error"))

    def test_product_without_category(self):
        self.supplier.write({"default_categ_id": False, "nzi_mapping_ids": False})
        session, hook = self._start_session()
        lines = [{**GIFT_LINES[0], "MATGROUP": "", "VENDORMAT": "TG-NOCAT-1"}]
        response = self._post_cart(hook, self._oci_fields(lines))
        self.assertEqual(response.status_code, 303, response.text[:500])
        session.invalidate_recordset()
        self.assertEqual(session.state, "done")

    def test_cart_to_rfq_confirmed_meanwhile(self):
        """The RFQ is checked (locked) at return time, and again when the
        refused cart is imported again."""
        order = self.env["purchase.order"].create({"partner_id": self.vendor.id})
        session, hook = self._start_session(order=order)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        with mute_logger("odoo.addons.topgeschenken_oci.models.punchout_session"):
            response = self._post_cart(hook, self._oci_fields(GIFT_LINES))
            self.assertEqual(response.status_code, 400)
            session.invalidate_recordset()
            self.assertEqual(session.error_code, "order_not_draft")
            self.assertFalse(order.order_line)
            session.sudo().action_retry_import()
        self.assertEqual(session.state, "error")
        self.assertEqual(session.error_code, "order_not_draft")
        self.assertFalse(order.order_line)

    def test_pages_in_the_buyer_language_and_back_to_the_start(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(
            ["topgeschenken_oci"], ["nl_NL"]
        )
        self.buyer.lang = "nl_NL"
        session, hook = self._start_session(request=self.request)
        session.sudo().date_expire = fields.Datetime.now() - timedelta(minutes=1)
        response = self._post_cart(hook, self._oci_fields(GIFT_LINES))
        self.assertEqual(response.status_code, 410)
        self.assertIn("Terug naar Odoo", response.text)
        self.assertIn(f'href="/odoo/purchase.request/{self.request.id}"', response.text)


@tagged("post_install", "-at_install")
class TestTokenNotLogged(PunchoutHttpCommon):
    def test_access_log_redacts_return_token(self):
        import logging

        from ..controllers.logging_filter import PunchoutTokenFilter

        logger = logging.getLogger("werkzeug")
        self.assertTrue(any(isinstance(f, PunchoutTokenFilter) for f in logger.filters))
        token = "Zx9_secretTokenValue-123"
        record = logging.LogRecord(
            "werkzeug",
            logging.INFO,
            __file__,
            1,
            '%s - - [%s] "%s" %s',
            ("127.0.0.1", "now", f"POST /punchout/return/{token} HTTP/1.1", "303"),
            None,
        )
        for log_filter in logger.filters:
            log_filter.filter(record)
        message = record.getMessage()
        self.assertNotIn(token, message)
        self.assertIn("/punchout/return/[redacted] HTTP/1.1", message)
        # A GET cart: its query string (card texts, addresses) is not logged.
        record = logging.LogRecord(
            "werkzeug",
            logging.INFO,
            __file__,
            1,
            '%s - - [%s] "%s" %s',
            (
                "127.0.0.1",
                "now",
                f"GET /punchout/return/{token}?NEW_ITEM-CUST_FIELD1=Lief HTTP/1.1",
                "303",
            ),
            None,
        )
        for log_filter in logger.filters:
            log_filter.filter(record)
        message = record.getMessage()
        self.assertNotIn("CUST_FIELD1", message)
        self.assertIn("/punchout/return/[redacted] HTTP/1.1", message)
