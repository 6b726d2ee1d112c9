"""Students: joining with the class code or a personal code, and the roster.

Without a roster, a student joins with a name (and optional student id) and the
class code; a name already in use is refused. Each student gets a personal join
code, shown on their class page, to rejoin from another device or after losing
the session. With a roster (`quizbook class roster import roster.csv`), only
roster students join, each with the personal code on their slip, and the name
typed must be the roster's (case and spacing aside).
"""

from __future__ import annotations

import csv
import hmac
import io
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizbook.server.db import Database, random_code
from quizbook.server.models import EMAIL_CHARS, NAME_CHARS, NUMBER_CHARS, Student, utcnow

PERSONAL_CODE_CHARS = 8
MAX_ROSTER_BYTES = 2_000_000


class JoinError(Exception):
    """A join refused; `field` is the form field to point at."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class RosterError(Exception):
    """A roster file that cannot be imported; the message names file, line and field."""


def clean_text(raw: str, limit: int, what: str) -> str:
    """White space collapsed; control and invisible formatting characters refused."""
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if any(unicodedata.category(c) in {"Cc", "Cf", "Co", "Cs"} for c in text):
        raise ValueError(f"the {what} contains invisible or control characters")
    if len(text) > limit:
        raise ValueError(f"the {what} is longer than {limit} characters")
    return text


def clean_name(raw: str) -> str:
    name = clean_text(raw, NAME_CHARS, "name")
    if not name:
        raise ValueError("type your name")
    return name


def name_key(name: str) -> str:
    """Names compared without case, accents-as-typed variants or spacing differences."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def clean_code(raw: str) -> str:
    return "".join(c for c in raw.upper() if c.isalnum())[:32]


def show_code(code: str) -> str:
    """A personal code as printed: two groups of four."""
    return f"{code[:4]}-{code[4:]}" if len(code) == PERSONAL_CODE_CHARS else code


def roster_mode(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Student.on_roster.is_(True)))))


def _new_code(session: Session) -> str:
    while True:
        code = random_code(PERSONAL_CODE_CHARS)
        if session.scalar(select(Student.id).where(Student.code == code)) is None:
            return code


@dataclass(frozen=True)
class JoinRequest:
    name: str
    number: str | None
    code: str
    key: str


def check_join(raw_name: str, raw_number: str, raw_code: str) -> JoinRequest:
    """The join form cleaned, or JoinError saying which field to fix."""
    try:
        name = clean_name(raw_name)
    except ValueError as exc:
        raise JoinError("name", str(exc)) from None
    try:
        number = clean_text(raw_number, NUMBER_CHARS, "student id") or None
    except ValueError as exc:
        raise JoinError("number", str(exc)) from None
    code = clean_code(raw_code)
    if not code:
        raise JoinError("code", "type the class code (or your personal join code)")
    return JoinRequest(name, number, code, name_key(name))


def name_taken(name: str) -> JoinError:
    # Two people joined with the same name at the same moment (PostgreSQL lets both
    # transactions run; the unique name decides): the second is refused like any other.
    return JoinError("name", f"the name {name!r} is already taken in this class")


def join(db: Database, class_code: str, raw_name: str, raw_number: str, raw_code: str,
         now: datetime | None = None) -> Student:
    """The student joining (or rejoining), or JoinError saying what to fix. Blocking
    (the server's writer stores it); the app awaits `join_session` in the writer itself."""
    request = check_join(raw_name, raw_number, raw_code)
    when = now or utcnow()
    try:
        return db.writer.call(lambda session: join_session(session, class_code, request, when))
    except IntegrityError:
        raise name_taken(request.name) from None


def join_session(session: Session, class_code: str, request: JoinRequest,
                 now: datetime) -> Student:
    """The writer's job: find or add the student."""
    name, number, code, key = request.name, request.number, request.code, request.key
    personal = session.scalar(select(Student).where(Student.code == code))
    with_roster = roster_mode(session)
    if personal is not None and (personal.on_roster or not with_roster):
        if personal.name_key != key:
            raise JoinError("name", "this personal code belongs to another name: type "
                                    "your name as it was when you first joined (or as "
                                    "on the roster)")
        if personal.joined_at is None:
            personal.joined_at = now
        if number and not personal.number:
            personal.number = number
        return personal
    if with_roster:
        raise JoinError("code", "this class has a roster: type the personal join code "
                                "your instructor gave you")
    if not hmac.compare_digest(code.encode(), class_code.encode()):
        raise JoinError("code", "this is not the class code")
    if session.scalar(select(Student.id).where(Student.name_key == key)) is not None:
        raise JoinError("name", f"the name {name!r} is already taken in this class. If it "
                                "is yours, type the personal join code from your class "
                                "page instead of the class code; otherwise add an "
                                "initial to tell you apart")
    student = Student(uid=secrets.token_hex(16), name=name, name_key=key, number=number,
                      code=_new_code(session), on_roster=False, created_at=now,
                      joined_at=now)
    session.add(student)
    session.flush()
    return student


# --- roster ---------------------------------------------------------------------------

NAME_HEADERS = ("name", "student", "student name", "full name")
NUMBER_HEADERS = ("id", "student id", "student_id", "number", "student number", "id number")
EMAIL_HEADERS = ("email", "email address", "e-mail", "e-mail address")
FIRST_HEADERS = ("first name", "firstname", "given name")
LAST_HEADERS = ("last name", "lastname", "surname", "family name")
#: Canvas's gradebook export: `Student` ("Last, First"), `ID` (Canvas's user id),
#: `SIS User ID`, `SIS Login ID`, `Section`, then assignments (and a Points Possible row).
CANVAS_HEADERS = ("student", "id", "sis user id", "sis login id", "section")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    number: str | None
    email: str | None = None
    #: The LMS's own ids for this student (from the LMS's gradebook export).
    lms: dict[str, str] | None = None


@dataclass(frozen=True)
class RosterResult:
    added: int
    updated: int
    students: list[Student]


def read_roster(path: Path) -> list[RosterRow]:
    """Rows of a roster CSV: a header row with a `name` column (optionally `id`, `email`),
    or the gradebook export of Canvas or Moodle as downloaded."""
    try:
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise RosterError(f"{path}: larger than {MAX_ROSTER_BYTES:,} bytes; not a roster")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise RosterError(f"{path}:1:1: not UTF-8 text; save the roster as CSV UTF-8") \
            from None
    return parse_roster(text, str(path))


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(h) for h in names if h in header), None)


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _canvas_name(sortable: str) -> str:
    """Canvas exports "Last, First": the name as people say it, "First Last"."""
    last, comma, first = sortable.partition(",")
    return f"{first.strip()} {last.strip()}" if comma and first.strip() else sortable


def parse_roster(text: str, shown: str) -> list[RosterRow]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        raise RosterError(f"{shown}:1:1: the file is empty; it needs a header row with a "
                          "`name` column") from None
    except csv.Error as exc:
        raise RosterError(f"{shown}:1:1: not a CSV file ({exc})") from None
    canvas = header[:5] == list(CANVAS_HEADERS)
    first_col, last_col = _column(header, FIRST_HEADERS), _column(header, LAST_HEADERS)
    name_col = _column(header, NAME_HEADERS)
    if name_col is None and (first_col is None or last_col is None):
        raise RosterError(f"{shown}:1:1: no `name` column (or `first name` and `last name`) "
                          f"in the header row (found: {', '.join(header) or 'nothing'})")
    number_col = 2 if canvas else _column(header, NUMBER_HEADERS)
    email_col = _column(header, EMAIL_HEADERS)
    rows: list[RosterRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if canvas and ("points possible" in cells[0].casefold()
                           or cells[0].strip() in {"Student, Test", "Test Student"}):
                continue  # Canvas's points row and its built-in test student
            if name_col is not None:
                raw_name = _cell(cells, name_col)
            else:
                raw_name = f"{_cell(cells, first_col)} {_cell(cells, last_col)}"
            lms: dict[str, str] | None = None
            if canvas:
                lms = {key: value for key, value in (
                    ("canvas_name", raw_name), ("canvas_id", _cell(cells, 1)),
                    ("sis_user_id", _cell(cells, 2)), ("sis_login_id", _cell(cells, 3)),
                    ("section", _cell(cells, 4))) if value}
                raw_name = _canvas_name(raw_name)
            raw_email = _cell(cells, email_col)
            try:
                name = clean_name(raw_name)
                number = clean_text(_cell(cells, number_col), NUMBER_CHARS, "student id") \
                    or None
                email = clean_text(raw_email, EMAIL_CHARS, "email address") or None
            except ValueError as exc:
                problems.append(f"{shown}:{line}:1: name: {exc}")
                continue
            if email is not None and not EMAIL.match(email):
                problems.append(f"{shown}:{line}:{(email_col or 0) + 1}: email: {email!r} is "
                                "not an email address")
                continue
            key = name_key(name)
            if key in seen:
                problems.append(f"{shown}:{line}:1: name: {name!r} is also on line "
                                f"{seen[key]}; names must be unique (add an initial)")
                continue
            seen[key] = line
            rows.append(RosterRow(line, name, number, email, lms))
    except csv.Error as exc:
        problems.append(f"{shown}:{reader.line_num}:1: not valid CSV ({exc})")
    if problems:
        raise RosterError("\n".join(problems))
    if not rows:
        raise RosterError(f"{shown}:2:1: no students in the roster")
    return rows


def import_roster(db: Database, rows: Sequence[RosterRow]) -> RosterResult:
    """Add roster students (each with a personal code); names already there keep their
    code and take the roster's id, email and LMS ids."""
    added = updated = 0
    with db.write() as session:
        for row in rows:
            key = name_key(row.name)
            student = session.scalar(select(Student).where(Student.name_key == key))
            if student is None:
                session.add(Student(uid=secrets.token_hex(16), name=row.name, name_key=key,
                                    number=row.number, code=_new_code(session),
                                    on_roster=True, joined_at=None, email=row.email,
                                    lms=row.lms))
                session.flush()
                added += 1
            else:
                student.on_roster = True
                if row.number:
                    student.number = row.number
                if row.email:
                    student.email = row.email
                if row.lms:
                    student.lms = row.lms
                updated += 1
        students = list(session.scalars(select(Student).where(Student.on_roster.is_(True))
                                        .order_by(Student.name_key)))
    return RosterResult(added, updated, students)


def roster(db: Database) -> list[Student]:
    with db.read() as session:
        return list(session.scalars(select(Student).order_by(Student.name_key)))
