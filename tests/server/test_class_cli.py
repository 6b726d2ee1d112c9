"""`quizbook class ...` and `quizbook serve` refusals, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import sqlite3
import threading
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from quizbook.cli import main
from quizbook.server.app import set_closed
from quizbook.server.attempts import record_attempt
from quizbook.server.db import Database
from quizbook.server.grading import Catalog
from quizbook.server.models import Attempt, Student
from quizbook.server.policy import Policies, Policy
from quizbook.server.students import join
from tests.helpers import right_response, wrong_response
from tests.server.conftest import MINIMAL, QUIZ, TOKEN, copy_book
from tests.server.postgres import bin_dir


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return copy_book(MINIMAL, tmp_path / "book")


class Class:
    """A class database filled through the same services the server uses."""

    def __init__(self, url: str, book: Path) -> None:
        from quizbook.book import open_book

        self.db = Database(url, create=True)
        self.db.migrate()
        self.catalog = Catalog(open_book(book).quizzes())
        self.policies = Policies(Policy(), {})
        self.code = self.db.setting("class_code", lambda: "ABCDEF")

    def student(self, name: str, number: str = "") -> str:
        return join(self.db, self.code, name, number, self.code).uid

    def check(self, uid: str, responses: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return record_attempt(self.db, self.catalog, self.policies, uid, QUIZ, {
            "attempt_id": str(uuid.uuid4()), "version": self.catalog.entries[QUIZ].page_version,
            "responses": responses}, **kwargs)

    def attempts(self) -> int:
        with self.db.read() as session:
            return session.scalar(select(func.count()).select_from(Attempt)) or 0


@pytest.fixture
def filled(db_url: str, book: Path) -> Any:
    room = Class(db_url, book)
    entry = room.catalog.entries[QUIZ]
    right = {q.id: right_response(q) for q in entry.quiz.questions}
    wrong = {q.id: wrong_response(q) for q in entry.quiz.questions}
    ada, bo, cy = (room.student(n, num) for n, num in (("Ada Right", "S-1"),
                                                       ("=Bo Wrong", "@2"), ("Cy Partly", "")))
    room.check(ada, right)
    room.check(bo, wrong)
    room.check(bo, right)  # a second try: the first counts
    room.check(cy, {"q1": "b", "q2": ["a"], "q4": "<script>alert(1)</script>", "q5": "2015",
                    "q6": {"idlib": 1, "palmyra": 2, "strikes": 3, "aleppo": 4}})
    room.check(room.student("Ed Echo"), {"q4": "<script>alert(1)</script>"})
    room.student("Di Absent")
    yield room
    room.db.dispose()


def run(*args: str) -> int:
    return main(list(args))


def test_export_matches_what_was_answered(filled: Any, db_url: str, book: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "export"
    assert run("class", "export", "--book", str(book), "--db", db_url, "-o", str(out)) == 0
    printed = capsys.readouterr()
    assert f"{out / 'results'}: 4 results file(s)" in printed.out
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["student", "student id", "m1-all-types (pass mark 70%)", "quizzes passed", "quizzes"],
        ["'=Bo Wrong", "'@2", "fail", "0", "1"],  # sorted by name, "=" first
        ["Ada Right", "S-1", "pass", "1", "1"],
        ["Cy Partly", "", "fail", "0", "1"],  # 3.5 of 7 is under 70%
        ["Di Absent", "", "", "0", "1"],
        ["Ed Echo", "", "fail", "0", "1"],
    ]
    with (out / "scores.csv").open(encoding="utf-8", newline="") as handle:
        scores = list(csv.reader(handle))
    assert scores[0] == ["student", "student id", "m1-all-types score (of 7)",
                         "m1-all-types attempts", "m1-all-types late attempts"]
    assert scores[1:] == [["'=Bo Wrong", "'@2", "0", "2", "0"], ["Ada Right", "S-1", "7", "1", "0"],
                          ["Cy Partly", "", "3.5", "1", "0"], ["Di Absent", "", "", "0", "0"],
                          ["Ed Echo", "", "0", "1", "0"]]
    analysis = (out / "item-analysis.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in analysis
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (2)" in analysis
    # The offline gradebook reads the results files and agrees (it re-grades every answer).
    offline = tmp_path / "offline"
    assert run("gradebook", str(out / "results"), "-o", str(offline), "--book", str(book)) == 0
    assert "skipped" not in capsys.readouterr().err
    with (offline / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        offline_rows = {r[0]: r[1] for r in list(csv.reader(handle))[1:]}
    assert offline_rows == {"Ada Right": "7", "'=Bo Wrong": "0", "Cy Partly": "3.5",
                            "Ed Echo": "0"}
    results = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "results").glob("*")]
    cy = next(r for r in results if r["student"] == "Cy Partly")
    responses = {q["id"]: q["response"] for q in cy["quizzes"][0]["questions"]}
    assert responses["q4"] == "<script>alert(1)</script>" and responses["q3"] is None


def test_forget_deletes_the_student_everywhere(filled: Any, db_url: str, book: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    before = filled.attempts()
    assert run("class", "forget", "--book", str(book), "--db", db_url, "--student",
               "cy  PARTLY") == 0
    assert "forgot 'Cy Partly': the student and 1 attempt(s) deleted" in capsys.readouterr().out
    assert filled.attempts() == before - 1
    with filled.db.read() as session:
        assert "Cy Partly" not in session.scalars(select(Student.name)).all()
    if filled.db.dialect == "sqlite":
        filled.db.dispose()
        path = Path(db_url.removeprefix("sqlite:///"))
        data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"Cy Partly" not in data and b"cy partly" not in data
    assert run("class", "forget", "--book", str(book), "--db", db_url, "--student",
               "Ada Rite") == 1
    assert "no student named 'Ada Rite' in this class (did you mean 'Ada Right'?)" in \
        capsys.readouterr().err


def test_purge_deletes_old_attempts(filled: Any, db_url: str, book: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    uid = filled.student("Ed Early")
    filled.check(uid, {"q1": "a"}, now=datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert run("class", "purge", "--book", str(book), "--db", db_url, "--before",
               "2021-01-01") == 0
    assert "purged 1 attempt(s) received before 2021-01-01T00:00:00+00:00" in \
        capsys.readouterr().out
    assert filled.attempts() == 5
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    assert run("class", "purge", "--book", str(book), "--db", db_url, "--before",
               tomorrow) == 0
    assert filled.attempts() == 0
    with filled.db.read() as session:  # self-joined students with nothing left go too
        assert session.scalars(select(Student)).all() == []
    assert run("class", "purge", "--book", str(book), "--db", db_url, "--before",
               "last week") == 1
    assert "--before 'last week': not a date" in capsys.readouterr().err


def test_backup_is_a_consistent_copy_while_attempts_arrive(
        filled: Any, db_url: str, book: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    if filled.db.dialect == "postgresql" and bin_dir() is None:
        pytest.fail("pg_dump is needed: apt-get install postgresql-client", pytrace=False)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        uid = filled.student("Writer")
        n = 0
        while not stop.is_set() and n < 2:
            filled.check(uid, {"q1": "b"})
            n += 1
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    target = tmp_path / "backup.db"
    try:
        assert run("class", "backup", "--book", str(book), "--db", db_url, "-o",
                   str(target)) == 0
    finally:
        stop.set()
        thread.join()
    assert "backup written" in capsys.readouterr().out
    if filled.db.dialect == "sqlite":
        copy = sqlite3.connect(target)
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = copy.execute("SELECT count(*) FROM attempts").fetchone()[0]
        answers = copy.execute("SELECT count(*) FROM answers").fetchone()[0]
        copy.close()
        assert 5 <= count <= 7 and answers == 7 * count  # never half an attempt
    else:
        import subprocess

        tool = bin_dir()
        assert tool is not None
        listing = subprocess.run([str(tool / "pg_restore"), "--list", str(target)],
                                 capture_output=True, text=True, check=True).stdout
        assert "TABLE DATA public attempts" in listing
    assert run("class", "backup", "--book", str(book), "--db", db_url, "-o",
               str(target)) == 1
    assert "already exists; choose a new file name" in capsys.readouterr().err


def test_roster_import_writes_join_codes(book: Path, sqlite_url: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffname,id\nAda Lovelace,S-1\n=cmd|' /C calc'!A0,S-2\n",
                      encoding="utf-8")
    assert run("class", "roster", "import", str(roster), "--book", str(book), "--db",
               sqlite_url) == 0
    out = capsys.readouterr().out
    assert "roster: 2 student(s) added, 0 already there; 2 on the roster" in out
    with (book / "_class" / "join-codes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["name", "student id", "join code"]
    assert [r[:2] for r in rows[1:]] == [["'=cmd|' /C calc'!A0", "S-2"], ["Ada Lovelace", "S-1"]]
    assert all(len(r[2]) == 9 and r[2][4] == "-" for r in rows[1:])
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nAda\n\x07bell\n", encoding="utf-8")
    assert run("class", "roster", "import", str(bad), "--book", str(book), "--db",
               sqlite_url) == 1
    assert f"{bad}:3:1: name: the name contains invisible or control characters" in \
        capsys.readouterr().err
    assert run("class", "roster", "import", str(tmp_path / "nope.csv"), "--book",
               str(book)) == 2


def test_data_commands_refuse_a_database_that_is_not_a_class(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert run("class", "export", "--book", str(book), "--db", f"sqlite:///{empty}", "-o",
               str(tmp_path / "o")) == 1
    assert "is not a class database (no tables; start the server on it once)" in \
        capsys.readouterr().err
    assert run("class", "forget", "--book", str(book), "--student", "x") == 1
    assert "no class database at" in capsys.readouterr().err


def test_serve_refusals(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                        sqlite_url: str) -> None:
    assert run("serve", "--book", str(book), "--db", sqlite_url) == 1
    assert "no class build of the book here; run `quizbook class build`" in \
        capsys.readouterr().err
    assert run("serve", "--book", str(book), "--certfile", "x.pem") == 2
    assert "--certfile and --keyfile go together" in capsys.readouterr().err
    assert run("serve", "--book", str(tmp_path / "nothing")) == 2
    from tests.server.conftest import write_fake_build

    write_fake_build(book / "_build" / "class" / "_build" / "html", book)
    assert run("serve", "--book", str(book), "--db", sqlite_url, "--token", "short") == 1
    assert "the instructor token must be at least 16 characters" in capsys.readouterr().err
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        assert run("serve", "--book", str(book), "--db", sqlite_url, "--token", TOKEN,
                   "--port", port) == 2
    captured = capsys.readouterr()
    assert f"cannot listen on 127.0.0.1:{port} (Address already in use)" in captured.err
    assert "Students:" not in captured.out
    (book / "class-policy.yml").write_text("default:\n  tries: many\n", encoding="utf-8")
    assert run("serve", "--book", str(book), "--db", sqlite_url, "--token", TOKEN) == 1
    assert f"{book / 'class-policy.yml'}:2:3: default.tries:" in capsys.readouterr().err


def test_closing_a_quiz_marks_later_attempts_late_in_the_export(
        filled: Any, db_url: str, book: Path, tmp_path: Path) -> None:
    set_closed(filled.db, QUIZ, True)
    uid = filled.student("Fay Late")
    entry = filled.catalog.entries[QUIZ]
    assert filled.check(uid, {q.id: right_response(q) for q in entry.quiz.questions})["late"]
    out = tmp_path / "export"
    assert run("class", "export", "--book", str(book), "--db", db_url, "-o", str(out)) == 0
    rows = {r[0]: r for r in csv.reader((out / "scores.csv").open(encoding="utf-8"))}
    assert rows["Fay Late"][2:] == ["", "1", "1"]  # a late attempt does not count
    grades = {r[0]: r for r in csv.reader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert grades["Fay Late"][2] == ""
