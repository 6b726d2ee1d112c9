"""One writer per server process: every change to the class database goes through one
thread, in batches that commit together (group commit).

Why: on SQLite only one transaction can write at a time. When each request opens its
own write transaction, the losers wait in SQLite's busy handler, which sleeps and
retries (1 ms, 2 ms, 5 ms ... 100 ms), so under a burst most of a Check's time is spent
asleep while the lock is free. Here requests queue in memory instead; the writer takes
everything waiting, runs each job in its own savepoint (one refused job changes nothing
and does not spoil the others), commits once, and only then answers every job of the
batch: each answer still leaves after its attempt is committed (and, on SQLite with
`synchronous=FULL`, on disk), but a burst of 100 Checks costs a handful of commits, not
100. PostgreSQL gets the same batching (one WAL flush per batch).

`Writer.run(job)` is for the event loop (await it); `Writer.call(job)` blocks, for
threads and tests. A job is a function of the session; what it returns is the answer.
On PostgreSQL there are several lanes (see `Writer`): one connection is idle while
its round trips travel, so a second lane keeps the database busy.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

log = logging.getLogger("quizbook.server")
T = TypeVar("T")
MAX_BATCH = 200


@dataclass
class _Job:
    work: Callable[[Session], Any]
    done: concurrent.futures.Future[Any]


class WriterClosed(RuntimeError):
    """The writer has stopped (the server is shutting down): nothing was stored."""


class Writer:
    """The writer: one lane (thread) on SQLite; on PostgreSQL several lanes, so that the
    round trips of one batch overlap with another's. A job with a `key` (the student's
    id) always goes to the same lane, so two lanes never lock the same student's row and
    can never wait on each other; jobs without a key (the instructor's, joins) go to
    lane 0."""

    def __init__(self, transaction: Callable[[], Any], name: str = "quizbook-writer",
                 lanes: int = 1) -> None:
        self._lanes = [_Lane(transaction, f"{name}-{n}") for n in range(max(1, lanes))]

    @property
    def batches(self) -> int:
        """Batches committed (the tests read this)."""
        return sum(lane.batches for lane in self._lanes)

    @property
    def jobs(self) -> int:
        return sum(lane.jobs for lane in self._lanes)

    def submit(self, work: Callable[[Session], T],
               key: str | None = None) -> concurrent.futures.Future[T]:
        lane = self._lanes[zlib.crc32(key.encode()) % len(self._lanes) if key else 0]
        return lane.submit(work)

    async def run(self, work: Callable[[Session], T], key: str | None = None) -> T:
        """Run `work` in the writer and wait (without blocking the event loop) until its
        batch is committed. Exceptions of the job come back here, after the commit."""
        return await asyncio.wrap_future(self.submit(work, key))

    def call(self, work: Callable[[Session], T], key: str | None = None) -> T:
        return self.submit(work, key).result()

    def close(self) -> None:
        for lane in self._lanes:
            lane.close()


class _Lane:
    def __init__(self, transaction: Callable[[], Any], name: str) -> None:
        #: A context manager factory: a write transaction that commits when its block ends.
        self._transaction = transaction
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._name = name
        self.batches = 0
        self.jobs = 0

    def _start(self) -> None:
        with self._lock:
            if self._closed:
                raise WriterClosed("the class server is shutting down; nothing was stored")
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name,
                                                daemon=True)
                self._thread.start()

    def submit(self, work: Callable[[Session], T]) -> concurrent.futures.Future[T]:
        self._start()
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queue.put(_Job(work, done))
        return done

    def close(self) -> None:
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=60)

    # --- the lane's thread ------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Job]) -> None:
        outcomes: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            with self._transaction() as session:
                for job in batch:
                    if not job.done.set_running_or_notify_cancel():
                        continue
                    try:
                        with session.begin_nested():
                            result = job.work(session)
                    except Exception as exc:  # the job's own refusal: its savepoint is undone
                        outcomes.append((job, None, exc))
                    else:
                        outcomes.append((job, result, None))
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            log.exception("a batch of %d write(s) could not be committed", len(batch))
            for job in batch:
                if job.done.running():
                    job.done.set_exception(exc)
            return
        self.batches += 1
        self.jobs += len(outcomes)
        for job, result, error in outcomes:
            if error is not None:
                job.done.set_exception(error)
            else:
                job.done.set_result(result)
