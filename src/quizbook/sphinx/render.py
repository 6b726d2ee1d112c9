"""HTML for a quiz, rendered at build time from the student bundle.

The markup is readable without JavaScript; the runtime (quizbook.runtime) enhances it.
It comes from Jinja2 templates in `quiz_markup/` (escaping by default; the bundle's text
fields are already safe HTML from quizbook.markup). The DOM contract (tests outside this
repo rely on it, docs/contracts.md): root `[data-quizbook-quiz]`, questions
`[data-question-id]` (a fieldset with a legend), native controls each with a `<label>`,
selects with `data-item-id`, the check button `[data-quizbook-action="check"]` and the
score `[data-quizbook-score]`. The book and the notebooks show this same markup.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from quizbook.handin import hand_in_html
from quizbook.model import QUESTION_TYPES
from quizbook.points import format_points

NOJS_NOTE = ("Checking answers needs JavaScript. You can still read the questions and "
             "work out your answers.")


def fmt_points(points: float) -> str:
    text = format_points(points)
    return f"{text} point" if points == 1 else f"{text} points"


def script_safe_json(data: Any) -> Markup:
    """`data` as compact JSON that can stand inside a `<script>` element as it is."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # "<", ">" and "&" only occur inside JSON strings, where \u003c etc. mean the same:
    # no "</script>" or "<!--" can end the block early.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("&", "\\u0026"))


def bundle_script(data: Any, attr: str = "data-quizbook-bundle") -> Markup:
    """A JSON data block: `<script type="application/json" {attr}>...</script>`."""
    html = markup_templates().get_template("json_script.html.j2").render(
        attr=attr, json=script_safe_json(data))
    return Markup(html)


@cache
def markup_templates() -> Environment:
    """The quiz and progress markup templates (`quiz_markup/`), HTML-escaping by default."""
    env = Environment(loader=PackageLoader("quizbook.sphinx", "quiz_markup"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, keep_trailing_newline=False)
    env.globals["points_text"] = fmt_points
    env.globals["positions"] = lambda n: [{"id": p, "text": p} for p in range(1, n + 1)]
    return env


def quiz_html(bundle: dict[str, Any], heading_level: int, hand_in: str = "") -> str:
    """The quiz's markup from its student bundle, for a heading of `heading_level` (2..6),
    with `hand_in` (the book's `quizbook_hand_in`, inline Markdown) beside its download.

    One template per question type (`quiz_markup/types/<type>.html.j2`) renders its
    controls; the runtime's `types/<type>.js` reads and writes them.
    """
    for question in bundle["questions"]:
        if question["type"] not in QUESTION_TYPES:
            raise ValueError(f"unknown question type {question['type']!r}")
    max_points = float(bundle["max_points"])
    exact_max = str(int(max_points)) if max_points == int(max_points) else repr(max_points)
    html = markup_templates().get_template("quiz.html.j2").render(
        quiz=bundle, level=max(2, min(6, heading_level)), bundle_script=bundle_script(bundle),
        nojs_note=NOJS_NOTE, exact_max=exact_max, shown_max=format_points(max_points),
        hand_in=hand_in_html(hand_in))
    return html.strip()
