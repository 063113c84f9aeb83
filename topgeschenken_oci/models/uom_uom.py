# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import api, models

from odoo.addons.account_edi_ubl_cii.models.account_edi_common import UOM_TO_UNECE_CODE


class UomUom(models.Model):
    _inherit = "uom.uom"

    @api.model
    def _oci_by_unece_code(self, codes):
        """Map UN/ECE Rec. 20 unit codes to Odoo units, in one query each.

        Odoo's own EDI mapping (``account_edi_ubl_cii``) comes first; where
        OCA's ``uom_unece`` is installed, its ``unece_code`` field adds the
        units it knows. Returns ``{code: uom}`` for the codes found.
        """
        codes = {code.upper() for code in codes if code}
        xmlids = {
            xmlid: code for xmlid, code in UOM_TO_UNECE_CODE.items() if code in codes
        }
        found = {}
        if xmlids:
            data = (
                self.env["ir.model.data"]
                .sudo()
                .search_fetch(
                    [
                        ("model", "=", "uom.uom"),
                        ("module", "=", "uom"),
                        ("name", "in", [x.split(".", 1)[1] for x in xmlids]),
                    ],
                    ["name", "res_id"],
                )
            )
            units = self.browse(data.mapped("res_id")).exists()
            by_id = {d.res_id: f"uom.{d.name}" for d in data}
            for uom in units:
                found.setdefault(xmlids[by_id[uom.id]], uom)
        if "unece_code" in self._fields and codes - set(found):
            for uom in self.search([("unece_code", "in", list(codes - set(found)))]):
                found.setdefault(uom.unece_code, uom)
        return found
