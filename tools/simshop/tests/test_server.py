"""The real shop process on a free loopback port, driven with requests."""

import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import requests
from lxml import etree

from .conftest import REPO, cxml_order_request, parse_forms


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.simshop",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path_factory.mktemp("shop")),
            "--shared-secret",
            "geheim",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            if requests.get(f"{base}/health", timeout=1).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"shop did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.05)
    yield base
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stderr.close()


def test_browserless_flow(shop):
    hook = f"{shop}/demo/hook"
    browser = requests.Session()
    login = browser.get(
        f"{shop}/oci/login",
        params={"USERNAME": "demo", "PASSWORD": "demo", "HOOK_URL": hook},
        allow_redirects=False,
        timeout=5,
    )
    assert login.status_code == 303
    assert browser.get(f"{shop}/catalogue", timeout=5).ok
    added = browser.post(
        f"{shop}/cart/add",
        data={
            "code": "TG-PB-004",
            "quantity": "25",
            "card_text": "Groet ü",
            "logo": "COMPANY",
            "location": "LOC-UTR",
        },
        timeout=5,
    )
    assert added.ok and "TG-PB-004" in added.text
    # In the browser: the auto-submitting form.
    page = browser.post(f"{shop}/cart/transfer", timeout=5)
    (form,) = [
        f for f in parse_forms(page.text) if f["attrs"].get("id") == "oci-transfer"
    ]
    assert form["attrs"]["action"] == hook
    # Server-side: the shop posts the same form itself.
    done = browser.post(
        f"{shop}/cart/transfer", data={"transfer": "server"}, timeout=10
    )
    assert done.ok and 'id="hook-status">200<' in done.text
    received = requests.get(f"{shop}/demo/hook/last", timeout=5).json()
    assert received["charset"] == "UTF-8"
    sent = [(name, value) for name, value, _type in form["inputs"]]
    assert [tuple(field) for field in received["fields"]] == sent


def test_api_post_and_orders(shop):
    cart = requests.post(
        f"{shop}/api/oci-cart",
        json={
            "hook_url": f"{shop}/demo/hook",
            "format": "form-latin1",
            "post": True,
            "lines": [
                {"vendor_code": "TG-KP-001", "quantity": 2, "card_text": "Crème €"}
            ],
        },
        timeout=10,
    ).json()
    assert cart["hook_response"]["status"] == 200
    received = requests.get(f"{shop}/demo/hook/last", timeout=5).json()
    assert received["charset"] == "ISO-8859-1"
    assert ["NEW_ITEM-CUST_FIELD1[1]", "Crème €"] in received["fields"]
    ref = cart["lines"][0]["ref"]
    lines = [("TG-KP-001", 2, "49.95", 1, "EA")]
    order = cxml_order_request("P-SRV-1", [ref], secret="geheim", lines=lines)
    headers = {"Content-Type": "text/xml", "Idempotency-Key": "srv-1"}
    first = requests.post(f"{shop}/cxml/order", data=order, headers=headers, timeout=5)
    assert first.status_code == 200
    assert etree.fromstring(first.content).find("Response/Status").get("code") == "200"
    # A client that times out on a slow shop retries and gets the same order.
    requests.post(
        f"{shop}/admin/faults", json={"mode": "slow", "seconds": 1}, timeout=5
    )
    order2 = cxml_order_request("P-SRV-2", [ref], secret="geheim", lines=lines)
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{shop}/cxml/order",
            data=order2,
            headers=headers | {"Idempotency-Key": "srv-2"},
            timeout=0.3,
        )
    retry = requests.post(
        f"{shop}/cxml/order",
        data=order2,
        headers=headers | {"Idempotency-Key": "srv-2"},
        timeout=5,
    )
    assert retry.status_code == 200
    listing = requests.get(f"{shop}/admin/orders", timeout=5).json()
    numbers = {o["buyer_order_id"]: o["supplier_order_id"] for o in listing["orders"]}
    assert numbers["P-SRV-2"] == retry.headers["X-Supplier-Order-Id"]
    assert len(numbers) == 2
    assert urlsplit(shop).hostname == "127.0.0.1"
