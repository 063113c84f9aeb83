"""UBL invoices and credit notes (NLCIUS), and their delivery by e-mail."""

import email
import threading
from decimal import Decimal
from email import policy
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

import pytest
from lxml import etree

from tools.simshop import create_app, ubl

from .conftest import cxml_order_request, issue_refs, xsd_dir

NS = ubl.NS


def schema(name):
    return etree.XMLSchema(etree.parse(str(xsd_dir() / "maindoc" / name)))


@pytest.fixture
def order_id(client):
    refs = issue_refs(client)
    response = client.post(
        "/cxml/order", data=cxml_order_request("P00123", refs), content_type="text/xml"
    )
    assert response.status_code == 200
    return response.headers["X-Supplier-Order-Id"]


def invoice(client, order, **options):
    response = client.post(f"/admin/invoice/{order}", json=options)
    assert response.status_code == 200, response.data
    return response, etree.fromstring(response.data)


def amounts(root, path):
    return [Decimal(e.text) for e in root.findall(path, NS)]


def test_invoice_valid_with_exact_totals(client, state, order_id):
    response, root = invoice(client, order_id, issue_date="2025-02-03")
    schema("UBL-Invoice-2.1.xsd").assertValid(root)
    number = response.headers["X-Invoice-Number"]
    assert number == "TGF-2025-00001"
    assert response.content_type == "application/xml"
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
    )
    assert root.findtext("cbc:ProfileID", namespaces=NS) == (
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    )
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    assert root.findtext("cbc:DueDate", namespaces=NS) == "2025-03-05"
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "P00123"
    assert root.findtext("cac:OrderReference/cbc:SalesOrderID", namespaces=NS) == (
        order_id
    )
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == "KP-4711"
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    legal = supplier.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
    assert (legal.get("schemeID"), legal.text) == ("0106", "81234564")
    assert supplier.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == (
        "NL853746333B01"
    )
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert buyer.findtext("cac:PartyName/cbc:Name", namespaces=NS) == (
        "Zorggroep Demo B.V."
    )
    assert buyer.find("cbc:EndpointID", NS).get("schemeID") == "0106"
    assert (
        root.findtext(
            "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", namespaces=NS
        )
        == "NL91ABNA0417164300"
    )
    # Totals: 9 % on 210.50 = 18.945 -> 18.95 and 21 % on 232.50 = 48.825 -> 48.83
    # (half up; half even would give 18.94 and 48.82).
    subtotals = [
        (
            s.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS),
            s.findtext("cbc:TaxableAmount", namespaces=NS),
            s.findtext("cbc:TaxAmount", namespaces=NS),
        )
        for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    ]
    assert subtotals == [("9", "210.50", "18.95"), ("21", "232.50", "48.83")]
    assert root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "67.78"
    totals = root.find("cac:LegalMonetaryTotal", NS)
    assert [e.text for e in totals] == ["443.00", "443.00", "510.78", "510.78"]
    assert totals[0].get("currencyID") == "EUR"
    assert response.headers["X-Invoice-Total"] == "510.78"
    lines = root.findall("cac:InvoiceLine", NS)
    assert len(lines) == 7
    assert sum(amounts(root, "cac:InvoiceLine/cbc:LineExtensionAmount")) == Decimal(
        "443.00"
    )
    bonbons = lines[3]
    assert bonbons.findtext("cac:OrderLineReference/cbc:LineID", namespaces=NS) == "40"
    assert (
        bonbons.findtext("cac:Item/cac:SellersItemIdentification/cbc:ID", namespaces=NS)
        == "TG-BB-006"
    )
    quantity = bonbons.find("cbc:InvoicedQuantity", NS)
    assert (quantity.text, quantity.get("unitCode")) == ("40", "EA")
    assert bonbons.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "12.50"
    assert bonbons.findtext("cac:Price/cbc:BaseQuantity", namespaces=NS) == "10"
    assert bonbons.findtext("cbc:LineExtensionAmount", namespaces=NS) == "50.00"
    assert (
        bonbons.findtext(
            "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", namespaces=NS
        )
        == "9"
    )
    saved = state.store.data_dir / "invoices" / f"{number}.xml"
    assert saved.read_bytes() == response.data


def test_price_delta_partial_and_credit_note(client, order_id):
    _response, root = invoice(client, order_id, price_delta="0.50")
    schema("UBL-Invoice-2.1.xsd").assertValid(root)
    prices = [
        e.text for e in root.findall("cac:InvoiceLine/cac:Price/cbc:PriceAmount", NS)
    ]
    assert prices == ["50.45", "20.45", "25.45", "17.50", "16.25", "65.00", "17.75"]
    line_ext = amounts(root, "cac:InvoiceLine/cbc:LineExtensionAmount")
    assert line_ext[3] == Decimal("70.00")  # 40 x 17.50 / 10
    assert (
        root.findtext("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", namespaces=NS)
        == "470.00"
    )

    response, root = invoice(client, order_id, quantity_factor=0.5)
    first_number = response.headers["X-Invoice-Number"]
    quantities = [
        e.text for e in root.findall("cac:InvoiceLine/cbc:InvoicedQuantity", NS)
    ]
    assert quantities == ["0.5", "0.5", "1.5", "20", "0.5", "1", "3"]
    # Each line rounds half up: 24.975 -> 24.98, 9.975 -> 9.98, 37.425 -> 37.43,
    # 7.875 -> 7.88; so the half invoice is 221.52, not 443.00 / 2.
    assert (
        root.findtext("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", namespaces=NS)
        == "221.52"
    )

    response, root = invoice(client, order_id, credit_note=True, quantities={"70": 1})
    schema("UBL-CreditNote-2.1.xsd").assertValid(root)
    assert etree.QName(root).localname == "CreditNote"
    assert response.headers["X-Invoice-Number"].startswith("TGC-")
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert (
        root.findtext(
            "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS
        )
        == first_number
    )
    lines = root.findall("cac:CreditNoteLine", NS)
    assert len(lines) == 7
    assert lines[6].findtext("cbc:CreditedQuantity", namespaces=NS) == "1"

    invoices = client.get("/admin/invoices").json["invoices"]
    assert [i["type"] for i in invoices] == ["credit_note", "invoice", "invoice"]
    assert client.post("/admin/invoice/P-unknown", json={}).status_code == 404
    bad = client.post(f"/admin/invoice/{order_id}", json={"price_delta": "abc"})
    assert bad.status_code == 400


class OdooPaths(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object")


class FakeOdoo:
    """An XML-RPC server on loopback recording mail gateway calls."""

    def __init__(self):
        self.calls = []
        self.server = SimpleXMLRPCServer(
            ("127.0.0.1", 0), OdooPaths, logRequests=False, allow_none=True
        )
        self.server.register_function(self.authenticate, "authenticate")
        self.server.register_function(self.execute_kw, "execute_kw")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def authenticate(self, db, login, password, env):
        return 2 if (login, password) == ("admin", "geheim") else False

    def execute_kw(self, *args):
        self.calls.append(args)
        return 77

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_deliver_by_mail(tmp_path):
    with FakeOdoo() as odoo:
        app = create_app(
            data_dir=str(tmp_path),
            deliver="mail",
            odoo_url=odoo.url,
            odoo_db="zorg",
            odoo_password="geheim",
            mail_to="inkoopfacturen@zorg.example",
        )
        client = app.test_client()
        refs = issue_refs(client)
        client.post(
            "/cxml/order", data=cxml_order_request("P7", refs), content_type="text/xml"
        )
        response = client.post("/admin/invoice/P7", json={})
        assert response.status_code == 200, response.data
        assert response.headers["X-Delivery"] == "mail:77"
    ((db, uid, password, model, method, args, kwargs),) = odoo.calls
    assert (db, uid, password, model, method, kwargs) == (
        "zorg",
        2,
        "geheim",
        "mail.thread",
        "message_process",
        {},
    )
    assert args[0] is False
    message = email.message_from_bytes(args[1].data, policy=policy.default)
    number = response.headers["X-Invoice-Number"]
    assert message["Subject"] == f"Factuur {number}"
    assert message["To"] == "inkoopfacturen@zorg.example"
    assert "facturen@topgeschenken.example" in message["From"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{number}.xml"
    assert attachment.get_content_type() == "application/xml"
    assert attachment.get_content() == response.data


def test_delivery_failure_is_reported(tmp_path):
    app = create_app(
        data_dir=str(tmp_path),
        odoo_url="http://127.0.0.1:9",
        odoo_db="zorg",
        mail_to="bills@zorg.example",
    )
    client = app.test_client()
    refs = issue_refs(client)
    client.post(
        "/cxml/order", data=cxml_order_request("P8", refs), content_type="text/xml"
    )
    response = client.post("/admin/invoice/P8", json={"deliver": "mail"})
    assert response.status_code == 502
    assert response.json["invoice_number"].startswith("TGF-")
