# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)

from odoo import fields, models


class PunchoutOrderTransmissionAttempt(models.Model):
    _name = "punchout.order.transmission.attempt"
    _description = "Order transmission attempt"
    _order = "id desc"

    transmission_id = fields.Many2one(
        "punchout.order.transmission",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="transmission_id.company_id", store=True)
    outcome = fields.Selection(
        [
            ("acknowledged", "Acknowledged"),
            ("retry", "Will retry"),
            ("failed", "Failed"),
        ],
        required=True,
    )
    http_status = fields.Integer(string="HTTP status")
    duration_ms = fields.Integer(string="Duration (ms)")
    response_excerpt = fields.Text(string="Answer (excerpt)")
    error = fields.Text()
