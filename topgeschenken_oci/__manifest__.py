# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
{
    "name": "Topgeschenken.nl OCI / cXML Punchout",
    "summary": "Punch out from purchase requests and RFQs to the Topgeschenken.nl "
    "gift webshop (OCI and cXML), transmit approved orders and match e-invoices",
    "version": "19.0.1.0.0",
    "category": "Inventory/Purchase",
    "website": "https://github.com/topgeschenken-oci/topgeschenken_oci",
    "author": "topgeschenken_oci contributors",
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "depends": [
        "purchase",
        "account_edi_ubl_cii",
        "purchase_edi_ubl_bis3",
        "purchase_request",
        "queue_job",
    ],
    "external_dependencies": {"python": ["lxml", "requests"]},
    "data": [
        "security/topgeschenken_oci_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/oci_punchout_supplier_data.xml",
        "views/oci_punchout_supplier_views.xml",
        "views/oci_punchout_session_views.xml",
        "views/oci_order_transmission_views.xml",
        "views/purchase_order_views.xml",
        "views/purchase_request_views.xml",
        "views/punchout_templates.xml",
        "views/topgeschenken_oci_menus.xml",
        "views/oci_punchout_supplier_matching_views.xml",
        "views/account_move_views.xml",
        "views/oci_punchout_business_views.xml",
        "views/purchase_order_business_views.xml",
        "report/purchase_order_report_business.xml",
    ],
    "assets": {
        "web.assets_backend": ["topgeschenken_oci/static/src/**/*"],
        "web.assets_tests": ["topgeschenken_oci/static/tests/tours/**/*"],
    },
}
