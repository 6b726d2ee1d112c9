"""The grading API on SQLite and PostgreSQL: replies, exactly-once attempts, tries, lateness,
policies, read-back, and the refusals (each with its status and message)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from quizbook.server.app import Classroom, set_closed
from quizbook.server.models import Answer, Attempt
from tests.helpers import right_response, wrong_response
from tests.server.asgi import AppClient
from tests.server.conftest import BASE, QUIZ, Student

QUESTIONS = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


def rights(room: Classroom) -> dict[str, Any]:
    entry = room.catalog.get(QUIZ)
    assert entry is not None
    return {q.id: right_response(q) for q in entry.quiz.questions}


def wrongs(room: Classroom) -> dict[str, Any]:
    entry = room.catalog.get(QUIZ)
    assert entry is not None
    return {q.id: wrong_response(q) for q in entry.quiz.questions}


PARTLY = {"q1": "b", "q2": ["a"], "q3": False, "q4": "Hmeimim", "q5": "2014",
          "q6": {"strikes": 1, "palmyra": 2, "idlib": 3, "aleppo": 4}}


def attempts_in_db(room: Classroom) -> int:
    with room.db.read() as session:
        return session.scalar(select(func.count()).select_from(Attempt)) or 0


def write_policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "class-policy.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_right_wrong_and_partly_graded_by_the_reference_grader(
        room: Classroom, student: Callable[..., Student]) -> None:
    right, wrong, partly = student("Ada Right"), student("Bo Wrong"), student("Cy Partly")
    full = right.check(rights(room)).json()
    assert full["score"] == 7 and full["max"] == 7 and full["late"] is False
    assert full["attempt"] == 1 and full["attempts_left"] == 1
    assert set(full["questions"]) == set(QUESTIONS)
    assert all(q["outcome"]["correct"] for q in full["questions"].values())
    none = wrong.check(wrongs(room)).json()
    assert none["score"] == 0
    assert {qid: q["outcome"]["answered"] for qid, q in none["questions"].items()} == {
        "q1": True, "q2": True, "q3": True, "q4": True, "q5": True, "q6": False, "q7": False}
    some = partly.check(PARTLY).json()
    # q1 right, q2 half (one of two right, no wrong pick), q4 right (an accepted variant),
    # q6: the key is idlib, palmyra, strikes, aleppo: palmyra and aleppo are in place.
    points = {qid: q["outcome"]["points"] for qid, q in some["questions"].items()}
    assert points == {"q1": 1, "q2": 0.5, "q3": 0, "q4": 1, "q5": 0, "q6": 0.5, "q7": 0}
    assert some["score"] == 3
    assert attempts_in_db(room) == 3
    with room.db.read() as session:
        stored = {a.question_id: a.response for a in session.scalars(
            select(Answer).join(Attempt).where(Attempt.score == 3))}
    assert stored["q2"] == ["a"] and stored["q4"] == "Hmeimim" and stored["q7"] is None


def test_reply_shape_and_feedback_is_safe_html(room: Classroom,
                                               student: Callable[..., Student]) -> None:
    reply = student("Ada").check({"q1": "a", "q3": True, "q4": "nope"}).json()
    assert set(reply) == {"questions", "score", "max", "late", "attempt", "attempts_left"}
    q1 = reply["questions"]["q1"]
    assert set(q1) == {"outcome", "feedback", "explanation"}
    assert set(q1["outcome"]) == {"points", "max", "correct", "answered", "parts"}
    assert q1["feedback"] == {"a": "That is when the uprising began."}
    # Marks per part wait for the quiz to close (the default policy), and so does the
    # explanation of a question answered wrongly.
    assert q1["outcome"]["parts"] == {} and q1["explanation"] is None
    assert reply["questions"]["q3"]["explanation"] == "It dates from the 1970s."  # right
    assert reply["questions"]["q4"]["feedback"] == {"incorrect": "Look again at the paragraph."}


def test_multiple_choice_option_feedback_waits_for_the_marks(
        room: Classroom, student: Callable[..., Student]) -> None:
    reply = student("Ada").check({"q2": ["a", "c"]}).json()
    assert reply["questions"]["q2"]["feedback"] == {}  # it would mark each option
    set_closed(room.db, QUIZ, True)
    late = student("Bo").check({"q2": ["a", "c"]}).json()
    assert late["late"] is True
    q2 = late["questions"]["q2"]
    assert q2["outcome"]["parts"] == {"a": True, "c": False}
    assert q2["feedback"] == {"a": "An air base near Latakia.",
                              "c": "Incirlik is in Turkey and hosts US aircraft."}


def test_a_resent_attempt_is_stored_once_and_answered_the_same(
        room: Classroom, student: Callable[..., Student]) -> None:
    ada = student("Ada")
    first = ada.check(PARTLY, attempt_id="offline-attempt-0001")
    again = ada.check(dict(reversed(list(PARTLY.items()))), attempt_id="offline-attempt-0001")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert attempts_in_db(room) == 1
    other = ada.check({"q1": "a"}, attempt_id="offline-attempt-0001")
    assert other.status_code == 409
    assert other.json()["error"].startswith("attempt_id: this attempt id was already used")
    thief = student("Bo").check(PARTLY, attempt_id="offline-attempt-0001")
    assert thief.status_code == 409
    assert attempts_in_db(room) == 1


def test_tries_run_out(room: Classroom, student: Callable[..., Student]) -> None:
    ada = student("Ada")
    assert ada.check({"q1": "a"}).json()["attempts_left"] == 1
    assert ada.check({"q1": "b"}).json()["attempts_left"] == 0
    third = ada.check({"q1": "b"})
    assert third.status_code == 409
    assert third.json() == {"error": "no tries left: this quiz allows 2 attempts"}
    assert attempts_in_db(room) == 2


def test_a_late_attempt_is_stored_and_marked(room: Classroom,
                                             student: Callable[..., Student]) -> None:
    ada = student("Ada")
    on_time = ada.check({"q1": "a"}).json()
    set_closed(room.db, QUIZ, True)
    late = ada.check({"q1": "b"}).json()
    assert (on_time["late"], late["late"]) == (False, True)
    with room.db.read() as session:
        assert [a.late for a in session.scalars(select(Attempt).order_by(Attempt.number))] \
            == [False, True]
    saved = ada.client.get(f"/api/quizzes/{QUIZ}/answers").json()
    # The default policy counts the first attempt, and a late one never.
    assert saved["counted"] == {"attempt": 1, "score": 0.0, "max": 7.0}
    assert saved["closed"] is True
    # Now the quiz is closed, the read-back shows the marks.
    assert saved["last"]["reply"]["questions"]["q1"]["outcome"]["parts"] == {"b": True}


def test_a_closing_time_from_the_policy(tmp_path: Path,
                                        room_factory: Callable[..., Classroom]) -> None:
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    room = room_factory(policy_file=write_policy(tmp_path, f"quizzes:\n  {QUIZ}:\n"
                                                           f"    closes: {past}\n"))
    from quizbook.server.attempts import record_attempt
    from quizbook.server.students import join

    ada = join(room.db, room.class_code, "Ada", "", room.class_code)
    reply = record_attempt(room.db, room.catalog, room.policies, ada.uid, QUIZ, {
        "attempt_id": "late-attempt-0001", "version": room.catalog.entries[QUIZ].page_version,
        "responses": {"q1": "b"}})
    assert reply["late"] is True


@pytest.mark.parametrize(("counts", "expected"), [("first", 1), ("best", 2), ("last", 3)])
def test_which_attempt_counts(tmp_path: Path, room_factory: Callable[..., Classroom],
                              counts: str, expected: int) -> None:
    from quizbook.server.attempts import record_attempt, saved_answers
    from quizbook.server.students import join

    room = room_factory(policy_file=write_policy(
        tmp_path, f"default:\n  tries: null\n  counts: {counts}\n"))
    ada = join(room.db, room.class_code, "Ada", "", room.class_code)
    version = room.catalog.entries[QUIZ].page_version
    for n, answer in enumerate(["a", "b", "c"], 1):
        record_attempt(room.db, room.catalog, room.policies, ada.uid, QUIZ, {
            "attempt_id": f"attempt-{n:04d}", "version": version, "responses": {"q1": answer}})
    saved = saved_answers(room.db, room.catalog, room.policies, ada.uid, QUIZ)
    assert saved["counted"]["attempt"] == expected
    assert saved["attempts_left"] is None and saved["attempts"] == 3


def test_marks_before_close_when_the_policy_says_so(
        tmp_path: Path, room_factory: Callable[..., Classroom],
        student: Callable[..., Student]) -> None:
    room = room_factory(policy_file=write_policy(
        tmp_path, "default:\n  marks_before_close: true\n"))
    from quizbook.server.attempts import record_attempt
    from quizbook.server.students import join

    ada = join(room.db, room.class_code, "Ada", "", room.class_code)
    reply = record_attempt(room.db, room.catalog, room.policies, ada.uid, QUIZ, {
        "attempt_id": "attempt-marks-1", "version": room.catalog.entries[QUIZ].page_version,
        "responses": {"q2": ["a", "c"], "q1": "a"}})
    assert reply["questions"]["q2"]["outcome"]["parts"] == {"a": True, "c": False}
    assert reply["questions"]["q1"]["explanation"] == \
        "The first strikes were flown on 30 September 2015."


def test_read_back_restores_the_last_answers(room: Classroom,
                                             student: Callable[..., Student]) -> None:
    ada = student("Ada")
    empty = ada.client.get(f"/api/quizzes/{QUIZ}/answers").json()
    assert empty["last"] is None and empty["attempts"] == 0 and empty["attempt_ids"] == []
    ada.check({"q1": "a"}, attempt_id="restore-attempt-1")
    ada.check(PARTLY, attempt_id="restore-attempt-2")
    saved = ada.client.get(f"/api/quizzes/{QUIZ}/answers").json()
    assert saved["attempt_ids"] == ["restore-attempt-1", "restore-attempt-2"]
    last = saved["last"]
    assert last["attempt_id"] == "restore-attempt-2"
    assert {k: v for k, v in last["responses"].items() if v is not None} == PARTLY
    assert last["reply"]["score"] == 3
    assert saved["policy"] == {"tries": 2, "marks_before_close": False, "counts": "first",
                               "late_counts": False, "closes": None}
    # Another student sees only their own.
    assert student("Bo").client.get(f"/api/quizzes/{QUIZ}/answers").json()["attempts"] == 0


def test_me_lists_the_quizzes_and_their_rules(room: Classroom,
                                              student: Callable[..., Student]) -> None:
    me = student("Ada").client.get("/api/me").json()
    assert me["student"]["name"] == "Ada"
    assert [q["id"] for q in me["quizzes"]] == [QUIZ]
    assert me["quizzes"][0]["rules"][:2] == ["You can check your answers 2 times.",
                                             "Your first attempt counts."]


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"attempt_id": "x", "version": "v", "responses": {}}, 422,
     "attempt_id: must be the client's id for this attempt"),
    ({"attempt_id": "abcdefgh-1", "responses": {}}, 422, "version: must be"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": []}, 422,
     "responses: must be an object"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": {"q9": "a"}}, 422,
     "responses: no question 'q9' in quiz 'm1-all-types'"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": {"q1": "z"}}, 422,
     "responses.q1: a single-choice answer is one option id (a, b, c)"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": {"q2": "a"}}, 422,
     "responses.q2: a multiple-choice answer is a list of distinct option ids"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": {"q3": "true"}}, 422,
     "responses.q3: a true/false answer is true or false"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": {"q4": "x" * 501}}, 422,
     "responses.q4: a typed answer is text of at most 500 characters"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": {"q6": {"idlib": 9}}}, 422,
     "responses.q6: an ordering answer maps item ids to positions 1 to 4"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": {"q7": {"tartus": "zz"}}},
     422, "responses.q7: a matching answer maps pair ids to right-hand ids"),
    ({"attempt_id": "abcdefgh-1", "version": "v", "responses": {}, "score": 7}, 422,
     "score: unknown field"),
    ([1, 2], 422, "the request body must be a JSON object"),
    ({"attempt_id": "abcdefgh-1", "version": "not-the-version", "responses": {}}, 409,
     "version: this quiz changed since the page was loaded"),
])
def test_bad_attempts_are_refused_with_a_reason(room: Classroom,
                                                student: Callable[..., Student],
                                                body: Any, status: int, message: str) -> None:
    ada = student("Ada")
    response = ada.client.post(f"/api/quizzes/{QUIZ}/check", json=body)
    assert response.status_code == status
    assert response.json()["error"].startswith(message), response.json()
    assert attempts_in_db(room) == 0


def test_requests_that_are_not_attempts(room: Classroom,
                                        student: Callable[..., Student]) -> None:
    ada = student("Ada")
    url = f"/api/quizzes/{QUIZ}/check"
    not_json = ada.client.post(url, content=b"{oops", headers={"content-type":
                                                               "application/json"})
    assert not_json.status_code == 400
    assert not_json.json()["error"].startswith("the request body is not valid JSON (line 1")
    deep = ada.client.post(url, content=b"[" * 100_000, headers={"content-type":
                                                                 "application/json"})
    assert deep.status_code in (400, 413)
    form = ada.client.post(url, data={"attempt_id": "abcdefgh-1"})
    assert form.status_code == 415
    assert form.json()["error"] == ("send the attempt as JSON (Content-Type: "
                                    "application/json)")
    unknown = ada.check({}, quiz="no-such-quiz")
    assert (unknown.status_code, unknown.json()) == (404, {
        "error": "no quiz 'no-such-quiz' in this class"})
    stranger = student()  # never joined
    refused = stranger.check({"q1": "b"})
    assert refused.status_code == 401
    assert refused.json()["error"] == "join the class first"
    assert stranger.client.get("/api/me").status_code == 401
    assert attempts_in_db(room) == 0


def test_healthz(app: Any, room: Classroom) -> None:
    with AppClient(app, base_url=BASE) as client:
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok",
                                                             "database": "ok"})
    room.db.engine.dispose()
    room.db.ping = lambda: False  # type: ignore[method-assign]
    with AppClient(app, base_url=BASE) as client:
        down = client.get("/healthz")
    assert (down.status_code, down.json()["database"]) == (503, "unreachable")
