"""A simulated Topgeschenken.nl gift webshop (OCI / cXML punchout supplier).

A developer tool, not part of the addon: a small Flask application in its
own process that plays the supplier for demos, browser tests and HTTP tests
of ``topgeschenken_oci``. Run it from the repository root with
``python -m tools.simshop --help``.
"""

from .app import Config, create_app

__all__ = ["Config", "create_app"]
