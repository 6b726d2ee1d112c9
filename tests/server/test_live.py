"""Live updates: the hub renders once per burst of changes, and a real server's event
streams carry a Check to the dashboard and a vote to the projector, in order, with the
content the pages show (no timing is asserted: the bench measures the lag).

The event streams are read from a real uvicorn server over HTTP (an in-process ASGI client
would hold a stream's response until it ended, which an event stream never does); the
server runs in a thread of this process (`serve_room`), since what is tested is the
stream, not `quizbook serve`'s process (test_process.py and the browser tests start that).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from quizbook.server.app import Classroom
from quizbook.server.live import Hub, events
from tests.server.conftest import MINIMAL, QUIZ, TOKEN, HttpStudent, ThreadServer
from tests.server.test_peer import text_of

T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: a session's Playwright (sync API) keeps an event
    loop running in the main thread, where asyncio.run refuses to start another one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_burst_of_changes_is_rendered_once() -> None:
    async def scenario() -> tuple[list[int], int, int, list[str]]:
        hub = Hub(interval=0.01)
        renders: list[int] = []

        async def render() -> dict[str, Any]:
            renders.append(hub.version)
            return {"answers": hub.version}

        watcher = hub.subscribe("dashboard", frozenset({"quiz"}), render)
        first = await watcher.next(timeout=5)
        for _ in range(100):  # one burst, before the feed wakes up
            hub.changed("quiz", "quiz:a")
        second = await watcher.next(timeout=5)
        hub.changed("students")  # not a topic of this feed: nothing to render
        quiet = await watcher.next(timeout=0.2)
        feed = hub.feeds["dashboard"]
        seq = feed.seq
        watcher.close()
        await asyncio.sleep(0)
        assert feed.task is not None
        await asyncio.gather(feed.task, return_exceptions=True)
        texts = [t for t in (first, second, quiet) if t is not None]
        return renders, seq, len(hub.feeds), texts

    renders, seq, feeds_left, texts = run_apart(scenario())
    assert renders == [0, 100]  # the first rendering, then one for the whole burst
    assert seq == 2 and feeds_left == 0
    assert [json.loads(t.split("data: ", 1)[1])["answers"] for t in texts] == [0, 100]
    assert all(t.startswith(f"id: {n}\nevent: update\n") for n, t in zip((1, 2), texts,
                                                                          strict=True))


def test_an_unchanged_rendering_is_not_sent_again() -> None:
    async def scenario() -> tuple[str | None, str | None]:
        hub = Hub(interval=0.01)

        async def render() -> dict[str, Any]:
            return {"answers": 1}

        watcher = hub.subscribe("same", frozenset({"quiz"}), render)
        first = await watcher.next(timeout=5)
        hub.changed("quiz")
        again = await watcher.next(timeout=0.3)
        watcher.close()
        return first, again

    first, again = run_apart(scenario())
    assert first is not None and again is None


def test_the_stream_starts_with_a_retry_delay_and_pings_when_idle() -> None:
    async def scenario() -> list[str]:
        hub = Hub(interval=0.01)

        async def render() -> dict[str, Any]:
            return {"answers": 0}

        watcher = hub.subscribe("idle", frozenset({"quiz"}), render)
        import quizbook.server.live as live

        old, live.PING_SECONDS = live.PING_SECONDS, 0.05
        try:
            stream = events(watcher)
            chunks = [await stream.__anext__() for _ in range(3)]
            await stream.aclose()
        finally:
            live.PING_SECONDS = old
        return chunks

    chunks = run_apart(scenario())
    assert chunks[0] == "retry: 2000\n\n"
    assert chunks[1].startswith("id: 1\nevent: update\n")
    assert chunks[2] == ": ping\n\n"


# --- a real server -------------------------------------------------------------------------


def sse(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """The `update` events of a text/event-stream, as parsed JSON."""
    data: list[str] = []
    name = ""
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            if name == "update":
                yield json.loads("\n".join(data))
            data, name = [], ""


@pytest.fixture
def db_url(migrated_sqlite_url: str) -> str:
    return migrated_sqlite_url


def test_a_dashboard_subscriber_sees_a_check_then_a_vote(
        room: Classroom, serve_room: Callable[[Classroom], ThreadServer]) -> None:
    server = serve_room(room)
    entry_versions = {QUIZ: _version(MINIMAL)}
    ada = HttpStudent(server, entry_versions)
    assert ada.join("Ada <i>Lovelace</i>").status_code == 200
    timeout = httpx.Timeout(60.0)
    with httpx.Client(base_url=server.base, timeout=timeout) as teacher:
        teacher.get(f"/instructor?token={TOKEN}")
        with teacher.stream("GET", "/instructor/events?view=overview") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            updates = sse(stream)
            first = next(updates)
            assert first["view"] == "instructor:overview" and first["seq"] == 1
            assert first["answers"] == 0
            assert "1 student joined · 0 Checks · 0 votes" in text_of(
                first["regions"]["live-summary"])
            students = first["regions"]["live-students"]
            assert "Ada &lt;i&gt;Lovelace&lt;/i&gt;" in students and "<i>" not in students
            assert ada.check({"q1": "b", "q2": ["a", "b"]}, str(uuid.uuid4())).status_code == 200
            after = next(updates)
            assert after["seq"] > first["seq"] and after["answers"] == 1
            summary = text_of(after["regions"]["live-summary"])
            assert "1 student joined · 1 Check · 0 votes" in summary
            # Nobody joined since: the students table is not sent again (it refreshes when
            # someone joins, and otherwise every few seconds).
            assert "live-students" not in after["regions"]
            assert TOKEN not in json.dumps(after)
        with teacher.stream("GET", "/projector/events") as projector, \
                teacher.stream("GET", "/instructor/events?view=pi") as panel:
            shown, mine = sse(projector), sse(panel)
            assert "No question yet" in text_of(next(shown)["regions"]["projector"])
            assert "No vote yet" in text_of(next(mine)["regions"]["live-pi"])
            page = teacher.get("/instructor/vote").text
            token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            opened = teacher.post("/instructor/pi/open", headers={"origin": server.base},
                                  data={"csrf": token, "question": f"{QUIZ}/q1"})
            assert opened.status_code == 303
            round_id = ada.client.get("/api/vote").json()["round"]["id"]
            update = next(shown)
            assert "0 voted." in text_of(update["regions"]["projector"])
            next(mine)
            voted = ada.client.post("/api/vote", json={"vote_id": uuid.uuid4().hex,
                                                       "round": round_id, "response": "a"})
            assert voted.status_code == 200
            counted = next(shown)
            said = text_of(counted["regions"]["projector"])
            assert counted["answers"] == 2 and "1 voted." in said
            assert "%" not in said and "Ada" not in said and "right answer" not in said
            live = next(mine)
            while live["answers"] < 2:
                live = next(mine)
            assert "a: March 2011 1 100%" in text_of(live["regions"]["live-pi"])
    ada.close()


def test_a_students_vote_page_hears_when_the_vote_opens(
        room: Classroom, serve_room: Callable[[Classroom], ThreadServer]) -> None:
    server = serve_room(room)
    ada = HttpStudent(server, {QUIZ: _version(MINIMAL)})
    ada.join("Ada")
    with httpx.Client(base_url=server.base, timeout=60, headers={"origin": server.base}) as t:
        t.get(f"/instructor?token={TOKEN}")
        with ada.client.stream("GET", "/vote/events") as stream:
            states = sse(stream)
            assert next(states)["state"] == "none"
            opened = t.post("/instructor/pi/open", headers={"authorization": f"Bearer {TOKEN}"},
                            data={"question": f"{QUIZ}/q3"})
            assert opened.status_code == 303
            state = next(states)
            assert state["state"].endswith("-open") and set(state) == {"view", "seq", "state",
                                                                        "answers"}
    ada.close()


def _version(book: Path) -> str:
    """The version a class page carries for QUIZ (what a student's Check sends)."""
    from quizbook.book import open_book
    from quizbook.bundle import make_bundle
    from quizbook.server.keyfree import keyfree_bundle

    quiz = next(q for q in open_book(book).quizzes() if q.id == QUIZ)
    version: str = keyfree_bundle(make_bundle(quiz))["version"]
    return version
