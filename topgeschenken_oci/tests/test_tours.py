# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Browser tours: the buyer punches out, the approver approves, the order is
transmitted. Screenshots of the main screens go to
``static/description/screenshots`` (or ``$TGOCI_SCREENSHOTS_DIR``).

The webshop lives on another origin, where a tour cannot follow: the tours
stop at the shop and the test plays the shop's step over real HTTP.
"""

import base64
import io
import json
import logging
import os
import re
import unittest
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from unittest.mock import patch

from PIL import Image

from odoo.tests import new_test_user, tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.queue_job.job import Job

from .common import GIFT_LINES, PunchoutHttpCommon

_logger = logging.getLogger(__name__)

SCREENSHOT_SIGNAL = "topgeschenken_oci:screenshot:"


def screenshots_dir():
    env = os.environ.get("TGOCI_SCREENSHOTS_DIR")
    if env:
        return Path(env)
    addon = Path(__file__).resolve().parents[1]
    return addon / "static" / "description" / "screenshots"


def small_png(png):
    """``png`` in 256 colours: a third of the size, for the README."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


class TourCommon(PunchoutHttpCommon):
    """The demo's company and people, a loopback webshop taking orders, and
    tours that can ask for screenshots."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_double_validation": "two_step", "po_double_validation_amount": 500}
        )
        cls.shop = cls._start_order_shop(name="Topgeschenken.nl")
        # names as in the demo, for the screenshots
        cls.company.name = "Zorggroep De Linde"
        cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)]).write(
            {"name": "De Linde"}
        )
        cls.vendor.name = "Topgeschenken.nl"
        cls.buyer.name = "Bea Buyer"
        cls.request.description = "Kerstgeschenken 2026"
        cls.approver = new_test_user(
            cls.env,
            "tg_approver",
            name="Anton Approver",
            groups="base.group_user,purchase.group_purchase_manager,"
            "purchase_request.group_purchase_request_manager",
            company_id=cls.company.id,
        )
        cls.accountant = new_test_user(
            cls.env,
            "tg_accountant",
            name="Alma Accountant",
            groups="base.group_user,account.group_account_manager,"
            "purchase.group_purchase_user",
            company_id=cls.company.id,
        )
        cls.screenshots = {}

    # ------------------------------------------------------------------
    # Screenshots: the tour logs a signal, the test captures the page and
    # marks <body> so the tour goes on (see screenshot() in the tour file).
    # ------------------------------------------------------------------

    def start_tour(self, url_path, tour_name, tour_data=None, **kwargs):
        """Odoo's ``start_tour``; ``tour_data`` (JSON-able) is what the test
        knows and the tour checks (a date the shop sent), as
        ``odoo.tgociTourData`` before the tour starts."""
        test = self
        if tour_data is not None:
            options = {
                "stepDelay": 0,
                "keepWatchBrowser": kwargs.get("watch", False),
                "debug": kwargs.get("debug", False),
                "startUrl": url_path,
            }
            kwargs["code"] = (
                f"odoo.tgociTourData = {json.dumps(tour_data)}; "
                f"odoo.startTour({json.dumps(tour_name)}, {json.dumps(options)})"
            )
        original = ChromeBrowser._handle_console

        def handle_console(browser, type, args=None, stackTrace=None, **kw):  # noqa: A002
            first = (args or [{}])[0].get("value")
            if isinstance(first, str) and first.startswith(SCREENSHOT_SIGNAL):
                test._capture(browser, first[len(SCREENSHOT_SIGNAL) :])
                return None
            return original(browser, type, args=args, stackTrace=stackTrace, **kw)

        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            try:
                return super().start_tour(url_path, tour_name, **kwargs)
            except unittest.SkipTest as error:
                # Odoo skips tours without Chromium or websocket-client: here
                # that is a failure, not a pass.
                self.fail(f"Tour {tour_name} could not run: {error}")

    def _capture(self, browser, name):
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValueError(f"bad screenshot name {name!r}")
        future = browser._websocket_send(
            "Page.captureScreenshot", params={"format": "png"}, with_future=True
        )

        def done(fut):
            try:
                png = base64.b64decode(fut.result(timeout=0)["data"])
            except Exception as error:  # noqa: BLE001 (reported by the test)
                self.screenshots[name] = error
            else:
                self.screenshots[name] = png
                png = small_png(png)
                directory = screenshots_dir()
                try:
                    directory.mkdir(parents=True, exist_ok=True)
                    (directory / f"{name}.png").write_bytes(png)
                except OSError as error:
                    _logger.info("Screenshot %s not saved: %s", name, error)
            browser._websocket_send(
                "Runtime.evaluate",
                params={
                    "expression": "document.body.dataset.tgociScreenshot = "
                    + json.dumps(name)
                },
            )

        future.add_done_callback(done)

    def assertScreenshot(self, name):
        png = self.screenshots.get(name)
        self.assertIsInstance(png, bytes, f"screenshot {name}: {png!r}")
        self.assertTrue(png.startswith(b"\x89PNG"), name)

    def _perform_transmission_jobs(self, existing_jobs):
        """What queue_job's job runner does: run the jobs queued since
        ``existing_jobs`` (one: the order's send)."""
        jobs = self.env["queue.job"].sudo().search([]) - existing_jobs
        self.assertEqual(len(jobs), 1, "one job sends the order")
        self.assertEqual(jobs.model_name, "punchout.order.transmission")
        for job in jobs:
            Job.load(jobs.env, job.uuid).perform()

    def _import_shop_invoice(self, order, lines=((12, "49.95"), (30, "1.35"))):
        """The shop's UBL invoice TGF-2026-00001 for ``order``, uploaded as
        Odoo's button does: ``lines`` are (quantity, unit price) of the gift
        boxes and the bonbons (by default a bonbon 10 cents dearer)."""
        from lxml import etree

        from odoo.tools import file_open

        with file_open(
            "topgeschenken_oci/tests/test_files/tg_order_reference.xml", "rb"
        ) as template:
            root = etree.fromstring(template.read())
        ubl = "urn:oasis:names:specification:ubl:schema:xsd:"
        ns = {
            "cac": ubl + "CommonAggregateComponents-2",
            "cbc": ubl + "CommonBasicComponents-2",
        }

        def put(path, value, node=root):
            for element in node.xpath(path, namespaces=ns):
                element.text = value

        put("cbc:ID", "TGF-2026-00001")
        put("cac:OrderReference/cbc:ID", order.name)
        invoice_lines = root.xpath("cac:InvoiceLine", namespaces=ns)
        second = invoice_lines[1]
        put("cac:Item/cbc:Name", "Bonbons (per 10)", second)
        put("cac:Item/cac:SellersItemIdentification/cbc:ID", "TG-CH-010", second)
        untaxed = Decimal(0)
        for node, (quantity, price) in zip(invoice_lines, lines, strict=True):
            amount = (quantity * Decimal(price)).quantize(Decimal("0.01"))
            untaxed += amount
            put("cbc:InvoicedQuantity", str(quantity), node)
            put("cbc:LineExtensionAmount", str(amount), node)
            put("cac:Price/cbc:PriceAmount", price, node)
        tax = (untaxed * Decimal("0.21")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        put("cac:TaxTotal/cbc:TaxAmount", str(tax))
        put("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount", str(untaxed))
        put("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", str(tax))
        for total in ("LineExtensionAmount", "TaxExclusiveAmount"):
            put(f"cac:LegalMonetaryTotal/cbc:{total}", str(untaxed))
        for total in ("TaxInclusiveAmount", "PayableAmount"):
            put(f"cac:LegalMonetaryTotal/cbc:{total}", str(untaxed + tax))
        self.vendor.vat = "NL000099998B57"
        attachment = self.env["ir.attachment"].create(
            {
                "name": "TGF-2026-00001.xml",
                "raw": etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                "mimetype": "application/xml",
            }
        )
        journal = self.company_data["default_journal_purchase"]
        return journal.with_context(
            default_journal_id=journal.id, default_move_type="in_invoice"
        )._create_document_from_attachment(attachment.ids)


@tagged("post_install", "-at_install")
class TestTours(TourCommon):
    def _punch_out_in_browser(self):
        """Tour: the buyer clicks "Punch out to Topgeschenken" on the request;
        return the session it started."""
        Session = self.env["punchout.session"]
        self.start_tour(
            "/odoo/action-purchase_request.purchase_request_form_action/"
            f"{self.request.id}",
            "topgeschenken_oci_punchout_from_request",
            login="tg_buyer",
        )
        self.assertScreenshot("punchout_button")
        session = Session.search([("request_id", "=", self.request.id)])
        self.assertEqual(len(session), 1)
        self.assertEqual(session.user_id, self.buyer)
        self.assertEqual(session.webshop_id, self.supplier)
        return session

    def _shop_returns_cart(self, session):
        """The shop's step, over real HTTP: its start page logs the buyer in
        (HOOK_URL), the shop's page posts the cart back, cross-site."""
        self.authenticate("tg_buyer", "tg_buyer_pw1")
        page = self.url_open(f"/punchout/session/{session.id}/go")
        self.assertEqual(page.status_code, 200)
        self.assertIn('name="~OkCode" value="ADDI"', page.text)
        hook = re.search(r'name="HOOK_URL" value="([^"]+)"', page.text).group(1)
        response = self._post_cart(
            hook.replace("&amp;", "&"), self._oci_fields(GIFT_LINES)
        )
        self.assertEqual(response.status_code, 303, response.text[:1000])
        session.invalidate_recordset()
        self.assertEqual(session.state, "done")
        # the browser is sent to the new RFQ: the next tour opens that URL
        location = response.headers["Location"]
        self.assertIn(f"/{session.order_id.id}", location)
        return session.order_id, location[location.index("/odoo/") :]

    def test_punchout_to_acknowledged_order(self):
        # 1. The buyer punches out from the purchase request.
        session = self._punch_out_in_browser()
        # 2. The shop (another origin) returns the cart.
        order, rfq_url = self._shop_returns_cart(session)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.origin, self.request.name)
        # 3. The buyer checks the RFQ made from the cart and confirms it.
        self.start_tour(rfq_url, "topgeschenken_oci_rfq_from_cart", login="tg_buyer")
        self.assertScreenshot("rfq_from_cart")
        order.invalidate_recordset()
        self.assertEqual(order.state, "to approve")
        self.assertFalse(order.oci_transmission_ids)
        # 4. The approver approves: the order is queued for the shop.
        existing_jobs = self.env["queue.job"].sudo().search([])
        self.start_tour(rfq_url, "topgeschenken_oci_approve_order", login="tg_approver")
        self.env.invalidate_all()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.oci_transmission_state, "to_send")
        self.assertFalse(self.shop.requests)
        # 5. The job runner sends it; the shop acknowledges.
        self._perform_transmission_jobs(existing_jobs)
        self.assertEqual(len(self.shop.requests), 1)
        self.assertEqual(order.oci_transmission_state, "acknowledged")
        self.assertTrue(order.acknowledged)
        # 6. The buyer sees the acknowledgement on the order.
        self.start_tour(
            rfq_url, "topgeschenken_oci_order_acknowledged", login="tg_buyer"
        )
        self.assertScreenshot("order_acknowledged")
        self.assertScreenshot("transmission_state")
        # 7. The accountant has no bill to review yet: the list says why bills
        #    would be there. The shop's e-invoice arrives, a bonbon 10 cents
        #    dearer than ordered: matched on the order number, left for review.
        self.start_tour(
            "/odoo/action-topgeschenken_oci.account_move_to_review_action",
            "topgeschenken_oci_bills_to_review_empty",
            login="tg_accountant",
        )
        bill = self._import_shop_invoice(order)
        self.assertEqual(bill.oci_match_state, "price_deviation")
        self.assertEqual(bill.state, "draft")
        self.start_tour(
            "/odoo/action-topgeschenken_oci.account_move_to_review_action",
            "topgeschenken_oci_bills_to_review",
            login="tg_accountant",
        )
        self.assertScreenshot("bills_to_review")

    def test_buyer_works_in_dutch(self):
        """The demo's buyer works in Dutch: the request, the punchout and the
        RFQ's webshop columns speak it."""
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(
            ["purchase", "topgeschenken_oci"], ["nl_NL"], overwrite=True
        )
        self.buyer.lang = "nl_NL"
        self.start_tour(
            "/odoo/action-purchase_request.purchase_request_form_action/"
            f"{self.request.id}",
            "topgeschenken_oci_buyer_in_dutch",
            login="tg_buyer",
        )
        session = self.env["punchout.session"].search(
            [("request_id", "=", self.request.id)]
        )
        self.assertEqual(len(session), 1)
        __, rfq_url = self._shop_returns_cart(session)
        self.start_tour(rfq_url, "topgeschenken_oci_rfq_in_dutch", login="tg_buyer")
