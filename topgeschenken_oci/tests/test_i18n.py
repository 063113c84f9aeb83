# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

import io
import re

import polib

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import file_path
from odoo.tools.translate import trans_export

from .common import PunchoutCommon

ADDON = "topgeschenken_oci"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]")
TAG = re.compile(r"<[^>]+>")


def _pofile(name):
    return polib.pofile(file_path(f"{ADDON}/i18n/{name}"))


@tagged("post_install", "-at_install")
class TestI18n(PunchoutCommon):
    """Dutch: every term of the addon translated, and shown through the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env["ir.module.module"]._load_module_terms(
            [ADDON], ["nl_NL"], overwrite=True
        )
        cls.nl_env = cls.env(context=dict(cls.env.context, lang="nl_NL"))

    def _untranslated(self, msgids):
        translated = {e.msgid for e in _pofile("nl.po") if e.msgstr and not e.obsolete}
        return sorted(set(msgids) - translated)

    def test_po_translates_every_term_of_the_pot(self):
        pot = _pofile(f"{ADDON}.pot")
        self.assertGreater(len(pot), 400)
        self.assertEqual(self._untranslated(e.msgid for e in pot), [])
        po_ids = {e.msgid for e in _pofile("nl.po") if not e.obsolete}
        self.assertEqual(sorted(po_ids - {e.msgid for e in pot}), [], "stale terms")

    def test_translations_keep_placeholders_and_markup(self):
        for entry in _pofile("nl.po"):
            with self.subTest(msgid=entry.msgid):
                self.assertEqual(
                    sorted(PLACEHOLDER.findall(entry.msgid)),
                    sorted(PLACEHOLDER.findall(entry.msgstr)),
                )
                self.assertEqual(
                    sorted(TAG.findall(entry.msgid)), sorted(TAG.findall(entry.msgstr))
                )

    def test_every_term_of_the_code_is_translated(self):
        """The terms exported from this code (fields, views, menus, messages,
        the protocol's error messages) all have a Dutch translation: a term
        added since the last export fails here (run scripts/i18n_export.sh)."""
        buffer = io.BytesIO()
        self.assertTrue(trans_export(None, [ADDON], buffer, "po", self.env))
        live = polib.pofile(buffer.getvalue().decode())
        msgids = {e.msgid for e in live}
        # the protocol's messages are extracted through their _() marker
        self.assertIn(
            "Line %(line)s, field %(field)s: '%(value)s' is not a number.", msgids
        )
        self.assertEqual(self._untranslated(msgids), [])

    def test_fields_selections_menus_in_dutch(self):
        supplier_fields = self.nl_env["punchout.webshop"].fields_get(
            ["return_charset", "protocol"], ["string", "selection"]
        )
        self.assertEqual(
            supplier_fields["return_charset"]["string"], "Codering winkelwagen"
        )
        self.assertIn(
            ["oci", "OCI (browserformulier)"],
            [list(s) for s in supplier_fields["protocol"]["selection"]],
        )
        order_fields = self.nl_env["purchase.order"].fields_get(
            ["oci_cost_center", "oci_transmission_state"], ["string", "selection"]
        )
        self.assertEqual(order_fields["oci_cost_center"]["string"], "Kostenplaats")
        self.assertEqual(
            dict(order_fields["oci_transmission_state"]["selection"])["acknowledged"],
            "Ontvangen door webshop",
        )
        menu = self.nl_env.ref(f"{ADDON}.account_move_to_review_menu")
        self.assertEqual(menu.name, "Te controleren facturen")
        model = self.nl_env["ir.model"]._get("punchout.webshop")
        self.assertEqual(model.name, "Webshopkoppeling (OCI / cXML-punch-out)")

    def test_code_messages_in_dutch(self):
        self.supplier.active = False
        with self.assertRaisesRegex(UserError, "Deze webshop is niet actief."):
            self.nl_env["punchout.session"]._start(self.supplier)

    def test_refused_cart_reason_in_dutch(self):
        """A cart refused by the protocol code: its reason in the buyer's
        language, on the session and in its chatter."""
        self.buyer.lang = "nl_NL"
        session = (
            self.env["punchout.session"].with_user(self.buyer)._start(self.supplier)
        )
        cart = self._oci_fields(
            [{"DESCRIPTION": "Kerstpakket", "QUANTITY": "twaalf", "PRICE": "49,95"}]
        )
        body = "&".join(f"{k}={v}" for k, v in cart).encode()
        error = (
            session.sudo()
            .with_context(lang="nl_NL")
            ._receive(body, "application/x-www-form-urlencoded")
        )
        self.assertEqual(
            error, "Regel 1, veld QUANTITY: 'twaalf' is geen getal.", session.error_code
        )
        self.assertEqual(session.sudo().error_message, error)
        self.assertIn(
            "De teruggestuurde winkelwagen is geweigerd",
            session.sudo().message_ids[0].body,
        )
