"""Lesson pages as class notebooks (student and instructor editions).

`write_notebooks(book_root, out_dir, edition)` writes `<out_dir>/<lesson>.ipynb`
for every `lessons/<lesson>.md` of the book; `quizbook export` calls it. The
Sphinx extension `quizbook.notebooks.sphinx` links each lesson page to its
notebook. See docs/notebooks.md.
"""

from __future__ import annotations

from pathlib import Path

from quizbook.book import open_book
from quizbook.notebooks.convert import NotebookError, lesson_notebook, notebook_text
from quizbook.notebooks.edition import EDITIONS, Edition
from quizbook.notebooks.quiz_cell import answer_key, quiz_cells

__all__ = ["EDITIONS", "Edition", "NotebookError", "answer_key", "lesson_notebook",
           "notebook_text", "quiz_cells", "write_notebook", "write_notebooks"]


def write_notebook(path: Path, text: str) -> bool:
    """Write `text` unless the file already holds it (keeps mtimes for incremental builds)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


def write_notebooks(book_root: Path, out_dir: Path, edition: Edition) -> list[Path]:
    """Write one notebook per lesson of the book; return their paths in lesson order.

    Raises `NotebookError` (or `quizbook.load.QuizFileError` for a bad quiz file)
    with messages naming the file and line; nothing is written for a lesson that fails.
    """
    if edition not in EDITIONS:
        raise NotebookError(f"unknown edition {edition!r}: use 'student' or 'instructor'")
    book = open_book(Path(book_root))
    if not book.lessons:
        raise NotebookError(f"{book.lessons_dir}: no lessons (lessons/*.md) to export")
    texts = {name: notebook_text(lesson_notebook(path, edition, book.root))
             for name, path in book.lessons.items()}
    written = []
    for name, text in texts.items():
        target = Path(out_dir) / f"{name}.ipynb"
        write_notebook(target, text)
        written.append(target)
    return written
