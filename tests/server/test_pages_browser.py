"""The server's own pages in Chromium: axe-clean at desktop and phone width, joining by
keyboard alone, and a student reading a lesson of the class build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser_support import guarded_page
from tests.server.conftest import TOKEN, Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]


def violations(page: Any) -> list[str]:
    result = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]]


def join_by_keyboard(page: Any, base: str, name: str, code: str) -> None:
    page.goto(base + "/join")
    page.keyboard.press("Tab")  # skip nothing: the first control is the name field
    focused = page.evaluate("document.activeElement.id")
    while focused != "name":
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "code"
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/class")


@pytest.mark.parametrize("viewport", WIDTHS, ids=["desktop", "phone"])
def test_server_pages_are_axe_clean(minimal_class_book: Path, serve: Callable[..., Server],
                                    browser: Any, tmp_path: Path,
                                    viewport: dict[str, int]) -> None:
    server = serve(minimal_class_book, f"sqlite:///{tmp_path / 'class.db'}")
    base = server.base
    failures: dict[str, list[str]] = {}
    with guarded_page(browser, viewport=viewport) as (page, guard):
        page.goto(base + "/join")
        failures["join"] = violations(page)
        page.fill("#name", "Ada")
        page.fill("#code", "WRONG1")
        page.click("button[type=submit]")
        assert page.locator("[role=alert]").inner_text().startswith("Not joined:")
        failures["join with an error"] = violations(page)
        # The refused join answers 400, which Chromium also logs: expected here.
        guard.errors = [e for e in guard.errors if "400" not in e]
        join_by_keyboard(page, base, "Ada Lovelace", server.class_code)
        failures["class page"] = violations(page)
        assert page.locator("h1").inner_text() == "Hello, Ada Lovelace"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], "the class page scrolls sideways"
        page.click("text=Read the book and answer its quizzes")
        page.wait_for_url("**/book/intro.html")  # the book's index redirects to its root page
        page.goto(base + "/book/lessons/01-minimal.html")
        assert page.locator("[data-quizbook-quiz]").count() == 1
        guard.check()
    with guarded_page(browser, viewport=viewport) as (page, guard):
        page.goto(f"{base}/instructor?token={TOKEN}")
        page.wait_for_url("**/instructor/")
        assert TOKEN not in page.url and TOKEN not in page.content()
        failures["instructor"] = violations(page)
        page.goto(base + "/instructor/slips")
        failures["slips"] = violations(page)
        page.goto(base + "/no-such-page")
        failures["not found"] = violations(page)
        guard.errors = [e for e in guard.errors if "404" not in e]
        guard.check()
    assert {k: v for k, v in failures.items() if v} == {}
