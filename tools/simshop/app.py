"""The Flask application of the simulated Topgeschenken.nl shop."""

import base64
import hmac
import logging
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlsplit

import requests
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
)
from werkzeug.local import LocalProxy

from . import catalogue, cxml, delivery, oci, ubl
from .cart import CartLine, LineError, cart_total, make_line
from .store import Faults, Sessions, Store
from .xmlutil import XMLError, parse_xml, text

_logger = logging.getLogger(__name__)

COOKIE = "simshop_session"
XML_TYPE = "text/xml; charset=utf-8"
LOGIN_KEYS = {"USERNAME", "PASSWORD", "HOOK_URL", "~OKCODE", "~TARGET", "~CALLER"}
TRANSFER_MODES = ("browser", "server")
NO_ODOO_SECRET = (
    "the shop has no secret for its documents to Odoo: start it with "
    "--odoo-secret (the webshop's inbound secret in Odoo)"
)

shop = Blueprint("simshop", __name__)
# The ShopState of the application handling the current request.
state = LocalProxy(lambda: current_app.extensions["simshop"])


@dataclass(frozen=True)
class Config:
    data_dir: str
    oci_user: str = "demo"
    oci_password: str = "demo"
    shared_secret: str = "s3cret"
    # The webshop's *inbound secret* in Odoo (a system administrator sets it
    # and gives it to the shop): what the shop's documents to Odoo carry.
    odoo_secret: str = ""
    odoo_url: str = "http://127.0.0.1:8069"
    oci_format: str = "form"  # form | form-latin1 | xml
    transfer_mode: str = "browser"  # browser | server (the shop posts the cart)
    autosubmit: bool = True
    public_url: str = ""  # base URL in cXML StartPage URLs; default: request host
    slow_seconds: float = 35.0  # the "slow" fault sleeps this long
    start_token_ttl: int = 300
    hook_timeout: float = 30.0
    deliver: str = "none"  # none | mail
    mail_to: str = ""  # the Odoo vendor bills alias address
    mail_from: str = delivery.DEFAULT_FROM
    odoo_db: str = ""
    odoo_login: str = "admin"
    odoo_password: str = "admin"
    odoo_uid: int = 0

    def __post_init__(self):
        if self.oci_format not in oci.FORMATS:
            raise ValueError(f"oci_format must be one of {oci.FORMATS}")
        if self.transfer_mode not in TRANSFER_MODES:
            raise ValueError(f"transfer_mode must be one of {TRANSFER_MODES}")
        if self.deliver not in ("none", "mail"):
            raise ValueError("deliver must be none or mail")


class ShopState:
    def __init__(self, config):
        self.config = config
        self.store = Store(config.data_dir)
        self.sessions = Sessions(config.start_token_ttl)
        self.faults = Faults()
        self.slow_seconds = config.slow_seconds
        self.last_hook_post = None


def create_app(config=None, **overrides):
    """The shop application; ``config`` is a :class:`Config` or a dict."""
    if config is None:
        config = Config(**overrides)
    elif isinstance(config, dict):
        config = Config(**{**config, **overrides})
    elif overrides:
        config = replace(config, **overrides)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
    app.extensions["simshop"] = ShopState(config)
    app.register_blueprint(shop)
    return app


def _is_http_url(url):
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _page(template, status=200, **values):
    return render_template(template, **values), status


def _message(title, message, status):
    return _page("message.html", status, title=title, message=message)


def _xml(body, status=200, **headers):
    return Response(body, status=status, content_type=XML_TYPE, headers=headers)


def _base_url():
    return (state.config.public_url or request.host_url).rstrip("/") + "/"


def _current_session():
    return state.sessions.get(request.cookies.get(COOKIE))


def _start_session(data, target="/catalogue"):
    session_id = state.sessions.create(data)
    response = redirect(target, code=303)
    response.set_cookie(COOKIE, session_id, httponly=True, samesite="Lax", path="/")
    return session_id, response


def _session_lines(session):
    return [CartLine.from_dict(line) for line in session["lines"]]


def _no_session():
    return _message(
        "Geen winkelsessie",
        "Open de winkel vanuit uw inkoopsysteem (OCI of cXML PunchOut).",
        403,
    )


# --- pages -----------------------------------------------------------


@shop.get("/")
def home():
    return render_template(
        "home.html",
        config=state.config,
        base_url=_base_url(),
        formats=oci.FORMATS,
        gifts=catalogue.GIFTS,
    )


@shop.get("/health")
def health():
    return jsonify(status="ok", shop="Topgeschenken SimShop")


@shop.get("/img/<code>.svg")
def image(code):
    gift = catalogue.get(code)
    if gift is None:
        abort(404)
    return Response(catalogue.gift_svg(gift), content_type="image/svg+xml")


# --- OCI login and cXML setup ---------------------------------------


@shop.route("/oci/login", methods=["GET", "POST"])
def oci_login():
    params = {key.upper(): value for key, value in request.values.items()}
    user_ok = hmac.compare_digest(
        params.get("USERNAME", "").encode(), state.config.oci_user.encode()
    )
    password_ok = hmac.compare_digest(
        params.get("PASSWORD", "").encode(), state.config.oci_password.encode()
    )
    if not (user_ok and password_ok):
        return _message(
            "Inloggen mislukt",
            "Onbekende gebruikersnaam of onjuist wachtwoord.",
            403,
        )
    hook_url = params.get("HOOK_URL", "")
    if not _is_http_url(hook_url):
        return _message(
            "Inloggen mislukt", "HOOK_URL ontbreekt of is geen http(s)-adres.", 400
        )
    fmt = request.values.get("format") or state.config.oci_format
    transfer = request.values.get("transfer") or state.config.transfer_mode
    if fmt not in oci.FORMATS or transfer not in TRANSFER_MODES:
        return _message("Inloggen mislukt", "Onbekend formaat.", 400)
    extra = {
        key: value
        for key, value in request.values.items()
        if key.upper() not in LOGIN_KEYS and key not in ("format", "transfer")
    }
    _session_id, response = _start_session(
        {
            "protocol": "oci",
            "username": params["USERNAME"],
            "hook_url": hook_url,
            "format": fmt,
            "transfer": transfer,
            "okcode": params.get("~OKCODE", ""),
            "target": params.get("~TARGET", ""),
            "caller": params.get("~CALLER", ""),
            "extra": extra,
        }
    )
    return response


@shop.post("/cxml/setup")
def cxml_setup():
    try:
        root, req = cxml.parse_request(
            request.get_data(), state.config.shared_secret, "PunchOutSetupRequest"
        )
    except cxml.CXMLRequestError as exc:
        return _xml(cxml.status_response(exc.code, exc.text), exc.code)
    setup = cxml.parse_setup_request(root, req)
    if not _is_http_url(setup["browser_form_post"]):
        text_ = "Bad Request: BrowserFormPost/URL missing or not http(s)"
        return _xml(cxml.status_response(400, text_), 400)
    token = state.sessions.issue_token(setup)
    return _xml(cxml.setup_response(f"{_base_url()}cxml/start/{token}"))


@shop.get("/cxml/start/<token>")
def cxml_start(token):
    setup = state.sessions.redeem_token(token)
    if setup is None:
        return _message(
            "Link ongeldig",
            "Deze startlink is ongeldig, verlopen of al gebruikt.",
            404,
        )
    lines = _setup_lines(setup)
    session_id, response = _start_session(
        {
            "protocol": "cxml",
            "hook_url": setup["browser_form_post"],
            "buyer_cookie": setup["buyer_cookie"],
            "operation": setup["operation"],
            "buyer": setup["from"],
            "extra": setup["extrinsics"],
        },
        "/cart" if lines else "/catalogue",
    )
    state.sessions.update(session_id, lines=lines)
    return response


def _setup_lines(setup):
    """The cart an edit (or inspect) setup request opens with: its ItemOut
    lines as the buyer's system has them now, under their own line
    references (a reference the shop never issued gets a new one); a line
    the shop cannot take (an article it no longer sells) is left out."""
    lines = []
    for item in setup.get("items", []):
        issued = state.store.line_ref(item["ref"]) if _valid_ref(item["ref"]) else None
        gift = catalogue.get(item["code"]) or catalogue.get((issued or {}).get("code"))
        ref = item["ref"] if issued and gift and issued["code"] == gift.code else None
        try:
            line = make_line(
                gift.code if gift else item["code"],
                item["quantity"],
                item["card_text"],
                item["logo"],
                item["location"],
                ref=ref,
            )
        except LineError as exc:
            _logger.info("edit: line %s left out: %s", item["ref"], exc)
            continue
        lines.append(line.to_dict())
    return lines


# --- catalogue and cart ------------------------------------------------


def _catalogue_page(session, error="", status=200):
    return _page(
        "catalogue.html",
        status,
        session=session,
        gifts=catalogue.GIFTS,
        locations=catalogue.LOCATIONS,
        logos=catalogue.LOGO_CHOICES,
        card_max=catalogue.CARD_TEXT_MAX,
        error=error,
    )


@shop.get("/catalogue")
def catalogue_view():
    session = _current_session()
    if session is None:
        return _no_session()
    return _catalogue_page(session)


@shop.post("/cart/add")
def cart_add():
    session = _current_session()
    if session is None:
        return _no_session()
    form = request.form
    try:
        line = make_line(
            form.get("code", ""),
            form.get("quantity", "1"),
            form.get("card_text", ""),
            form.get("logo", ""),
            form.get("location", ""),
        )
    except LineError as exc:
        return _catalogue_page(session, str(exc), 400)
    state.sessions.add_line(session["id"], line.to_dict())
    state.store.remember_lines([line], session["id"])
    return redirect("/cart", code=303)


def _cart_page(session, error="", status=200):
    lines = _session_lines(session)
    vat = {}
    for line in lines:
        rate = line.gift.vat_rate
        vat[rate] = vat.get(rate, Decimal(0)) + line.amount * rate / 100
    vat = {rate: catalogue.money(amount) for rate, amount in sorted(vat.items())}
    total = cart_total(lines)
    return _page(
        "cart.html",
        status,
        session=session,
        lines=lines,
        total=total,
        vat=vat,
        total_incl=total + sum(vat.values(), Decimal(0)),
        formats=oci.FORMATS,
        current_format=session.get("format") or state.config.oci_format,
        locations=catalogue.LOCATIONS,
        logos=catalogue.LOGO_CHOICES,
        error=error,
    )


@shop.get("/cart")
def cart_view():
    session = _current_session()
    if session is None:
        return _no_session()
    return _cart_page(session)


@shop.post("/cart/update/<ref>")
def cart_update(ref):
    """A new quantity for a cart line; it keeps its reference."""
    session = _current_session()
    if session is None:
        return _no_session()
    line = next((x for x in _session_lines(session) if x.ref == ref), None)
    if line is None:
        return _cart_page(session, "Deze regel staat niet in de winkelwagen.", 404)
    try:
        line = make_line(
            line.code,
            request.form.get("quantity", ""),
            line.card_text,
            line.logo,
            line.location,
            ref=line.ref,
        )
    except LineError as exc:
        return _cart_page(session, str(exc), 400)
    state.sessions.replace_line(session["id"], line.to_dict())
    return redirect("/cart", code=303)


@shop.post("/cart/remove/<ref>")
def cart_remove(ref):
    session = _current_session()
    if session is None:
        return _no_session()
    state.sessions.remove_line(session["id"], ref)
    return redirect("/cart", code=303)


@shop.post("/cart/transfer")
def cart_transfer():
    session = _current_session()
    if session is None:
        return _no_session()
    lines = _session_lines(session)
    if not lines and session.get("operation") != "edit":
        # An edited cart may come back empty: the buyer removed everything.
        return _cart_page(session, "De winkelwagen is leeg.", 400)
    fmt = (
        request.values.get("format") or session.get("format") or state.config.oci_format
    )
    mode = (
        request.values.get("transfer")
        or session.get("transfer")
        or state.config.transfer_mode
    )
    if fmt not in oci.FORMATS or mode not in TRANSFER_MODES:
        return _cart_page(session, "Onbekend formaat.", 400)
    if session["protocol"] == "cxml":
        charset = "UTF-8"
        form_fields = [
            (
                "cxml-urlencoded",
                cxml.order_message(
                    lines, session["buyer_cookie"], session.get("buyer")
                ).decode("utf-8"),
            )
        ]
        target = ""
    else:
        charset = oci.CHARSETS[fmt]
        target = session.get("target", "")
        form_fields = oci.build_fields(lines, fmt, session.get("okcode"), target)
    state.store.remember_lines(lines, session["id"])
    if mode == "server":
        result = _post_to_hook(session["hook_url"], form_fields, charset)
        return render_template("server_post.html", result=result, lines=lines)
    autosubmit = request.values.get(
        "autosubmit", "1" if state.config.autosubmit else "0"
    )
    return render_template(
        "transfer.html",
        action=session["hook_url"],
        charset=charset,
        target=target,
        fields=form_fields,
        autosubmit=autosubmit not in ("0", "false", "no"),
    )


def _post_to_hook(url, form_fields, charset):
    """Post the cart form server-side, as the browser would."""
    body = oci.encode_body(form_fields, charset).encode("ascii")
    try:
        reply = requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=state.config.hook_timeout,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return {"ok": False, "error": str(exc), "url": url}
    return {
        "ok": reply.status_code < 400,
        "url": url,
        "status": reply.status_code,
        "location": reply.headers.get("Location", ""),
        "body": reply.text[:2000],
    }


# --- JSON API for tests driving the shop without a browser -------------


@shop.post("/api/oci-cart")
def api_oci_cart():
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error="expected a JSON object"), 400
    hook_url = payload.get("hook_url") or payload.get("HOOK_URL") or ""
    if not _is_http_url(hook_url):
        return jsonify(error="hook_url missing or not http(s)"), 400
    protocol = payload.get("protocol", "oci")
    fmt = payload.get("format") or state.config.oci_format
    if fmt not in oci.FORMATS or protocol not in ("oci", "cxml"):
        return jsonify(error=f"format must be one of {oci.FORMATS}"), 400
    raw_lines = payload.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        return jsonify(error="lines must be a non-empty list"), 400
    lines = []
    for n, raw in enumerate(raw_lines, start=1):
        if not isinstance(raw, dict):
            return jsonify(error=f"line {n}: expected an object"), 400
        ref = raw.get("ref") or None
        if ref and not _valid_ref(ref):
            return jsonify(error=f"line {n}: ref must look like TGP-1A2B3C4D"), 400
        try:
            lines.append(
                make_line(
                    raw.get("vendor_code") or raw.get("code") or "",
                    raw.get("quantity", 1),
                    raw.get("card_text", ""),
                    raw.get("logo", ""),
                    raw.get("location", ""),
                    ref=ref,
                )
            )
        except LineError as exc:
            return jsonify(error=f"line {n}: {exc}"), 400
    if protocol == "cxml":
        charset = "UTF-8"
        message = cxml.order_message(
            lines, str(payload.get("buyer_cookie", "")), payload.get("buyer")
        )
        form_fields = [("cxml-urlencoded", message.decode("utf-8"))]
    else:
        charset = oci.CHARSETS[fmt]
        form_fields = oci.build_fields(
            lines, fmt, payload.get("okcode", ""), payload.get("target", "")
        )
    state.store.remember_lines(lines, "api")
    result = {
        "action": hook_url,
        "method": "post",
        "enctype": "application/x-www-form-urlencoded",
        "accept_charset": charset,
        "protocol": protocol,
        "format": fmt if protocol == "oci" else "cxml",
        "fields": [list(field) for field in form_fields],
        "body": oci.encode_body(form_fields, charset),
        "lines": [
            {"line_no": n, **line.to_dict(), "amount": str(line.amount)}
            for n, line in enumerate(lines, start=1)
        ],
    }
    if payload.get("post"):
        result["hook_response"] = _post_to_hook(hook_url, form_fields, charset)
    return jsonify(result)


# --- orders ------------------------------------------------------------


def _peek_order_id(raw, protocol):
    try:
        root = parse_xml(raw)
    except XMLError:
        return ""
    if protocol == "cxml":
        header = root.find("Request/OrderRequest/OrderRequestHeader")
        return (header.get("orderID", "") if header is not None else "").strip()
    # An OrderChange / OrderCancellation names the order it changes.
    return text(root.find("cac:OrderReference/cbc:ID", ubl.NS)) or text(
        root.find("cbc:ID", ubl.NS)
    )


def _check_mismatches(order):
    mismatches = []
    for line in order["lines"]:
        ref = line.get("line_ref", "")
        issued = state.store.line_ref(ref) if ref else None
        problem = ""
        if not ref:
            problem = "missing_reference"
        elif issued is None:
            problem = "unknown_reference"
        elif issued["code"] != (line.get("vendor_code") or "").upper():
            problem = "vendor_code_mismatch"
        line["ref_ok"] = not problem
        if problem:
            mismatches.append(
                {
                    "line_no": line["line_no"],
                    "line_ref": ref,
                    "vendor_code": line.get("vendor_code", ""),
                    "problem": problem,
                }
            )
    order["mismatches"] = mismatches
    return order


def _receive_order(protocol, parse, respond, error_response):
    """Shared flow of /cxml/order and /ubl/order: faults, idempotency."""
    raw = request.get_data()
    state.store.count_attempt(_peek_order_id(raw, protocol))
    fault = state.faults.take()
    if fault == "down":
        return Response(
            "Service Unavailable",
            503,
            content_type="text/plain",
            headers={"Retry-After": "1"},
        )
    if fault == "error500":
        return Response("Internal Server Error", 500, content_type="text/plain")
    try:
        order = _check_mismatches(parse(raw))
    except (cxml.CXMLRequestError, ubl.UBLRequestError) as exc:
        return error_response(exc.code, exc.text)
    key = request.headers.get("Idempotency-Key", "").strip()
    other = state.store.order_for_idempotency_key(key) if key else None
    if other and other["buyer_order_id"] != order["buyer_order_id"]:
        return error_response(
            409,
            f"Conflict: Idempotency-Key already used for {other['buyer_order_id']}",
        )
    order["protocol"] = protocol
    if order.get("order_type") in ("update", "delete"):
        # A change or a cancellation of an order the shop has: a new version.
        stored, created = state.store.record_version(order, raw, key)
        if stored is None:
            return error_response(
                404, f"Not Found: no order {order['buyer_order_id']} to change"
            )
    else:
        stored, created = state.store.record_order(order, raw, respond, key)
    _logger.info(
        "order %s -> %s (%s)",
        stored["buyer_order_id"],
        stored["supplier_order_id"],
        "new" if created else "replay",
    )
    if fault == "slow":
        time.sleep(state.slow_seconds)
    if fault == "garbage":
        return Response(
            "<html><body>Oeps!<b>Er ging iets mis", 200, content_type="text/html"
        )
    return Response(
        stored["response"]["body"],
        200,
        content_type=stored["response"]["content_type"],
        headers={
            "X-Supplier-Order-Id": stored["supplier_order_id"],
            "X-Idempotent-Replay": "false" if created else "true",
        },
    )


@shop.post("/cxml/order")
def cxml_order():
    def parse(raw):
        _root, req = cxml.parse_request(raw, state.config.shared_secret, "OrderRequest")
        return cxml.parse_order_request(req)

    def respond(_order):
        return XML_TYPE, cxml.status_response(200, "OK")

    def error_response(code, message):
        return _xml(cxml.status_response(code, message), code)

    return _receive_order("cxml", parse, respond, error_response)


def _ubl_authorized():
    """The scheme (``basic`` or ``bearer``) of the request's valid
    credentials, or "" when they are wrong or missing."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        ok = hmac.compare_digest(
            credentials.encode(), state.config.shared_secret.encode()
        )
        return "bearer" if ok else ""
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return ""
        user, _sep, password = decoded.partition(":")
        user_ok = hmac.compare_digest(user.encode(), state.config.oci_user.encode())
        password_ok = hmac.compare_digest(
            password.encode(), state.config.oci_password.encode()
        )
        return "basic" if user_ok and password_ok else ""
    return ""


def _ubl_credentials(scheme):
    """The Authorization header the shop sends Odoo UBL documents with:
    Odoo's inbound secret for this shop (never the credentials Odoo sends
    the shop), as a Bearer token when the order came with one, else as the
    HTTP Basic password."""
    if scheme == "bearer":
        return f"Bearer {state.config.odoo_secret}"
    token = f"{state.config.oci_user}:{state.config.odoo_secret}".encode()
    return f"Basic {base64.b64encode(token).decode('ascii')}"


@shop.post("/ubl/order")
def ubl_order():
    """A UBL 2.1 Order, OrderChange (a new version of an order the shop has)
    or OrderCancellation."""

    def parse(raw):
        scheme = _ubl_authorized()
        if not scheme:
            raise ubl.UBLRequestError(401, "Unauthorized")
        order = ubl.parse_order_document(raw)
        order["auth_scheme"] = scheme
        return order

    def respond(order):
        return "application/xml", ubl.order_response(order)

    def error_response(code, message):
        headers = {}
        if code == 401:
            headers["WWW-Authenticate"] = 'Basic realm="Topgeschenken SimShop"'
        return Response(message, code, content_type="text/plain", headers=headers)

    return _receive_order("ubl", parse, respond, error_response)


# --- admin (test switches, inspection, invoices) --------------------------


@shop.route("/admin/faults", methods=["GET", "POST"])
def admin_faults():
    if request.method == "POST":
        payload = request.get_json(silent=True) or {}
        try:
            state.faults.set(payload.get("mode", "none"), payload.get("count", 1))
            if payload.get("seconds") is not None:
                state.slow_seconds = float(payload["seconds"])
        except (TypeError, ValueError) as exc:
            return jsonify(error=str(exc)), 400
    return jsonify(**state.faults.state(), slow_seconds=state.slow_seconds)


@shop.post("/admin/odoo-secret")
def admin_odoo_secret():
    """Set the inbound secret the shop's documents to Odoo carry (JSON
    ``{"secret": "..."}``), as a system administrator gives a real shop the
    one "Generate inbound secret" showed. The answer does not repeat it."""
    payload = request.get_json(silent=True) or {}
    secret = payload.get("secret")
    if not isinstance(secret, str) or not secret.strip():
        return jsonify(error='give the secret as {"secret": "..."}'), 400
    current = current_app.extensions["simshop"]
    current.config = replace(current.config, odoo_secret=secret.strip())
    return jsonify(ok=True)


@shop.get("/admin/orders")
def admin_orders():
    """The orders received: a page for a browser, JSON for scripts."""
    listing = state.store.list_orders()
    accept = request.accept_mimetypes
    if accept.best_match(["application/json", "text/html"]) == "text/html":
        return render_template("orders.html", listing=listing)
    return jsonify(listing)


@shop.get("/admin/invoices")
def admin_invoices():
    return jsonify(invoices=state.store.list_invoices())


@shop.post("/admin/invoice/<path:order_id>")
def admin_invoice(order_id):
    order = state.store.find_order(order_id)
    if order is None:
        return jsonify(error=f"unknown order {order_id}"), 404
    payload = request.get_json(silent=True) or {}
    credit_note = bool(payload.get("credit_note"))
    try:
        options = {
            "price_delta": Decimal(str(payload.get("price_delta", "0"))),
            "quantity_factor": Decimal(str(payload.get("quantity_factor", "1"))),
            "quantities": dict(payload.get("quantities") or {}),
            "issue_date": date.fromisoformat(payload["issue_date"])
            if payload.get("issue_date")
            else None,
        }
        for value in options["quantities"].values():
            Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        return jsonify(error=f"bad option: {exc}"), 400
    billing_reference = payload.get("billing_reference") or (
        state.store.last_invoice_number(order["supplier_order_id"])
        if credit_note
        else ""
    )
    issue_date = options["issue_date"] or date.today()
    options["issue_date"] = issue_date
    number = state.store.next_invoice_number(credit_note, issue_date.year)
    try:
        rejected = set(order.get("rejected_lines") or ())
        if rejected:
            order = {
                **order,
                "lines": [ln for ln in order["lines"] if ln["line_no"] not in rejected],
            }
        xml, summary = ubl.build_invoice(
            order,
            number,
            credit_note=credit_note,
            billing_reference=billing_reference,
            buyer_reference=payload.get("buyer_reference", ""),
            **options,
        )
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    path = state.store.record_invoice(summary, xml)
    headers = {
        "X-Invoice-Number": number,
        "X-Invoice-Total": summary["payable"],
        "X-Delivery": "none",
    }
    if (payload.get("deliver") or state.config.deliver) == "mail":
        kind = "Creditnota" if credit_note else "Factuur"
        try:
            headers["X-Delivery"] = (
                f"mail:{_deliver_by_mail(number, xml, kind, payload)}"
            )
        except delivery.DeliveryError as exc:
            return jsonify(error=str(exc), invoice_number=number, file=str(path)), 502
    return Response(xml, 200, content_type="application/xml", headers=headers)


ORDER_DOCUMENTS_PATH = "/punchout/cxml/order-documents"
UBL_ORDER_DOCUMENTS_PATH = "/punchout/ubl/order-documents"


def _send_to_odoo(document, fmt="cxml", scheme=""):
    """POST a cXML (or UBL) document to Odoo's order-documents route; return
    (HTTP status, status code, text) of its answer (a cXML Response, or
    plain text for UBL)."""
    path = UBL_ORDER_DOCUMENTS_PATH if fmt == "ubl" else ORDER_DOCUMENTS_PATH
    url = state.config.odoo_url.rstrip("/") + path
    headers = {"Content-Type": XML_TYPE}
    if fmt == "ubl":
        headers = {
            "Content-Type": "application/xml",
            "Authorization": _ubl_credentials(scheme),
        }
    response = requests.post(
        url, data=document, headers=headers, timeout=state.config.hook_timeout
    )
    if fmt == "ubl":
        return response.status_code, str(response.status_code), response.text[:200]
    try:
        status = parse_xml(response.content).find("Response/Status")
        return response.status_code, status.get("code"), status.get("text")
    except (XMLError, AttributeError):
        return response.status_code, "", response.text[:200]


def _document_format(order, payload):
    """``ubl`` or ``cxml``: the JSON option ``format``, else the format the
    order came in."""
    fmt = payload.get("format") or order.get("protocol") or "cxml"
    return fmt if fmt in ("ubl", "cxml") else None


def _document_answer(kind, order, document, fmt="cxml"):
    try:
        http_status, code, status_text = _send_to_odoo(
            document, fmt, order.get("auth_scheme", "")
        )
    except requests.RequestException as exc:
        return jsonify(error=f"Odoo could not be reached: {exc}"), 502
    state.store.note_document(order["supplier_order_id"], kind, http_status)
    return jsonify(
        kind=kind,
        format=fmt,
        order=order["buyer_order_id"],
        odoo_status=http_status,
        cxml_code=code,
        text=status_text,
    ), (200 if http_status == 200 else 502)


def _document_number(order, prefix):
    """A new number for a UBL document about ``order`` (``OR-TG-100001-1``)."""
    return (
        f"{prefix}-{order['supplier_order_id']}-{len(order.get('documents', [])) + 1}"
    )


def _document_request(order_id, default_days):
    """What an admin request for a document to Odoo names: ``(order,
    payload, format, delivery)``, the delivery date ``delivery_days``
    (default ``default_days``) from today; or ``(None, refusal, None,
    None)``: 409 without Odoo's inbound secret, 404 for an unknown order,
    400 for a bad option."""

    def refuse(message, status):
        return None, (jsonify(error=message), status), None, None

    if not state.config.odoo_secret:
        return refuse(NO_ODOO_SECRET, 409)
    order = state.store.find_order(order_id)
    if order is None:
        return refuse(f"unknown order {order_id}", 404)
    payload = request.get_json(silent=True) or {}
    try:
        days = int(payload.get("delivery_days", default_days))
    except (TypeError, ValueError):
        return refuse("delivery_days must be a number", 400)
    fmt = _document_format(order, payload)
    if fmt is None:
        return refuse("format must be cxml or ubl", 400)
    delivery = (date.today() + timedelta(days=days)).isoformat() + "T12:00:00+01:00"
    return order, payload, fmt, delivery


@shop.post("/admin/confirm/<path:order_id>")
def admin_confirm(order_id):
    """Send Odoo a confirmation of an order: a cXML ConfirmationRequest, or a
    UBL OrderResponse for an order that came in UBL. JSON options:
    ``reject_lines`` (line numbers), ``delivery_days`` (from today, default
    10), ``format`` (``cxml`` or ``ubl``, default the order's)."""
    order, payload, fmt, delivery = _document_request(order_id, default_days=10)
    if order is None:
        return payload  # the refusal
    reject_lines = [str(n) for n in payload.get("reject_lines") or ()]
    if fmt == "ubl":
        everything = set(reject_lines) >= {ln["line_no"] for ln in order["lines"]}
        document = ubl.order_response(
            order,
            response_id=_document_number(order, "OR"),
            code="RE" if everything else ("CA" if reject_lines else "AP"),
            reject_lines=reject_lines,
            delivery_date=datetime.fromisoformat(delivery),
            with_lines=True,
        )
    else:
        document = cxml.confirmation_request(
            order,
            state.config.odoo_secret,
            reject_lines=reject_lines,
            delivery_date=delivery,
        )
    answer = _document_answer("confirmation", order, document, fmt)
    if reject_lines and answer[1] == 200:
        # Rejected lines are neither shipped nor invoiced.
        state.store.note_rejected(order["supplier_order_id"], reject_lines)
    return answer


@shop.post("/admin/ship/<path:order_id>")
def admin_ship(order_id):
    """Send Odoo a shipment of an order: a cXML ShipNoticeRequest, or a UBL
    DespatchAdvice for an order that came in UBL. JSON options: ``carrier``
    (default PostNL), ``tracking`` (default generated), ``lines``,
    ``delivery_days`` (default 2), ``format`` (default the order's)."""
    order, payload, fmt, delivery = _document_request(order_id, default_days=2)
    if order is None:
        return payload  # the refusal
    number = order["supplier_order_id"].split("-")[-1]
    options = {
        "shipment_id": f"SHIP-{number}",
        "carrier": payload.get("carrier") or "PostNL",
        "tracking": payload.get("tracking") or f"3STGS{number}NL",
        "lines": payload.get("lines") or _open_lines(order),
    }
    if fmt == "ubl":
        document = ubl.despatch_advice(
            order,
            despatch_id=_document_number(order, "DA"),
            delivery_date=datetime.fromisoformat(delivery),
            **options,
        )
    else:
        document = cxml.ship_notice_request(
            order, state.config.odoo_secret, delivery_date=delivery, **options
        )
    return _document_answer("ship_notice", order, document, fmt)


def _open_lines(order):
    """The line numbers of an order the shop did not reject."""
    rejected = set(order.get("rejected_lines") or ())
    return [
        line["line_no"] for line in order["lines"] if line["line_no"] not in rejected
    ]


def _deliver_by_mail(number, xml, kind, payload):
    mail_to = payload.get("mail_to") or state.config.mail_to
    if not mail_to or not state.config.odoo_db:
        raise delivery.DeliveryError(
            "mail delivery needs --mail-to (the vendor bills alias) and --odoo-db"
        )
    raw = delivery.build_invoice_email(
        number, xml, mail_to, state.config.mail_from, kind
    )
    return delivery.message_process(
        state.config.odoo_url,
        state.config.odoo_db,
        state.config.odoo_login,
        state.config.odoo_password,
        raw,
        uid=state.config.odoo_uid or None,
    )


# --- a cart receiver for manual demos and tests ------------------------------


@shop.post("/demo/hook")
def demo_hook():
    raw = request.get_data().decode("latin-1")
    try:
        charset = "UTF-8"
        received = parse_qsl(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        charset = "ISO-8859-1"  # read as windows-1252, as browsers send it
        received = parse_qsl(raw, keep_blank_values=True, encoding="cp1252")
    state.last_hook_post = {"charset": charset, "fields": received}
    if request.accept_mimetypes.best == "application/json":
        return jsonify(state.last_hook_post)
    return render_template("hook.html", fields=received, charset=charset)


@shop.get("/demo/hook/last")
def demo_hook_last():
    return jsonify(state.last_hook_post or {})


def _valid_ref(ref):
    return (
        isinstance(ref, str)
        and len(ref) == 12
        and ref.startswith("TGP-")
        and all(c in "0123456789ABCDEF" for c in ref[4:])
    )
