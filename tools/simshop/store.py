"""State of the simulated shop.

Persistent (JSON files in the data directory, written atomically under one
lock): orders, invoices, issued line references, counters and attempt
counts. One shop process per data directory.

In memory only: shop sessions, one-time cXML start tokens, fault switches.
"""

import json
import os
import secrets
import threading
import time
from datetime import datetime
from pathlib import Path


def _now():
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


class Store:
    FILES = ("orders", "invoices", "line_refs", "counters")

    def __init__(self, data_dir):
        self.data_dir = Path(data_dir)
        (self.data_dir / "orders").mkdir(parents=True, exist_ok=True)
        (self.data_dir / "invoices").mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self._data = {name: self._load(name) for name in self.FILES}

    # --- persistence ---

    def _path(self, name):
        return self.data_dir / f"{name}.json"

    def _load(self, name):
        try:
            return json.loads(self._path(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, name):
        path = self._path(name)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(
            json.dumps(self._data[name], indent=1, ensure_ascii=False, sort_keys=True),
            encoding="utf-8",
        )
        os.replace(tmp, path)

    def write_file(self, relative, content):
        """Write bytes under the data directory; returns the path."""
        path = self.data_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path

    def _next(self, counter, start):
        counters = self._data["counters"]
        counters[counter] = counters.get(counter, start - 1) + 1
        self._save("counters")
        return counters[counter]

    # --- line references ---

    def remember_lines(self, lines, session_id=""):
        """Record the line references the shop handed out in a cart."""
        with self.lock:
            refs = self._data["line_refs"]
            for line in lines:
                refs[line.ref] = {
                    **line.to_dict(),
                    "session": session_id,
                    "issued_at": refs.get(line.ref, {}).get("issued_at") or _now(),
                }
            self._save("line_refs")

    def line_ref(self, ref):
        with self.lock:
            return self._data["line_refs"].get(ref)

    # --- orders ---

    def count_attempt(self, buyer_order_id):
        if not buyer_order_id:
            return 0
        with self.lock:
            attempts = self._data["counters"].setdefault("attempts", {})
            attempts[buyer_order_id] = attempts.get(buyer_order_id, 0) + 1
            self._save("counters")
            return attempts[buyer_order_id]

    def find_order(self, key):
        """An order by supplier order id or buyer order id."""
        with self.lock:
            orders = self._data["orders"]
            if key in orders:
                return orders[key]
            for order in orders.values():
                if order["buyer_order_id"] == key:
                    return order
            return None

    def order_for_idempotency_key(self, key):
        with self.lock:
            for order in self._data["orders"].values():
                if key and key in order.get("idempotency_keys", []):
                    return order
            return None

    def record_order(self, order, raw, respond, idempotency_key=""):
        """Record ``order`` once per buyer order id.

        :param respond: f(order) -> (content type, body bytes): the response,
            built once with the new supplier order id and kept for replays.
        :returns: (the stored order, created)
        """
        with self.lock:
            existing = self.find_order(order["buyer_order_id"])
            if existing is not None:
                existing["replays"] = existing.get("replays", 0) + 1
                if idempotency_key and idempotency_key not in existing.setdefault(
                    "idempotency_keys", []
                ):
                    existing["idempotency_keys"].append(idempotency_key)
                self._save("orders")
                return existing, False
            number = self._next("supplier_order", 100001)
            supplier_order_id = f"TG-{number:06d}"
            order = {
                **order,
                "supplier_order_id": supplier_order_id,
                "received_at": _now(),
                "idempotency_keys": [idempotency_key] if idempotency_key else [],
                "replays": 0,
                "invoices": [],
                "raw_file": f"orders/{supplier_order_id}.xml",
            }
            content_type, body = respond(order)
            order["response"] = {
                "content_type": content_type,
                "body": body.decode("utf-8"),
            }
            self.write_file(order["raw_file"], raw)
            self._data["orders"][supplier_order_id] = order
            self._save("orders")
            return order, True

    def record_version(self, order, raw, idempotency_key=""):
        """Record an ``update`` or ``delete`` of an order the shop has, once
        per idempotency key. :returns: (the stored order or None, created)"""
        with self.lock:
            existing = self.find_order(order["buyer_order_id"])
            if existing is None:
                return None, False
            keys = existing.setdefault("idempotency_keys", [])
            if idempotency_key and idempotency_key in keys:
                existing["replays"] = existing.get("replays", 0) + 1
                self._save("orders")
                return existing, False
            if idempotency_key:
                keys.append(idempotency_key)
            versions = existing.setdefault("versions", [])
            number = len(versions) + 2
            raw_file = f"orders/{existing['supplier_order_id']}-v{number}.xml"
            versions.append(
                {
                    "version": number,
                    "type": order["order_type"],
                    "received_at": _now(),
                    "raw_file": raw_file,
                }
            )
            if order["order_type"] == "delete":
                existing["status"] = "cancelled"
            else:
                existing["lines"] = order["lines"]
                existing["total"] = order.get("total", existing.get("total"))
                existing["status"] = "changed"
            self.write_file(raw_file, raw)
            self._save("orders")
            return existing, True

    def note_rejected(self, supplier_order_id, line_numbers):
        """Remember the lines the shop rejected (not shipped, not invoiced)."""
        with self.lock:
            order = self._data["orders"].get(supplier_order_id)
            if order is not None:
                rejected = order.setdefault("rejected_lines", [])
                rejected += [n for n in line_numbers if n not in rejected]
                self._save("orders")

    def note_document(self, supplier_order_id, kind, http_status):
        """Remember a confirmation or ship notice sent to the buyer."""
        with self.lock:
            order = self._data["orders"].get(supplier_order_id)
            if order is not None:
                order.setdefault("documents", []).append(
                    {"kind": kind, "sent_at": _now(), "http_status": http_status}
                )
                self._save("orders")

    def list_orders(self):
        with self.lock:
            attempts = self._data["counters"].get("attempts", {})
            orders = [
                {
                    **{k: v for k, v in order.items() if k != "response"},
                    "attempts": attempts.get(order["buyer_order_id"], 0),
                }
                for order in self._data["orders"].values()
            ]
            recorded = {order["buyer_order_id"] for order in orders}
            return {
                "orders": sorted(orders, key=lambda o: o["supplier_order_id"]),
                "unrecorded_attempts": {
                    key: n for key, n in attempts.items() if key not in recorded
                },
            }

    # --- invoices ---

    def next_invoice_number(self, credit_note=False, year=None):
        with self.lock:
            prefix = "TGC" if credit_note else "TGF"
            year = year or datetime.now().year
            number = self._next(f"{prefix}-{year}", 1)
            return f"{prefix}-{year}-{number:05d}"

    def record_invoice(self, summary, xml):
        with self.lock:
            path = self.write_file(f"invoices/{summary['number']}.xml", xml)
            self._data["invoices"][summary["number"]] = {
                **summary,
                "file": str(path),
                "created_at": _now(),
            }
            order = self._data["orders"].get(summary["supplier_order_id"])
            if order is not None:
                order.setdefault("invoices", []).append(summary["number"])
                self._save("orders")
            self._save("invoices")
            return path

    def last_invoice_number(self, supplier_order_id):
        with self.lock:
            order = self._data["orders"].get(supplier_order_id) or {}
            for number in reversed(order.get("invoices", [])):
                if self._data["invoices"].get(number, {}).get("type") == "invoice":
                    return number
            return ""

    def list_invoices(self):
        with self.lock:
            return sorted(self._data["invoices"].values(), key=lambda i: i["number"])


class Sessions:
    """Shop sessions (server-side, keyed by a random id in a cookie) and the
    one-time tokens of cXML start pages."""

    def __init__(self, token_ttl=300):
        self.lock = threading.Lock()
        self.token_ttl = token_ttl
        self._sessions = {}
        self._tokens = {}

    def create(self, data):
        session_id = secrets.token_urlsafe(24)
        with self.lock:
            self._sessions[session_id] = {
                **data,
                "id": session_id,
                "lines": [],
                "created_at": _now(),
            }
        return session_id

    def get(self, session_id):
        with self.lock:
            return self._sessions.get(session_id or "")

    def update(self, session_id, **values):
        with self.lock:
            self._sessions[session_id].update(values)

    def add_line(self, session_id, line):
        with self.lock:
            session = self._sessions[session_id]
            session["lines"] = [*session["lines"], line]

    def replace_line(self, session_id, line):
        """Put ``line`` in the place of the line with its reference."""
        with self.lock:
            session = self._sessions[session_id]
            session["lines"] = [
                line if x["ref"] == line["ref"] else x for x in session["lines"]
            ]

    def remove_line(self, session_id, ref):
        with self.lock:
            session = self._sessions[session_id]
            session["lines"] = [x for x in session["lines"] if x["ref"] != ref]

    def issue_token(self, data):
        token = secrets.token_urlsafe(24)
        with self.lock:
            self._tokens[token] = (time.monotonic() + self.token_ttl, data)
        return token

    def redeem_token(self, token):
        """The data of a start token, once; None if unknown, used or expired."""
        with self.lock:
            expires, data = self._tokens.pop(token, (0, None))
        if data is None or time.monotonic() > expires:
            return None
        return data


class Faults:
    """Switches that make the next order requests fail on purpose."""

    MODES = ("none", "down", "slow", "error500", "garbage")

    def __init__(self):
        self.lock = threading.Lock()
        self.mode = "none"
        self.remaining = 0

    def set(self, mode, count=1):
        if mode not in self.MODES:
            raise ValueError(f"mode must be one of {', '.join(self.MODES)}")
        count = int(count)
        if count < 0:
            raise ValueError("count must be 0 or more")
        with self.lock:
            self.mode = "none" if mode == "none" or not count else mode
            self.remaining = 0 if self.mode == "none" else count

    def take(self):
        """The fault for this request ("none" if none), counting it down."""
        with self.lock:
            if self.mode == "none" or self.remaining <= 0:
                return "none"
            self.remaining -= 1
            mode = self.mode
            if not self.remaining:
                self.mode = "none"
            return mode

    def state(self):
        with self.lock:
            return {"mode": self.mode, "remaining": self.remaining}
