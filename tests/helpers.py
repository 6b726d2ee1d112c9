"""Small builders shared by the core tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

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


def write(tmp_path: Path, body: str, name: str = "quiz.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def quiz_text(questions: str) -> str:
    return HEADER + questions
