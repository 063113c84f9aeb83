"""Make ``import protocol`` work and share fixtures of the protocol tests."""

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import settings

ADDON_DIR = Path(__file__).resolve().parents[2]
if str(ADDON_DIR) not in sys.path:
    sys.path.insert(0, str(ADDON_DIR))

TEST_FILES = Path(__file__).resolve().parent / "test_files"

# No example database on disk, no deadline (CI machines are slow).
settings.register_profile("protocol", database=None, deadline=None)
settings.load_profile("protocol")


class _InputCollector(HTMLParser):
    """Collect the ``(name, value)`` pairs of the inputs of an HTML form."""

    def __init__(self):
        super().__init__()
        self.pairs = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            attrs = dict(attrs)
            if attrs.get("name"):
                self.pairs.append((attrs["name"], attrs.get("value") or ""))


def form_pairs(html):
    """The input name/value pairs of an HTML page, in document order."""
    collector = _InputCollector()
    collector.feed(html)
    collector.close()
    return collector.pairs


@pytest.fixture
def sapoci_pairs():
    """Return a loader of the meplato/sapoci HTML fixtures as form pairs."""

    def load(name):
        path = TEST_FILES / f"test_parse.rb--{name}.html"
        return form_pairs(path.read_text(encoding="utf-8"))

    return load
