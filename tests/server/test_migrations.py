"""Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL, and undo;
opening a classroom runs them on an empty database and on an old one.

These tests start from empty databases (`fresh_db_url`); the other server tests copy one
that the same migrations built at the start of the session (`db_url`, conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from quizbook.server.db import MIGRATIONS, Database, DatabaseError
from quizbook.server.models import Base, Setting, Student
from tests.server.conftest import make_room

#: The tables of the newest schema.
TABLES = {"alembic_version", "settings", "students", "quiz_states", "attempts", "answers",
          "rounds"}


def test_migrations_match_the_models_and_downgrade(fresh_db_url: str) -> None:
    db = Database(fresh_db_url, create=True)
    try:
        with pytest.raises(DatabaseError, match="is not a class database"):
            db.check_current()
        db.migrate()
        db.check_current()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection),
                                           Base.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert tables == TABLES
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.migrate()  # and back up again
        assert set(inspect(db.engine).get_table_names()) == tables
    finally:
        db.dispose()


def test_a_missing_database_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=r"no class database at .*nowhere\.db"):
        Database(f"sqlite:///{tmp_path / 'nowhere.db'}")
    with pytest.raises(DatabaseError, match="unsupported database"):
        Database("mysql://user@localhost/x")
    with pytest.raises(DatabaseError, match="not a database URL"):
        Database("not a url")


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'class.db'}", create=True)
    try:
        db.migrate()
        with db.engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        db.dispose()


def test_the_class_folder_stays_out_of_git(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / '_class' / 'class.db'}", create=True)
    db.migrate()
    db.dispose()
    assert (tmp_path / "_class" / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_a_part_one_database_upgrades_and_keeps_its_attempts(fresh_db_url: str,
                                                            fake_html: Path) -> None:
    """A class database made before peer instruction (revision 0001) gets the rounds table
    and `attempts.round_id` when the server starts, and keeps every attempt as a Check."""
    from sqlalchemy import text

    db = Database(fresh_db_url, create=True)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO students (id, uid, name, name_key, code, on_roster, created_at) "
                "VALUES (1, 'u1', 'Ada', 'ada', 'CODE0001', false, '2026-01-05 10:00:00')"))
            connection.execute(text(
                "INSERT INTO attempts (id, attempt_uid, student_id, quiz_id, quiz_version, "
                "number, received_at, late, score, max_points, request_digest, reply) VALUES "
                "(1, 'a-0000001', 1, 'q', 'v', 1, '2026-01-05 10:01:00', false, 2, 7, 'd', "
                "'{}')"))
    finally:
        db.dispose()
    db = make_room(fresh_db_url, fake_html).db  # what `quizbook serve` does on start
    try:
        db.check_current()
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT attempt_uid, round_id FROM attempts")).all()
            student = connection.execute(text("SELECT email, lms FROM students")).one()
        assert [tuple(r) for r in rows] == [("a-0000001", None)]
        assert tuple(student) == (None, None)
        assert "rounds" in set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_opening_a_classroom_migrates_an_empty_database(fresh_db_url: str,
                                                       fake_html: Path) -> None:
    room = make_room(fresh_db_url, fake_html)
    try:
        room.db.check_current()
        assert set(inspect(room.db.engine).get_table_names()) == TABLES
        with room.db.read() as session:
            kept = {s.key: s.value for s in session.query(Setting)}
        assert set(kept) == {"session_secret", "class_code"}  # the token came from the config
        assert kept["class_code"] == room.class_code
    finally:
        room.db.dispose()


def test_a_tests_own_database_is_migrated_and_empty(db_url: str) -> None:
    """What `db_url` promises the other server tests: the newest schema, no rows."""
    db = Database(db_url)
    try:
        db.check_current()
        assert set(inspect(db.engine).get_table_names()) == TABLES
        with db.read() as session:
            assert session.query(Setting).count() == 0
            assert session.query(Student).count() == 0
    finally:
        db.dispose()
