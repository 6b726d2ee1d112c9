"""The quiz cells of a lesson notebook, and what every notebook needs to run them.

`quiz_cells(quiz_path, edition)` is the only place that decides what a quiz looks
like in a notebook: a short how-to and a code cell that shows the book's quiz (the
markup quizbook.sphinx.render makes for the `{quiz}` directive, with the student
bundle inside: no readable key) through `quizbook_widget.show_quiz`, an anywidget
running the book's runtime; the instructor edition adds the answer key after them.
The lesson converter calls it for every `{quiz}` and nothing else.

The code cells import from `quizbook_widget.py`, which ships beside the notebook
(quizbook.notebooks.ship); the kernel needs only `anywidget` and `ipywidgets`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat as _nbformat

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.grade import matching_rights
from quizbook.handin import from_book_config
from quizbook.load import load_quiz
from quizbook.notebooks.edition import Edition
from quizbook.notebooks.ship import HELPER_NAME
from quizbook.sphinx.para import para_number
from quizbook.sphinx.render import quiz_html

#: nbformat has partial type hints; use it untyped.
nbformat: Any = _nbformat

#: The quiz's heading level in a notebook: a section under the lesson's `##` headings.
QUIZ_HEADING_LEVEL = 3

#: What a notebook needs, said in its first cell.
NOTEBOOK_NEEDS = (
    "This notebook needs Python 3 with the packages `anywidget` and `ipywidgets` "
    "(`pip install anywidget ipywidgets`; JupyterLab 4 or Notebook 7) and the file "
    f"`{HELPER_NAME}` in the same folder: it comes with this notebook in the lesson's zip "
    "download. Nothing else is needed, and nothing is fetched from the internet.")

#: The message of a code cell whose import fails (the missing module's name goes last).
MISSING = (f"This notebook needs the file {HELPER_NAME} next to it (it comes in the lesson's zip "
           "download) and the Python packages anywidget and ipywidgets (pip install anywidget "
           "ipywidgets). Missing: ")


def widget_import(name: str) -> str:
    """The import of a widget helper, with a plain message if the kernel cannot import it."""
    return (f"try:\n    from quizbook_widget import {name}\n"
            "except ModuleNotFoundError as missing:\n"
            f"    raise ModuleNotFoundError({MISSING!r} + str(missing.name)) from None")


def escape_md(text: str) -> str:
    """Quiz text (inline Markdown) in a Markdown cell: raw HTML shows as text, as in the book."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quiz_cells(quiz_path: Path, edition: Edition) -> list[Any]:
    """The cells (nbformat 4 NotebookNodes, without ids) that show one quiz in a notebook.

    Raises `quizbook.load.QuizFileError` for a quiz file with problems.
    """
    quiz = load_quiz(quiz_path)
    # The book's hand-in line, beside the download as in the book (quizbook.handin).
    markup = quiz_html(make_bundle(quiz), QUIZ_HEADING_LEVEL, from_book_config(quiz_path))
    how_to = nbformat.v4.new_markdown_cell(
        f"**The quiz of this lesson.** Run the next cell (**Shift+Enter**) to show "
        f"“{escape_md(quiz.title)}”. Choose your answers, then press **Check answers**; "
        "**Try again** clears the answers that are not right yet. Your answers are saved in "
        f"`{quiz.id}.quizbook.json` next to this notebook; **Download my results** asks for "
        f"your name once and saves `results-<your name>-{quiz.id}-<date>.json` for your "
        "instructor (a copy stays next to this notebook).")
    code = nbformat.v4.new_code_cell(
        "# The book's quiz of this lesson (student bundle: no readable answer key).\n"
        f"{widget_import('show_quiz')}\n\n"
        f"show_quiz({quiz.id!r}, {markup!r})",
        metadata={"tags": ["quizbook-quiz"], "jupyter": {"source_hidden": True}})
    cells = [how_to, code]
    if edition == "instructor":
        cells.append(nbformat.v4.new_markdown_cell(answer_key(quiz).strip("\n")))
    for cell in cells:
        cell.pop("id", None)  # the notebook numbers its cells
    return cells


def answer_key(quiz: model.Quiz) -> str:
    """The instructor's answer key of a quiz, as Markdown."""
    out = [f"### Answer key: {escape_md(quiz.title)} (instructor edition only)", ""]
    for n, q in enumerate(quiz.questions, 1):
        out.append(f"**{n}. {escape_md(q.prompt)}** ({q.type.replace('_', ' ')}, "
                   f"{q.points:g} point{'' if q.points == 1 else 's'}; objective {q.objective}, "
                   f"source [¶ {para_number(q.source)}](#{q.source}))")
        out.append("")
        out.extend(_key_lines(q))
        if q.explanation:
            out.append(f"- Why: {escape_md(q.explanation)}")
        if q.instructor_note:
            out.append(f"- Instructor note: {escape_md(q.instructor_note)}")
        out.append("")
    return "\n".join(out)


def _key_lines(q: model.Question) -> list[str]:
    e = escape_md
    if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        return [f"- {'✓ **right**' if o.correct else '✗ wrong'}: {e(o.text)}" for o in q.options]
    if isinstance(q, model.TrueFalseQuestion):
        return [f"- Answer: **{q.answer}**"]
    if isinstance(q, model.ShortTextQuestion):
        lines = ["- Accepted: " + ", ".join(f"**{e(a)}**" for a in q.accept)]
        if q.pattern:
            lines.append(f"- Also accepted: text matching `{q.pattern}`")
        return lines
    if isinstance(q, model.NumericQuestion):
        low, high = q.bounds
        unit = f" {e(q.unit)}" if q.unit else ""
        exact = f"**{q.answer:g}**{unit}" if q.answer is not None else None
        span = f"from {low:g} to {high:g}{unit}"
        return [f"- Answer: {exact} ({span})" if exact and low != high
                else f"- Answer: {exact}" if exact else f"- Answer: {span}"]
    if isinstance(q, model.OrderingQuestion):
        return [f"{n}. {e(i.text)}" for n, i in enumerate(q.items, 1)]
    rights = {text for _, text in matching_rights(q)}
    lines = [f"- {e(p.left)} → **{e(p.right)}**" for p in q.pairs]
    distractors = [d for d in q.distractors if d in rights]
    if distractors:
        lines.append("- Distractors: " + ", ".join(e(d) for d in distractors))
    return lines
