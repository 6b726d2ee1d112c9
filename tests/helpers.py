"""Small builders shared by the core tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from quizbook import model
from quizbook.grade import matching_rights
from tests.type_responses import RIGHT, WRONG

HEADER = """\
id: t-quiz
lesson: t-lesson
title: Test quiz
objectives:
  - {id: lo1, text: Recall the facts.}
questions:
"""

SINGLE = """\
  - id: q1
    type: single
    objective: lo1
    source: p1
    prompt: Which one?
    options:
      - {id: a, text: Right, correct: true, feedback: Yes.}
      - {id: b, text: Wrong, correct: false, feedback: No.}
      - {id: c, text: Also wrong, correct: false, feedback: No.}
"""

SHORT = """\
  - id: q1
    type: short_text
    objective: lo1
    source: p1
    prompt: Name it.
    accept: [Khmeimim]
"""
#: A numeric question without its key: tests add `answer:`, `range:` or `tolerance:` lines.
NUMERIC_WITHOUT_KEY = """\
  - id: q1
    type: numeric
    objective: lo1
    source: p1
    prompt: Which year?
"""
NUMERIC = NUMERIC_WITHOUT_KEY + "    answer: 2015\n"


def write(tmp_path: Path, body: str, name: str = "quiz.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def quiz_text(questions: str) -> str:
    return HEADER + questions


def right_response(q: model.Question) -> Any:
    if not isinstance(q, model.BuiltinQuestion):  # registered types: tests/type_responses.py
        return RIGHT[q.type](q)
    if isinstance(q, model.SingleQuestion):
        return q.correct_option.id
    if isinstance(q, model.MultipleQuestion):
        return [o.id for o in q.options if o.correct]
    if isinstance(q, model.TrueFalseQuestion):
        return q.answer
    if isinstance(q, model.ShortTextQuestion):
        return q.accept[0]
    if isinstance(q, model.NumericQuestion):
        return repr(sum(q.bounds) / 2)
    if isinstance(q, model.OrderingQuestion):
        return {i.id: n for n, i in enumerate(q.items, 1)}
    rid = {text: r for r, text in matching_rights(q)}
    return {p.id: rid[p.right] for p in q.pairs}


def wrong_response(q: model.Question) -> Any:
    if not isinstance(q, model.BuiltinQuestion):
        return WRONG[q.type](q)
    if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        wrong = next(o.id for o in q.options if not o.correct)
        return wrong if isinstance(q, model.SingleQuestion) else [wrong]
    if isinstance(q, model.TrueFalseQuestion):
        return not q.answer
    if isinstance(q, model.NumericQuestion):
        # A number surely outside the key (text that is not a number is not graded at all).
        _low, high = q.range if q.range else (q.answer or 0, q.answer or 0)
        return f"{high + q.tolerance + 1000:g}"
    return "zz-wrong" if isinstance(q, model.ShortTextQuestion) else {}
