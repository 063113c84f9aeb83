# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Browser tour of a webshop order after its acknowledgement: the buyer
changes it, the shop confirms a later date and ships it, the gifts are
received and billed.

The shop's side plays over real HTTP: the loopback shop takes the order's
versions (``tests/shop_server.py``), and the test posts the shop's cXML
ConfirmationRequest and ShipNoticeRequest to the public route, as the shop
does, server to server.
"""

from datetime import datetime, time, timedelta

from lxml import etree

from odoo import fields
from odoo.tests import tagged

from ..protocol import oci
from .common import GIFT_LINES
from .test_tours import TourCommon

DOCUMENTS_URL = "/punchout/cxml/order-documents"
SHOP_ORDER_REF = "TG-100001"
CARRIER = "PostNL"
TRACKING_REF = "3SDEVC7654321"
CXML_DATE = "%Y-%m-%dT%H:%M:%S+00:00"


def shop_document(shop, payload_id, request):
    """A cXML document from ``shop`` (its Sender identity and, as the
    SharedSecret, the ``punchout.webshop``'s inbound secret) with
    ``request`` inside ``<Request>``."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<cXML payloadID="{payload_id}@shop.topgeschenken.example" '
        'timestamp="2026-12-01T09:00:00+01:00" xml:lang="nl-NL"><Header>'
        "<From><Credential domain="
        f'"NetworkID"><Identity>{shop.cxml_to_identity}</Identity></Credential></From>'
        "<To><Credential domain="
        f'"NetworkID"><Identity>{shop.cxml_from_identity}</Identity></Credential></To>'
        '<Sender><Credential domain="NetworkID">'
        f"<Identity>{shop.cxml_to_identity}</Identity>"
        f"<SharedSecret>{shop.sudo().inbound_secret}</SharedSecret></Credential>"
        "<UserAgent>Topgeschenken.nl</UserAgent></Sender></Header>"
        f'<Request deploymentMode="production">{request}</Request></cXML>'
    ).encode()


def confirmation_request(order, delivery):
    """The shop accepts every line of ``order`` as it is now, to be
    delivered on ``delivery`` (UTC)."""
    items = "".join(
        f'<ConfirmationItem lineNumber="{number}" quantity="{line.product_qty:g}">'
        "<UnitOfMeasure>C62</UnitOfMeasure>"
        f'<ConfirmationStatus type="accept" quantity="{line.product_qty:g}" '
        f'deliveryDate="{delivery.strftime(CXML_DATE)}">'
        "<UnitOfMeasure>C62</UnitOfMeasure></ConfirmationStatus></ConfirmationItem>"
        for number, line in order._oci_numbered_lines().items()
    )
    return (
        "<ConfirmationRequest>"
        '<ConfirmationHeader type="detail" noticeDate="2026-12-01T09:00:00+01:00" '
        f'operation="new" confirmID="{SHOP_ORDER_REF}"/>'
        f'<OrderReference orderID="{order.name}"/>{items}</ConfirmationRequest>'
    )


def ship_notice_request(order, delivery):
    """The shop ships every line of ``order`` with PostNL, to arrive on
    ``delivery`` (UTC)."""
    items = "".join(
        f'<ShipNoticeItem lineNumber="{number}" quantity="{line.product_qty:g}">'
        "<UnitOfMeasure>C62</UnitOfMeasure></ShipNoticeItem>"
        for number, line in order._oci_numbered_lines().items()
    )
    return (
        "<ShipNoticeRequest>"
        '<ShipNoticeHeader shipmentID="SHIP-100001" '
        'noticeDate="2026-12-02T09:00:00+01:00" '
        f'deliveryDate="{delivery.strftime(CXML_DATE)}" operation="new"/>'
        f'<ShipControl><CarrierIdentifier domain="companyName">{CARRIER}'
        f"</CarrierIdentifier><ShipmentIdentifier>{TRACKING_REF}"
        "</ShipmentIdentifier></ShipControl>"
        f'<ShipNoticePortion><OrderReference orderID="{order.name}"/>{items}'
        "</ShipNoticePortion></ShipNoticeRequest>"
    )


@tagged("post_install", "-at_install")
class TestOrderLifecycleTour(TourCommon):
    """Issue #17: a confirmed webshop order changed, confirmed by the shop
    with a later date, shipped, received and billed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # At De Linde the buyer also takes in the gifts at the reception.
        cls.buyer.group_ids |= cls.env.ref("stock.group_stock_user")
        # Receipts named as in the demo (LINDE/IN/00001), for the screenshot.
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)]
        )
        warehouse.code = "LINDE"

    def _acknowledged_order(self):
        """The buyer's cart as an order, approved and taken by the shop."""
        cart = oci.parse_oci_form(
            self._oci_fields(GIFT_LINES), aux_id_field="CUST_FIELD5"
        )
        session = (
            self.env["punchout.session"]
            .with_user(self.buyer)
            ._start(self.supplier, request=self.request)
        )
        order = session.sudo()._process_cart(cart)
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "to approve")
        existing_jobs = self.env["queue.job"].sudo().search([])
        order.with_user(self.approver).button_approve()
        self._perform_transmission_jobs(existing_jobs)
        self.assertEqual(order.oci_transmission_state, "acknowledged")
        self.assertEqual(order.partner_ref, SHOP_ORDER_REF)
        return order

    def start_tour(self, url_path, tour_name, **kwargs):
        # A browser's first bus poll gets the notifications of the last 50
        # seconds: the setup's transmission changes would reload the order
        # form while the tour edits a line. A user opening it later does not
        # get them either.
        self.env["bus.bus"].sudo().search([]).unlink()
        return super().start_tour(url_path, tour_name, **kwargs)

    def _shop_sends(self, request, payload_id):
        """POST a shop document to the public route, cookie-less, as the
        shop's server does; return the cXML status code."""
        self.opener.cookies.clear()
        response = self.url_open(
            DOCUMENTS_URL,
            data=shop_document(self.supplier, payload_id, request),
            headers={"Content-Type": "text/xml; charset=UTF-8"},
        )
        status = etree.fromstring(response.content).find("Response/Status")
        self.assertEqual(response.status_code, 200, response.text)
        return int(status.get("code"))

    def test_changed_confirmed_shipped_received_billed(self):
        order = self._acknowledged_order()
        kerstpakket, bonbons = order.order_line
        transmission = order.oci_transmission_ids
        order_url = f"/odoo/action-purchase.purchase_form_action/{order.id}"
        self.assertEqual(len(self.shop.requests), 1)

        # 1. The buyer orders 15 gift boxes instead of 12 and saves: the
        #    change waits for the shop.
        existing_jobs = self.env["queue.job"].sudo().search([])
        self.start_tour(
            order_url, "topgeschenken_oci_change_confirmed_order", login="tg_buyer"
        )
        self.env.invalidate_all()
        self.assertEqual(kerstpakket.product_qty, 15)
        self.assertEqual(transmission.state, "to_send")
        self.assertEqual(transmission.version, 2)

        # 2. The job sends it as version 2 of the order (cXML update).
        self._perform_transmission_jobs(existing_jobs)
        self.assertEqual(len(self.shop.requests), 2)
        root = etree.fromstring(self.shop.requests[-1]["body"])
        header = root.find("Request/OrderRequest/OrderRequestHeader")
        self.assertEqual(header.get("type"), "update")
        self.assertEqual(header.get("orderID"), order.name)
        self.assertEqual(header.get("orderVersion"), "2")
        items = root.iterfind("Request/OrderRequest/ItemOut")
        self.assertEqual([item.get("quantity") for item in items], ["15", "30"])
        self.assertEqual(transmission.state, "acknowledged")
        self.assertEqual(transmission.delivered_version, 2)

        # 3. The shop confirms every line for a later day than planned, then
        #    ships them with a tracking number.
        delivery = datetime.combine(
            fields.Date.today() + timedelta(days=21), time(12, 0)
        )
        self.assertGreater(delivery, max(order.order_line.mapped("date_planned")))
        self.assertEqual(
            self._shop_sends(confirmation_request(order, delivery), "confirm-1"), 200
        )
        self.assertEqual(
            self._shop_sends(ship_notice_request(order, delivery), "ship-1"), 200
        )
        self.env.invalidate_all()
        self.assertEqual(order.order_line.mapped("date_planned"), [delivery] * 2)
        self.assertEqual(order.order_line.mapped("oci_confirmed_qty"), [15, 30])
        receipt = order.picking_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.oci_tracking_ref, TRACKING_REF)
        self.assertEqual(receipt.scheduled_date, delivery)
        self.assertEqual(
            sorted(order.oci_document_ids.mapped("document_type")),
            ["confirmation", "ship_notice"],
        )
        # Odoo's vendor date update tells the buyer, who may read who did.
        activity = order.activity_ids.filtered(lambda a: a.summary == "Date Updated")
        self.assertEqual(activity.user_id, self.buyer)
        activity.with_user(self.buyer).create_uid.check_access("read")
        # The shop's dates are its own: nothing goes back to it.
        self.assertEqual(transmission.version, 2)
        self.assertEqual(len(self.shop.requests), 2)

        # 4. The buyer sees the confirmed dates and the shipment on the order,
        #    the date and tracking number on the receipt, and receives it.
        self.start_tour(
            order_url,
            "topgeschenken_oci_order_confirmed_shipped",
            login="tg_buyer",
            tour_data={
                "delivery": fields.Datetime.to_string(delivery),
                "tracking": TRACKING_REF,
                "carrier": CARRIER,
                "receipt": receipt.name,
            },
        )
        self.assertScreenshot("order_confirmed_shipped")
        self.assertScreenshot("receipt_tracking")
        self.env.invalidate_all()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(order.order_line.mapped("qty_received"), [15, 30])
        self.assertEqual(len(self.shop.requests), 2, "receiving sends nothing")

        # 5. The shop's e-invoice bills what was received: matched, nothing
        #    to review.
        bill = self._import_shop_invoice(order, lines=((15, "49.95"), (30, "1.25")))
        self.assertEqual(bill.oci_match_state, "matched", bill.oci_match_reason)
        self.assertEqual(bill.oci_order_ids, order)
        bill_lines = bill.invoice_line_ids
        self.assertEqual(bill_lines.purchase_line_id, kerstpakket | bonbons)
        for bill_line in bill_lines:
            self.assertEqual(
                bill_line.quantity, bill_line.purchase_line_id.qty_received
            )
        self.assertEqual(bill.amount_untaxed, order.amount_untaxed)
