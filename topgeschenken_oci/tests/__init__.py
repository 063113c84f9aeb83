from . import test_install
from . import test_oci_punchout_supplier
from . import test_punchout_http
from . import test_transmission
from . import test_tours
