from . import webshop_spend_report
