# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..models.punchout_order_document import MAX_DOCUMENT_BYTES
from ..protocol import cxml


class OrderDocumentController(http.Controller):
    """The webshop's documents about our orders (server to server)."""

    _cxml_url = "/punchout/cxml/order-documents"
    _ubl_url = "/punchout/ubl/order-documents"

    @http.route(
        _cxml_url,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def cxml_order_document(self, **kwargs):
        """Take a cXML ``ConfirmationRequest`` or ``ShipNoticeRequest``.

        The shop authenticates with its cXML Sender credential (the
        webshop's *To identity*) and, as SharedSecret, the webshop's
        *inbound secret* (set by a system administrator; none set: 401);
        the answer is a cXML ``Response`` whose ``Status`` code
        is also the HTTP status: 200 (processed, or a replay of a processed
        payloadID), 400 (malformed, unknown line), 401 (unknown sender or
        secret), 404 (unknown order), 413 (too large).
        """
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is None or length > MAX_DOCUMENT_BYTES:
            answer = (
                (413, "Request Entity Too Large")
                if length
                else (411, "Length Required")
            )
        else:
            body = httprequest.get_data(cache=False, parse_form_data=False)
            # As OdooBot, not as the public user: what the document creates
            # for the buyer (the Date Updated activity, "assigned by") must
            # name a user every internal user of every company may read.
            documents = request.env["punchout.order.document"].with_user(SUPERUSER_ID)
            answer = documents._receive_cxml(body)
        code, text = answer
        document = cxml.build_status_response(
            code,
            text,
            cxml.new_payload_id(httprequest.host.split(":")[0] or "odoo"),
            cxml.format_timestamp(),
        )
        return request.make_response(
            document,
            headers=[("Content-Type", "text/xml; charset=UTF-8")],
            status=code,
        )

    @http.route(
        _ubl_url,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def ubl_order_document(self, **kwargs):
        """Take a UBL 2.1 ``OrderResponse`` or ``DespatchAdvice`` (Peppol BIS
        Order Response 3 / Despatch Advice 3).

        The shop authenticates with the webshop's *inbound secret* (set by
        a system administrator; none set: 401): ``Authorization: Bearer
        <secret>``, or ``Basic`` with the secret as the password; the answer
        is plain text with the HTTP status: 200 (processed, or a replay of a
        processed document ID), 400 (malformed, unknown line), 401 (wrong or
        missing credentials, or no inbound secret set, with a
        ``WWW-Authenticate`` challenge), 404 (unknown order), 411 (no
        length), 413 (too large).
        """
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is None or length > MAX_DOCUMENT_BYTES:
            code, text = (
                (413, "Request Entity Too Large")
                if length
                else (411, "Length Required")
            )
        else:
            body = httprequest.get_data(cache=False, parse_form_data=False)
            # As OdooBot, as for cXML (see there), not as the public user.
            documents = request.env["punchout.order.document"].with_user(SUPERUSER_ID)
            code, text = documents._receive_ubl(
                body, httprequest.headers.get("Authorization")
            )
        headers = [("Content-Type", "text/plain; charset=utf-8")]
        if code == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="Odoo order documents"'))
        return request.make_response(text, headers=headers, status=code)
