# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""A real HTTP server on loopback playing the webshop's order endpoint."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
