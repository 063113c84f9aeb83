"""Demo data for scripts/demo.sh, run inside ``odoo shell``.

Makes the main company a Dutch one (EUR, l10n_nl chart), creates a buyer,
an approver and an accountant, points the shipped Topgeschenken.nl supplier at
the simulated shop, gives the vendor bills journal the mail alias the shop
sends its invoices to and creates a purchase request ready to punch out.
Reads SHOP_URL, ODOO_URL, DEMO_PASSWORD and BILLS_ALIAS (bills@delinde.example)
from the environment. Idempotent: run again, it puts the demo back in shape.
"""

import os

from odoo import Command

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
}
names = {
    "buyer": "Bea Buyer",
    "approver": "Anton Approver",
    "accountant": "Alma Accountant",
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
        "group_ids": [Command.link(env.ref("base.group_user").id)]
        + [Command.link(env.ref(x).id) for x in group_xmlids],
    }
    if user:
        user.write(vals)
    else:
        user = env["res.users"].with_context(no_reset_password=True).create(vals)
    users[login] = user
env.ref("base.user_admin").write({"password": password})

# The demo's webshop runs on this machine: let the server call loopback.
env["ir.config_parameter"].set_param("topgeschenken_oci.allow_private_urls", "True")

supplier = env.ref("topgeschenken_oci.supplier_topgeschenken").with_context(
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
        "tax_rate_field": "CUST_FIELD4",
    }
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
env.cr.commit()
print(f"demo data ready; vendor bills alias: {bills_journal.alias_id.alias_full_name}")
