"""A peer-instruction round in real Chromium against a real `quizbook serve`.

The instructor's dashboard and the projector are Chromium pages (the projector on
"another computer": a separate browser context paired with a one-time link); three
students vote through the HTTP API with their own session cookies (`HttpVoter`). A
student in a browser (`PageVoter`) votes on the vote page; once the runtime's remote
grader is on main, swap `HttpVoter` for `PageVoter` (same `join`/`vote` methods).

Checked on the way: the live dashboard, the projector never showing names or live
results while a vote is open (its DOM text), the reveal, the second vote, the shift
table, the export and its LMS files, axe-core on every page, keyboard use, and the
pages without JavaScript.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

from quizbook.cli import main
from tests.browser_support import guarded_page
from tests.server.conftest import QUIZ, TOKEN, Server, csrf_of
from tests.server.test_pages_browser import WIDTHS, violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LIVE = 20_000  # ms: how long Playwright waits for a live update before failing


class Voter(Protocol):
    name: str

    def join(self) -> None: ...

    def vote(self, answer: str) -> None: ...


class HttpVoter:
    """A student's phone, driven through the HTTP API with its own cookies."""

    def __init__(self, server: Server, name: str, number: str) -> None:
        self.server, self.name, self.number = server, name, number
        self.client = httpx.Client(base_url=server.base, headers={"origin": server.base},
                                   timeout=30, follow_redirects=True)

    def join(self) -> None:
        page = self.client.get("/join")
        joined = self.client.post("/join", data={"csrf": csrf_of(page.text), "name": self.name,
                                                 "number": self.number,
                                                 "code": self.server.class_code})
        assert joined.url.path == "/class", joined.text

    def vote(self, answer: str) -> None:
        current = self.client.get("/api/vote").json()["round"]
        sent = self.client.post("/api/vote", json={"vote_id": uuid.uuid4().hex,
                                                   "round": current["id"], "response": answer})
        assert sent.status_code == 200, sent.text

    def check(self, responses: dict[str, Any], version: str) -> None:
        sent = self.client.post(f"/api/quizzes/{QUIZ}/check", json={
            "attempt_id": uuid.uuid4().hex, "version": version, "responses": responses})
        assert sent.status_code == 200, sent.text


class PageVoter:
    """A student in Chromium: the join form and the vote page, by keyboard."""

    def __init__(self, server: Server, page: Any, name: str, number: str) -> None:
        self.server, self.page, self.name, self.number = server, page, name, number

    def join(self) -> None:
        self.page.goto(self.server.base + "/join")
        self.page.fill("#name", self.name)
        self.page.fill("#number", self.number)
        self.page.fill("#code", self.server.class_code)
        self.page.press("#code", "Enter")
        self.page.wait_for_url("**/class")

    def vote(self, answer: str) -> None:
        self.page.goto(self.server.base + "/vote")
        self.page.focus(f"#answer-{answer}")
        self.page.keyboard.press("Space")
        submit(self.page)


def submit(page: Any) -> None:
    """Tab from the focused choice to the vote button and press it."""
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector(".recorded")


def said(page: Any, selector: str = "main") -> str:
    return " ".join(str(page.inner_text(selector)).split())


def version_of(server: Server) -> str:
    voter = httpx.Client(base_url=server.base, headers={"origin": server.base},
                         follow_redirects=True)
    page = voter.get("/join")
    voter.post("/join", data={"csrf": csrf_of(page.text), "name": "Version Reader",
                              "number": "", "code": server.class_code})
    me = voter.get("/api/me").json()
    voter.close()
    return str(next(q["version"] for q in me["quizzes"] if q["id"] == QUIZ))


def test_a_peer_instruction_round_in_chromium(
        minimal_class_book: Path, serve: Callable[..., Server], browser: Any,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_url = f"sqlite:///{tmp_path / 'class.db'}"
    server = serve(minimal_class_book, db_url)
    version = version_of(server)
    students = [HttpVoter(server, "Ada Lovelace", "S-100"), HttpVoter(server, "Bo Bold", "S-200"),
                HttpVoter(server, "Cy <em>Young</em>", "S-300")]
    names = ["Ada", "Lovelace", "Bo Bold", "Cy", "Young"]
    failures: dict[str, list[str]] = {}
    with guarded_page(browser) as (teacher, guard), \
            guarded_page(browser) as (projector, projector_guard):
        teacher.goto(f"{server.base}/instructor?token={TOKEN}")
        teacher.wait_for_url("**/instructor/")
        assert TOKEN not in teacher.url
        for pupil in students:
            pupil.join()
        # The dashboard follows the class live (no reload).
        summary = teacher.locator("#live-summary")
        summary.filter(has_text="4 students joined").wait_for(timeout=LIVE)
        students[0].check({"q1": "b", "q2": ["a", "b"]}, version)
        summary.filter(has_text="1 Check").wait_for(timeout=LIVE)
        failures["dashboard"] = violations(teacher)
        teacher.click("text=Every question type")
        teacher.wait_for_url(f"**/instructor/quizzes/{QUIZ}")
        assert "Right: 1 of 1 (100%)" in said(teacher)
        failures["quiz page"] = violations(teacher)

        # The projector: another computer, paired with a one-time link (no token).
        teacher.goto(server.base + "/instructor/vote")
        teacher.click("text=Make a projector link")
        link = str(teacher.inner_text("#pairing-link")).strip()
        assert re.fullmatch(re.escape(server.base) + r"/projector/pair/[A-Z0-9]{10}", link)
        projector.goto(link)
        projector.wait_for_url("**/projector")
        assert "pair" not in projector.url and TOKEN not in projector.content()
        assert said(projector) == "Peer instruction No question yet."

        # Vote 1, started by keyboard.
        teacher.focus("#pi-question")
        teacher.select_option("#pi-question", f"{QUIZ}/q1")
        teacher.keyboard.press("Tab")
        assert teacher.evaluate("document.activeElement.id") == "pi-start"
        teacher.keyboard.press("Enter")
        teacher.wait_for_selector("#pi-close")
        projected = projector.locator("#projector")
        projected.filter(has_text="0 voted.").wait_for(timeout=LIVE)
        for pupil, answer in zip(students, ["a", "b", "a"], strict=True):
            pupil.vote(answer)
        projected.filter(has_text="3 voted.").wait_for(timeout=LIVE)
        open_text = said(projector)
        assert "When did the Russian air campaign in Syria begin?" in open_text
        assert "vote 1 · open" in open_text
        for leak in ["%", "Right", "right answer", "the answer", "chose", *names]:
            assert leak not in open_text, leak
        # The instructor's own screen has the live distribution.
        teacher.locator("#live-pi").filter(has_text="a: March 2011 2 67%").wait_for(
            timeout=LIVE)
        failures["peer instruction (open)"] = violations(teacher)
        failures["projector (open)"] = violations(projector)

        teacher.click("#pi-close")
        projected.filter(has_text="Discuss with your neighbours").wait_for(timeout=LIVE)
        assert "%" not in said(projector)

        # Vote 2, then the reveal and the results on the projector.
        teacher.click("#pi-again")
        projected.filter(has_text="vote 2 · open").wait_for(timeout=LIVE)
        for pupil, answer in zip(students, ["b", "b", "c"], strict=True):
            pupil.vote(answer)
        projected.filter(has_text="3 voted.").wait_for(timeout=LIVE)
        assert "%" not in said(projector) and "Vote 1:" not in said(projector)
        teacher.click("#pi-close")
        teacher.click("#pi-reveal")
        projected.filter(has_text="the answer").wait_for(timeout=LIVE)
        assert "%" not in said(projector)  # the key, but no results until shown
        teacher.click("#pi-show")
        projected.filter(has_text="Wrong → right").wait_for(timeout=LIVE)
        final = said(projector)
        assert "30 September 2015 the answer" in final
        assert "Right: 2 of 3 (67%)" in final
        assert "Wrong → right 1" in final and "Unchanged, right 1" in final
        assert "Wrong → another wrong answer 1" in final and "Unchanged, wrong 0" in final
        assert "Right → wrong 0" in final
        assert all(name not in final for name in names)
        failures["projector (results)"] = violations(projector)
        panel = said(teacher, "#live-pi")
        assert "Right in vote 1 → vote 2 (of 3 who voted twice) 1 → 2" in panel
        failures["peer instruction (closed)"] = violations(teacher)
        guard.check()
        projector_guard.check()

    # Without JavaScript, the same pages work by reloading.
    with guarded_page(browser, java_script_enabled=False) as (plain, _):
        plain.goto(f"{server.base}/instructor?token={TOKEN}")
        assert "4 students joined · 1 Check · 6 votes" in said(plain)
        plain.goto(server.base + "/instructor/vote")
        assert "Wrong → right 1" in said(plain)

    # The export keeps both rounds, the shift table and the grades for the LMS.
    out = tmp_path / "export"
    assert main(["class", "export", "--book", str(minimal_class_book), "--db", db_url,
                 "-o", str(out)]) == 0
    capsys.readouterr()
    with (out / "peer-instruction-shifts.csv").open(encoding="utf-8", newline="") as handle:
        shifts = list(csv.DictReader(handle))
    assert len(shifts) == 1
    assert {k: shifts[0][k] for k in ("question", "voted in both", "wrong to right",
                                      "right to wrong", "unchanged right",
                                      "wrong to another wrong")} == {
        "question": "q1", "voted in both": "3", "wrong to right": "1", "right to wrong": "0",
        "unchanged right": "1", "wrong to another wrong": "1"}
    with (out / "peer-instruction.csv").open(encoding="utf-8", newline="") as handle:
        rounds = [(r["vote"], r["voters"], r["answers (votes per answer)"])
                  for r in csv.DictReader(handle)]
    assert rounds == [("1", "3", "a: 2; b: 1; c: 0"), ("2", "3", "a: 0; b: 2; c: 1")]
    with (out / "canvas-grades.csv").open(encoding="utf-8", newline="") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0][:6] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                             "Every question type"]
    assert canvas[1][0] == "Points Possible" and canvas[1][5] == "7"
    graded = {row[0]: (row[2], row[5]) for row in canvas[2:]}
    assert graded["Ada Lovelace"] == ("S-100", "2")  # her Check, not her votes
    assert graded["Bo Bold"] == ("S-200", "")
    with (out / "moodle-grades.csv").open(encoding="utf-8", newline="") as handle:
        moodle = list(csv.reader(handle))
    assert moodle[0] == ["ID number", "Full name", "Every question type"]
    assert ["S-100", "Ada Lovelace", "2"] in moodle and ["S-200", "Bo Bold", "-"] in moodle
    assert {key: value for key, value in failures.items() if value} == {}


@pytest.mark.parametrize("viewport", WIDTHS, ids=["desktop", "phone"])
def test_a_student_votes_on_the_vote_page_by_keyboard(
        minimal_class_book: Path, serve: Callable[..., Server], browser: Any, tmp_path: Path,
        viewport: dict[str, int]) -> None:
    server = serve(minimal_class_book, f"sqlite:///{tmp_path / 'class.db'}")
    failures: dict[str, list[str]] = {}
    with guarded_page(browser, viewport=viewport) as (page, guard):
        cy = PageVoter(server, page, "Cy Young", "S-300")
        cy.join()
        page.goto(server.base + "/vote")
        assert "No vote yet" in said(page)
        failures["vote page (no vote)"] = violations(page)
        teacher = httpx.Client(base_url=server.base, headers={
            "origin": server.base, "authorization": f"Bearer {TOKEN}"})
        teacher.post("/instructor/pi/open", data={"question": f"{QUIZ}/q2"})
        # The open page hears that a vote started and shows its form by itself.
        page.locator("#vote").filter(has_text="vote 1 · open").wait_for(timeout=LIVE)
        cy.vote("a")
        page.focus("#answer-b")
        page.keyboard.press("Space")
        submit(page)
        page.wait_for_selector("text=Your vote is recorded: a+b")
        failures["vote page (voted)"] = violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], "the vote page scrolls sideways"
        round_id = cy_round(teacher)
        teacher.post(f"/instructor/pi/{round_id}/close")
        teacher.post(f"/instructor/pi/{round_id}/reveal")
        page.locator("#vote").filter(has_text="The answer: Khmeimim; Tartus").wait_for(
            timeout=LIVE)
        failures["vote page (revealed)"] = violations(page)
        teacher.close()
        guard.check()
    assert {key: value for key, value in failures.items() if value} == {}


def cy_round(teacher: httpx.Client) -> int:
    page = teacher.get("/instructor/vote").text
    found = re.search(r"/instructor/pi/(\d+)/close", page)
    assert found is not None
    return int(found.group(1))
