"""The portable pattern as a Python regex with the browser's meaning."""

from __future__ import annotations

import functools
import re

from quizbook.patterns.syntax import (
    PYTHON_ONLY_FOLDS,
    Alt,
    Anchor,
    Chars,
    Node,
    Ranges,
    Seq,
    intersect,
    minus,
    parse,
)

# -- the Python translation -----------------------------------------------------------------


def _class_text(ranges: Ranges) -> str:
    parts = []
    for lo, hi in ranges:
        parts.append(_code(lo) if lo == hi else f"{_code(lo)}-{_code(hi)}")
    return "".join(parts)


def _code(value: int) -> str:
    return f"\\U{value:08x}" if value > 0xFFFF else f"\\u{value:04x}"


def _python_chars(node: Chars, fold: bool) -> str:
    if not fold:
        body = _class_text(node.ranges)
        if not node.ranges:
            return "[^\\s\\S]" if not node.negated else "[\\s\\S]"
        return f"[^{body}]" if node.negated else f"[{body}]"
    # JavaScript's simple case folding, spelled for Python's re.IGNORECASE: the same, except
    # for İ and ı, which JavaScript matches only as themselves.
    plain = minus(node.ranges, PYTHON_ONLY_FOLDS)
    special = intersect(node.ranges, PYTHON_ONLY_FOLDS)
    if node.negated:
        main = f"[^{_class_text(plain)}]" if plain else "[\\s\\S]"
        options = [f"(?-i:(?![\\u0130\\u0131])){main}"]
        own = minus(PYTHON_ONLY_FOLDS, special)  # İ and ı match [^...] unless listed
        if own:
            options.append(f"(?-i:[{_class_text(own)}])")
        return "(?:" + "|".join(options) + ")"
    options = []
    if plain:
        options.append(f"(?-i:(?![\\u0130\\u0131]))[{_class_text(plain)}]")
    if special:
        options.append(f"(?-i:[{_class_text(special)}])")
    if not options:
        return "[^\\s\\S]"
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def _python(node: Node, fold: bool) -> str:
    if isinstance(node, Chars):
        return _python_chars(node, fold)
    if isinstance(node, Anchor):
        return "(?<![\\s\\S])" if node.start else "(?![\\s\\S])"
    if isinstance(node, Seq):
        return "".join(_python(item, fold) for item in node.items)
    if isinstance(node, Alt):
        return "(?:" + "|".join(_python(option, fold) for option in node.options) + ")"
    high = "" if node.high is None else str(node.high)
    count = f"{{{node.low},{high}}}"
    return f"(?:{_python(node.body, fold)}){count}{'?' if node.lazy else ''}"


@functools.lru_cache(maxsize=512)
def to_python(pattern: str, *, case_sensitive: bool) -> re.Pattern[str]:
    """The pattern as a compiled Python regex with the browser's meaning (PatternError if it
    is outside the portable subset). Use with `fullmatch`."""
    node = parse(pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(_python(node, not case_sensitive), flags)
