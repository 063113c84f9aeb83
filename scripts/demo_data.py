"""Demo data for scripts/demo.sh, run inside ``odoo shell``.

Makes the main company a Dutch one (EUR, l10n_nl chart), creates a buyer,
an approver and an accountant, points the shipped Topgeschenken.nl supplier at
the simulated shop with every business-account option the shop offers
(orderers, delivery locations, logos, NZI codes, budgets, a unit alias),
installs Dutch (the buyer works in Dutch), gives the vendor bills journal the
mail alias the shop sends its invoices to and creates a purchase request
ready to punch out.
Reads SHOP_URL, ODOO_URL, DEMO_PASSWORD and BILLS_ALIAS (bills@delinde.example)
from the environment. Idempotent: run again, it puts the demo back in shape.
"""

import os

from odoo import Command, fields

env = env  # noqa: F821 (provided by odoo shell)
shop = os.environ["SHOP_URL"]
password = os.environ["DEMO_PASSWORD"]
company = env.ref("base.main_company")
nl = env.ref("base.nl")
if company.country_id != nl:
    company.write(
        {
            "name": "Zorggroep De Linde",
            "country_id": nl.id,
            "street": "Lindelaan 1",
            "zip": "3511 AA",
            "city": "Utrecht",
            "email": "inkoop@delinde.example",
            "vat": "NL000099998B57",
        }
    )
if company.chart_template != "nl":
    # Installing account on a company without a country loaded the generic
    # chart (USD): load the Dutch one (EUR) while there are no entries yet.
    env["account.chart.template"].try_loading("nl", company, install_demo=False)
    env.invalidate_all()
eur = env.ref("base.EUR")
if company.currency_id != eur:
    raise SystemExit(
        f"The demo company's currency is {company.currency_id.name}, not EUR"
    )
warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
if warehouse and warehouse.name != "De Linde":
    warehouse.name = "De Linde"
company.write({"po_double_validation": "two_step", "po_double_validation_amount": 500})

groups = {
    "buyer": [
        "purchase.group_purchase_user",
        "purchase_request.group_purchase_request_user",
    ],
    "approver": [
        "purchase.group_purchase_manager",
        "purchase_request.group_purchase_request_manager",
    ],
    "accountant": ["account.group_account_manager", "purchase.group_purchase_user"],
    # Purchase requests only, no purchase rights: her cart fills her request.
    "requester": ["purchase_request.group_purchase_request_user"],
}
names = {
    "buyer": "Bea Buyer",
    "approver": "Anton Approver",
    "accountant": "Alma Accountant",
    "requester": "Rita Requester",
}
users = {}
for login, group_xmlids in groups.items():
    user = env["res.users"].search([("login", "=", login)])
    vals = {
        "name": names[login],
        "login": login,
        "email": f"{login}@delinde.example",
        "password": password,
        "company_id": company.id,
        "company_ids": [Command.set(company.ids)],
        # Dutch people: what the shop's documents write in the chatter (the
        # delivery date and time) is in their time zone, as on their screens.
        "tz": "Europe/Amsterdam",
        "group_ids": [Command.link(env.ref("base.group_user").id)]
        + [Command.link(env.ref(x).id) for x in group_xmlids]
        # Receipts (the order's Receipt smart button), when stock is installed.
        + (
            [Command.link(stock_user.id)]
            if (stock_user := env.ref("stock.group_stock_user", False))
            and login != "requester"
            else []
        ),
    }
    if user:
        user.write(vals)
    else:
        user = env["res.users"].with_context(no_reset_password=True).create(vals)
    users[login] = user
env.ref("base.user_admin").write({"password": password})

# The demo's webshop runs on this machine: let the server call loopback.
env["ir.config_parameter"].set_param("topgeschenken_oci.allow_private_urls", "True")

# Dutch for the buyer: the webshop is Dutch, and so is the buyer's Odoo.
nl_lang = (
    env["res.lang"].with_context(active_test=False).search([("code", "=", "nl_NL")])
)
if not nl_lang.active:
    env["base.language.install"].create(
        {"lang_ids": [Command.set(nl_lang.ids)], "overwrite": False}
    ).lang_install()
users["buyer"].lang = "nl_NL"
users["requester"].lang = "nl_NL"

supplier = env.ref("topgeschenken_oci.webshop_topgeschenken").with_context(
    active_test=False
)
supplier.write(
    {
        "active": True,
        "company_id": company.id,
        "catalog_url": f"{shop}/oci/login",
        "oci_username": "demo",
        "oci_password": "demo",
        "order_format": "cxml",
        "order_url": f"{shop}/cxml/order",
        "order_timeout": 10,
        "cxml_from_identity": "DE-LINDE",
        "cxml_to_identity": "TOPGESCHENKEN",
        "cxml_sender_identity": "DE-LINDE",
        "cxml_shared_secret": "s3cret",
        # What the shop's documents to Odoo carry (demo.sh gives the shop it).
        "inbound_secret": os.environ.get("INBOUND_SECRET", "demo-inbound-s3cret"),
        "tax_rate_field": "CUST_FIELD4",
    }
)
# -- The business account: every option the shop offers, at work -----------
# The shop sends its wine box as unit BX (a box, UN/ECE XBX), which no Odoo
# unit has: map it (Purchase > Configuration > Webshops > Cart).
unit = env.ref("uom.product_uom_unit")
for code in ("BX", "SET"):
    if not supplier.unit_alias_ids.filtered(lambda a, c=code: a.code == c):
        env["punchout.uom.alias"].create(
            {"webshop_id": supplier.id, "code": code, "uom_id": unit.id}
        )


def find_or_create(model, domain, vals):
    record = env[model].with_context(active_test=False).search(domain, limit=1)
    if record:
        record.write(vals)
        return record
    return env[model].create(vals)


# Delivery locations: the shop's location codes on the group's addresses.
nl_country = env.ref("base.nl")
locations = {}
for code, name, street, zip_code, city in (
    ("LOC-UTR", "Hoofdkantoor Utrecht", "Lindelaan 1", "3511 AA", "Utrecht"),
    ("LOC-RTM", "Vestiging Rotterdam", "Coolsingel 40", "3011 AD", "Rotterdam"),
    ("LOC-HOME", "Thuisadres ontvanger", "Dorpsstraat 12", "3732 HJ", "De Bilt"),
):
    locations[code] = find_or_create(
        "res.partner",
        [("oci_location_code", "=", code)],
        {
            "name": name,
            "parent_id": company.partner_id.id,
            "type": "delivery",
            "street": street,
            "zip": zip_code,
            "city": city,
            "country_id": nl_country.id,
            "oci_location_code": code,
        },
    )

# Greeting card logos: the shop's code for the account's own logo.
find_or_create(
    "webshop.logo",
    [("code", "=", "COMPANY"), ("company_id", "=", company.id)],
    {
        "name": "Logo Zorggroep De Linde",
        "code": "COMPANY",
        "company_id": company.id,
        "image": company.logo,
    },
)

# NZI codes: product category, expense account and department per code.
plan = find_or_create(
    "account.analytic.plan", [("name", "=", "Afdelingen")], {"name": "Afdelingen"}
)
departments = {
    name: find_or_create(
        "account.analytic.account",
        [("name", "=", name), ("plan_id", "=", plan.id)],
        {"name": name, "plan_id": plan.id, "company_id": company.id},
    )
    for name in ("Zorg", "Facilitair")
}
# "Relatiegeschenken" (business gifts) of the Dutch chart.
gifts_account = (
    env["account.chart.template"]
    .with_company(company)
    .ref("4505", raise_if_not_found=False)
)
categories = {
    name: find_or_create("product.category", [("name", "=", name)], {"name": name})
    for name in ("Relatiegeschenken", "Kerstpakketten", "Bloemen", "Cadeaubonnen")
}
for code, name, categ in (
    ("NZI-44", "Relatiegeschenken en attenties", "Relatiegeschenken"),
    ("NZI-4410", "Kerstpakketten en lekkernijen", "Kerstpakketten"),
    ("NZI-4420", "Bloemen en planten", "Bloemen"),
    ("NZI-9910", "Cadeaubonnen", "Cadeaubonnen"),
):
    vals = {
        "webshop_id": supplier.id,
        "code": code,
        "name": name,
        "categ_id": categories[categ].id,
        "account_id": gifts_account.id or False,
        "analytic_distribution": {str(departments["Zorg"].id): 100},
    }
    find_or_create(
        "punchout.nzi.code",
        [("webshop_id", "=", supplier.id), ("code", "=", code)],
        vals,
    )

# Orderers: who may punch out, where they may send gifts, their cost center,
# department and assortment.
orderer_vals = {
    "buyer": {
        "location_ids": [Command.set([p.id for p in locations.values()])],
        "default_location_id": locations["LOC-UTR"].id,
        "cost_center": "KP-1200 Zorg",
        "analytic_account_id": departments["Zorg"].id,
        "allowed_nzi_codes": "NZI-44",
        "max_unit_price": 75,
    },
    "requester": {
        "location_ids": [Command.set([locations["LOC-UTR"].id])],
        "default_location_id": locations["LOC-UTR"].id,
        "cost_center": "KP-1200 Zorg",
        "analytic_account_id": departments["Zorg"].id,
    },
    "approver": {
        "location_ids": [Command.clear()],
        "default_location_id": locations["LOC-RTM"].id,
        "cost_center": "KP-3100 Facilitair",
        "analytic_account_id": departments["Facilitair"].id,
    },
}
for login, vals in orderer_vals.items():
    find_or_create(
        "webshop.orderer",
        [("webshop_id", "=", supplier.id), ("user_id", "=", users[login].id)],
        {"webshop_id": supplier.id, "user_id": users[login].id, **vals},
    )
find_or_create(
    "webshop.orderer",
    [
        ("webshop_id", "=", supplier.id),
        ("user_id", "=", env.ref("base.user_admin").id),
    ],
    {"webshop_id": supplier.id, "user_id": env.ref("base.user_admin").id},
)
company.write({"oci_invoice_grouping": "separate", "oci_cost_center_required": True})

# Budgets for the year: the buyer's own, and the department's.
today = fields.Date.context_today(users["buyer"])
year_start, year_end = today.replace(month=1, day=1), today.replace(month=12, day=31)
find_or_create(
    "webshop.budget",
    [("name", "=", "Relatiegeschenken Bea Buyer")],
    {
        "name": "Relatiegeschenken Bea Buyer",
        "scope": "user",
        "user_id": users["buyer"].id,
        "date_from": year_start,
        "date_to": year_end,
        "amount": 1500,
        "company_id": company.id,
    },
)
find_or_create(
    "webshop.budget",
    [("name", "=", "Afdeling Zorg")],
    {
        "name": "Afdeling Zorg",
        "scope": "analytic",
        "analytic_account_id": departments["Zorg"].id,
        "date_from": year_start,
        "date_to": year_end,
        "amount": 5000,
        "company_id": company.id,
    },
)

# The shop's invoices name the supplier by this VAT number and come from this
# address: Odoo finds the vendor by them.
supplier.partner_id.write(
    {
        "vat": "NL853746333B01",
        "email": "facturen@topgeschenken.example",
        "company_id": False,
    }
)

# Vendor bills by e-mail: the shop mails its UBL invoices to the purchase
# journal's alias, through Odoo's mail gateway.
alias_local, alias_domain_name = os.environ.get(
    "BILLS_ALIAS", "bills@delinde.example"
).split("@")
alias_domain = env["mail.alias.domain"].search(
    [("name", "=", alias_domain_name)], limit=1
) or env["mail.alias.domain"].create({"name": alias_domain_name})
if company.alias_domain_id != alias_domain:
    company.alias_domain_id = alias_domain
bills_journal = env["account.journal"].search(
    [("type", "=", "purchase"), ("company_id", "=", company.id)], limit=1
)
if bills_journal.alias_name != alias_local:
    bills_journal.alias_name = alias_local
env["ir.config_parameter"].set_param("web.base.url", os.environ["ODOO_URL"])
env["ir.config_parameter"].set_param("web.base.url.freeze", "True")

Request = env["purchase.request"].with_user(users["buyer"])
if not Request.search([("description", "=", "Kerstgeschenken 2026")]):
    Request.create(
        {
            "description": "Kerstgeschenken 2026",
            "line_ids": [
                Command.create(
                    {"name": "Kerstpakketten voor het team", "product_qty": 12}
                )
            ],
        }
    )
Request = env["purchase.request"].with_user(users["requester"])
if not Request.search([("description", "=", "Bedankjes vrijwilligers")]):
    Request.create({"description": "Bedankjes vrijwilligers"})
env.cr.commit()
Request = env["purchase.request"].with_user(users["buyer"])
request = Request.search([("description", "=", "Kerstgeschenken 2026")], limit=1)
print(
    f"demo data ready; purchase request {request.name} (Kerstgeschenken 2026); "
    f"vendor bills alias: {bills_journal.alias_id.alias_full_name}"
)
