# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    # EXTENDS base
    @classmethod
    def _pre_dispatch(cls, rule, args):
        res = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("oci_raw_body"):
            # Keep the raw body before werkzeug parses the form: a cart sent
            # in ISO-8859-1 must be decoded with its own charset, and support
            # needs the payload exactly as the shop sent it.
            try:
                request.httprequest.get_data(cache=True, parse_form_data=False)
            except RequestEntityTooLarge:
                request.oci_body_too_large = True
        return res
