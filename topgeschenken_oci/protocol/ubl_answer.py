"""The shop's synchronous answer to a UBL Order.

When the addon POSTs a UBL 2.1 / Peppol Order, the shop answers in the same
HTTP response, with a UBL ``OrderResponse`` (Peppol BIS Order Agreement /
Order Response, the full document or ``OrderResponseSimple`` of UBL 2.0) or
an ``ApplicationResponse``. This module reads that answer: the shop's order
number (``cbc:SalesOrderID``) and whether it refused the order
(``cbc:OrderResponseCode`` ``RE``, or ``27`` "not accepted", UNCL 4343).

The later documents the shop sends on its own (order responses and despatch
advices as inbound documents) are not read here.
"""

from dataclasses import dataclass

from .errors import ProtocolError, _
from .xmlsafe import localname, parse_xml

# _() only marks messages for Odoo's extractor: no env here, the addon
# translates them when it shows them.
# pylint: disable=prefer-env-translation

UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#: The root elements a shop may answer an Order with.
ANSWER_DOCUMENTS = ("OrderResponse", "OrderResponseSimple", "ApplicationResponse")
#: ``cbc:OrderResponseCode`` values (UNCL 4343) that refuse the order.
REJECTED_CODES = ("RE", "27")

_NS = {"cbc": UBL_CBC}


class UBLAnswerError(ProtocolError):
    """The shop's answer to a UBL Order is not an answer the addon reads."""

    code = "ubl_answer_error"


@dataclass(frozen=True)
class OrderAnswer:
    """The shop's synchronous answer to a UBL Order.

    :ivar document: the root element's local name (``"OrderResponse"``...).
    :ivar order_ref: the shop's order number (``cbc:SalesOrderID``), or ``""``.
    :ivar response_code: ``cbc:OrderResponseCode`` as sent (``"AP"``...), or
        ``""``.
    :ivar rejected: the shop refused the order.
    """

    document: str
    order_ref: str = ""
    response_code: str = ""
    rejected: bool = False


def parse_order_answer(body):
    """Read the shop's answer (``body``: the response body, bytes) to a UBL
    Order, through the XML gate (:func:`.xmlsafe.parse_xml`).

    A refusal (``OrderResponseCode`` ``RE`` or ``27``) is an answer with
    ``rejected`` set, whatever its root element.

    :returns: an :class:`OrderAnswer`.
    :raises UnsafeXMLError: hostile, oversized or malformed XML.
    :raises UBLAnswerError: ``unexpected_answer``, a document other than an
        OrderResponse, OrderResponseSimple or ApplicationResponse.
    """
    root = parse_xml(body)
    sales_order = root.xpath("//cbc:SalesOrderID/text()", namespaces=_NS)
    response_code = root.xpath("./cbc:OrderResponseCode/text()", namespaces=_NS)
    code = response_code[0].strip() if response_code else ""
    answer = OrderAnswer(
        document=localname(root),
        order_ref=sales_order[0].strip() if sales_order else "",
        response_code=code,
        rejected=code in REJECTED_CODES,
    )
    if not answer.rejected and answer.document not in ANSWER_DOCUMENTS:
        raise UBLAnswerError(
            _("The webshop answered with an unexpected document <%(document)s>."),
            code="unexpected_answer",
            document=answer.document,
        )
    return answer
