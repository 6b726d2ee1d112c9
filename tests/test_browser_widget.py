"""The runtime's notebook host and its remote grader, in real Chromium.

The ES module anywidget loads in JupyterLab (`quizbook.runtime.build.widget_module()`) is
imported by a page served over HTTP and rendered with a stand-in for anywidget's model
(get/set/save_changes/on/off/send, as https://anywidget.dev/en/afm/ defines them). The
widget must show the book's quiz from the book's markup and work as it does in the book,
keeping its progress in the model (the kernel writes it to disk: tests/test_widgets.py),
carrying over progress the earlier ipywidgets quiz saved, handing records it refuses to
the kernel, and sending the results download to the kernel as well.

The book's quiz with a class server: a lesson page whose quiz names a server
(`data-quizbook-server`), with the class-mode script, grades through RemoteGrader; the
server is played by Playwright's request routing, with the reply shape of the class
server's API. Without the class-mode script such a quiz stays unscripted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.grade import matching_rights
from quizbook.load import load_quiz
from quizbook.results import parse_results
from quizbook.runtime.build import classic_script, stylesheet, widget_module
from quizbook.sphinx.render import quiz_html
from tests.browser_support import answer_quiz, check, guarded_page, quiz_pages, score_of
from tests.conftest import MINIMAL_BOOK, ROOT

pytestmark = pytest.mark.browser

QUIZ = "m1-all-types"
QUIZ_FILE = MINIMAL_BOOK / "quizzes" / f"{QUIZ}.yml"
OLD_PROGRESS = ROOT / "tests" / "fixtures" / "old-widget-progress.json"
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>quiz widget</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="runtime.css"></head>
<body><main><h1>Notebook</h1><h2>A lesson</h2><div id="output"></div></main></body></html>
"""
#: anywidget's model, played by a plain object; `trigger` plays a change from the kernel.
RENDER = """async (state) => {
  const widget = (await import("./runtime.mjs")).default;
  const listeners = {};
  const model = {
    state, sent: [], saved: [],
    get(name) { return this.state[name]; },
    set(name, value) { this.state[name] = value; },
    save_changes() { this.saved.push(JSON.parse(JSON.stringify(this.state))); },
    on(event, callback) { (listeners[event] = listeners[event] || []).push(callback); },
    off(event, callback) {
      listeners[event] = (listeners[event] || []).filter((c) => c !== callback);
    },
    send(content) { this.sent.push(content); },
    trigger(name, value) {
      this.state[name] = value;
      (listeners["change:" + name] || []).forEach((callback) => callback());
    },
    listening(event) { return (listeners[event] || []).length; },
  };
  window.model = model;
  window.unrender = widget.render({ model, el: document.getElementById("output") });
}"""


@pytest.fixture(scope="module")
def quiz() -> model.Quiz:
    return load_quiz(QUIZ_FILE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, http_server: Any) -> str:
    folder = tmp_path_factory.mktemp("widget-site")
    (folder / "runtime.mjs").write_text(widget_module(), encoding="utf-8")
    (folder / "runtime.css").write_text(stylesheet(), encoding="utf-8")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    url: str = http_server(folder)
    return url


@pytest.fixture
def open_widget(browser: Any, site: str, quiz: model.Quiz) -> Iterator[Any]:
    """open(record="", student="", notice=""): a page showing the widget with that state."""
    markup = quiz_html(make_bundle(quiz), 3)
    with guarded_page(browser, accept_downloads=True) as (page, guard):
        def open_with(record: str = "", student: str = "", notice: str = "") -> Any:
            page.goto(site + "index.html")
            page.evaluate(RENDER, {"markup": markup, "record": record, "student": student,
                                   "notice": notice})
            return page

        yield open_with
        guard.check()


def state(page: Any) -> dict[str, Any]:
    value: dict[str, Any] = page.evaluate("window.model.state")
    return value


def sent(page: Any) -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = page.evaluate("window.model.sent")
    return value


def status(page: Any) -> str:
    return str(page.locator(f'[data-quizbook-quiz="{QUIZ}"] .qb-status').inner_text())


def test_the_widget_is_the_books_quiz(open_widget: Any, quiz: model.Quiz) -> None:
    page = open_widget()
    host = page.locator("#output")
    assert host.get_attribute("data-lm-suppress-shortcuts") == "true"
    assert "qb-widget" in (host.get_attribute("class") or "")
    assert host.locator(".qb-nojs").count() == 0  # the runtime took over the markup
    assert host.locator("[data-question-id]").count() == len(quiz.questions)
    answer_quiz(page, quiz, correct=False)
    check(page, QUIZ)
    assert score_of(page, QUIZ)[0] < quiz.max_points
    assert host.locator(".qb-mark", has_text="not right").count() >= 1
    answer_quiz(page, quiz, correct=True)
    check(page, QUIZ)
    assert score_of(page, QUIZ) == (quiz.max_points, quiz.max_points, "7 / 7")
    assert "All right!" in status(page)
    assert host.locator(".qb-done").count() == len(quiz.questions)
    assert host.locator(".qb-expl").count() >= 1  # explanations unsealed with the right answer
    record = json.loads(state(page)["record"])
    assert record["v"] == 1 and record["attempts"] == 2
    assert record["version"] == make_bundle(quiz)["version"]
    assert all(o["correct"] for o in record["outcomes"].values())
    assert page.evaluate("window.model.saved.length") >= 2  # every check went to the kernel


def test_progress_of_the_old_ipywidgets_quiz_comes_back(open_widget: Any,
                                                       quiz: model.Quiz) -> None:
    old = json.loads(OLD_PROGRESS.read_text(encoding="utf-8"))
    record = {k: v for k, v in old.items() if k not in ("format", "quiz", "student")}
    page = open_widget(record=json.dumps(record), student="Ada Lovelace")
    root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
    # The answers are back in the controls, and the score is their grade now: 2.75 of 7.
    assert root.locator('[data-question-id="q1"] input[value="b"]').is_checked()
    assert root.locator('[data-question-id="q2"] input[value="a"]').is_checked()
    assert root.locator('[data-question-id="q3"] input[value="false"]').is_checked()
    assert root.locator('[data-question-id="q4"] input').input_value() == "hmeimim"
    assert root.locator('[data-question-id="q5"] input').input_value() == "2020"
    assert root.locator('select[data-item-id="palmyra"]').input_value() == "2"
    # Saved under the version scheme before issue 12: its matching answer is renumbered
    # (old r1 was "US garrison"), still wrong for Khmeimim.
    garrison = next(r for r, text in matching_rights(quiz.questions[6]) if text == "US garrison")
    assert root.locator('select[data-item-id="khmeimim"]').input_value() == garrison
    assert score_of(page, QUIZ) == (2.75, 7, "2.75 / 7")
    assert root.locator("[data-quizbook-student]").input_value() == "Ada Lovelace"
    assert root.locator("[data-quizbook-who-name]").inner_text() == "Ada Lovelace"
    assert root.locator("[data-quizbook-name-form]").is_hidden()
    assert "Your saved answers are back (2 checks" in status(page)
    assert root.locator(".qb-verdict").count() == 7
    assert sent(page) == []  # nothing was set aside


def test_a_forged_record_goes_back_to_the_kernel_to_be_set_aside(open_widget: Any,
                                                                  quiz: model.Quiz) -> None:
    old = json.loads(OLD_PROGRESS.read_text(encoding="utf-8"))
    forged = {**old, "outcomes": {**old["outcomes"], "q2": {"points": 9, "max": 1,
                                                            "correct": True, "attempts": 1}}}
    raw = json.dumps(forged)
    page = open_widget(record=raw)
    assert sent(page) == [{"kind": "set-aside", "text": raw}]
    assert state(page)["record"] == ""
    assert "starts fresh" in status(page) and score_of(page, QUIZ)[0] == 0
    # The kernel answers with a notice, shown in the status line.
    page.evaluate("window.model.trigger('notice', 'Your saved file was kept as x.stale-1.')")
    assert status(page) == "Your saved file was kept as x.stale-1."
    answer_quiz(page, quiz, correct=True)
    check(page, QUIZ)
    assert json.loads(state(page)["record"])["attempts"] == 1


def test_points_a_record_claims_are_never_shown_or_downloaded(open_widget: Any,
                                                              quiz: model.Quiz,
                                                              tmp_path: Path) -> None:
    """A progress file edited to full marks for wrong answers (issue 12 §2): the notebook
    shows and downloads what the answers are worth, 0."""
    forged = {"v": 1, "version": make_bundle(quiz)["version"], "attempts": 1,
              "first": "2026-01-01T00:00:00Z", "last": "2026-01-01T00:00:00Z",
              "responses": {q.id: None for q in quiz.questions} | {"q1": "a", "q5": "1999"},
              "outcomes": {q.id: {"points": q.points, "max": q.points, "correct": True,
                                  "attempts": 1} for q in quiz.questions}}
    page = open_widget(record=json.dumps(forged), student="Mallory")
    root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
    root.locator(".qb-verdict").first.wait_for()
    assert score_of(page, QUIZ) == (0, 7, "0 / 7") and sent(page) == []
    assert root.locator(".qb-verdict").first.inner_text() == "✗ Not right yet. 0 / 1 points."
    with page.expect_download() as info:
        root.locator('[data-quizbook-action="download"]').click()
    path = tmp_path / "r.json"
    info.value.save_as(path)
    [result] = parse_results(path.read_bytes(), "r.json").quizzes
    assert result.score == 0 and all(q.points == 0 for q in result.questions)


def test_download_goes_to_the_browser_and_a_copy_to_the_kernel(open_widget: Any,
                                                                quiz: model.Quiz,
                                                                tmp_path: Path) -> None:
    page = open_widget()
    root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
    root.locator('[data-quizbook-action="download"]').click()
    assert "no results to download yet" in status(page) and sent(page) == []
    answer_quiz(page, quiz, correct=True)
    check(page, QUIZ)
    root.locator("[data-quizbook-student]").fill("Ada Student")
    with page.expect_download() as info:
        root.locator('[data-quizbook-action="download"]').click()
    assert state(page)["student"] == "Ada Student"
    name = info.value.suggested_filename
    assert re.fullmatch(rf"results-ada-student-{QUIZ}-\d{{4}}-\d\d-\d\d\.json", name), name
    assert root.locator(".qb-switch").is_hidden()  # a notebook folder is one student's
    downloaded = tmp_path / "results.json"
    info.value.save_as(downloaded)
    browser_copy = parse_results(downloaded.read_bytes(), "results.json")
    [message] = sent(page)
    assert message["kind"] == "results" and message["name"] == name
    kernel_copy = parse_results(message["text"].encode(), "message")
    assert browser_copy == kernel_copy
    assert kernel_copy.source == "notebook" and kernel_copy.student == "Ada Student"
    assert kernel_copy.quizzes[0].score == quiz.max_points
    page.evaluate("window.model.trigger('notice', 'Downloaded. A copy is next to this notebook.')")
    assert status(page) == "Downloaded. A copy is next to this notebook."


#: JupyterLab's dark theme marks the body and paints it dark (its --jp-layout-color0, font).
JUPYTERLAB_DARK = """() => { document.body.dataset.jpThemeLight = "false";
  document.body.style.background = "#111111";
  document.body.style.color = "rgba(255,255,255,.87)"; }"""


@pytest.mark.parametrize("theme", ["light", "jupyterlab-dark"])
def test_keyboard_only_and_no_axe_violations(open_widget: Any, quiz: model.Quiz,
                                             theme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = open_widget()
    if theme == "jupyterlab-dark":
        page.evaluate(JUPYTERLAB_DARK)
    root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
    root.locator('[data-question-id="q4"] input').focus()
    page.keyboard.type("Hmeimim")
    while page.evaluate("document.activeElement.dataset.quizbookAction") != "check":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert "✓ Right." in root.locator('[data-question-id="q4"] .qb-fb').inner_text()
    assert score_of(page, QUIZ)[0] == 1
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus on the button
    report = Axe().run(page, context="#output")
    violations = [(v["id"], v["help"]) for v in report.response["violations"]]
    assert violations == [] and report.response["passes"]


def test_unrender_stops_listening(open_widget: Any) -> None:
    page = open_widget()
    assert page.evaluate("window.model.listening('change:notice')") == 1
    page.evaluate("window.unrender()")
    assert page.evaluate("window.model.listening('change:notice')") == 0


# -- the book with a class server: RemoteGrader ----------------------------------------------


def server_reply(quiz: model.Quiz, parts: bool) -> dict[str, Any]:
    questions = {}
    for n, q in enumerate(quiz.questions):
        right = n % 2 == 0
        questions[q.id] = {
            "outcome": {"points": q.points if right else 0, "max": q.points, "correct": right,
                        "answered": True, "parts": {"answer": right} if parts else {}},
            "feedback": {"server": f"<em>From the server</em> about {q.id}"} if parts else {},
            "explanation": "<strong>Server</strong> explanation" if right and parts else None}
    return {"questions": questions, "score": 4, "max": 7, "late": False, "attempt": 1,
            "attempts_left": 2}


def class_lesson(page: Any, minimal_book_html: Path, http_server: Any,
                 class_mode: bool = True) -> str:
    """Route the minimal book's lesson as a class server would serve it: its quiz names the
    server, and (in class mode) the script is the class-mode build."""
    lesson = next(p for p, ids in quiz_pages(minimal_book_html).items() if QUIZ in ids)
    url = http_server(minimal_book_html) + lesson.relative_to(minimal_book_html).as_posix()

    def serve_lesson(route: Any) -> None:
        body = route.fetch().text()
        body = body.replace(f'data-quizbook-quiz="{QUIZ}"',
                            f'data-quizbook-quiz="{QUIZ}" data-quizbook-server=""')
        route.fulfill(body=body, content_type="text/html")

    page.route(url, serve_lesson)
    if class_mode:
        page.route(re.compile(r".*/_static/quizbook-[0-9a-f]+\.js(\?.*)?$"),
                   lambda route: route.fulfill(body=classic_script(class_mode=True),
                                               content_type="text/javascript"))
    return url


@pytest.fixture
def class_page(minimal_book_html: Path, http_server: Any, browser: Any) -> Iterator[Any]:
    """The class lesson; requests to the check API are answered by `reply` (a status and a
    body, or abort)."""
    with guarded_page(browser) as (page, guard):
        requests: list[dict[str, Any]] = []
        reply: dict[str, Any] = {}
        url = class_lesson(page, minimal_book_html, http_server)

        def serve_check(route: Any) -> None:
            requests.append({"url": route.request.url, "method": route.request.method,
                             "body": json.loads(route.request.post_data or "null")})
            if reply.get("abort"):
                route.abort()
            else:
                route.fulfill(status=reply["status"], body=json.dumps(reply["body"]),
                              content_type="application/json")

        page.route(re.compile(r".*/api/quizzes/[^/]+/check$"), serve_check)
        page.goto(url)
        yield page, requests, reply
        guard.errors = [e for e in guard.errors if "HTTP 4" not in e and "HTTP 5" not in e
                        and "Failed to load resource" not in e]
        guard.check()


def test_book_quiz_grades_through_the_class_server(class_page: Any, quiz: model.Quiz) -> None:
    page, requests, reply = class_page
    reply.update(status=200, body=server_reply(quiz, parts=True))
    answer_quiz(page, quiz, correct=True)
    check(page, QUIZ)
    root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
    root.locator(".qb-verdict").first.wait_for()
    [request] = requests
    assert request["method"] == "POST"
    assert request["url"].endswith(f"/api/quizzes/{QUIZ}/check")
    body = request["body"]
    assert set(body) == {"attempt_id", "version", "responses"}
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        body["attempt_id"])
    assert body["version"] == make_bundle(quiz)["version"]
    assert body["responses"]["q1"] == "b" and set(body["responses"]) == \
        {q.id for q in quiz.questions}
    # What the server said is what the student sees: its points, feedback and explanation.
    assert score_of(page, QUIZ)[0] == 4
    first = root.locator('[data-question-id="q1"]')
    assert "From the server about q1" in first.locator(".qb-fb").inner_text()
    assert first.locator(".qb-fb em").count() == 1
    assert "Server explanation" in first.locator(".qb-expl").inner_text()
    assert "✗ Not right yet." in root.locator('[data-question-id="q2"] .qb-fb').inner_text()
    # A second check is a new attempt id.
    check(page, QUIZ)
    page.wait_for_function("document.querySelector('[data-quizbook-quiz] .qb-status')"
                           ".textContent.startsWith('Checked')")
    assert len(requests) == 2 and requests[1]["body"]["attempt_id"] != body["attempt_id"]


def test_class_server_may_hide_parts_and_feedback(class_page: Any, quiz: model.Quiz) -> None:
    page, _, reply = class_page
    reply.update(status=200, body=server_reply(quiz, parts=False))
    answer_quiz(page, quiz, correct=False)
    check(page, QUIZ)
    root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
    root.locator(".qb-verdict").first.wait_for()
    assert root.locator(".qb-mark").count() == 0 and root.locator(".qb-expl").count() == 0
    assert root.locator(".qb-verdict").count() == len(quiz.questions)
    assert score_of(page, QUIZ)[0] == 4


@pytest.mark.parametrize(("reply", "said"), [
    ({"status": 409, "body": {"error": "This quiz is closed."}},
     "The class server refused the answers (HTTP 409). This quiz is closed."),
    ({"status": 200, "body": {"questions": {"q1": {"outcome": {"points": 5, "max": 1}}}}},
     "The class server sent a reply this page cannot read."),
    ({"abort": True}, "The class server cannot be reached: your answers are still here"),
])
def test_class_server_problems_are_said_and_answers_kept(class_page: Any, quiz: model.Quiz,
                                                         reply: dict[str, Any],
                                                         said: str) -> None:
    page, requests, route_reply = class_page
    route_reply.update(reply)
    answer_quiz(page, quiz, correct=True)
    check(page, QUIZ)
    root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
    page.wait_for_function("document.querySelector('[data-quizbook-quiz] .qb-status')"
                           ".textContent.length > 0")
    assert root.locator(".qb-status").inner_text().startswith(said)
    assert len(requests) == 1 and root.locator(".qb-verdict").count() == 0
    assert root.locator('[data-question-id="q1"] input[value="b"]').is_checked()
    assert page.evaluate(f"localStorage.getItem('quizbook:v1:quiz:{QUIZ}')") is None


def test_class_quiz_without_the_class_mode_script_stays_unscripted(
        minimal_book_html: Path, http_server: Any, browser: Any) -> None:
    """The book's own script has no RemoteGrader: such a quiz keeps its no-script note and
    is not graded offline behind the server's back."""
    with guarded_page(browser) as (page, guard):
        warnings: list[str] = []
        page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
        page.goto(class_lesson(page, minimal_book_html, http_server, class_mode=False))
        root = page.locator(f'[data-quizbook-quiz="{QUIZ}"]')
        assert root.locator(".qb-nojs").count() == 1
        assert root.locator('[data-quizbook-action="check"]').is_hidden()
        assert any("a class-server quiz needs the class-mode script" in w for w in warnings)
        assert "class RemoteGrader" not in classic_script()
        assert "class RemoteGrader" in classic_script(class_mode=True)
        guard.check()
