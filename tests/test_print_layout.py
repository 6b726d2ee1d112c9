"""The PDFs are meant for paper (issue 16 §5), checked on their extracted text (pypdf).

Reuses the planted book export (tests/planted_book.py, built once per test run): a copy of
the real book with markers in every instructor-only place. The student handout has lettered
matching choices and blanks, the figures' text versions, no web-only parts and dense pages;
no quiz title or heading ends a page; the answer-key PDF holds every key and nothing else.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from quizbook import model
from quizbook.book import open_book
from quizbook.export.answer_key import FILE_NAME, letter
from quizbook.export.lms import fmt_number
from quizbook.grade import display_order, matching_rights
from quizbook.markup import plain_text
from tests.planted_book import Planted
from tests.type_responses import KEY_TEXT

pytestmark = pytest.mark.slow

#: Lines per page of the handouts before the print layout (26 and 27 on average, over 60 and
#: 118 pages): about half of each A4 page was empty.
LINES_PER_PAGE_BEFORE = 27
#: Text of the web book that must never reach paper.
WEB_ONLY = ("kept in this browser", "Download", "My progress", "Your name", "Check answers",
            "Try again", "Checking answers needs JavaScript", "Choose…", "Working in JupyterLab")
#: Headings that would be orphaned at the foot of a page (a line of their own).
HEADINGS = ("Check your understanding", "Discussion", "The text", "Key terms",
            "Learning objectives", "Text version: the events on this timeline",
            "Text version: the places on this map")


def pages_of(path: Path) -> list[str]:
    return [unicodedata.normalize("NFKC", page.extract_text() or "")
            for page in PdfReader(path).pages]


def last_lines(path: Path) -> list[str]:
    """The last line of text of each page, by position on the page (the plain extraction
    follows drawing order, which puts a box's shaded title after the box)."""
    out = []
    for page in PdfReader(path).pages:
        lines = lines_of(unicodedata.normalize(
            "NFKC", page.extract_text(extraction_mode="layout") or ""))
        out.append(" ".join(lines[-1].split()) if lines else "")
    return out


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def lines_of(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def quizzes(planted: Planted) -> list[model.Quiz]:
    return open_book(planted.book).quizzes()


@pytest.fixture(scope="module")
def student(planted: Planted) -> list[str]:
    return pages_of(planted.book / "_build" / "export" / "student" / "pdf" /
                    "quizbook-student.pdf")


@pytest.fixture(scope="module")
def instructor(planted: Planted) -> list[str]:
    return pages_of(planted.instructor_dir / "pdf" / "quizbook-instructor.pdf")


@pytest.fixture(scope="module")
def key(planted: Planted) -> list[str]:
    return pages_of(planted.instructor_dir / "pdf" / FILE_NAME)


def test_matching_choices_are_lettered_with_a_blank_per_item(
        student: list[str], quizzes: list[model.Quiz]) -> None:
    text = "\n".join(student)
    matchings = [q for quiz in quizzes for q in quiz.questions
                 if isinstance(q, model.MatchingQuestion)]
    assert matchings
    for q in matchings:
        for n, (_, right) in enumerate(matching_rights(q)):
            start = " ".join(plain_text(right).split()[:3])
            assert re.search(rf"^{letter(n)}\. {re.escape(start)}", text, re.MULTILINE), \
                (q.id, letter(n), start)
    instruction = "Write the letter of its match in the blank before each item."
    assert flat(text).count(instruction) == len(matchings)


def test_orderings_have_a_position_blank_per_item(student: list[str],
                                                  quizzes: list[model.Quiz]) -> None:
    orderings = [q for quiz in quizzes for q in quiz.questions
                 if isinstance(q, model.OrderingQuestion)]
    assert orderings
    text = flat("\n".join(student))
    assert text.count("Write each position in the blank before its item.") == len(orderings)
    for q in orderings:  # the items in the order the handout prints them, one per line
        texts = {i.id: plain_text(i.text) for i in q.items}
        shown = " ".join(flat(texts[i]) for i in display_order(q))
        assert shown in text, q.id


def test_figure_text_versions_are_printed_open(student: list[str],
                                               instructor: list[str]) -> None:
    for pages in (student, instructor):
        text = flat("\n".join(pages))
        assert "Text version: the places on this map" in text
        assert "Aleppo (city, about 36.20° N, 37.16° E)" in text  # the map's coordinates
        assert "Text version: the events on this timeline" in text
        assert "30 Sep 2015: Russian air strikes in Syria begin" in text


def test_no_web_only_parts_on_paper(student: list[str]) -> None:
    text = flat("\n".join(student))
    found = [part for part in WEB_ONLY if part in text]
    assert found == []
    assert "Your answer" in text and "Your answer a number" not in text  # no placeholder
    assert text.startswith("Name: ____")  # the handout's own name line


def test_no_quiz_title_or_heading_ends_a_page(planted: Planted) -> None:
    student = last_lines(planted.book / "_build" / "export" / "student" / "pdf" /
                         "quizbook-student.pdf")
    instructor = last_lines(planted.instructor_dir / "pdf" / "quizbook-instructor.pdf")
    assert len(student) > 10 and len(instructor) > 10
    for name, pages in (("student", student), ("instructor", instructor)):
        for number, last in enumerate(pages[:-1], 1):
            assert not last.startswith(("Quiz:", "Answer key:")), (name, number, last)
            assert last not in HEADINGS, (name, number, last)
            assert not re.fullmatch(r"Question \d+ \(\d+ points?\):.*", last), \
                (name, number, last)


def test_pages_are_dense(student: list[str], instructor: list[str]) -> None:
    for pages in (student, instructor):
        per_page = sum(len(lines_of(p)) for p in pages) / len(pages)
        assert per_page >= 1.4 * LINES_PER_PAGE_BEFORE, per_page


def _key_text(q: model.Question) -> list[str]:
    """What the key must show for a question (plain text)."""
    if not isinstance(q, model.BuiltinQuestion):  # registered types: tests/type_responses.py
        return KEY_TEXT[q.type](q)
    if isinstance(q, model.SingleQuestion):
        return [plain_text(q.correct_option.text)]
    if isinstance(q, model.MultipleQuestion):
        return [plain_text(o.text) for o in q.options if o.correct]
    if isinstance(q, model.TrueFalseQuestion):
        return ["True" if q.answer else "False"]
    if isinstance(q, model.ShortTextQuestion):
        return [" / ".join(q.accept)]
    if isinstance(q, model.NumericQuestion):
        if q.range is not None:
            return [f"from {fmt_number(q.range[0])} to {fmt_number(q.range[1])}"]
        assert q.answer is not None
        return [fmt_number(q.answer)]
    if isinstance(q, model.OrderingQuestion):
        position = {item.id: n for n, item in enumerate(q.items, 1)}
        texts = {item.id: plain_text(item.text) for item in q.items}
        return ["; ".join(f"{position[i]} {texts[i]}" for i in display_order(q))]
    rights = [text for _, text in matching_rights(q)]
    return ["; ".join(f"{letter(rights.index(p.right))} {plain_text(p.left)}"
                      for p in q.pairs)]


def test_answer_key_pdf_holds_every_key(key: list[str], quizzes: list[model.Quiz]) -> None:
    text = flat("\n".join(key))
    assert text.startswith("Answer key: ")
    for quiz in quizzes:
        assert f"{plain_text(quiz.title)} ({fmt_number(quiz.max_points)} points)" in text
        for n, q in enumerate(quiz.questions, 1):
            parts = _key_text(q)
            assert f"{n} {flat(parts[0])}" in text, (quiz.id, q.id, parts[0])  # its number
            for part in parts[1:]:
                assert flat(part) in text, (quiz.id, q.id, part)
    # One page holds several quizzes.
    assert len(key) <= math.ceil(len(quizzes) / 2)


def test_answer_key_pdf_holds_nothing_else(key: list[str], quizzes: list[model.Quiz],
                                           planted: Planted) -> None:
    text = flat("\n".join(key))
    # No instructor note, explanation or option feedback (planted markers), but the
    # accepted answers planted in short-answer questions are keys.
    planted_here = {m for m in planted.markers if m.lower() in text.lower()}
    assert planted_here == {m for m, where in planted.markers.items()
                            if where.startswith("accepted answer")}
    for quiz in quizzes:
        for q in quiz.questions:
            assert flat(plain_text(q.prompt))[:40] not in text, (quiz.id, q.id)
            if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
                for o in q.options:  # wrong options long enough to be told apart
                    wrong = flat(plain_text(o.text))
                    if not o.correct and len(wrong) >= 25:
                        assert wrong not in text, (quiz.id, q.id, o.id)
            if isinstance(q, model.MatchingQuestion):
                for distractor in q.distractors:
                    if len(distractor) >= 25:
                        assert flat(plain_text(distractor)) not in text, (quiz.id, q.id)
    assert "Instructor note" not in text and "Why:" not in text and "Objective" not in text
