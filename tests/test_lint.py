"""Each item-writing rule fires on a quiz that breaks it and stays quiet on the fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbook.lint import lint_quiz, rules
from quizbook.load import load_quiz
from tests.helpers import quiz_text

FIXTURE = Path(__file__).parent / "fixtures" / "all-types.yml"


def q(n: int, prompt: str = "Which one?", options: str | None = None, objective: str = "lo1",
      kind: str = "single") -> str:
    if options is None:
        options = "".join(
            f"      - {{id: {o}, text: Option {n}{o}, correct: {str(n % 3 == i).lower()}, "
            "feedback: Because.}\n" for i, o in enumerate("abc"))
    return (f"  - id: q{n}\n    type: {kind}\n    objective: {objective}\n    source: p1\n"
            f"    prompt: {prompt}\n    options:\n{options}")


def findings(tmp_path: Path, body: str) -> dict[str, list[str]]:
    path = tmp_path / "quiz.yml"
    path.write_text(body, encoding="utf-8")
    out: dict[str, list[str]] = {}
    for finding in lint_quiz(load_quiz(path), path):
        out.setdefault(finding.rule, []).append(str(finding))
    return out


def test_clean_quiz_has_no_findings(tmp_path: Path) -> None:
    assert findings(tmp_path, quiz_text(q(1) + q(2) + q(3))) == {}


def test_fixture_is_clean() -> None:
    assert lint_quiz(load_quiz(FIXTURE), FIXTURE) == []


def test_missing_feedback(tmp_path: Path) -> None:
    body = quiz_text(q(1).replace(", feedback: Because.}", "}", 1) + q(2))
    assert "option 'a' has no feedback" in findings(tmp_path, body)["option-feedback"][0]


def test_all_of_the_above(tmp_path: Path) -> None:
    body = quiz_text(q(1).replace("text: Option 1c", "text: All of the above") + q(2))
    assert findings(tmp_path, body)["all-none-above"]


def test_longest_correct(tmp_path: Path) -> None:
    long = "A much longer and more carefully qualified answer"
    body = quiz_text("".join(q(n).replace(f"Option {n}{'abc'[n % 3]}", long)
                             for n in range(1, 5)))
    assert "the correct option is the longest in 4 of 4" in \
        findings(tmp_path, body)["longest-correct"][0]


def test_key_balance(tmp_path: Path) -> None:
    body = quiz_text("".join(q(3 * n) for n in range(1, 5)))  # key always in position a
    assert "position 1 in 4 of 4" in findings(tmp_path, body)["key-balance"][0]


@pytest.mark.parametrize("prompt,fires", [
    ("Which is not a base?", True),
    ("Which is **not** a base?", False),
    ("Which is NOT a base?", False),
    ("Which of these did Russia provide, except one?", True),
    ("Which did Russia provide?", False),
])
def test_negative_stem(tmp_path: Path, prompt: str, fires: bool) -> None:
    body = quiz_text(q(1, prompt=f'"{prompt}"') + q(2))
    assert ("negative-stem" in findings(tmp_path, body)) is fires


def test_option_count(tmp_path: Path) -> None:
    two = ("      - {id: a, text: Yes, correct: true, feedback: Because.}\n"
           "      - {id: b, text: No, correct: false, feedback: Because.}\n")
    body = quiz_text(q(1, options=two) + q(2))
    assert "2 options" in findings(tmp_path, body)["option-count"][0]


def test_objective_coverage(tmp_path: Path) -> None:
    body = quiz_text(q(1) + q(2)).replace("objectives:\n",
                                          "objectives:\n  - {id: lo2, text: Another.}\n")
    assert "objective 'lo2' is assessed by 0 item(s)" in \
        findings(tmp_path, body)["objective-coverage"][0]


@pytest.mark.parametrize("prompt,fires", [
    ("Which one?", False),
    ("Match the places:", False),
    ("Select the two right answers.", False),
    ("The chapter says Russia.", True),
    ("Russia", True),
])
def test_prompt_ending(tmp_path: Path, prompt: str, fires: bool) -> None:
    body = quiz_text(q(1, prompt=f'"{prompt}"') + q(2))
    assert ("prompt-ending" in findings(tmp_path, body)) is fires


def test_every_rule_is_documented() -> None:
    assert all(description for description, _ in rules().values())
