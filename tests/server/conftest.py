"""Fixtures for the class server's tests.

- `db_url`: every database test runs on SQLite and on PostgreSQL (a throwaway cluster,
  started once per session from Debian's binaries; see `postgres.py`), each test on an
  empty database already at the newest migration, which the real Alembic migrations built
  at the start of the session: SQLite, a copy of the migrated file; PostgreSQL, one
  migrated database per session whose tables are emptied before each test (TRUNCATE ...
  RESTART IDENTITY, after closing any connection a test left open), since a new database
  per test copies some 12 MB. Opening a classroom on it still runs `migrate()`, which
  finds nothing to do.
- `fresh_db_url`: an empty database on both, for what must start from nothing: the
  migrations' own tests (`test_migrations.py`, including `open_classroom` on an empty
  database) and the real server processes (`test_process.py`).
- `sqlite_url`: an empty SQLite database (a path no file is at yet).
- `fake_html`: a tiny stand-in for a class build (fast tests that do not need a book build).
- `room` / `app`: the server for the minimal test book on `db_url`; `student(...)` and
  `instructor(...)` make in-process httpx clients (Starlette's AppClient) with their own
  cookie jars.
- `minimal_class_book` / `course_class_book`: real class builds (slow) in temporary copies.
- `serve(...)`: a real `quizbook serve` process (uvicorn) on a free port.
- `serve_room(room)`: a real uvicorn server for `room` in a thread of this process (real
  sockets and streamed responses, as `quizbook serve` configures uvicorn), for tests of
  what travels over HTTP (event streams) where the process and the command are not the
  point: no interpreter to start.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from quizbook.book import open_book
from quizbook.bundle import make_bundle
from quizbook.server.app import Classroom, ServerConfig, create_app, open_classroom
from quizbook.server.bookfiles import precompress
from quizbook.server.classbuild import build_class_edition
from quizbook.server.db import Database
from quizbook.server.keyfree import keyfree_bundle
from quizbook.server.models import Attempt, Base
from quizbook.sphinx.render import quiz_html
from tests.server.asgi import AppClient
from tests.server.postgres import cluster, create_database, free_port

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "books" / "minimal"
QUIZ = "m1-all-types"
BASE = "http://testserver"
TOKEN = "instructor-token-for-tests-0123456789"
#: Book folders a copy needs (never the build output, the venv or the tests).
SKIP = shutil.ignore_patterns("_build", "_class", ".venv", "node_modules", ".git", "tests",
                              "src", "docs", "benchmarks", "types", ".*cache", ".hypothesis")


@pytest.fixture(scope="session")
def pg_base() -> Iterator[str]:
    with cluster() as base:
        yield base


#: The PostgreSQL database the `db_url` tests share, one test at a time (per xdist worker).
SHARED_DB = "quizbook_tests"
#: SQLite's files for one database (the write-ahead log is checkpointed into the main file
#: when the last connection closes; a left-over log would be copied with it).
SQLITE_FILES = ("", "-wal", "-shm")


def migrated(url: str) -> str:
    """Run the real migrations on the empty database at `url`; close every connection."""
    db = Database(url, create=True)
    try:
        db.migrate()
        db.check_current()
    finally:
        db.dispose()
    return url


@pytest.fixture(scope="session")
def pg_shared(pg_base: str) -> str:
    """The URL of a PostgreSQL database at the newest migration, for the `db_url` tests."""
    return migrated(create_database(pg_base, SHARED_DB))


def emptied(url: str) -> str:
    """Every table of the models emptied and its ids restarted (the schema and Alembic's
    version row stay); connections other tests left open are closed first, so none holds
    a lock that TRUNCATE would wait for."""
    import psycopg

    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database file at the newest migration, to copy."""
    path = tmp_path_factory.mktemp("migrated") / "class.db"
    migrated(f"sqlite:///{path}")
    return path


def sqlite_copy(template: Path, dest: Path) -> str:
    for suffix in SQLITE_FILES:
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, dest.with_name(dest.name + suffix))
    return f"sqlite:///{dest}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database at the newest migration, on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path / "class.db")
    return emptied(request.getfixturevalue("pg_shared"))


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no tables) of this test's own, on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'class.db'}"
    base: str = request.getfixturevalue("pg_base")
    return create_database(base, f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database: no file there yet."""
    return f"sqlite:///{tmp_path / 'class.db'}"


@pytest.fixture
def migrated_sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A SQLite database of this test's own at the newest migration."""
    return sqlite_copy(sqlite_template, tmp_path / "class.db")


def stored_attempts(db_url: str) -> dict[str, int]:
    """Attempt id -> how many rows carry it (1 each: stored once, never lost or doubled)."""
    db = Database(db_url)
    try:
        with db.read() as session:
            return dict(session.execute(select(Attempt.attempt_uid, func.count())
                                        .group_by(Attempt.attempt_uid)).all())
    finally:
        db.dispose()


def write_fake_build(html: Path, book: Path = MINIMAL) -> Path:
    """A class build in miniature: an index, one lesson page with the key-free bundles of
    the book's quizzes, a stylesheet with its gzip copy, and Sphinx's .buildinfo."""
    html.mkdir(parents=True, exist_ok=True)
    quizzes = open_book(book).quizzes()
    (html / "index.html").write_text("<!DOCTYPE html><title>Book</title><p>The book</p>",
                                     encoding="utf-8")
    body = "".join(quiz_html(keyfree_bundle(make_bundle(q), "../../api/"), 2) for q in quizzes)
    (html / "lessons").mkdir(exist_ok=True)
    (html / "lessons" / "01-minimal.html").write_text(
        f'<!DOCTYPE html><html lang="en"><title>Lesson</title>'
        f'<link rel="stylesheet" href="../_static/book.css?v=1234abcd"><main>{body}</main>',
        encoding="utf-8")
    (html / "_static").mkdir(exist_ok=True)
    (html / "_static" / "book.css").write_text("body { color: #111; }\n" * 40,
                                               encoding="utf-8")
    (html / ".buildinfo").write_text("config: secret-build-hash\n", encoding="utf-8")
    precompress(html)
    return html


@pytest.fixture(scope="session")
def fake_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The miniature class build of the minimal book, made once per session to copy."""
    return write_fake_build(tmp_path_factory.mktemp("fake-build") / "html")


@pytest.fixture
def fake_html(fake_build: Path, tmp_path: Path) -> Path:
    """This test's own copy of the miniature build (file times kept: the gzip copies stay
    as fresh as their sources), which the test may change."""
    return Path(shutil.copytree(fake_build, tmp_path / "html"))


def make_room(db_url: str, html: Path, book: Path = MINIMAL, **overrides: Any) -> Classroom:
    config = ServerConfig(book=book, html=html, db_url=db_url, token=TOKEN, **overrides)
    return open_classroom(config)


@pytest.fixture
def room_factory(db_url: str, fake_html: Path) -> Iterator[Callable[..., Classroom]]:
    made: list[Classroom] = []

    def factory(**overrides: Any) -> Classroom:
        room = make_room(db_url, fake_html, **overrides)
        made.append(room)
        return room

    yield factory
    for room in made:
        room.db.dispose()


@pytest.fixture
def room(room_factory: Callable[..., Classroom]) -> Classroom:
    return room_factory()


@pytest.fixture
def app(room: Classroom) -> Any:
    return create_app(room)


@dataclass
class Student:
    """One student's browser: a cookie jar, the join form, and the check API."""

    client: Any
    room: Classroom
    name: str = ""
    sent: list[str] = field(default_factory=list)

    def join_form(self) -> str:
        page = self.client.get("/join")
        assert page.status_code == 200, page.text
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None
        return found.group(1)

    def join(self, name: str, code: str | None = None, number: str = "") -> httpx.Response:
        csrf = self.join_form()
        response: httpx.Response = self.client.post(
            "/join", data={"csrf": csrf, "name": name, "number": number,
                           "code": self.room.class_code if code is None else code},
            follow_redirects=False)
        if response.status_code == 303:
            self.name = name
        return response

    def check(self, responses: dict[str, Any], quiz: str = QUIZ, attempt_id: str | None = None,
              version: str | None = None) -> httpx.Response:
        attempt_id = attempt_id or str(uuid.uuid4())
        self.sent.append(attempt_id)
        entry = self.room.catalog.get(quiz)
        body = {"attempt_id": attempt_id, "responses": responses,
                "version": version or (entry.page_version if entry else "x")}
        response: httpx.Response = self.client.post(f"/api/quizzes/{quiz}/check", json=body)
        return response


@pytest.fixture
def student(app: Any, room: Classroom) -> Iterator[Callable[..., Student]]:
    clients: list[AppClient] = []

    def make(name: str | None = None) -> Student:
        client = AppClient(app, base_url=BASE, headers={"origin": BASE})
        clients.append(client)
        pupil = Student(client, room)
        if name is not None:
            joined = pupil.join(name)
            assert joined.status_code == 303, joined.text
        return pupil

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def instructor(app: Any) -> Iterator[AppClient]:
    client = AppClient(app, base_url=BASE, headers={"origin": BASE})
    entered = client.get(f"/instructor?token={TOKEN}", follow_redirects=False)
    assert entered.status_code == 303
    yield client
    client.close()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


# --- real builds and real processes ---------------------------------------------------


def copy_book(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=SKIP)
    return dest


@pytest.fixture(scope="session")
def minimal_class_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the minimal test book with its class build (slow)."""
    book = copy_book(MINIMAL, tmp_path_factory.mktemp("minimal-class") / "book")
    built = build_class_edition(book)
    precompress(built.html)
    return book


@pytest.fixture(scope="session")
def course_class_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the course book with its class build (slow)."""
    book = copy_book(ROOT, tmp_path_factory.mktemp("course-class") / "book")
    built = build_class_edition(book)
    precompress(built.html)
    return book


@dataclass
class Server:
    process: subprocess.Popen[str]
    base: str
    lines: list[str]
    token: str

    @property
    def class_code(self) -> str:
        return next(line.split(":", 1)[1].strip() for line in self.lines
                    if line.startswith("Class code:"))

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, no goodbye."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def _stderr(process: subprocess.Popen[str]) -> str:
    return process.stderr.read() if process.stderr else ""


def start_server(book: Path, db_url: str, *extra: str, token: str = TOKEN,
                 port: int | None = None, scheme: str = "http") -> Server:
    port = port or free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("QUIZBOOK_INSTRUCTOR_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "quizbook", "serve", "--book", str(book), "--db", db_url,
         "--port", str(port), "--token", token, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    lines: list[str] = []
    while len(lines) < 3:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the server stopped: {_stderr(process)}")
        lines.append(line.strip())
    base = f"{scheme}://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=2, verify=False).status_code == 200:
                return Server(process, base, lines, token)
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {_stderr(process)}")
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not answer /healthz")


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def run(book: Path, db_url: str, *extra: str, **kwargs: Any) -> Server:
        server = start_server(book, db_url, *extra, **kwargs)
        started.append(server)
        return server

    yield run
    for server in started:
        server.stop()


@dataclass
class ThreadServer:
    """A uvicorn server in a thread of the test's process, serving one classroom."""

    base: str
    class_code: str
    server: uvicorn.Server
    thread: threading.Thread
    listener: socket.socket

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.listener.close()
        assert not self.thread.is_alive(), "the server thread did not stop"


def start_thread_server(room: Classroom) -> ThreadServer:
    """Serve `room` with uvicorn (the settings of `quizbook serve`) on a socket bound
    here, so no other process can take the port between choosing it and listening."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(room), log_level="warning", access_log=False,
                            server_header=False, timeout_graceful_shutdown=3,
                            timeout_keep_alive=65)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]},
                              name=f"uvicorn-{port}", daemon=True)
    thread.start()
    for _ in range(3000):
        if server.started:
            return ThreadServer(f"http://127.0.0.1:{port}", room.class_code, server, thread,
                                listener)
        if not thread.is_alive():
            break
        time.sleep(0.01)
    server.should_exit = True
    listener.close()
    raise AssertionError("the in-process server did not start")


@pytest.fixture
def serve_room() -> Iterator[Callable[[Classroom], ThreadServer]]:
    started: list[ThreadServer] = []

    def run(room: Classroom) -> ThreadServer:
        server = start_thread_server(room)
        started.append(server)
        return server

    yield run
    for server in started:
        server.stop()


class HttpStudent:
    """A student talking to a real server over HTTP."""

    def __init__(self, server: Server | ThreadServer, room_versions: dict[str, str]) -> None:
        self.server = server
        self.versions = room_versions
        self.client = httpx.Client(base_url=server.base, headers={"origin": server.base},
                                   timeout=30, follow_redirects=True)

    def join(self, name: str, code: str | None = None) -> httpx.Response:
        page = self.client.get("/join")
        return self.client.post("/join", data={"csrf": csrf_of(page.text), "name": name,
                                               "number": "", "code": code or
                                               self.server.class_code})

    def check(self, responses: dict[str, Any], attempt_id: str, quiz: str = QUIZ
              ) -> httpx.Response:
        return self.client.post(f"/api/quizzes/{quiz}/check", content=json.dumps(
            {"attempt_id": attempt_id, "version": self.versions[quiz], "responses": responses}),
            headers={"content-type": "application/json"})

    def close(self) -> None:
        self.client.close()
