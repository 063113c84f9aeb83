# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from lxml import etree

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_open

from .common import PunchoutCommon

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
NS = {
    "cac": UBL + "CommonAggregateComponents-2",
    "cbc": UBL + "CommonBasicComponents-2",
}


@tagged("post_install", "-at_install")
class TestInvoiceBeforeConfirmation(PunchoutCommon):
    """A bill that arrives while its order is still an RFQ is matched later."""

    def test_bill_matched_when_order_confirmed(self):
        self.vendor.vat = "NL000099998B57"
        product = self.env["product.product"].create(
            {
                "name": "Kerstpakket Deluxe",
                "type": "consu",
                "purchase_method": "purchase",
            }
        )
        flowers = self.product_flowers
        flowers.purchase_method = "purchase"
        taxes = self.company_data["default_tax_purchase"]
        order = self.env["purchase.order"].create(
            {
                "name": "P90199",
                "partner_id": self.vendor.id,
                "oci_webshop_id": self.supplier.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": p.id,
                            "product_qty": qty,
                            "price_unit": price,
                            "oci_vendormat": code,
                            "tax_ids": [Command.set(taxes.ids)],
                        }
                    )
                    for p, qty, price, code in (
                        (product, 12, 49.95, "TG-KP-001"),
                        (flowers, 5, 19.95, "TG-BL-002"),
                    )
                ],
            }
        )
        with file_open(
            "topgeschenken_oci/tests/test_files/tg_order_reference.xml", "rb"
        ) as template:
            root = etree.fromstring(template.read())
        for element in root.xpath("cac:OrderReference/cbc:ID", namespaces=NS):
            element.text = order.name
        attachment = self.env["ir.attachment"].create(
            {"name": "early.xml", "raw": etree.tostring(root), "mimetype": "text/xml"}
        )
        journal = self.company_data["default_journal_purchase"]
        bill = journal.with_context(
            default_journal_id=journal.id, default_move_type="in_invoice"
        )._create_document_from_attachment(attachment.ids)
        self.assertEqual(bill.oci_match_state, "unknown_order")
        self.assertFalse(bill.invoice_line_ids.purchase_line_id)

        order.button_confirm()

        self.assertEqual(bill.oci_match_state, "matched")
        self.assertEqual(
            bill.invoice_line_ids.purchase_line_id.order_id,
            order,
            bill.oci_match_reason,
        )
