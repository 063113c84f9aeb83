import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol.invoice_refs import (
    MAX_TEXT,
    MAX_VALUES,
    PLACEHOLDERS,
    candidates,
    cap_texts,
    is_placeholder,
    order_names,
    split_refs,
)

#: The addon folder: ``import protocol`` works from there.
ADDON_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "value",
    sorted(PLACEHOLDERS)
    + [None, "  N/A ", "NVT", "N.V.T.", "Geen", "ONBEKEND", "----", "000", "XXXX"],
)
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["P00023", "4410", "x1", "PO/2024/0012", "nvt1"])
def test_not_placeholders(value):
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PO P00023", ["P00023"]),
        ("Ordernr: P00023 / afd. ICT", ["P00023"]),
        ("Uw referentie: P00023-ICT", ["P00023-ICT", "P00023"]),
        ("Inkooporder P00023, kostenplaats 4410", ["P00023", "4410"]),
        ("P00023;P00024", ["P00023", "P00024"]),
        ("P00023 P00023 p00023", ["P00023"]),
        ("ordernr12345 / ref:778", ["12345", "778"]),
        ("Inkoopordernummer PO/2024/0012", ["PO/2024/0012", "2024", "0012"]),
        ("INK-2024-7 ICT", ["INK-2024-7", "2024", "7"]),
        ("n.v.t.", []),
        ("Uw ref: 0", []),
        ("", []),
        (None, []),
        ("geen ordernummer bekend", []),
        # "PO" glued to the number: the whole, and the number
        ("po00023", ["po00023", "00023"]),
        ("Order PO00023.", ["PO00023", "00023"]),
    ],
)
def test_candidates_without_prefixes(text, expected):
    assert candidates(text) == expected


@pytest.mark.parametrize(
    "text, prefixes, expected",
    [
        ("PO P00023", ["P"], ["P00023"]),
        ("Ordernr: P00023 / afd. ICT", ["P"], ["P00023"]),
        ("Uw referentie: P00023-ICT", ["P"], ["P00023"]),
        ("Inkooporder P00023, kostenplaats 4410", ["P"], ["P00023"]),
        ("P00023;P00024", ["P"], ["P00023", "P00024"]),
        ("bestelling p 00023 en P-00024", ["P"], ["P00023", "P00024"]),
        ("XP00023, P000234", ["P"], ["P000234"]),
        (
            "po/2024/0012 en PO/2024/0013",
            ["PO/2024/", "P"],
            ["PO/2024/0012", "PO/2024/0013"],
        ),
        ("PO00023 P00024", ["P", "PO"], ["PO00023", "P00024"]),
        ("bestelling P\u201300023 / P\u201400024", ["P"], ["P00023", "P00024"]),
        ("po00023", ["P"], ["po00023", "00023"]),
        # no prefix match: the generic tokens
        ("Uw kenmerk 4410-ICT", ["P"], ["4410"]),
        ("P0 P000", ["P"], ["P0", "P000"]),
    ],
)
def test_candidates_with_prefixes(text, prefixes, expected):
    assert candidates(text, prefixes=prefixes) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("P00023, P00024", ["P00023", "P00024"]),
        ("P00023 / P00024", ["P00023", "P00024"]),
        ("P00023+P00024", ["P00023", "P00024"]),
        ("P00023/P00024", ["P00023", "P00024"]),
        ("P00023 P00024", ["P00023", "P00024"]),
        ("P00023 en P00024 & P00025", ["P00023", "P00024", "P00025"]),
        ("P00023;\nP00024|P00025", ["P00023", "P00024", "P00025"]),
        ("PO/2024/0012", ["PO/2024/0012"]),
        ("P 00023", ["P 00023"]),
        ("Ordernr P00023", ["Ordernr P00023"]),
        ("P00023, n.v.t., -", ["P00023"]),
        ("n.v.t.", []),
        ("", []),
        (None, []),
    ],
)
def test_split_refs(value, expected):
    assert split_refs(value) == expected


TEXT = st.text(max_size=200)
PREFIXES = st.lists(st.text(min_size=1, max_size=6), max_size=3)


@settings(max_examples=200, deadline=None)
@given(text=TEXT, prefixes=st.none() | PREFIXES)
def test_property_candidates_total(text, prefixes):
    found = candidates(text, prefixes=prefixes)
    assert isinstance(found, list)
    assert all(isinstance(token, str) and token for token in found)
    assert not any(is_placeholder(token) for token in found)
    assert len({token.casefold() for token in found}) == len(found)


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_property_generic_candidates_come_from_the_text(text):
    normalised = unicodedata.normalize("NFKC", text)
    for token in candidates(text):
        assert token in normalised
        assert any(char in "0123456789" for char in token)


@settings(max_examples=200, deadline=None)
@given(
    before=TEXT,
    after=TEXT,
    digits=st.text("0123456789", min_size=1, max_size=8),
    spelling=st.sampled_from(["P{}", "p{}", "P {}", "P-{}", "p - {}"]),
)
def test_property_prefixed_number_found_anywhere(before, after, digits, spelling):
    text = f"{before} {spelling.format(digits)} {after}"
    found = candidates(text, prefixes=["P"])
    assert "P" + digits in found
    assert all(token.startswith("P") for token in found)


@settings(max_examples=300, deadline=None)
@given(value=TEXT)
def test_property_split_refs_total(value):
    parts = split_refs(value)
    assert all(part and part == part.strip() for part in parts)
    assert not any(is_placeholder(part) for part in parts)


@pytest.mark.parametrize(
    "token, bare, expected",
    [
        ("P00031", False, {"p00031"}),
        ("P31", False, {"p31", "p00031"}),
        ("p031", False, {"p031", "p00031"}),
        ("31", True, {"31", "p00031"}),
        ("00031", True, {"00031", "p00031"}),
        # a bare number in free text is no order number
        ("31", False, {"31"}),
        ("P000", False, {"p000"}),
        ("0", True, {"0"}),
        ("P123456", False, {"p123456"}),
        ("PO31", False, {"po31"}),
    ],
)
def test_order_names(token, bare, expected):
    assert order_names(token, [("P", 5)], bare=bare) == expected


def test_order_names_several_sequences():
    """Two numberings: a bare number may stand for either, the caller decides."""
    assert order_names("31", [("P", 5), ("INK", 4)], bare=True) == {
        "31",
        "p00031",
        "ink0031",
    }


def test_texts_capped():
    values = ["x" * (MAX_TEXT * 10)] * (MAX_VALUES * 5) + [None, ""]
    capped = cap_texts(values)
    assert len(capped) == MAX_VALUES
    assert all(len(value) == MAX_TEXT for value in capped)
    # the order number at the start of a huge text is still found
    assert candidates("P00023 " + "9 " * 100_000, prefixes=["P"])[0] == "P00023"


def test_regexes_linear_on_100k_references():
    """Each regex of the module on crafted 100 KB texts, uncapped, finishes:
    a quadratic one takes hours on these (run apart, with a timeout)."""
    code = textwrap.dedent(
        """
        from protocol import invoice_refs as r

        crafted = [
            " " * 100_000 + "x",
            "\t \t" * 33_000 + "en",
            "P" + " " * 100_000,
            "P-" * 50_000,
            "a." * 50_000 + ".",
            "a/" * 50_000,
            "P00023" * 16_000,
            "9" * 100_000 + "x",
        ]
        for text in crafted:
            r._SPLIT_RE.split(text)
            r._TOKEN_RE.findall(text)
            r._PART_RE.findall(text)
            r._ONLY_FILLER_RE.match(text)
            r._prefix_pattern("P").findall(text)
            r._prefix_pattern("PO/").findall(text)
            r.split_refs(text)
            r.candidates(text, prefixes=["P"])
            r.candidates(text)
            r.is_placeholder(text)
        print("done")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ADDON_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "done"
