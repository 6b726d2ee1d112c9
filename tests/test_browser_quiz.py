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


def test_screenshots_of_one_lesson(student_book_html: Path, browser: Any, artifacts: Path) -> None:
    """Screenshots of a real lesson (fresh, wrong, right, print) for a person to look at."""
    quizzes = book_quizzes(ROOT)
    page_path, ids = sorted(quiz_pages(student_book_html).items())[1]
    with guarded_page(browser, viewport={"width": 1100, "height": 900}) as (page, guard):
        page.goto(page_path.as_uri())
        page.screenshot(path=str(artifacts / "lesson-fresh.png"), full_page=True)
        answer_quiz(page, quizzes[ids[0]], correct=False)
        check(page, ids[0])
        page.screenshot(path=str(artifacts / "lesson-wrong.png"), full_page=True)
        answer_quiz(page, quizzes[ids[0]], correct=True)
        check(page, ids[0])
        page.screenshot(path=str(artifacts / "lesson-right.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(artifacts / "lesson-print.png"), full_page=True)
        guard.check()
    for name in ("fresh", "wrong", "right", "print"):
        assert (artifacts / f"lesson-{name}.png").stat().st_size > 10_000
