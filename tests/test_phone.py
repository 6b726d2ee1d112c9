"""The student book on a phone (390 x 844 CSS px, touch): menu, quizzes, figures, axe.

The theme pair pinned in pyproject.toml (sphinx-book-theme 1.2.0 with
pydata-sphinx-theme 0.16.1) is the one whose primary-sidebar toggle works at this
width; with pydata-sphinx-theme 0.17 the toggle only shows its tooltip
(pydata-sphinx-theme#2451, sphinx-book-theme#988). These tests fail on that pair.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from ruamel.yaml import YAML

from quizbook import model
from tests.browser_support import book_quizzes, guarded_page, html_pages, score_of
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
#: Text smaller than this (rendered height, CSS px) is hard to read on a phone.
LEGIBLE_PX = 11.0


def _toc_pages() -> list[str]:
    """Every page of the student table of contents, as built paths ('lessons/01-x.html')."""
    toc = YAML(typ="safe").load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [entry["file"] for entry in toc["chapters"]]
    return [f"{name}.html" for name in files]


def _lessons() -> list[str]:
    return [page for page in _toc_pages() if page.startswith("lessons/")]


def _open_menu(page: Any) -> Any:
    """Tap the visible primary-sidebar toggle; return the sidebar once it is on screen."""
    toggles = page.locator(".primary-toggle")
    visible = [toggles.nth(i) for i in range(toggles.count()) if toggles.nth(i).is_visible()]
    assert len(visible) == 1, f"expected one visible menu button, found {len(visible)}"
    visible[0].tap()
    # The theme moves the sidebar's contents into a modal <dialog> on narrow screens.
    page.wait_for_function(
        """() => { const nav = document.querySelector('nav.bd-docs-nav');
                   if (!nav) return false;
                   const r = nav.getBoundingClientRect();
                   return nav.closest('dialog[open]') !== null && r.left >= 0
                          && r.right <= window.innerWidth && r.width > 200; }""",
        timeout=5000)
    return page.locator("dialog[open]").filter(has=page.locator("nav.bd-docs-nav"))


def _menu_links(sidebar: Any) -> dict[str, Any]:
    """Visible links of the menu, keyed by the page they lead to ('lessons/01-x.html')."""
    links = sidebar.locator("nav.bd-docs-nav a.reference.internal")
    out = {}
    for i in range(links.count()):
        link = links.nth(i)
        if link.is_visible():
            href = link.evaluate("a => new URL(a.href).pathname")
            out[href] = link
    return out


def _page_key(path: str, html: Path) -> str:
    return Path(path).resolve().relative_to(html.resolve()).as_posix()


def test_menu_opens_and_reaches_every_lesson(student_book_html: Path, browser: Any) -> None:
    html = student_book_html
    wanted = _toc_pages()
    assert len(_lessons()) >= 5
    with guarded_page(browser, **PHONE) as (page, guard):
        page.goto((html / "intro.html").as_uri())
        for target in _lessons():
            sidebar = _open_menu(page)
            links = {_page_key(k, html): v for k, v in _menu_links(sidebar).items()}
            assert set(wanted) <= set(links), f"menu lacks {set(wanted) - set(links)}"
            links[target].tap()
            page.wait_for_url(f"**/{target}")
            assert page.locator("article.bd-article h1").first.is_visible()
        guard.check()


def _fieldset_box(fieldset: Any) -> Any:
    return fieldset.evaluate("f => { const r = f.getBoundingClientRect(); "
                             "return {left: r.left, right: r.right, width: r.width}; }")


def test_quiz_is_usable_by_touch(student_book_html: Path, browser: Any) -> None:
    quizzes = book_quizzes(ROOT)
    lesson = "lessons/01-laboratory.html"
    with guarded_page(browser, **PHONE) as (page, guard):
        page.goto((student_book_html / lesson).as_uri())
        section = page.locator("[data-quizbook-quiz]").first
        quiz = quizzes[section.get_attribute("data-quizbook-quiz")]
        first = next(q for q in quiz.questions if isinstance(q, model.SingleQuestion))
        right = next(o for o in first.options if o.correct)
        fieldset = section.locator(f'[data-question-id="{first.id}"]')
        fieldset.scroll_into_view_if_needed()
        radio = fieldset.locator(f'input[value="{right.id}"]')
        page.locator(f'label[for="{radio.get_attribute("id")}"]').tap()
        assert radio.is_checked()
        section.locator('[data-quizbook-action="check"]').tap()
        score, maximum, _ = score_of(page, quiz.id)
        assert score == first.points and maximum == sum(q.points for q in quiz.questions)
        feedback = fieldset.locator(".qb-fb").first
        assert feedback.inner_text().strip()
        # Nothing on the page is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        guard.check()


def test_matching_and_ordering_selects_fit_the_phone(student_book_html: Path,
                                                     browser: Any) -> None:
    checked = 0
    with guarded_page(browser, **PHONE) as (page, guard):
        for lesson in _lessons():
            page.goto((student_book_html / lesson).as_uri())
            selects = page.locator('[data-type="matching"] select, [data-type="ordering"] select, '
                                   '[data-type="cloze"] select')
            for i in range(selects.count()):
                select = selects.nth(i)
                fieldset = select.locator("xpath=ancestor::fieldset[1]")
                box, outer = select.bounding_box(), _fieldset_box(fieldset)
                assert box is not None
                assert outer["left"] <= box["x"] and box["x"] + box["width"] <= outer["right"]
                assert box["x"] + box["width"] <= 390
                if fieldset.get_attribute("data-type") == "matching":
                    # The select takes the whole row, so as much of a choice shows as can.
                    assert box["width"] >= 0.8 * outer["width"], (lesson, box, outer)
                checked += 1
        guard.check()
    # Every select of the book was measured: one per matching item, ordering item and
    # drop-down blank of a cloze item.
    expected = 0
    for quiz in book_quizzes(ROOT).values():
        for q in quiz.questions:
            if isinstance(q, model.MatchingQuestion):
                expected += len(q.pairs)
            elif isinstance(q, model.OrderingQuestion):
                expected += len(q.items)
            elif q.type == "cloze":
                expected += sum(1 for b in getattr(q, "blanks", []) if b.accept is None)
    assert checked == expected and expected >= 16


def test_timeline_text_is_legible(student_book_html: Path, browser: Any) -> None:
    with guarded_page(browser, **PHONE) as (page, guard):
        page.goto((student_book_html / "lessons/01-laboratory.html").as_uri())
        svg = page.locator(".qb-figure-timeline svg").first
        svg.scroll_into_view_if_needed()
        measured = svg.evaluate(
            """s => { const r = s.getBoundingClientRect();
                      const texts = [...s.querySelectorAll('text')].map(t => {
                        const b = t.getBoundingClientRect(); const lines = Math.max(1,
                          t.querySelectorAll('tspan[dy]').length + 1);
                        return {line: b.height / lines, left: b.left, right: b.right}; });
                      return {width: r.width, left: r.left, right: r.right, texts}; }""")
        guard.check()
    assert measured["width"] <= 390 and len(measured["texts"]) >= 10
    smallest = min(t["line"] for t in measured["texts"])
    assert smallest >= LEGIBLE_PX, f"timeline text renders {smallest:.1f} px tall on a phone"
    assert all(measured["left"] - 0.5 <= t["left"] and t["right"] <= measured["right"] + 0.5
               for t in measured["texts"])


def _violations(page: Any) -> list[str]:
    result = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]]


def test_axe_zero_violations_at_phone_width(student_book_html: Path, browser: Any,
                                            http_server: Any) -> None:
    base = http_server(student_book_html)
    failures = {}
    pages = [p.relative_to(student_book_html).as_posix() for p in html_pages(student_book_html)
             if p.name != "index.html"]  # index.html only redirects to intro.html
    with guarded_page(browser, **PHONE) as (page, guard):
        for path in pages:
            page.goto(base + path)
            page.wait_for_load_state("load")
            found = _violations(page)
            if found:
                failures[path] = found
        page.goto(base + "lessons/01-laboratory.html")
        _open_menu(page)
        found = _violations(page)
        if found:
            failures["lessons/01-laboratory.html (menu open)"] = found
        guard.check()
    assert not failures, failures
