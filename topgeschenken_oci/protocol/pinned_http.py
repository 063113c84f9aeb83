# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""HTTP(S) POSTs to a host resolved and checked once (no DNS rebinding).

Checking a URL's host and then handing the URL to ``requests`` resolves the
name twice: a rebinding DNS server can answer a public address to the check
and ``127.0.0.1`` to the connection. Here the name is resolved once
(:func:`resolve_checked`), every address is checked, and the connection goes
only to those addresses (tried in order), while the URL's host name stays
what HTTP and TLS see: the ``Host`` header, the TLS SNI and the certificate's
host name verification (urllib3 1.26 uses ``HTTPConnection._dns_host`` for
the socket only and ``host`` for everything else; the address is swapped in
around the socket creation alone).

Proxies: the environment's ``HTTP(S)_PROXY`` is not used (``trust_env``
off): a proxy would resolve the name again, out of reach of the check.

No Odoo import: the webshop model's ``_outgoing_post`` calls :func:`post`.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import idna
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.poolmanager import PoolManager

DEFAULT_PORTS = {"http": 80, "https": 443}
# A shop's answer (a PunchOutSetupResponse, an order's status or
# OrderResponse) is a few kilobytes; beyond this it is not read.
MAX_REPLY_BYTES = 10 * 1024 * 1024
#: NAT64's well-known prefix (RFC 6052): the last 32 bits are an IPv4 address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Not global, though Python's ``is_global`` says so (Python 3.11).
_V6_INTERNAL = (
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("::/96"),
)


class ReplyTooLargeError(requests.RequestException):
    """The server's reply body exceeds the caller's limit: it was not read
    further (a ``requests.RequestException``, so callers that retry or
    report transport failures treat it as one)."""


class UnresolvableHostError(ValueError):
    """The host name has no address (``host``: the name)."""

    def __init__(self, host):
        super().__init__(f"{host} cannot be resolved")
        self.host = host


class InternalAddressError(ValueError):
    """The host resolves to a loopback, private, link-local, multicast or
    otherwise non-global address (``host``, ``address``: the first such)."""

    def __init__(self, host, address):
        super().__init__(f"{host} resolves to an internal address ({address})")
        self.host = host
        self.address = address


def split_url(url):
    """The scheme, host and port an http(s) URL is called on.

    :param url: the URL (str); user info, path, query and fragment are
        ignored.
    :returns: ``(scheme, host, port)``: the host lower-case, without a
        trailing dot, an internationalised name in the ASCII form
        ``requests`` sends (IDNA 2008 with UTS 46 mapping: ``bücher.nl`` is
        ``xn--bcher-kva.nl``), an IPv6 literal without brackets; the port
        an int (the scheme's default when the URL names none).
    :raises ValueError: not an http(s) URL with a host, a port out of
        0-65535 or not a number, or a host name IDNA refuses.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{url} is not an http(s) URL")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{url} has no valid port") from error
    host = parts.hostname.rstrip(".")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as error:
            raise ValueError(f"{url} has no valid host name") from error
    return parts.scheme, host.lower(), port or DEFAULT_PORTS[parts.scheme]


def is_internal(address):
    """True for an address the server must not call on a shop's behalf:
    not globally routable (RFC 6890 special-purpose registries, as
    :attr:`ipaddress.IPv4Address.is_global` knows them) or multicast; an
    IPv6 address that carries an IPv4 one is judged as that IPv4: mapped
    (``::ffff:127.0.0.1``), 6to4 (``2002:7f00:1::``, RFC 3056) and NAT64
    (``64:ff9b::7f00:1``, RFC 6052); the local-use NAT64 prefix
    ``64:ff9b:1::/48`` (RFC 8215) and the deprecated IPv4-compatible
    ``::/96`` are internal.

    :param address: an IP address string (a ``%scope`` suffix is ignored).
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        if any(ip in network for network in _V6_INTERNAL):
            return True
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        ip = embedded or ip
    return not ip.is_global or ip.is_multicast


def resolve_checked(host, port, allow_private=False):
    """Resolve ``host`` once (TCP, IPv4 and IPv6) and check every address.

    :param host: a host name or IP literal, as :func:`split_url` gives it
        (ASCII: the name HTTP and TLS will use).
    :param port: the TCP port (int).
    :param allow_private: accept internal addresses (tests, demo on
        loopback); they are still pinned.
    :returns: the addresses (str), unique, in the resolver's order.
    :raises UnresolvableHostError: no address, or a name the resolver
        refuses.
    :raises InternalAddressError: any address is internal (unless
        ``allow_private``): one bad answer refuses the host.
    """
    try:
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError, ValueError) as error:
        raise UnresolvableHostError(host) from error
    addresses = []
    for info in infos:
        if info[0] not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = info[4][0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnresolvableHostError(host)
    if not allow_private:
        for address in addresses:
            if is_internal(address):
                raise InternalAddressError(host, address)
    return tuple(addresses)


class _PinnedConnectionMixin:
    """A urllib3 connection whose socket goes to ``pinned_addresses`` (tried
    in order) instead of resolving ``host`` again."""

    def __init__(self, *args, pinned_addresses=(), **kwargs):
        self._pinned_addresses = tuple(pinned_addresses)
        super().__init__(*args, **kwargs)

    def _new_conn(self):
        if not self._pinned_addresses:
            raise NewConnectionError(self, "No pinned address for this host")
        name = self._dns_host
        error = None
        for address in self._pinned_addresses:
            # Only the socket sees the address: ``host`` (Host header, SNI,
            # certificate check) reads ``_dns_host`` again once restored.
            self._dns_host = address
            try:
                return super()._new_conn()
            except (NewConnectionError, ConnectTimeoutError) as exc:
                error = exc
            finally:
                self._dns_host = name
        raise error


class PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class _PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection


class _PinnedPoolManager(PoolManager):
    """Pools for one host only, whose connections use its pinned addresses."""

    def __init__(self, host, addresses, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned_host = host
        self._pinned_addresses = addresses
        self.pool_classes_by_scheme = {
            "http": _PinnedHTTPConnectionPool,
            "https": _PinnedHTTPSConnectionPool,
        }

    def _new_pool(self, scheme, host, port, request_context=None):
        # urllib3 writes an IPv6 literal in brackets, urlsplit() without.
        if host.strip("[]").lower().rstrip(".") != self._pinned_host:
            raise requests.exceptions.ConnectionError(
                f"{host} is not the checked host {self._pinned_host}"
            )
        pool = super()._new_pool(scheme, host, port, request_context)
        pool.conn_kw["pinned_addresses"] = self._pinned_addresses
        return pool


class PinnedAdapter(HTTPAdapter):
    """A requests transport adapter connecting ``host`` only, and only to
    ``addresses`` (as :func:`resolve_checked` returns them)."""

    def __init__(self, host, addresses, **kwargs):
        self._pinned_host = host.lower().rstrip(".")
        self._pinned_addresses = tuple(addresses)
        super().__init__(**kwargs)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = _PinnedPoolManager(
            self._pinned_host,
            self._pinned_addresses,
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            **pool_kwargs,
        )

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise requests.exceptions.InvalidProxyURL(
            "Pinned connections do not go through a proxy"
        )


def post(
    url,
    *,
    timeout,
    addresses=None,
    allow_private=False,
    max_bytes=MAX_REPLY_BYTES,
    **kwargs,
):
    """POST to ``url`` over a connection pinned to its checked addresses.

    :param url: an ``http://`` or ``https://`` URL.
    :param timeout: seconds (connect and read), or requests' tuple; required.
    :param addresses: the addresses :func:`resolve_checked` returned for the
        URL's host (the caller checked them); ``None``: resolve and check
        here.
    :param allow_private: see :func:`resolve_checked` (with ``addresses``
        ``None`` only).
    :param max_bytes: the most reply body bytes read (after content
        decoding); a longer reply raises :class:`ReplyTooLargeError`
        without being read further, so a server cannot fill the memory.
    :param kwargs: passed to :meth:`requests.Session.post` (``data``,
        ``headers``, ``auth``, ``verify`` as a CA bundle path...);
        redirects are never followed, TLS is verified (``verify=False`` is
        ignored), proxies are not used.
    :returns: the :class:`requests.Response` (a 3xx is returned as is).
    :raises ValueError: not an http(s) URL (:func:`split_url`).
    :raises UnresolvableHostError, InternalAddressError: before connecting.
    :raises ReplyTooLargeError: the reply body exceeds ``max_bytes``.
    :raises requests.RequestException: as ``requests`` does.
    """
    __, host, port = split_url(url)
    if addresses is None:
        addresses = resolve_checked(host, port, allow_private=allow_private)
    elif not addresses:
        raise UnresolvableHostError(host)
    kwargs.pop("allow_redirects", None)
    kwargs.pop("proxies", None)
    if kwargs.get("verify") is not None and not isinstance(kwargs["verify"], str):
        kwargs["verify"] = True
    with requests.Session() as session:
        session.trust_env = False
        adapter = PinnedAdapter(host, addresses)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        kwargs.pop("stream", None)
        response = session.post(
            url,
            allow_redirects=False,
            timeout=timeout,
            proxies={},
            stream=True,
            **kwargs,
        )
        with response:
            _read_capped(response, max_bytes)
        return response


def _read_capped(response, max_bytes):
    """Read ``response``'s body, at most ``max_bytes`` of it, into
    ``response.content``; raise :class:`ReplyTooLargeError` beyond."""
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise ReplyTooLargeError(
                f"the reply is larger than {max_bytes} bytes", response=response
            )
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True
