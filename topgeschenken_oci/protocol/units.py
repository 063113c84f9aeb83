"""Normalisation of unit of measure codes to UNECE Rec. 20."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .const import UNECE_ALIASES

TABLE_PATH = Path(__file__).resolve().parent / "data" / "unece_rec20.csv"

# Kinds of unit in the table; a count or a package is a number of items.
COUNT = "count"
PACKAGE = "package"
COUNT_KINDS = frozenset({COUNT, PACKAGE})
MEASURE_KINDS = frozenset({"weight", "volume", "length", "area", "time"})


@dataclass(frozen=True)
class UnitCode:
    """One code of UN/ECE Rec. 20 (Rec. 21 package codes with their X)."""

    code: str
    name: str
    kind: str  # count, package, weight, volume, length, area, time, other
    deprecated: bool = False

    @property
    def is_count(self):
        """A number of items (one, piece, pair, set, box, pack, roll...)."""
        return self.kind in COUNT_KINDS

    @property
    def is_measure(self):
        """A weight, volume, length, area or time: never a number of items."""
        return self.kind in MEASURE_KINDS


@cache
def unece_table():
    """``{code: UnitCode}`` of the whole UN/ECE Rec. 20 list."""
    with TABLE_PATH.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: UnitCode(
                row["code"], row["name"], row["kind"], bool(row["deprecated"])
            )
            for row in csv.DictReader(handle)
        }


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
