"""Build ``topgeschenken_oci/protocol/data/unece_rec20.csv`` from the UNECE lists.

Inputs (both published under the Open Data Commons PDDL 1.0 by the
``datasets`` organisation on GitHub, taken from UNECE's own spreadsheets):

* ``datasets/unece-units-of-measure`` ``data/units-of-measure.csv``:
  Recommendation 20, revision 17 (2021);
* ``datasets/unece-package-codes`` ``data/data.csv``: Recommendation 21,
  revision 12 (2021), whose codes Rec 20 uses with an ``X`` prefix.

Usage: ``python tools/unece/build_rec20.py REC20_CSV REC21_CSV > OUT_CSV``.
Each unit gets a ``kind``: ``count`` (a number of items: one, piece, pair,
set, dozen...), ``package`` (a box, pack, roll...: also counted in items),
``weight``, ``volume``, ``length``, ``area``, ``time`` or ``other``.
"""

import csv
import re
import sys

# Units of count Rec 20 files under levels that say nothing of it.
COUNT_CODES = {"C62", "H87", "EA", "NAR", "NPR", "NMP", "NPT", "NPL", "PR", "SET"}
# Sales units that count no items (rental periods, lots of weight, ...).
NOT_COUNT_CODES = {"ACT", "D04", "D68", "DAD", "H21", "NIU", "HAD", "HWE", "HMO"}
NOT_COUNT_CODES |= {f"{a}{b}" for a in ("MR", "MK", "MQ") for b in "WDM"}
COUNT_LEVELS = {"3.2"}  # sales units (dozen, kit, six pack...)
# Integers/numbers/ratios (level 3.7) are counts only when they count items.
COUNTED = re.compile(r"^(number of|pair|dozen)")
PACKAGE_LEVELS = {"3.3"}  # packing units (box, pack, packet, case...)
DIMENSIONS = {
    "kg": "weight",
    "g": "weight",
    "t": "weight",
    "m³": "volume",
    "m3": "volume",
    "l": "volume",
    "m": "length",
    "m²": "area",
    "m2": "area",
    "s": "time",
}
NUMBER = re.compile(r"^[\d\s.,×x⁰¹²³⁴⁵⁶⁷⁸⁹⁻\-]*$")


def kind_of(code, name, level, factor):
    if code in COUNT_CODES:
        return "count"
    if code in NOT_COUNT_CODES:
        return "other"
    factor = factor.strip()
    unit = factor.split()[-1] if factor else ""
    if unit in DIMENSIONS:
        return DIMENSIONS[unit]
    if level in PACKAGE_LEVELS:
        return "package"
    if level in COUNT_LEVELS and (not factor or NUMBER.match(factor)):
        return "count"
    if level == "3.7" and COUNTED.match(name.lower()):
        return "count"
    return "other"


def main(rec20_path, rec21_path):
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "kind", "deprecated"])
    seen = set()
    with open(rec20_path, encoding="utf-8") as rec20:
        for row in csv.DictReader(rec20):
            code = row["CommonCode"].strip()
            if not code or code in seen:
                continue
            seen.add(code)
            kind = kind_of(
                code,
                row["Name"].strip(),
                row["LevelAndCategory"].strip(),
                row["ConversionFactor"],
            )
            deprecated = "1" if row["Status"].strip().upper() == "X" else ""
            out.writerow([code, row["Name"].strip(), kind, deprecated])
    with open(rec21_path, encoding="utf-8") as rec21:
        for row in csv.DictReader(rec21):
            code = "X" + row["Code"].strip()
            if code in seen or len(code) != 3:
                continue
            seen.add(code)
            deprecated = "1" if row["Status"].strip().upper() == "X" else ""
            out.writerow([code, row["Name"].strip(), "package", deprecated])


if __name__ == "__main__":
    main(*sys.argv[1:3])
