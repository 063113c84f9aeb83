# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

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
            # Bodies over the route's max_content_length get werkzeug's 413.
            request.httprequest.get_data(cache=True, parse_form_data=False)
            # Odoo caps parsed forms at 10 MB, which would answer a bare 413
            # before the route can tell the buyer why; the route checks the
            # size itself (werkzeug's wrapped request: no public setter).
            wrapped = getattr(request.httprequest, "_HTTPRequest__wrapped", None)
            if wrapped is not None:
                wrapped.max_form_memory_size = rule.endpoint.routing.get(
                    "max_content_length"
                )
        return res
