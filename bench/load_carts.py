"""Load test: concurrent cart returns to a running multi-worker Odoo.

Copies a database that has the addon (``-d``, e.g. tgoci_dev) to a scratch
database, opens N punchout sessions there, starts Odoo with several HTTP
workers on loopback, posts N carts at once (each session's cart once, plus a
second, simultaneous post of some of them: a double click), and checks that
every session produced exactly one RFQ with the right lines and no error
(each cart's first post answered 303 to its RFQ, the double post 200: the
page saying the cart was already added).
Prints throughput and latency percentiles. Loopback only; stops by itself.

    .venv/bin/python bench/load_carts.py -d tgoci_dev [--carts 50] [--workers 4]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "topgeschenken_oci"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True, help="template database")
    parser.add_argument("--carts", type=int, default=50)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--doubles", type=int, default=10, help="carts posted twice")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8769)
    args = parser.parse_args()
    scratch = f"{args.database}_load"
    subprocess.run(["dropdb", "--if-exists", scratch], check=True)
    subprocess.run(["createdb", "-T", args.database, scratch], check=True)
    conf = ROOT / ".cache" / "load-odoo.conf"
    conf.write_text(
        "[options]\n"
        f"addons_path = {_addons_path()}\n"
        "http_interface = 127.0.0.1\n"
        f"http_port = {args.port}\n"
        f"workers = {args.workers}\n"
        "max_cron_threads = 0\n"
        "list_db = False\n"
        f"db_name = {scratch}\n"
        f"data_dir = {ROOT / '.cache' / 'odoo-data'}\n"
        "log_level = warn\n"
        "limit_time_real = 300\n"
        "limit_time_cpu = 300\n"
    )
    tokens, currency = _open_sessions(conf, scratch, args.carts)
    log = open(ROOT / ".cache" / "load-odoo.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "odoo", "-c", str(conf)], stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait_up(base)
        _warm_up(base, args.workers)
        bodies = [_cart_body(n, args.lines, currency) for n in range(args.carts)]
        jobs = [(tokens[n], bodies[n]) for n in range(args.carts)]
        jobs += [(tokens[n], bodies[n]) for n in range(min(args.doubles, args.carts))]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            results = list(pool.map(lambda job: _post(base, *job), jobs))
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    latencies = sorted(r[1] for r in results)
    statuses = [r[0] for r in results]
    check = _check(conf, scratch, args.carts, args.lines)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"posts: {len(jobs)} ({args.carts} carts of {args.lines} lines, "
        f"{min(args.doubles, args.carts)} posted twice at once), "
        f"{args.workers} workers"
    )
    print(f"HTTP statuses: { {s: statuses.count(s) for s in sorted(set(statuses))} }")
    print(
        f"wall time {wall:.2f} s, throughput {len(jobs) / wall:.1f} posts/s, "
        f"{args.carts / wall:.1f} carts/s"
    )
    print(
        f"latency p50 {statistics.median(latencies):.3f} s, p95 {p95:.3f} s, "
        f"max {latencies[-1]:.3f} s"
    )
    print(check["text"])
    from odoo.sql_db import close_all

    close_all()
    subprocess.run(["dropdb", "--if-exists", scratch], check=False)
    # Each cart's first post redirects to its RFQ (303); the second post of
    # the same cart (the double click) gets the "already added" page (200).
    doubles = min(args.doubles, args.carts)
    ok = (
        check["ok"]
        and statuses.count(303) == args.carts
        and statuses.count(200) == doubles
    )
    print("RESULT:", "OK" if ok else "FAILED")
    return 0 if ok else 1


def _addons_path():
    src = (ROOT / ".venv" / ".odoo_src").read_text().strip()
    return f"{src}/addons,{src}/odoo/addons,{ROOT}"


def _odoo_env(conf, db):
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", str(conf), "-d", db])
    registry = Registry(db)
    return registry, SUPERUSER_ID, api


def _open_sessions(conf, db, count):
    registry, uid, api = _odoo_env(conf, db)
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        vendor = env["res.partner"].create({"name": "Load Test Shop"})
        supplier = env["punchout.webshop"].create(
            {
                "name": "Load Test Shop",
                "partner_id": vendor.id,
                "catalog_url": "http://localhost:9/oci",
                "order_format": "none",
            }
        )
        admin = env.ref("base.user_admin")
        tokens = []
        for _n in range(count):
            session = env["punchout.session"].with_user(admin)._start(supplier)
            tokens.append(session._launch())
        currency = env.company.currency_id.name
        cr.commit()
    return tokens, currency


def _cart_body(n, lines, currency):
    pairs = []
    for i in range(1, lines + 1):
        pairs += [
            (f"NEW_ITEM-DESCRIPTION[{i}]", f"Gift {i} for cart {n}"),
            (f"NEW_ITEM-QUANTITY[{i}]", str(i)),
            (f"NEW_ITEM-UNIT[{i}]", "PCE"),
            (f"NEW_ITEM-PRICE[{i}]", f"{i},50"),
            (f"NEW_ITEM-CURRENCY[{i}]", currency),
            (f"NEW_ITEM-VENDORMAT[{i}]", f"LOAD-{i:04d}"),
            (f"NEW_ITEM-CUST_FIELD5[{i}]", f"TGP-{n:04d}-{i:04d}"),
        ]
    return urlencode(pairs).encode()


def _post(base, token, body):
    started = time.perf_counter()
    response = requests.post(
        f"{base}/punchout/return/{token}",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=300,
    )
    return response.status_code, time.perf_counter() - started


def _warm_up(base, workers):
    """Let every worker load the registry before the measure starts."""
    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(
            pool.map(
                lambda _n: requests.get(f"{base}/web/login", timeout=120),
                range(workers * 4),
            )
        )


def _wait_up(base):
    for _ in range(120):
        try:
            if requests.get(f"{base}/web/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    sys.exit("Odoo did not start (see .cache/load-odoo.log)")


def _check(conf, db, carts, lines):
    registry, uid, api = _odoo_env(conf, db)
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        sessions = env["punchout.session"].search(
            [("webshop_id.name", "=", "Load Test Shop")]
        )
        orders = sessions.order_id
        states = {s: sessions.filtered(lambda x, s=s: x.state == s) for s in ("done",)}
        line_counts = {len(o.order_line) for o in orders}
        products = env["product.supplierinfo"].search(
            [("partner_id.name", "=", "Load Test Shop")]
        )
        codes = products.mapped("product_code")
        ok = (
            len(sessions) == carts
            and len(states["done"]) == carts
            and len(orders) == carts
            and line_counts == {lines}
            and len(codes) == len(set(codes))
        )
        text = (
            f"sessions done: {len(states['done'])}/{carts}, RFQs: {len(orders)}, "
            f"lines per RFQ: {sorted(line_counts)}, products by vendor code: "
            f"{len(codes)} ({len(set(codes))} distinct codes)"
        )
    return {"ok": ok, "text": text}


if __name__ == "__main__":
    os.environ.setdefault("PGAPPNAME", "tgoci-load")
    sys.exit(main())
