"""Fixtures and document builders for the simulated shop's tests."""

from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from tools.simshop import create_app

REPO = Path(__file__).resolve().parents[3]
HOOK_URL = "http://127.0.0.1:8069/topgeschenken_oci/return/tok123"
FORM_POST_URL = "http://127.0.0.1:8069/topgeschenken_oci/cxml/return/tok456"


def xsd_dir():
    """The OASIS UBL 2.1 XSDs kept with the addon's tests (see the README there)."""
    return REPO / "topgeschenken_oci" / "tests" / "test_files" / "ubl21-xsd"


@pytest.fixture
def app(tmp_path):
    return create_app(data_dir=str(tmp_path / "data"), slow_seconds=0.2)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def state(app):
    return app.extensions["simshop"]


def oci_login(client, **extra):
    params = {
        "USERNAME": "demo",
        "PASSWORD": "demo",
        "HOOK_URL": HOOK_URL,
        "~OkCode": "ADDI",
        "~TARGET": "_top",
        "~CALLER": "CTLG",
        **extra,
    }
    return client.get("/oci/login", query_string=params)


@pytest.fixture
def oci_client(client):
    response = oci_login(client)
    assert response.status_code == 303
    return client


class FormParser(HTMLParser):
    """Collects every <form> with its attributes and (name, value) inputs."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "inputs": [], "buttons": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(
                (attrs.get("name"), attrs.get("value", ""), attrs.get("type"))
            )
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append(attrs)


def parse_forms(html):
    parser = FormParser()
    parser.feed(html if isinstance(html, str) else html.decode("utf-8"))
    return parser.forms


def transfer_form(response):
    """The auto-submitting form of a transfer page: (attrs, [(name, value)])."""
    assert response.status_code == 200, response.data[:500]
    forms = [
        f for f in parse_forms(response.data) if f["attrs"].get("id") == "oci-transfer"
    ]
    assert len(forms) == 1
    form = forms[0]
    return form["attrs"], [(name, value) for name, value, _type in form["inputs"]]


def add_to_cart(
    client, code, quantity=1, card_text="", logo="NONE", location="LOC-UTR"
):
    return client.post(
        "/cart/add",
        data={
            "code": code,
            "quantity": str(quantity),
            "card_text": card_text,
            "logo": logo,
            "location": location,
        },
    )


def cxml_setup_request(secret="s3cret", url=FORM_POST_URL, cookie="BC-42", items=()):
    """``items``: line references, or dicts (``ref``, ``code``, ``quantity``,
    ``card_text``) of ItemOut lines."""
    items = [item if isinstance(item, dict) else {"ref": item} for item in items]
    item_out = "".join(
        f'<ItemOut quantity="{item.get("quantity", 1)}" lineNumber="{n}"><ItemID>'
        f"<SupplierPartID>{escape(item.get('code', 'X'))}</SupplierPartID>"
        f"<SupplierPartAuxiliaryID>{escape(item['ref'])}</SupplierPartAuxiliaryID>"
        f'</ItemID><ItemDetail><UnitPrice><Money currency="EUR">1.00</Money>'
        f'</UnitPrice><Description xml:lang="nl">x</Description>'
        f"<UnitOfMeasure>EA</UnitOfMeasure>"
        f'<Extrinsic name="CardText">{escape(item.get("card_text", ""))}</Extrinsic>'
        f"</ItemDetail></ItemOut>"
        for n, item in enumerate(items, start=1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.069/cXML.dtd">
<cXML payloadID="1@odoo.example" timestamp="2025-01-10T10:00:00+01:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>ODOO-ZORG</Identity>
      </Credential></From>
    <To><Credential domain="NetworkID"><Identity>TOPGESCHENKEN</Identity>
      </Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>ODOO-ZORG</Identity>
      <SharedSecret>{escape(secret)}</SharedSecret></Credential>
      <UserAgent>Odoo 19</UserAgent></Sender>
  </Header>
  <Request deploymentMode="test">
    <PunchOutSetupRequest operation="{"edit" if items else "create"}">
      <BuyerCookie>{escape(cookie)}</BuyerCookie>
      <Extrinsic name="UserEmail">inkoper@zorg.example</Extrinsic>
      <BrowserFormPost><URL>{escape(url)}</URL></BrowserFormPost>
      <SupplierSetup><URL>http://localhost:8079/cxml/setup</URL></SupplierSetup>
      {item_out}
    </PunchOutSetupRequest>
  </Request>
</cXML>""".encode()


# (vendor code, quantity, price as sent, price basis, unit): 9 % lines sum
# to 210.50 (VAT 18.945 -> 18.95), 21 % lines to 232.50 (48.825 -> 48.83).
ORDER_LINES = [
    ("TG-KP-001", 1, "49.95", 1, "EA"),
    ("TG-BL-002", 1, "19.95", 1, "EA"),
    ("TG-CT-005", 3, "24.95", 1, "EA"),
    ("TG-BB-006", 40, "12.50", 10, "EA"),
    ("TG-TK-008", 1, "15.75", 1, "SET"),
    ("TG-WK-003", 2, "64.50", 1, "BX"),
    ("TG-PB-004", 6, "17.25", 1, "EA"),
]


def cxml_order_request(order_id, refs, secret="s3cret", lines=ORDER_LINES):
    items = []
    for n, ((code, qty, price, basis, unit), ref) in enumerate(
        zip(lines, refs, strict=True), 1
    ):
        basis_xml = (
            f'<PriceBasisQuantity quantity="{basis}" conversionFactor="1">'
            f"<UnitOfMeasure>{unit}</UnitOfMeasure></PriceBasisQuantity>"
            if basis != 1
            else ""
        )
        items.append(
            f'<ItemOut quantity="{qty}" lineNumber="{n * 10}" '
            f'requestedDeliveryDate="2025-01-20">'
            f"<ItemID><SupplierPartID>{code}</SupplierPartID>"
            f"<SupplierPartAuxiliaryID>{ref}</SupplierPartAuxiliaryID></ItemID>"
            f'<ItemDetail><UnitPrice><Money currency="EUR">{price}</Money></UnitPrice>'
            f'<Description xml:lang="nl">{code}</Description>'
            f"<UnitOfMeasure>{unit}</UnitOfMeasure>{basis_xml}"
            f'<Classification domain="NZI">NZI-4410</Classification></ItemDetail>'
            f"</ItemOut>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.069/cXML.dtd">
<cXML payloadID="2@odoo.example" timestamp="2025-01-10T11:00:00+01:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>ODOO-ZORG</Identity>
      </Credential></From>
    <To><Credential domain="NetworkID"><Identity>TOPGESCHENKEN</Identity>
      </Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>ODOO-ZORG</Identity>
      <SharedSecret>{escape(secret)}</SharedSecret></Credential>
      <UserAgent>Odoo 19</UserAgent></Sender>
  </Header>
  <Request deploymentMode="test">
    <OrderRequest>
      <OrderRequestHeader orderID={quoteattr(order_id)} orderDate="2025-01-10"
          type="new">
        <Total><Money currency="EUR">443.00</Money></Total>
        <ShipTo><Address addressID="LOC-UTR"><Name xml:lang="nl">Zorggroep Demo</Name>
          <PostalAddress><Street>Zorgplein 1</Street><City>Utrecht</City>
          <PostalCode>3511 AA</PostalCode>
          <Country isoCountryCode="NL">Nederland</Country>
          </PostalAddress></Address></ShipTo>
        <BillTo><Address addressID="ZG-1"><Name xml:lang="nl">Zorggroep Demo B.V.</Name>
          <PostalAddress><Street>Postbus 123</Street><City>Utrecht</City>
          <PostalCode>3500 AC</PostalCode>
          <Country isoCountryCode="NL">Nederland</Country>
          </PostalAddress><Email>crediteuren@zorg.example</Email></Address></BillTo>
        <Extrinsic name="BuyerReference">KP-4711</Extrinsic>
        <Extrinsic name="BuyerKvK">12345678</Extrinsic>
        <Extrinsic name="BuyerVATID">NL123456782B01</Extrinsic>
      </OrderRequestHeader>
      {"".join(items)}
    </OrderRequest>
  </Request>
</cXML>""".encode()


UBL_ORDER_NS = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:'
    'CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
    'CommonBasicComponents-2"'
)


def ubl_order(order_id, refs, lines=ORDER_LINES[:2]):
    order_lines = []
    for n, ((code, qty, price, basis, unit), ref) in enumerate(
        zip(lines, refs, strict=True), 1
    ):
        base = f'<cbc:BaseQuantity unitCode="{unit}">{basis}</cbc:BaseQuantity>'
        order_lines.append(
            f"<cac:OrderLine><cac:LineItem><cbc:ID>{n}</cbc:ID>"
            f'<cbc:Quantity unitCode="{unit}">{qty}</cbc:Quantity>'
            f'<cac:Price><cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount>'
            f"{base if basis != 1 else ''}</cac:Price>"
            f"<cac:Item><cbc:Name>{code}</cbc:Name><cac:SellersItemIdentification>"
            f"<cbc:ID>{code}</cbc:ID><cbc:ExtendedID>{ref}</cbc:ExtendedID>"
            f"</cac:SellersItemIdentification></cac:Item>"
            f"</cac:LineItem></cac:OrderLine>"
        )
    party = """<cac:Party><cbc:EndpointID schemeID="0106">12345678</cbc:EndpointID>
      <cac:PartyName><cbc:Name>Zorggroep Demo</cbc:Name></cac:PartyName>
      <cac:PostalAddress><cbc:StreetName>Zorgplein 1</cbc:StreetName>
      <cbc:CityName>Utrecht</cbc:CityName><cbc:PostalZone>3511 AA</cbc:PostalZone>
      <cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyLegalEntity>
      <cbc:RegistrationName>Zorggroep Demo B.V.</cbc:RegistrationName>
      <cbc:CompanyID schemeID="0106">12345678</cbc:CompanyID></cac:PartyLegalEntity>
      <cac:Contact><cbc:ElectronicMail>crediteuren@zorg.example</cbc:ElectronicMail>
      </cac:Contact></cac:Party>"""
    supplier = """<cac:Party><cac:PartyName><cbc:Name>Topgeschenken</cbc:Name>
      </cac:PartyName></cac:Party>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Order {UBL_ORDER_NS}>
  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>
  <cbc:ID>{escape(order_id)}</cbc:ID>
  <cbc:IssueDate>2025-01-10</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:CustomerReference>KP-0815</cbc:CustomerReference>
  <cac:BuyerCustomerParty>{party}</cac:BuyerCustomerParty>
  <cac:SellerSupplierParty>{supplier}</cac:SellerSupplierParty>
  {"".join(order_lines)}
</Order>""".encode()


def issue_refs(client, lines=ORDER_LINES):
    """Line references handed out by the shop (through /api/oci-cart)."""
    response = client.post(
        "/api/oci-cart",
        json={
            "hook_url": HOOK_URL,
            "lines": [
                {"vendor_code": code, "quantity": qty} for code, qty, *_ in lines
            ],
        },
    )
    assert response.status_code == 200, response.json
    return [line["ref"] for line in response.json["lines"]]
