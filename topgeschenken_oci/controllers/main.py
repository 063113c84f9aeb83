# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import logging

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from ..models.punchout_session import MAX_CART_BYTES
from ..protocol.errors import ProtocolError

_logger = logging.getLogger(__name__)

# A body the route refuses is read and dropped up to this size, so the
# shop's browser gets the page rather than a reset connection; beyond it the
# connection is simply closed.
MAX_DISCARD_BYTES = 64 * 1024 * 1024


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
        suppliers = request.env["punchout.webshop"].search(
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
    def punchout_start(
        self, webshop_id=None, request_id=None, order_id=None, operation=None, **kw
    ):
        """Start a punchout session and go to its start page (303).

        Form fields: ``webshop_id``, optional ``request_id`` (a purchase
        request the cart is for) or ``order_id`` (a draft RFQ the cart is
        added to; with ``operation=edit``, whose cart is edited), and
        ``csrf_token``.
        """
        self._check_internal_user()
        env = request.env
        try:
            supplier = env["punchout.webshop"].browse(int(webshop_id or 0))
            pr = env["purchase.request"].browse(int(request_id)) if request_id else None
            po = env["purchase.order"].browse(int(order_id)) if order_id else None
            session = env["punchout.session"]._start(
                supplier,
                request=pr,
                order=po,
                operation="edit" if operation == "edit" else "create",
            )
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
        session = request.env["punchout.session"].browse(session_id).exists()
        if not session:
            raise NotFound()
        if not session.has_access("read"):
            return self._message_page(
                request.env._(
                    "This punchout session belongs to another user: start your own "
                    "punchout from Odoo."
                ),
                status=403,
                heading=request.env._("Not your punchout session"),
            )
        try:
            token = session._launch()
            supplier = session.webshop_id.sudo()
            return_url = session._return_url(token)
            if supplier.protocol == "cxml":
                start_url = supplier._cxml_punchout_setup(session, return_url)
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
        max_content_length=MAX_CART_BYTES,
        oci_raw_body=True,
        readonly=False,
    )
    def punchout_return(self, token, **kwargs):
        """The shop's cart: the session model decides (token, state, size,
        replay, import); the body is read only when the token is good."""
        httprequest = request.httprequest
        outcome = (
            request.env["punchout.session"]
            .sudo()
            ._handle_return(
                token,
                httprequest.method,
                httprequest.headers.get("Content-Type", ""),
                httprequest.content_length,
                self._read_body,
                query=httprequest.query_string,
            )
        )
        self._discard_unread_body()
        session = outcome["session"]
        if outcome["kind"] == "imported":
            return self._redirect_to_order(session)
        if session:
            request.update_context(lang=session.user_id.lang or "en_US")
        return self._return_page(outcome)

    @staticmethod
    def _read_body(limit):
        """At most ``limit + 1`` bytes of the body, kept for a retry of the
        request (Odoo runs it again after a serialization failure)."""
        wrapped = request.httprequest._HTTPRequest__wrapped
        cached = getattr(wrapped, "_cached_data", None)
        if cached is None:
            cached = wrapped.stream.read(limit + 1)
            wrapped._cached_data = cached
        return cached

    @staticmethod
    def _discard_unread_body():
        """Read and drop what the route did not read (up to a bound, without
        keeping or parsing it): a connection closed on an unread body resets,
        and the shop's browser would show a network error instead of the
        page."""
        wrapped = request.httprequest._HTTPRequest__wrapped
        if getattr(wrapped, "_cached_data", None) is not None:
            return
        stream = wrapped.stream
        left = MAX_DISCARD_BYTES
        while left > 0:
            chunk = stream.read(min(65536, left))
            if not chunk:
                break
            left -= len(chunk)

    def _return_page(self, outcome):
        env = request.env
        session = outcome["session"]
        kind = outcome["kind"]
        headings = {
            "unknown": env._("This link is not valid"),
            "no_cart": env._("No cart received"),
            "replay": env._("Cart already received"),
            "used": env._("Cart already received"),
            "closed": env._("This punchout session is closed"),
            "expired": env._("This punchout session has expired"),
        }
        return request.render(
            "topgeschenken_oci.punchout_message_page",
            {
                "heading": headings.get(kind)
                or env._("The cart could not be received"),
                "message": outcome["message"],
                "session": session,
                "kind": kind,
                "order": session.order_id if session else None,
                "back_url": self._back_url(session),
                # Only when it was: a body refused for its size is not stored.
                "cart_kept": kind in ("refused", "too_large")
                and bool(session and session.payload_attachment_id),
            },
            status=outcome["status"],
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )

    @staticmethod
    def _back_url(session):
        """Where the buyer started: the RFQ, the request, else the session."""
        if not session:
            return "/odoo"
        if session.order_id:
            return f"/odoo/action-purchase.purchase_rfq/{session.order_id.id}"
        if session.request_id:
            return f"/odoo/purchase.request/{session.request_id.id}"
        return f"/odoo/punchout.session/{session.id}"

    def _check_internal_user(self):
        """Punchouts are for employees: portal users get a 403."""
        if not request.env.user._is_internal():
            raise Forbidden()

    def _redirect_to_order(self, session):
        """To where the cart went: the RFQ, or the purchase request whose
        lines a requester's cart filled."""
        if session.cart_target == "request":
            return request.redirect(
                f"/odoo/purchase.request/{session.request_id.id}", code=303
            )
        order = session.order_id
        return request.redirect(
            f"/odoo/action-purchase.purchase_rfq/{order.id}", code=303
        )

    def _message_page(self, message, status=400, heading=None):
        return request.render(
            "topgeschenken_oci.punchout_message_page",
            {
                "heading": heading or request.env._("The punchout could not start"),
                "message": message,
                "session": None,
                "back_url": "/odoo",
            },
            status=status,
        )
