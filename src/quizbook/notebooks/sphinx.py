"""Sphinx extension: every lesson page ships as a class notebook, made from the page itself.

List `quizbook.notebooks.sphinx` in the book's extensions (after `quizbook.sphinx`).
When an HTML builder writes a lesson page (a page directly in the book's
`quizbook_lessons_dir`, default `lessons/`; Markdown or notebook source), the doctree it
writes the page from, resolved for the book's edition
(`quizbook_edition`: `{only}` evaluated by Sphinx, `{instructor}` kept or dropped),
is lowered to a notebook, zipped with the `quizbook_widget.py` it needs
(quizbook.notebooks.ship) as `_downloads/notebooks/<lesson>.zip`, and a download link
is put under the page title. The page and its notebook show the same text by
construction.

Setting: `quizbook_notebook_links` (default true); false writes neither notebooks nor links
(docs/configuration.md).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from quizbook import __version__
from quizbook.load import QuizFileError
from quizbook.notebooks.assemble import lesson_notebook, notebook_text
from quizbook.notebooks.lower import Lesson, NotebookError
from quizbook.notebooks.ship import HELPER_NAME, write_lesson_zip

logger = logging.getLogger(__name__)

#: Builders that write one page per document (the single-page build has no lesson pages).
PAGE_BUILDERS = ("html", "dirhtml")
#: Where the notebooks go in the HTML output (a fixed name: same bytes from any build folder).
DOWNLOADS = PurePosixPath("notebooks")


def is_lesson(docname: str, lessons_dir: str) -> bool:
    """Whether a page is a lesson: directly in the book's lessons folder."""
    return PurePosixPath(docname).parent == PurePosixPath(lessons_dir)


def _quiz_file(env: BuildEnvironment, docname: str, quiz_id: str) -> Path | None:
    """The file of a quiz on this page, as the `{quiz}` directive recorded it."""
    registry: dict[str, list[dict[str, Any]]] = getattr(env, "quizbook_quizzes", {})
    for info in registry.get(docname, []):
        if info.get("quiz") == quiz_id:
            return Path(env.srcdir) / str(info["file"])
    return None


def _write_lesson_notebook(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not app.config.quizbook_notebook_links or app.builder.name not in PAGE_BUILDERS \
            or not is_lesson(docname, app.config.quizbook_lessons_dir):
        return
    edition = app.config.quizbook_edition  # validated by quizbook.sphinx.settings
    name = PurePosixPath(docname).name
    lesson = Lesson(name, edition, Path(app.srcdir),
                    quiz_file=lambda quiz_id: _quiz_file(app.env, docname, quiz_id))
    try:
        text = notebook_text(lesson_notebook(doctree, lesson))
    except (NotebookError, QuizFileError) as exc:
        logger.warning("no notebook for this lesson: %s", exc, location=docname,
                       type="quizbook", subtype="notebook")
        return
    filename = DOWNLOADS / f"{name}.zip"
    write_lesson_zip(Path(app.outdir, "_downloads", filename), name, text)
    _add_link(doctree, filename, name, edition)


def _add_link(doctree: nodes.document, filename: PurePosixPath, lesson: str,
              edition: str) -> None:
    """"Download this lesson as a notebook", after the page title (the HTML writer makes
    the href from `filename`, relative to `_downloads/`)."""
    label = "the instructor edition" if edition == "instructor" else "a Jupyter notebook"
    ref = addnodes.download_reference("", "", filename=filename.as_posix(), refexplicit=True,
                                      classes=["qb-notebook-download"])
    ref += nodes.inline("", f"Download this lesson as {label} ({filename.name})")
    para = nodes.paragraph("", "", classes=["qb-notebook-link"])
    para += nodes.Text("Working in JupyterLab? ")
    para += ref
    para += nodes.Text(f": the reading, the discussion with a notes box and the quiz. "
                       f"Keep {lesson}.ipynb and {HELPER_NAME} in one folder; the "
                       "notebook needs the Python packages anywidget and ipywidgets.")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        section.insert(1, para)
    else:
        doctree.insert(0, para)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("quizbook.sphinx.settings")  # quizbook_notebook_links, ..._lessons_dir
    # Late: after every other handler has changed the doctree the page is written from.
    app.connect("doctree-resolved", _write_lesson_notebook, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
