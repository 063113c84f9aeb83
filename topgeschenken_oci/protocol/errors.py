"""Exceptions raised by the protocol code.

Every error carries a stable ``code`` (for logs, tests and support) and an
English ``message`` with ``%(name)s`` placeholders filled from ``params``; the
addon translates the message before showing it to a user.

Messages are literals wrapped in ``_()`` (below): a no-op here, it only marks
them for Odoo's translation extractor, which picks up the calls named ``_``.
"""


def _(message):
    """Mark ``message`` as translatable; return it unchanged.

    The protocol code does not import Odoo: the addon translates
    ``error.message`` (with ``error.params``) when it shows the error.
    """
    return message


class ProtocolError(ValueError):
    """Base class: a document that cannot be used as it is."""

    code = "protocol_error"

    def __init__(self, message, code=None, **params):
        self.message = message
        self.params = params
        if code:
            self.code = code
        super().__init__(self.text)

    @property
    def text(self):
        try:
            return self.message % self.params if self.params else self.message
        except (KeyError, TypeError, ValueError):
            return self.message


class CartError(ProtocolError):
    """A returned cart (OCI form, OCI XML or cXML) is unusable."""

    code = "cart_error"


class UnsafeXMLError(ProtocolError):
    """XML that is too large, too deep, or declares entities or a DTD."""

    code = "unsafe_xml"


class CXMLError(ProtocolError):
    """A cXML document or response that cannot be used."""

    code = "cxml_error"


class UBLError(ProtocolError):
    """A UBL 2.1 ordering document (built or received) that cannot be used."""

    code = "ubl_error"
