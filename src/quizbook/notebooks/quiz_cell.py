"""The quiz cells of a lesson notebook, and what every notebook needs to run them.

`quiz_cells(quiz_path, edition)` is the only place that decides what a quiz looks
like in a notebook: a short how-to and a code cell that shows the book's quiz (the
markup quizbook.sphinx.render makes for the `{quiz}` directive, with the student
bundle inside: no readable key) through `quizbook_widget.show_quiz`, an anywidget
running the book's runtime. The lowering of a lesson page calls it for every `{quiz}`
and nothing else. (The instructor edition's answer key is not made here: it is the
page's own key, `quizbook.sphinx.quiz.answer_key`, lowered with the rest of the page,
so the HTML, the PDF and the notebook show one and the same key.)

The code cells import from `quizbook_widget.py`, which ships beside the notebook
(quizbook.notebooks.ship); the kernel needs only `anywidget` and `ipywidgets`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat as _nbformat

from quizbook.bundle import make_bundle
from quizbook.handin import from_book_config
from quizbook.load import load_quiz
from quizbook.notebooks.edition import Edition
from quizbook.notebooks.ship import HELPER_NAME
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

    The cells are the same in both editions today (the key is part of the page);
    `edition` is passed so that they may differ. Raises `quizbook.load.QuizFileError` for
    a quiz file with problems.
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
    for cell in cells:
        cell.pop("id", None)  # the notebook numbers its cells
    return cells
