"""Heading and title text reaches the theme and the search page as text, never as markup.

Sphinx hands templates two kinds of titles: rendered HTML (`title`, `toc`,
`prev.title`, already escaped) and plain text (`docstitle`, `project`, ...).
The book theme adds more plain text (`pagetitle` in the print-only header,
`root_title` in the sidebar) and prints it without escaping, and Sphinx's
search page puts section titles and glossary terms into the page with
`innerHTML`. A heading such as `# Title <img src=x onerror=...>` ran in every
browser that way.

Two mechanisms close it for every page, whatever the template:

* every plain-text value in a page's template context is replaced by its
  escaped `Markup` just before the page is rendered: templates that print it
  raw now print text, and templates that escape it (`|e`) leave `Markup` alone;
* the search index is written with the text the search page displays as HTML
  (section titles, object names) with `<` and `>` escaped, and read back
  unescaped, so incremental builds never escape twice. Without `<` no tag can
  be made; `&` is left alone so that a search for "salt & pepper" still
  matches that heading (an entity shows as its character, never as markup).
"""

from __future__ import annotations

from html import escape
from typing import IO, Any

from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.search import js_index

#: Template context values that hold plain text from the book (headings, _config.yml)
#: and that themes print without escaping.
PLAIN_TEXT_KEYS = ("pagetitle", "root_title", "docstitle", "shorttitle", "project", "author",
                   "copyright", "page_description", "last_updated", "theme_search_bar_text")


def inert_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    """Escape plain text in the page context (runs after the theme has added its own)."""
    for key in PLAIN_TEXT_KEYS:
        value = context.get(key)
        if isinstance(value, str) and not isinstance(value, Markup):
            context[key] = Markup(escape(value))
    logo = context.get("theme_logo")
    if isinstance(logo, dict) and isinstance(logo.get("text"), str):
        # The navbar prints the logo text raw; a copy, the theme's own dict is shared.
        context["theme_logo"] = {**logo, "text": Markup(escape(logo["text"]))}


def _escape_tags(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _unescape_tags(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">")


def _map_titles(data: dict[str, Any], convert: Any) -> dict[str, Any]:
    """Apply `convert` to every text the search page inserts as HTML.

    Two titles that convert to the same text (`a<b`, `a&lt;b`) keep both entries.
    """
    titles = data.get("alltitles")
    if isinstance(titles, dict):
        merged: dict[str, list[Any]] = {}
        for title, where in titles.items():
            merged.setdefault(convert(title), []).extend(where)
        data["alltitles"] = merged
    objects = data.get("objects")
    if isinstance(objects, dict):
        # {prefix: [[doc, type, prio, anchor, name], ...]}; the page shows prefix.name.
        named: dict[str, list[Any]] = {}
        for prefix, entries in objects.items():
            named.setdefault(convert(prefix), []).extend(
                [*entry[:4], convert(entry[4]), *entry[5:]]
                if isinstance(entry, list | tuple) and len(entry) >= 5
                and isinstance(entry[4], str) else entry
                for entry in entries)
        data["objects"] = named
    return data


class InertSearchIndex:
    """Sphinx's `searchindex.js` format with displayed text escaped.

    Page titles (`titles`) are already rendered HTML; section titles
    (`alltitles`) and object names are plain text that `searchtools.js` puts
    into the results with `innerHTML`.
    """

    PREFIX = js_index.PREFIX
    SUFFIX = js_index.SUFFIX

    def dumps(self, data: Any) -> str:
        if isinstance(data, dict):
            data = _map_titles(dict(data), _escape_tags)
        return str(js_index.dumps(data))

    def loads(self, s: str) -> Any:
        data = js_index.loads(s)
        if isinstance(data, dict):
            data = _map_titles(data, _unescape_tags)
        return data

    def dump(self, data: Any, f: IO[str]) -> None:
        f.write(self.dumps(data))

    def load(self, f: IO[str]) -> Any:
        return self.loads(f.read())


def _inert_search_index(app: Sphinx) -> None:
    if isinstance(app.builder, StandaloneHTMLBuilder):
        app.builder.indexer_format = InertSearchIndex()
        app.builder.indexer_dumps_unicode = True


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _inert_search_index)
    # After the themes (priority 500) have put their own plain text into the context.
    app.connect("html-page-context", inert_context, priority=900)

