"""How typed answers are read: short-answer normalisation and number parsing.

The runtime (`runtime/answers.js`) mirrors these rules character for character; the parity
test in tests/ holds the two together. Change both or neither.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

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

#: `era: true`: the written forms of AD/CE a year may carry, before or after it (lower case,
#: white space removed). BC/BCE are not among them: they would change the number's sign.
ERA_FORMS = ("a.d.", "c.e.", "a.d", "c.e", "ad.", "ce.", "ad", "ce")


def _compact(text: str) -> str:
    """Lower case, without white space: how typed numbers and the words beside them compare."""
    return "".join(ch for ch in text if not _is_space(ch)).lower()


def word_forms(words: Sequence[str]) -> list[str]:
    """The written forms of accepted words after a number: each word, and each word with a
    full stop after it (the end of a sentence), longest first."""
    forms: set[str] = set()
    for word in words:
        compact = _compact(word)
        if compact:
            forms.add(compact)
            if not compact.endswith("."):
                forms.add(compact + ".")
    return sorted(forms, key=lambda form: (-len(form), form))


def _plain_number(compact: str) -> float | None:
    if _THOUSANDS.fullmatch(compact):
        compact = compact.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(compact):
        compact = compact.replace(",", ".")
    if not _NUMBER.fullmatch(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def parse_number(text: str, unit: str | None = None, *, units: Sequence[str] = (),
                 era: bool = False) -> float | None:
    """A typed number, or None when the text is not one (then the student is told to type
    just the number: it is not graded as wrong).

    '1,000' and '1000' are 1000; '3,5' is 3.5; white space anywhere is ignored. At most one
    accepted word may go with the number, in any case: after it, the question's `unit` or
    one of its `units` (optionally followed by a full stop); with `era`, AD or CE (with or
    without dots) before or after it. Any other word ('summer 2015', '12 days' where days
    are not a unit of the question, 'twenty') makes the text not a number.
    """
    compact = _compact(text)
    value = _plain_number(compact)
    if value is not None:
        return value
    after = word_forms([unit, *units] if unit else units)
    if era:
        after = sorted({*after, *ERA_FORMS}, key=lambda form: (-len(form), form))
    for form in after:
        if compact.endswith(form):
            value = _plain_number(compact[: len(compact) - len(form)])
            if value is not None:
                return value
    for form in ERA_FORMS if era else ():
        if compact.startswith(form):
            value = _plain_number(compact[len(form):])
            if value is not None:
                return value
    return None


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
