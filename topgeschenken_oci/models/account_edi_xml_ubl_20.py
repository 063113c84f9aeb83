# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import models


class AccountEdiXmlUBL20(models.AbstractModel):
    """Keep the order references of imported UBL bills for the PO matching.

    Odoo reads only ``OrderReference/ID`` (into ``invoice_origin``); the
    supplier's order number, the buyer reference and the line-level order
    references are kept here, raw: the matching extracts the numbers.
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
            return [node.text for node in tree.iterfind(xpath) if node.text]

        return {
            "order": texts("./{*}OrderReference/{*}ID"),
            "sales_order": texts("./{*}OrderReference/{*}SalesOrderID"),
            "buyer": texts("./{*}BuyerReference"),
        }

    # EXTENDS account_edi_ubl_cii
    def _retrieve_invoice_line_vals(self, tree, document_type=False, qty_factor=1):
        vals = super()._retrieve_invoice_line_vals(tree, document_type, qty_factor)
        vals.update(self._oci_import_line_refs(tree))
        return vals

    def _oci_import_line_refs(self, tree):
        return {
            "oci_edi_item_code": tree.findtext(
                "./{*}Item/{*}SellersItemIdentification/{*}ID"
            ),
            "oci_edi_order_ref": tree.findtext(
                "./{*}OrderLineReference/{*}OrderReference/{*}ID"
            ),
        }
