"""A class in real Chromium against a real `quizbook serve`: the book's own quiz UI, graded by
the server, through a dropped connection and a crashed server.

Three students join in three browser contexts and answer the lesson's quiz on the class
build's book page, by keyboard: the page's runtime sends each Check to the server
(`POST /api/quizzes/ID/check`) and shows what the server's policy lets it show. On the way:

- Cy goes offline (`context.set_offline`): her Check waits in the browser's storage with its
  attempt id, the page says so, and it is sent (once) when the connection is back;
- the server is killed with SIGKILL mid-class; Bo, with the lesson open in two tabs, checks
  while it is down; the server restarts on the same database; both tabs are reloaded at once:
  the waiting Check is sent exactly once (one tab sends), no acknowledged answer is lost,
  and sessions survive;
- the instructor closes the quiz: the marks hidden until then appear, and a late Check is
  stored, marked late and does not count;
- `quizbook class export` has exactly the expected scores, attempts and late attempts;
- the class pages are axe-clean; nothing any page received carries key material
  (`quizbook.server.keyscan`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from quizbook import model
from quizbook.book import open_book
from quizbook.cli import main
from quizbook.grade import grade
from quizbook.server.classbuild import html_dir
from quizbook.server.keyscan import bundle_problems, key_markers, scan_bytes, scan_folder
from tests.helpers import right_response, wrong_response
from tests.server.conftest import QUIZ, TOKEN, Server, stored_attempts
from tests.server.test_pages_browser import join_by_keyboard, violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT = 30_000  # ms: how long Playwright waits for the page to say something
LESSON = "/book/lessons/01-minimal.html"
STATUS = f'[data-quizbook-quiz="{QUIZ}"] .qb-status'
POLICY = """\
default:
  tries: 3
  marks_before_close: false
  counts: last
  late_counts: false
"""
#: Console messages a page may log here: requests that failed while offline or while the
#: server was down (the runtime says so in its status line, which the test reads).
EXPECTED_ERRORS = ("ERR_INTERNET_DISCONNECTED", "ERR_CONNECTION_REFUSED", "ERR_CONNECTION_RESET",
                   "ERR_EMPTY_RESPONSE", "ERR_FAILED")


@dataclass
class Browsing:
    """One student's browser context: its pages, what they asked for, what went wrong, and
    every Check request the server answered (attempt id -> times answered)."""

    context: Any
    urls: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> Any:
        page.on("request", self._request)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" and not
                any(e in m.text for e in EXPECTED_ERRORS) else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("response", self._response)
        return page

    def _request(self, request: Any) -> None:
        if request.method == "GET":
            self.urls.add(request.url)
            self.asked.append(request.url)

    def _response(self, response: Any) -> None:
        request = response.request
        if request.method == "POST" and request.url.endswith("/check"):
            attempt = json.loads(request.post_data or "{}").get("attempt_id", "")
            self.answered[attempt] = self.answered.get(attempt, 0) + 1

    def open(self, base: str) -> Any:
        page = self.watch(self.context.new_page())
        page.goto(base + LESSON)
        return page


@contextmanager
def browsing(browser: Any) -> Iterator[Browsing]:
    context = browser.new_context()
    try:
        yield Browsing(context)
    finally:
        context.close()


# --- the quiz by keyboard -----------------------------------------------------------------


def select_index(select: Any, value: str) -> int:
    values: list[str] = select.evaluate("s => Array.from(s.options, o => o.value)")
    return values.index(value)


def choose_by_keyboard(page: Any, select: Any, value: str) -> None:
    """A closed <select>: arrow keys change its value without opening it."""
    select.focus()
    for _ in range(select_index(select, "") + 12):
        page.keyboard.press("ArrowUp")
    for _ in range(select_index(select, value)):
        page.keyboard.press("ArrowDown")
    assert select.input_value() == value


def answer_by_keyboard(page: Any, quiz: model.Quiz, responses: dict[str, Any]) -> None:
    """Give `responses` (the API's shapes) through the quiz's controls with keys only:
    Space on a radio or checkbox, typing in a field, arrows in a select."""
    root = page.locator(f'[data-quizbook-quiz="{quiz.id}"]')
    for q in quiz.questions:
        fieldset = root.locator(f'[data-question-id="{q.id}"]')
        given = responses.get(q.id)
        if isinstance(q, model.SingleQuestion | model.TrueFalseQuestion):
            value = str(given).lower() if isinstance(given, bool) else given
            fieldset.locator(f'input[value="{value}"]').focus()
            page.keyboard.press("Space")
        elif isinstance(q, model.MultipleQuestion):
            for option in q.options:
                box = fieldset.locator(f'input[value="{option.id}"]')
                if box.is_checked() != (option.id in (given or [])):
                    box.focus()
                    page.keyboard.press("Space")
        elif isinstance(q, model.ShortTextQuestion | model.NumericQuestion):
            fieldset.locator("input").focus()
            page.keyboard.press("Control+A")
            page.keyboard.press("Backspace")
            page.keyboard.type(given or "")
        else:
            for select in fieldset.locator("select").all():
                wanted = (given or {}).get(select.get_attribute("data-item-id"), "")
                choose_by_keyboard(page, select, str(wanted))


def check_by_keyboard(page: Any) -> None:
    """Tab from the last control to the Check button (its focus visible) and press Enter."""
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.quizbookAction") == "check":
            break
    else:
        raise AssertionError("Tab never reached the Check button")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")


def status(page: Any) -> str:
    return " ".join(str(page.locator(STATUS).inner_text()).split())


def wait_for_status(page: Any, text: str) -> str:
    page.wait_for_function("([selector, text]) => document.querySelector(selector)"
                           ".textContent.includes(text)", arg=[STATUS, text], timeout=WAIT)
    return status(page)


def waiting(page: Any) -> list[str]:
    keys: list[str] = page.evaluate("Object.keys(localStorage)")
    return sorted(k for k in keys if k.startswith("quizbook:v1:outbox:"))


def score(quiz: model.Quiz, responses: dict[str, Any]) -> float:
    return sum(grade(q, responses.get(q.id)).points for q in quiz.questions)


def points(value: float) -> str:
    """As the runtime shows points (formatPoints: at most two decimals)."""
    return f"{round(value, 2):g}"


# --- the class --------------------------------------------------------------------------------


def test_a_class_in_chromium_through_an_outage_and_a_crash(
        minimal_class_book: Path, serve: Callable[..., Server], browser: Any,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = minimal_class_book
    quiz = next(q for q in open_book(book).quizzes() if q.id == QUIZ)
    policy = tmp_path / "class-policy.yml"
    policy.write_text(POLICY, encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'class.db'}"
    server = serve(book, db_url, "--policy", str(policy))
    port = int(server.base.rsplit(":", 1)[1])
    base = server.base

    right = {q.id: right_response(q) for q in quiz.questions}
    wrong = {q.id: wrong_response(q) for q in quiz.questions}
    partly = {"q1": "b", "q2": ["a", "c"], "q3": True, "q4": "Tartus", "q5": "2015",
              "q6": {"strikes": 1, "palmyra": 3}, "q7": {"khmeimim": right["q7"]["khmeimim"]}}
    partly_bo = {**wrong, "q1": "b", "q4": "Hmeimim"}
    assert 0 < score(quiz, partly) < quiz.max_points
    assert 0 < score(quiz, partly_bo) < quiz.max_points

    with browsing(browser) as ada, browsing(browser) as bo, browsing(browser) as cy:
        pages: dict[str, Any] = {}
        for who, name in ((ada, "Ada Lovelace"), (bo, "Bo Diddley"), (cy, "Cy Twombly")):
            page = who.watch(who.context.new_page())
            join_by_keyboard(page, base, name, server.class_code)
            page.goto(base + LESSON)
            wait_for_status(page, "3 tries left.")
            pages[name.split()[0]] = page
        ada_page, bo_page, cy_page = pages["Ada"], pages["Bo"], pages["Cy"]
        # The class build's runtime: the key-free bundle names the server's API.
        bundle = json.loads(ada_page.locator("script[data-quizbook-bundle]").text_content())
        assert bundle["grader"] == "remote" and bundle["api"] == "../../api/"

        # Three Checks, graded by the server: marks per option wait until the quiz closes.
        for page, answers in ((ada_page, right), (bo_page, wrong), (cy_page, partly)):
            answer_by_keyboard(page, quiz, answers)
            check_by_keyboard(page)
        said = wait_for_status(ada_page, "Attempt 1 is stored")
        assert said == ("Checked: 7 / 7 points. All right! Attempt 1 is stored on the class "
                        "server. 2 tries left.")
        assert wait_for_status(bo_page, "Attempt 1").startswith("Checked: 0 / 7 points. "
                                                                "7 questions are not fully right")
        said = wait_for_status(cy_page, "Attempt 1")
        assert said.startswith(f"Checked: {points(score(quiz, partly))} / 7 points.")
        for page in (ada_page, bo_page, cy_page):
            assert page.locator(".qb-mark").count() == 0  # no per-option marks yet
            assert page.locator(".qb-verdict").count() == len(quiz.questions)
        assert bo_page.locator(".qb-expl").count() == 0  # explanations of wrong answers wait
        assert ada_page.locator(".qb-expl").count() == 3  # right answers show theirs

        # Cy loses the connection: her Check waits on her device, then goes once.
        cy.context.set_offline(True)
        answer_by_keyboard(cy_page, quiz, wrong)
        check_by_keyboard(cy_page)
        said = wait_for_status(cy_page, "saved on this device")
        assert said.startswith("The class server cannot be reached: your answers are still here, "
                               "saved on this device, and will be sent by themselves")
        [queued] = waiting(cy_page)
        cy_attempt = queued.rsplit(":", 1)[1]
        assert cy.answered.get(cy_attempt) is None
        # She goes on typing while it waits: what she types stays when the reply comes.
        cy_page.locator('[data-question-id="q4"] input').focus()
        cy_page.keyboard.press("Control+A")
        cy_page.keyboard.type("Khmeimim")
        cy.context.set_offline(False)
        said = wait_for_status(cy_page, "Sent:")
        assert said == ("Sent: the answers saved on this device reached the class server. "
                        "Checked: 0 / 7 points. 7 questions are not fully right; feedback is "
                        "under each question. Attempt 2 is stored on the class server. "
                        "1 try left. You have changed question 4 since: check again to send "
                        "the new answers.")
        assert waiting(cy_page) == [] and cy.answered[cy_attempt] == 1
        q4 = cy_page.locator('[data-question-id="q4"]')
        assert q4.locator("input").input_value() == "Khmeimim"
        assert q4.locator(".qb-verdict").count() == 0
        assert cy_page.locator(".qb-verdict").count() == len(quiz.questions) - 1

        # Bo has the lesson open twice; the server dies; Bo checks while it is down.
        bo_again = bo.open(base)
        wait_for_status(bo_again, "Your answers on the class server are back (attempt 1")
        acknowledged = {a for who in (ada, bo, cy) for a in who.answered}
        assert len(acknowledged) == 4
        server.kill()
        answer_by_keyboard(bo_page, quiz, partly_bo)
        check_by_keyboard(bo_page)
        wait_for_status(bo_page, "saved on this device")
        [queued] = waiting(bo_page)
        bo_attempt = queued.rsplit(":", 1)[1]
        assert waiting(bo_again) == [queued]  # the same storage: either tab may send it
        assert all(stored_attempts(db_url).get(a) == 1 for a in acknowledged), "an answer was lost"

        restarted = serve(book, db_url, "--policy", str(policy), port=port)
        assert restarted.class_code == server.class_code
        # Both tabs open again at once: one of them sends what waits, once.
        bo_page.evaluate("location.reload()")
        bo_again.evaluate("location.reload()")
        for page in (bo_page, bo_again):
            page.wait_for_load_state()
            said = wait_for_status(page, "(attempt 2,")
            assert "Your answers on the class server are back (attempt 2," in said
            assert page.locator('[data-question-id="q4"] input').input_value() == "Hmeimim"
        assert bo.answered[bo_attempt] == 1
        # The tabs keep each other in step (the storage event) without echoing for ever.
        asked = len(bo.asked)
        bo_page.wait_for_timeout(2000)
        assert len(bo.asked) == asked
        assert waiting(bo_page) == []
        ids = stored_attempts(db_url)
        assert ids.get(bo_attempt) == 1 and ids.get(cy_attempt) == 1
        assert set(ids) == acknowledged | {bo_attempt} and set(ids.values()) == {1}

        # The instructor closes the quiz: marks appear, and a late Check does not count.
        closed = httpx.post(f"{base}/instructor/quizzes/{QUIZ}/close",
                            headers={"authorization": f"Bearer {TOKEN}", "origin": base})
        assert closed.status_code in (200, 303), closed.text
        ada_page.reload()
        said = wait_for_status(ada_page, "This quiz is closed")
        assert "answers sent now are stored and marked late, and they do not count." in said
        assert ada_page.locator(".qb-mark").count() > 0
        answer_by_keyboard(ada_page, quiz, wrong)
        check_by_keyboard(ada_page)
        said = wait_for_status(ada_page, "Attempt 2")
        assert said.endswith("Attempt 2 is stored on the class server. It arrived after the "
                             "quiz closed: it is marked late and does not count. 1 try left.")
        assert ada_page.locator(".qb-wrong").count() > 0

        # The class pages are axe-clean (the lesson with the server's feedback and marks).
        failures = {name: violations(page) for name, page in
                    (("lesson, closed", ada_page), ("lesson, sent", cy_page))}
        cy_page.goto(base + "/class")
        failures["class page"] = violations(cy_page)
        assert {k: v for k, v in failures.items() if v} == {}

        # Nothing any page received carries the key: fetched again with Cy's session.
        markers = key_markers(open_book(book).quizzes())
        urls = sorted(u for who in (ada, bo, cy) for u in who.urls if u.startswith(base))
        assert any(u.endswith(LESSON) for u in urls) and any("/answers" in u for u in urls)
        for url in urls:
            body = cy.context.request.get(url).body()
            assert scan_bytes(body, markers) == [], url
            assert list(bundle_problems(body)) == [], url
        assert scan_folder(html_dir(book), open_book(book).quizzes()) == []
        assert [e for who in (ada, bo, cy) for e in who.errors] == []

    # The export counts each Check once: the last one in time, never a late one.
    out = tmp_path / "export"
    capsys.readouterr()
    assert main(["class", "export", "--book", str(book), "--db", db_url, "--policy",
                 str(policy), "-o", str(out)]) == 0
    with (out / "scores.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    column = f"{QUIZ} score (of 7)"
    assert {name: (row[column], row[f"{QUIZ} attempts"], row[f"{QUIZ} late attempts"])
            for name, row in rows.items()} == {
        "Ada Lovelace": ("7", "2", "1"),
        "Bo Diddley": (f"{score(quiz, partly_bo):g}", "2", "0"),
        "Cy Twombly": ("0", "2", "0"),
    }
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        passed = {row["student"]: row[next(k for k in row if k.startswith(QUIZ))]
                  for row in csv.DictReader(handle)}
    assert passed == {"Ada Lovelace": "pass", "Bo Diddley": "fail", "Cy Twombly": "fail"}
    assert "3 student(s) with attempts, 6 attempt(s), 0 vote(s)" in capsys.readouterr().err
