"""How typed answers are read: short-answer normalisation and number parsing.

`static/quizbook.js` mirrors these rules character for character; the parity
test in tests/ holds the two together. Change both or neither.
"""

from __future__ import annotations

import math
import re
import unicodedata

from quizbook import patterns

_SPACE_CONTROLS = "\t\n\r\f\v"


def _is_space(ch: str) -> bool:
    # Explicit, so Python and JavaScript agree (their `\s` classes differ).
    return ch in _SPACE_CONTROLS or unicodedata.category(ch) in {"Zs", "Zl", "Zp"}


def normalise_answer(text: str, *, case_sensitive: bool = False, normalize: bool = True) -> str:
    """The form in which a short answer is compared with the accepted answers.

    normalize: lower-case (unless case_sensitive), drop accents (NFKD without
    combining marks), punctuation becomes a space, runs of space collapse, trim.
    Without normalize only case folding (unless case_sensitive) and trimming apply.
    """
    if not case_sensitive:
        text = text.lower()
    if not normalize:
        return _collapse(text, collapse_inner=False)
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category.startswith("M"):
            continue
        kept.append(" " if category.startswith("P") else ch)
    return _collapse("".join(kept), collapse_inner=True)


def _collapse(text: str, *, collapse_inner: bool) -> str:
    out: list[str] = []
    pending_space = False
    for ch in text:
        if _is_space(ch) and collapse_inner:
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            pending_space = False
        out.append(ch)
    result = "".join(out)
    if not collapse_inner:
        start, end = 0, len(result)
        while start < end and _is_space(result[start]):
            start += 1
        while end > start and _is_space(result[end - 1]):
            end -= 1
        result = result[start:end]
    return result


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_number(text: str, unit: str | None = None) -> float | None:
    """A typed number: '1,000' and '1000' are 1000; '3,5' is 3.5; an optional unit suffix.

    Returns None for anything that is not a plain finite number.
    """
    compact = "".join(ch for ch in text if not _is_space(ch))
    if unit:
        unit_compact = "".join(ch for ch in unit if not _is_space(ch))
        if unit_compact and compact.lower().endswith(unit_compact.lower()):
            compact = compact[: len(compact) - len(unit_compact)]
    if _THOUSANDS.fullmatch(compact):
        compact = compact.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(compact):
        compact = compact.replace(",", ".")
    if not _NUMBER.fullmatch(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def pattern_matches(pattern: str, text: str, *, case_sensitive: bool) -> bool:
    """An author's regex must match the whole trimmed answer (JS: ^(?:p)$ with flag u or iu).

    The pattern runs as `quizbook.patterns` translates it, with the browser's meaning; one
    outside the portable subset matches nothing (`quizbook check` refuses it anyway).
    """
    try:
        compiled = patterns.to_python(pattern, case_sensitive=case_sensitive)
    except patterns.PatternError:
        return False
    return compiled.fullmatch(_collapse(text, collapse_inner=False)) is not None
