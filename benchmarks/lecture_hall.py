"""A lecture hall on one laptop: simulated students against a real `quizbook serve`.

`make bench` runs this after benchmarks/run.py; `python benchmarks/lecture_hall.py`
runs it alone (`--quick` for a short rehearsal, `--db sqlite` or `--db postgresql`
for one database). The server is a real uvicorn process on loopback; the students
are asyncio tasks, each with its own `httpx.AsyncClient` (its own cookies and
connection), in this process.

Scenarios, on SQLite and then on PostgreSQL (a throwaway cluster with fsync on):

- **steady class**: 300 students join within 60 s (a student every 0.2 s), read the
  first lesson, and press Check on every quiz of the book, 5 to 20 s apart;
- **vote closing**: the instructor opens a peer-instruction vote on one question and
  300 votes arrive within 2 s;
- **check burst**: 300 Checks of one quiz within 2 s (the end of a timed quiz).

During all three, the instructor's dashboard listens to its live updates (server-sent
events): the **lag** is the time from a student's acknowledged answer to the first
dashboard event that counts it.

Printed per scenario and database: joins and answers per second, p50/p95/p99 latency,
errors (any status but 200/303, or a transport error), and `lost` (answers sent minus
answers in the database, checked by attempt id).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from quizbook import model  # noqa: E402
from quizbook.book import open_book  # noqa: E402
from quizbook.bundle import make_bundle  # noqa: E402
from quizbook.grade import matching_rights  # noqa: E402
from quizbook.server.keyfree import keyfree_bundle  # noqa: E402
from quizbook.types import spec_of  # noqa: E402
from quizbook.types.cloze import Cloze, ClozeQuestion  # noqa: E402

TOKEN = "lecture-hall-bench-instructor-token"
_IGNORE = shutil.ignore_patterns("_build", "_class", ".venv", "node_modules", ".git", "tests",
                                 "src", "docs", "benchmarks", "types", ".*cache", ".hypothesis")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Plan:
    students: int = 300
    join_window: float = 60.0
    gap: tuple[float, float] = (5.0, 20.0)
    burst_window: float = 2.0


QUICK = Plan(students=60, join_window=10.0, gap=(1.0, 4.0))


# --- answers ----------------------------------------------------------------------------


def random_response(q: model.Question, rng: random.Random) -> Any:
    """A plausible answer: right about half the time, else some wrong choice."""
    if isinstance(q, model.SingleQuestion):
        return rng.choice(q.options).id
    if isinstance(q, model.MultipleQuestion):
        return [o.id for o in q.options if rng.random() < 0.5]
    if isinstance(q, model.TrueFalseQuestion):
        return rng.random() < 0.5
    if isinstance(q, model.ShortTextQuestion):
        return q.accept[0] if rng.random() < 0.5 else "no idea"
    if isinstance(q, model.NumericQuestion):
        return repr(sum(q.bounds) / 2) if rng.random() < 0.5 else "0"
    if isinstance(q, model.OrderingQuestion):
        order = list(range(1, len(q.items) + 1))
        rng.shuffle(order)
        return {i.id: n for i, n in zip(q.items, order, strict=True)}
    if isinstance(q, model.MatchingQuestion):
        rights = [r for r, _ in matching_rights(q)]
        return {p.id: rng.choice(rights) for p in q.pairs}
    if isinstance(q, ClozeQuestion):
        spec = spec_of(q)
        assert isinstance(spec, Cloze)
        return {b.id: (rng.choice([b.accept[0], "no idea"]) if b.accept is not None else
                       rng.choice([cid for cid, _, _ in spec.choices(q, b)]))
                for b in q.blanks}
    raise TypeError(f"no plausible answers for a {q.type} question in the bench")


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Tally:
    """Latencies and outcomes of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acked: list[tuple[float, str]] = field(default_factory=list)  # (time, attempt id)
    sent: int = 0
    first: float | None = None
    last: float | None = None

    def record(self, started: float, ended: float, ok: bool, error: str = "") -> None:
        self.latencies.append(ended - started)
        self.first = started if self.first is None else min(self.first, started)
        self.last = ended if self.last is None else max(self.last, ended)
        if not ok:
            self.errors.append(error)

    def rate(self) -> float:
        if self.first is None or self.last is None or self.last <= self.first:
            return 0.0
        return len(self.latencies) / (self.last - self.first)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Listener:
    """The instructor's dashboard: (arrival time, answers counted) per live update."""

    events: list[tuple[float, int]] = field(default_factory=list)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    failure: str = ""

    def lags(self, acked: list[tuple[float, str]]) -> tuple[list[float], int]:
        """For the k-th acknowledged answer (in time order), the wait until an update
        counted at least k answers; and how many were never counted."""
        lags, missing, cursor = [], 0, 0
        for k, (when, _) in enumerate(sorted(acked), start=1):
            while cursor < len(self.events) and (self.events[cursor][1] < k + self.base):
                cursor += 1
            if cursor == len(self.events):
                missing += 1
                continue
            lags.append(max(0.0, self.events[cursor][0] - when))
        return lags, missing

    base: int = 0  # answers already counted when the scenario started


async def listen(base: str, listener: Listener, stop: asyncio.Event,
                 view: str = "overview") -> None:
    async with httpx.AsyncClient(base_url=base, timeout=None) as client:
        entered = await client.get(f"/instructor?token={TOKEN}")
        if entered.status_code not in (200, 303):
            listener.failure = f"instructor sign-in: {entered.status_code}"
            listener.connected.set()
            return
        try:
            async with client.stream("GET", f"/instructor/events?view={view}") as stream:
                if stream.status_code != 200:
                    listener.failure = f"/instructor/events answered {stream.status_code}"
                    listener.connected.set()
                    return
                listener.connected.set()
                data: list[str] = []
                async for line in stream.aiter_lines():
                    if stop.is_set():
                        break
                    if line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif not line and data:
                        payload = json.loads("\n".join(data))
                        data = []
                        counted = payload.get("answers")
                        if isinstance(counted, int):
                            listener.events.append((time.perf_counter(), counted))
        except httpx.HTTPError as exc:
            if not stop.is_set():
                listener.failure = f"the event stream broke: {exc!r}"
        finally:
            listener.connected.set()


# --- students -----------------------------------------------------------------------------


class Student:
    def __init__(self, n: int, base: str, quizzes: list[model.Quiz], versions: dict[str, str],
                 rng: random.Random) -> None:
        self.n = n
        self.name = f"Student {n:03d}"
        self.quizzes = quizzes
        self.versions = versions
        self.rng = rng
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        self.client = httpx.AsyncClient(base_url=base, headers={"origin": base},
                                        timeout=60, limits=limits)

    async def join(self, code: str, tally: Tally) -> bool:
        started = time.perf_counter()
        try:
            page = await self.client.get("/join")
            found = CSRF.search(page.text)
            if page.status_code != 200 or found is None:
                tally.record(started, time.perf_counter(), False, f"join page {page.status_code}")
                return False
            joined = await self.client.post("/join", data={
                "csrf": found.group(1), "name": self.name, "number": f"S{self.n:05d}",
                "code": code})
        except httpx.HTTPError as exc:
            tally.record(started, time.perf_counter(), False, f"join: {exc!r}")
            return False
        ok = joined.status_code == 303
        tally.record(started, time.perf_counter(), ok, f"join {joined.status_code}")
        return ok

    async def read(self, path: str, tally: Tally) -> None:
        started = time.perf_counter()
        try:
            page = await self.client.get(path, headers={"accept-encoding": "gzip"})
            tally.record(started, time.perf_counter(), page.status_code == 200,
                         f"read {page.status_code}")
        except httpx.HTTPError as exc:
            tally.record(started, time.perf_counter(), False, f"read: {exc!r}")

    async def check(self, quiz: model.Quiz, tally: Tally) -> None:
        attempt_id = uuid.uuid4().hex
        body = {"attempt_id": attempt_id, "version": self.versions[quiz.id],
                "responses": {q.id: random_response(q, self.rng) for q in quiz.questions}}
        await self._send(f"/api/quizzes/{quiz.id}/check", body, attempt_id, tally)

    async def vote(self, round_id: int, question: model.Question, tally: Tally) -> None:
        vote_id = uuid.uuid4().hex
        body = {"vote_id": vote_id, "round": round_id,
                "response": random_response(question, self.rng)}
        await self._send("/api/vote", body, vote_id, tally)

    async def _send(self, path: str, body: dict[str, Any], attempt_id: str,
                    tally: Tally) -> None:
        tally.sent += 1
        started = time.perf_counter()
        try:
            reply = await self.client.post(path, json=body)
        except httpx.HTTPError as exc:
            tally.record(started, time.perf_counter(), False, f"{path}: {exc!r}")
            return
        ended = time.perf_counter()
        ok = reply.status_code == 200
        tally.record(started, ended, ok, f"{path} {reply.status_code}: {reply.text[:120]}")
        if ok:
            tally.acked.append((ended, attempt_id))

    async def close(self) -> None:
        await self.client.aclose()


# --- the server ---------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[str]
    base: str
    code: str
    db_url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(book: Path, db_url: str, log: Path, profile: Path | None = None) -> Server:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("QUIZBOOK_INSTRUCTOR_TOKEN", None)
    command = [sys.executable, "-m", "quizbook", "serve", "--book", str(book), "--db", db_url,
               "--port", str(port), "--token", TOKEN]
    if profile is not None:  # py-spy samples the server (pip install py-spy)
        command = [str(Path(sys.executable).with_name("py-spy")), "record", "--idle",
                   "--subprocesses", "--format", "speedscope", "-o", str(profile), "--",
                   *command]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True, env=env)
    assert process.stdout is not None
    code = ""
    while not code:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"quizbook serve stopped: {log.read_text()[-2000:]}")
        if line.startswith("Class code:"):
            code = line.split(":", 1)[1].strip()
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return Server(process, base, code, db_url)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("quizbook serve did not answer /healthz")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(f) for f in fields[11:15]) / ticks


class Usage:
    """The server's CPU time and the machine's load over one scenario (the machine is
    shared: other work shows in the load, not in the server's CPU time)."""

    def __init__(self, server: Server) -> None:
        self.pid = server.process.pid
        self.cpu = cpu_seconds(self.pid)
        self.wall = time.perf_counter()

    def emit(self, emit: Emit, name: str) -> None:
        cpu = cpu_seconds(self.pid) - self.cpu
        wall = time.perf_counter() - self.wall
        emit(f"{name}_server_cpu_s", cpu, f"s of {wall:.1f} s ({100 * cpu / wall:.0f}% of one "
             f"core); machine load {os.getloadavg()[0]:.1f} (2 cores)")


def stored_ids(db_url: str) -> set[str]:
    from sqlalchemy import select

    from quizbook.server.db import Database
    from quizbook.server.models import Attempt

    db = Database(db_url)
    try:
        with db.read() as session:
            return set(session.scalars(select(Attempt.attempt_uid)))
    finally:
        db.dispose()


@contextmanager
def postgres() -> Iterator[str]:
    from tests.server.postgres import ClusterError, create_database, start_cluster

    try:
        with start_cluster(durable=True) as base:
            yield create_database(base, "lecture_hall")
    except ClusterError as exc:
        raise SystemExit(f"PostgreSQL: {exc}") from None


# --- scenarios ----------------------------------------------------------------------------

Emit = Any


def report(emit: Emit, prefix: str, what: str, tally: Tally, stored: set[str]) -> None:
    lat = tally.latencies
    emit(f"{prefix}_{what}_per_s", tally.rate(), "/s")
    emit(f"{prefix}_{what}_p50_ms", percentile(lat, 0.50) * 1e3, "ms")
    emit(f"{prefix}_{what}_p95_ms", percentile(lat, 0.95) * 1e3, "ms")
    emit(f"{prefix}_{what}_p99_ms", percentile(lat, 0.99) * 1e3, "ms")
    emit(f"{prefix}_{what}_errors", len(tally.errors),
         f"of {len(lat)}" + (f" (first: {tally.errors[0]})" if tally.errors else ""))
    if tally.sent:
        acked = {a for _, a in tally.acked}
        emit(f"{prefix}_{what}_lost", tally.sent - len(acked & stored),
             f"(sent {tally.sent}, acknowledged {len(acked)}, acknowledged but not stored "
             f"{len(acked - stored)})")


def report_lag(emit: Emit, prefix: str, what: str, tally: Tally, listener: Listener,
               page: str) -> None:
    """How long the instructor's page took to show each acknowledged answer."""
    if listener.failure:
        emit(f"{prefix}_{what}_{page}_lag_p95_ms", "n/a", listener.failure)
        return
    lags, missing = listener.lags(tally.acked)
    emit(f"{prefix}_{what}_{page}_lag_p50_ms", percentile(lags, 0.5) * 1e3, "ms")
    emit(f"{prefix}_{what}_{page}_lag_p95_ms", percentile(lags, 0.95) * 1e3, "ms")
    emit(f"{prefix}_{what}_{page}_lag_max_ms", max(lags, default=float("nan")) * 1e3,
         f"ms ({len(listener.events)} updates, {missing} answers never shown)")


async def run_class(server: Server, book: Path, plan: Plan, emit: Emit, prefix: str,
                    seed: int = 46) -> None:
    rng = random.Random(seed)
    quizzes = open_book(book).quizzes()
    # What a class page carries (and so what a student's Check sends): the key-free version.
    versions = {q.id: keyfree_bundle(make_bundle(q))["version"] for q in quizzes}
    lessons = sorted((book / "_build" / "class" / "_build" / "html" / "lessons").glob("*.html"))
    first_lesson = f"/book/lessons/{lessons[0].name}"
    students = [Student(n, server.base, quizzes, versions, random.Random(rng.random()))
                for n in range(plan.students)]
    joins, reads, checks = Tally(), Tally(), Tally()

    stop = asyncio.Event()
    # The instructor's screens: the dashboard, the peer-instruction panel, and the page of
    # the quiz the check burst is on.
    burst_quiz = quizzes[-1]
    listener, panel, quiz_page = Listener(), Listener(), Listener()
    listening = [asyncio.create_task(listen(server.base, listener, stop)),
                 asyncio.create_task(listen(server.base, panel, stop, "pi")),
                 asyncio.create_task(listen(server.base, quiz_page, stop,
                                            f"quiz:{burst_quiz.id}"))]
    for each in (listener, panel, quiz_page):
        await each.connected.wait()

    async def life(student: Student, delay: float) -> None:
        await asyncio.sleep(delay)
        if not await student.join(server.code, joins):
            return
        await student.read(first_lesson, reads)
        for quiz in quizzes:
            await asyncio.sleep(student.rng.uniform(*plan.gap))
            await student.check(quiz, checks)

    started = time.perf_counter()
    usage = Usage(server)
    await asyncio.gather(*(life(s, n * plan.join_window / plan.students)
                           for n, s in enumerate(students)))
    emit(f"{prefix}_steady_duration_s", time.perf_counter() - started, "s")
    usage.emit(emit, f"{prefix}_steady")
    await asyncio.sleep(2.5)  # the last updates
    stored = stored_ids(server.db_url)
    report(emit, prefix, "steady_join", joins, stored)
    report(emit, prefix, "steady_read", reads, stored)
    report(emit, prefix, "steady_check", checks, stored)
    report_lag(emit, prefix, "steady_check", checks, listener, "dashboard")

    # The vote closing: one question, every student within the burst window.
    joined = [s for s in students if s.client.cookies]
    question_quiz = quizzes[1] if len(quizzes) > 1 else quizzes[0]
    question = next(q for q in question_quiz.questions
                    if isinstance(q, model.SingleQuestion | model.MultipleQuestion))
    opened = await students[0].client.post(
        "/instructor/pi/open", headers={"authorization": f"Bearer {TOKEN}"},
        data={"quiz": question_quiz.id, "question": question.id})
    votes = Tally()
    if opened.status_code in (200, 303):
        round_id = int((await students[0].client.get("/api/vote")).json()["round"]["id"])
        panel.base = len(stored_ids(server.db_url))  # answers stored before the vote

        async def vote(student: Student) -> None:
            await asyncio.sleep(rng.uniform(0, plan.burst_window))
            await student.vote(round_id, question, votes)

        usage = Usage(server)
        await asyncio.gather(*(vote(s) for s in joined))
        usage.emit(emit, f"{prefix}_vote")
        await asyncio.sleep(2.5)
        report(emit, prefix, "vote", votes, stored_ids(server.db_url))
        report_lag(emit, prefix, "vote", votes, panel, "pi_panel")
    else:
        emit(f"{prefix}_vote_per_s", "n/a", f"(opening a vote answered {opened.status_code})")

    # The check burst: one quiz, every student within the burst window.
    burst = Tally()
    listener.base = quiz_page.base = len(stored_ids(server.db_url))

    async def check(student: Student) -> None:
        await asyncio.sleep(rng.uniform(0, plan.burst_window))
        await student.check(burst_quiz, burst)

    usage = Usage(server)
    await asyncio.gather(*(check(s) for s in joined))
    usage.emit(emit, f"{prefix}_burst_check")
    await asyncio.sleep(2.5)
    report(emit, prefix, "burst_check", burst, stored_ids(server.db_url))
    report_lag(emit, prefix, "burst_check", burst, listener, "dashboard")
    report_lag(emit, prefix, "burst_check", burst, quiz_page, "quiz_page")

    stop.set()
    for task in listening:
        task.cancel()
    for student in students:
        await student.close()


def emit_line(name: str, value: float | int | str, unit: str) -> None:
    shown = f"{value:.1f}" if isinstance(value, float) else str(value)
    print(f"{name} {shown} {unit}", flush=True)


def class_book(work: Path) -> Path:
    book = work / "hall-book"
    shutil.copytree(ROOT, book, ignore=_IGNORE)
    subprocess.run([sys.executable, "-m", "quizbook", "class", "build", "--book", str(book)],
                   check=True, capture_output=True, text=True)
    return book


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 students, short gaps")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--book", help="an existing class build to reuse (else one is made)")
    parser.add_argument("--profile", help="folder for py-spy profiles of the server "
                        "(speedscope JSON; needs `pip install py-spy`)")
    args = parser.parse_args()
    profiles = Path(args.profile).resolve() if args.profile else None
    if profiles:
        profiles.mkdir(parents=True, exist_ok=True)
    plan = QUICK if args.quick else Plan()
    emit_line("machine", f"{platform.machine()}/{os.cpu_count()}cpu/"
              f"{platform.python_version()}", "")
    with tempfile.TemporaryDirectory(prefix="quizbook-hall-") as tmp:
        work = Path(tmp)
        book = Path(args.book) if args.book else class_book(work)
        if args.db in ("sqlite", "both"):
            server = start_server(book, f"sqlite:///{work / 'hall.db'}", work / "sqlite.log",
                                  profiles / "sqlite.json" if profiles else None)
            try:
                asyncio.run(run_class(server, book, plan, emit_line, "sqlite"))
            finally:
                server.stop()
        if args.db in ("postgresql", "both"):
            with postgres() as url:
                server = start_server(book, url, work / "postgresql.log",
                                      profiles / "postgresql.json" if profiles else None)
                try:
                    asyncio.run(run_class(server, book, plan, emit_line, "postgresql"))
                finally:
                    server.stop()


if __name__ == "__main__":
    main()
