"""Short-answer patterns: the portable subset, its checks, and its Python translation.

A `pattern` is run by two engines: the browser (`new RegExp("^(?:" + p + ")$", "u"|"iu")`
in static/quizbook.js) and Python (the reference grader, the notebooks, the gradebook).
They differ on much of regex syntax, so patterns are limited to a small grammar whose
meaning is the browser's and which this module parses itself (a recursive-descent
parser, not a regex over the regex):

    pattern  := branch ('|' branch)*
    branch   := (atom quantifier?)*
    atom     := char | '.' | class | '(' pattern ')' | '(?:' pattern ')' | '^' | '$'
              | '\\' special | '\\s' | '\\S' | '\\t' '\\n' '\\r' '\\f' '\\v'
              | '\\xHH' | '\\uHHHH'
    class    := '[' '^'? item+ ']'      item := char ('-' char)? | '\\s' | '\\S' | escape
    quantifier := ('*' | '+' | '?' | '{n}' | '{n,}' | '{n,m}') '?'?     (n, m <= 1000)
    special  := one of  ^ $ \\ . * + ? ( ) [ ] { } | /      (and '-' inside a class)

Anything else is refused at `quizbook check`, with the reason (`\\d`, `\\w`, `\\b`, `{,4}`,
possessive and atomic forms, lookaround, named groups, back-references, inline flags,
Unicode properties...). Patterns that can backtrack catastrophically are refused too
(`safety_problem`): the browser and the gradebook would freeze on a short answer.

Python does not run the author's text: `to_python` writes the parsed pattern out with
the browser's meaning spelled explicitly (`.` excludes \\r, \\u2028, \\u2029 as in
JavaScript; `\\s` is JavaScript's whitespace; case-insensitive matching follows
JavaScript's simple case folding, which differs from Python's on `İ` and `ı`).
tests/test_js_grader_parity.py proves the agreement over generated patterns and answers
by running the browser runtime under node.
"""

from __future__ import annotations

from quizbook.patterns.python import to_python
from quizbook.patterns.safety import safety_problem
from quizbook.patterns.syntax import MAX_PATTERN_CHARS, PatternError, parse

__all__ = ["MAX_PATTERN_CHARS", "PatternError", "parse", "problem", "safety_problem",
           "to_python"]


def problem(pattern: str, *, case_sensitive: bool) -> str | None:
    """Why `pattern` cannot be used (outside the portable subset, or unsafe), or None."""
    try:
        parse(pattern)
    except PatternError as exc:
        return f"{exc.message} (at character {exc.index + 1} of the pattern)"
    return safety_problem(pattern, case_sensitive=case_sensitive)
