"""Framework-free protocol code of topgeschenken_oci.

Nothing in this package imports Odoo: it parses and builds OCI and cXML
documents, normalises numbers and unit codes, and extracts order references
from invoices. The addon's models call it; its own fast tests live in
``protocol/tests`` and run with plain pytest.
"""
