"""The attempt policy file: defaults, per-quiz settings, and errors at their line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from quizbook.server.policy import DEFAULT, Policy, PolicyFileError, parse_policies

QUIZZES = ["l1", "l2"]


def test_defaults_without_a_file() -> None:
    policies = parse_policies("", "class-policy.yml", QUIZZES)
    assert policies.of("l1") == DEFAULT == Policy(tries=2, marks_before_close=False,
                                                  counts="first", late_counts=False,
                                                  closes=None)


def test_file_defaults_and_per_quiz_settings() -> None:
    policies = parse_policies(
        "default:\n  tries: null\n  counts: best\n"
        "quizzes:\n  l2:\n    tries: 1\n    marks_before_close: true\n"
        "    closes: 2026-05-04T10:50:00+02:00\n", "class-policy.yml", QUIZZES)
    assert policies.of("l1") == Policy(tries=None, counts="best")
    assert policies.of("l2") == Policy(
        tries=1, counts="best", marks_before_close=True,
        closes=datetime(2026, 5, 4, 10, 50, tzinfo=timezone(timedelta(hours=2))))
    assert policies.of("l2").as_json()["closes"] == "2026-05-04T10:50:00+02:00"


@pytest.mark.parametrize(("text", "problem"), [
    ("default:\n  tries: 0\n", "class-policy.yml:2:3: default.tries: Input should be "
                               "greater than or equal to 1"),
    ("default:\n  counts: average\n", "class-policy.yml:2:3: default.counts: Input should be "
                                      "'first', 'best' or 'last'"),
    ("default:\n  tires: 3\n", "class-policy.yml:2:3: default.tires: unknown field"),
    ("quizzes:\n  l9:\n    tries: 3\n", "class-policy.yml:2:3: quizzes.l9: no quiz 'l9' in "
                                         "this book (quizzes: l1, l2)"),
    ("quizzes:\n  l1:\n    closes: 2026-05-04T10:50:00\n",
     "class-policy.yml:3:5: quizzes.l1.closes: give the closing time with its UTC offset"),
    ("default: [1, 2]\n", "class-policy.yml:1:1: default: Input should be a valid dictionary"),
    ("- just a list\n", "class-policy.yml:1:1: the policy file must be a mapping"),
    ("default:\n  tries: 2\n  tries: 3\n", "class-policy.yml:3:3: YAML error:"),
])
def test_problems_name_file_line_and_field(text: str, problem: str) -> None:
    with pytest.raises(PolicyFileError) as refused:
        parse_policies(text, "class-policy.yml", QUIZZES)
    assert str(refused.value).startswith(problem), str(refused.value)


def test_the_policy_in_words() -> None:
    assert Policy(tries=1, counts="last", marks_before_close=True, late_counts=True
                  ).sentences() == [
        "You can check your answers once.", "Your last attempt counts.",
        "Right and wrong marks for each option are shown as soon as you check.",
        "Answers sent after the quiz closes are kept, marked late, and can count."]
    assert Policy(tries=None).sentences()[0] == \
        "You can check your answers as often as you like."
