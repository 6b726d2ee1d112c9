"""Saved progress in the browser: corrupt, truncated, oversized, old or forged records.

quizbook.js keeps one record per quiz in localStorage (docs/contracts.md, "Browser
storage"). A record it cannot trust is set aside under `<key>:stale` (never lost,
never overwritten by a second bad record), the student sees a notice, and the quiz
works from scratch: never a crash, never a forged score on screen or in a download.
tests/test_browser_storage.py covers unparsable, other-`v` and other-version records;
this file covers records that parse but lie, and the progress page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from quizbook import model
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
NOTICE = "starts fresh"


@pytest.fixture(scope="module")
def quiz() -> model.Quiz:
    return book_quizzes(MINIMAL_BOOK)[QUIZ]


@pytest.fixture(scope="module")
def lesson(minimal_book_html: Path) -> str:
    return next(p for p, ids in quiz_pages(minimal_book_html).items() if QUIZ in ids).as_uri()


@pytest.fixture(scope="module")
def good_record(browser: Any, lesson: str, quiz: model.Quiz) -> dict[str, Any]:
    """A record the runtime itself wrote: every question answered right, one check."""
    with guarded_page(browser) as (page, guard):
        page.goto(lesson)
        answer_quiz(page, quiz, correct=True)
        check(page, QUIZ)
        record: dict[str, Any] = json.loads(page.evaluate("k => localStorage.getItem(k)", KEY))
        guard.check()
    assert record["attempts"] == 1 and set(record["outcomes"]) == {q.id for q in quiz.questions}
    return record


@pytest.fixture
def page_with(browser: Any, lesson: str) -> Iterator[Callable[[str], Any]]:
    """open(raw): a page whose saved record is `raw`, reloaded; console warnings recorded."""
    with guarded_page(browser, accept_downloads=True) as (page, guard):
        warnings: list[str] = []
        page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)

        def open_with(raw: str) -> Any:
            page.goto(lesson)
            page.evaluate("([k, v]) => { localStorage.clear(); localStorage.setItem(k, v); }",
                          [KEY, raw])
            page.reload()
            return page

        yield open_with
        assert warnings == [], warnings  # quizbook.js logs a crashed quiz as a warning
        guard.check()


def _status(page: Any) -> str:
    return str(page.locator(f'[data-quizbook-quiz="{QUIZ}"] .qb-status').inner_text())


def _stored(page: Any, key: str = KEY) -> str | None:
    value: str | None = page.evaluate("k => localStorage.getItem(k)", key)
    return value


def _works_from_scratch(page: Any, quiz: model.Quiz) -> None:
    """After a record was set aside: score 0 shown, then the quiz grades and saves normally."""
    assert score_of(page, QUIZ)[0] == 0
    answer_quiz(page, quiz, correct=True)
    check(page, QUIZ)
    assert score_of(page, QUIZ)[0] == quiz.max_points
    record = json.loads(_stored(page) or "null")
    assert record["attempts"] == 1


def _forged(good: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> str:
    record = json.loads(json.dumps(good))
    change(record)
    return json.dumps(record)


def _set(record: dict[str, Any], **values: Any) -> None:
    record.update(values)


FORGERIES: dict[str, Callable[[dict[str, Any]], None]] = {
    "points above the question's maximum":
        lambda r: r["outcomes"]["q1"].update(points=999),
    "negative points": lambda r: r["outcomes"]["q1"].update(points=-1),
    "points NaN-like text": lambda r: r["outcomes"]["q1"].update(points="1"),
    "outcomes worth more than the quiz":
        lambda r: r["outcomes"].update({f"x{n}": {"points": 50, "max": 50, "correct": True,
                                                  "attempts": 1} for n in range(5)}),
    "an outcome that is null": lambda r: r["outcomes"].update(q1=None),
    "an outcome that is text": lambda r: r["outcomes"].update(q1="full marks"),
    "correct not a boolean": lambda r: r["outcomes"]["q1"].update(correct="yes"),
    "negative attempts": lambda r: _set(r, attempts=-4),
    "attempts as text": lambda r: _set(r, attempts="3"),
    "no last date": lambda r: r.pop("last"),
    "a last date that is not a date": lambda r: _set(r, last="yesterday"),
    "responses not a mapping": lambda r: _set(r, responses=["b"]),
    "oversized": lambda r: r["responses"].update(padding="x" * 300_000),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_untrustworthy_record_is_set_aside_with_a_notice(
        page_with: Callable[[str], Any], good_record: dict[str, Any], quiz: model.Quiz,
        name: str) -> None:
    raw = _forged(good_record, FORGERIES[name])
    page = page_with(raw)
    assert NOTICE in _status(page), name
    assert _stored(page, f"{KEY}:stale") == raw  # kept, not lost
    assert _stored(page) is None
    _works_from_scratch(page, quiz)


def test_truncated_record_is_set_aside(page_with: Callable[[str], Any],
                                       good_record: dict[str, Any], quiz: model.Quiz) -> None:
    raw = json.dumps(good_record)
    page = page_with(raw[: len(raw) // 2])
    assert NOTICE in _status(page)
    assert _stored(page, f"{KEY}:stale") == raw[: len(raw) // 2]
    _works_from_scratch(page, quiz)


def test_a_second_bad_record_does_not_overwrite_the_first(
        page_with: Callable[[str], Any], good_record: dict[str, Any]) -> None:
    page = page_with("{first bad")
    assert _stored(page, f"{KEY}:stale") == "{first bad"
    page.evaluate("k => localStorage.setItem(k, '{second bad')", KEY)
    page.reload()
    assert NOTICE in _status(page)
    kept = page.evaluate("""k => Object.keys(localStorage).filter((x) => x.startsWith(k + ':stale'))
                              .map((x) => localStorage.getItem(x)).sort()""", KEY)
    assert kept == ["{first bad", "{second bad"]


def test_good_record_is_restored_without_a_notice(page_with: Callable[[str], Any],
                                                  good_record: dict[str, Any],
                                                  quiz: model.Quiz) -> None:
    page = page_with(json.dumps(good_record))
    assert "saved answers are back" in _status(page) and NOTICE not in _status(page)
    assert score_of(page, QUIZ)[0] == quiz.max_points
    assert _stored(page, f"{KEY}:stale") is None


def test_claimed_points_for_wrong_answers_are_not_believed(
        page_with: Callable[[str], Any], good_record: dict[str, Any], quiz: model.Quiz,
        tmp_path: Path) -> None:
    """Outcomes that look right but do not match the saved answers: the score shown and
    downloaded is what the saved answers are worth (here 0), not the claim."""
    def wrong_answers(record: dict[str, Any]) -> None:
        record["responses"] = {q.id: None for q in quiz.questions}
        record["responses"]["q1"] = "zz"  # not an option: unanswered
    page = page_with(_forged(good_record, wrong_answers))
    assert NOTICE not in _status(page)
    assert score_of(page, QUIZ)[0] == 0
    root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
    root.locator("[data-quizbook-student]").fill("Mallory")
    with page.expect_download() as info:
        root.locator('[data-quizbook-action="download"]').click()
    path = tmp_path / "r.json"
    info.value.save_as(path)
    [result] = parse_results(path.read_bytes(), "r.json").quizzes  # the gradebook accepts it
    assert result.score == 0 and all(q.points == 0 for q in result.questions)


def test_junk_responses_in_a_trusted_record_never_crash(
        page_with: Callable[[str], Any], good_record: dict[str, Any], quiz: model.Quiz) -> None:
    junk = [{"__proto__": {"x": 1}}, 12, [None, {}], "a" * 1000, True, {"m1": ["r1"]}]

    def odd(record: dict[str, Any]) -> None:
        record["responses"] = {q.id: junk[n % len(junk)] for n, q in enumerate(quiz.questions)}
    page = page_with(_forged(good_record, odd))
    assert NOTICE not in _status(page)
    assert 0 <= score_of(page, QUIZ)[0] < quiz.max_points
    answer_quiz(page, quiz, correct=True)
    check(page, QUIZ)
    assert score_of(page, QUIZ)[0] == quiz.max_points


def test_progress_page_sets_aside_with_a_notice(browser: Any, minimal_book_html: Path,
                                                good_record: dict[str, Any]) -> None:
    forged = _forged(good_record, FORGERIES["points above the question's maximum"])
    with guarded_page(browser) as (page, guard):
        page.goto((minimal_book_html / "progress.html").as_uri())
        page.evaluate("([k, v]) => { localStorage.clear(); localStorage.setItem(k, v); }",
                      [KEY, forged])
        page.reload()
        assert "set aside" in page.locator(".qb-progress .qb-status").inner_text()
        row = page.locator(f'[data-progress-quiz="{QUIZ}"] td').first.inner_text()
        assert row == "not checked yet"
        assert _stored(page, f"{KEY}:stale") == forged
        page.locator('[data-quizbook-action="download-all"]').click()
        assert "No quiz has been checked" in page.locator(".qb-progress .qb-status").inner_text()
        guard.check()


def test_hostile_notes_and_name_stay_text(page_with: Callable[[str], Any],
                                          good_record: dict[str, Any]) -> None:
    page = page_with(json.dumps(good_record))
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
    notes = page.locator("textarea[data-quizbook-notes]").first
    key = notes.get_attribute("data-quizbook-notes")
    page.evaluate("([k, v]) => { localStorage.setItem(k, v); "
                  "localStorage.setItem('quizbook:v1:student', v); }", [key, payload])
    page.reload()
    assert notes.input_value() == payload
    assert page.locator("[data-quizbook-student]").first.input_value() == payload
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src='x'], [onerror]").count() == 0
