"""The class database: one engine, read and write sessions, migrations, the class's settings.

SQLite (the default, `BOOK/_class/class.db`) and PostgreSQL run the same code.
On SQLite: WAL journal (readers never wait for the writer), `synchronous=FULL`
(a committed attempt survives a power cut, not only a killed process), foreign
keys on, deleted rows overwritten (`secure_delete`), and write transactions that
take the write lock at BEGIN (`BEGIN IMMEDIATE`) so that two requests never
deadlock upgrading a read lock. On PostgreSQL, writers serialise per student with
`SELECT ... FOR UPDATE`.

Inside the server, every write goes through `Database.writer` (one thread per process
that commits in batches, `quizbook.server.writer`); the data commands (export, forget,
purge, roster) use `Database.write()` directly.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from quizbook.server.models import Setting
from quizbook.server.writer import Writer

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DB = Path("_class") / "class.db"
#: Letters and digits nobody confuses when reading them off a projector or a slip.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_BEGIN = "quizbook_begin"
WRITER_LANES = 4


class DatabaseError(Exception):
    """The database cannot be used; the message says what to do."""


def default_url(book: Path) -> str:
    return f"sqlite:///{(book / DEFAULT_DB).resolve()}"


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean the psycopg 3 driver (the one we install)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable database URL)"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _sqlite_engine(url: str, create: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        path = Path(database)
        if not path.exists() and not create:
            raise DatabaseError(f"no class database at {path} (start the server once, or "
                                "give --db)")
        if create and not path.parent.exists():
            path.parent.mkdir(parents=True)
            # The class data stays out of git: it names students.
            (path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
    # Readers run in the server's thread pool (40 threads): enough connections that a
    # reader never waits for one; the writer needs only one.
    engine = create_engine(url, connect_args={"timeout": 30}, pool_size=10, max_overflow=40)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       "secure_delete=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url: str, *, create: bool = False) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {url!r} (use sqlite:///PATH or "
                            "postgresql://USER:PASSWORD@HOST/NAME)") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(url, create)
        if parsed.get_backend_name() == "postgresql":
            return create_engine(url, pool_size=10, max_overflow=40, pool_pre_ping=True)
    except NoSuchModuleError:
        pass
    except ModuleNotFoundError as exc:
        if "psycopg" in str(exc):
            raise DatabaseError("PostgreSQL needs the psycopg driver: pip install "
                                "'quizbook[postgresql]' (or psycopg[binary])") from None
        raise
    raise DatabaseError(f"unsupported database {shown_url(url)}: use sqlite:///PATH or "
                        "postgresql://USER:PASSWORD@HOST/NAME")


class Database:
    def __init__(self, url: str, *, create: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, create=create)
        self.dialect = self.engine.dialect.name
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        #: The server's writer (started on first use): see quizbook.server.writer. SQLite
        #: writes one transaction at a time, so one lane; PostgreSQL overlaps several.
        self.writer = Writer(self.write, lanes=1 if self.dialect == "sqlite" else WRITER_LANES)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits when the block ends (and rolls back on an exception)."""
        with self._sessions() as session:
            session.connection(execution_options={_BEGIN: "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def migrate(self) -> None:
        """Bring the schema to the newest migration (creates the tables on a new database)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise DatabaseError(f"cannot open the class database {shown_url(self.url)}: "
                                f"{exc.orig}") from None

    def check_current(self) -> None:
        """Refuse a database that is not at the newest migration (or has no tables)."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        try:
            with self.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
        except OperationalError as exc:
            raise DatabaseError(f"cannot open the class database {shown_url(self.url)}: "
                                f"{exc.orig}") from None
        if current is None:
            raise DatabaseError(f"{shown_url(self.url)} is not a class database (no tables; "
                                "start the server on it once)")
        if current != head:
            raise DatabaseError(f"{shown_url(self.url)} is at schema {current}, this quizbook "
                                f"needs {head}: start `quizbook serve` on it once to upgrade")

    def setting(self, key: str, make: Any) -> str:
        """The class setting `key`, created with `make()` the first time."""
        with self.write() as session:
            row = session.get(Setting, key)
            if row is None:
                row = Setting(key=key, value=make())
                session.add(row)
            return row.value

    def set_setting(self, key: str, value: str) -> None:
        with self.write() as session:
            row = session.get(Setting, key)
            if row is None:
                session.add(Setting(key=key, value=value))
            else:
                row.value = value

    def settings(self) -> dict[str, str]:
        with self.read() as session:
            return {row.key: row.value for row in session.scalars(select(Setting))}

    def dispose(self) -> None:
        self.writer.close()
        self.engine.dispose()
