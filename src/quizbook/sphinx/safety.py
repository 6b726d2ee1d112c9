"""Lesson pages cannot smuggle raw HTML into the book.

The book's configuration already turns off MyST's HTML syntax; the `{raw}`
directive is docutils' own way around that, so it is disabled too unless a
book sets `quizbook_allow_raw: true`. A disabled `{raw}` is a warning, so a
`-W` build fails and names the page and line.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _disable_raw(app: Sphinx) -> None:
    if not app.config.quizbook_allow_raw:
        app.env.settings["raw_enabled"] = False


def setup(app: Sphinx) -> None:
    app.add_config_value("quizbook_allow_raw", False, "env", types=[bool])
    app.connect("builder-inited", _disable_raw)
