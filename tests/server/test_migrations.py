"""Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL, and undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from quizbook.server.db import MIGRATIONS, Database, DatabaseError
from quizbook.server.models import Base


def test_migrations_match_the_models_and_downgrade(db_url: str) -> None:
    db = Database(db_url, create=True)
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
        assert tables == {"alembic_version", "settings", "students", "quiz_states", "attempts",
                          "answers", "rounds"}
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
