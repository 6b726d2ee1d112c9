"""Helpers for the browser tests: guarded pages and a driver that answers quizzes.

The driver knows the key from the quiz YAML (the tests are the instructor) and
works only through the DOM contract of docs/contracts.md / quizbook.sphinx.render.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizbook import model
from quizbook.grade import matching_rights
from quizbook.load import load_quiz
from tests.type_responses import ANSWER_IN_PAGE

LOCAL_PREFIXES = ("file://", "http://127.0.0.1:", "data:", "blob:", "about:")


@dataclass
class Guard:
    """Everything a page did that a clean page must not do."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.errors, f"JS console errors: {self.errors}"


@contextmanager
def guarded_page(browser: Any, **context_args: Any) -> Iterator[tuple[Any, Guard]]:
    """A page in a fresh context that records console errors and every request."""
    context = browser.new_context(**context_args)
    page = context.new_page()
    guard = Guard()

    def on_request(request: Any) -> None:
        guard.requests.append(request.url)
        if not request.url.startswith(LOCAL_PREFIXES):
            guard.foreign.append(request.url)

    page.on("request", on_request)
    page.on("console", lambda m: guard.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: guard.errors.append(f"uncaught: {e}"))
    page.on("response", lambda r: guard.errors.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    try:
        yield page, guard
    finally:
        context.close()


def book_quizzes(book_source: Path) -> dict[str, model.Quiz]:
    files = sorted((book_source / "quizzes").glob("*.yml"))
    return {q.id: q for q in (load_quiz(p) for p in files)}


def html_pages(html: Path) -> list[Path]:
    """Every page of a built book (the index redirect included)."""
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


def quiz_pages(html: Path) -> dict[Path, list[str]]:
    """page -> quiz ids on it (read from the built HTML)."""
    import re

    out: dict[Path, list[str]] = {}
    for page in html_pages(html):
        ids = re.findall(r'data-quizbook-quiz="([^"]+)"', page.read_text("utf-8"))
        if ids:
            out[page] = ids
    return out


def _numeric_value(q: model.NumericQuestion) -> float:
    low, high = q.bounds
    return (low + high) / 2


def answer_quiz(page: Any, quiz: model.Quiz, correct: bool) -> None:
    """Answer every question right (full score) or wrong (no question fully right)."""
    root = page.locator(f'[data-quizbook-quiz="{quiz.id}"]')
    for q in quiz.questions:
        fs = root.locator(f'[data-question-id="{q.id}"]')
        if isinstance(q, model.SingleQuestion):
            pick = next(o for o in q.options if o.correct == correct)
            fs.locator(f'input[value="{pick.id}"]').check()
        elif isinstance(q, model.MultipleQuestion):
            for o in q.options:
                fs.locator(f'input[value="{o.id}"]').set_checked(o.correct == correct)
        elif isinstance(q, model.TrueFalseQuestion):
            value = q.answer if correct else not q.answer
            fs.locator(f'input[value="{str(value).lower()}"]').check()
        elif isinstance(q, model.ShortTextQuestion):
            fs.locator("input").fill(q.accept[0] if correct else "zz no such answer zz")
        elif isinstance(q, model.NumericQuestion):
            value = _numeric_value(q) if correct else q.bounds[1] + 1000
            unit = f" {q.unit}" if q.unit and correct else ""
            fs.locator("input").fill(f"{value:.6f}".rstrip("0").rstrip(".") + unit)
        elif isinstance(q, model.OrderingQuestion):
            n = len(q.items)
            for pos, item in enumerate(q.items, 1):
                # Wrong: everything one place later (a cyclic shift: no item in place).
                given = pos if correct else pos % n + 1
                fs.locator(f'select[data-item-id="{item.id}"]').select_option(str(given))
        elif not isinstance(q, model.BuiltinQuestion):  # registered types: type_responses.py
            ANSWER_IN_PAGE[q.type](fs, q, correct)
        else:
            rid = {text: r for r, text in matching_rights(q)}
            for i, p in enumerate(q.pairs):
                target = p if correct else q.pairs[(i + 1) % len(q.pairs)]
                fs.locator(f'select[data-item-id="{p.id}"]').select_option(rid[target.right])


def score_of(page: Any, quiz_id: str) -> tuple[float, float, str]:
    score = page.locator(f'[data-quizbook-quiz="{quiz_id}"] [data-quizbook-score]')
    return (float(score.get_attribute("data-score")), float(score.get_attribute("data-max")),
            score.inner_text().strip())


def check(page: Any, quiz_id: str) -> None:
    """Click Check and wait until the quiz is done with it (the first Check of a book page
    may wait for the marking part: quizbook.runtime.build.marking_part)."""
    page.locator(f'[data-quizbook-quiz="{quiz_id}"] [data-quizbook-action="check"]').click()
    page.locator(f'[data-quizbook-quiz="{quiz_id}"]:not([aria-busy])').wait_for()
