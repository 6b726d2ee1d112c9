"""Drive the real book in headless Chromium: every question of every lesson, right and wrong.

Runs from file:// and from a local web server; every page is guarded: a request to
another host or a JS console error fails the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import (
    answer_quiz,
    book_quizzes,
    check,
    guarded_page,
    quiz_pages,
    score_of,
)
from tests.conftest import MINIMAL_BOOK, ROOT

pytestmark = pytest.mark.browser

BOOKS = {"minimal": (MINIMAL_BOOK, "minimal_book_html"), "student": (ROOT, "student_book_html")}


def _book(request: pytest.FixtureRequest, name: str) -> tuple[Path, Path]:
    source, fixture = BOOKS[name]
    return source, request.getfixturevalue(fixture)


def _url(html: Path, page: Path, how: str, http_server: Any) -> str:
    if how == "file":
        return page.as_uri()
    return http_server(html) + page.relative_to(html).as_posix()


@pytest.mark.slow  # the build fixture is asked for by name: not seen at collection
@pytest.mark.parametrize("how", ["file", "http"])
@pytest.mark.parametrize("book", ["minimal", "student"])
def test_every_question_right_then_wrong_then_reload(request: pytest.FixtureRequest, browser: Any,
                                                     http_server: Any, book: str, how: str) -> None:
    source, html = _book(request, book)
    quizzes = book_quizzes(source)
    pages = quiz_pages(html)
    assert pages, "the book has no quiz"
    assert {q for ids in pages.values() for q in ids} == set(quizzes), \
        "every quiz file is on a page, and every page quiz has a file"
    for page_path, ids in pages.items():
        url = _url(html, page_path, how, http_server)
        with guarded_page(browser) as (page, guard):
            page.goto(url)
            for qid in ids:
                quiz = quizzes[qid]
                # Wrong first: feedback shown, not full score, no question fully right.
                answer_quiz(page, quiz, correct=False)
                check(page, qid)
                score, top, text = score_of(page, qid)
                assert top == quiz.max_points and score < top, (qid, score, text)
                root = page.locator(f'[data-quizbook-quiz="{qid}"]')
                assert root.locator(".qb-fb .qb-verdict").count() == len(quiz.questions)
                assert root.locator(".qb-mark", has_text="not right").count() >= 1
                assert root.locator(".qb-done").count() == 0
                # Then right: full score, text "N / N".
                answer_quiz(page, quiz, correct=True)
                check(page, qid)
                score, top, text = score_of(page, qid)
                assert score == top == quiz.max_points, (qid, score, top)
                assert text == f"{top:g} / {top:g}"
                assert root.locator(".qb-done").count() == len(quiz.questions)
                assert "All right" in root.locator(".qb-status").inner_text()
            # A reload keeps results and answers.
            page.reload()
            for qid in ids:
                quiz = quizzes[qid]
                score, top, text = score_of(page, qid)
                assert score == top == quiz.max_points, f"{qid} lost its result on reload"
                root = page.locator(f'[data-quizbook-quiz="{qid}"]')
                assert root.locator(".qb-done").count() == len(quiz.questions)
                assert "saved answers are back" in root.locator(".qb-status").inner_text()
            guard.check()


#: What a quiz shows, read from the page as a screenshot shows it: each question's box,
#: how many feedback lines are visible, whether the buttons show, and how wide the page is.
LAYOUT = """quiz => {
  const root = document.querySelector(`[data-quizbook-quiz="${quiz}"]`);
  const box = el => { const r = el.getBoundingClientRect(), y = window.scrollY;
                      return [r.left, r.top + y, r.right, r.bottom + y]; };
  const shown = el => el.getClientRects().length > 0
                      && getComputedStyle(el).visibility !== "hidden";
  return {
    questions: [...root.querySelectorAll("[data-question-id]")].filter(shown).map(box),
    controls: [...root.querySelectorAll("input, select, textarea")].filter(shown).map(box),
    feedback: [...root.querySelectorAll(".qb-fb")].filter(el => shown(el)
                                                             && el.textContent.trim()).length,
    buttons: [...root.querySelectorAll("[data-quizbook-action]")].filter(shown).length,
    width: document.documentElement.clientWidth,
  };
}"""


def _overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _check_layout(page: Any, quiz: Any, state: str) -> dict[str, Any]:
    """Every question shows, no two overlap, no control is cut off at the page's edge."""
    seen: dict[str, Any] = page.evaluate(LAYOUT, quiz.id)
    boxes = seen["questions"]
    assert len(boxes) == len(quiz.questions), state
    assert all(b[2] > b[0] and b[3] > b[1] for b in boxes), state
    assert not any(_overlaps(a, b) for n, a in enumerate(boxes) for b in boxes[n + 1:]), state
    assert seen["controls"] and all(c[0] >= 0 and c[2] <= seen["width"]
                                    for c in seen["controls"]), state
    return seen


def test_screenshots_of_one_lesson(student_book_html: Path, browser: Any, artifacts: Path) -> None:
    """Screenshots of a real lesson (fresh, wrong, right, print) for a person to look at,
    each checked for what it shows: every question, none overlapping another, no control
    cut off; feedback only after a check; the score; no buttons on paper."""
    quizzes = book_quizzes(ROOT)
    page_path, ids = sorted(quiz_pages(student_book_html).items())[1]
    quiz = quizzes[ids[0]]
    with guarded_page(browser, viewport={"width": 1100, "height": 900}) as (page, guard):
        page.goto(page_path.as_uri())
        page.screenshot(path=str(artifacts / "lesson-fresh.png"), full_page=True)
        fresh = _check_layout(page, quiz, "fresh")
        assert fresh["feedback"] == 0 and fresh["buttons"] >= 1
        answer_quiz(page, quiz, correct=False)
        check(page, ids[0])
        page.screenshot(path=str(artifacts / "lesson-wrong.png"), full_page=True)
        wrong = _check_layout(page, quiz, "wrong")
        assert wrong["feedback"] == len(quiz.questions)
        score, top, _ = score_of(page, ids[0])
        assert score < top
        answer_quiz(page, quiz, correct=True)
        check(page, ids[0])
        page.screenshot(path=str(artifacts / "lesson-right.png"), full_page=True)
        _check_layout(page, quiz, "right")
        score, top, text = score_of(page, ids[0])
        assert score == top and text == f"{top:g} / {top:g}"
        page.emulate_media(media="print")
        page.screenshot(path=str(artifacts / "lesson-print.png"), full_page=True)
        printed = _check_layout(page, quiz, "print")
        assert printed["feedback"] == 0 and printed["buttons"] == 0
        guard.check()
