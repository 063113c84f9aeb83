"""Purchase-order numbers in the free text of supplier invoices.

Suppliers put our order number wherever their system lets them: a UBL
``OrderReference``, a "Uw referentie" field, the payment reference, a line
description. Typical values: ``PO P00023``, ``Ordernr: P00023 / afd. ICT``,
``Uw referentie: P00023-ICT``, ``Inkooporder P00023, kostenplaats 4410``,
``P00023;P00024``, or a placeholder such as ``n.v.t.``.

:func:`candidates` returns the order-number-like tokens of such a text; the
caller looks them up among its purchase orders, so a spare candidate costs a
lookup, a missing one costs a match. :func:`order_names` turns a short form
(``P31``, or ``31`` in a field meant for the order number) into the order
names it can stand for.

The texts come from untrusted documents: every function caps what it reads
(:data:`MAX_TEXT` characters a value, :data:`MAX_VALUES` values a field) and
every regex runs in linear time (no nested or overlapping quantifiers).
"""

import re
import unicodedata

#: Values that mean "no reference" (compared case-insensitively, trimmed).
PLACEHOLDERS = frozenset(
    {
        "",
        "na",
        "n/a",
        "n.a.",
        "n.a",
        "n.v.t.",
        "n.v.t",
        "nvt",
        "nvt.",
        "n/b",
        "n.b.",
        "nb",
        "-",
        "--",
        "---",
        "none",
        "null",
        "nil",
        "geen",
        "geen referentie",
        "niet van toepassing",
        "onbekend",
        "unknown",
        "0",
        "x",
        "xx",
        "xxx",
        "...",
        "…",
        "?",
        "tbd",
    }
)

#: Words that label a reference rather than being one ("Ordernr: P00023").
LABELS = frozenset(
    {
        "po",
        "p.o.",
        "nr",
        "no",
        "ref",
        "refnr",
        "referentie",
        "reference",
        "uw",
        "your",
        "order",
        "ordernr",
        "ordernummer",
        "orderno",
        "bestelling",
        "bestelnr",
        "bestelnummer",
        "inkooporder",
        "inkoopordernummer",
        "inkoopnr",
        "purchase",
        "kenmerk",
        "uwkenmerk",
    }
)

# Labels long enough to be split off a glued token ("ordernr12345").
_GLUED_LABELS = sorted((label for label in LABELS if len(label) >= 3), key=len)[::-1]

#: Characters of one reference text that are read; the rest is ignored.
MAX_TEXT = 1000
#: Values of one field (notes, references) that are read.
MAX_VALUES = 20

_MAX_TOKEN = 64
_ALNUM = r"[^\W_]"
# An alphanumeric run, optionally joined by / - . to further runs.
_TOKEN_RE = re.compile(rf"{_ALNUM}+(?:[/\-.]{_ALNUM}+)*")
_PART_RE = re.compile(rf"{_ALNUM}+")
_DIGIT_RE = re.compile(r"[0-9]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_ONLY_FILLER_RE = re.compile(r"^(?:[\W_]*|0+|x+)$", re.IGNORECASE)
# Fixed-width alternatives only: the parts are stripped afterwards (a leading
# ``\s*`` would backtrack over long runs of spaces, quadratically).
_SPLIT_RE = re.compile(r"[,;+|&\n\r\t]|\s/\s|\s(?:en|and|und|et)\s", re.I)
_DIGITS_RE = re.compile(r"[0-9]+")
# "PO" glued to a number ("PO00023"), a label too short to strip on its own.
_GLUED_PO_RE = re.compile(r"po[0-9]+", re.IGNORECASE)
# The dashes written between a prefix and its number (hyphen, en dash...).
_DASH = "[-\u2010-\u2015\u2212]"


def cap_text(value):
    """``value`` as text of at most :data:`MAX_TEXT` characters (or None)."""
    if value is None:
        return None
    return str(value)[:MAX_TEXT]


def cap_texts(values):
    """The first :data:`MAX_VALUES` non-empty values, each capped."""
    result = []
    for value in values or ():
        if len(result) >= MAX_VALUES:
            break
        if value:
            result.append(cap_text(value))
    return result


def _norm(value):
    return " ".join(unicodedata.normalize("NFKC", str(value)).split()).casefold()


def is_placeholder(value):
    """Whether ``value`` means "no reference" (``n.v.t.``, ``-``, ``0``...).

    Also true for ``None``, blank text, and values made only of punctuation,
    zeros or x's (``----``, ``000``, ``XXXX``).
    """
    if value is None:
        return True
    text = _norm(value)
    return text in PLACEHOLDERS or bool(_ONLY_FILLER_RE.match(text))


def _prefix_pattern(prefix):
    """Regex for prefix + digits: case-insensitive, a space or ``-`` between.

    ``P`` matches ``P00023``, ``p00023``, ``P 00023`` and ``P-00023`` (or
    an en dash, as word processors make of ``-``), not
    the ``P`` inside ``XP00023`` or ``P00023`` inside ``P000234``'s digits.
    """
    body = re.escape(prefix)
    gap = (
        rf"[ \t]{{0,2}}{_DASH}?[ \t]{{0,2}}" if prefix[-1:].isalnum() else r"[ \t]{0,2}"
    )
    lead = r"(?<![^\W_])" if prefix[:1].isalnum() else ""
    return re.compile(rf"{lead}({body}){gap}([0-9]+)(?![0-9])", re.IGNORECASE)


def _prefix_candidates(text, prefixes):
    found = []  # (start, -length, candidate)
    for prefix in prefixes:
        prefix = (prefix or "").strip()
        if not prefix:
            continue
        for match in _prefix_pattern(prefix).finditer(text):
            candidate = prefix + match.group(2)
            if len(candidate) <= _MAX_TOKEN:
                found.append((match.start(), -(match.end() - match.start()), candidate))
    found.sort()
    result, taken_until = [], -1
    for start, negative_length, candidate in found:
        if start < taken_until:
            continue  # overlaps a longer match starting at or before it
        taken_until = start - negative_length
        result.append(candidate)
    return result


def _strip_label(token):
    lowered = token.casefold()
    for label in _GLUED_LABELS:
        rest = token[len(label) :]
        if lowered.startswith(label) and rest[:1].isdigit():
            return rest
    return token


def _generic_candidates(text):
    result = []
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0)
        parts = _PART_RE.findall(token)
        if len(parts) > 1 and _LETTER_RE.match(token) and _DIGIT_RE.search(token):
            # "PO/2024/0012", "INK-2024-7": the whole may be the order name.
            result.append(token)
        for part in parts:
            if _DIGIT_RE.search(part) and part.casefold() not in LABELS:
                result.append(_strip_label(part))
                if _GLUED_PO_RE.fullmatch(part):
                    # "PO00023": an order name, or "PO" glued to the number.
                    result.append(part[2:])
    return result


def candidates(text, *, prefixes=None):
    """Order-number-like tokens of ``text``, in order of appearance.

    With ``prefixes`` (the purchase-order sequence prefixes of the company,
    e.g. ``["P"]`` or ``["PO/2024/"]``), tokens made of a prefix and digits
    are returned, normalised to the prefix as given (``p 00023`` ->
    ``P00023``); only when there is none, the generic tokens are returned.

    Without ``prefixes``: alphanumeric tokens holding at least one digit,
    labels such as ``Ordernr`` left out (also when glued on:
    ``ordernr12345`` -> ``12345``; ``PO00023`` gives itself and
    ``00023``); a token joined by ``/``, ``-`` or ``.``
    that starts with a letter is returned whole before its parts
    (``P00023-ICT`` -> ``P00023-ICT``, ``P00023``).

    Never raises on text, never returns placeholders or duplicates.
    """
    if text is None:
        return []
    text = unicodedata.normalize("NFKC", cap_text(text))
    found = []
    if prefixes:
        found = _prefix_candidates(text, prefixes)
    if not found:
        found = _generic_candidates(text)
    result, seen = [], set()
    for token in found:
        key = token.casefold()
        if len(token) > _MAX_TOKEN or key in seen or is_placeholder(token):
            continue
        seen.add(key)
        result.append(token)
    return result


def split_refs(value):
    """Split a field holding several references into the references.

    Separators: ``,`` ``;`` ``+`` ``|`` ``&``, line breaks, `` / `` with
    spaces, the words ``en``/``and``; a ``/`` without spaces only when every
    side holds letters and digits (``P00023/P00024``, but ``PO/2024/0012``
    stays whole); spaces only when every side holds a digit
    (``P00023 P00024``, but ``P 00023`` stays whole). Placeholders and empty
    parts are dropped.
    """
    if value is None:
        return []
    text = unicodedata.normalize("NFKC", cap_text(value))
    result = []
    for part in _SPLIT_RE.split(text):
        part = part.strip()
        pieces = part.split("/")
        if len(pieces) > 1 and all(
            _LETTER_RE.search(p) and _DIGIT_RE.search(p) for p in pieces
        ):
            subparts = pieces
        else:
            subparts = [part]
        for sub in subparts:
            words = sub.split()
            if len(words) > 1 and all(_DIGIT_RE.search(w) for w in words):
                result.extend(words)
            else:
                result.append(sub.strip())
    return [ref for ref in result if not is_placeholder(ref)]


def order_names(token, sequences, *, bare=False):
    """The order names ``token`` can stand for, casefolded.

    ``sequences`` are the (prefix, padding) pairs of the company's purchase
    order numbering (``[("P", 5)]``). ``token`` itself is always one; a short
    form adds the full name: ``P31`` and ``P031`` stand for ``P00031``. With
    ``bare`` (a field meant for the order number), the number alone does too:
    ``31`` and ``00031`` stand for ``P00031``. A number of zeros stands for
    nothing. Several sequences can give several names: the caller decides
    between them (or refuses to).
    """
    names = {token.casefold()}
    for prefix, padding in sequences:
        digits = None
        if prefix and token[: len(prefix)].casefold() == prefix.casefold():
            rest = token[len(prefix) :]
            if _DIGITS_RE.fullmatch(rest):
                digits = rest
        elif bare and _DIGITS_RE.fullmatch(token):
            digits = token
        digits = (digits or "").lstrip("0")
        if digits:
            names.add((prefix + digits.zfill(padding or 0)).casefold())
    return names
