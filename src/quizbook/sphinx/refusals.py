"""What the book refused (script, redirects, outside files) fails the build, every time.

Every guard logs an error naming the file and line and leaves the offending
thing out of the page. On top of that the build's exit status is 1 even
without `-W`, and a page with a refusal is read again on the next build, so an
incremental build cannot quietly succeed because the page was not re-read.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)
ATTRIBUTE = "quizbook_refused_docs"


def _refused(env: BuildEnvironment) -> set[str]:
    refused: set[str] | None = getattr(env, ATTRIBUTE, None)
    if refused is None:
        refused = set()
        setattr(env, ATTRIBUTE, refused)
    return refused


def note(env: BuildEnvironment, docname: str | None = None) -> None:
    """Record that the page being read (or `docname`) had something refused."""
    _refused(env).add(docname or env.docname)


def refuse(app: Sphinx, message: str, location: Any, subtype: str) -> None:
    """Log the refusal (`PATH:LINE: ERROR: message`) and record the page."""
    logger.error(message, location=location, type="quizbook", subtype=subtype)
    note(app.env)


def refuse_book(app: Sphinx, message: str, location: str, subtype: str) -> None:
    """A refused setting or file name: not tied to a page read, checked on every build."""
    logger.error(message, location=location, type="quizbook", subtype=subtype)
    app.quizbook_config_refused = True  # type: ignore[attr-defined]


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _refused(env).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: Set[str],
           other: BuildEnvironment) -> None:
    _refused(env).update(_refused(other) & set(docnames))


def _read_again(app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str],
                removed: Set[str]) -> list[str]:
    return sorted(_refused(env) - set(removed))


def _fail(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None:
        return
    pages = sorted(_refused(app.env) & set(app.env.found_docs))
    if pages or getattr(app, "quizbook_config_refused", False):
        logger.error("the book was refused (see the errors above): "
                     + (", ".join(pages) if pages else "_config.yml"),
                     type="quizbook", subtype="refused")
        app.statuscode = 1


def setup(app: Sphinx) -> None:
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _read_again)
    app.connect("build-finished", _fail, priority=900)

