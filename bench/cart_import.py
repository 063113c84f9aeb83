"""Benchmark: an OCI cart becoming a draft RFQ, against a plain ORM create.

For carts of 10, 100 and 1,000 lines it prints the time of the cart import
(form decoding, parsing, product / unit / NZI look-ups, RFQ creation) and the
time of a plain ORM ``purchase.order.create`` of the same RFQ (same products,
quantities, prices), their ratio, and the SQL query counts of both. Every run
is rolled back. Usage (after scripts/setup.sh, on a database with the addon):

    .venv/bin/python bench/cart_import.py -d tgoci_dev [--repeat 3]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument(
        "-c", "--config", default=str(ROOT / ".cache" / "dev-odoo.conf")
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument(
        "--known",
        type=float,
        default=1.0,
        help="share of the cart's products Odoo already knows by vendor code "
        "(the others are created by the import; default 1: all known)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the import")
    args = parser.parse_args()

    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = Registry(args.database)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"{'lines':>6} {'import s':>9} {'ORM s':>8} {'ratio':>6} "
        f"{'import q':>9} {'ORM q':>7} {'q/line Δ':>9}"
    )
    for size in sizes:
        imports, creates, import_q, create_q = [], [], [], []
        for _ in range(args.repeat):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                fixture = _fixture(env, size, args.known)
                t_i, q_i = _run_import(env, fixture, args.profile)
                cr.rollback()
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                fixture = _fixture(env, size, args.known)
                t_c, q_c = _run_orm(env, fixture)
                cr.rollback()
            imports.append(t_i)
            creates.append(t_c)
            import_q.append(q_i)
            create_q.append(q_c)
        t_i, t_c = statistics.median(imports), statistics.median(creates)
        q_i, q_c = min(import_q), min(create_q)
        print(
            f"{size:>6} {t_i:>9.3f} {t_c:>8.3f} {t_i / t_c:>6.2f} "
            f"{q_i:>9} {q_c:>7} {(q_i - q_c) / size:>9.3f}"
        )
    return 0


def _fixture(env, size, known_share):
    """A supplier, half the products known by vendor code, a cart of ``size``."""
    from odoo import Command

    company = env.company
    vendor = env["res.partner"].create({"name": "Bench Gift Shop", "is_company": True})
    categ = env["product.category"].create({"name": "Bench gifts"})
    supplier = env["punchout.webshop"].create(
        {
            "name": "Bench shop",
            "partner_id": vendor.id,
            "company_id": company.id,
            "catalog_url": "http://localhost:9/oci",
            "default_categ_id": categ.id,
            "nzi_mapping_ids": [
                Command.create({"code": f"44{n}", "categ_id": categ.id})
                for n in range(10)
            ],
        }
    )
    known = max(int(size * known_share), 1)
    products = env["product.product"].create(
        [
            {
                "name": f"Gift {n}",
                "type": "consu",
                "seller_ids": [
                    Command.create(
                        {"partner_id": vendor.id, "product_code": f"TG-{n:05d}"}
                    )
                ],
            }
            for n in range(known)
        ]
    )
    pairs = []
    for n in range(size):
        line = {
            "DESCRIPTION": f"Gift {n}",
            "QUANTITY": str(1 + n % 7),
            "UNIT": "PCE" if n % 3 else "ST",
            "PRICE": f"{10 + n % 50},95",
            "PRICEUNIT": "1" if n % 5 else "10",
            "CURRENCY": company.currency_id.name,
            "LEADTIME": str(n % 9),
            "VENDORMAT": f"TG-{n:05d}",
            "MATGROUP": f"44{n % 10}20",
            "CUST_FIELD1": f"Fijne feestdagen nummer {n}",
            "CUST_FIELD5": f"TGP-{n:08x}",
        }
        for key, value in line.items():
            pairs.append((f"NEW_ITEM-{key}[{n + 1}]", value))
    return {
        "supplier": supplier,
        "vendor": vendor,
        "products": products,
        "body": urlencode(pairs).encode(),
        "size": size,
    }


def _run_import(env, fixture, profile=False):
    session = env["punchout.session"]._start(fixture["supplier"])
    session._launch()
    env.flush_all()
    cr = env.cr
    start_q = cr.sql_log_count
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    error = session._receive(fixture["body"], "application/x-www-form-urlencoded")
    env.flush_all()
    elapsed = time.perf_counter() - start
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    if error or len(session.order_id.order_line) != fixture["size"]:
        sys.exit(f"cart import failed: {error}")
    return elapsed, cr.sql_log_count - start_q


def _run_orm(env, fixture):
    """What Odoo itself needs: the same RFQ, lines given, products known."""
    from odoo import Command

    from odoo.addons.topgeschenken_oci.protocol import oci

    cart = oci.parse_oci_form(_pairs(fixture["body"]))
    # Products as the import would end with them: create the missing ones
    # beforehand, outside the measure (Odoo has no product for them either).
    by_code = {p.seller_ids[:1].product_code: p for p in fixture["products"]}
    missing = [i for i in cart.items if i.vendormat not in by_code]
    if missing:
        created = env["product.product"].create(
            [{"name": i.description, "type": "consu"} for i in missing]
        )
        by_code.update(zip([i.vendormat for i in missing], created, strict=True))
    unit = env.ref("uom.product_uom_unit")
    env.flush_all()
    cr = env.cr
    start_q = cr.sql_log_count
    start = time.perf_counter()
    env["purchase.order"].create(
        {
            "partner_id": fixture["vendor"].id,
            "order_line": [
                Command.create(
                    {
                        "product_id": by_code[item.vendormat].id,
                        "name": item.description,
                        "product_qty": float(item.quantity),
                        "product_uom_id": unit.id,
                        "price_unit": float(item.unit_price),
                    }
                )
                for item in cart.items
            ],
        }
    )
    env.flush_all()
    return time.perf_counter() - start, cr.sql_log_count - start_q


def _pairs(body):
    from odoo.addons.topgeschenken_oci.protocol import forms

    return forms.decode_form_body(body, "application/x-www-form-urlencoded")


if __name__ == "__main__":
    sys.exit(main())
