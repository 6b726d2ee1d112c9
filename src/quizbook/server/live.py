"""Live pages: what changed, one rendering per page kind, and server-sent events.

Requests that change the class (a Check, a vote, a join, a quiz closed, a vote opened)
call `Hub.changed(topics...)` once their write is committed. Each kind of live page
(the dashboard, one quiz, peer instruction, the projector, the student's vote page) is
a **feed**: while someone watches it, a task waits for a change to one of its topics,
lets more changes gather for a moment (`interval`, longer when rendering is slow, so a
burst of 300 votes costs a few renderings, not 300), renders the page's live regions
once (database reads in the thread pool, HTML from the same Jinja2 macros the page
itself uses) and hands the result to every watcher. A watcher that falls behind only
ever gets the newest update. Without JavaScript the same pages work by reloading.

Wire format (`text/event-stream`): one `update` event per change, whose data is JSON
`{"view", "seq", "answers", "regions": {element id: HTML}, ...}`; `answers` is the
number of answers stored in the class so far (the bench measures the lag with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

log = logging.getLogger("quizbook.server")
PING_SECONDS = 15.0
#: Rendering may take at most about a quarter of the time: the gathering pause grows with it.
COST_FACTOR = 3.0
MAX_PAUSE = 1.5

Render = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(eq=False)
class Subscription:
    feed: Feed
    seen: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def next(self, timeout: float) -> str | None:
        """The newest update not yet sent, or None after `timeout` seconds (time to ping)."""
        if self.feed.seq == self.seen or self.feed.text is None:
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout)
            except asyncio.TimeoutError:
                return None
        if self.feed.text is None:
            return None
        self.seen = self.feed.seq
        return self.feed.text

    def close(self) -> None:
        self.feed.leave(self)


class Feed:
    """One kind of live page: rendered once per change, sent to every watcher."""

    def __init__(self, hub: Hub, key: str, topics: frozenset[str], render: Render) -> None:
        self.hub = hub
        self.key = key
        self.topics = topics
        self.render = render
        self.watchers: set[Subscription] = set()
        self.dirty = asyncio.Event()
        self.dirty.set()  # the first rendering happens at once
        self.text: str | None = None
        self.payload: dict[str, Any] | None = None
        self.seq = 0
        self.cost = 0.0
        self.renders = 0
        self.task: asyncio.Task[None] | None = None

    def join(self) -> Subscription:
        watcher = Subscription(self)
        self.watchers.add(watcher)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        return watcher

    def leave(self, watcher: Subscription) -> None:
        self.watchers.discard(watcher)
        if not self.watchers:
            self.hub.feeds.pop(self.key, None)
            if self.task is not None:
                self.task.cancel()

    def poke(self) -> None:
        self.dirty.set()

    async def _run(self) -> None:
        first = True
        while self.watchers:
            await self.dirty.wait()
            if not first:
                await asyncio.sleep(min(MAX_PAUSE, max(self.hub.interval,
                                                       COST_FACTOR * self.cost)))
            first = False
            self.dirty.clear()
            started = time.perf_counter()
            try:
                payload = await self.render()
            except Exception:  # the database is away: keep the watchers, try again later
                log.exception("live page %s could not be rendered", self.key)
                await asyncio.sleep(MAX_PAUSE)
                self.dirty.set()
                continue
            self.cost = time.perf_counter() - started
            self.renders += 1
            if payload == self.payload:
                continue
            self.payload = payload
            self.seq += 1
            data = json.dumps({"view": self.key, "seq": self.seq, **payload},
                              separators=(",", ":"))
            self.text = f"id: {self.seq}\nevent: update\ndata: {data}\n\n"
            for watcher in self.watchers:
                watcher.wake.set()


class Hub:
    """Changes and the feeds that watch them, in this server process (the event loop)."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.feeds: dict[str, Feed] = {}
        self.version = 0
        #: topic -> the version of its last change
        self.versions: dict[str, int] = {}

    def changed(self, *topics: str) -> None:
        """Something was committed: wake the feeds that show it (call on the event loop)."""
        self.version += 1
        touched = set(topics)
        for topic in touched:
            self.versions[topic] = self.version
        for feed in list(self.feeds.values()):
            if feed.topics & touched:
                feed.poke()

    def subscribe(self, key: str, topics: frozenset[str], render: Render) -> Subscription:
        feed = self.feeds.get(key)
        if feed is None:
            feed = self.feeds[key] = Feed(self, key, topics, render)
        return feed.join()


async def events(watcher: Subscription) -> AsyncIterator[str]:
    """The event stream of one watcher: updates as they come, a comment to keep the
    connection alive, and the retry delay for the browser's automatic reconnection."""
    try:
        yield "retry: 2000\n\n"
        while True:
            text = await watcher.next(PING_SECONDS)
            yield ": ping\n\n" if text is None else text
    finally:
        watcher.close()


class EventStream(StreamingResponse):
    """A `text/event-stream` response that ends as soon as the browser goes away (it
    listens for the disconnect instead of waiting for a write to fail)."""

    media_type = "text/event-stream"

    def __init__(self, content: AsyncIterator[str]) -> None:
        super().__init__(content, headers={"cache-control": "no-store",
                                           "x-accel-buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        import anyio

        async with anyio.create_task_group() as group:
            async def until_done(func: Callable[[], Awaitable[None]]) -> None:
                with contextlib.suppress(OSError):  # the connection went away mid-write
                    await func()
                group.cancel_scope.cancel()

            group.start_soon(until_done, partial(self.stream_response, send))
            await until_done(partial(self.listen_for_disconnect, receive))
