"""Browser assets: one script and the stylesheets (page and print), only on pages that use them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from quizbook.runtime.build import PRINT_STYLESHEET, STYLESHEET, book_stylesheets
from quizbook.sphinx.nodes import discussion_node, progress_node, quiz_node
from quizbook.sphinx.scripts import ensure_script, page_needs

logger = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _static_path(app: Sphinx) -> None:
    """Ship the runtime's stylesheets (quizbook.runtime.build); the scripts are written per
    page need (quizbook.sphinx.scripts).

    It is written next to the doctrees, which are never published, and Sphinx
    copies it into `_static/`.
    """
    if app.builder.format != "html":
        return
    folder = Path(app.doctreedir).parent / "quizbook-static"
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / "quizbook.js"  # one script for every page, before issue 12
    if stale.exists():
        stale.unlink()
    for name, text in book_stylesheets().items():
        target = folder / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    app.config.html_static_path.append(str(folder))


def _uses_quizbook(doctree: nodes.document) -> bool:
    for node in doctree.findall(nodes.Element):
        if isinstance(node, quiz_node | discussion_node | progress_node):
            return True
        if "qb-para" in node.get("classes", ()) or "qb-key" in node.get("classes", ()):
            return True
    return False


def _page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: nodes.document | None) -> None:
    if not context.get("favicon_url"):
        # Browsers ask a web server for /favicon.ico; a 404 is a console error.
        context["metatags"] = context.get("metatags", "") + '<link rel="icon" href="data:,">\n'
    if doctree is not None and _uses_quizbook(doctree):
        app.add_css_file(STYLESHEET)
        # Print only: the browser fetches it without holding up the page's first paint.
        app.add_css_file(PRINT_STYLESHEET, media="print")
        needs = page_needs(doctree, app)
        if needs.any and not needs.quizzes:  # with quizzes, the body has it before the first
            app.add_js_file(ensure_script(app, needs), loading_method="defer")


def _templates(app: Sphinx, config: Config) -> None:
    config.templates_path.append(str(TEMPLATES))


def setup(app: Sphinx) -> None:
    app.connect("config-inited", _templates)
    app.connect("builder-inited", _static_path)
    app.connect("html-page-context", _page_assets)
