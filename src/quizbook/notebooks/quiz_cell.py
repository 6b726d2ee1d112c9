"""The quiz cells of a lesson notebook.

`quiz_cells(quiz_path, edition)` is the only place that decides what a quiz looks
like in a notebook: a short how-to and a code cell that shows the quiz from the
embedded student bundle (no readable key). The lowering of a lesson page calls it
for every `{quiz}` and nothing else. (The instructor edition's answer key is not made
here: it is the key of the page, `quizbook.sphinx.quiz.answer_key`, lowered with the
rest of the page, so the HTML, the PDF and the notebook show one and the same key.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat as _nbformat

from quizbook.bundle import make_bundle
from quizbook.load import load_quiz
from quizbook.notebooks.edition import Edition

#: nbformat has partial type hints; use it untyped.
nbformat: Any = _nbformat


def widget_import(name: str) -> str:
    """The import of a widget helper, with a plain message if the kernel lacks quizbook."""
    return (f"try:\n    from quizbook.widgets import {name}\n"
            "except ModuleNotFoundError:\n"
            "    raise ModuleNotFoundError(\"This notebook needs the course's quizbook package "
            "in its kernel (the course environment installs it): ask your instructor.\") from None")


def escape_md(text: str) -> str:
    """Quiz text (inline Markdown) in a Markdown cell: raw HTML shows as text, as in the book."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quiz_cells(quiz_path: Path, edition: Edition) -> list[Any]:
    """The cells (nbformat 4 NotebookNodes, without ids) that show one quiz in a notebook.

    The cells are the same in both editions today (the student bundle only; the key is
    part of the page); `edition` is passed so that they may differ. Raises
    `quizbook.load.QuizFileError` for a quiz file with problems.
    """
    quiz = load_quiz(quiz_path)
    bundle = json.dumps(make_bundle(quiz), sort_keys=True, ensure_ascii=False,
                        separators=(",", ":"))
    how_to = nbformat.v4.new_markdown_cell(
        f"### Quiz: {escape_md(quiz.title)}\n\n"
        "Run the next cell (**Shift+Enter**) to show the quiz. Choose your answers, "
        "then press **Check answers**; **Retry** clears the answers that are not "
        f"right yet. Your answers are saved in `{quiz.id}.quizbook.json` next to "
        "this notebook; **Export my results** writes "
        f"`results-{quiz.id}.json` for your instructor.")
    code = nbformat.v4.new_code_cell(
        "# The quiz of this lesson (student bundle: no readable answer key).\n"
        f"{widget_import('show_quiz')}\n\n"
        f"show_quiz({bundle!r})",
        metadata={"tags": ["quizbook-quiz"], "jupyter": {"source_hidden": True}})
    cells = [how_to, code]
    for cell in cells:
        cell.pop("id", None)  # the notebook numbers its cells
    return cells
