"""Accessibility in a real browser: axe on every page, keyboard alone, no JavaScript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from quizbook import model
from quizbook.grade import matching_rights
from tests.browser_support import (
    answer_quiz,
    book_quizzes,
    check,
    guarded_page,
    html_pages,
    quiz_pages,
    score_of,
)
from tests.conftest import MINIMAL_BOOK, ROOT

pytestmark = pytest.mark.browser

FOCUS_INFO = """() => {
  const el = document.activeElement;
  const fs = el && el.closest('[data-question-id]');
  const st = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id, value: el.value,
          checked: !!el.checked, item: el.dataset ? el.dataset.itemId || '' : '',
          action: el.getAttribute('data-quizbook-action') || '',
          qid: fs ? fs.getAttribute('data-question-id') : '',
          inQuiz: !!el.closest('[data-quizbook-quiz]'),
          outline: st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2,
          options: el.tagName === 'SELECT' ? Array.from(el.options).map(o => o.value) : [],
          index: el.tagName === 'SELECT' ? el.selectedIndex : -1};
}"""


def _violations(page: Any) -> list[str]:
    # preload: false stops axe fetching stylesheets itself (it resolves the theme's
    # @import "../basic.css" against the wrong base and logs a 404 of its own).
    result = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]]


# axe reads stylesheets with XHR, which file:// forbids (a console error of axe's own),
# so axe runs against the local web server; file:// is covered by test_browser_quiz.py.


@pytest.mark.slow  # the build fixture is asked for by name: not seen at collection
@pytest.mark.parametrize("fixture", ["student_book_html", "minimal_book_html"])
def test_axe_zero_violations_on_every_page(request: pytest.FixtureRequest, browser: Any,
                                           http_server: Any, fixture: str) -> None:
    html: Path = request.getfixturevalue(fixture)
    base = http_server(html)
    pages = html_pages(html)
    assert len(pages) >= 4
    failures = {}
    for path in pages:
        with guarded_page(browser) as (page, guard):
            page.goto(base + path.relative_to(html).as_posix())
            if path.name == "index.html" and path.parent == html:
                page.wait_for_url("**/intro.html")  # the redirect to the root page
            page.wait_for_load_state("load")
            found = _violations(page)
            if found:
                failures[path.relative_to(html).as_posix()] = found
            guard.check()
    assert not failures, failures


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_axe_after_feedback_in_light_and_dark(minimal_book_html: Path, browser: Any,
                                              http_server: Any, mode: str) -> None:
    quizzes = book_quizzes(MINIMAL_BOOK)
    path, ids = next(iter(quiz_pages(minimal_book_html).items()))
    with guarded_page(browser, color_scheme=mode, reduced_motion="reduce") as (page, guard):
        page.goto(http_server(minimal_book_html) + path.relative_to(minimal_book_html).as_posix())
        answer_quiz(page, quizzes[ids[0]], correct=False)
        check(page, ids[0])
        assert page.locator(".qb-mark").count() > 0
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        assert _violations(page) == []
        # Reduced motion: nothing in the quiz animates.
        durations = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.quizbook *')).map(e => getComputedStyle(e).transitionDuration)""")
        assert set(durations) <= {"0s"}
        guard.check()


def _wanted(q: model.Question) -> Any:
    if isinstance(q, model.SingleQuestion):
        return q.correct_option.id
    if isinstance(q, model.MultipleQuestion):
        return {o.id for o in q.options if o.correct}
    if isinstance(q, model.TrueFalseQuestion):
        return str(q.answer).lower()
    if isinstance(q, model.ShortTextQuestion):
        return q.accept[0]
    if isinstance(q, model.NumericQuestion):
        low, high = q.bounds
        return f"{(low + high) / 2:g}"
    if isinstance(q, model.OrderingQuestion):
        return {item.id: str(n) for n, item in enumerate(q.items, 1)}
    rid = {text: r for r, text in matching_rights(q)}
    return {p.id: rid[p.right] for p in q.pairs}


def test_keyboard_alone_completes_every_question_type(minimal_book_html: Path,
                                                       browser: Any) -> None:
    quizzes = book_quizzes(MINIMAL_BOOK)
    path, ids = next(iter(quiz_pages(minimal_book_html).items()))
    quiz = quizzes[ids[0]]
    # The built-in types; registered ones (cloze) are driven by keyboard in their own tests
    # (tests/test_cloze_browser.py), on the course page that uses them.
    assert {q.type for q in quiz.questions} == set(model.BUILTIN_TYPES)
    questions = {q.id: q for q in quiz.questions}
    kb: Any
    with guarded_page(browser) as (page, guard):
        page.goto(path.as_uri())
        kb = page.keyboard
        touched: set[str] = set()
        for _ in range(400):
            kb.press("Tab")
            f = page.evaluate(FOCUS_INFO)
            if not f["inQuiz"]:
                if touched:
                    pytest.fail(f"focus left the quiz before Check: {f}")
                continue
            assert f["outline"], f"no visible focus on {f}"
            if f["action"] == "check":
                kb.press("Enter")
                break
            if not f["qid"]:
                continue
            q, want = questions[f["qid"]], _wanted(questions[f["qid"]])
            touched.add(q.id)
            if f["type"] == "radio":
                values = page.eval_on_selector_all(
                    f'[data-question-id="{q.id}"] input[type=radio]',
                    "els => els.map(e => e.value)")
                steps = (values.index(want) - values.index(f["value"])) % len(values)
                for _ in range(steps):
                    kb.press("ArrowDown")  # moves and selects within the group
                if not steps:
                    kb.press("Space")
                root = page.locator(f'[data-quizbook-quiz="{quiz.id}"]')
                assert root.locator(".qb-verdict").count() == 0, "an arrow key submitted the quiz"
                assert page.evaluate(FOCUS_INFO)["checked"] and \
                    page.evaluate(FOCUS_INFO)["value"] == want
            elif f["type"] == "checkbox":
                if (f["value"] in want) != f["checked"]:
                    kb.press("Space")
            elif f["type"] == "text":
                kb.type(want)
            elif f["tag"] == "select":
                target = f["options"].index(want[f["item"]])
                for _ in range(target - f["index"]):
                    kb.press("ArrowDown")
                assert page.evaluate(FOCUS_INFO)["value"] == want[f["item"]]
            elif f["tag"] == "summary":
                kb.press("Enter")  # the hint opens by keyboard too
        else:
            pytest.fail("never reached the Check button by keyboard")
        assert touched == set(questions)
        score, top, text = score_of(page, quiz.id)
        assert score == top == quiz.max_points, text
        assert page.locator(".qb-hint[open]").count() >= 1
        guard.check()


def test_without_javascript_questions_are_readable(minimal_book_html: Path, browser: Any) -> None:
    path, ids = next(iter(quiz_pages(minimal_book_html).items()))
    with guarded_page(browser, java_script_enabled=False) as (page, _guard):
        page.goto(path.as_uri())
        root = page.locator(f'[data-quizbook-quiz="{ids[0]}"]')
        assert root.locator("fieldset legend").count() == 7
        assert root.locator(".qb-nojs").is_visible()
        assert "Checking answers needs JavaScript" in root.locator(".qb-nojs").inner_text()
        assert not root.locator('[data-quizbook-action="check"]').is_visible()
        assert root.locator("label", has_text="30 September 2015").is_visible()


def test_axe_on_the_real_lessons_after_checking(student_book_html: Path, browser: Any,
                                                http_server: Any) -> None:
    quizzes = book_quizzes(ROOT)
    base = http_server(student_book_html)
    for path, ids in quiz_pages(student_book_html).items():
        with guarded_page(browser) as (page, guard):
            page.goto(base + path.relative_to(student_book_html).as_posix())
            for qid in ids:
                answer_quiz(page, quizzes[qid], correct=False)
                check(page, qid)
            assert _violations(page) == [], path.name
            guard.check()
