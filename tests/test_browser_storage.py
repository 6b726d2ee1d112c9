"""Saved results in the browser: recovery from bad records, the progress page, downloads, notes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quizbook.results import parse_results
from tests.browser_support import (
    answer_quiz,
    book_quizzes,
    check,
    guarded_page,
    quiz_pages,
    score_of,
)
from tests.conftest import MINIMAL_BOOK

pytestmark = pytest.mark.browser

QUIZ = "m1-all-types"
KEY = f"quizbook:v1:quiz:{QUIZ}"


def _lesson(html: Path) -> Path:
    return next(p for p, ids in quiz_pages(html).items() if QUIZ in ids)


@pytest.mark.parametrize("bad", ["{not json", '{"v": 2}', '{"v": 1, "version": "000000000000", '
                                 '"attempts": 3, "responses": {}, "outcomes": {}}', "null", "[]"])
def test_a_corrupt_or_old_record_is_set_aside(minimal_book_html: Path, browser: Any,
                                              bad: str) -> None:
    quiz = book_quizzes(MINIMAL_BOOK)[QUIZ]
    with guarded_page(browser) as (page, guard):
        page.goto(_lesson(minimal_book_html).as_uri())
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [KEY, bad])
        page.reload()
        status = page.locator(f'[data-quizbook-quiz="{QUIZ}"] .qb-status').inner_text()
        assert "starts fresh" in status
        assert page.evaluate("k => localStorage.getItem(k + ':stale')", KEY) == bad
        assert page.evaluate("k => localStorage.getItem(k)", KEY) is None
        answer_quiz(page, quiz, correct=True)
        check(page, QUIZ)
        assert score_of(page, QUIZ)[0] == quiz.max_points
        record = json.loads(page.evaluate("k => localStorage.getItem(k)", KEY))
        assert record["v"] == 1 and record["attempts"] == 1
        assert set(record["outcomes"]) == {q.id for q in quiz.questions}
        guard.check()


def test_progress_page_and_downloads(minimal_book_html: Path, browser: Any, tmp_path: Path) -> None:
    quiz = book_quizzes(MINIMAL_BOOK)[QUIZ]
    with guarded_page(browser, accept_downloads=True) as (page, guard):
        page.goto(_lesson(minimal_book_html).as_uri())
        root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
        root.locator('[data-quizbook-action="download"]').click()
        assert "no results to download yet" in root.locator(".qb-status").inner_text()
        answer_quiz(page, quiz, correct=False)
        check(page, QUIZ)
        answer_quiz(page, quiz, correct=True)
        check(page, QUIZ)
        root.locator("[data-quizbook-student]").fill("Ada Student")
        with page.expect_download() as info:
            root.locator('[data-quizbook-action="download"]').click()
        one = tmp_path / "one.json"
        info.value.save_as(one)
        results = parse_results(one.read_bytes(), "one.json")
        assert results.student == "Ada Student" and results.source == "book"
        [qr] = results.quizzes
        assert (qr.quiz, qr.lesson, qr.score, qr.max, qr.attempts) == \
            (QUIZ, quiz.lesson, quiz.max_points, quiz.max_points, 2)
        assert [q.id for q in qr.questions] == [q.id for q in quiz.questions]
        assert all(q.correct and q.attempts == 2 for q in qr.questions)
        assert qr.first_attempt <= qr.last_attempt

        # The record this page saved, before leaving it: the progress page reads only that.
        saved = json.loads(page.evaluate("k => localStorage.getItem(k)", KEY))
        assert saved["attempts"] == 2, saved
        page.goto((minimal_book_html / "progress.html").as_uri())
        row = page.locator(f'[data-progress-quiz="{QUIZ}"]')
        row.locator("td").first.filter(has_not_text="not checked yet").wait_for()
        cells = row.locator("td").all_inner_texts()
        assert cells[:3] == [f"{quiz.max_points:g} / {quiz.max_points:g}", "passed", "2"]
        assert row.locator("a").get_attribute("href").endswith("lessons/01-minimal.html")
        assert page.locator("[data-quizbook-student]").input_value() == "Ada Student"
        with page.expect_download() as info:
            page.locator('[data-quizbook-action="download-all"]').click()
        everything = tmp_path / "all.json"
        info.value.save_as(everything)
        all_results = parse_results(everything.read_bytes(), "all.json")
        assert [q.quiz for q in all_results.quizzes] == [QUIZ]
        assert all_results.quizzes[0].score == quiz.max_points
        guard.check()


def test_progress_page_without_results(minimal_book_html: Path, browser: Any) -> None:
    with guarded_page(browser) as (page, guard):
        page.goto((minimal_book_html / "progress.html").as_uri())
        assert page.locator(f'[data-progress-quiz="{QUIZ}"] td').first.inner_text() == \
            "not checked yet"
        page.locator('[data-quizbook-action="download-all"]').click()
        assert "No quiz has been checked" in page.locator(".qb-progress .qb-status").inner_text()
        guard.check()


def test_discussion_notes_survive_a_reload(minimal_book_html: Path, browser: Any) -> None:
    with guarded_page(browser) as (page, guard):
        page.goto(_lesson(minimal_book_html).as_uri())
        notes = page.locator("[data-quizbook-discussion] textarea")
        notes.fill("Cost and risk: no ground troops.")
        page.reload()
        assert notes.input_value() == "Cost and risk: no ground troops."
        key = notes.get_attribute("data-quizbook-notes")
        assert page.evaluate("k => localStorage.getItem(k)", key) == \
            "Cost and risk: no ground troops."
        guard.check()


def test_retry_clears_only_wrong_answers(minimal_book_html: Path, browser: Any) -> None:
    quiz = book_quizzes(MINIMAL_BOOK)[QUIZ]
    with guarded_page(browser) as (page, guard):
        page.goto(_lesson(minimal_book_html).as_uri())
        answer_quiz(page, quiz, correct=True)
        root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
        root.locator('[data-question-id="q4"] input').fill("wrong answer")
        check(page, QUIZ)
        assert score_of(page, QUIZ)[0] == quiz.max_points - 1
        root.locator('[data-quizbook-action="retry"]').click()
        assert root.locator('[data-question-id="q4"] input').input_value() == ""
        assert page.evaluate("document.activeElement.closest('[data-question-id]').dataset"
                             ".questionId") == "q4"
        assert root.locator('[data-question-id="q1"] input[value="b"]').is_checked()
        assert root.locator(".qb-done").count() == len(quiz.questions) - 1
        guard.check()
