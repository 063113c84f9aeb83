"""Long fuzz run of the protocol parsers (hypothesis), with figures.

Feeds the OCI form parser, the OCI XML parser, the cXML order-message parser,
the UBL order-response parser and the invoice reference extraction with
generated input for a while, and checks they only ever return a result or
raise their own documented error (``CartError`` / ``ProtocolError``), never
anything else. Prints the number of examples per target and any failure.
Stops by itself.

    .venv/bin/python bench/fuzz_protocol.py [--examples 20000]
"""

import argparse
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "topgeschenken_oci"))

from protocol import cxml, forms, invoice_refs, oci, ubl_inbound  # noqa: E402
from protocol.errors import ProtocolError  # noqa: E402

FIELDS = [
    "DESCRIPTION",
    "QUANTITY",
    "UNIT",
    "PRICE",
    "PRICEUNIT",
    "CURRENCY",
    "LEADTIME",
    "VENDORMAT",
    "MATGROUP",
    "EXT_PRODUCT_ID",
    "CUST_FIELD1",
    "CUST_FIELD5",
    "ITEM_TYPE",
    "PARENT_ID",
    "LONGTEXT_1:132[]",
]
NUMBERISH = st.one_of(
    st.from_regex(r"[-+]?[0-9]{0,12}([.,][0-9]{0,6})?[-]?", fullmatch=True),
    st.sampled_from(["NaN", "inf", "1e999", "", " ", "0", "-0", "1.234,56", "٣"]),
    st.text(max_size=12),
)
NAMES = st.one_of(
    st.builds(
        lambda f, n: f"NEW_ITEM-{f}[{n}]",
        st.sampled_from(FIELDS),
        st.one_of(st.integers(-2, 40).map(str), st.text(max_size=3)),
    ),
    st.text(max_size=30),
)
PAIRS = st.lists(
    st.tuples(NAMES, st.one_of(NUMBERISH, st.text(max_size=60))), max_size=60
)
XMLISH = st.one_of(
    st.text(max_size=400),
    st.builds(
        lambda items: "<BusinessDocument>"
        + "".join(f"<Item><{k}>{v}</{k}></Item>" for k, v in items)
        + "</BusinessDocument>",
        st.lists(st.tuples(st.sampled_from(FIELDS[:9]), NUMBERISH), max_size=20),
    ),
)
CXMLISH = st.builds(
    lambda qty, price, aux: (
        '<?xml version="1.0"?><cXML payloadID="1" timestamp="t"><Message>'
        "<PunchOutOrderMessage><BuyerCookie>c</BuyerCookie>"
        '<PunchOutOrderMessageHeader operationAllowed="create"/>'
        f'<ItemIn quantity="{qty}"><ItemID><SupplierPartID>A</SupplierPartID>'
        f"<SupplierPartAuxiliaryID>{aux}</SupplierPartAuxiliaryID></ItemID>"
        f'<ItemDetail><UnitPrice><Money currency="EUR">{price}</Money></UnitPrice>'
        "<Description>x</Description><UnitOfMeasure>EA</UnitOfMeasure>"
        "</ItemDetail></ItemIn></PunchOutOrderMessage></Message></cXML>"
    ),
    NUMBERISH,
    NUMBERISH,
    st.text(max_size=40),
)

UBL_RESPONSE = st.builds(
    lambda code, line, status, qty, day: (
        '<OrderResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
        'OrderResponse-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:'
        'xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:'
        'specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>1</cbc:ID>'
        f"<cbc:IssueDate>{day}</cbc:IssueDate>"
        f"<cbc:OrderResponseCode>{code}</cbc:OrderResponseCode>"
        "<cac:OrderReference><cbc:ID>P1</cbc:ID></cac:OrderReference>"
        f"<cac:OrderLine><cac:LineItem><cbc:ID>{line}</cbc:ID>"
        f"<cbc:LineStatusCode>{status}</cbc:LineStatusCode>"
        f"<cbc:Quantity>{qty}</cbc:Quantity><cac:Item/></cac:LineItem>"
        "</cac:OrderLine></OrderResponse>"
    ),
    st.sampled_from(["AP", "RE", "CA", "AB", "", "x"]),
    NUMBERISH,
    st.sampled_from(["5", "3", "7", "", "42"]),
    NUMBERISH,
    st.one_of(st.just("2026-12-01"), st.text(max_size=12)),
)


def run(name, strategy, target, examples):
    count = {"n": 0}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(value):
        count["n"] += 1
        try:
            target(value)
        except ProtocolError:
            pass

    started = time.perf_counter()
    check()
    elapsed = time.perf_counter() - started
    print(f"{name:<34} {count['n']:>8} examples {elapsed:>7.1f} s   no crash")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20000)
    args = parser.parse_args()
    n = args.examples
    run("oci.parse_oci_form", PAIRS, oci.parse_oci_form, n)
    run("oci.parse_oci_xml", XMLISH, lambda x: oci.parse_oci_xml(x.encode()), n)
    run(
        "cxml.parse_order_message",
        CXMLISH,
        lambda x: cxml.parse_punchout_order_message(x.encode()),
        n,
    )
    run(
        "ubl_inbound.parse_order_document",
        UBL_RESPONSE,
        lambda x: ubl_inbound.parse_order_document(x.encode()),
        n,
    )
    run(
        "invoice_refs.candidates",
        st.text(max_size=200),
        lambda x: invoice_refs.candidates(x, prefixes=["P"]),
        n,
    )
    run(
        "forms.decode_form_body",
        st.binary(max_size=400),
        lambda b: forms.decode_form_body(b, "application/x-www-form-urlencoded"),
        n,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
