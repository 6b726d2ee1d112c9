"""Drive the real book in headless Chromium: every question of every lesson, right and wrong.

Runs from file:// and from a local web server; every page is guarded: a request to
another host or a JS console error fails the test.
"""

from __future__ import annotations

import shutil
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


# --- The marking part: loaded when a quiz is first used (quizbook.runtime.build) ----------

MINIMAL_LESSON = "lessons/01-minimal.html"
MARKING = "**/quizbook-marking-*.js"


def _marking_requests(requests: list[str]) -> list[str]:
    return [url for url in requests if "/_static/quizbook-marking-" in url]


def _ready(page: Any) -> None:
    page.wait_for_function("performance.getEntriesByName('quizbook:ready').length > 0")


def _saved(page: Any, quiz_id: str) -> Any:
    return page.evaluate(f"JSON.parse(localStorage.getItem('quizbook:v1:quiz:{quiz_id}'))")


@pytest.mark.parametrize("how", ["file-offline", "http"])
def test_the_marking_part_loads_at_first_use(minimal_book_html: Path, browser: Any,
                                             http_server: Any, how: str) -> None:
    """A quiz is usable before its marking code is there; the page asks for it (once) when the
    student first uses a quiz, and Check grades with it: from file:// with the browser offline,
    and from a web server."""
    [quiz] = book_quizzes(MINIMAL_BOOK).values()
    page_path = minimal_book_html / MINIMAL_LESSON
    url = page_path.as_uri() if how == "file-offline" else _url(minimal_book_html, page_path,
                                                                "http", http_server)
    with guarded_page(browser, offline=how == "file-offline") as (page, guard):
        page.goto(url)
        _ready(page)
        page.wait_for_load_state("load")
        assert _marking_requests(guard.requests) == []
        assert any("/_static/quizbook-" in u for u in guard.requests)
        answer_quiz(page, quiz, correct=True)
        check(page, quiz.id)
        score, top, _ = score_of(page, quiz.id)
        assert score == top == quiz.max_points
        [marking] = _marking_requests(guard.requests)
        assert marking.startswith("file://" if how == "file-offline" else "http://127.0.0.1:")
        answer_quiz(page, quiz, correct=False)
        check(page, quiz.id)
        assert score_of(page, quiz.id)[0] < quiz.max_points
        assert len(_marking_requests(guard.requests)) == 1
        guard.check()


def test_a_check_before_the_marking_part_arrives_grades_once(minimal_book_html: Path,
                                                            browser: Any, http_server: Any) -> None:
    """The student clicks Check (twice) while the marking part is still on its way: the quiz
    says it is busy, then grades exactly once when the part arrives."""
    [quiz] = book_quizzes(MINIMAL_BOOK).values()
    url = _url(minimal_book_html, minimal_book_html / MINIMAL_LESSON, "http", http_server)
    with guarded_page(browser) as (page, guard):
        held: list[Any] = []
        page.route(MARKING, lambda route: held.append(route))
        page.goto(url)
        _ready(page)
        answer_quiz(page, quiz, correct=True)
        root = page.locator(f'[data-quizbook-quiz="{quiz.id}"]')
        button = root.locator('[data-quizbook-action="check"]')
        button.click()
        button.click()
        assert len(held) == 1
        assert root.get_attribute("aria-busy") == "true"
        assert score_of(page, quiz.id)[0] == 0 and _saved(page, quiz.id) is None
        assert root.locator(".qb-verdict").count() == 0
        held[0].continue_()
        root.locator(":scope:not([aria-busy])").wait_for()
        assert score_of(page, quiz.id)[0] == quiz.max_points
        record = _saved(page, quiz.id)
        assert record["attempts"] == 1
        assert {o["attempts"] for o in record["outcomes"].values()} == {1}
        assert root.locator(".qb-status").inner_text().startswith("Checked: ")
        assert root.locator(".qb-verdict").count() == len(quiz.questions)
        guard.check()


def _unloadable(page: Any, quiz: Any) -> None:
    """Check with a marking part that cannot load: a clear message, nothing graded or saved,
    the answers still there."""
    check(page, quiz.id)
    root = page.locator(f'[data-quizbook-quiz="{quiz.id}"]')
    status = root.locator(".qb-status").inner_text()
    assert status.startswith("This page's marking script (quizbook-marking-"), status
    assert status.endswith(".js) could not be loaded: reload the page to try again. "
                           "Your answers are still here."), status
    assert score_of(page, quiz.id)[0] == 0 and _saved(page, quiz.id) is None
    assert root.locator(".qb-verdict").count() == 0
    assert root.locator("input:checked").count() > 0


def test_a_marking_part_that_cannot_load_is_said_and_tried_again(minimal_book_html: Path,
                                                                 browser: Any,
                                                                 http_server: Any) -> None:
    [quiz] = book_quizzes(MINIMAL_BOOK).values()
    url = _url(minimal_book_html, minimal_book_html / MINIMAL_LESSON, "http", http_server)
    with guarded_page(browser) as (page, guard):
        page.route(MARKING, lambda route: route.abort())
        page.goto(url)
        _ready(page)
        answer_quiz(page, quiz, correct=True)
        _unloadable(page, quiz)
        # The next Check tries again: back online, it grades.
        page.unroute(MARKING)
        check(page, quiz.id)
        assert score_of(page, quiz.id)[0] == quiz.max_points
        assert _saved(page, quiz.id)["attempts"] == 1
        assert not [e for e in guard.errors if e.startswith("uncaught")]


def test_a_missing_marking_file_is_said_from_file(minimal_book_html: Path, browser: Any,
                                                  tmp_path: Path) -> None:
    [quiz] = book_quizzes(MINIMAL_BOOK).values()
    html = tmp_path / "html"
    shutil.copytree(minimal_book_html, html)
    for part in (html / "_static").glob("quizbook-marking-*.js"):
        part.unlink()
    with guarded_page(browser) as (page, guard):
        page.goto((html / MINIMAL_LESSON).as_uri())
        _ready(page)
        answer_quiz(page, quiz, correct=True)
        _unloadable(page, quiz)
        assert not [e for e in guard.errors if e.startswith("uncaught")]
