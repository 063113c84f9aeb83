# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class PunchoutInboundSecretShow(models.TransientModel):
    """Shows a webshop's newly generated inbound secret once, as Odoo's
    ``res.users.apikeys.show`` does an API key: the dialog is only closed,
    never saved, and the secret cannot be read back from it later."""

    _name = "punchout.inbound.secret.show"
    _description = "New inbound secret of a webshop"

    webshop_id = fields.Many2one("punchout.webshop", readonly=True)
    secret = fields.Char(readonly=True)
