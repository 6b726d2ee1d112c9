"""Peer instruction on SQLite and PostgreSQL: rounds, votes (exactly once, changeable
while open, refused once closed), what the projector and the students may see in each
phase, the shift table, and that votes never count as tries or grades."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from quizbook.server.app import Classroom
from quizbook.server.models import Answer, Attempt, Round
from quizbook.server.peer import shift
from tests.server.asgi import AppClient
from tests.server.conftest import QUIZ, Student, csrf_of


def text_of(markup: str) -> str:
    """What a page says (tags dropped, entities read, white space collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


class Instructor:
    def __init__(self, client: AppClient) -> None:
        self.client = client
        self.token = csrf_of(client.get("/instructor/vote").text)

    def post(self, path: str, **data: str) -> Any:
        return self.client.post(path, data={"csrf": self.token, **data},
                                follow_redirects=False)

    def open(self, question: str = "q1", quiz: str = QUIZ) -> int:
        response = self.post("/instructor/pi/open", question=f"{quiz}/{question}")
        assert response.status_code == 303, response.text
        return current_round(self)

    def act(self, round_id: int, action: str) -> Any:
        return self.post(f"/instructor/pi/{round_id}/{action}")


def current_round(instructor: Instructor) -> int:
    page = instructor.client.get("/instructor/vote").text
    found = re.search(r'/instructor/pi/(\d+)/', page)
    assert found is not None, page
    return int(found.group(1))


def vote(pupil: Student, round_id: int, response: Any, vote_id: str | None = None) -> Any:
    return pupil.client.post("/api/vote", json={"vote_id": vote_id or uuid.uuid4().hex,
                                                "round": round_id, "response": response})


@pytest.fixture
def teacher(instructor: AppClient) -> Instructor:
    return Instructor(instructor)


def test_a_round_from_vote_to_shift_table(room: Classroom, teacher: Instructor,
                                          student: Callable[..., Student]) -> None:
    ada, bo, cy = student("Ada"), student("Bo"), student("Cy")
    first = teacher.open("q1")
    assert ada.client.get("/api/vote").json()["round"] == {
        "id": first, "quiz": QUIZ, "question": "q1", "number": 1, "open": True,
        "state": f"{first}-open"}
    for pupil, answer in ((ada, "a"), (bo, "b"), (cy, "a")):
        reply = vote(pupil, first, answer)
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"round": first, "recorded": True, "response": answer,
                                "changes": 0}
    assert vote(cy, first, "c").json()["changes"] == 1  # Cy changes her mind: last counts
    assert teacher.act(first, "close").status_code == 303
    late = vote(ada, first, "b")
    assert (late.status_code, late.json()) == (409, {
        "error": "this vote is closed: votes sent after the close are not counted"})

    second = teacher.open("q1")
    assert second != first
    for pupil, answer in ((ada, "b"), (bo, "b"), (cy, "a")):
        assert vote(pupil, second, answer).status_code == 200
    teacher.act(second, "close")
    panel = text_of(teacher.client.get("/instructor/vote").text)
    assert "Wrong → right 1" in panel  # Ada a -> b
    assert "Unchanged, right 1" in panel  # Bo b -> b
    assert "Wrong → another wrong answer 1" in panel  # Cy c -> a
    assert "Right → wrong 0" in panel and "Unchanged, wrong 0" in panel
    assert "Right in vote 1 → vote 2 (of 3 who voted twice) 1 → 2" in panel
    refused = teacher.post("/instructor/pi/open", question=f"{QUIZ}/q1")
    assert refused.status_code == 409
    assert "this question has had its 2 votes" in refused.text

    with room.db.read() as session:
        rounds = session.scalar(select(func.count()).select_from(Round))
        votes = session.scalar(select(func.count()).select_from(Attempt)
                               .where(Attempt.round_id.is_not(None)))
        answers = session.scalar(select(func.count()).select_from(Answer))
    assert (rounds, votes, answers) == (2, 7, 7)  # both rounds kept, every vote kept


def test_what_the_projector_shows_in_each_phase(room: Classroom, teacher: Instructor,
                                                student: Callable[..., Student]) -> None:
    names = ["Ada Lovelace", "Bo <b>Bold</b>", "Cy Young"]
    pupils = [student(name) for name in names]
    round_id = teacher.open("q1")
    for pupil, answer in zip(pupils, ["a", "b", "b"], strict=True):
        vote(pupil, round_id, answer)

    def projected() -> str:
        page = teacher.client.get("/projector")
        assert page.status_code == 200
        return page.text

    while_open = projected()
    said = text_of(while_open)
    assert "When did the Russian air campaign in Syria begin?" in said
    assert "3 voted." in said and "Vote on your device" in said
    for leak in ("%", "Right:", "right answer", "the answer", "chose it", *names, "Ada", "Bo",
                 "Cy", "Wrong →"):
        assert leak not in said, leak
    assert "<table" not in while_open and "<svg" not in while_open

    teacher.act(round_id, "close")
    closed = text_of(projected())
    assert "Discuss with your neighbours" in closed and "%" not in closed
    refused = teacher.act(round_id + 100, "show")
    assert refused.status_code == 404

    teacher.act(round_id, "show")  # results without the key: no share right yet
    shown = text_of(projected())
    assert "Vote 1: 3 voted" in shown and "b: 30 September 2015 2 67%" in shown
    assert "Right:" not in shown and "right answer" not in shown
    assert all(name not in shown for name in ("Ada", "Bold", "Cy"))

    teacher.act(round_id, "reveal")
    revealed = text_of(projected())
    assert "30 September 2015 the answer" in revealed and "Right: 2 of 3 (67%)" in revealed
    assert "Why: The first strikes were flown on 30 September 2015." in revealed
    assert all(name not in revealed for name in ("Ada", "Bold", "Cy"))


def test_the_projector_never_shows_results_of_an_open_vote(
        teacher: Instructor, student: Callable[..., Student]) -> None:
    ada = student("Ada")
    first = teacher.open("q3")
    vote(ada, first, True)
    refused = teacher.act(first, "show")
    assert refused.status_code == 409
    assert "never shows the results of an open vote" in refused.text
    assert teacher.act(first, "reveal").status_code == 409  # close it first
    teacher.act(first, "close")
    teacher.act(first, "show")
    second = teacher.open("q3")
    vote(ada, second, False)
    page = text_of(teacher.client.get("/projector").text)
    # Vote 2 is open: vote 1's results (shown earlier) are not on the projector either.
    assert "vote 2" in page and "1 voted." in page
    assert "Vote 1:" not in page and "%" not in page


def test_students_see_their_vote_and_the_key_once_revealed(
        teacher: Instructor, student: Callable[..., Student]) -> None:
    ada, bo = student("Ada"), student("Bo")
    assert "No vote yet" in text_of(ada.client.get("/vote").text)
    round_id = teacher.open("q2")
    page = ada.client.get("/vote").text
    assert 'type="checkbox" name="answer" id="answer-a" value="a"' in page
    form = {"csrf": csrf_of(page), "round": str(round_id), "vote_id": uuid.uuid4().hex,
            "answer": ["a", "c"]}
    sent = ada.client.post("/vote", data=form, follow_redirects=False)
    assert sent.status_code == 303
    again = ada.client.post("/vote", data=form, follow_redirects=False)  # a double click
    assert again.status_code == 303
    page = ada.client.get("/vote").text
    assert "Your vote is recorded: a+c" in text_of(page)
    assert 'value="a" checked' in page and 'value="c" checked' in page
    assert 'value="b" checked' not in page
    vote(bo, round_id, ["a", "b"])
    said = text_of(ada.client.get("/vote").text)
    assert "Bo" not in said and "%" not in said  # nobody else's vote, no results
    teacher.act(round_id, "close")
    closed = text_of(ada.client.get("/vote").text)
    assert "Your vote: a+c" in closed and "The answer" not in closed
    teacher.act(round_id, "reveal")
    revealed = text_of(ada.client.get("/vote").text)
    assert "The answer: Khmeimim; Tartus" in revealed
    assert ada.client.get("/api/vote").json()["key"] == {"correct": ["a", "b"],
                                                        "explanation": None}


def test_votes_are_stored_exactly_once_and_refused_with_reasons(
        room: Classroom, teacher: Instructor, student: Callable[..., Student]) -> None:
    ada, bo = student("Ada"), student("Bo")
    round_id = teacher.open("q1")
    first = vote(ada, round_id, "b", vote_id="ada-vote-0001")
    again = vote(ada, round_id, "b", vote_id="ada-vote-0001")
    assert again.status_code == 200 and again.content == first.content
    other = vote(ada, round_id, "c", vote_id="ada-vote-0001")
    assert other.status_code == 409 and "already used for another vote" in other.json()["error"]
    stolen = vote(bo, round_id, "b", vote_id="ada-vote-0001")
    assert stolen.status_code == 409
    cases = [
        ({"vote_id": "x", "round": round_id, "response": "b"}, 422, "vote_id: must be"),
        ({"vote_id": uuid.uuid4().hex, "round": "1", "response": "b"}, 422, "round: must be"),
        ({"vote_id": uuid.uuid4().hex, "round": round_id, "response": "z"}, 422,
         "response: a single-choice answer is one option id (a, b, c)"),
        ({"vote_id": uuid.uuid4().hex, "round": round_id, "response": ""}, 422,
         "response: choose an answer before voting"),
        ({"vote_id": uuid.uuid4().hex, "round": round_id, "response": "b", "x": 1}, 422,
         "x: unknown field"),
        ({"vote_id": uuid.uuid4().hex, "round": 999, "response": "b"}, 404, "no vote 999"),
    ]
    for body, status, message in cases:
        reply = ada.client.post("/api/vote", json=body)
        assert reply.status_code == status, (body, reply.text)
        assert reply.json()["error"].startswith(message), reply.json()
    stranger = student()
    assert stranger.client.post("/api/vote", json={"vote_id": uuid.uuid4().hex,
                                                   "round": round_id,
                                                   "response": "b"}).status_code == 401
    with room.db.read() as session:
        stored = session.scalar(select(func.count()).select_from(Attempt)
                                .where(Attempt.round_id == round_id))
    assert stored == 1


def test_only_choice_questions_one_open_vote_and_no_vote_after_reveal(
        teacher: Instructor) -> None:
    typed = teacher.post("/instructor/pi/open", question=f"{QUIZ}/q4")
    assert typed.status_code == 422
    assert "votes run on single-choice, multiple-choice and true/false" in typed.text
    unknown = teacher.post("/instructor/pi/open", question=f"{QUIZ}/q99")
    assert unknown.status_code == 404
    first = teacher.open("q1")
    busy = teacher.post("/instructor/pi/open", question=f"{QUIZ}/q2")
    assert busy.status_code == 409 and "is still open: close it first" in busy.text
    teacher.act(first, "close")
    teacher.act(first, "reveal")
    after = teacher.post("/instructor/pi/open", question=f"{QUIZ}/q1")
    assert after.status_code == 409 and "was revealed" in after.text


def test_votes_are_not_tries_and_not_grades(room: Classroom, teacher: Instructor,
                                            student: Callable[..., Student]) -> None:
    ada = student("Ada")
    round_id = teacher.open("q1")
    vote(ada, round_id, "a")
    vote(ada, round_id, "b")
    first = ada.check({"q1": "a"})
    assert first.json()["attempt"] == 1 and first.json()["attempts_left"] == 1
    saved = ada.client.get(f"/api/quizzes/{QUIZ}/answers").json()
    assert saved["attempts"] == 1 and saved["counted"]["score"] == 0
    assert len(saved["attempt_ids"]) == 1


def test_controls_need_the_instructor(student: Callable[..., Student]) -> None:
    ada = student("Ada")
    page = ada.client.get("/class")
    token = csrf_of(page.text)
    for path in ("/instructor/pi/open", "/instructor/pi/1/close", "/instructor/projector-link"):
        refused = ada.client.post(path, data={"csrf": token, "question": f"{QUIZ}/q1"})
        assert refused.status_code == 403, path
    assert ada.client.get("/projector").status_code == 403
    assert ada.client.get("/projector/events").status_code == 403
    assert ada.client.get("/instructor/vote").status_code == 403


def test_a_projector_link_works_once_and_opens_the_projector_only(
        app: Any, teacher: Instructor) -> None:
    made = teacher.post("/instructor/projector-link")
    assert made.status_code == 303
    code = re.search(r"pairing=([A-Z0-9]+)", made.headers["location"])
    assert code is not None
    shown = teacher.client.get(made.headers["location"]).text
    assert f"/projector/pair/{code.group(1)}" in shown
    room_pc = AppClient(app, base_url="http://testserver", headers={"origin": "http://testserver"})
    paired = room_pc.get(f"/projector/pair/{code.group(1)}", follow_redirects=False)
    assert (paired.status_code, paired.headers["location"]) == (303, "/projector")
    assert room_pc.get("/projector").status_code == 200
    assert room_pc.get("/instructor/").status_code == 403  # the projector, nothing more
    assert room_pc.get("/instructor/vote").status_code == 403
    student_pc = AppClient(app, base_url="http://testserver")
    reused = student_pc.get(f"/projector/pair/{code.group(1)}", follow_redirects=False)
    assert reused.status_code == 403 and "used already or has expired" in reused.text
    assert student_pc.get("/projector").status_code == 403
    room_pc.close()
    student_pc.close()


def test_the_shift_table_counts_every_kind_of_move(room: Classroom) -> None:
    entry = room.catalog.get(QUIZ)
    assert entry is not None
    single, multiple = entry.questions["q1"], entry.questions["q2"]
    first = {1: "a", 2: "b", 3: "b", 4: "a", 5: "c", 6: "a"}
    second = {1: "b", 2: "b", 3: "a", 4: "a", 5: "a", 7: "b"}
    moved = shift(single, first, second)
    assert (moved.wrong_to_right, moved.right_to_wrong, moved.right_to_right,
            moved.wrong_same, moved.wrong_to_other_wrong) == (1, 1, 1, 1, 1)
    assert (moved.only_first, moved.only_second, moved.both) == (1, 1, 5)
    assert (moved.first_right, moved.second_right) == (2, 2)
    assert moved.normalised_change == 0.0
    assert moved.moves[("a", "b")] == 1 and moved.moves[("c", "a")] == 1
    assert moved.labels == ["a", "b", "c"]
    ticks = shift(multiple, {1: ["b", "a"]}, {1: ["a", "b"]})
    assert ticks.right_to_right == 1 and ticks.moves[("a+b", "a+b")] == 1
