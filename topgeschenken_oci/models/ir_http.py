# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from werkzeug.datastructures import ImmutableMultiDict

from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    # EXTENDS base
    @classmethod
    def _pre_dispatch(cls, rule, args):
        res = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("oci_raw_body"):
            # The route reads the body itself, and only once it knows the
            # token is good: werkzeug must not parse the form first (a body
            # of millions of tiny fields would keep the worker busy for an
            # unknown token). An empty form and no files make Odoo's
            # dispatcher take only the URL's arguments; the framework's own
            # limits are left as they are.
            wrapped = getattr(request.httprequest, "_HTTPRequest__wrapped", None)
            if wrapped is not None:
                wrapped.__dict__["form"] = ImmutableMultiDict()
                wrapped.__dict__["files"] = ImmutableMultiDict()
        return res
