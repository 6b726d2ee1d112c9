"""The class server grades the course's cloze item (01 q15) with the reference grader: its
key-free page carries no key, answers are graded per blank, a response of the wrong shape is
refused with a reason, and per-blank feedback waits for the marks."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizbook.server.app import Classroom, create_app
from tests.server.asgi import AppClient
from tests.server.conftest import BASE, ROOT, Student, make_room, write_fake_build
from tests.type_responses import cloze_right, cloze_wrong

QUIZ = "l1-laboratory"


@pytest.fixture
def course(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Classroom, Student]]:
    html = write_fake_build(tmp_path / "html", ROOT)
    room = make_room(sqlite_url, html, book=ROOT)
    client = AppClient(create_app(room), base_url=BASE, headers={"origin": BASE})
    pupil = Student(client, room)
    assert pupil.join("Ada Cloze").status_code == 303
    yield room, pupil
    client.close()
    room.db.dispose()


def _cloze(room: Classroom) -> object:
    entry = room.catalog.get(QUIZ)
    assert entry is not None
    return entry.quiz.questions[[q.id for q in entry.quiz.questions].index("q15")]


def test_the_key_free_page_carries_no_key(tmp_path: Path) -> None:
    html = write_fake_build(tmp_path / "html", ROOT)
    page = (html / "lessons" / "01-minimal.html").read_text(encoding="utf-8")
    bundles = [json.loads(m.replace("\\u003c", "<").replace("\\u003e", ">").replace(
        "\\u0026", "&")) for m in re.findall(
        r'<script type="application/json" data-quizbook-bundle>(.*?)</script>', page)]
    q15 = next(q for b in bundles if b["id"] == QUIZ for q in b["questions"] if q["id"] == "q15")
    assert q15["type"] == "cloze" and "salt" not in q15 and "sealed" not in q15
    assert all(set(b) <= {"id", "label", "choices"} for b in q15["blanks"])
    assert 'data-item-id="ir-brought"' in page  # the blanks' controls are on the page


def test_cloze_answers_are_graded_per_blank(course: tuple[Classroom, Student]) -> None:
    room, ada = course
    q = _cloze(room)
    right = cloze_right(q)  # type: ignore[arg-type]
    wrong = cloze_wrong(q)  # type: ignore[arg-type]
    partly = {**right, "ir-brought": "proxy FORCES."}
    partly["ru-lacked"] = wrong["ru-lacked"]
    reply = ada.check({"q15": partly}, quiz=QUIZ).json()["questions"]["q15"]
    assert reply["outcome"]["points"] == pytest.approx(2 / 3)
    assert reply["outcome"]["correct"] is False
    # Marks are not shown before the quiz closes (the default policy): nor is the feedback
    # that would name the wrong blank.
    assert reply["outcome"]["parts"] == {} and reply["feedback"] == {}
    full = ada.check({"q15": right}, quiz=QUIZ, attempt_id=str(uuid.uuid4())).json()
    assert full["questions"]["q15"]["outcome"]["correct"] is True
    assert "Each partner" in full["questions"]["q15"]["explanation"]


@pytest.mark.parametrize("bad", [["c1"], {"ru-brought": "c9"}, {"nope": "x"},
                                 {"ir-brought": 7}, {"ir-brought": "x" * 501}])
def test_a_cloze_answer_of_the_wrong_shape_is_refused(course: tuple[Classroom, Student],
                                                      bad: object) -> None:
    _, ada = course
    response = ada.check({"q15": bad}, quiz=QUIZ)
    assert response.status_code == 422
    assert response.json()["error"].startswith(
        "responses.q15: a cloze answer maps blank ids (ru-brought, ru-lacked, ir-brought)")
