# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models
from odoo.exceptions import UserError


class OciPunchoutSupplier(models.Model):
    _inherit = "oci.punchout.supplier"

    orderer_ids = fields.One2many(
        "oci.punchout.orderer",
        "supplier_id",
        string="Orderers",
        help="Who may punch out to this webshop. Empty: every purchase user.",
    )
    card_text_max_length = fields.Integer(
        string="Card text length",
        default=250,
        help="The longest greeting card text the shop accepts (characters).",
    )
    company_logo_code = fields.Char(
        string="Company logo code",
        default="COMPANY",
        help="The shop's code for the company logo of the business account: "
        "sent for cards without another logo chosen.",
    )

    _card_text_max_length_positive = models.Constraint(
        "CHECK(card_text_max_length > 0)",
        "The card text length must be positive.",
    )

    def _oci_orderer(self, user):
        """The active orderer line of ``user`` (sudo), or an empty recordset."""
        self.ensure_one()
        return self.sudo().orderer_ids.filtered(lambda o: o.user_id == user)[:1]

    # EXTENDS topgeschenken_oci
    def _check_may_punch_out(self, user):
        res = super()._check_may_punch_out(user)
        # An archived orderer still makes the list a restriction.
        configured = self.sudo().with_context(active_test=False).orderer_ids
        if configured and not self._oci_orderer(user):
            raise UserError(
                self.env._(
                    "%(user)s is not an orderer of %(shop)s: a purchase manager adds "
                    "orderers on the webshop (Purchase > Configuration > Punchout "
                    "Suppliers, Orderers tab).",
                    user=user.name,
                    shop=self.name,
                )
            )
        return res

    # EXTENDS topgeschenken_oci
    def _oci_credentials(self, user):
        username, password = super()._oci_credentials(user)
        if self.credential_scope == "user":
            orderer = self._oci_orderer(user)
            if orderer.oci_username:
                username = orderer.oci_username
                password = orderer.oci_password or password
        return username, password
