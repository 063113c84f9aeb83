# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class PunchoutUomAlias(models.Model):
    """A shop's own unit code and the Odoo unit it means."""

    _name = "punchout.uom.alias"
    _description = "Punchout unit code alias"
    _order = "code"

    webshop_id = fields.Many2one(
        "punchout.webshop",
        required=True,
        ondelete="cascade",
        index=True,
    )
    code = fields.Char(
        string="Shop unit code",
        required=True,
        help="The unit code as the shop sends it (OCI UNIT, cXML UnitOfMeasure).",
    )
    uom_id = fields.Many2one("uom.uom", string="Unit", required=True)

    _code_unique = models.Constraint(
        "UNIQUE(webshop_id, code)",
        "A unit code can have only one alias per supplier.",
    )
