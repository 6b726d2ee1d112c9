"""A lesson's cells as a notebook file: the how-to cell, metadata, cell ids, validation.

Output is deterministic: the same doctree gives the same bytes (cell ids are
`<lesson>-<n>`, JSON keys are sorted by nbformat).
"""

from __future__ import annotations

import re
from typing import Any

import nbformat as _nbformat
from docutils import nodes

from quizbook.notebooks.lower import Lesson, Lowering
from quizbook.notebooks.quiz_cell import NOTEBOOK_NEEDS

#: nbformat has partial type hints; use it untyped.
nbformat: Any = _nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
#: The first cell says what the notebook needs to run.
HOW_TO = (f"*{NOTEBOOK_NEEDS} Run each code cell with **Shift+Enter** (or **Run ▸ Run "
          "All Cells**). Your quiz answers and discussion notes are saved in files next "
          "to this notebook.*")
INSTRUCTOR = ("> **Instructor edition**: this notebook shows the answer key and the "
              "teaching notes. Hand students the student edition.")


def lesson_notebook(document: nodes.document, lesson: Lesson) -> Any:
    """The notebook (nbformat 4.5) of one lesson, from its resolved doctree."""
    cells = Lowering(document, lesson).cells()
    intro = HOW_TO if lesson.edition == "student" else f"{INSTRUCTOR}\n\n{HOW_TO}"
    cells.insert(0, nbformat.v4.new_markdown_cell(intro, metadata={"tags": ["quizbook-intro"]}))
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 5
    nb.metadata = {"kernelspec": dict(KERNELSPEC),
                   "language_info": {"name": "python"},
                   "quizbook": {"lesson": lesson.name, "edition": lesson.edition,
                                "quizzes": list(lesson.quizzes)}}
    stem = re.sub(r"[^A-Za-z0-9-]", "-", lesson.name[:40])
    for n, cell in enumerate(cells, 1):
        cell.id = f"{stem}-{n}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def notebook_text(nb: Any) -> str:
    return str(nbformat.writes(nb)) + "\n"
