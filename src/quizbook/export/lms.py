"""What LMS exporters share: question titles, the mapping report and the text of quiz fields.

A question type a format cannot hold is mapped to its nearest type and the
mapping is reported by name (quiz, question, from, to, why), never dropped.
`mappings_report` writes MAPPINGS.txt: how Canvas and Moodle really score the
files (measured by importing them into Moodle 4.5.6 and running them through
Canvas's own QTI converter), question by question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quizbook import model
from quizbook.markup import inline_html, plain_text

#: "46.2" from "46.2 The division of labor"; titles without a number use their first words.
_SECTION = re.compile(r"^\s*(\d+(?:\.\d+)*)\b")


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


def shorten(value: str, limit: int, size: Callable[[str], int] = len) -> str:
    """`value` cut to at most `limit` (as measured by `size`) at a word boundary, with '…'.

    Never cuts inside a word: a first word longer than the limit is cut and marked,
    which is the only way to stay inside the limit.
    """
    value = " ".join(value.split())
    if size(value) <= limit:
        return value
    words, kept = value.split(" "), ""
    for word in words:
        candidate = f"{kept} {word}" if kept else word
        if size(candidate + "…") > limit:
            break
        kept = candidate
    if not kept:  # one word longer than the limit
        kept = words[0]
        while kept and size(kept + "…") > limit:
            kept = kept[:-1]
    return kept.rstrip(" ,;:–-") + "…"


def quiz_label(quiz: model.Quiz) -> str:
    """The short name of a quiz in question titles: its section number ('46.2') or first words."""
    title = text(quiz.title)
    found = _SECTION.match(title)
    if found:
        return found.group(1)
    return shorten(title.split(":")[0], 24)


def question_title(quiz: model.Quiz, index: int, question: model.Question, limit: int = 100,
                   size: Callable[[str], int] = len) -> str:
    """'46.2 Q3 – Who supplied the air power?': quiz, 1-based position, the prompt's start."""
    head = f"{quiz_label(quiz)} Q{index} – "
    return head + shorten(text(question.prompt), max(8, limit - size(head)), size)


def unique_titles(quizzes: Sequence[model.Quiz], limit: int = 100,
                  size: Callable[[str], int] = len) -> dict[tuple[str, str], str]:
    """(quiz id, question id) -> a title unique across all the quizzes.

    Two quizzes with the same label (two untitled sections) are told apart by their ids.
    """
    labels = [quiz_label(q) for q in quizzes]
    titles: dict[tuple[str, str], str] = {}
    for quiz, label in zip(quizzes, labels, strict=True):
        clash = labels.count(label) > 1
        for n, question in enumerate(quiz.questions, 1):
            title = question_title(quiz, n, question, limit, size)
            if clash:
                title = f"{quiz.id} {title}"
            titles[(quiz.id, question.id)] = title
    return titles


def utf8_size(value: str) -> int:
    """Length in UTF-8 bytes: Moodle's PHP measures names with strlen()."""
    return len(value.encode("utf-8"))


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


def short_answer_text(q: model.ShortTextQuestion) -> str:
    """What Canvas and Moodle do with a short answer that the book treats more kindly."""
    if not q.normalize:
        return "the LMS trims outer spaces only (the book, for this question, too)"
    example = q.accept[0]
    return ("the LMS trims outer spaces only: the book also ignores accents, punctuation "
            f"and repeated spaces, so '{example}.' is right in the book and wrong there")


def total_points(quiz: model.Quiz) -> float:
    return sum(q.points for q in quiz.questions)


def pass_points(quiz: model.Quiz) -> float:
    """The points a student needs to pass (pass_mark x total), to 2 decimals."""
    return round(quiz.pass_mark * total_points(quiz), 2)


def pass_mark_text(quiz: model.Quiz) -> str:
    """'70 % of the points (6.3 of 9)': the pass mark as a teacher types it into an LMS."""
    return (f"{fmt_number(round(quiz.pass_mark * 100, 2))} % of the points "
            f"({fmt_number(pass_points(quiz))} of {fmt_number(total_points(quiz))})")


# What Canvas and Moodle do with every file, whatever the question (MAPPINGS.txt).
LMS_BEHAVIOUR = [
    "Short answers (Canvas and Moodle): both LMSs only trim spaces at the ends of an "
    "answer. The book also ignores accents, punctuation and repeated inner spaces, so "
    "'Zurich.' (trailing full stop), 'Zurich  airport' (two spaces) or 'Zürich' "
    "are right in the book and wrong in the LMS. Each accepted answer is listed in the "
    "file; add the variants you expect in the LMS's question editor.",
    "Case (Canvas): Canvas compares short answers without regard to case, even for a "
    "question marked case_sensitive (Moodle keeps the question's setting).",
    "Multiple answers (Canvas): Canvas gives each right option points / number of right "
    "options and takes the same amount off for each wrong pick (never below 0). Ticking "
    "every option of a 3-right/2-wrong item earns 0.333 of its points in Canvas and 0 in "
    "the book (the book takes points / number of wrong options off per wrong pick). "
    "Moodle's fractions reproduce the book's score exactly.",
    "Numbers (Canvas): Canvas refuses '20,000' (a thousands separator) in a numeric "
    "answer; students must type 20000. The book accepts both.",
    "Words beside a number (Canvas and Moodle): the book reads a question's unit and its "
    "`units` words after the number, and with `era: true` AD or CE before or after it "
    "('12 days', 'AD 2015'); any other text ('summer 2015', 'twenty thousand') is not "
    "graded in the book: the student is asked to type just the number. Canvas reads bare "
    "numbers only; Moodle reads only the question's `unit`, after the number. In both LMSs "
    "anything else is not a number and earns no points.",
    "Ordering as matching (Canvas, and Moodle with --moodle-ordering-as-matching): each "
    "item is matched to a position; giving several items the same position earns credit "
    "for the item whose position is right, where the book counts a shared position for "
    "none of them. Moodle's native ordering question (the default) cannot give two items "
    "one position.",
]

PASS_MARK_NOTE = [
    "Pass marks: Canvas classic quizzes have no passing grade. The package puts each "
    "quiz's pass mark in the quiz description (assessment_meta.xml) and in the QTI "
    "outcomes (decvar cutvalue), which Canvas does not read: to act on it, add a module "
    "requirement 'Score at least' with the points below. Moodle's 'Grade to pass' is a "
    "quiz setting, which question-bank XML cannot carry: type the points below into "
    "each Moodle quiz (Settings > Grade > Grade to pass); each question category's "
    "description repeats them.",
]


def mappings_report(mappings: Sequence[Mapping], quizzes: Sequence[model.Quiz]) -> str:
    """The text of MAPPINGS.txt: general LMS behaviour, pass marks, then question by question."""
    lines = ["How Canvas and Moodle score these files compared with the book",
             "(nothing is dropped; every difference we know of is listed)", ""]
    lines += [f"- {note}" for note in LMS_BEHAVIOUR]
    lines += [""] + [f"- {note}" for note in PASS_MARK_NOTE] + [""]
    lines += [f"  {quiz.id}: {text(quiz.title)}: pass mark {pass_mark_text(quiz)}"
              for quiz in quizzes]
    lines += ["", "Question by question:", ""]
    lines += [str(m) for m in sorted(mappings)] or ["(none)"]
    lines += ["", "Not exported to the LMS: hints to Canvas (Moodle keeps them as hints), "
              "instructor notes (they are in the instructor edition)."]
    return "\n".join(lines) + "\n"
