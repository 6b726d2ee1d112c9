"""Quiz text is inline Markdown. Raw HTML is never passed through: it shows as text.

Everything that reaches a page, a widget or an export goes through here, so
`<script>`, event attributes and `javascript:` links in a quiz file stay inert.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # commonmark with html disabled: "<b>" is escaped; links are checked by
    # markdown-it's validateLink, which refuses javascript:, vbscript:, file: and data:.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])
    return md


def inline_html(text: str) -> str:
    """Safe HTML for one piece of inline Markdown (no block elements, no raw HTML)."""
    html: str = _parser().renderInline(text)
    return html.strip()


@lru_cache(maxsize=8192)
def plain_text(text: str) -> str:
    """The readable text of inline Markdown, without markup (for XML exports, titles).
    Cached: the class server's live item analysis asks for the same option texts for
    every wrong answer of every student, several times a second."""
    tokens = _parser().parseInline(text)
    return "".join(_texts(tokens)).strip()


def _texts(tokens: list[Token]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if token.children:
            out.extend(_texts(token.children))
        elif token.type in {"text", "code_inline", "html_inline"}:
            out.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            out.append(" ")
    return out
