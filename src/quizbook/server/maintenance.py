"""Looking after the class data: forget a student, purge old attempts, back up while running.

Deleting is real: on SQLite, deleted rows are overwritten (`secure_delete`), the
file is compacted (`VACUUM`) and the write-ahead log emptied, so a forgotten
student's answers are not left in free pages or the log.
"""

from __future__ import annotations

import difflib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from glob import glob
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.engine import make_url

from quizbook.server.db import Database, DatabaseError
from quizbook.server.models import Attempt, Student
from quizbook.server.students import name_key


class MaintenanceError(Exception):
    """The command cannot do what was asked; the message says why."""


@dataclass(frozen=True)
class Forgotten:
    name: str
    attempts: int


@dataclass(frozen=True)
class Purged:
    attempts: int
    students: int


def compact(db: Database) -> None:
    """Give deleted data's space back and leave no copy of it in the SQLite log."""
    if db.dialect != "sqlite":
        return
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def forget(db: Database, name: str) -> Forgotten:
    key = name_key(name)
    with db.write() as session:
        student = session.scalar(select(Student).where(Student.name_key == key))
        if student is None:
            names = list(session.scalars(select(Student.name)))
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(repr(n) for n in close)}?)" if close else ""
            raise MaintenanceError(f"no student named {name!r} in this class{hint}")
        shown = student.name
        attempts = len(student.attempts)
        session.delete(student)
    compact(db)
    return Forgotten(shown, attempts)


def parse_when(text: str) -> datetime:
    """`2026-06-30` (midnight UTC) or an ISO date and time (UTC unless an offset is given)."""
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(), timezone.utc)
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise MaintenanceError(f"--before {text!r}: not a date (use YYYY-MM-DD or "
                               "YYYY-MM-DDTHH:MM+HH:MM)") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def purge(db: Database, before: datetime) -> Purged:
    """Delete attempts received before `before`, and students who joined before it by
    themselves (not from the roster) and have no attempts left."""
    with db.write() as session:
        attempts = _deleted(session.execute(
            delete(Attempt).where(Attempt.received_at < before)
            .execution_options(synchronize_session=False)))
        left = exists().where(Attempt.student_id == Student.id)
        students = _deleted(session.execute(
            delete(Student).where(Student.on_roster.is_(False), Student.joined_at < before,
                                  ~left)
            .execution_options(synchronize_session=False)))
    compact(db)
    return Purged(attempts, students)


def _deleted(result: Any) -> int:
    """Rows a DELETE removed (a CursorResult's rowcount)."""
    count = getattr(result, "rowcount", 0)
    return int(count) if isinstance(count, int) and count > 0 else 0


def _pg_dump() -> str | None:
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(glob("/usr/lib/postgresql/*/bin/pg_dump"))
    return candidates[-1] if candidates else None


def backup(db: Database, out: Path) -> Path:
    """A consistent copy of the database while the server keeps running.

    SQLite: the SQLite backup API (a snapshot, even mid-write) into a new file.
    PostgreSQL: `pg_dump --format=custom` (restore with `pg_restore`)."""
    if out.exists():
        raise MaintenanceError(f"{out} already exists; choose a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    if db.dialect == "sqlite":
        with db.engine.connect() as connection:
            source = connection.connection.driver_connection
            assert isinstance(source, sqlite3.Connection)
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                target.close()
        os.replace(partial, out)
        return out
    if db.dialect == "postgresql":
        tool = _pg_dump()
        if tool is None:
            raise MaintenanceError("pg_dump is not installed: apt-get install "
                                   "postgresql-client (or copy with your own PostgreSQL "
                                   "backup tools)")
        url = make_url(db.url).set(drivername="postgresql")
        proc = subprocess.run([tool, "--format=custom", "--no-owner", "--file", str(partial),
                               "--dbname", url.render_as_string(hide_password=False)],
                              capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            partial.unlink(missing_ok=True)
            raise MaintenanceError(f"pg_dump failed: {proc.stderr.strip()[-500:]}")
        os.replace(partial, out)
        return out
    raise DatabaseError(f"no backup method for {db.dialect}")
