"""The writer: jobs waiting together commit together, one refused job spoils nothing,
a failed commit fails every job of its batch, and nothing is answered before its commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizbook.server.db import Database
from quizbook.server.models import Setting
from quizbook.server.writer import Writer, WriterClosed


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url, create=True)
    database.migrate()
    yield database
    database.dispose()


def settings(db: Database) -> dict[str, str]:
    return db.settings()


def test_waiting_jobs_commit_in_one_batch_and_a_refusal_spoils_nothing(db: Database) -> None:
    gate = threading.Event()
    started = threading.Event()

    def blocker(session: Session) -> str:
        started.set()
        gate.wait(timeout=30)
        session.add(Setting(key="first", value="1"))
        return "first"

    def add(n: int) -> Any:
        def job(session: Session) -> str:
            if n == 3:
                session.add(Setting(key="k3", value="3"))
                session.flush()
                raise ValueError("job 3 refuses")
            session.add(Setting(key=f"k{n}", value=str(n)))
            return f"k{n}"
        return job

    first = db.writer.submit(blocker)
    assert started.wait(timeout=30)
    waiting = [db.writer.submit(add(n)) for n in range(10)]  # queue up behind the blocker
    assert not any(f.done() for f in waiting)
    gate.set()
    assert first.result(timeout=30) == "first"
    results = []
    for n, future in enumerate(waiting):
        if n == 3:
            with pytest.raises(ValueError, match="job 3 refuses"):
                future.result(timeout=30)
        else:
            results.append(future.result(timeout=30))
    assert results == [f"k{n}" for n in range(10) if n != 3]
    stored = settings(db)
    assert "k3" not in stored and all(f"k{n}" in stored for n in range(10) if n != 3)
    assert db.writer.batches == 2  # the blocker's batch, then the ten together
    assert db.writer.jobs == 11


def test_nothing_is_answered_before_its_commit_and_a_failed_commit_fails_the_batch() -> None:
    log: list[str] = []

    class Transaction:
        def __init__(self, fail: bool) -> None:
            self.fail = fail

        def __enter__(self) -> Any:
            class FakeSession:
                @contextmanager
                def begin_nested(self) -> Iterator[None]:
                    yield

            return FakeSession()

        def __exit__(self, *exc: Any) -> None:
            log.append("commit")
            if self.fail:
                raise RuntimeError("disk full")

    outcomes = iter([False, True])
    writer = Writer(lambda: Transaction(next(outcomes)))
    try:
        def job(session: Any) -> str:
            log.append("job")
            return "stored"

        done = writer.submit(job)
        assert done.result(timeout=30) == "stored"
        assert log == ["job", "commit"]  # the answer came after the commit
        failed = writer.submit(job)
        with pytest.raises(RuntimeError, match="disk full"):
            failed.result(timeout=30)
    finally:
        writer.close()
    with pytest.raises(WriterClosed, match="shutting down"):
        writer.submit(job)


def test_many_threads_at_once_lose_nothing(db: Database) -> None:
    def job(n: int) -> Any:
        def add(session: Session) -> int:
            session.add(Setting(key=f"t{n}", value=str(n)))
            return n
        return add

    answers: list[int] = []
    lock = threading.Lock()

    def client(start: int) -> None:
        for n in range(start, start + 25):
            value = db.writer.call(job(n))
            with lock:
                answers.append(value)

    threads = [threading.Thread(target=client, args=(k * 25,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answers) == list(range(200))
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Setting)
                              .where(Setting.key.like("t%"))) == 200


def test_a_students_jobs_always_take_the_same_lane() -> None:
    """On PostgreSQL the writer has several lanes; one student's jobs stay in one lane (in
    order, and never waiting on another lane's row locks), jobs without a key in lane 0."""

    class Transaction:
        def __enter__(self) -> Any:
            class FakeSession:
                @contextmanager
                def begin_nested(self) -> Iterator[None]:
                    yield

            return FakeSession()

        def __exit__(self, *exc: Any) -> None:
            pass

    writer = Writer(Transaction, name="lanes", lanes=3)
    try:
        def where(n: int) -> Any:
            def job(session: Any) -> tuple[str, int]:
                return threading.current_thread().name, n
            return job

        keys = [f"student-{k}" for k in range(12)]
        done = {key: [writer.submit(where(n), key) for n in range(5)] for key in keys}
        lanes = {key: {f.result(timeout=30)[0] for f in futures} for key, futures in done.items()}
        assert all(len(names) == 1 for names in lanes.values())
        assert len({next(iter(names)) for names in lanes.values()}) == 3
        assert writer.call(where(0))[0] == "lanes-0"
    finally:
        writer.close()
