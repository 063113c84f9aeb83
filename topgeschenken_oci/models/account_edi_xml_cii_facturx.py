# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import models

from ..protocol import invoice_refs


class AccountEdiXmlCii(models.AbstractModel):
    """Keep the order references of imported CII (Factur-X, ZUGFeRD) bills."""

    _inherit = "account.edi.xml.cii"

    # EXTENDS account_edi_ubl_cii
    def _import_fill_invoice(self, invoice, tree, qty_factor):
        logs = super()._import_fill_invoice(invoice, tree, qty_factor)
        if invoice.is_purchase_document():
            invoice.oci_edi_refs = self._oci_import_order_refs(tree)
        return logs

    def _oci_import_order_refs(self, tree):
        def texts(xpath):
            return invoice_refs.cap_texts(node.text for node in tree.iterfind(xpath))

        transaction = "./{*}SupplyChainTradeTransaction"
        agreement = f"{transaction}/{{*}}ApplicableHeaderTradeAgreement"
        settlement = f"{transaction}/{{*}}ApplicableHeaderTradeSettlement"
        return {
            "order": texts(
                f"{agreement}/{{*}}BuyerOrderReferencedDocument/{{*}}IssuerAssignedID"
            ),
            "sales_order": texts(
                f"{agreement}/{{*}}SellerOrderReferencedDocument/{{*}}IssuerAssignedID"
            ),
            "buyer": texts(f"{agreement}/{{*}}BuyerReference"),
            "payment": texts(f"{settlement}/{{*}}PaymentReference"),
            "accounting_cost": texts(
                f"{settlement}/{{*}}ReceivableSpecifiedTradeAccountingAccount/{{*}}ID"
            ),
            "note": texts("./{*}ExchangedDocument/{*}IncludedNote/{*}Content"),
            "billing": texts(
                f"{settlement}/{{*}}InvoiceReferencedDocument/{{*}}IssuerAssignedID"
            ),
        }

    # EXTENDS account_edi_ubl_cii
    def _retrieve_invoice_line_vals(self, tree, document_type=False, qty_factor=1):
        vals = super()._retrieve_invoice_line_vals(tree, document_type, qty_factor)
        vals.update(
            {
                "oci_edi_item_code": invoice_refs.cap_text(
                    tree.findtext("./{*}SpecifiedTradeProduct/{*}SellerAssignedID")
                ),
                "oci_edi_order_ref": invoice_refs.cap_text(
                    tree.findtext(
                        "./{*}SpecifiedLineTradeAgreement"
                        "/{*}BuyerOrderReferencedDocument/{*}IssuerAssignedID"
                    )
                ),
                "oci_edi_uom_code": self._oci_import_unit_code(
                    tree, document_type, qty_factor
                ),
            }
        )
        return vals

    def _oci_import_unit_code(self, tree, document_type=False, qty_factor=1):
        """The ``unitCode`` of the line's billed quantity, the node Odoo
        reads the quantity and its unit from (``_get_line_xpaths``)."""
        xpath = self._get_line_xpaths(document_type, qty_factor)["delivered_qty"]
        node = tree.find(xpath)
        code = node.get("unitCode") if node is not None else None
        return invoice_refs.cap_text(code.strip()) if code and code.strip() else False
