from . import logging_filter
from . import main
from . import order_documents

logging_filter.install()
