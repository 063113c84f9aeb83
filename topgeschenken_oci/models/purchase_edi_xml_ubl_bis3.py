# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import models


class PurchaseEdiXmlUblBis3(models.AbstractModel):
    _inherit = "purchase.edi.xml.ubl_bis3"

    # EXTENDS purchase_edi_ubl_bis3
    def _ubl_add_line_item_identification_nodes(self, vals):
        super()._ubl_add_line_item_identification_nodes(vals)
        line = vals["line_vals"]["base_line"].get("record")
        if not line or line._name != "purchase.order.line":
            return
        item_node = vals["item_node"]
        if line.oci_vendormat or line.oci_aux_id:
            # The shop's own codes as the cart gave them: SellersItemIdentification
            # ID = the vendor's item code, ExtendedID = its line reference
            # (personalisation), echoed exactly.
            identification = item_node.get("cac:SellersItemIdentification") or {}
            if line.oci_vendormat:
                identification["cbc:ID"] = {"_text": line.oci_vendormat}
            if line.oci_aux_id:
                identification["cbc:ExtendedID"] = {"_text": line.oci_aux_id}
            item_node["cac:SellersItemIdentification"] = identification
