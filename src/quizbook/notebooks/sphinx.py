"""Sphinx extension: each lesson page links to its notebook, which the book ships as a download.

List `quizbook.notebooks.sphinx` in the book's extensions (after `quizbook.sphinx`).
While a lesson page (`lessons/<lesson>.md`) is read, its notebook of the book's
edition (`quizbook_edition`; the student edition has no readable key) is written,
zipped with the `quizbook_widget.py` it needs (quizbook.notebooks.ship), under the
build folder, and a download link is put under the page title. Sphinx copies the zip
to `_downloads/` and re-reads the page when it changes.

Config: `quizbook_notebook_links` (default True) turns the links off.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from quizbook.load import QuizFileError
from quizbook.notebooks import (
    HELPER_NAME,
    Edition,
    NotebookError,
    lesson_notebook,
    notebook_text,
)
from quizbook.notebooks.ship import write_lesson_zip

logger = logging.getLogger(__name__)
LESSONS = "lessons/"


class NotebookLink(SphinxTransform):
    """Write the lesson's notebook and add a download link after the page title."""

    default_priority = 870  # late, but before DoctreeReadEvent (880) collects downloads

    def apply(self, **kwargs: Any) -> None:
        if not self.config.quizbook_notebook_links:
            return
        docname = self.env.docname
        source = Path(self.env.doc2path(docname))
        if not docname.startswith(LESSONS) or source.suffix != ".md" or "/" in docname[8:]:
            return
        edition: Edition
        setting = getattr(self.config, "quizbook_edition", "student")
        if setting == "instructor":
            edition = "instructor"
        elif setting == "student":
            edition = "student"
        else:
            return  # quizbook.sphinx reports the bad value
        try:
            text = notebook_text(lesson_notebook(source, edition, Path(self.env.srcdir)))
        except (NotebookError, QuizFileError) as exc:
            logger.warning("no notebook for this lesson: %s", exc, location=docname,
                           type="quizbook", subtype="notebook")
            return
        target = Path(self.app.doctreedir).parent / "quizbook-notebooks" / edition \
            / f"{source.stem}.zip"
        write_lesson_zip(target, source.stem, text)
        # A path starting with "/" is relative to the source folder (Sphinx's rule).
        rel = "/" + Path(os.path.relpath(target, self.env.srcdir)).as_posix()
        label = "the instructor edition" if edition == "instructor" else "a Jupyter notebook"
        ref = addnodes.download_reference(
            "", "", reftarget=rel, refdoc=docname, refexplicit=True, refwarn=True,
            classes=["qb-notebook-download"])
        ref += nodes.inline("", f"Download this lesson as {label} ({source.stem}.zip)")
        para = nodes.paragraph("", "", classes=["qb-notebook-link"])
        para += nodes.Text("Working in JupyterLab? ")
        para += ref
        para += nodes.Text(f": the reading, the discussion with a notes box and the quiz. "
                           f"Keep {source.stem}.ipynb and {HELPER_NAME} in one folder; the "
                           "notebook needs the Python packages anywidget and ipywidgets.")
        section = next(iter(self.document.findall(nodes.section)), None)
        if section is not None and section.children and \
                isinstance(section.children[0], nodes.title):
            section.insert(1, para)
        else:
            self.document.insert(0, para)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("quizbook_notebook_links", True, "env", types=[bool])
    app.add_transform(NotebookLink)
    return {"version": "0.1.0", "parallel_read_safe": True, "parallel_write_safe": True}
