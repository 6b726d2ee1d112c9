"""Lesson pages cannot smuggle raw HTML into the book.

The book's configuration already turns off MyST's HTML syntax; the `{raw}`
directive is docutils' own way around that, so it is disabled too unless a
book sets `quizbook_allow_raw: true` (a real boolean: the string `'false'`
is an error, not a yes). A disabled `{raw}` is a warning, so a `-W` build
fails and names the page and line.

Theme options that the themes print as HTML (`html.announcement`,
`html.extra_footer`, `html.navbar_footer_text` in `_config.yml`) are the same:
markup in them is an error unless raw HTML is allowed, and an announcement
given as a URL (which the theme fetches from that host in every reader's
browser) is always an error.

Notebook pages are the other way in: myst-nb puts a cell's stored `text/html`
or `application/javascript` output into the page as raw HTML. Unless raw HTML
is allowed, such an output is an error naming the notebook and is left out.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from quizbook.sphinx import book_config, refusals
from quizbook.sphinx.where import where

ALLOW_RAW = "quizbook_allow_raw"


#: Theme options printed without escaping, and where _config.yml sets them.
THEME_HTML = {"announcement": ("html", "announcement"),
              "extra_footer": ("html", "extra_footer"),
              "navbar_footer_text": ("html", "navbar_footer_text")}


def _check_theme_html(app: Sphinx, config: Config) -> None:
    options = config.html_theme_options
    if not isinstance(options, dict):
        return
    for option, keys in THEME_HTML.items():
        value = options.get(option)
        if not isinstance(value, str) or not value:
            continue
        if "://" in value or value.lstrip().startswith("//"):
            problem = ("is a URL: the theme would fetch it from that host in every reader's "
                       "browser; write the text itself")
        elif "<" in value and config[ALLOW_RAW] is not True:
            problem = (f"holds HTML, which the theme prints as it is (set {ALLOW_RAW}: true "
                       "to allow it); write plain text")
        else:
            continue
        where_set = book_config.config_location(app, option, value, keys)
        refusals.refuse_book(app, f"{'.'.join(keys)}: {problem}", where_set, "config")
        options[option] = ""


def _disable_raw(app: Sphinx) -> None:
    if app.config[ALLOW_RAW] is not True:
        app.env.settings["raw_enabled"] = False


def _from_notebook_output(node: nodes.Element) -> bool:
    """myst-nb marks the containers of cell outputs (and glued outputs) with `nb_element`."""
    if "output" in node.get("classes", ()):
        return True
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.Element) and (
                parent.get("nb_element") or "cell_output" in parent.get("classes", ())):
            return True
        parent = parent.parent
    return False


def _refuse_notebook_html(app: Sphinx, doctree: nodes.document) -> None:
    if app.config[ALLOW_RAW] is True:
        return
    for raw in list(doctree.findall(nodes.raw)):
        if "html" in raw.get("format", "").split() and _from_notebook_output(raw):
            refusals.refuse(app, "a notebook cell output is raw HTML or JavaScript, which a "
                            f"page cannot carry (set {ALLOW_RAW}: true to allow it); clear "
                            "the output or give it as text or an image",
                            where(raw, app.env.docname), "raw")
            raw.parent.remove(raw)


def setup(app: Sphinx) -> None:
    # `quizbook_allow_raw` is validated by quizbook.sphinx.settings (a real bool from here on).
    app.connect("config-inited", _check_theme_html, priority=110)
    app.connect("builder-inited", _disable_raw)
    app.connect("doctree-read", _refuse_notebook_html, priority=290)
