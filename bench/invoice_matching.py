"""Benchmark: e-invoice to purchase-order matching, native Odoo vs topgeschenken_oci.

Generates a corpus of realistic Peppol BIS 3 (UBL) bills from a gift webshop
for freshly created purchase orders, imports every bill through Odoo's
standard upload path (``account.journal._create_document_from_attachment``,
what the Bills "Upload" button calls) and prints, for native Odoo matching
and for the addon's matching:

- per-invoice import time: median and p95 (ms);
- outcome counts: bills whose lines were all linked to the right orders,
  partly linked, not linked, and linked to a WRONG order (false matches);
- the addon's match status counts.

"Native" runs the same import with the context key ``oci_native_matching``,
which makes the addon hand ``_find_and_set_purchase_orders`` back to Odoo's
own implementation (the addon's small UBL hooks that keep the references
still run). Odoo's upload path commits each imported document, so the run stays in the
database: every run makes a company "Bench Zorggroep <n>" of its own. Each mode
(native, addon) has its own company, vendor and orders. Use a throwaway
database.

Usage (a database with the addon and l10n_nl installed; the dev database
made by ``scripts/dev-test.sh`` does)::

    TGOCI_DEV_DB=tgoci_bench DEV_HTTP_PORT=8379 \\
        bash scripts/dev-test.sh /topgeschenken_oci:TestInstall
    .venv/bin/python bench/invoice_matching.py -c .cache/dev-odoo.conf -d tgoci_bench \
        [--orders 200] [--seed 7]
"""

import argparse
import random
import statistics
import time
from collections import Counter
from xml.sax.saxutils import escape

VENDOR = "Topgeschenken Bench B.V."
VENDOR_VAT = "NL000099998B57"
ITEMS = [
    ("Kerstpakket Deluxe", "TG-KP-001", 49.95),
    ("Bloemetje met kaart", "TG-BL-002", 19.95),
    ("Bonbons (per 10)", "TG-CH-010", 12.50),
    ("Wijnpakket Rood", "TG-WP-004", 27.50),
    ("Taart met logo", "TG-TA-005", 34.00),
    ("Fruitmand Groot", "TG-FM-006", 42.75),
]
#: scenario -> weight in the corpus
SCENARIOS = {
    "order_reference": 35,
    "buyer_reference_noisy": 15,
    "sales_order_id": 10,
    "description_text": 10,
    "collective_line_refs": 10,
    "price_deviation": 5,
    "twin_orders": 5,
    "unknown_order": 5,
    "no_reference": 5,
    "note_reference": 5,
    "payment_reference": 5,
    "rounding": 5,
}

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
PEPPOL = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
    "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
)


def e(tag, *children, **attrs):
    """An XML element as text: ``e("cbc:ID", "P00023")``."""
    attributes = "".join(f' {key}="{value}"' for key, value in attrs.items())
    return f"<{tag}{attributes}>{''.join(str(c) for c in children)}</{tag}>"


def eur(tag, amount):
    return e(tag, f"{amount:.2f}", currencyID="EUR")


def party(role, name, vat=None):
    country = e("cac:Country", e("cbc:IdentificationCode", "NL"))
    parts = [e("cac:PostalAddress", e("cbc:CityName", "Zwolle"), country)]
    if vat:
        scheme = e("cac:TaxScheme", e("cbc:ID", "VAT"))
        parts.append(e("cac:PartyTaxScheme", e("cbc:CompanyID", vat), scheme))
    parts.append(e("cac:PartyLegalEntity", e("cbc:RegistrationName", escape(name))))
    return e(f"cac:{role}", e("cac:Party", *parts))


def vat21():
    scheme = e("cac:TaxScheme", e("cbc:ID", "VAT"))
    return e("cbc:ID", "S"), e("cbc:Percent", "21"), scheme


def ubl_invoice(
    number,
    lines,
    order_ref=None,
    sales_order=None,
    buyer_ref=None,
    note=None,
    payment_id=None,
    rounding=0.0,
):
    """A Peppol BIS 3 invoice. ``lines``: (name, code, qty, price, line_order, desc)."""
    untaxed = round(sum(round(q * p, 2) for _n, _c, q, p, _o, _d in lines), 2)
    tax = round(untaxed * 0.21, 2)
    body = [
        e("cbc:CustomizationID", PEPPOL[0]),
        e("cbc:ProfileID", PEPPOL[1]),
        e("cbc:ID", number),
        e("cbc:IssueDate", "2026-11-20"),
        e("cbc:DueDate", "2026-12-20"),
        e("cbc:InvoiceTypeCode", "380"),
    ]
    if note:
        body.append(e("cbc:Note", escape(note)))
    body.append(e("cbc:DocumentCurrencyCode", "EUR"))
    if buyer_ref:
        body.append(e("cbc:BuyerReference", escape(buyer_ref)))
    if order_ref or sales_order:
        refs = [e("cbc:ID", escape(order_ref or "NA"))]
        if sales_order:
            refs.append(e("cbc:SalesOrderID", escape(sales_order)))
        body.append(e("cac:OrderReference", *refs))
    body += [
        party("AccountingSupplierParty", VENDOR, VENDOR_VAT),
        party("AccountingCustomerParty", "Zorggroep Utrecht"),
        e(
            "cac:PaymentMeans",
            e("cbc:PaymentMeansCode", "30"),
            e("cbc:PaymentID", escape(payment_id or number)),
        ),
        e(
            "cac:TaxTotal",
            eur("cbc:TaxAmount", tax),
            e(
                "cac:TaxSubtotal",
                eur("cbc:TaxableAmount", untaxed),
                eur("cbc:TaxAmount", tax),
                e("cac:TaxCategory", *vat21()),
            ),
        ),
        e(
            "cac:LegalMonetaryTotal",
            eur("cbc:LineExtensionAmount", untaxed),
            eur("cbc:TaxExclusiveAmount", untaxed),
            eur("cbc:TaxInclusiveAmount", untaxed + tax),
            *([eur("cbc:PayableRoundingAmount", rounding)] if rounding else []),
            eur("cbc:PayableAmount", untaxed + tax + rounding),
        ),
    ]
    for n, (name, code, qty, price, line_order, description) in enumerate(lines, 1):
        line = [
            e("cbc:ID", n),
            e("cbc:InvoicedQuantity", qty, unitCode="C62"),
            eur("cbc:LineExtensionAmount", round(qty * price, 2)),
        ]
        if line_order:
            order = e("cac:OrderReference", e("cbc:ID", line_order))
            line.append(e("cac:OrderLineReference", e("cbc:LineID", n), order))
        item = [e("cbc:Description", escape(description))] if description else []
        item.append(e("cbc:Name", escape(name)))
        if code:
            item.append(e("cac:SellersItemIdentification", e("cbc:ID", code)))
        item.append(e("cac:ClassifiedTaxCategory", *vat21()))
        line += [e("cac:Item", *item), e("cac:Price", eur("cbc:PriceAmount", price))]
        body.append(e("cac:InvoiceLine", *line))
    root = e(
        "Invoice",
        *body,
        xmlns=f"{UBL}Invoice-2",
        **{
            "xmlns:cac": f"{UBL}CommonAggregateComponents-2",
            "xmlns:cbc": f"{UBL}CommonBasicComponents-2",
        },
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{root}'.encode()


def setup(env, run):
    """A Dutch company with a webshop vendor, products and a warehouse."""
    from odoo import Command

    company = env["res.company"].create(
        {"name": f"Bench Zorggroep {run}", "country_id": env.ref("base.nl").id}
    )
    env["account.chart.template"].try_loading("nl", company, install_demo=False)
    env.user.company_ids |= company
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    vendor = env["res.partner"].create(
        {
            "name": VENDOR,
            "is_company": True,
            "vat": VENDOR_VAT,
            "company_id": company.id,
        }
    )
    expense = env["account.account"].search(
        [("company_ids", "in", company.ids), ("account_type", "=", "expense")], limit=1
    )
    supplier = env["punchout.webshop"].create(
        {
            "name": "Topgeschenken (bench)",
            "partner_id": vendor.id,
            "company_id": company.id,
            "catalog_url": "http://localhost:9/oci/login",
            "match_price_tolerance_percent": 1.0,
            "nzi_mapping_ids": [
                Command.create(
                    {"code": "4410", "name": "Geschenken", "account_id": expense.id}
                )
            ],
        }
    )
    products = env["product.product"].create(
        [
            {
                "name": n,
                "type": "consu",
                "purchase_method": "purchase",
                "company_id": company.id,
            }
            for n, *_r in ITEMS
        ]
    )
    tax = env["account.tax"].search(
        [
            ("company_id", "=", company.id),
            ("type_tax_use", "=", "purchase"),
            ("amount", "=", 21),
        ],
        limit=1,
    )
    picking_type = env["stock.picking.type"].search(
        [("company_id", "=", company.id), ("code", "=", "incoming")], limit=1
    )
    if not picking_type:
        warehouse = env["stock.warehouse"].create(
            {"name": "Bench", "code": "BNCH", "company_id": company.id}
        )
        picking_type = warehouse.in_type_id
    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "purchase")], limit=1
    )
    return {
        "env": env,
        "company": company,
        "vendor": vendor,
        "supplier": supplier,
        "products": products,
        "tax": tax,
        "picking_type": picking_type,
        "journal": journal,
        "run": run,
    }


def scenario_header(scenario, name, ref, rng):
    """(ubl_invoice keyword arguments, price factor, line description) that
    put the order number ``name`` where ``scenario`` says."""
    kwargs, factor, description = {}, 1.0, None
    if scenario == "order_reference":
        kwargs["order_ref"] = name
    elif scenario == "buyer_reference_noisy":
        kwargs["buyer_ref"] = rng.choice(
            [
                f"Ordernr: {name} / afd. ICT",
                f"PO {name}",
                f"Inkooporder {name}, kpl 4410",
            ]
        )
    elif scenario == "sales_order_id":
        kwargs.update(order_ref="n.v.t.", sales_order=ref)
    elif scenario == "description_text":
        description = f"Levering volgens inkooporder {name}"
        kwargs["buyer_ref"] = "n.v.t."
    elif scenario == "price_deviation":
        kwargs["order_ref"] = name
        factor = 1.08
    elif scenario == "note_reference":
        kwargs["note"] = f"Uw bestelling {name}, prijs per 10 stuks"
    elif scenario == "payment_reference":
        kwargs["payment_id"] = name
    elif scenario == "rounding":
        kwargs.update(order_ref=name, rounding=0.01)
    return kwargs, factor, description


def build_corpus(ctx, count, seed, mode):
    """Create the orders and return [(scenario, xml bytes, expected orders)].

    ``mode`` (1 native, 2 addon) goes into the order numbers, so each run
    matches against orders of its own; the same seed gives both the same corpus.
    """
    from odoo import Command

    env, company, vendor = ctx["env"], ctx["company"], ctx["vendor"]
    supplier, products, tax = ctx["supplier"], ctx["products"], ctx["tax"]
    picking_type, run = ctx["picking_type"], ctx["run"]
    rng = random.Random(seed)
    counter = iter(range(1, 10**6))

    def make_order(item_ids, qtys, partner_ref=False):
        number = next(counter)
        order = env["purchase.order"].create(
            {
                "name": f"P{run:04d}{mode}{number:04d}",
                "partner_id": vendor.id,
                "partner_ref": partner_ref,
                "company_id": company.id,
                "picking_type_id": picking_type.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": products[i].id,
                            "product_qty": qty,
                            "price_unit": ITEMS[i][2],
                            "oci_vendormat": ITEMS[i][1],
                            "punchout_nzi_code_id": supplier.nzi_mapping_ids.id,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                    for i, qty in zip(item_ids, qtys, strict=True)
                ],
            }
        )
        return order

    def lines_of(
        order, price_factor=1.0, line_order=None, description=None, codes=True
    ):
        return [
            (
                line.product_id.name,
                line.oci_vendormat if codes else None,
                int(line.product_qty),
                round(line.price_unit * price_factor, 2),
                line_order,
                description,
            )
            for line in order.order_line
        ]

    corpus, orders_to_confirm = [], env["purchase.order"]
    scenarios = rng.choices(list(SCENARIOS), weights=list(SCENARIOS.values()), k=count)
    for n, scenario in enumerate(scenarios):
        number = f"TGB-{run}-{mode}-{n:05d}"

        def new_order(partner_ref=False):
            k = rng.randint(1, 3)
            items = rng.sample(range(len(ITEMS)), k)
            return make_order(items, [rng.randint(1, 25) for _i in items], partner_ref)

        if scenario == "twin_orders":
            items, qtys = [rng.randrange(len(ITEMS))], [rng.randint(2, 9)]
            orders = make_order(items, qtys) | make_order(items, qtys)
            xml = ubl_invoice(
                number, lines_of(orders[0]), order_ref=" ".join(orders.mapped("name"))
            )
            expected = None  # ambiguous: must not be linked
        elif scenario == "collective_line_refs":
            orders = new_order() | new_order()
            lines = []
            for order in orders:
                lines += lines_of(order, line_order=order.name)
            xml = ubl_invoice(
                number, lines, buyer_ref="Verzamelfactuur filiaal Utrecht"
            )
            expected = orders
        elif scenario == "unknown_order":
            # ordered outside Odoo: no purchase order has these lines
            orders = env["purchase.order"]
            lines = [
                (name, code, rng.randint(1, 25), price, None, None)
                for name, code, price in rng.sample(ITEMS, 2)
            ]
            xml = ubl_invoice(number, lines, order_ref=f"P{run:04d}9{n:04d}")
            expected = None
        else:
            ref = (
                f"TG-SO-{run}-{mode}-{n:05d}" if scenario == "sales_order_id" else False
            )
            orders = new_order(partner_ref=ref)
            name = orders.name
            kwargs, factor, description = scenario_header(scenario, name, ref, rng)
            lines = lines_of(orders, price_factor=factor, description=description)
            xml = ubl_invoice(number, lines, **kwargs)
            expected = orders
        orders_to_confirm |= orders
        corpus.append((scenario, xml, expected))
    orders_to_confirm.button_confirm()
    return corpus


def run(env, journal, corpus, native):
    times, outcomes, states = [], Counter(), Counter()
    by_scenario = {}
    for scenario, xml, expected in corpus:
        attachment = env["ir.attachment"].create(
            {"name": "bill.xml", "raw": xml, "mimetype": "application/xml"}
        )
        ctx_journal = journal.with_context(
            default_journal_id=journal.id,
            default_move_type="in_invoice",
            oci_native_matching=native,
        )
        start = time.perf_counter()
        bill = ctx_journal._create_document_from_attachment(attachment.ids)
        env.flush_all()
        times.append((time.perf_counter() - start) * 1000)
        lines = bill.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and not line.oci_edi_rounding
        )
        linked = lines.filtered("purchase_line_id")
        linked_orders = linked.purchase_line_id.order_id
        if linked_orders and (expected is None or linked_orders - expected):
            outcome = "FALSE match (wrong or unknown order linked)"
        elif not linked:
            outcome = "correctly not linked" if expected is None else "not linked"
        elif len(linked) == len(lines) and linked_orders == expected:
            outcome = "all lines linked"
        else:
            outcome = "partly linked"
        outcomes[outcome] += 1
        by_scenario.setdefault(scenario, Counter())[outcome] += 1
        if not native:
            states[bill.oci_match_state or "-"] += 1
        # a bill would be cancelled if rejected; keep orders open for the next
        bill.button_cancel()
    return times, outcomes, states, by_scenario


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--orders", type=int, default=200, help="bills in the corpus")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    odoo.netsvc.init_logger()
    registry = Registry(args.database)
    results = {}
    run_id = int(time.time()) % 10000
    with registry.cursor() as cr:
        for mode, native in ((1, True), (2, False)):
            env = api.Environment(cr, SUPERUSER_ID, {})
            ctx = setup(env, f"{run_id}-{mode}")
            ctx["run"] = run_id
            cr.commit()
            corpus = build_corpus(ctx, args.orders, args.seed, mode)
            cr.commit()
            env, journal = ctx["env"], ctx["journal"]
            run(env, journal, corpus[:5], native)  # warm-up (caches), not measured
            results[native] = run(env, journal, corpus[5:], native)
            cr.commit()
    print(
        f"corpus: {args.orders - 5} bills measured (seed {args.seed}), "
        f"scenario weights {SCENARIOS}"
    )
    for native, label in ((True, "native Odoo"), (False, "topgeschenken_oci")):
        times, outcomes, states, by_scenario = results[native]
        print(f"\n== {label}")
        print(
            f"per-invoice import: median {statistics.median(times):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms"
        )
        print("outcomes:", dict(sorted(outcomes.items())))
        if states:
            print("match status:", dict(sorted(states.items())))
        for scenario in SCENARIOS:
            if scenario in by_scenario:
                print(f"  {scenario:24} {dict(sorted(by_scenario[scenario].items()))}")


if __name__ == "__main__":
    main()
