"""Joining: class code, names that are taken, personal codes, the roster, the privacy text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from quizbook.server.app import Classroom
from quizbook.server.models import Student as StudentRow
from quizbook.server.students import (
    RosterError,
    import_roster,
    name_key,
    parse_roster,
    read_roster,
    show_code,
)
from tests.server.conftest import Student


def error_of(page: str) -> str:
    start = page.index('<div class="error" role="alert"')
    return page[start:page.index("</div>", start)]


def code_of(room: Classroom, name: str) -> str:
    with room.db.read() as session:
        row = session.scalar(select(StudentRow).where(StudentRow.name_key == name_key(name)))
        assert row is not None
        return show_code(row.code)


def test_join_with_the_class_code_then_see_the_class_page(
        room: Classroom, student: Callable[..., Student]) -> None:
    ada = student()
    joined = ada.join("  Ada   Lovelace ", number="S-1")
    assert joined.status_code == 303 and joined.headers["location"] == "/class"
    page = ada.client.get("/class")
    assert page.status_code == 200
    assert "Hello, Ada Lovelace" in page.text
    assert code_of(room, "ada lovelace") in page.text
    assert "You can check your answers 2 times." in page.text
    assert ada.client.get("/", follow_redirects=False).headers["location"] == "/class"


@pytest.mark.parametrize(("name", "code", "message"), [
    ("Ada", "WRONG1", "this is not the class code"),
    ("", None, "type your name"),
    ("A" * 81, None, "the name is longer than 80 characters"),
    ("Ada\u202eevil", None, "the name contains invisible or control characters"),
    ("Ada", "", "type the class code (or your personal join code)"),
])
def test_join_refusals(room: Classroom, student: Callable[..., Student], name: str,
                       code: str | None, message: str) -> None:
    refused = student().join(name, code=code)
    assert refused.status_code == 400
    assert message in error_of(refused.text).replace("&#39;", "'")
    with room.db.read() as session:
        assert session.scalars(select(StudentRow)).all() == []


def test_a_name_in_use_is_refused_and_its_owner_rejoins_with_their_code(
        room: Classroom, student: Callable[..., Student]) -> None:
    student("Ada Lovelace")
    taken = student().join("ada  LOVELACE")
    assert taken.status_code == 400
    assert "is already taken in this class" in error_of(taken.text)
    code = code_of(room, "Ada Lovelace")
    again = student()
    assert again.join("Ada Lovelace", code=code.lower().replace("-", " ")).status_code == 303
    assert "Hello, Ada Lovelace" in again.client.get("/class").text
    # Someone else's code with your own name does not let you in.
    student("Bo Brown")
    wrong = student().join("Bo Brown", code=code)
    assert wrong.status_code == 400
    assert "this personal code belongs to another name" in error_of(wrong.text)


def test_roster_only_roster_students_join_with_their_codes(
        room: Classroom, student: Callable[..., Student], tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Student ID\nAda Lovelace,S-1\nBo Brown,S-2\n", encoding="utf-8")
    result = import_roster(room.db, read_roster(roster))
    assert (result.added, result.updated) == (2, 0)
    outsider = student().join("Cy Outsider")  # the class code no longer lets anyone in
    assert outsider.status_code == 400
    assert "this class has a roster" in error_of(outsider.text)
    ada = student()
    assert ada.join("ada lovelace", code=code_of(room, "Ada Lovelace")).status_code == 303
    # The roster keeps the name as imported and the id from the roster.
    assert ada.client.get("/api/me").json()["student"] == {
        "name": "Ada Lovelace", "number": "S-1", "code": code_of(room, "Ada Lovelace")}
    # Bo's code does not let Ada's name in, nor the class code Bo's.
    assert student().join("Ada Lovelace", code=code_of(room, "Bo Brown")).status_code == 400
    assert student().join("Bo Brown").status_code == 400
    # Rejoining on another device with the same code works; importing again changes nothing.
    assert student().join("Ada Lovelace", code=code_of(room, "Ada Lovelace")).status_code == 303
    again = import_roster(room.db, read_roster(roster))
    assert (again.added, again.updated) == (0, 2)


@pytest.mark.parametrize(("text", "message"), [
    ("", "roster.csv:1:1: the file is empty"),
    ("email\nx@y\n", "roster.csv:1:1: no `name` column (or `first name` and `last name`) in "
                      "the header row (found: email)"),
    ("name\nAda\nada\n", "roster.csv:3:1: name: 'ada' is also on line 2"),
    ("name\n" + "A" * 81 + "\n", "roster.csv:2:1: name: the name is longer than 80"),
    ("name\n\n\n", "roster.csv:2:1: no students in the roster"),
])
def test_bad_rosters_are_refused_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(RosterError) as refused:
        parse_roster(text, "roster.csv")
    assert str(refused.value).startswith(message), str(refused.value)


def test_join_page_says_what_is_stored_and_is_plain_html(
        room: Classroom, student: Callable[..., Student]) -> None:
    page = student().client.get("/join")
    assert page.status_code == 200
    text = page.text
    where = ("a database file on the computer that runs this class server"
             if room.db.dialect == "sqlite" else
             "a database on the department server that runs this class server")
    for words in ("What is stored about you", "every answer you send with the time", where,
                  "Other students never see your name or your answers",
                  "Until your instructor deletes it", "Nothing is sent to any other"):
        assert words in text, words
    assert "<script" not in text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_simultaneous_joins_with_one_name_let_one_in(room: Classroom) -> None:
    import threading

    from quizbook.server.students import JoinError, join

    outcomes: list[str] = []
    start = threading.Barrier(8)

    def attempt() -> None:
        start.wait()
        try:
            join(room.db, room.class_code, "Twin", "", room.class_code)
            outcomes.append("joined")
        except JoinError as exc:
            outcomes.append(exc.field)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["joined"] + ["name"] * 7
