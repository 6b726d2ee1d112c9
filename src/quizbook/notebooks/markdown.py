"""Markdown text for Jupyter: escaping, code spans, links and block layout.

Text from the doctree is plain text: everything Markdown (or Jupyter's `$` math)
would read as markup is escaped, and `<`/`&` become entities, so no text of a
lesson turns into HTML, emphasis or math in a notebook.
"""

from __future__ import annotations

import html
import re

_ESCAPES = str.maketrans({
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|",
    "$": "\\$", "~": "\\~", "<": "&lt;", ">": "&gt;", "&": "&amp;",
})
#: What would start a heading, list, quote or thematic break at the start of a paragraph.
_BLOCK_START = re.compile(r"^(#|[-+=]|\d{1,9}(?=[.)]))")
_TAG = re.compile(r"(<[^<>]*>)")
_SAFE_URL = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)


def text(value: str) -> str:
    """Plain text as Markdown that shows exactly that text (line breaks become spaces)."""
    return " ".join(value.split("\n")).translate(_ESCAPES)


def html_text(value: str) -> str:
    """Safe inline HTML (quiz text rendered by `quizbook.markup`) for a Markdown cell: the
    tags stay, the text between them is escaped for Markdown (it is already HTML-escaped)."""
    parts = _TAG.split(value)
    return "".join(part if n % 2 else part.translate(_ESCAPES | {ord("<"): "<", ord(">"): ">",
                                                                  ord("&"): "&"})
                   for n, part in enumerate(parts)).replace("\n", " ")


def guard_start(line: str) -> str:
    """A paragraph whose text starts like a heading or a list marker stays a paragraph."""
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit()
                            else "\\" + m.group(1), line, count=1)


def code_span(value: str) -> str:
    value = " ".join(value.split("\n"))
    runs = [len(r) for r in re.findall(r"`+", value)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if value.startswith(("`", " ")) or value.endswith(("`", " ")) else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def code_block(value: str, language: str = "") -> str:
    runs = [len(r) for r in re.findall(r"^`{3,}", value, re.MULTILINE)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    lang = language if re.fullmatch(r"[\w+#.-]+", language or "") else ""
    return f"{fence}{lang}\n{value.rstrip()}\n{fence}"


def is_safe_url(url: str) -> bool:
    """Links a notebook may follow: web, mail and anchors in the notebook itself."""
    return bool(_SAFE_URL.match(url.strip()))


def link(label: str, url: str) -> str:
    target = url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29") \
        .replace("<", "%3C").replace(">", "%3E")
    return f"[{label}]({target})"


def anchor(name: str) -> str:
    return f'<a id="{html.escape(name, quote=True)}"></a>'


def emphasis(inner: str, mark: str) -> str:
    """`*inner*` with the spaces at its edges moved outside (CommonMark needs that)."""
    stripped = inner.strip()
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def indent(block: str, first: str, rest: str) -> str:
    """Prefix the first line of a block with `first` and the others with `rest`."""
    lines = block.split("\n")
    out = [first + lines[0]]
    out += [(rest + line) if line.strip() else rest.rstrip() for line in lines[1:]]
    return "\n".join(out)


def quote(block: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in block.split("\n"))


def table(rows: list[list[str]], header: list[str] | None) -> str:
    width = max([len(r) for r in rows] + [len(header or [])] + [1])
    head = (header or []) + [""] * (width - len(header or []))
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * width]
    for row in rows:
        cells = row + [""] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
