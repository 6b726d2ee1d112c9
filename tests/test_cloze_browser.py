"""The cloze item of lesson 01 in real Chromium: keyboard alone with visible focus, labels,
per-blank marks and feedback, phone width, axe, the print view, and the notebook widget
(the same runtime, with anywidget's model played by a stand-in as in test_browser_widget)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from quizbook.bundle import make_bundle
from quizbook.load import load_quiz
from quizbook.runtime.build import stylesheet, widget_module
from quizbook.sphinx.render import quiz_html
from quizbook.types import spec_of
from quizbook.types.cloze import Cloze, ClozeQuestion
from tests.browser_support import check, guarded_page, quiz_pages
from tests.conftest import ROOT
from tests.test_browser_widget import PAGE, RENDER

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUIZ = "l1-laboratory"
FIELDSET = '[data-quizbook-quiz="l1-laboratory"] [data-question-id="q15"]'
FOCUS = """() => { const el = document.activeElement; const st = getComputedStyle(el);
  return {item: el.dataset.itemId || '', tag: el.tagName.toLowerCase(),
          outline: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2,
          values: el.tagName === 'SELECT' ? Array.from(el.options).map(o => o.value) : []}; }"""
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _question() -> tuple[ClozeQuestion, Cloze]:
    quiz = load_quiz(ROOT / "quizzes" / f"{QUIZ}.yml")
    q = next(q for q in quiz.questions if isinstance(q, ClozeQuestion))
    spec = spec_of(q)
    assert isinstance(spec, Cloze)
    return q, spec


def _page(html: Path) -> Path:
    return next(path for path, ids in quiz_pages(html).items() if QUIZ in ids)


def _wrong_everywhere(fs: Any) -> None:
    q, spec = _question()
    for blank in q.blanks:
        if blank.accept is not None:
            fs.locator(f'input[data-item-id="{blank.id}"]').fill("zz not it")
        else:
            key = spec.right_choice(q, blank)
            fs.locator(f'select[data-item-id="{blank.id}"]').select_option(
                next(c for c, _, _ in spec.choices(q, blank) if c != key))


def test_cloze_by_keyboard_alone(student_book_html: Path, browser: Any) -> None:
    q, spec = _question()
    with guarded_page(browser) as (page, guard):
        page.goto(_page(student_book_html).as_uri())
        fs = page.locator(FIELDSET)
        # Every control has its own label, named after its blank's number in the passage.
        for n, blank in enumerate(q.blanks, 1):
            control = fs.locator(f'[data-item-id="{blank.id}"]')
            assert fs.locator(f'label[for="{control.get_attribute("id")}"]').inner_text() == \
                f"Blank {n}"
        assert fs.locator(".qb-passage .qb-gap").count() == len(q.blanks)
        fs.locator("select").first.focus()
        page.keyboard.press("Shift+Tab")
        for blank in q.blanks:
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS)
            assert focus["item"] == blank.id and focus["outline"], focus
            if blank.accept is not None:
                page.keyboard.type(blank.accept[-1].upper() + ".")
            else:
                steps = focus["values"].index(spec.right_choice(q, blank))
                for _ in range(steps):
                    page.keyboard.press("ArrowDown")
        check_button = page.locator(f'[data-quizbook-quiz="{QUIZ}"] '
                                    '[data-quizbook-action="check"]')
        check_button.focus()
        page.keyboard.press("Enter")
        assert fs.locator(".qb-right").count() == len(q.blanks)
        assert fs.locator(".qb-wrong").count() == 0
        assert "qb-done" in (fs.get_attribute("class") or "")
        assert "Each partner's means covered" in fs.locator(".qb-expl").inner_text()
        guard.check()


def test_wrong_blanks_get_their_feedback_beside_them_and_axe_is_clean(
        student_book_html: Path, browser: Any, http_server: Any) -> None:
    q, _ = _question()
    base = http_server(student_book_html)
    path = _page(student_book_html)
    with guarded_page(browser) as (page, guard):
        page.goto(base + path.relative_to(student_book_html).as_posix())
        fs = page.locator(FIELDSET)
        _wrong_everywhere(fs)
        check(page, QUIZ)
        assert fs.locator(".qb-wrong").count() == len(q.blanks)
        for blank in q.blanks:
            beside = fs.locator(f'[data-part="{blank.id}"] .qb-ofb')
            assert beside.count() == 1, blank.id
            assert beside.inner_text().strip()[:20] in (blank.feedback or "").replace("'", "’") \
                or beside.inner_text().strip()[:10] in (blank.feedback or ""), blank.id
        assert "Reread the two long sentences" in fs.locator(".qb-fb").inner_text()
        result = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
        assert [v["id"] for v in result.response["violations"]] == []
        guard.check()


def test_cloze_at_phone_width(student_book_html: Path, browser: Any) -> None:
    q, _ = _question()
    with guarded_page(browser, **PHONE) as (page, guard):
        page.goto(_page(student_book_html).as_uri())
        fs = page.locator(FIELDSET)
        fs.scroll_into_view_if_needed()
        boxes = page.evaluate("""(sel) => Array.from(document.querySelectorAll(
            sel + ' .qb-passage, ' + sel + ' .qb-row, ' + sel + ' select, ' + sel + ' input'))
            .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })""",
                              FIELDSET)
        assert len(boxes) == 1 + 2 * len(q.blanks)
        assert all(left >= 0 and right <= 390 for left, right in boxes), boxes
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        _wrong_everywhere(fs)
        check(page, QUIZ)
        assert fs.locator(".qb-wrong").count() == len(q.blanks)
        guard.check()


def test_the_print_view_lists_each_drop_downs_choices(student_book_html: Path,
                                                       browser: Any) -> None:
    q, spec = _question()
    with guarded_page(browser) as (page, guard):
        page.goto(_page(student_book_html).as_uri())
        fs = page.locator(FIELDSET)
        lists = fs.locator(".qb-choices")
        assert not lists.first.is_visible()  # on screen the selects show them
        page.emulate_media(media="print")
        chosen = [b for b in q.blanks if b.accept is None]
        assert lists.count() == len(chosen)
        for n, blank in enumerate(chosen):
            assert lists.nth(n).is_visible()
            assert lists.nth(n).locator("li").all_inner_texts() == \
                [text for _, text, _ in spec.choices(q, blank)]
        guard.check()


@pytest.fixture
def widget_page(browser: Any, http_server: Any, tmp_path: Path) -> Iterator[Any]:
    (tmp_path / "runtime.mjs").write_text(widget_module(), encoding="utf-8")
    (tmp_path / "runtime.css").write_text(stylesheet(), encoding="utf-8")
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    quiz = load_quiz(ROOT / "quizzes" / f"{QUIZ}.yml")
    with guarded_page(browser) as (page, guard):
        page.goto(http_server(tmp_path) + "index.html")
        page.evaluate(RENDER, {"markup": quiz_html(make_bundle(quiz), 3), "record": "",
                               "student": "", "notice": ""})
        yield page
        guard.check()


def test_the_notebook_widget_grades_the_cloze(widget_page: Any) -> None:
    q, spec = _question()
    page = widget_page
    fs = page.locator("#output").locator(FIELDSET)
    right = {b.id: (b.accept[0] if b.accept is not None else spec.right_choice(q, b))
             for b in q.blanks}
    first, *others = q.blanks
    for blank in others:
        control = fs.locator(f'[data-item-id="{blank.id}"]')
        if blank.accept is not None:
            control.fill(right[blank.id])
        else:
            control.select_option(right[blank.id])
    check(page, QUIZ)
    # The first blank left empty: the others are right, marked one by one.
    assert fs.locator(".qb-right").count() == len(others)
    assert fs.locator(f'[data-part="{first.id}"].qb-wrong').count() == 1
    score = page.locator(f'[data-quizbook-quiz="{QUIZ}"] [data-quizbook-score]')
    # The score shows two decimals (formatPoints): 2 of 3 blanks of 1 point.
    assert score.get_attribute("data-score") == \
        f"{round(q.points * len(others) / len(q.blanks), 2):g}"
    # The answers are kept in the widget's record (the kernel writes it to disk).
    assert '"q15"' in page.evaluate("window.model.state.record")
