"""Grades to the LMS: `quizbook class export` writes canvas-grades.csv and moodle-grades.csv,
and these tests read them the way the LMSs' own importers do (the rules below follow
canvas-lms `GradebookImporter` and Moodle `gradeimport_csv_load_data` /
`csv_import_reader`): the right grade lands on the right LMS user, or the import fails
the way the LMS would fail it. Rosters exported by the LMSs round-trip their ids."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from quizbook.book import open_book
from quizbook.server.attempts import record_attempt
from quizbook.server.db import Database
from quizbook.server.export import export_class
from quizbook.server.grading import Catalog
from quizbook.server.lms import grade_columns
from quizbook.server.policy import Policies, Policy
from quizbook.server.students import import_roster, join, parse_roster
from tests.server.conftest import MINIMAL, QUIZ

# --- Canvas, read as GradebookImporter reads it -----------------------------------------------

CANVAS_NOT_ASSIGNMENTS = re.compile("|".join((
    "Current Score", "Current Points", "Current Grade", "Final Score", "Final Points",
    "Final Grade", "Override Score", "Override Grade", "Override Status")))


@dataclass
class CanvasUser:
    id: int
    name: str
    sortable_name: str
    sis_user_id: str = ""
    login_id: str = ""


@dataclass
class CanvasAssignment:
    id: int
    title: str


class CanvasImportError(Exception):
    pass


#: Roster students join with their personal code; the class code is not what admits them,
#: so these joins pass a code that is surely not the class's.
NOT_THE_CLASS_CODE = "XXXXXX"

def canvas_import(text: str, users: list[CanvasUser], assignments: list[CanvasAssignment]
                  ) -> dict[str, Any]:
    rows = list(csv.reader(io.StringIO(text)))
    # Delimiter: Canvas picks ";" only if it splits the first lines more consistently.
    assert all(len(next(csv.reader([line], delimiter=";"))) == 1
               for line in text.splitlines()[:3])
    header = rows[0]
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise CanvasImportError("Invalid header row")
    columns = 3
    sis_user = sis_login = None
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        sis_login, columns = 2, 4
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        sis_user, sis_login, columns = 2, 3, 5
    if "Section" not in header[columns - 1]:
        raise CanvasImportError("Invalid header row")
    titles = [h for h in header[columns:] if not CANVAS_NOT_ASSIGNMENTS.search(h)]
    found: list[tuple[int, CanvasAssignment | str]] = []
    for title in titles:
        match = re.match(r"\A(.*)\s\((\d+)\)\Z", title)
        known = next((a for a in assignments if match and a.id == int(match.group(2))), None)
        known = known or next((a for a in assignments if a.title == title), None)
        found.append((header.index(title), known or title))
    points: dict[str, str] = {}
    grades: dict[int | str, dict[str, str]] = {}
    for row in rows[1:]:
        if "Points Possible" in (row[0] or ""):
            points = {_name(a): row[i] for i, a in found}
            continue
        if all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c or "", re.I) for c in row):
            continue
        user = next((u for u in users if row[1] and str(u.id) == row[1].strip()), None)
        if user is None and sis_user is not None and row[sis_user]:
            user = next((u for u in users if u.sis_user_id == row[sis_user]), None)
        if user is None and sis_login is not None and row[sis_login]:
            user = next((u for u in users if u.login_id == row[sis_login]), None)
        if user is None:
            user = next((u for u in users if row[0] in (u.name, u.sortable_name)), None)
        key: int | str = user.id if user else f"new student {row[0]!r}"
        grades[key] = {_name(a): (row[i] or "").strip() for i, a in found}
    return {"points": points, "grades": grades,
            "new_assignments": [a for _, a in found if isinstance(a, str)]}


def _name(assignment: CanvasAssignment | str) -> str:
    return assignment if isinstance(assignment, str) else f"#{assignment.id}"


# --- Moodle, read as gradeimport_csv reads it ---------------------------------------------------


class MoodleImportError(Exception):
    pass


def moodle_import(text: str, map_from: str, field: str, users: dict[str, dict[str, str]],
                  items: dict[str, str]) -> dict[str, dict[str, float | None]]:
    """`users`: Moodle user id -> {"idnumber": ..., "email": ...}; `items`: CSV header ->
    grade item (the mapping chosen in the import form). Returns item -> user -> grade."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").strip()
    lines = [line for line in csv.reader(io.StringIO(text))
             if not (len(line) == 1 and line[0] == "")]
    header = [h.strip() for h in lines[0]]
    if any(len(line) != len(header) for line in lines):
        raise MoodleImportError("csvweirdcolumns")
    source = header.index(map_from)
    grades: dict[str, dict[str, float | None]] = {item: {} for item in items.values()}
    student: str | None = None  # kept from the previous row, as Moodle does
    for line in lines[1:]:
        if len(line) <= 1:
            continue
        value = line[source].strip()
        if value:
            student = next((uid for uid, u in users.items() if u.get(field) == value), None)
            if student is None:
                raise MoodleImportError(f"user mapping error: {field} {value!r}")
        if student is None:
            raise MoodleImportError("usermappingerrorusernotfound")
        for column, item in items.items():
            cell = line[header.index(column)].strip()
            if cell in ("", "-"):
                grades[item][student] = None
                continue
            try:
                grade = float(cell)
            except ValueError:
                raise MoodleImportError("badgrade") from None
            if grade > 100:
                raise MoodleImportError("gradevaluetoobig")
            grades[item][student] = grade
    return grades


# --- the class ------------------------------------------------------------------------------------


@pytest.fixture
def db(db_url: str) -> Any:
    database = Database(db_url, create=True)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(open_book(MINIMAL).quizzes())


def check(db: Database, catalog: Catalog, uid: str, responses: dict[str, Any]) -> float:
    reply = record_attempt(db, catalog, Policies(Policy(), {}), uid, QUIZ, {
        "attempt_id": str(uuid.uuid4()), "version": catalog.entries[QUIZ].page_version,
        "responses": responses})
    score: float = reply["score"]
    return score


CANVAS_EXPORT = '''\
Student,ID,SIS User ID,SIS Login ID,Section,Every question type (5012),Current Score
Points Possible,,,,,7,(read only)
"Lovelace, Ada",9001,S-100,ada@uni.example,Tue 10:00,,
"Bold, Bo",9002,S-200,bo@uni.example,Tue 10:00,,
"Young, Cy",9003,,cy@uni.example,Tue 10:00,,
"Student, Test",9999,,,Tue 10:00,,
'''

MOODLE_EXPORT = ('"First name","Last name","ID number",Institution,Department,'
                 '"Email address","Quiz: Every question type (Real)",'
                 '"Last downloaded from this course"\n'
                 'Ada,Lovelace,M100,,,ada@uni.example,-,1767225600\n'
                 'Bo,Bold,M200,,,bo@uni.example,-,1767225600\n'
                 'Cy,Young,,,,cy@uni.example,-,1767225600\n')


def test_a_canvas_roster_round_trips_to_canvas_grades(db: Database, catalog: Catalog,
                                                     tmp_path: Path) -> None:
    rows = parse_roster(CANVAS_EXPORT, "canvas-export.csv")
    assert [(r.name, r.number) for r in rows] == [("Ada Lovelace", "S-100"),
                                                  ("Bo Bold", "S-200"), ("Cy Young", None)]
    assert rows[0].lms == {"canvas_name": "Lovelace, Ada", "canvas_id": "9001",
                           "sis_user_id": "S-100", "sis_login_id": "ada@uni.example",
                           "section": "Tue 10:00"}
    students = {s.name: s for s in import_roster(db, rows).students}
    scores = {}
    for name, answers in (("Ada Lovelace", {"q1": "b", "q2": ["a", "b"], "q3": True}),
                          ("Bo Bold", {"q1": "a"})):
        uid = join(db, NOT_THE_CLASS_CODE, name, "", students[name].code).uid
        scores[name] = check(db, catalog, uid, answers)
    export_class(db, catalog, Policies(Policy(), {}), tmp_path)
    text = (tmp_path / "canvas-grades.csv").read_text(encoding="utf-8")
    users = [CanvasUser(9001, "Ada Lovelace", "Lovelace, Ada", "S-100", "ada@uni.example"),
             CanvasUser(9002, "Bo Bold", "Bold, Bo", "S-200", "bo@uni.example"),
             CanvasUser(9003, "Cy Young", "Young, Cy", "", "cy@uni.example")]
    imported = canvas_import(text, users, [CanvasAssignment(5012, "Other title")])
    assert imported["new_assignments"] == ["Every question type"]
    assert imported["points"] == {"Every question type": "7"}
    assert imported["grades"] == {
        9001: {"Every question type": f"{scores['Ada Lovelace']:g}"},
        9002: {"Every question type": "0"},
        9003: {"Every question type": ""}}  # no attempt: no grade (Canvas leaves it)
    assert scores["Ada Lovelace"] == 3


def test_canvas_matches_self_joined_students_by_sis_id_then_name(
        db: Database, catalog: Catalog, tmp_path: Path) -> None:
    code = db.setting("class_code", lambda: "ABCDEF")
    ada = join(db, code, "Ada Lovelace", "S-100", code).uid
    bo = join(db, code, "Bo Bold", "", code).uid
    check(db, catalog, ada, {"q1": "b"})
    check(db, catalog, bo, {"q1": "b", "q3": True})
    report = export_class(db, catalog, Policies(Policy(), {}), tmp_path)
    text = (tmp_path / "canvas-grades.csv").read_text(encoding="utf-8")
    users = [CanvasUser(1, "Ada Lovelace", "Lovelace, Ada", "S-100"),
             CanvasUser(2, "Bo Bold", "Bold, Bo", "S-999")]
    imported = canvas_import(text, users, [CanvasAssignment(77, "Every question type")])
    assert imported["new_assignments"] == []  # matched by its exact title
    assert imported["grades"] == {1: {"#77": "1"}, 2: {"#77": "2"}}
    assert any("typed by the students themselves" in note for note in report.notes)


def test_a_moodle_roster_round_trips_to_moodle_grades(db: Database, catalog: Catalog,
                                                     tmp_path: Path) -> None:
    rows = parse_roster(MOODLE_EXPORT, "moodle-export.csv")
    assert [(r.name, r.number, r.email) for r in rows] == [
        ("Ada Lovelace", "M100", "ada@uni.example"), ("Bo Bold", "M200", "bo@uni.example"),
        ("Cy Young", None, "cy@uni.example")]
    students = {s.name: s for s in import_roster(db, rows).students}
    for name, answers in (("Ada Lovelace", {"q1": "b", "q5": "2015"}), ("Cy Young", {"q1": "b"})):
        uid = join(db, NOT_THE_CLASS_CODE, name, "", students[name].code).uid
        check(db, catalog, uid, answers)
    users = {"u1": {"idnumber": "M100", "email": "ada@uni.example"},
             "u2": {"idnumber": "M200", "email": "bo@uni.example"},
             "u3": {"idnumber": "", "email": "cy@uni.example"}}
    report = export_class(db, catalog, Policies(Policy(), {}), tmp_path / "by-number")
    text = (tmp_path / "by-number" / "moodle-grades.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "ID number,Full name,Every question type"
    grades = moodle_import(text, "ID number", "idnumber", users,
                           {"Every question type": "quiz"})
    assert grades == {"quiz": {"u1": 2.0, "u2": None}}  # Cy has no ID number: left out
    assert any("left out 1 student(s) without a student id: Cy Young" in note
               for note in report.notes)
    steps = (tmp_path / "by-number" / "LMS-IMPORT.txt").read_text(encoding="utf-8")
    assert "Map from: 'ID number'; Map to: useridnumber." in steps
    assert "Every question type: 7 points" in steps
    export_class(db, catalog, Policies(Policy(), {}), tmp_path / "by-email", "email")
    text = (tmp_path / "by-email" / "moodle-grades.csv").read_text(encoding="utf-8")
    grades = moodle_import(text, "Email address", "email", users,
                           {"Every question type": "quiz"})
    assert grades == {"quiz": {"u1": 2.0, "u2": None, "u3": 1.0}}


def test_moodle_would_refuse_an_unknown_student_and_our_file_names_none(
        db: Database, catalog: Catalog, tmp_path: Path) -> None:
    code = db.setting("class_code", lambda: "ABCDEF")
    check(db, catalog, join(db, code, "Ada", "M100", code).uid, {"q1": "b"})
    check(db, catalog, join(db, code, "Bo", "", code).uid, {"q1": "b"})
    export_class(db, catalog, Policies(Policy(), {}), tmp_path)
    text = (tmp_path / "moodle-grades.csv").read_text(encoding="utf-8")
    # Bo (no id) is left out: had he been written with an empty id, Moodle would have
    # given his grade to Ada (the row before), as this reading shows.
    assert [line.split(",")[0] for line in text.splitlines()] == ["ID number", "M100"]
    crafted = text + ",Bo,0\n"
    wrong = moodle_import(crafted, "ID number", "idnumber", {"u1": {"idnumber": "M100"}},
                          {"Every question type": "quiz"})
    assert wrong == {"quiz": {"u1": 0.0}}
    with pytest.raises(MoodleImportError, match="user mapping error"):
        moodle_import(text, "ID number", "idnumber", {"u9": {"idnumber": "X"}},
                      {"Every question type": "quiz"})


def test_grade_columns_are_safe_titles_for_both_lms(catalog: Catalog) -> None:
    quiz = catalog.entries[QUIZ].quiz
    titled = [quiz.model_copy(update={"title": t, "id": f"q{n}"}) for n, t in enumerate([
        "War of 2015 (2015)", "Final Grade review", "=cmd|' /C calc'!A0", "Same", "Same"])]
    assert [c.title for c in grade_columns(titled)] == [
        "War of 2015 [2015]", "Quiz: Final Grade review", "Quiz =cmd|' /C calc'!A0", "Same",
        "Same (q4)"]


def test_names_that_look_like_formulas_stay_text_in_both_files(
        db: Database, catalog: Catalog, tmp_path: Path) -> None:
    code = db.setting("class_code", lambda: "ABCDEF")
    check(db, catalog, join(db, code, "=HYPERLINK(\"x\")", "+44", code).uid, {"q1": "b"})
    export_class(db, catalog, Policies(Policy(), {}), tmp_path)
    for name in ("canvas-grades.csv", "moodle-grades.csv"):
        cells = [c for row in csv.reader(io.StringIO((tmp_path / name).read_text()))
                 for c in row]
        assert "'=HYPERLINK(\"x\")" in cells and not any(c.startswith("=") for c in cells)
