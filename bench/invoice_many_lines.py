"""Benchmark: one e-invoice of many lines (default 5,000) against its order.

A supplier's collective invoice can carry thousands of lines. This makes one
purchase order of ``--lines`` lines (each with its own vendor item code),
one Peppol BIS 3 invoice for it, imports the invoice through Odoo's upload
path (``account.journal._create_document_from_attachment``) and prints:

- the import time, the addon's matching included (s);
- the addon's matching alone, run again on the imported bill (its lines
  unlinked first, as *Match again* does) with an hour's deadline instead of
  the import's 10 s, and the match status and linked lines of both.

Odoo's upload path commits, so the run stays in the database (a company
"Bench Zorggroep <n>" of its own): use a throwaway database, as for
``bench/invoice_matching.py``::

    .venv/bin/python bench/invoice_many_lines.py -c .cache/dev-odoo.conf \\
        -d tgoci_bench [--lines 5000]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from invoice_matching import ITEMS, setup, ubl_invoice  # noqa: E402


def make_order(ctx, count):
    from odoo import Command

    env = ctx["env"]
    products = ctx["products"]
    order = env["purchase.order"].create(
        {
            "partner_id": ctx["vendor"].id,
            "company_id": ctx["company"].id,
            "oci_webshop_id": ctx["supplier"].id,
            "picking_type_id": ctx["picking_type"].id,
            "order_line": [
                Command.create(
                    {
                        "product_id": products[i % len(products)].id,
                        "name": f"{ITEMS[i % len(ITEMS)][0]} #{i}",
                        "product_qty": 1 + i % 7,
                        "price_unit": ITEMS[i % len(ITEMS)][2],
                        "oci_vendormat": f"TG-{i:05d}",
                        "tax_ids": [Command.set(ctx["tax"].ids)],
                    }
                )
                for i in range(count)
            ],
        }
    )
    order.button_confirm()
    return order


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument(
        "--bill",
        type=int,
        help="only time the matching again of this bill (an earlier run's)",
    )
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, Command, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    odoo.netsvc.init_logger()
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.bill:
            bill = env["account.move"].browse(args.bill)
            env = env(
                context=dict(env.context, allowed_company_ids=bill.company_id.ids)
            )
            time_matching(env["account.move"].browse(args.bill), Command)
            cr.rollback()
            return
        ctx = setup(env, f"{int(time.time()) % 10000}-lines")
        start = time.perf_counter()
        order = make_order(ctx, args.lines)
        cr.commit()
        print(
            f"order {order.name}: {args.lines} lines in "
            f"{time.perf_counter() - start:.1f} s"
        )
        lines = [
            (pl.name, pl.oci_vendormat, pl.product_qty, pl.price_unit, None, None)
            for pl in order.order_line
        ]
        xml = ubl_invoice(f"TG-BENCH-{order.id}", lines, order_ref=order.name)
        env, journal = ctx["env"], ctx["journal"]
        attachment = env["ir.attachment"].create(
            {"name": "bill.xml", "raw": xml, "mimetype": "application/xml"}
        )
        start = time.perf_counter()
        bill = journal.with_context(
            default_journal_id=journal.id, default_move_type="in_invoice"
        )._create_document_from_attachment(attachment.ids)
        env.flush_all()
        elapsed = time.perf_counter() - start
        linked = bill.invoice_line_ids.filtered("purchase_line_id")
        print(
            f"import + matching: {elapsed:.1f} s ({len(xml) // 1024} KiB), "
            f"status {bill.oci_match_state}, {len(linked)} lines linked"
        )
        print(f"bill id {bill.id}")
        cr.commit()
        time_matching(bill, Command)
        cr.commit()


def time_matching(bill, Command):
    """Unlink the bill's lines, then time the matching with an hour's deadline."""
    linked = bill.invoice_line_ids.filtered("purchase_line_id")
    with bill._get_edi_creation() as edit:
        edit.invoice_line_ids = [
            Command.update(line.id, {"purchase_line_id": False}) for line in linked
        ]
    bill.env.flush_all()
    bill.env.invalidate_all()
    start = time.perf_counter()
    result = bill._oci_compute_match(timeout=3600)
    elapsed = time.perf_counter() - start
    print(
        f"matching alone: {elapsed:.1f} s, status {result['state']}, "
        f"{len(result['links'])} lines linked"
    )


if __name__ == "__main__":
    main()
