"""Lesson pages as class notebooks (student and instructor editions).

The notebooks are made by the Sphinx extension `quizbook.notebooks.sphinx` from the
doctree each lesson page is written from, so a notebook shows exactly what its page
shows in that edition; the book ships each one zipped with the `quizbook_widget.py` it
needs (`quizbook.notebooks.ship`). `write_notebooks(book_root, out_dir, edition)`
builds the edition's HTML with that extension and takes the notebooks out; `quizbook
export` calls it. See docs/notebooks.md.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from quizbook.config import read_settings
from quizbook.export.editions import BuildError, build_edition, read_toc
from quizbook.notebooks.edition import EDITIONS, Edition
from quizbook.notebooks.files import write_notebook
from quizbook.notebooks.lower import NotebookError
from quizbook.notebooks.quiz_cell import quiz_cells
from quizbook.notebooks.ship import HELPER_NAME, lesson_zip, write_helper

__all__ = ["EDITIONS", "EXTENSION", "HELPER_NAME", "Edition", "NotebookError", "lesson_zip",
           "quiz_cells", "write_helper", "write_notebook", "write_notebooks"]

EXTENSION = "quizbook.notebooks.sphinx"


def write_notebooks(book_root: Path, out_dir: Path, edition: Edition, *,
                    strict: bool = True, site: Path | None = None) -> list[Path]:
    """Write one notebook per lesson of the edition, and `quizbook_widget.py` beside them
    (the notebooks' quizzes and notes boxes need it); return the notebooks' paths in the
    order of the edition's table of contents.

    `site`, an HTML build of this edition already made with the extension (the export's
    instructor site), gives the notebooks when it holds one for every lesson. Otherwise
    the edition is built (Jupyter Book, HTML, with `-W` unless `strict` is false) in a
    temporary folder with `quizbook.notebooks.sphinx` added to its extensions. Raises
    `NotebookError` with the build's warnings (file and line) when it fails; nothing is
    written then.
    """
    from quizbook.notebooks.sphinx import DOWNLOADS, is_lesson

    if edition not in EDITIONS:
        raise NotebookError(f"unknown edition {edition!r}: use 'student' or 'instructor'")
    book = Path(book_root).resolve()
    lessons_dir = read_settings(book)[0].lessons_dir
    try:
        lessons = [PurePosixPath(doc).name for doc in read_toc(book, edition)
                   if is_lesson(doc, lessons_dir)]
    except BuildError as exc:
        raise NotebookError(str(exc)) from None
    if not lessons:
        raise NotebookError(f"{book}: the table of contents lists no lessons "
                            f"({lessons_dir}/...)")
    zips = site / "_downloads" / DOWNLOADS.as_posix() if site is not None else None
    if zips is not None and all((zips / f"{name}.zip").is_file() for name in lessons):
        texts = _from_zips(zips, lessons)
    else:
        with tempfile.TemporaryDirectory(prefix="quizbook-notebooks-") as work:
            try:
                built = build_edition(book, edition, "html", Path(work), strict,
                                      extensions=[EXTENSION],
                                      settings={"quizbook_edition": edition,
                                                "quizbook_notebook_links": True})
            except BuildError as exc:
                raise NotebookError(str(exc)) from None
            made = built.output / "_downloads" / DOWNLOADS.as_posix()
            missing = [name for name in lessons if not (made / f"{name}.zip").is_file()]
            if missing:
                log = built.log.read_text(encoding="utf-8", errors="replace").splitlines()
                warnings = "\n".join(line for line in log if "WARNING" in line
                                     or "ERROR" in line)
                raise NotebookError(f"no notebook was made for {', '.join(missing)}\n"
                                    f"{warnings}")
            texts = _from_zips(made, lessons)
    written = []
    for name, text in texts.items():
        target = Path(out_dir) / f"{name}.ipynb"
        write_notebook(target, text)
        written.append(target)
    write_helper(Path(out_dir))
    return written


def _from_zips(folder: Path, lessons: list[str]) -> dict[str, str]:
    """Each lesson's notebook text, out of its lesson zip (`<lesson>/<lesson>.ipynb`)."""
    texts = {}
    for name in lessons:
        try:
            with zipfile.ZipFile(folder / f"{name}.zip") as archive:
                texts[name] = archive.read(f"{name}/{name}.ipynb").decode("utf-8")
        except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise NotebookError(f"{folder / name}.zip: no readable notebook ({exc})") from None
    return texts
