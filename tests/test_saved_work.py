"""Saved work that survives edits and never goes missing (issue 12), results a student can
hand in and the quiz behaviour of issue 16 (§1, §4), in real Chromium, from file:// and http.

Three builds of the minimal book share one folder (so that file:// pages and the http server
see one browser storage): `base` with the quiz as it was before issue 12 (the frozen copy in
tests/fixtures/legacy/, where the saved work of that time comes from), `reworded` with its
wording fixed, and `rekeyed` with the key of question 5 changed.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from playwright.sync_api import expect

from quizbook import model
from quizbook.grade import matching_rights
from quizbook.load import load_quiz
from quizbook.results import parse_results
from quizbook.versions import quiz_version
from tests.browser_support import answer_quiz, check, score_of
from tests.conftest import MINIMAL_BOOK
from tests.inprocess import build

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LEGACY = Path(__file__).parent / "fixtures" / "legacy"
QUIZ = "m1-all-types"
KEY = f"quizbook:v1:quiz:{QUIZ}"
HAND_IN = "Upload this file to the Moodle assignment 'Quiz 46' by Friday."
LESSON = "lessons/01-minimal.html"
WORDING = [("prompt: When did the Russian air campaign in Syria begin?",
            "prompt: When did Russia's air campaign in Syria begin?"),
           ("text: March 2011", "text: In March 2011"),
           ("right: Air base", "right: Air base (Russian)"),
           ("feedback: That is when the uprising began.", "feedback: The uprising began then.")]
REKEY = [("answer: 2015", "answer: 2016")]
NOT_SAVED = ("Your answers could not be saved in this browser (its storage is full or blocked): "
             "they are only on this page until you leave it. Download your results now to keep "
             "them.")
FULL_STORAGE = """() => {
  const real = Storage.prototype.setItem;
  window.__fillStorage = (on) => {
    Storage.prototype.setItem = on ? function () {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    } : real;
  };
}"""


@dataclass(frozen=True)
class Books:
    root: Path
    quiz: model.Quiz  # the quiz of `base`

    def page(self, book: str, base: str, path: str = LESSON) -> str:
        if base == "file":
            return (self.root / book / "_build" / "html" / path).as_uri()
        return f"{base}{book}/_build/html/{path}"


def _book(root: Path, name: str, edits: list[tuple[str, str]]) -> None:
    source = root / "src" / name
    shutil.copytree(MINIMAL_BOOK, source)
    quiz = (LEGACY / "quizzes" / f"{QUIZ}.yml").read_text(encoding="utf-8")
    for old, new in edits:
        assert quiz.count(old) == 1, old
        quiz = quiz.replace(old, new)
    (source / "quizzes" / f"{QUIZ}.yml").write_text(quiz, encoding="utf-8")
    if name == "base":  # a page with two more quizzes: each mounted right after its markup
        for n in (2, 3):
            (source / "quizzes" / f"m{n}.yml").write_text(quiz.replace(
                f"id: {QUIZ}", f"id: m{n}-copy", 1), encoding="utf-8")
        (source / "lessons" / "02-two.md").write_text(
            "# Two quizzes\n\n```{quiz} ../quizzes/m2.yml\n```\n\nBetween the two.\n\n"
            "```{quiz} ../quizzes/m3.yml\n```\n", encoding="utf-8")
        toc = source / "_toc.yml"
        toc.write_text(toc.read_text(encoding="utf-8").replace(
            "  - file: progress", "  - file: lessons/02-two\n  - file: progress"),
            encoding="utf-8")
    config = source / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    quizbook_edition: student\n",
        f'    quizbook_edition: student\n    quizbook_hand_in: "{HAND_IN}"\n'), encoding="utf-8")
    # In this process (tests/inprocess.py): the browser is the point here, not the command.
    built = build(source, out=root / "out" / name / "_build")
    assert (built.status, built.problems) == (0, []), built.warnings  # as -W
    shutil.copytree(built.out, root / name / "_build" / "html")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Books:
    root = tmp_path_factory.mktemp("saved-work")
    for name, edits in (("base", []), ("reworded", WORDING), ("rekeyed", REKEY)):
        _book(root, name, edits)
    return Books(root, load_quiz(LEGACY / "quizzes" / f"{QUIZ}.yml"))


@pytest.fixture(params=["file", "http"])
def base(request: pytest.FixtureRequest, books: Books, http_server: Any) -> str:
    return "file" if request.param == "file" else str(http_server(books.root))


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own storage) that may hold several tabs."""
    ctx = browser.new_context(accept_downloads=True)
    yield ctx
    ctx.close()


#: Per page: the console errors and warnings and uncaught exceptions it had.
PROBLEMS: dict[int, list[str]] = {}


def _open(context: Any, url: str) -> Any:
    page = context.new_page()
    problems = PROBLEMS.setdefault(id(page), [])
    page.on("console", lambda m: problems.append(m.text)
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.goto(url)
    return page


def _clean(page: Any) -> None:
    assert PROBLEMS.pop(id(page), []) == []


def _root(page: Any) -> Any:
    return page.locator(f'[data-quizbook-quiz="{QUIZ}"]')


def _status(page: Any) -> str:
    return str(_root(page).locator(".qb-status").inner_text())


def _said(page: Any, text: str) -> None:
    """The status line says `text` (waiting for it: the downloads part loads when needed)."""
    expect(_root(page).locator(".qb-status")).to_have_text(text)


def _stored(page: Any, key: str = KEY) -> Any:
    raw = page.evaluate("k => localStorage.getItem(k)", key)
    return None if raw is None else json.loads(raw)


def _put(page: Any, values: dict[str, str]) -> None:
    page.evaluate("v => { localStorage.clear(); "
                  "for (const k in v) localStorage.setItem(k, v[k]); }", values)
    page.reload()


def _rights(quiz: model.Quiz) -> dict[str, str]:
    q7 = next(q for q in quiz.questions if isinstance(q, model.MatchingQuestion))
    return {text: rid for rid, text in matching_rights(q7)}


def _answer_mixed(page: Any, quiz: model.Quiz) -> None:
    """The fixture's answers: 4.67 of 7 (q2, q6, q7 partly right; q3 wrong)."""
    root = _root(page)
    root.locator('[data-question-id="q1"] input[value="b"]').check()
    root.locator('[data-question-id="q2"] input[value="a"]').check()
    root.locator('[data-question-id="q2"] input[value="c"]').check()
    root.locator('[data-question-id="q3"] input[value="false"]').check()
    root.locator('[data-question-id="q4"] input').fill("hmeimim")
    root.locator('[data-question-id="q5"] input').fill("2015")
    for item, pos in (("idlib", 1), ("palmyra", 2), ("strikes", 4), ("aleppo", 3)):
        root.locator(f'select[data-item-id="{item}"]').select_option(str(pos))
    rid = _rights(quiz)
    for pair, text in (("khmeimim", "Air base"), ("tartus", "Naval support point"),
                       ("tanf", "Oil refinery")):
        root.locator(f'select[data-item-id="{pair}"]').select_option(rid[text])


def _controls(page: Any) -> dict[str, Any]:
    """Every control's state, to compare a page before and after a reload."""
    value: dict[str, Any] = page.evaluate("""q => {
      const root = document.querySelector(`[data-quizbook-quiz="${q}"]`);
      const out = {};
      root.querySelectorAll("input, select").forEach((c, n) => {
        out[(c.id || c.name || n) + ":" + c.value] =
          c.type === "radio" || c.type === "checkbox" ? c.checked : c.value;
      });
      out.feedback = Array.from(root.querySelectorAll(".qb-fb"), (f) => f.textContent);
      out.marks = Array.from(root.querySelectorAll(".qb-mark"), (m) => m.textContent);
      out.score = root.querySelector("[data-quizbook-score]").textContent;
      return out;
    }""", QUIZ)
    return value


def _download(page: Any, button: Any, tmp_path: Path) -> tuple[str, Any]:
    with page.expect_download() as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return info.value.suggested_filename, parse_results(target.read_bytes(), target.name)


TODAY = re.escape(date.today().isoformat())


# -- issue 12 §1: saved work survives edits ----------------------------------------------------


def test_records_of_the_old_scheme_are_carried_over(books: Books, base: str, context: Any,
                                                    tmp_path: Path) -> None:
    """A record today's runtime saved before the change (tests/fixtures/legacy) comes back
    whole: answers (the matching one renumbered), score 4.67, no notice, nothing set aside."""
    page = _open(context, books.page("base", base))
    _put(page, {KEY: (LEGACY / "browser-record.json").read_text(encoding="utf-8").strip(),
                "quizbook:v1:student": "Ada Lovelace"})
    rid = _rights(books.quiz)
    root = _root(page)
    assert root.locator('select[data-item-id="khmeimim"]').input_value() == rid["Air base"]
    assert root.locator('select[data-item-id="tartus"]').input_value() == \
        rid["Naval support point"]
    assert root.locator('select[data-item-id="tanf"]').input_value() == rid["Oil refinery"]
    assert root.locator('[data-question-id="q4"] input').input_value() == "hmeimim"
    page.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                           "[data-quizbook-score]').dataset.score !== '0'")
    assert score_of(page, QUIZ) == (4.67, 7, "4.67 / 7")
    assert _status(page).startswith("Your saved answers are back (2 checks, last ")
    assert "changed" not in _status(page) and "fresh" not in _status(page)
    assert page.evaluate("k => localStorage.getItem(k + ':stale')", KEY) is None
    name, results = _download(page, root.locator('[data-quizbook-action="download"]'), tmp_path)
    assert re.fullmatch(rf"results-ada-lovelace-{QUIZ}-{TODAY}\.json", name)
    [result] = results.quizzes
    assert result.version == quiz_version(books.quiz)
    assert round(result.score, 2) == 4.67 and result.attempts == 2
    assert result.questions[6].response == {"khmeimim": rid["Air base"],
                                            "tartus": rid["Naval support point"],
                                            "tanf": rid["Oil refinery"]}
    page.goto(books.page("base", base, "progress.html"))
    cells = page.locator(f'[data-progress-quiz="{QUIZ}"] td').all_inner_texts()
    assert cells[:3] == ["4.67 / 7", "not passed yet", "2"]
    assert page.locator(".qb-progress .qb-status").inner_text() == ""
    _clean(page)


def test_a_wording_fix_keeps_saved_work(books: Books, base: str, context: Any) -> None:
    page = _open(context, books.page("base", base))
    _answer_mixed(page, books.quiz)
    check(page, QUIZ)
    before = _stored(page)
    assert round(score_of(page, QUIZ)[0], 2) == 4.17  # q2 with a wrong pick: 0
    page.goto(books.page("reworded", base))
    page.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                           "[data-quizbook-score]').dataset.score !== '0'")
    assert score_of(page, QUIZ) == (4.17, 7, "4.17 / 7")
    assert _status(page).startswith("Your saved answers are back (1 check, last ")
    assert "changed" not in _status(page) and "edited" not in _status(page)
    assert _root(page).locator(".qb-changed").count() == 0
    assert "Russia's air campaign" in _root(page).locator(".qb-prompt").first.inner_text()
    assert _root(page).locator('select[data-item-id="khmeimim"] option:checked').inner_text() \
        == "Air base (Russian)"
    assert _stored(page) == before  # nothing rewritten, nothing set aside
    assert page.evaluate("k => localStorage.getItem(k + ':stale')", KEY) is None
    _clean(page)


def test_a_key_change_regrades_and_names_the_question(books: Books, base: str,
                                                      context: Any) -> None:
    page = _open(context, books.page("base", base))
    _answer_mixed(page, books.quiz)
    check(page, QUIZ)
    page.goto(books.page("rekeyed", base))
    page.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                           "[data-quizbook-score]').dataset.score !== '0'")
    assert score_of(page, QUIZ) == (3.17, 7, "3.17 / 7")  # 2015 is no longer right
    assert "This quiz was changed since: the answer key of question 5 is new, and your " \
        "answers were graded again under it." in _status(page)
    q5 = _root(page).locator('[data-question-id="q5"] .qb-fb')
    assert q5.locator(".qb-changed").inner_text() == (
        "This question was changed after you answered it: your answer was graded again under "
        "the new key.")
    assert "✗ Not right yet." in q5.inner_text()
    assert _root(page).locator(".qb-changed").count() == 1
    assert _root(page).locator('[data-question-id="q5"] input').input_value() == "2015"
    _clean(page)


def test_an_old_record_of_edited_content_is_graded_again_with_a_notice(
        books: Books, context: Any) -> None:
    page = _open(context, books.page("reworded", "file"))
    _put(page, {KEY: (LEGACY / "browser-record.json").read_text(encoding="utf-8").strip()})
    page.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                           "[data-quizbook-score]').dataset.score !== '0'")
    # Every answer is graded again. The matching question's own text was edited too, so its
    # old numbering cannot be known: graded as renumbered for today's text (1 of 3 pairs
    # right instead of 2), which is why the student is asked to look over every answer.
    assert score_of(page, QUIZ)[0] == 4.33
    assert _status(page).endswith("This quiz was edited after your answers were saved: they were "
                                  "graded again under the current questions. Look over every "
                                  "answer.")
    _clean(page)


# -- issue 12 §2: nothing goes missing ---------------------------------------------------------


def test_full_storage_is_said_and_the_download_offered(books: Books, base: str, context: Any,
                                                       tmp_path: Path) -> None:
    page = _open(context, books.page("base", base))
    page.evaluate(FULL_STORAGE)
    page.evaluate("window.__fillStorage(true)")
    answer_quiz(page, books.quiz, correct=True)
    check(page, QUIZ)
    root = _root(page)
    assert _status(page) == "Checked: 7 / 7 points. All right! Not saved: see below."
    warning = root.locator(".qb-warn")
    assert warning.get_attribute("role") == "alert"
    assert warning.locator("p").inner_text() == NOT_SAVED
    assert _stored(page) is None
    # The name cannot be saved either: it is used for this download, and said.
    root.locator("[data-quizbook-student]").fill("Ada Lovelace")
    name, results = _download(page, warning.locator("button"), tmp_path)
    assert name.startswith("results-ada-lovelace-") and results.quizzes[0].score == 7
    _said(page, f"Downloaded {name}. Hand it in as the line below the button says.")
    assert page.evaluate("localStorage.getItem('quizbook:v1:student')") is None
    # Notes say it too.
    notes = page.locator("textarea[data-quizbook-notes]")
    notes.fill("My notes")
    assert page.locator("[data-quizbook-discussion] .qb-warn").inner_text().startswith(
        "Your notes could not be saved in this browser")
    # Room again: the next check saves, and the warning goes.
    page.evaluate("window.__fillStorage(false)")
    check(page, QUIZ)
    assert _status(page) == "Checked: 7 / 7 points. All right!"
    # Both checks count: the first one was kept on the page.
    assert root.locator(".qb-warn").count() == 0 and _stored(page)["attempts"] == 2
    _clean(page)


def test_an_unreadable_record_that_cannot_be_moved_is_never_overwritten(
        books: Books, context: Any) -> None:
    page = _open(context, books.page("base", "file"))
    page.evaluate("k => localStorage.setItem(k, '{still not json')", KEY)
    # Reload with storage full (for quizbook's keys: the theme's own writes at load time
    # would throw uncaught): the bad record cannot be set aside.
    page.add_init_script("""const real = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (String(key).startsWith("quizbook:")) {
          throw new DOMException("full", "QuotaExceededError");
        }
        return real.call(this, key, value);
      };""")
    page.reload()
    root = _root(page)
    assert root.locator(".qb-warn p").inner_text().startswith(
        "Your saved answers could not be read, nor moved aside")
    answer_quiz(page, books.quiz, correct=True)
    check(page, QUIZ)
    assert page.evaluate("k => localStorage.getItem(k)", KEY) == "{still not json"
    assert _status(page).endswith("Not saved: see below.")
    _clean(page)


def test_two_tabs_merge_per_question_and_keep_in_step(books: Books, base: str,
                                                      context: Any) -> None:
    one = _open(context, books.page("base", base))
    two = _open(context, books.page("base", base))
    # Both tabs open; each answers another question, neither has seen the other's.
    _root(one).locator('[data-question-id="q1"] input[value="b"]').check()
    _root(two).locator('[data-question-id="q4"] input').fill("Khmeimim")
    check(one, QUIZ)
    # The second tab follows the first (storage event): q1 is there, q4 kept as typed.
    two.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                          "[data-question-id=\"q1\"] input[value=\"b\"]').checked")
    assert _root(two).locator('[data-question-id="q4"] input').input_value() == "Khmeimim"
    check(two, QUIZ)
    record = _stored(two)
    assert (record["responses"]["q1"], record["responses"]["q4"]) == ("b", "Khmeimim")
    assert record["attempts"] == 2 and score_of(two, QUIZ)[0] == 2
    one.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                          "[data-question-id=\"q4\"] input').value === 'Khmeimim'")
    assert score_of(one, QUIZ)[0] == 2
    # Later answers win per question: the first tab changes q1, the second checks without
    # having touched q1 since it took it in: q1 stays the first tab's.
    _root(one).locator('[data-question-id="q1"] input[value="a"]').check()
    check(one, QUIZ)
    two.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                          "[data-question-id=\"q1\"] input[value=\"a\"]').checked")
    _root(two).locator('[data-question-id="q3"] input[value="true"]').check()
    check(two, QUIZ)
    record = _stored(two)
    assert (record["responses"]["q1"], record["responses"]["q3"], record["responses"]["q4"]) \
        == ("a", True, "Khmeimim")
    assert record["attempts"] == 4
    _clean(one)
    _clean(two)


def test_a_check_in_a_tab_that_missed_the_event_does_not_erase_the_other(
        books: Books, browser: Any, context: Any) -> None:
    """Even without the storage event (a tab asleep), a check merges with what is saved. The
    other tab's record is made by a real tab elsewhere and written from this tab's own
    script (a tab gets no storage event for its own writes)."""
    elsewhere = browser.new_context()
    try:
        one = _open(elsewhere, books.page("base", "file"))
        _root(one).locator('[data-question-id="q1"] input[value="b"]').check()
        check(one, QUIZ)
        saved_there = one.evaluate("k => localStorage.getItem(k)", KEY)
        _clean(one)
    finally:
        elsewhere.close()
    two = _open(context, books.page("base", "file"))
    _root(two).locator('[data-question-id="q4"] input').fill("Khmeimim")
    two.evaluate("([k, v]) => localStorage.setItem(k, v)", [KEY, saved_there])
    check(two, QUIZ)
    record = _stored(two)
    assert (record["responses"]["q1"], record["responses"]["q4"]) == ("b", "Khmeimim")
    assert record["attempts"] == 2
    assert _status(two) == ("Checked: 2 / 7 points. 5 questions are not fully right; feedback "
                            "is under each question. Answers saved in another tab since were "
                            "taken for question 1.")
    assert _root(two).locator('[data-question-id="q1"] input[value="b"]').is_checked()
    _clean(two)


def test_forged_records_show_what_their_answers_are_worth(books: Books, base: str,
                                                          context: Any, tmp_path: Path) -> None:
    """Full marks claimed for wrong answers: 0 on the lesson, the progress page and in every
    download (the page grades the saved answers again from the bundles it carries)."""
    quiz = books.quiz
    forged = {"v": 1, "version": quiz_version(quiz), "attempts": 1,
              "first": "2026-01-01T00:00:00Z", "last": "2026-01-01T00:00:00Z",
              "responses": {q.id: None for q in quiz.questions} | {"q1": "a", "q5": "1999"},
              "outcomes": {q.id: {"points": q.points, "max": q.points, "correct": True,
                                  "attempts": 1} for q in quiz.questions}}
    page = _open(context, books.page("base", base, "progress.html"))
    _put(page, {KEY: json.dumps(forged), "quizbook:v1:student": "Mallory"})
    # The table is filled once the saved answers are graded again: wait for it (a busy
    # machine may read it before).
    expect(page.locator(f'[data-progress-quiz="{QUIZ}"] td').first).to_have_text("0 / 7")
    cells = page.locator(f'[data-progress-quiz="{QUIZ}"] td').all_inner_texts()
    assert cells[:3] == ["0 / 7", "not passed yet", "1"]
    name, results = _download(page, page.locator('[data-quizbook-action="download-all"]'),
                              tmp_path)
    assert re.fullmatch(rf"results-mallory-all-{TODAY}\.json", name)
    [result] = results.quizzes
    assert result.score == 0 and all(q.points == 0 for q in result.questions)
    page.goto(books.page("base", base))
    assert score_of(page, QUIZ)[0] == 0
    _clean(page)


# -- issue 16 §1: results a student can hand in ------------------------------------------------


def test_a_name_is_needed_before_any_download(books: Books, base: str, context: Any,
                                              tmp_path: Path) -> None:
    page = _open(context, books.page("base", base))
    root = _root(page)
    answer_quiz(page, books.quiz, correct=True)
    check(page, QUIZ)
    downloads: list[Any] = []
    page.on("download", lambda d: downloads.append(d))
    root.locator('[data-quizbook-action="download"]').click()
    asked = ("Type your name first: your instructor needs it on the results file to give you "
             "credit.")
    _said(page, asked)
    assert page.evaluate("document.activeElement.hasAttribute('data-quizbook-student')")
    assert root.locator(".qb-why").inner_text() == (
        "Your results file carries your name, so that your instructor can give you credit for "
        "it. It is remembered in this browser for every quiz of the book.")
    root.locator("[data-quizbook-student]").fill("   ")
    root.locator(".qb-status").evaluate("status => { status.textContent = ''; }")
    root.locator('[data-quizbook-action="download"]').click()
    _said(page, asked)
    assert downloads == []
    root.locator("[data-quizbook-student]").fill("Zoë O'Brien-Ngata")
    root.locator("[data-quizbook-student-id]").fill("s1234567")
    name, results = _download(page, root.locator('[data-quizbook-action="download"]'),
                              tmp_path)
    assert re.fullmatch(rf"results-zoe-o-brien-ngata-{QUIZ}-{TODAY}\.json", name), name
    assert (results.student, results.student_id) == ("Zoë O'Brien-Ngata", "s1234567")
    _said(page, f"Downloaded {name}. Hand it in as the line below the button says.")
    # Remembered for the book: the form gives way to who the results are for.
    assert root.locator("[data-quizbook-name-form]").is_hidden()
    assert root.locator("[data-quizbook-who]").inner_text() == (
        "Results are saved for Zoë O'Brien-Ngata (student ID s1234567). Not you? Switch student")
    page.goto(books.page("base", base, "progress.html"))
    assert page.locator("[data-quizbook-who-name]").inner_text() == \
        "Zoë O'Brien-Ngata (student ID s1234567)"
    name, results = _download(page, page.locator('[data-quizbook-action="download-all"]'),
                              tmp_path)
    assert re.fullmatch(rf"results-zoe-o-brien-ngata-all-{TODAY}\.json", name), name
    assert results.student_id == "s1234567"
    _clean(page)


def test_the_hand_in_line_is_beside_every_download(books: Books) -> None:
    for path in (LESSON, "progress.html"):
        page = lxml_html.parse(str(books.root / "base" / "_build" / "html" / path)).getroot()
        downloads = page.xpath("//*[@class='qb-download']")
        assert len(downloads) == 1
        assert [b.text for b in downloads[0].xpath("button")] == \
            ["Download all my results" if path == "progress.html" else "Download my results"]
        assert [s.text_content() for s in downloads[0].xpath("span[@class='qb-handin']")] == \
            [HAND_IN]


def test_switch_student_keeps_each_students_work_apart(books: Books, base: str, context: Any,
                                                       tmp_path: Path) -> None:
    page = _open(context, books.page("base", base))
    root = _root(page)
    answer_quiz(page, books.quiz, correct=True)
    check(page, QUIZ)
    root.locator("[data-quizbook-student]").fill("Ada Lovelace")
    root.locator("[data-quizbook-student]").press("Tab")  # remembered once typed ...
    page.wait_for_function("localStorage.getItem('quizbook:v1:student') === 'Ada Lovelace'")
    page.locator("textarea[data-quizbook-notes]").fill("Ada's notes")
    page.reload()  # ... and the page shows whose work it is from then on
    assert root.locator("[data-quizbook-who-name]").inner_text() == "Ada Lovelace"
    with page.expect_navigation():
        root.locator('[data-quizbook-action="switch-student"]').click()
    # The next student sees nothing of Ada's.
    assert score_of(page, QUIZ) == (0, 7, "0 / 7")
    assert not root.locator('[data-question-id="q1"] input[value="b"]').is_checked()
    assert root.locator("[data-quizbook-name-form]").is_visible()
    assert root.locator("[data-quizbook-student]").input_value() == ""
    assert page.locator("textarea[data-quizbook-notes]").input_value() == ""
    assert _stored(page) is None
    shelf = page.evaluate("localStorage.getItem('quizbook:v1:shelf:adalovelace')")
    assert json.loads(shelf)["name"] == "Ada Lovelace"
    root.locator('[data-quizbook-action="download"]').click()
    _said(page, "Check your answers first: there are no results to download yet.")
    answer_quiz(page, books.quiz, correct=False)
    check(page, QUIZ)
    root.locator("[data-quizbook-student]").fill("Bo")
    name, results = _download(page, root.locator('[data-quizbook-action="download"]'), tmp_path)
    assert name.startswith("results-bo-") and results.student == "Bo"
    assert results.quizzes[0].score < 7 and results.quizzes[0].attempts == 1
    page.goto(books.page("base", base, "progress.html"))
    name, results = _download(page, page.locator('[data-quizbook-action="download-all"]'),
                              tmp_path)
    assert results.student == "Bo" and results.quizzes[0].score < 7
    # Ada comes back: her work returns, Bo's is put away.
    page.goto(books.page("base", base))
    with page.expect_navigation():
        root.locator('[data-quizbook-action="switch-student"]').click()
    root.locator("[data-quizbook-student]").fill("ada lovelace")
    with page.expect_navigation():
        root.locator("[data-quizbook-student]").press("Tab")
    page.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                           "[data-quizbook-score]').dataset.score === '7'")
    assert root.locator("[data-quizbook-who-name]").inner_text() == "Ada Lovelace"
    assert page.locator("textarea[data-quizbook-notes]").input_value() == "Ada's notes"
    assert page.evaluate("localStorage.getItem('quizbook:v1:shelf:adalovelace')") is None
    assert page.evaluate("localStorage.getItem('quizbook:v1:shelf:bo')") is not None
    _clean(page)


def test_another_tab_switching_student_shows_this_one_afresh(books: Books,
                                                             context: Any) -> None:
    one = _open(context, books.page("base", "file"))
    two = _open(context, books.page("base", "file"))
    _root(one).locator('[data-question-id="q1"] input[value="b"]').check()
    check(one, QUIZ)
    _root(one).locator("[data-quizbook-student]").fill("Ada")
    _root(one).locator("[data-quizbook-student]").press("Tab")
    one.wait_for_function("localStorage.getItem('quizbook:v1:student') === 'Ada'")
    one.reload()
    two.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                          "[data-question-id=\"q1\"] input[value=\"b\"]').checked")
    with two.expect_navigation(), one.expect_navigation():
        _root(one).locator('[data-quizbook-action="switch-student"]').click()
    assert not _root(two).locator('[data-question-id="q1"] input[value="b"]').is_checked()
    assert _root(two).locator("[data-quizbook-name-form]").is_visible()


# -- issue 16 §4: pass/fail, Try again, the summary in view ------------------------------------


def test_pass_or_not_in_the_score_line_and_the_progress_page(books: Books, base: str,
                                                             context: Any) -> None:
    page = _open(context, books.page("base", base))
    passing = _root(page).locator("[data-quizbook-pass]")
    assert passing.inner_text() == "(pass mark 70%: 4.9 of 7 points)"
    assert passing.get_attribute("data-passed") == ""
    _answer_mixed(page, books.quiz)
    check(page, QUIZ)
    assert passing.inner_text() == "Not passed yet (pass mark 70%: 4.9 of 7 points)."
    assert passing.get_attribute("data-passed") == "false"
    answer_quiz(page, books.quiz, correct=True)
    check(page, QUIZ)
    assert _root(page).locator(".qb-scoreline").inner_text() == \
        "Score: 7 / 7 Passed (pass mark 70%: 4.9 of 7 points)."
    assert passing.get_attribute("data-passed") == "true"
    page.goto(books.page("base", base, "progress.html"))
    result = page.locator(f'[data-progress-quiz="{QUIZ}"] td').nth(1)
    assert result.inner_text() == "passed" and result.get_attribute("data-passed") == "true"
    _clean(page)


def test_try_again_keeps_right_parts_and_a_reload_changes_nothing(books: Books, base: str,
                                                                  context: Any) -> None:
    page = _open(context, books.page("base", base))
    root = _root(page)
    _answer_mixed(page, books.quiz)
    root.locator('[data-question-id="q1"] input[value="a"]').check()  # wrong
    check(page, QUIZ)
    root.locator('[data-quizbook-action="retry"]').click()
    # Right parts stay: the right pick of q2, the right positions of q6, the right pairs of q7.
    assert root.locator('[data-question-id="q2"] input[value="a"]').is_checked()
    assert not root.locator('[data-question-id="q2"] input[value="c"]').is_checked()
    assert [root.locator(f'select[data-item-id="{i}"]').input_value()
            for i in ("idlib", "palmyra", "strikes", "aleppo")] == ["1", "2", "", ""]
    rid = _rights(books.quiz)
    assert [root.locator(f'select[data-item-id="{p}"]').input_value()
            for p in ("khmeimim", "tartus", "tanf")] == [rid["Air base"],
                                                         rid["Naval support point"], ""]
    # Wrong all-or-nothing answers are cleared, right ones kept.
    assert not root.locator('[data-question-id="q1"] input:checked').count()
    assert not root.locator('[data-question-id="q3"] input:checked').count()
    assert root.locator('[data-question-id="q4"] input').input_value() == "hmeimim"
    assert root.locator('[data-question-id="q5"] input').input_value() == "2015"
    assert page.evaluate("document.activeElement.closest('[data-question-id]').dataset"
                         ".questionId") == "q1"
    assert _status(page) == ("What was not right is cleared, and the right parts of partly right "
                             "answers are kept: try the rest again.")
    before = _controls(page)
    assert before["score"] == "3.17 / 7"  # the last check's score stands until the next check
    page.reload()
    assert _controls(page) == before
    # The next check grades what is in the controls.
    root.locator('[data-question-id="q1"] input[value="b"]').check()
    check(page, QUIZ)
    assert score_of(page, QUIZ)[0] == 4.67  # q2 0.5, q3 unanswered, q6 0.5, q7 2 of 3
    assert _stored(page)["draft"] == {}
    _clean(page)


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_after_check_the_score_and_status_are_in_view(books: Books, browser: Any,
                                                      motion: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 640},
                                  reduced_motion=motion)
    try:
        page = _open(context, books.page("base", "file"))
        answer_quiz(page, books.quiz, correct=False)
        root = _root(page)
        root.locator('[data-quizbook-action="check"]').focus()
        page.keyboard.press("Enter")
        in_view = """el => { const r = el.getBoundingClientRect();
                             return r.top >= 0 && r.bottom <= window.innerHeight; }"""
        for part in (".qb-scoreline", ".qb-status"):
            root.locator(part).wait_for()
            page.wait_for_function(f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                                   f"{part}').getBoundingClientRect().bottom <= innerHeight && "
                                   f"document.querySelector('[data-quizbook-quiz=\"{QUIZ}\"] "
                                   f"{part}').getBoundingClientRect().top >= 0")
            assert root.locator(part).evaluate(in_view)
        assert root.locator(".qb-status").get_attribute("role") == "status"
        assert _status(page).startswith("Checked: 0 / 7 points.")
        if motion == "reduce":  # no smooth scrolling: already there right after the check
            assert page.evaluate("document.scrollingElement.scrollTop") > 0
        _clean(page)
    finally:
        context.close()


def test_each_quiz_is_usable_before_the_page_is_parsed(books: Books, context: Any) -> None:
    """The runtime right after the first quiz (mounting it), a one-line script after each
    further quiz: every quiz is usable before the rest of the page is parsed."""
    html = (books.root / "base" / "_build" / "html" / "lessons" / "02-two.html").read_text(
        encoding="utf-8")
    tags = re.findall(r'</section>(<script[^>]*>[^<]*</script>)', html)
    assert len(tags) == 2
    assert re.fullmatch(r'<script src="\.\./_static/quizbook-[0-9a-f]{10}\.js" '
                        r'data-quizbook-quizzes="2" '
                        r'data-quizbook-marking="quizbook-marking-[0-9a-f]{10}\.js" '
                        r'data-quizbook-downloads="quizbook-downloads-[0-9a-f]{10}\.js">'
                        r'</script>', tags[0]), tags[0]
    assert tags[1] == ('<script>document.currentScript.dispatchEvent(new Event("quizbook:mount",'
                       '{bubbles:true}))</script>')
    page = _open(context, books.page("base", "file", "lessons/02-two.html"))
    timing = page.evaluate("""() => ({
        ready: performance.getEntriesByName("quizbook:ready").length,
        at: performance.getEntriesByName("quizbook:ready")[0].startTime,
        parsed: performance.getEntriesByType("navigation")[0].domContentLoadedEventStart,
        mounted: document.querySelectorAll("[data-quizbook-quiz] .qb-nojs").length})""")
    assert timing["ready"] == 1 and timing["mounted"] == 0
    assert timing["at"] <= timing["parsed"]
    # Both work, and the marking and downloads parts come when first needed.
    assert page.evaluate("document.querySelectorAll('script[src*=quizbook-downloads]').length") \
        == 0
    assert page.evaluate("document.querySelectorAll('script[src*=quizbook-marking]').length") \
        == 0
    for quiz in ("m2-copy", "m3-copy"):
        root = page.locator(f'[data-quizbook-quiz="{quiz}"]')
        root.locator('[data-question-id="q1"] input[value="b"]').check()
        check(page, quiz)
        assert score_of(page, quiz)[0] == 1
    assert page.evaluate("document.querySelectorAll('script[src*=quizbook-marking]').length") \
        == 1
    page.locator('[data-quizbook-quiz="m2-copy"] [data-quizbook-action="download"]').click()
    expect(page.locator('[data-quizbook-quiz="m2-copy"] .qb-status')).to_have_text(
        "Type your name first: your instructor needs it on the results file to give you "
        "credit.")
    assert page.evaluate("document.querySelectorAll('script[src*=quizbook-downloads]').length") \
        == 1
    _clean(page)
