"""The hand-in line: what students read beside every results download (book and notebooks).

Set it in the book's `_config.yml` (a Sphinx config value, so an instructor edits one line):

    sphinx:
      config:
        quizbook_hand_in: "Upload this file to the Moodle assignment 'Quiz 46' by Friday."

It is one line of inline Markdown (links and emphasis work; raw HTML shows as text), at most
`MAX_CHARS` characters. Without it the line says `DEFAULT`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup
from ruamel.yaml.error import YAMLError

from quizbook import chars
from quizbook.markup import inline_html
from quizbook.yamlsafe import TooDeep, new_yaml

CONFIG_KEY = "quizbook_hand_in"
DEFAULT = "Hand this file in the way your instructor asks."
MAX_CHARS = 300


def problem(value: Any) -> str | None:
    """Why `value` cannot be the hand-in line, or None."""
    if not isinstance(value, str):
        return f"must be text (one line), not {type(value).__name__}"
    if len(value) > MAX_CHARS:
        return f"is {len(value)} characters long; at most {MAX_CHARS} fit beside a button"
    return chars.forbidden(value, allow_layout=False)


def hand_in_html(value: str) -> Markup:
    """The line as safe HTML (quizbook.markup), the default when `value` is empty."""
    return Markup(inline_html(value.strip() or DEFAULT))


def from_book_config(path: Path) -> str:
    """The hand-in line set in the `_config.yml` of the book that holds `path` (a quiz or
    lesson file, or the book folder); "" when none is set or no config is found. A value
    that is not valid text is "" here: the book build reports it (quizbook.sphinx.downloads)."""
    for folder in [path, *path.parents][:4]:
        config = folder / "_config.yml"
        if config.is_file():
            try:
                data = new_yaml().load(config.read_text(encoding="utf-8"))
                value = data["sphinx"]["config"][CONFIG_KEY]
            except (OSError, UnicodeDecodeError, YAMLError, TooDeep, KeyError, TypeError):
                return ""  # unreadable, or no line set here
            return value if problem(value) is None else ""
    return ""
