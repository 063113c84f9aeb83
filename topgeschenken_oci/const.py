# Copyright 2026 topgeschenken_oci contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0)
"""Constants of the addon's models (the protocol's are in protocol/const.py)."""

#: Purchase managers: webshop credentials, sending again, approving over budget.
MANAGER = "purchase.group_purchase_manager"
#: Purchase users: their carts become RFQs (punchout.session._get_cart_target).
PURCHASE_USER = "purchase.group_purchase_user"
