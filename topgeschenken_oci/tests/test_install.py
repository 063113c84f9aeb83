# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo.tests import TransactionCase, tagged

DEPENDS = [
    "purchase",
    "purchase_stock",
    "account_edi_ubl_cii",
    "purchase_edi_ubl_bis3",
    "purchase_request",
    "queue_job",
]


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_addon_and_dependencies_installed(self):
        modules = self.env["ir.module.module"].search(
            [("name", "in", DEPENDS + ["topgeschenken_oci"])]
        )
        self.assertEqual(
            sorted(modules.mapped("name")), sorted(DEPENDS + ["topgeschenken_oci"])
        )
        self.assertEqual(set(modules.mapped("state")), {"installed"})

    def test_shipped_topgeschenken_supplier_is_inactive(self):
        supplier = self.env.ref("topgeschenken_oci.webshop_topgeschenken")
        self.assertFalse(supplier.active)
        self.assertEqual(supplier.partner_id.name, "Topgeschenken.nl")
        self.assertEqual(supplier.aux_id_field, "CUST_FIELD5")
        self.assertFalse(supplier.sudo().oci_password)

    def test_no_agpl_dependency(self):
        """LGPL-3 cannot depend on AGPL code: check the whole closure."""
        module = self.env["ir.module.module"].search(
            [("name", "=", "topgeschenken_oci")]
        )
        seen, todo = set(), [module]
        while todo:
            mod = todo.pop()
            for dep in mod.dependencies_id.depend_id:
                if dep.name not in seen:
                    seen.add(dep.name)
                    todo.append(dep)
        agpl = self.env["ir.module.module"].search(
            [("name", "in", list(seen)), ("license", "=", "AGPL-3")]
        )
        self.assertFalse(agpl, "AGPL modules in the dependency closure")
        self.assertEqual(module.license, "LGPL-3")

    def test_order_jobs_have_their_own_channel(self):
        """Operators size the webshop order channel apart from other jobs."""
        function = self.env.ref(
            "topgeschenken_oci.queue_job_function_transmission_send"
        )
        self.assertEqual(function.name, "<punchout.order.transmission>._send")
        self.assertEqual(function.channel, "root.webshop_orders")
        job_options = self.env["queue.job.function"].job_config(function.name)
        self.assertEqual(job_options.channel, "root.webshop_orders")

    def test_company_options_in_settings(self):
        company = self.env.company
        settings = self.env["res.config.settings"].create(
            {
                "oci_invoice_grouping": "collective",
                "oci_cost_center_required": True,
                "oci_invoice_matching": True,
            }
        )
        settings.execute()
        self.assertTrue(company.oci_invoice_matching)
        self.assertEqual(company.oci_invoice_grouping, "collective")
        self.assertTrue(company.oci_cost_center_required)
