from . import punchout_inbound_secret_show
