"""Demo data for scripts/demo.sh, run inside ``odoo shell``.

Makes the main company a Dutch one (EUR, l10n_nl chart), creates a buyer,
an approver and an accountant, points the shipped Topgeschenken.nl supplier at
the simulated shop and creates a purchase request ready to punch out.
Reads SHOP_URL, DEMO_PASSWORD from the environment.
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
if not company.chart_template:
    env["account.chart.template"].try_loading("nl", company, install_demo=False)
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

supplier = env.ref("topgeschenken_oci.supplier_topgeschenken")
supplier.write(
    {
        "active": True,
        "company_id": company.id,
        "catalog_url": f"{shop}/oci/login",
        "oci_username": "demo",
        "oci_password": "demo",
        "cxml_shared_secret": "s3cret",
    }
)
if "order_url" in supplier._fields:
    supplier.write({"order_url": f"{shop}/cxml/order"})
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
print("demo data ready")
