# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Keep punchout return tokens out of the logs.

The token in the return URL is a bearer secret (whoever has it can post a
cart for that session): the HTTP access log must not show it.
"""

import logging
import re

# The token and whatever follows it (a GET cart's query string holds the
# cart itself: card texts, addresses).
TOKEN_IN_PATH = re.compile(r"(/punchout/return/)[^\s\"']+")


class PunchoutTokenFilter(logging.Filter):
    """Redact ``/punchout/return/<token>`` in a record's message."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to fix
            return True
        if "/punchout/return/" in message:
            record.msg = TOKEN_IN_PATH.sub(r"\1[redacted]", message)
            record.args = ()
        return True


def install():
    """Attach the filter to the loggers that print request paths (idempotent)."""
    for name in ("werkzeug", "odoo.http"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, PunchoutTokenFilter) for f in logger.filters):
            logger.addFilter(PunchoutTokenFilter())
