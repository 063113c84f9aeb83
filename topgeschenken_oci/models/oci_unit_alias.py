# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class OciUnitAlias(models.Model):
    """A shop's own unit code and the Odoo unit it means."""

    _name = "oci.unit.alias"
    _description = "Punchout unit code alias"
    _order = "code"

    supplier_id = fields.Many2one(
        "oci.punchout.supplier",
        required=True,
        ondelete="cascade",
        index=True,
        string="Webshop",
    )
    code = fields.Char(
        string="Shop unit code",
        required=True,
        help="The unit code as the shop sends it (OCI UNIT, cXML UnitOfMeasure).",
    )
    uom_id = fields.Many2one("uom.uom", string="Unit", required=True)

    _code_unique = models.Constraint(
        "UNIQUE(supplier_id, code)",
        "A unit code can have only one alias per supplier.",
    )
