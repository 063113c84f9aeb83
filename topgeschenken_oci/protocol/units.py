"""Normalisation of unit of measure codes to UNECE Rec. 20."""

from .const import UNECE_ALIASES


def _key(code):
    return code.strip().upper() if isinstance(code, str) else ""


def normalise_unit(code, aliases=None):
    """Return the UNECE code for a unit code as a shop sent it.

    ``aliases`` (a supplier's own table, keys compared case-insensitively)
    wins over the built-in table; its values are returned as they are,
    stripped and upper-cased. An unknown code comes back upper-cased, an
    empty one as ``""``: the caller decides what they mean.
    """
    key = _key(code)
    if not key:
        return ""
    if aliases:
        supplier = {_key(name): value for name, value in aliases.items()}
        supplier.pop("", None)
        for candidate in (key, key.rstrip(".")):
            if candidate in supplier:
                return _key(supplier[candidate])
    for candidate in (key, key.rstrip(".")):
        if candidate in UNECE_ALIASES:
            return UNECE_ALIASES[candidate]
    return key
