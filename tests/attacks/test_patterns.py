"""Class 4: patterns and numbers that are safe in both graders (the browser and Python).

Refusals are checked through the quiz loader, so each one is the exact line an author
sees from `quizbook check`; what the accepted patterns mean is checked in Python here
and against the real browser runtime in tests/test_js_grader_parity.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbook.answers import pattern_matches
from quizbook.load import parse_quiz_text
from quizbook.patterns import problem
from tests.helpers import HEADER, SHORT
from tests.helpers import NUMERIC_WITHOUT_KEY as NUMERIC

EXPONENTIAL = ("the pattern can take exponential time on a short wrong answer (a repeated part "
               "can match the same text in more than one way, as in (a+)+ or (a|a)*); rewrite "
               "it so that each character can be matched only one way")


def problems_of(text: str) -> list[str]:
    quiz, problems = parse_quiz_text(text.encode(), "q.yml")
    assert (quiz is None) == bool(problems)
    return [str(p) for p in problems]


def pattern_problem(pattern: str) -> str:
    escaped = pattern.replace("'", "''")
    (line,) = problems_of(HEADER + SHORT + f"    pattern: '{escaped}'\n")
    prefix = "q.yml:13:5: questions[0].pattern: "
    assert line.startswith(prefix), line
    return line.removeprefix(prefix)


# -- outside the portable subset -----------------------------------------------------------


@pytest.mark.parametrize(("pattern", "message"), [
    ("\\d{4}", "`\\d` means any Unicode digit in Python but only 0-9 in browsers; write [0-9] "
               "(at character 1 of the pattern)"),
    ("[\\w-]+", "`\\w` means any Unicode letter in Python but only A-Z, a-z, 0-9 and _ in "
                "browsers; write the characters you mean, e.g. [A-Za-z0-9_] (at character 2 of "
                "the pattern)"),
    ("\\bKhmeimim\\b", "`\\b` (word boundary) differs between Python and browsers; the pattern "
                       "already matches the whole answer (at character 1 of the pattern)"),
    ("a{,4}", "`{,4}` means {0,4} in Python but is an error in browsers; write {0,4} (at "
              "character 2 of the pattern)"),
    ("a*+", "possessive quantifiers (`*+`, `++`, `?+`) work in Python 3.11+ only, not in "
            "browsers (at character 3 of the pattern)"),
    ("(?>ab)c", "atomic groups (?>...) work in Python 3.11+ only, not in browsers (at character "
                "1 of the pattern)"),
    ("(?<=K)h", "lookbehind is not in the portable subset (Python needs a fixed width) (at "
                "character 1 of the pattern)"),
    ("(?!no)yes", "lookahead is not in the portable subset (at character 1 of the pattern)"),
    ("(?P<x>a)", "named groups (?P<name>...) work in Python only; use (?:...) (at character 1 "
                 "of the pattern)"),
    ("(?<x>a)", "named groups (?<name>...) are written differently in Python; use (?:...) (at "
                "character 1 of the pattern)"),
    ("(a)\\1", "back-references (\\1, \\2, ...) are not in the portable subset (and can take "
               "exponential time) (at character 4 of the pattern)"),
    ("(?i)khmeimim", "inline flags such as (?i) work differently in Python and browsers; use "
                     "`case_sensitive:` instead (at character 1 of the pattern)"),
    ("\\p{L}+", "Unicode property classes (\\p{...}) work in browsers but not in Python's re (at "
                "character 1 of the pattern)"),
    ("\\u{48}", "`\\u{...}` works in browsers only; write \\uXXXX (four hex digits) (at "
                "character 1 of the pattern)"),
    ("\\AK", "`\\A` works in Python only; the pattern is matched against the whole answer (use ^ "
             "if you must) (at character 1 of the pattern)"),
    ("K\\Z", "`\\Z` works in Python only; the pattern is matched against the whole answer (use $ "
             "if you must) (at character 2 of the pattern)"),
    ("a\\-b", "`\\-`: escape only the special characters ^ $ \\ . * + ? ( ) [ ] { } | / (and - "
              "inside [...]); write - without the backslash (at character 2 of the pattern)"),
    ("a{2", "a `{` that does not start a repeat count; write \\{ for the character (at "
            "character 2 of the pattern)"),
    ("a]", "a `]` without `[`; write \\] for the character (at character 2 of the pattern)"),
    ("[[a]]", "write \\[ for a `[` inside a class (Python reads `[[` as the start of a nested "
              "set) (at character 2 of the pattern)"),
    ("[a--b]", "`--` inside a class is a set operation in browsers' v mode and in future "
               "Pythons; escape the characters (at character 3 of the pattern)"),
    ("[]a]", "an empty class `[]` or `[^]` means different things in Python and browsers; "
             "write \\] for the character (at character 1 of the pattern)"),
    ("[z-a]", "a range with its ends reversed; write the lower character first (at character 2 "
              "of the pattern)"),
    ("*a", "`*` has nothing to repeat; write \\* for the character (at character 1 of the "
           "pattern)"),
    ("a**", "a repeat of a repeat (like `a**` or `a{2}{3}`); put the inner part in (?:...) "
            "first (at character 3 of the pattern)"),
    ("^*a", "`^` and `$` cannot be repeated (at character 2 of the pattern)"),
    ("(ab", "`(` is never closed; add `)` (or write \\( for the character) (at character 1 of "
            "the pattern)"),
    ("ab)", "`)` without a matching `(`; write \\) for the character (at character 3 of the "
            "pattern)"),
    ("a{2000}", "repeat counts above 1000 are not accepted (at character 2 of the pattern)"),
    ("\\0", "`\\0` and octal escapes are not in the portable subset; write \\x00-style escapes "
            "only for visible characters (at character 1 of the pattern)"),
    ("x" * 301, "a pattern of 301 characters; at most 300 are accepted (at character 301 of the "
                "pattern)"),
])
def test_syntax_outside_the_portable_subset_is_refused(pattern: str, message: str) -> None:
    assert pattern_problem(pattern) == message


# -- catastrophic backtracking -------------------------------------------------------------


@pytest.mark.parametrize("pattern", [
    "(a+)+$", "(a|a)*", "(x+x+)+y", "(a|b|ab)*c", "(aa|aab?)*", "([a-z]+)*", "(.+)+x",
    "(a{1,10}){1,10}", "(a|A)*", "(?:K|k)+", "(\\s|\\u00a0)+x", "(?:[a-c]|[b-d])*",
    "(?:a|ab)*x(?:a|a)+", "(.*,){3}",
])
def test_exponential_patterns_are_refused(pattern: str) -> None:
    assert pattern_problem(pattern) == EXPONENTIAL


@pytest.mark.parametrize(("pattern", "power"), [
    (".*a.*b.*", 3), (".*,.*,.*", 3), (".*x.*y.*z.*", 4), (".*.*.*", 3), ("[a-z ]*x[a-z ]*y.*", 3),
])
def test_polynomial_patterns_beyond_quadratic_are_refused(pattern: str, power: int) -> None:
    assert pattern_problem(pattern) == (
        f"the pattern's time can grow with the answer's length to the power {power} ({power} "
        "open-ended parts such as .* can match the same text); use fewer .* or `accept` "
        "answers")


@pytest.mark.parametrize("pattern", [
    "(a*)*", "(a?)+", "(a?b?)*", "(?:|a)*", "(?:a|$)+",
])
def test_repeating_something_that_can_match_nothing_is_refused(pattern: str) -> None:
    assert pattern_problem(pattern).startswith(
        "this repeats a part that can match nothing (like `(a?)*`); make the repeated part "
        "match at least one character")


@pytest.mark.parametrize("pattern", [
    "K?h?meimim", "^K?h?meimim$", "(?:colou?r)s?", "[0-9]{4}", "[0-9]{1,3}(?:,[0-9]{3})*",
    "[a-z]+ [a-z]+ [a-z]+", "(?:[a-z]+, )*[a-z]+", ".*russia.*", "\\s*x\\s*y\\s*z\\s*",
    "(ab|cd)*",
    "(a|ab)*", "[^a]*a", "(?:Khmeimim|Hmeimim|Latakia)+", "[a-z]{3}[a-z]{3}[a-z]{3}",
    "x{1000}", "\\u0130stanbul", "a\\.b\\/c", "[\\s,;]+",
])
def test_safe_portable_patterns_pass(pattern: str) -> None:
    assert problem(pattern, case_sensitive=False) is None
    assert problems_of(HEADER + SHORT + f"    pattern: '{pattern}'\n") == []


def test_the_pattern_that_froze_the_browser_is_refused_in_a_real_quiz() -> None:
    """The original finding: (a+)+$ passed check, then took 8.6 s in the browser."""
    assert problems_of(HEADER + SHORT + "    pattern: '(a+)+$'\n") == [
        f"q.yml:13:5: questions[0].pattern: {EXPONENTIAL}"]


# -- Python reads an accepted pattern the way the browser does ------------------------------


@pytest.mark.parametrize(("pattern", "answer", "case_sensitive", "matches"), [
    ("a.b", "a\u2028b", True, False),  # JavaScript's . stops at line terminators
    ("a.b", "a\rb", True, False),
    ("a.b", "a\x85b", True, True),
    ("a\\sb", "a\x1cb", True, False),  # \x1c is space to Python, not to browsers
    ("a\\sb", "a\ufeffb", True, True),  # and the BOM the other way round
    ("a\\Sb", "a\x1cb", True, True),
    ("istanbul", "\u0130stanbul", False, False),  # Python's re equates İ and i; browsers not
    ("\u0130stanbul", "istanbul", False, False),
    ("\u0130stanbul", "\u0130STANBUL", False, True),
    ("[^i]", "\u0131", False, True),
    ("[^i]", "I", False, False),
    ("k", "\u212a", False, True),  # Kelvin sign folds to k in both
    ("ss", "\u00df", False, False),  # ß is one character, never two
    ("khmeimim", "  KHMEIMIM ", False, True),  # the answer is trimmed first
    ("^K$", "K", True, True),
])
def test_python_follows_the_browser(pattern: str, answer: str, case_sensitive: bool,
                                    matches: bool) -> None:
    assert problem(pattern, case_sensitive=case_sensitive) is None
    assert pattern_matches(pattern, answer, case_sensitive=case_sensitive) is matches


def test_a_refused_pattern_matches_nothing_in_python() -> None:
    """Like the browser's try/catch: only reachable by bypassing `quizbook check`."""
    assert pattern_matches("\\d+", "2015", case_sensitive=True) is False


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "where", "message"), [
    ("    answer: 2015\n    tolerance: .inf\n", "questions[0].tolerance",
     "Input should be a finite number"),
    ("    answer: .nan\n", "questions[0].answer", "Input should be a finite number"),
    ("    range: [0, .inf]\n", "questions[0].range[1]", "Input should be a finite number"),
    ("    range: [-.inf, 5]\n", "questions[0].range[0]", "Input should be a finite number"),
    ("    answer: 1e308\n", "questions[0].answer", "must be 1e+15 or less"),
    ("    range: [-1e16, 0]\n", "questions[0].range[0]", "must be -1e+15 or more"),
    ("    answer: 5\n    tolerance: 1.0e+300\n", "questions[0].tolerance",
     "must be 1e+15 or less"),
    ("    answer: " + "9" * 400 + "\n", "questions[0].answer",
     "must be a number between -1e+15 and 1e+15"),
    ("    answer: 3\n    unit: '5'\n", "questions[0].unit",
     "unit '5' holds a digit; a unit is a word or symbol such as km, %, years"),
    ("    answer: 3\n    unit: 5\n", "questions[0].unit", "must be text"),
    ("    answer: 3\n    unit: 'km2'\n", "questions[0].unit",
     "unit 'km2' holds a digit; a unit is a word or symbol such as km, %, years"),
])
def test_numbers_that_break_a_grader_are_refused(fields: str, where: str, message: str) -> None:
    (line,) = problems_of(HEADER + NUMERIC + fields)
    assert line.split(": ", 1)[1] == f"{where}: {message}", line


@pytest.mark.parametrize(("accept", "extra", "index"), [
    ("['!!!']", "", 0), ("[Khmeimim, '...']", "", 1), ("['¿¡']", "", 0), ("['\u0301']", "", 0),
])
def test_accept_entries_that_normalise_to_nothing_are_refused(accept: str, extra: str,
                                                              index: int) -> None:
    text = HEADER + SHORT.replace("[Khmeimim]", accept) + extra
    (line,) = problems_of(text)
    assert f"questions[0].accept: accept[{index}]" in line
    assert line.endswith("is nothing once normalised (case, accents, punctuation and spaces "
                         "are ignored): no answer could match it")


def test_punctuation_is_a_fine_answer_when_normalising_is_off() -> None:
    assert problems_of(HEADER + SHORT.replace("[Khmeimim]", "['!!!']") +
                       "    normalize: false\n") == []


def test_a_quiz_worth_more_than_results_files_accept_is_refused(tmp_path: Path) -> None:
    questions = "".join(
        SHORT.replace("id: q1", f"id: q{n}").replace("    prompt:", "    points: 100\n    prompt:")
        for n in range(101))
    (line,) = problems_of(HEADER + questions)
    assert line == ("q.yml:1:1: the questions add up to 10100 points; a quiz may have at most "
                    "10,000 (results files refuse more)")
