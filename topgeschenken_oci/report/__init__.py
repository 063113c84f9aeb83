from . import oci_spend_report
