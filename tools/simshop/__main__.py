"""Command line: ``python -m tools.simshop [options]`` (from the repo root)."""

import argparse
import logging
import re
import tempfile
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, run_simple

from . import oci
from .app import TRANSFER_MODES, Config, create_app
from .delivery import DEFAULT_FROM

SECRET_PARAM = re.compile(r"(?i)(password=)[^&\s\"]*")


class RedactingRequestHandler(WSGIRequestHandler):
    """The access log without the PASSWORD of OCI login URLs."""

    def log(self, type, message, *args):
        args = tuple(
            SECRET_PARAM.sub(r"\1***", arg) if isinstance(arg, str) else arg
            for arg in args
        )
        super().log(type, message, *args)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tools.simshop",
        description="Simulated Topgeschenken.nl OCI/cXML punchout shop.",
    )
    add = parser.add_argument
    add("--host", default="localhost", help="interface to bind (default %(default)s)")
    add("--port", type=int, default=8079, help="port (default %(default)s)")
    add(
        "--data-dir",
        default=str(Path(tempfile.gettempdir()) / "topgeschenken-simshop"),
        help="where orders, invoices and state are kept (default %(default)s)",
    )
    add("--oci-user", default="demo", help="OCI USERNAME and UBL Basic user")
    add("--oci-password", default="demo", help="OCI PASSWORD and UBL Basic password")
    add("--shared-secret", default="s3cret", help="cXML SharedSecret, UBL Bearer")
    add(
        "--odoo-secret",
        default="",
        help="the webshop's inbound secret in Odoo: the SharedSecret / UBL "
        "Bearer token (or Basic password) of the shop's documents to Odoo",
    )
    add("--odoo-url", default="http://127.0.0.1:8069", help="the Odoo server")
    add("--oci-format", choices=oci.FORMATS, default="form", help="OCI cart format")
    add(
        "--transfer-mode",
        choices=TRANSFER_MODES,
        default="browser",
        help="browser: auto-submitting form; server: the shop posts the cart",
    )
    add("--no-autosubmit", action="store_true", help="transfer page waits for a click")
    add("--public-url", default="", help="base URL in cXML StartPage URLs")
    add("--slow-seconds", type=float, default=35.0, help="delay of the slow fault")
    add("--deliver", choices=("none", "mail"), default="none", help="invoice delivery")
    add(
        "--mail-to",
        default="",
        help="Odoo vendor bills alias, e.g. bills@company.example",
    )
    add("--mail-from", default=DEFAULT_FROM, help="sender of invoice mails")
    add("--odoo-db", default="", help="Odoo database (mail delivery)")
    add("--odoo-login", default="admin", help="Odoo login (mail delivery)")
    add("--odoo-password", default="admin", help="Odoo password or API key")
    add("--odoo-uid", type=int, default=0, help="Odoo user id; skips authenticate")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    config = Config(
        data_dir=args.data_dir,
        oci_user=args.oci_user,
        oci_password=args.oci_password,
        shared_secret=args.shared_secret,
        odoo_secret=args.odoo_secret,
        odoo_url=args.odoo_url,
        oci_format=args.oci_format,
        transfer_mode=args.transfer_mode,
        autosubmit=not args.no_autosubmit,
        public_url=args.public_url,
        slow_seconds=args.slow_seconds,
        deliver=args.deliver,
        mail_to=args.mail_to,
        mail_from=args.mail_from,
        odoo_db=args.odoo_db,
        odoo_login=args.odoo_login,
        odoo_password=args.odoo_password,
        odoo_uid=args.odoo_uid,
    )
    app = create_app(config)
    logging.getLogger(__name__).info(
        "Topgeschenken SimShop on http://%s:%s/ (data in %s)",
        args.host,
        args.port,
        args.data_dir,
    )
    run_simple(
        args.host,
        args.port,
        app,
        threaded=True,
        use_reloader=False,
        request_handler=RedactingRequestHandler,
    )


if __name__ == "__main__":
    main()
