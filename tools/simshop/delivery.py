"""Deliver an invoice to Odoo the way a real supplier's e-mail would arrive.

The shop builds a MIME message with the UBL file attached and hands it to
Odoo's mail gateway exactly as Odoo's ``odoo-mailgate.py`` script does: an
XML-RPC ``execute_kw(db, uid, password, 'mail.thread', 'message_process',
[False, Binary(message)], {})`` on ``/xmlrpc/2/object``. Odoo then routes
the message by its To address (the vendor bills journal's alias) and
imports the attachment.
"""

import xmlrpc.client
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

DEFAULT_FROM = "facturen@topgeschenken.example"
TIMEOUT = 30


class DeliveryError(RuntimeError):
    pass


def build_invoice_email(number, xml, to, sender=DEFAULT_FROM, kind="Factuur"):
    """The RFC 5322 message (str) carrying invoice ``number`` as attachment."""
    message = EmailMessage()
    message["From"] = f"Topgeschenken B.V. <{sender}>"
    message["To"] = to
    message["Subject"] = f"{kind} {number}"
    message["Date"] = formatdate(localtime=True)
    message["Message-Id"] = make_msgid(
        idstring=number, domain=sender.rsplit("@", 1)[-1]
    )
    message.set_content(
        f"Geachte heer/mevrouw,\n\nIn de bijlage vindt u {kind.lower()} {number} "
        "als UBL-bestand (NLCIUS).\n\nMet vriendelijke groet,\nTopgeschenken B.V.\n"
    )
    message.add_attachment(
        xml, maintype="application", subtype="xml", filename=f"{number}.xml"
    )
    return message.as_string()


class _TimeoutTransport(xmlrpc.client.Transport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = TIMEOUT
        return connection


class _TimeoutSafeTransport(xmlrpc.client.SafeTransport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = TIMEOUT
        return connection


def _proxy(url):
    secure = url.startswith("https://")
    transport = _TimeoutSafeTransport() if secure else _TimeoutTransport()
    return xmlrpc.client.ServerProxy(url, allow_none=True, transport=transport)


def message_process(odoo_url, db, login, password, raw_email, uid=None):
    """Hand ``raw_email`` to Odoo's mail gateway; returns what Odoo returns
    (the id of the record the message was attached to).

    ``uid`` as odoo-mailgate's ``--userid``; without it the uid is looked up
    with ``common.authenticate(db, login, password, {})``.
    """
    base = odoo_url.rstrip("/")
    try:
        if not uid:
            uid = _proxy(f"{base}/xmlrpc/2/common").authenticate(
                db, login, password, {}
            )
            if not uid:
                raise DeliveryError(f"Odoo refused the login {login!r} on {db!r}")
        models = _proxy(f"{base}/xmlrpc/2/object")
        return models.execute_kw(
            db,
            uid,
            password,
            "mail.thread",
            "message_process",
            [False, xmlrpc.client.Binary(raw_email.encode("utf-8"))],
            {},
        )
    except xmlrpc.client.Fault as exc:
        raise DeliveryError(f"Odoo mail gateway fault: {exc.faultString}") from exc
    except xmlrpc.client.ProtocolError as exc:
        raise DeliveryError(
            f"Odoo answered HTTP {exc.errcode} {exc.errmsg} on {exc.url}"
        ) from exc
    except OSError as exc:
        raise DeliveryError(f"Odoo not reachable at {base}: {exc}") from exc
