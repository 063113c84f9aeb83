# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import logging
import secrets
from urllib.parse import urlsplit

import requests

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..const import MANAGER
from ..protocol import cxml, oci, pinned_http
from ..protocol.errors import ProtocolError

_logger = logging.getLogger(__name__)

# Where Odoo sends requests on its own: set by system administrators only.
OUTGOING_URL_FIELDS = ("catalog_url", "order_url")
ALLOW_PRIVATE_URLS = "topgeschenken_oci.allow_private_urls"

OCI_AUX_FIELDS = [
    ("CUST_FIELD1", "CUST_FIELD1"),
    ("CUST_FIELD2", "CUST_FIELD2"),
    ("CUST_FIELD3", "CUST_FIELD3"),
    ("CUST_FIELD4", "CUST_FIELD4"),
    ("CUST_FIELD5", "CUST_FIELD5"),
    ("EXT_QUOTE_ITEM", "EXT_QUOTE_ITEM"),
    ("EXT_QUOTE_ID", "EXT_QUOTE_ID"),
    ("EXT_PRODUCT_ID", "EXT_PRODUCT_ID"),
]


class PunchoutWebshop(models.Model):
    """A webshop the company punches out to, and how to talk to it."""

    _name = "punchout.webshop"
    _description = "Webshop connection (OCI / cXML punchout)"
    _inherit = ["mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(
        default=True,
        tracking=True,
        help="Only active suppliers can be punched out to. The shipped "
        "Topgeschenken.nl record stays inactive until its credentials are set.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Vendor",
        required=True,
        tracking=True,
        check_company=True,
        help="The vendor the RFQs from this webshop are made out to.",
    )
    protocol = fields.Selection(
        [("oci", "OCI (browser form)"), ("cxml", "cXML (server-side set-up)")],
        required=True,
        default="oci",
        tracking=True,
        help="OCI: the browser posts the login form to the shop, so the shop's "
        "user name and password reach the browser. cXML: Odoo sends a "
        "PunchOutSetupRequest server to server and no credential reaches the "
        "browser.",
    )
    catalog_url = fields.Char(
        string="Catalogue / set-up URL",
        required=True,
        tracking=True,
        help="OCI: the shop's OCI login URL. cXML: the PunchOutSetupRequest URL.",
    )
    http_method = fields.Selection(
        [("post", "POST"), ("get", "GET")],
        default="post",
        required=True,
        string="HTTP method",
    )
    oci_version = fields.Selection(
        [("4.0", "OCI 4.0"), ("5.0", "OCI 5.0")],
        default="4.0",
        required=True,
        string="OCI version",
    )
    credential_scope = fields.Selection(
        [("company", "Shared by the company"), ("user", "Per orderer")],
        default="company",
        required=True,
        help="Per orderer: each allowed user logs in with the shop account "
        "set on their orderer line; users without one use the shared account.",
        string="Credential scope",
    )
    oci_username = fields.Char(string="OCI user name", groups=MANAGER)
    oci_password = fields.Char(string="OCI password", groups=MANAGER, copy=False)
    cxml_from_domain = fields.Char(string="From domain", default="NetworkID")
    cxml_from_identity = fields.Char(string="From identity")
    cxml_to_domain = fields.Char(string="To domain", default="NetworkID")
    cxml_to_identity = fields.Char(string="To identity")
    cxml_sender_domain = fields.Char(string="Sender domain", default="NetworkID")
    cxml_sender_identity = fields.Char(string="Sender identity")
    cxml_shared_secret = fields.Char(string="Shared secret", groups=MANAGER, copy=False)
    cxml_user_agent = fields.Char(default="Odoo topgeschenken_oci", string="User agent")
    inbound_secret = fields.Char(
        string="Inbound secret",
        groups="base.group_system",
        copy=False,
        help="What the shop proves itself with when it sends its order "
        "confirmations and ship notices: the SharedSecret of its cXML Sender "
        "credential, or the Bearer token (or HTTP Basic password) of its UBL "
        "documents. Separate from the credentials Odoo sends the shop, and "
        "only system administrators can read or set it. Empty: the shop's "
        "documents are refused.",
    )
    extra_param_ids = fields.One2many(
        "punchout.webshop.param",
        "webshop_id",
        string="Extra call parameters",
        help="Static parameters added to the OCI call (for example a catalogue "
        "or language code the shop expects).",
    )
    return_charset = fields.Selection(
        [("utf-8", "UTF-8"), ("iso-8859-1", "ISO-8859-1 (Latin-1)")],
        string="Cart encoding",
        default="utf-8",
        required=True,
        help="The encoding of a returned cart whose request names none.",
    )
    aux_id_field = fields.Selection(
        OCI_AUX_FIELDS,
        string="Line reference field (OCI)",
        default="CUST_FIELD5",
        help="The OCI field holding the shop's own line reference, which the "
        "order sent to the shop must echo (cXML always uses "
        "SupplierPartAuxiliaryID).",
    )
    card_text_field = fields.Selection(
        OCI_AUX_FIELDS, default="CUST_FIELD1", string="Card text field"
    )
    logo_field = fields.Selection(
        OCI_AUX_FIELDS, default="CUST_FIELD2", string="Logo field"
    )
    location_field = fields.Selection(
        OCI_AUX_FIELDS, default="CUST_FIELD3", string="Delivery location field"
    )
    tax_rate_field = fields.Selection(
        OCI_AUX_FIELDS,
        string="VAT rate field",
        help="The OCI field in which the shop states each line's VAT percentage "
        "(9, 21...). Products created from the cart get the purchase tax of "
        "that rate; lines of other products are flagged when their tax "
        "differs. cXML carts state it in each item's Tax.",
    )
    unit_alias_ids = fields.One2many(
        "punchout.uom.alias", "webshop_id", string="Unit code aliases"
    )
    nzi_mapping_ids = fields.One2many(
        "punchout.nzi.code", "webshop_id", string="NZI code mapping"
    )
    default_categ_id = fields.Many2one(
        "product.category",
        string="Default product category",
        help="Category of products created from carts when no NZI mapping names one.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Shop currency",
        help="The currency the shop quotes in; empty: the company's currency "
        "(read when a cart comes back, so a record made before the company's "
        "chart of accounts is still right). A cart in another currency is "
        "imported as it says, but flagged on the RFQ: a shop that sends a "
        "default currency (USD) with its euro prices must not pass unseen.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        string="Shipping product",
        check_company=True,
        domain="[('type', '=', 'service'), ('purchase_ok', '=', True)]",
        help="The service product of the shipping a cXML cart charges in its "
        "header: the RFQ gets a line of it. Without one, the charge is only "
        "noted on the RFQ.",
    )
    allow_create_products = fields.Boolean(
        string="Create unknown products",
        default=True,
        help="Create a product (with this vendor's code) for cart lines no "
        "product matches. When off, such carts are refused.",
    )
    session_lifetime = fields.Integer(
        string="Session lifetime (minutes)",
        default=120,
        help="How long a returned cart is accepted after the punchout started.",
    )

    order_format = fields.Selection(
        [
            ("none", "Do not send orders"),
            ("cxml", "cXML OrderRequest"),
            ("ubl", "UBL 2.1 / Peppol BIS Order 3"),
        ],
        default="none",
        required=True,
        tracking=True,
        help="How a confirmed order from this webshop's cart is sent to it. "
        "New webshops send nothing until this is set (the shipped "
        "Topgeschenken.nl record sends cXML).",
        string="Order format",
    )
    order_url = fields.Char(
        string="Order URL",
        tracking=True,
        help="Where confirmed orders are POSTed (the shop's order endpoint).",
    )
    order_auth = fields.Selection(
        [
            ("none", "None (a cXML order carries the shared secret)"),
            ("basic", "HTTP Basic with the OCI user name and password"),
            ("bearer", "Bearer token: the shared secret"),
        ],
        string="Order authentication",
        default="none",
        required=True,
    )
    order_timeout = fields.Integer(
        string="Order timeout (s)",
        default=30,
        help="How long to wait for the shop's answer before trying again.",
    )
    order_max_attempts = fields.Integer(
        string="Attempts before giving up",
        default=8,
        help="Attempts while the shop is down or answers 5xx (with back-off "
        "1, 2, 5, 10, 30, 60 minutes, then hourly) before the order is marked "
        "failed and the buyer gets an activity.",
    )

    # Business account: who may order, and how the cards are made
    orderer_ids = fields.One2many(
        "webshop.orderer",
        "webshop_id",
        string="Orderers",
        help="Who may punch out to this webshop. Empty: every purchase user.",
    )
    card_text_max_length = fields.Integer(
        string="Card text length",
        default=250,
        help="The longest greeting card text the shop accepts (characters).",
    )
    company_logo_code = fields.Char(
        string="Company logo code",
        default="COMPANY",
        help="The shop's code for the company logo of the business account: "
        "sent for cards without another logo chosen.",
    )

    # Invoice matching: how strictly this webshop's e-invoices must match
    # the orders
    match_price_tolerance_percent = fields.Float(
        string="Price tolerance (%)",
        digits=(16, 2),
        help="An invoiced unit price within this percentage of the order's "
        "price still matches. With an absolute tolerance as well, the larger "
        "of the two applies. 0: the price must be exact.",
    )
    match_price_tolerance_amount = fields.Float(
        string="Price tolerance (amount)",
        digits="Product Price",
        help="An invoiced unit price within this amount (in the invoice's "
        "currency) of the order's price still matches.",
    )
    match_qty_tolerance_percent = fields.Float(
        string="Quantity tolerance (%)",
        digits=(16, 2),
        help="A line may invoice this percentage more than is left to invoice "
        "(received and not yet invoiced for stocked products, ordered and not "
        "yet invoiced otherwise). 0: never more.",
    )
    match_auto_post = fields.Boolean(
        string="Auto-post when fully matched",
        help="Post an imported bill at once when every line matches its "
        "order within the tolerances. Bills that need review stay draft.",
    )

    _session_lifetime_positive = models.Constraint(
        "CHECK(session_lifetime > 0)",
        "The session lifetime must be positive.",
    )
    _card_text_max_length_positive = models.Constraint(
        "CHECK(card_text_max_length > 0)",
        "The card text length must be positive.",
    )
    _match_tolerances_positive = models.Constraint(
        "CHECK(match_price_tolerance_percent >= 0 AND match_price_tolerance_amount >= 0"
        " AND match_qty_tolerance_percent >= 0)",
        "Matching tolerances cannot be negative.",
    )

    @api.constrains("catalog_url")
    def _check_catalog_url(self):
        for supplier in self:
            url = (supplier.catalog_url or "").strip().lower()
            if not url.startswith(("https://", "http://")):
                raise ValidationError(
                    self.env._(
                        "The catalogue URL of %(name)s must start with https:// "
                        "(or http:// for a test shop).",
                        name=supplier.name,
                    )
                )
            supplier._check_url_readable(supplier.catalog_url)

    @api.constrains("order_url")
    def _check_order_url(self):
        for supplier in self.filtered("order_url"):
            if (
                not supplier.order_url.strip()
                .lower()
                .startswith(("https://", "http://"))
            ):
                raise ValidationError(
                    self.env._(
                        "The order URL of %(name)s must start with https:// "
                        "(or http:// for a test shop).",
                        name=supplier.name,
                    )
                )
            supplier._check_url_readable(supplier.order_url)

    def _check_url_readable(self, url):
        """Refuse, when it is saved, a URL the server could not call (a port
        or host name it cannot read) or that carries a user name and
        password (``https://user:pw@shop/``): the URL is readable by every
        purchase user and tracked in the chatter, so credentials go in the
        webshop's credential fields, never in a URL."""
        self.ensure_one()
        try:
            pinned_http.split_url(url.strip())
        except ValueError as error:
            raise ValidationError(
                self.env._(
                    "%(url)s is not an http(s) URL with a valid host name and port.",
                    url=url,
                )
            ) from error
        if "@" in (urlsplit(url.strip()).netloc or ""):
            raise ValidationError(
                self.env._(
                    "The URLs of %(name)s cannot carry a user name or password "
                    "(everyone who reads the webshop sees them): use the OCI "
                    "login, the shared secret or the order authentication.",
                    name=self.name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get(f) for vals in vals_list for f in OUTGOING_URL_FIELDS):
            self._check_may_set_urls()
        return super().create(vals_list)

    def write(self, vals):
        if any(f in vals for f in OUTGOING_URL_FIELDS):
            self._check_may_set_urls()
        return super().write(vals)

    @api.model
    def _check_may_set_urls(self):
        """The server calls these URLs itself (cXML set-up, orders): only a
        system administrator may point it somewhere."""
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._(
                    "Only system administrators can set the webshop's catalogue "
                    "and order URLs."
                )
            )

    def action_generate_inbound_secret(self):
        """Give the webshop a new random inbound secret (256 bits,
        URL-safe base64) and show it once, as Odoo shows a new API key: the
        system administrator copies it to the shop; it cannot be read back
        from the dialog later (the field stays a password field).

        :raises AccessError: the user is not a system administrator.
        """
        self.ensure_one()
        if not self.env.is_system():
            raise AccessError(
                self.env._(
                    "Only system administrators can set the webshop's inbound secret."
                )
            )
        secret = secrets.token_urlsafe(32)
        self.inbound_secret = secret
        self.message_post(
            body=self.env._(
                "%(user)s generated a new inbound secret: the shop's documents "
                "need it from now on.",
                user=self.env.user.name,
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Inbound secret of %(shop)s", shop=self.name),
            "res_model": "punchout.inbound.secret.show",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_webshop_id": self.id, "default_secret": secret},
        }

    @api.model
    def _allow_private_urls(self):
        """True when the system parameter
        ``topgeschenken_oci.allow_private_urls`` lets the server call
        internal addresses (the tests and the demo, on loopback)."""
        value = self.env["ir.config_parameter"].sudo().get_param(ALLOW_PRIVATE_URLS)
        return str(value or "").lower() in ("1", "true", "yes")

    @api.model
    def _check_outgoing_url(self, url):
        """Refuse a URL the server must not call: not http(s), or a host
        any of whose addresses is loopback, link-local, private or
        otherwise internal (unless ``_allow_private_urls``).

        :returns: the checked addresses (tuple of str), resolved once.
        :raises UserError: with the reason, in the user's language.
        """
        try:
            __, host, port = pinned_http.split_url(url)
        except ValueError as error:
            raise UserError(
                self.env._(
                    "%(url)s is not an http(s) URL with a valid host name and port.",
                    url=url,
                )
            ) from error
        try:
            return pinned_http.resolve_checked(
                host, port, allow_private=self._allow_private_urls()
            )
        except pinned_http.UnresolvableHostError as error:
            raise UserError(
                self.env._("The host of %(url)s cannot be resolved.", url=host)
            ) from error
        except pinned_http.InternalAddressError as error:
            raise UserError(
                self.env._(
                    "%(host)s resolves to an internal address (%(address)s): "
                    "the server does not call it.",
                    host=error.host,
                    address=error.address,
                )
            ) from error

    @api.model
    def _outgoing_post(self, url, **kwargs):
        """POST to a webshop (every outgoing call comes here): the host is
        resolved once and checked (:meth:`_check_outgoing_url`), and the
        connection goes only to the checked addresses, so a DNS answer
        that changes between check and call (DNS rebinding) cannot lead to
        an internal address; the host name stays in the Host header, TLS
        SNI and certificate check. Redirects are never followed, TLS
        verification stays on, proxies from the environment are not used,
        and there is always a timeout (``timeout`` seconds, default 30).

        :returns: the :class:`requests.Response`.
        :raises UserError: the URL may not be called.
        :raises requests.RequestException: as ``requests`` does.
        """
        addresses = self._check_outgoing_url(url)
        timeout = kwargs.pop("timeout", None) or 30
        return pinned_http.post(url, timeout=timeout, addresses=addresses, **kwargs)

    def _prepare_order_headers(self, payload_format, idempotency_key):
        """The HTTP headers of an order sent to this webshop: the content
        type of ``payload_format`` (``"cxml"`` or ``"ubl"``), the
        ``Idempotency-Key`` that makes every attempt of one version the same
        order (draft-ietf-httpapi-idempotency-key-header), the user agent."""
        self.ensure_one()
        content_type = (
            "text/xml; charset=UTF-8" if payload_format == "cxml" else "application/xml"
        )
        return {
            "Content-Type": content_type,
            "Idempotency-Key": idempotency_key,
            "User-Agent": self._cxml_envelope().user_agent,
        }

    def _order_auth(self, payload_format):
        """The HTTP authentication of an order to this webshop (the
        ``requests`` ``auth``): for UBL, Basic with the OCI user name and
        password or a Bearer token (the shared secret), as *Order
        authentication* says; ``None`` for cXML, which carries its
        credentials in the document's header."""
        self.ensure_one()
        webshop = self.sudo()
        if payload_format == "ubl" and webshop.order_auth == "basic":
            return (webshop.oci_username or "", webshop.oci_password or "")
        if payload_format == "ubl" and webshop.order_auth == "bearer":
            return _BearerAuth(webshop.cxml_shared_secret or "")
        return None

    @api.model
    def _punchout_request_states(self):
        """Purchase request states a punchout may start from."""
        return ("draft", "to_approve", "approved", "in_progress")

    @api.model
    def _for_partner(self, partner, company):
        """The active webshop of ``partner`` (or the only one) in ``company``."""
        domain = [("company_id", "=", company.id)]
        suppliers = self.search(domain)
        if partner:
            mine = suppliers.filtered(
                lambda s: s.partner_id.commercial_partner_id
                == partner.commercial_partner_id
            )
            suppliers = mine or suppliers
        if not suppliers:
            raise UserError(
                self.env._(
                    "No active webshop is configured for %(company)s: a purchase "
                    "manager sets one up in Purchase > Configuration > Webshops.",
                    company=company.name,
                )
            )
        return suppliers[:1]

    @api.model
    def _for_bill_partner(self, partner, company):
        """The webshop whose vendor is ``partner`` in ``company`` (or none)."""
        if not partner:
            return self.browse()
        commercial = partner.commercial_partner_id
        suppliers = self.search(
            [
                ("company_id", "in", (company | company.parent_ids).ids),
                ("partner_id", "child_of", commercial.id),
            ]
        )
        return suppliers[:1]

    def _oci_orderer(self, user):
        """The active orderer line of ``user`` (sudo), or an empty recordset."""
        self.ensure_one()
        return self.sudo().orderer_ids.filtered(lambda o: o.user_id == user)[:1]

    def _check_may_punch_out(self, user):
        """Hook: raise when ``user`` may not punch out to this webshop (when
        the webshop lists orderers and ``user`` is not one of them)."""
        self.ensure_one()
        # An archived orderer still makes the list a restriction.
        configured = self.sudo().with_context(active_test=False).orderer_ids
        if configured and not self._oci_orderer(user):
            raise UserError(
                self.env._(
                    "%(user)s is not an orderer of %(shop)s: a purchase manager adds "
                    "orderers on the webshop (Purchase > Configuration > Webshops, "
                    "Orderers tab).",
                    user=user.name,
                    shop=self.name,
                )
            )
        return True

    def _action_start_punchout(
        self, request=None, order=None, note="", operation="create"
    ):
        """Create a session and open its start page in a new tab, with a
        notification saying so (and where the cart will go). ``operation``
        ``"edit"``: the webshop re-opens ``order``'s cart."""
        self.ensure_one()
        Session = self.env["punchout.session"]
        open_sessions = Session._open_sessions_of(
            self, self.env.user, request=request, order=order
        )
        session = Session._start(
            self, request=request, order=order, operation=operation
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("%(shop)s opened in a new tab", shop=self.name),
                "message": session._start_message(open_sessions, note=note),
                "type": "info",
                "sticky": bool(open_sessions or note),
                "next": {
                    "type": "ir.actions.act_url",
                    "url": f"/punchout/session/{session.id}/go",
                    "target": "new",
                },
            },
        }

    def _oci_credentials(self, user):
        """(user name, password) the OCI call logs ``user`` in with (sudo):
        the shared account, or with per-orderer credentials the account on
        the user's orderer line (its password falling back to the shared one)."""
        self.ensure_one()
        supplier = self.sudo()
        username, password = supplier.oci_username or "", supplier.oci_password or ""
        if self.credential_scope == "user":
            orderer = self._oci_orderer(user)
            if orderer.oci_username:
                username = orderer.oci_username
                password = orderer.oci_password or password
        return username, password

    def _cxml_envelope(self):
        """The cXML header values of this webshop, read once (sudo: with the
        shared secret; build a stored document with ``without_secret()``).

        :returns: a :class:`..protocol.cxml.Envelope`; new payloadIDs end in
            this database's host name.
        """
        self.ensure_one()
        supplier = self.sudo()
        return cxml.Envelope(
            from_identity=supplier.cxml_from_identity or "",
            from_domain=supplier.cxml_from_domain or "NetworkID",
            to_identity=supplier.cxml_to_identity or "",
            to_domain=supplier.cxml_to_domain or "NetworkID",
            sender_identity=supplier.cxml_sender_identity or "",
            sender_domain=supplier.cxml_sender_domain or "NetworkID",
            shared_secret=supplier.cxml_shared_secret or "",
            user_agent=supplier.cxml_user_agent or "Odoo",
            payload_host=urlsplit(self.get_base_url()).hostname or "odoo",
        )

    def _oci_login_fields(self, session, return_url):
        """The OCI call's fields, in order (the password included: OCI sends
        it through the browser; choose cXML to keep it server-side)."""
        self.ensure_one()
        username, password = self._oci_credentials(session.user_id)
        extra = [(p.name, p.value or "") for p in self.sudo().extra_param_ids]
        return oci.build_oci_login_fields(
            username=username,
            password=password,
            hook_url=return_url,
            extra=extra,
            oci_version=self.oci_version,
        )

    # ------------------------------------------------------------------
    # cXML punchout set-up: the one server-to-server exchange of a session
    # ------------------------------------------------------------------

    def _cxml_punchout_setup(self, session, return_url):
        """Send the cXML ``PunchOutSetupRequest`` of ``session``; return the
        shop's start page URL.

        Runs server to server: the shared secret never reaches the browser.
        ``operation="edit"`` (the session re-opens an RFQ's cart) sends the
        RFQ's cart lines as ``ItemOut`` (cXML 1.2 User Guide, "PunchOut
        Setup Request": ``operation``, ``ItemOut``).

        :param session: the ``punchout.session`` (its buyer cookie, buyer,
            operation and RFQ are read).
        :param return_url: the session's return URL (``BrowserFormPost``).
        :returns: the absolute http(s) ``StartPage/URL`` (str).
        :raises UserError: the shop could not be reached, or answered with
            an error status or without a usable start page (the message
            names the shop and the reason, never a credential).
        """
        self.ensure_one()
        document = self._cxml_prepare_setup_request(session, return_url)
        response = self._cxml_post_setup_request(document)
        return self._cxml_read_setup_response(response)

    def _cxml_prepare_setup_request(self, session, return_url):
        """The ``PunchOutSetupRequest`` document of ``session`` (bytes, with
        the shared secret: never store or log it)."""
        self.ensure_one()
        envelope = self._cxml_envelope()
        return cxml.build_punchout_setup_request(
            envelope,
            payload_id=envelope.new_payload_id(),
            timestamp=cxml.format_timestamp(),
            buyer_cookie=session.sudo().buyer_cookie,
            return_url=return_url,
            extrinsics=self._prepare_cxml_setup_extrinsics(session),
            **self._prepare_cxml_setup_operation(session),
        )

    def _prepare_cxml_setup_extrinsics(self, session):
        """Hook: the ``Extrinsic`` values of the set-up request (name ->
        text), by default the buyer's e-mail address and name."""
        user = session.user_id
        return {"UserEmail": user.email or "", "UserFullName": user.name}

    def _prepare_cxml_setup_operation(self, session):
        """Hook: the ``build_punchout_setup_request`` keyword arguments of the
        session's operation: none for a new cart; for ``edit``, the
        ``operation``, the RFQ's cart lines as ``items`` and the ``currency``
        (read as the buyer, as the buyer's Odoo has them now)."""
        self.ensure_one()
        if session.operation != "edit":
            return {}
        order = session.order_id.with_user(session.user_id).sudo(False)
        return {
            "operation": "edit",
            "items": order._oci_cart_setup_items(self),
            "currency": order.currency_id.name,
        }

    def _cxml_post_setup_request(self, document):
        """POST the set-up ``document`` to the catalogue URL; return the
        ``requests.Response``. A transport failure becomes a ``UserError``
        (logged with its type only: the URL may carry a secret)."""
        self.ensure_one()
        try:
            return self._outgoing_post(
                self.catalog_url,
                data=document,
                headers={"Content-Type": "text/xml; charset=UTF-8"},
                timeout=30,
            )
        except requests.RequestException as error:
            _logger.warning(
                "cXML punchout set-up with %s failed: %s",
                self.name,
                type(error).__name__,
            )
            raise UserError(
                self.env._(
                    "The webshop %(shop)s could not be reached (%(error)s). Try again "
                    "in a moment.",
                    shop=self.name,
                    error=type(error).__name__,
                )
            ) from error

    def _cxml_read_setup_response(self, response):
        """The start page URL of the shop's ``PunchOutSetupResponse``; a
        refusal (error status, no start page, not cXML) becomes a
        ``UserError`` with the shop's reason."""
        self.ensure_one()
        try:
            return cxml.parse_punchout_setup_response(response.content)
        except ProtocolError as error:
            raise UserError(
                self.env._(
                    "The webshop %(shop)s refused the punchout: %(reason)s",
                    shop=self.name,
                    reason=error.text,
                )
            ) from error


class _BearerAuth(requests.auth.AuthBase):
    """HTTP Bearer authentication (RFC 6750), the token kept out of reprs."""

    def __init__(self, token):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def __repr__(self):
        return "<BearerAuth [redacted]>"
