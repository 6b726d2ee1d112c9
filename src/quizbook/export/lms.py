"""What LMS exporters share: the mapping report and the text of quiz fields.

A question type a format cannot hold is mapped to its nearest type and the
mapping is reported by name (quiz, question, from, to, why), never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from quizbook import model
from quizbook.markup import inline_html, plain_text


@dataclass(frozen=True, order=True)
class Mapping:
    """One question that a format holds only approximately."""

    fmt: str
    quiz: str
    question: str
    source_type: str
    target_type: str
    note: str

    def __str__(self) -> str:
        return (f"{self.fmt}: {self.quiz}/{self.question}: {self.source_type} -> "
                f"{self.target_type}: {self.note}")


def html(text: str | None) -> str:
    """Safe inline HTML for a quiz text field ('' for None); raw HTML stays inert."""
    return "" if text is None else inline_html(text)


def text(value: str | None) -> str:
    """The plain text of a quiz text field ('' for None), for fields that hold no markup."""
    return "" if value is None else plain_text(value)


def ordinal(n: int) -> str:
    """'1st', '2nd', ... used as the right-hand side when ordering becomes matching."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ordering_as_pairs(question: model.OrderingQuestion) -> list[tuple[str, str, str]]:
    """(item id, item text, position label) in key order: ordering as item -> position."""
    return [(item.id, item.text, f"{ordinal(n)} position")
            for n, item in enumerate(question.items, 1)]


def fmt_number(value: float) -> str:
    """Numbers as LMS importers read them: no exponent, no needless '.0'."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10f}".rstrip("0").rstrip(".")
