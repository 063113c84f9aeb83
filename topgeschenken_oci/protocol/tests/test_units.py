import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol.const import UNECE_ALIASES
from protocol.units import normalise_unit, unece_table


def unit_info(code):
    """The Rec. 20 entry of a unit code as a shop sent it, or ``None``."""
    return unece_table().get(normalise_unit(code))


@pytest.mark.parametrize(
    "code",
    [
        "PCE",
        "pce",
        " PCE ",
        "PC",
        "PCS",
        "ST",
        "st",
        "STK",
        "Stk.",
        "Stück",
        "STÜCK",
        "stuk",
        "Stuks",
        "EA",
        "each",
        "C62",
        "H87",
        "piece",
    ],
)
def test_count_units_are_c62(code):
    assert normalise_unit(code) == "C62"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("KG", "KGM"),
        ("kgm", "KGM"),
        ("G", "GRM"),
        ("GRM", "GRM"),
        ("L", "LTR"),
        ("LTR", "LTR"),
        ("ML", "MLT"),
        ("MLT", "MLT"),
        ("CL", "CLT"),  # 75 cl wine bottles
        ("M", "MTR"),
        ("MTR", "MTR"),
        ("CM", "CMT"),
        ("CMT", "CMT"),
        ("PAK", "XPK"),
        ("PK", "XPK"),
        ("PAC", "XPK"),
        ("pack", "XPK"),
        ("BOX", "XBX"),
        ("BX", "XBX"),
        ("doos", "XBX"),
        ("CAR", "XCT"),
        ("CT", "XCT"),
        ("BOT", "XBO"),
        ("BO", "XBO"),
        ("fles", "XBO"),
        ("ROL", "XRO"),
        ("RO", "XRO"),
        ("BOS", "XBH"),
        ("SET", "SET"),
        ("PR", "PR"),
        ("PAIR", "PR"),
        ("paar", "PR"),
        ("DZ", "DZN"),
        ("DZN", "DZN"),
        ("HR", "HUR"),
        ("HUR", "HUR"),
        ("H", "HUR"),
        ("uur", "HUR"),
        ("DAY", "DAY"),
        ("dag", "DAY"),
    ],
)
def test_known_codes(code, expected):
    assert normalise_unit(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("XYZ", "XYZ"), ("krat", "KRAT"), (" Tray ", "TRAY"), ("", ""), (None, "")],
)
def test_unknown_codes_come_back_upper_cased(code, expected):
    assert normalise_unit(code) == expected


def test_supplier_aliases_win_and_are_case_insensitive():
    aliases = {"st": "SHEET", "Doos": "xct", " bloemen ": "XBH"}
    assert normalise_unit("ST", aliases) == "SHEET"
    assert normalise_unit("DOOS", aliases) == "XCT"
    assert normalise_unit("Bloemen", aliases) == "XBH"
    # Codes the supplier does not map still use the built-in table.
    assert normalise_unit("PCE", aliases) == "C62"
    assert normalise_unit("onbekend", aliases) == "ONBEKEND"


def test_supplier_alias_values_are_final():
    # A supplier mapping to a code the table would change again keeps it.
    assert normalise_unit("VEL", {"VEL": "ST"}) == "ST"


def test_table_values_are_unece_codes_and_fixed_points():
    for code in set(UNECE_ALIASES.values()):
        assert re.fullmatch(r"[A-Z0-9]{2,3}", code), code
        assert normalise_unit(code) == code


def test_table_keys_are_upper_case():
    for key in UNECE_ALIASES:
        assert key == key.strip().upper(), key


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=12), st.sampled_from(sorted(UNECE_ALIASES))))
def test_normalise_unit_is_idempotent(code):
    once = normalise_unit(code)
    assert once == once.strip().upper()
    assert normalise_unit(once) == once


def test_table_is_complete_rec20_and_rec21():
    table = unece_table()
    assert len(table) > 2000
    assert table["C62"].kind == "count"
    assert table["KGM"].kind == "weight"
    assert table["LTR"].kind == "volume"
    assert table["HUR"].kind == "time"
    assert table["XBX"].kind == "package"
    assert table["BX"].deprecated


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("BX", "XBX"),
        ("PA", "XPA"),
        ("PK", "XPK"),
        ("PAK", "XPK"),
        ("DOS", "XCX"),
        ("ROL", "XRO"),
        ("SET", "SET"),
        ("PR", "PR"),
        ("PAA", "PR"),
        ("CS", "XCS"),
        ("XBG", "XBG"),
        ("XCR", "XCR"),  # crate: a Rec. 21 code no alias names
        ("KT", "KT"),
        ("PCE", "C62"),
        ("EA", "C62"),
        ("ST", "C62"),
        ("STK", "C62"),
    ],
)
def test_count_like_units_known(code, expected):
    info = unit_info(code)
    assert info is not None and info.code == expected
    assert info.is_count and not info.is_measure


@pytest.mark.parametrize("code", ["KGM", "kg", "GRM", "LTR", "ml", "MTR", "HUR"])
def test_measure_units_known(code):
    info = unit_info(code)
    assert info.is_measure and not info.is_count


def test_unknown_code_has_no_entry():
    assert unit_info("QQQ") is None
    assert unit_info("") is None
