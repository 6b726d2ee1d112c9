"""Numbers and prompt emphasis in real Chromium (issue 16 §3 and §4).

Numbers: the quiz markup and the runtime's classic script (the book's `_static/quizbook.js`)
on a page of their own, with the numeric questions of tests/fixtures/numbers.yml. A number
with an accepted word is graded; text that is not a number is not graded as wrong (the
student is told to type just the number, the question counts no attempt); the box says "a
number" and names the words it accepts. Emphasis: in the real book, a prompt's **bold** and
*italic* stand out of the prompt's own normal-weight text, in light and dark.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quizbook.bundle import make_bundle
from quizbook.grade import NOT_A_NUMBER_FEEDBACK
from quizbook.load import load_quiz
from quizbook.runtime.build import classic_script, stylesheet
from quizbook.sphinx.render import quiz_html
from tests.browser_support import check, guarded_page, quiz_pages

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "fixtures" / "numbers.yml"
QUIZ = "sample-numbers"
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Numbers</title>
<link rel="stylesheet" href="quizbook.css"><script defer src="quizbook.js"></script></head>
<body><main>{markup}</main></body></html>"""


@pytest.fixture(scope="module")
def numbers_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("numbers-page")
    (folder / "quizbook.js").write_text(classic_script(), encoding="utf-8")
    (folder / "quizbook.css").write_text(stylesheet(), encoding="utf-8")
    markup = quiz_html(make_bundle(load_quiz(FIXTURE)), 2)
    (folder / "index.html").write_text(PAGE.format(markup=markup), encoding="utf-8")
    return (folder / "index.html").as_uri()


def _type(page: Any, answers: dict[str, str]) -> None:
    for qid, text in answers.items():
        page.locator(f'[data-question-id="{qid}"] input[type=text]').fill(text)


def _verdicts(page: Any) -> dict[str, str]:
    """Per question, the paragraphs of its feedback area, joined by " | "."""
    return {qid: " | ".join(page.locator(f'[data-question-id="{qid}"] .qb-fb p').all_inner_texts())
            for qid in ("n-era", "n-units", "n-unit", "n-plain", "n-signed")}


def _record(page: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(page.evaluate(
        f"localStorage.getItem('quizbook:v1:quiz:{QUIZ}')"))
    return value


def test_words_the_quiz_allows_are_read_and_others_ask_for_the_number(
        browser: Any, numbers_page: str) -> None:
    with guarded_page(browser) as (page, guard):
        page.goto(numbers_page)
        page.wait_for_function("performance.getEntriesByName('quizbook:ready').length > 0")
        # The answers: "12 days" (days listed), "2015 AD" (era), "20,000".
        _type(page, {"n-era": "2015 AD", "n-units": "12 days", "n-unit": "20 kilometres",
                     "n-plain": "20,000", "n-signed": "-2.5 %"})
        check(page, QUIZ)
        verdicts = _verdicts(page)
        assert all(text.startswith("✓ Right.") for text in verdicts.values()), verdicts
        assert page.locator("[data-quizbook-score]").inner_text() == "5 / 5"
        # Not numbers: not graded as wrong, the student is asked for just the number.
        _type(page, {"n-era": "summer 2015", "n-units": "12 weeks", "n-unit": "twenty",
                     "n-plain": "twenty thousand", "n-signed": "-3"})
        check(page, QUIZ)
        verdicts = _verdicts(page)
        for qid in ("n-era", "n-units", "n-unit", "n-plain"):
            assert verdicts[qid] == "Not answered. 0 / 1 points. | " + NOT_A_NUMBER_FEEDBACK, qid
            assert page.locator(f'[data-question-id="{qid}"] .qb-mark').count() == 0
        assert verdicts["n-signed"].startswith("✗ Not right yet. 0 / 1 points.")
        record = _record(page)
        # Attempts count checks with a new answer: the first check counted 1 everywhere;
        # the not-a-number answers count none, the wrong number one more.
        assert {qid: o["attempts"] for qid, o in record["outcomes"].items()} == {
            "n-era": 1, "n-units": 1, "n-unit": 1, "n-plain": 1, "n-signed": 2}
        assert record["responses"]["n-era"] == "summer 2015"
        # After a reload the saved answer is graded again: the same request for the number.
        page.reload()
        page.wait_for_function("performance.getEntriesByName('quizbook:ready').length > 0")
        page.locator('[data-question-id="n-era"] .qb-verdict').wait_for()
        assert _verdicts(page)["n-era"] == "Not answered. 0 / 1 points. | " + NOT_A_NUMBER_FEEDBACK
        guard.check()


def test_the_box_says_a_number_and_names_its_words(browser: Any, numbers_page: str) -> None:
    with guarded_page(browser) as (page, guard):
        page.goto(numbers_page)
        box = page.get_by_role("textbox", name="Your answer (in km)")
        assert box.get_attribute("placeholder") == "a number"
        note = page.locator("#" + str(box.get_attribute("aria-describedby")))
        assert note.inner_text() == ("Type just the number, in digits; “km”, “kilometres” or "
                                     "“kilometers” may follow it.")
        assert note.is_visible()
        # Chromium's accessibility tree gives the box that description.
        described = page.evaluate("""() => {
            const box = document.querySelector('[data-question-id="n-era"] input');
            return box.getAttribute('aria-describedby').split(' ').map(
              (id) => document.getElementById(id).textContent).join(' ');
        }""")
        assert described == "Type just the number, in digits; AD or CE may go before or after it."
        assert page.locator('[data-question-id="n-plain"] input').get_attribute(
            "inputmode") == "decimal"
        guard.check()


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_prompt_emphasis_shows_in_the_book(student_book_html: Path, browser: Any,
                                           mode: str) -> None:
    pages = [p for p in quiz_pages(student_book_html)
             if '<span class="qb-prompt">' in p.read_text("utf-8")
             and "<strong>" in p.read_text("utf-8").split('class="qb-prompt">', 1)[1]]
    assert pages, "a lesson has a prompt with **bold** in it"
    with guarded_page(browser, color_scheme=mode) as (page, guard):
        page.goto(pages[0].as_uri())
        styles = page.evaluate("""() => {
            const strong = document.querySelector('.qb-prompt strong');
            const prompt = strong.closest('.qb-prompt');
            const legend = prompt.closest('legend');
            const weight = (el) => Number(getComputedStyle(el).fontWeight);
            const emphasis = document.querySelector('.qb-prompt em');
            return {strong: weight(strong), prompt: weight(prompt), legend: weight(legend),
                    number: weight(legend.querySelector('.qb-num')),
                    em: emphasis ? getComputedStyle(emphasis).fontStyle : 'italic',
                    float: getComputedStyle(legend).float,
                    theme: document.documentElement.dataset.theme};
        }""")
        assert styles["theme"] == mode
        assert styles["prompt"] == styles["legend"] == 400, styles
        assert styles["strong"] >= 700 and styles["number"] >= 700, styles
        assert styles["em"] == "italic" and styles["float"] == "left", styles
        guard.check()
