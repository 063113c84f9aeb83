"""Outgoing POSTs pinned to the addresses that were checked
(protocol/pinned_http.py): a DNS answer that changes after the check
(rebinding) does not move the connection, and HTTP and TLS keep the name."""

import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from protocol import pinned_http

HOST = "shop.test"
REAL_GETADDRINFO = socket.getaddrinfo


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append(
            {"host": self.headers.get("Host"), "path": self.path, "body": body}
        )
        reply = getattr(self.server, "reply", b"OK")
        self.send_response(200)
        if reply is None:  # an endless body, without a length
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"x" * 65536)
            except OSError:
                return
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 that records what reaches it."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """``getaddrinfo`` as a rebinding DNS server: ``HOST`` resolves to the
    addresses set in ``answers[0]`` at the first call, and to
    ``answers[1]`` (a list of addresses, or an exception) afterwards. Other
    names (and IP literals) resolve as usual. ``calls`` counts the lookups
    of ``HOST``."""

    class Dns:
        answers = [["127.0.0.1"], socket.gaierror("rebound")]
        calls = 0

    def getaddrinfo(host, port, *args, **kwargs):
        if host != HOST:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        answer = Dns.answers[min(Dns.calls, 1)]
        Dns.calls += 1
        if isinstance(answer, Exception):
            raise answer
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in answer
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return Dns


@pytest.mark.parametrize(
    "later",
    [socket.gaierror("rebound"), ["10.9.8.7"], ["169.254.169.254"]],
    ids=["no-answer", "private", "metadata"],
)
def test_connection_goes_to_the_checked_address(server, rebinding_dns, later):
    rebinding_dns.answers = [["127.0.0.1"], later]
    port = server.server_address[1]
    response = pinned_http.post(
        f"http://{HOST}:{port}/cxml/order",
        timeout=5,
        allow_private=True,
        data=b"<cXML/>",
        headers={"Content-Type": "text/xml"},
    )
    assert response.status_code == 200 and response.text == "OK"
    assert server.seen == [
        {"host": f"{HOST}:{port}", "path": "/cxml/order", "body": b"<cXML/>"}
    ]
    # Resolved once: what the connection used is what was checked.
    assert rebinding_dns.calls == 1


def test_addresses_tried_in_order(server, rebinding_dns):
    """The first checked address refuses the connection: the next one is
    tried (127.0.0.2 is loopback too, but nothing listens there)."""
    rebinding_dns.answers = [["127.0.0.2", "127.0.0.1"], ["10.9.8.7"]]
    port = server.server_address[1]
    response = pinned_http.post(
        f"http://{HOST}:{port}/x", timeout=5, allow_private=True, data=b"1"
    )
    assert response.status_code == 200
    assert [seen["host"] for seen in server.seen] == [f"{HOST}:{port}"]


def test_given_addresses_are_not_resolved_again(server, rebinding_dns):
    port = server.server_address[1]
    addresses = pinned_http.resolve_checked(HOST, port, allow_private=True)
    assert addresses == ("127.0.0.1",)
    response = pinned_http.post(
        f"http://{HOST}:{port}/x", timeout=5, addresses=addresses, data=b"1"
    )
    assert response.status_code == 200
    assert rebinding_dns.calls == 1


def test_any_internal_address_refuses_the_host(rebinding_dns):
    for answer in (
        ["93.184.216.34", "127.0.0.1"],
        ["10.0.0.1"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["fe80::1"],
        ["224.0.0.1"],
    ):
        rebinding_dns.answers = [answer, ["93.184.216.34"]]
        rebinding_dns.calls = 0
        with pytest.raises(pinned_http.InternalAddressError) as error:
            pinned_http.post(f"http://{HOST}/x", timeout=5, data=b"1")
        assert error.value.host == HOST
        assert error.value.address in answer
    rebinding_dns.answers = [["93.184.216.34", "2606:2800:220:1::1"], []]
    rebinding_dns.calls = 0
    assert pinned_http.resolve_checked(HOST, 443) == (
        "93.184.216.34",
        "2606:2800:220:1::1",
    )


def test_unresolvable_and_bad_urls(rebinding_dns):
    rebinding_dns.answers = [socket.gaierror("nx"), []]
    with pytest.raises(pinned_http.UnresolvableHostError):
        pinned_http.post(f"https://{HOST}/x", timeout=5)
    for url in ("ftp://shop.test/", "http:///x", ""):
        with pytest.raises(ValueError):
            pinned_http.post(url, timeout=5)


def test_redirect_not_followed_and_proxy_not_used(server, rebinding_dns, monkeypatch):
    class Redirect(_Recorder):
        def do_POST(self):
            self.server.seen.append({"path": self.path})
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/internal")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server.RequestHandlerClass = Redirect
    port = server.server_address[1]
    # A proxy from the environment would resolve the name again: not used.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    response = pinned_http.post(
        f"http://{HOST}:{port}/x", timeout=5, allow_private=True, data=b"1"
    )
    assert response.status_code == 302
    assert server.seen == [{"path": "/x"}]


def _self_signed(tmp_path, name):
    """A self-signed certificate for ``name`` and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_server(server, tmp_path):
    """``server`` over TLS with a self-signed certificate for ``HOST``,
    recording the SNI names clients send."""
    cert, key = _self_signed(tmp_path, HOST)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.sni = []
    context.sni_callback = lambda sock, name, ctx: server.sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.cert = cert
    return server


def test_https_keeps_the_name_for_sni_and_verification(
    tls_server, rebinding_dns, tmp_path
):
    port = tls_server.server_address[1]
    url = f"https://{HOST}:{port}/ubl/order"
    response = pinned_http.post(
        url, timeout=5, allow_private=True, data=b"<Order/>", verify=tls_server.cert
    )
    assert response.status_code == 200
    assert tls_server.sni == [HOST]
    assert tls_server.seen[0]["host"] == f"{HOST}:{port}"
    # Verification is on: a certificate the client does not trust, or one
    # for another name, is refused (verify=False cannot switch it off).
    other, __ = _self_signed(tmp_path, "other.test")
    for verify in (other, False):
        rebinding_dns.calls = 0
        with pytest.raises(requests.exceptions.SSLError):
            pinned_http.post(
                url, timeout=5, allow_private=True, data=b"1", verify=verify
            )
    assert len(tls_server.seen) == 1


def test_ip_literal_urls(server):
    """An IP literal is its own (checked) address; IPv6 in brackets too."""
    port = server.server_address[1]
    response = pinned_http.post(
        f"http://127.0.0.1:{port}/x", timeout=5, allow_private=True, data=b"1"
    )
    assert response.status_code == 200
    with pytest.raises(pinned_http.InternalAddressError):
        pinned_http.post(f"http://[::1]:{port}/x", timeout=5, data=b"1")

    class Server6(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    try:
        ipv6 = Server6(("::1", 0), _Recorder)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    ipv6.seen = []
    threading.Thread(target=ipv6.serve_forever, daemon=True).start()
    try:
        port6 = ipv6.server_address[1]
        response = pinned_http.post(
            f"http://[::1]:{port6}/y", timeout=5, allow_private=True, data=b"1"
        )
        assert response.status_code == 200
        assert ipv6.seen[0]["host"] == f"[::1]:{port6}"
    finally:
        ipv6.shutdown()
        ipv6.server_close()


@pytest.mark.parametrize(
    "name, a_label",
    [("bücher.test", "xn--bcher-kva.test"), ("FAß.test.", "xn--fa-hia.test")],
    ids=["umlaut", "sharp-s-upper-trailing-dot"],
)
def test_idn_host_resolved_and_sent_as_its_a_label(server, monkeypatch, name, a_label):
    """An internationalised host name is checked, pinned and sent in the
    one ASCII form ``requests`` sends (IDNA 2008: ``faß`` is not
    ``fass``), so the name checked is the name called."""
    asked = []

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        return REAL_GETADDRINFO("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    port = server.server_address[1]
    response = pinned_http.post(
        f"http://{name}:{port}/x", timeout=5, allow_private=True, data=b"1"
    )
    assert response.status_code == 200
    # The name once; the socket then "resolves" the pinned literal only.
    assert [host for host in asked if host != "127.0.0.1"] == [a_label]
    assert server.seen[0]["host"] == f"{a_label}:{port}"


@pytest.mark.parametrize(
    "url",
    [
        "http://shop.test:99999/x",
        "http://shop.test:-1/x",
        "http://shop.test:abc/x",
        "http://\u2603.test/x",
        "ftp://shop.test/x",
        "http:///x",
    ],
)
def test_bad_ports_and_hosts_are_value_errors(url):
    """What ``split_url`` cannot read is a ValueError saying why, before
    any lookup (the webshop model shows it as a UserError)."""
    with pytest.raises(ValueError):
        pinned_http.split_url(url)


def test_split_url():
    assert pinned_http.split_url("https://User:pw@Shop.Test.:8443/p?q#f") == (
        "https",
        "shop.test",
        8443,
    )
    assert pinned_http.split_url("http://[::1]/") == ("http", "::1", 80)
    assert pinned_http.split_url("http://bücher.test/") == (
        "http",
        "xn--bcher-kva.test",
        80,
    )


@pytest.mark.parametrize(
    "address, internal",
    [
        ("64:ff9b::7f00:1", True),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", True),  # NAT64 of the metadata address
        ("64:ff9b::808:808", False),  # NAT64 of a public address
        ("2002:7f00:1::", True),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", True),
        ("2002:808:808::1", False),
        ("64:ff9b:1::a00:1", True),  # local-use NAT64 (RFC 8215)
        ("::127.0.0.1", True),  # IPv4-compatible (deprecated)
        ("::ffff:10.0.0.1", True),
        ("2a00:1450:4001::1", False),
        ("8.8.8.8", False),
    ],
)
def test_ipv6_carrying_ipv4_judged_as_the_ipv4(address, internal):
    assert pinned_http.is_internal(address) is internal


@pytest.mark.parametrize("reply", [b"y" * 4097, None], ids=["long", "endless"])
def test_a_reply_over_the_limit_is_not_read(server, reply):
    """A shop cannot fill the memory with its answer: past ``max_bytes`` the
    body is not read further (also one without a Content-Length that never
    ends), and the error is a ``requests.RequestException``."""
    server.reply = reply
    port = server.server_address[1]
    with pytest.raises(pinned_http.ReplyTooLargeError) as caught:
        pinned_http.post(
            f"http://127.0.0.1:{port}/", timeout=5, allow_private=True, max_bytes=4096
        )
    assert isinstance(caught.value, requests.RequestException)
    server.reply = b"z" * 4096
    response = pinned_http.post(
        f"http://127.0.0.1:{port}/", timeout=5, allow_private=True, max_bytes=4096
    )
    assert response.content == b"z" * 4096 and response.text == "z" * 4096
