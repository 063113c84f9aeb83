# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import logging

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from ..protocol.errors import ProtocolError, _

# Cart errors are translated where they are shown (the marker lets Odoo
# extract them); pylint: disable=prefer-env-translation

_logger = logging.getLogger(__name__)

MAX_CART_BYTES = 20 * 1024 * 1024
# What werkzeug accepts at all; between the two, the buyer gets a clear page.
MAX_BODY_BYTES = 64 * 1024 * 1024


class PunchoutController(http.Controller):
    _start_url = "/punchout/start"
    _go_url = "/punchout/session/<int:session_id>/go"
    _return_url = "/punchout/return/<string:token>"

    # ------------------------------------------------------------------
    # Start: the buyer, logged in to Odoo
    # ------------------------------------------------------------------

    @http.route(_start_url, type="http", auth="user", methods=["GET"])
    def punchout_start_page(self, **kwargs):
        """ "Order from webshop": pick a webshop, then start a session."""
        self._check_internal_user()
        suppliers = request.env["oci.punchout.supplier"].search(
            [("company_id", "in", request.env.companies.ids)]
        )
        return request.render(
            "topgeschenken_oci.punchout_start_page",
            {
                "suppliers": suppliers,
                "request_id": kwargs.get("request_id", ""),
                "order_id": kwargs.get("order_id", ""),
            },
        )

    @http.route(_start_url, type="http", auth="user", methods=["POST"])
    def punchout_start(self, supplier_id=None, request_id=None, order_id=None, **kw):
        """Start a punchout session and go to its start page (303).

        Form fields: ``supplier_id``, optional ``request_id`` (a purchase
        request the cart is for) or ``order_id`` (a draft RFQ the cart is
        added to), and ``csrf_token``.
        """
        self._check_internal_user()
        env = request.env
        try:
            supplier = env["oci.punchout.supplier"].browse(int(supplier_id or 0))
            pr = env["purchase.request"].browse(int(request_id)) if request_id else None
            po = env["purchase.order"].browse(int(order_id)) if order_id else None
            session = env["oci.punchout.session"]._start(supplier, request=pr, order=po)
        except (ValueError, UserError, AccessError, MissingError) as error:
            return self._message_page(str(error), status=400)
        return request.redirect(f"/punchout/session/{session.id}/go", code=303)

    @http.route(_go_url, type="http", auth="user", methods=["GET"])
    def punchout_go(self, session_id, **kwargs):
        """Log the buyer in to the webshop.

        OCI: an auto-submitted form carrying the OCI call. cXML: a
        PunchOutSetupRequest sent from the server, then a redirect to the
        shop's start page: no credential reaches the browser.
        """
        self._check_internal_user()
        session = request.env["oci.punchout.session"].browse(session_id).exists()
        if not session:
            raise NotFound()
        try:
            session.check_access("read")
            token = session._launch()
            supplier = session.supplier_id.sudo()
            return_url = session._return_url(token)
            if supplier.protocol == "cxml":
                start_url = session.sudo()._cxml_setup(return_url)
                return request.redirect(start_url, code=303, local=False)
            fields = supplier._oci_login_fields(session, return_url)
        except (UserError, AccessError, ProtocolError) as error:
            message = error.text if isinstance(error, ProtocolError) else str(error)
            return self._message_page(message, status=400)
        return request.render(
            "topgeschenken_oci.punchout_go_page",
            {
                "session": session,
                "action": supplier.catalog_url,
                "method": supplier.http_method,
                "fields": fields,
            },
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )

    # ------------------------------------------------------------------
    # Return: the webshop posts the cart (cross-site, no Odoo cookie)
    # ------------------------------------------------------------------

    @http.route(
        _return_url,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
        max_content_length=MAX_BODY_BYTES,
        oci_raw_body=True,
        readonly=False,
    )
    def punchout_return(self, token, **kwargs):
        Session = request.env["oci.punchout.session"]
        httprequest = request.httprequest
        session = Session._find_by_token(token)
        if session:
            # No Odoo cookie comes with the shop's post: speak the buyer's language.
            session = session.with_context(lang=session.user_id.lang)
        if not session:
            _logger.info(
                "Punchout return with an unknown token from %s", httprequest.remote_addr
            )
            return self._message_page(
                request.env._(
                    "This cart cannot be received: the link is unknown. Start the "
                    "punchout again from Odoo."
                ),
                status=404,
            )
        method = httprequest.method
        body = (
            httprequest.get_data(cache=True)
            if method == "POST"
            else httprequest.query_string
        )
        content_type = httprequest.headers.get("Content-Type", "")
        if session.state == "done":
            if session.payload_attachment_id.raw == body:
                # The same cart posted twice (a double click): show the RFQ again.
                return self._redirect_to_order(session)
            return self._message_page(
                request.env._(
                    "This punchout session has already returned its cart: start a "
                    "new punchout from Odoo to order more."
                ),
                status=409,
            )
        if len(body) > MAX_CART_BYTES:
            session._store_payload(body, content_type, "oci")
            message = session._fail(
                ProtocolError(
                    _("The cart is larger than %(max)s MB and was refused."),
                    code="payload_too_large",
                    max=MAX_CART_BYTES // (1024 * 1024),
                )
            )
            return self._message_page(message, status=413, session=session)
        error = session._receive(body, content_type, method)
        if error:
            return self._message_page(error, status=400, session=session)
        return self._redirect_to_order(session)

    def _check_internal_user(self):
        """Punchouts are for employees: portal users get a 403."""
        if not request.env.user._is_internal():
            raise Forbidden()

    def _redirect_to_order(self, session):
        order = session.order_id
        return request.redirect(
            f"/odoo/action-purchase.purchase_rfq/{order.id}", code=303
        )

    def _message_page(self, message, status=400, session=None):
        return request.render(
            "topgeschenken_oci.punchout_message_page",
            {"message": message, "session": session},
            status=status,
        )
