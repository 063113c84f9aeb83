from . import logging_filter
from . import main

logging_filter.install()
