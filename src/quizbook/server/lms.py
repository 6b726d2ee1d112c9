"""Grades for the LMS: CSV files that Canvas's and Moodle's gradebook imports accept.

Both importers were read in their source (canvas-lms `GradebookImporter`, Moodle
`grade/import/csv` and `csv_import_reader`); docs/class-server.md gives the steps.

**Canvas** (`canvas-grades.csv`, Grades > Import): the header must start `Student`, `ID`
(Canvas checks that the first two headers contain these words) and the student columns
must end with `Section`; with `SIS User ID` and `SIS Login ID` between them, Canvas
reads five student columns. A row whose first cell contains `Points Possible` gives each
assignment's points. Canvas finds each student by `ID` (its own user id), then by SIS
User ID, then SIS Login ID, then by name. A column named `Title (123)` is assignment 123;
another title matches an assignment by its exact name, or Canvas creates it. Canvas
drops columns whose header contains "Current Score", "Final Grade" and the like, so a
quiz title must not.

**Moodle** (`moodle-grades.csv`, Grades > Import > CSV file): a header row, then one row
per student, every row with as many cells as the header (Moodle refuses the file
otherwise). In the import form the instructor maps the identifier column to a user field
("ID number" -> `useridnumber`, "Email address" -> `useremail`) and each quiz column to
a grade item (or a new one). Moodle aborts the whole import when an identifier is not a
user of the site, and a row with an empty identifier takes the previous row's student,
so rows without the identifier are left out (and named). `-` means no grade.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from quizbook import model
from quizbook.markup import plain_text
from quizbook.server.security import csv_cell
from quizbook.server.stats import StudentRow

CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: Canvas ignores columns whose header contains any of these (GradebookImporter).
CANVAS_RESERVED = ("Current Score", "Current Points", "Current Grade", "Final Score",
                   "Final Points", "Final Grade", "Override Score", "Override Grade",
                   "Override Status", "Points Possible")
CANVAS_ID_SUFFIX = re.compile(r"\s\((\d+)\)\Z")
MoodleId = Literal["number", "email"]
MOODLE_ID_HEADERS: dict[str, str] = {"number": "ID number", "email": "Email address"}


@dataclass(frozen=True)
class GradeColumn:
    quiz_id: str
    title: str
    points: float


@dataclass
class GradeRow:
    student: StudentRow
    #: quiz id -> the counted score (None: no attempt counts).
    scores: dict[str, float | None]


@dataclass
class LmsFile:
    path: Path
    rows: int
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _points(value: float) -> str:
    return f"{value:g}"


def grade_columns(quizzes: Sequence[model.Quiz]) -> list[GradeColumn]:
    """One column per quiz, titled as the quiz (plain text, unique), safe for both LMSs."""
    columns: list[GradeColumn] = []
    seen: set[str] = set()
    for quiz in quizzes:
        title = " ".join(plain_text(quiz.title).split())[:200] or quiz.id
        if any(word.casefold() in title.casefold() for word in CANVAS_RESERVED):
            title = f"Quiz: {title}"  # else Canvas would drop the column
        if CANVAS_ID_SUFFIX.search(title):
            title = CANVAS_ID_SUFFIX.sub(r" [\1]", title)  # "(2015)" would read as an id
        if title in seen or title.startswith(tuple("=+-@\t\r")):
            title = f"{title} ({quiz.id})" if title in seen else f"Quiz {title}"
        seen.add(title)
        columns.append(GradeColumn(quiz.id, title, quiz.max_points))
    return columns


def write_canvas(path: Path, columns: Sequence[GradeColumn], rows: Sequence[GradeRow]) -> LmsFile:
    """The Canvas gradebook import file: every student, blank where no attempt counts."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CANVAS_STUDENT_COLUMNS + [c.title for c in columns])
        writer.writerow(["Points Possible", "", "", "", ""] + [_points(c.points)
                                                                for c in columns])
        for row in rows:
            lms = row.student.lms
            writer.writerow([
                csv_cell(str(lms.get("canvas_name") or row.student.name)),
                csv_cell(str(lms.get("canvas_id") or "")),
                csv_cell(str(lms.get("sis_user_id") or row.student.number or "")),
                csv_cell(str(lms.get("sis_login_id") or "")),
                csv_cell(str(lms.get("section") or "")),
            ] + ["" if row.scores.get(c.quiz_id) is None else _points(row.scores[c.quiz_id] or 0)
                 for c in columns])
    out = LmsFile(path, len(rows))
    typed = [r.student.name for r in rows if not r.student.on_roster and r.student.number]
    if typed:
        out.notes.append(f"{len(typed)} student id(s) in {path.name} were typed by the "
                         "students themselves (no roster): check the matches in Canvas's "
                         "import preview")
    return out


def write_moodle(path: Path, columns: Sequence[GradeColumn], rows: Sequence[GradeRow],
                 match: MoodleId = "number") -> LmsFile:
    """The Moodle CSV grade import file, identified by ID number or email address; rows
    without that identifier are left out (Moodle would give their grades to the previous
    row's student)."""
    header = MOODLE_ID_HEADERS[match]
    out = LmsFile(path, 0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([header, "Full name"] + [c.title for c in columns])
        for row in rows:
            identifier = (row.student.email if match == "email" else row.student.number) or ""
            if not identifier.strip():
                out.left_out.append(row.student.name)
                continue
            writer.writerow([csv_cell(identifier), csv_cell(row.student.name)] + [
                "-" if row.scores.get(c.quiz_id) is None else _points(row.scores[c.quiz_id] or 0)
                for c in columns])
            out.rows += 1
    if out.left_out:
        out.notes.append(f"{path.name}: left out {len(out.left_out)} student(s) without "
                         f"{'an email address' if match == 'email' else 'a student id'}: "
                         f"{', '.join(out.left_out[:10])}"
                         f"{' …' if len(out.left_out) > 10 else ''}")
    return out
