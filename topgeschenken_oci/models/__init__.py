from . import oci_punchout_supplier
from . import oci_nzi_mapping
from . import oci_unit_alias
from . import oci_punchout_session
from . import purchase_order
from . import purchase_request
from . import ir_http
from . import uom_uom
