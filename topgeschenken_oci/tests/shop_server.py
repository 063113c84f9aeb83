# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Real HTTP servers on loopback playing the webshop: ``FakeShop`` (a
scripted order endpoint) and ``SimShop`` (the repository's simulated shop,
``tools/simshop``, served in a thread)."""

import importlib.util
import re
import shutil
import socket
import sys
import tempfile
import threading
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

OK_CXML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<cXML payloadID="1@shop" timestamp="2026-11-28T10:00:00+00:00">'
    b'<Response><Status code="200" text="OK"/></Response></cXML>'
)


def cxml_status(code, text, message=""):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><cXML payloadID="2@shop" '
        f'timestamp="2026-11-28T10:00:00+00:00"><Response><Status code="{code}" '
        f'text="{text}">{message}</Status></Response></cXML>'
    ).encode()


class FakeShop:
    """Records every request; answers from a script, else with ``default``.

    Orders are kept by order number, as a real shop with idempotency does:
    ``orders`` holds each distinct order once, ``requests`` every attempt.
    """

    def __init__(self):
        self.requests = []
        self.orders = {}
        self.script = []
        self.default = (200, OK_CXML, {"X-Supplier-Order-Id": "TG-100001"})
        self.setup_answer = (200, b"", {})
        self.lock = threading.Lock()
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with shop.lock:
                    shop.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    if self.path.endswith("/cxml/setup"):
                        answer = shop.setup_answer
                    else:
                        answer = shop.script.pop(0) if shop.script else shop.default
                if answer == "drop":
                    # The order is placed, but the answer is lost on the way.
                    with shop.lock:
                        shop.orders.setdefault(
                            self.headers.get("Idempotency-Key"), body
                        )
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, payload, headers = answer
                if 200 <= status < 300:
                    key = self.headers.get("Idempotency-Key")
                    with shop.lock:
                        shop.orders.setdefault(key, body)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self):
        return f"{self.base_url}/cxml/order"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.orders.clear()
            self.script.clear()


SIMSHOP_DIR = Path(__file__).resolve().parents[2] / "tools" / "simshop"
SIMSHOP_MODULE = "topgeschenken_simshop"
INPUT = re.compile(r"<input\b[^>]*>", re.I)
ATTR = re.compile(r'(\w[\w~-]*)="([^"]*)"')
FORM = re.compile(r"<form\b([^>]*)>", re.I)


def load_simshop():
    """The simulated shop package of this repository (``tools/simshop``, a
    developer tool outside the addon), imported under its own name."""
    if SIMSHOP_MODULE in sys.modules:
        return sys.modules[SIMSHOP_MODULE]
    spec = importlib.util.spec_from_file_location(
        SIMSHOP_MODULE,
        SIMSHOP_DIR / "__init__.py",
        submodule_search_locations=[str(SIMSHOP_DIR)],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[SIMSHOP_MODULE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[SIMSHOP_MODULE]
        raise
    return module


def form_fields(html, form_id=None):
    """``(action, [(name, value)])`` of the (first, or ``form_id``) form of
    a page: what a browser would submit."""
    starts = [m for m in FORM.finditer(html)]
    for match in starts:
        attrs = dict(ATTR.findall(match.group(1)))
        if form_id and attrs.get("id") != form_id:
            continue
        end = html.find("</form>", match.end())
        body = html[match.end() : end if end >= 0 else None]
        fields = []
        for tag in INPUT.findall(body):
            values = dict(ATTR.findall(tag))
            if "name" in values:
                fields.append(
                    (unescape(values["name"]), unescape(values.get("value", "")))
                )
        return unescape(attrs.get("action", "")), fields
    raise AssertionError(f"no form {form_id or ''} on the page: {html[:300]}")


class SimShop:
    """The simulated Topgeschenken shop on loopback, and a browser for it.

    ``browser`` is the buyer's browser at the shop (its own cookies); the
    cart comes back to Odoo through the test's ``_post_cart``, cross-site.
    """

    def __init__(self, **config):
        from werkzeug.serving import make_server

        self.data_dir = tempfile.mkdtemp(prefix="tgoci-simshop-")
        self.app = load_simshop().create_app(data_dir=self.data_dir, **config)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.browser = requests.Session()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.browser.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def new_browser(self):
        self.browser.close()
        self.browser = requests.Session()
        return self.browser

    def open(self, url, data=None):
        """The buyer's browser goes to the shop (GET, or POST ``data``)."""
        if data is None:
            response = self.browser.get(url, timeout=30)
        else:
            response = self.browser.post(url, data=data, timeout=30)
        response.raise_for_status()
        return response

    def cart_refs(self):
        """``{reference: (vendor code, quantity)}`` of the cart in the shop."""
        page = self.open(f"{self.base_url}/cart").text
        refs = {}
        for ref, code, quantity in re.findall(
            r'data-ref="([^"]+)">\s*<td>[^<]*<br><span class="meta">([^<]+)</span>'
            r'.*?name="quantity"[^>]*value="([^"]+)"',
            page,
            re.S,
        ):
            refs[ref] = (code, quantity)
        return refs

    def add(self, code, quantity=1, card_text="", logo="NONE", location="LOC-UTR"):
        return self.open(
            f"{self.base_url}/cart/add",
            {
                "code": code,
                "quantity": str(quantity),
                "card_text": card_text,
                "logo": logo,
                "location": location,
            },
        )

    def update(self, ref, quantity):
        return self.open(f"{self.base_url}/cart/update/{ref}", {"quantity": quantity})

    def remove(self, ref):
        return self.open(f"{self.base_url}/cart/remove/{ref}", {})

    def transfer(self):
        """The shop's transfer page: ``(action, fields)`` of the cart form."""
        page = self.open(f"{self.base_url}/cart/transfer", {"transfer": "browser"})
        return form_fields(page.text, "oci-transfer")
