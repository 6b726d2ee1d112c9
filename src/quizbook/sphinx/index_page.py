"""The book's `index.html` when the root page has another name: a complete redirect page.

sphinx-external-toc writes a one-line `<meta http-equiv="Refresh">` as `index.html`: no
title, no language, and the browser asks a web server for a favicon that does not exist
(a console error). With `quizbook_index_redirect` (the default) that page is replaced by
one made from a template, with the book's title and language. An `index.html` the book
publishes itself (e.g. through `html_extra_path`) is never replaced.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import jinja2
from sphinx.application import Sphinx

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: What this module writes holds this comment (after the doctype): a later build replaces it.
MARK = "<!-- quizbook: index redirect -->"
#: The one-line page of sphinx-external-toc (any root name).
TOC_REDIRECT = re.compile(r'^<meta http-equiv="Refresh" content="0; url=[^"<>]*" />\s*$')


def render_redirect(lang: str, title: str, url: str) -> str:
    """The index redirect page, from its template (Jinja2 escapes every value)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                     autoescape=True, keep_trailing_newline=True)
    return environment.get_template("qb-index-redirect.html").render(
        mark=MARK, lang=lang, title=title, url=url)


def _replaceable(index: Path) -> bool:
    """No index.html yet, or one that a redirect (ours or sphinx-external-toc's) wrote."""
    if not index.exists():
        return True
    if not index.is_file() or index.is_symlink() or index.stat().st_size > 4096:
        return False
    text = index.read_text(encoding="utf-8", errors="replace")
    return MARK in text[:200] or bool(TOC_REDIRECT.match(text))


def _index_redirect(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not app.config.quizbook_index_redirect \
            or app.builder.format != "html" or app.builder.name == "dirhtml":
        return
    root = app.config.root_doc
    index = Path(app.outdir) / "index.html"
    if root == "index" or not _replaceable(index):
        return
    title = app.config.html_title or app.config.project or root
    index.write_text(render_redirect(app.config.language or "en", title, quote(f"{root}.html")),
                     encoding="utf-8")


def setup(app: Sphinx) -> None:
    # Before sphinx-external-toc's own redirect (priority 500), which skips an existing file.
    app.connect("build-finished", _index_redirect, priority=400)
