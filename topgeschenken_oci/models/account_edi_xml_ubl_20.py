# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import models

from ..protocol import invoice_refs


class AccountEdiXmlUBL20(models.AbstractModel):
    """Keep the order references of imported UBL bills for the PO matching.

    Odoo reads only ``OrderReference/ID`` (into ``invoice_origin``); the
    supplier's order number, the buyer reference, the header note, the
    payment reference, the accounting cost, the invoice a credit note
    corrects and the line-level order references are kept here, raw but
    capped: the matching extracts the numbers.
    """

    _inherit = "account.edi.xml.ubl_20"

    # EXTENDS account_edi_ubl_cii
    def _import_fill_invoice(self, invoice, tree, qty_factor):
        logs = super()._import_fill_invoice(invoice, tree, qty_factor)
        if invoice.is_purchase_document():
            invoice.oci_edi_refs = self._oci_import_order_refs(tree)
        return logs

    def _oci_import_order_refs(self, tree):
        """Header texts that may hold the order number, by kind."""

        def texts(xpath):
            return invoice_refs.cap_texts(node.text for node in tree.iterfind(xpath))

        return {
            "order": texts("./{*}OrderReference/{*}ID"),
            "sales_order": texts("./{*}OrderReference/{*}SalesOrderID"),
            "buyer": texts("./{*}BuyerReference"),
            "payment": texts("./{*}PaymentMeans/{*}PaymentID"),
            "accounting_cost": texts("./{*}AccountingCost"),
            "note": texts("./{*}Note"),
            "billing": texts("./{*}BillingReference/{*}InvoiceDocumentReference/{*}ID"),
        }

    # EXTENDS account_edi_ubl_cii
    def _import_rounding_amount(
        self, invoice, tree, xpath, document_type=False, qty_factor=1
    ):
        lines_vals, logs = super()._import_rounding_amount(
            invoice, tree, xpath, document_type=document_type, qty_factor=qty_factor
        )
        for vals in lines_vals:
            vals["oci_edi_rounding"] = True
        return lines_vals, logs

    # EXTENDS account_edi_ubl_cii
    def _retrieve_invoice_line_vals(self, tree, document_type=False, qty_factor=1):
        vals = super()._retrieve_invoice_line_vals(tree, document_type, qty_factor)
        vals.update(self._oci_import_line_refs(tree))
        vals["oci_edi_uom_code"] = self._oci_import_unit_code(
            tree, document_type, qty_factor
        )
        return vals

    def _oci_import_unit_code(self, tree, document_type=False, qty_factor=1):
        """The ``unitCode`` of the line's invoiced (credited) quantity, the
        node Odoo reads the quantity and its unit from (``_get_line_xpaths``)."""
        xpath = self._get_line_xpaths(document_type, qty_factor)["delivered_qty"]
        node = tree.find(xpath)
        code = node.get("unitCode") if node is not None else None
        return invoice_refs.cap_text(code.strip()) if code and code.strip() else False

    def _oci_import_line_refs(self, tree):
        return {
            "oci_edi_item_code": invoice_refs.cap_text(
                tree.findtext("./{*}Item/{*}SellersItemIdentification/{*}ID")
            ),
            "oci_edi_order_ref": invoice_refs.cap_text(
                tree.findtext("./{*}OrderLineReference/{*}OrderReference/{*}ID")
            ),
        }
