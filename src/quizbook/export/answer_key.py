"""The answer-key PDF for marking printed handouts: per quiz, each question's number, key and
points, and nothing else (no prompts, feedback or notes: those are in the instructor edition).

Keys are written as a marker reads the student handout: a matching item's key is the letter
of its choice as the handout letters them (A, B, ... in the order of
`quizbook.grade.matching_rights`, which the quiz markup shows), an ordering's key the
position of each item in the order the handout prints them (`quizbook.grade.display_order`).
The page is HTML from a Jinja2 template (`templates/answer-key.html.j2`), printed by
`quizbook.export.pdf.print_page`.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from quizbook import model
from quizbook.export.lms import fmt_number
from quizbook.grade import display_order, matching_rights
from quizbook.markup import inline_html, plain_text
from quizbook.points import format_points
from quizbook.types import spec_of

#: The file name next to the other PDFs (instructor/pdf/).
FILE_NAME = "quizbook-answer-key.pdf"


@dataclass(frozen=True)
class KeyPart:
    """One line of a key with several parts: a label (a letter or position) and its text."""

    label: str
    text: Markup


@dataclass(frozen=True)
class KeyRow:
    number: int
    points: str
    answer: Markup | None  # one-line keys
    parts: tuple[KeyPart, ...] = ()  # matching and ordering: one line per item


@dataclass(frozen=True)
class QuizKey:
    id: str
    title: str
    points: str
    rows: tuple[KeyRow, ...]


def letter(index: int) -> str:
    """The handout's letter of the index-th right-hand choice (A, B, ..., as CSS upper-alpha)."""
    return string.ascii_uppercase[index]


def _md(text: str) -> Markup:
    return Markup(inline_html(text))


def _numeric(q: model.NumericQuestion) -> Markup:
    unit = f" {q.unit}" if q.unit else ""
    if q.range is not None:
        shown = f"from {fmt_number(q.range[0])} to {fmt_number(q.range[1])}{unit}"
    else:
        assert q.answer is not None  # the model guarantees answer or range
        tolerance = f" (± {fmt_number(q.tolerance)})" if q.tolerance else ""
        shown = f"{fmt_number(q.answer)}{unit}{tolerance}"
    return escape(shown)


def key_row(number: int, q: model.Question) -> KeyRow:
    points = format_points(q.points)
    if not isinstance(q, model.BuiltinQuestion):
        return KeyRow(number, points, None, tuple(
            KeyPart(label, _md(answer)) for label, answer in spec_of(q).key_parts(q)))
    if isinstance(q, model.SingleQuestion):
        return KeyRow(number, points, _md(q.correct_option.text))
    if isinstance(q, model.MultipleQuestion):
        return KeyRow(number, points, Markup("; ").join(_md(o.text) for o in q.options
                                                        if o.correct))
    if isinstance(q, model.TrueFalseQuestion):
        return KeyRow(number, points, Markup("True" if q.answer else "False"))
    if isinstance(q, model.ShortTextQuestion):
        answer = escape(" / ".join(q.accept))
        if q.pattern:
            answer += Markup(" (or matching <code>{}</code>)").format(q.pattern)
        return KeyRow(number, points, answer)
    if isinstance(q, model.NumericQuestion):
        return KeyRow(number, points, _numeric(q))
    if isinstance(q, model.OrderingQuestion):
        position = {item.id: n for n, item in enumerate(q.items, 1)}
        texts = {item.id: item.text for item in q.items}
        return KeyRow(number, points, None, tuple(
            KeyPart(str(position[i]), _md(texts[i])) for i in display_order(q)))
    rights = [text for _, text in matching_rights(q)]
    return KeyRow(number, points, None, tuple(
        KeyPart(letter(rights.index(p.right)), _md(p.left)) for p in q.pairs))


def quiz_key(quiz: model.Quiz) -> QuizKey:
    return QuizKey(quiz.id, plain_text(quiz.title), format_points(quiz.max_points),
                   tuple(key_row(n, q) for n, q in enumerate(quiz.questions, 1)))


def _environment() -> Environment:
    return Environment(loader=PackageLoader("quizbook.export", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined)


def answer_key_html(quizzes: Sequence[model.Quiz], title: str) -> str:
    return _environment().get_template("answer-key.html.j2").render(
        title=title, quizzes=[quiz_key(q) for q in quizzes])


def book_title(book: Path) -> str:
    """The `title` of the book's `_config.yml`, or a plain name when it has none."""
    from quizbook.yamlsafe import new_yaml

    try:
        config = new_yaml().load((book / "_config.yml").read_text(encoding="utf-8"))
    except Exception:  # the builds report a broken config; the key just needs a name
        return "the book's quizzes"
    title = config.get("title") if isinstance(config, dict) else None
    return " ".join(title.split()) if isinstance(title, str) and title.strip() else \
        "the book's quizzes"


def write_answer_key_page(quizzes: Sequence[model.Quiz], title: str, folder: Path) -> Path:
    """The key's HTML page in a work folder of its own (the print server serves that folder
    only); returns the page."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "answer-key.html"
    page.write_text(answer_key_html(quizzes, title), encoding="utf-8")
    return page
