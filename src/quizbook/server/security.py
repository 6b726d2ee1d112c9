"""Request guards: body size, Origin check, rate limits, constant-time token checks, safe CSV.

The session cookie itself is Starlette's SessionMiddleware (itsdangerous-signed,
HttpOnly, SameSite=Lax); this module adds what the framework leaves to the app.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def tokens_match(given: str | None, expected: str) -> bool:
    """Constant-time comparison (the time taken says nothing about how much matched)."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def token_tag(secret: str, token: str) -> str:
    """What an instructor's session cookie holds: proves the token, is not the token."""
    return hmac.new(secret.encode(), b"instructor|" + token.encode(), hashlib.sha256).hexdigest()


def csv_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (=, +, -, @, tab, CR)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _error(scope: Scope, status: int, message: str) -> Response:
    if scope.get("path", "").startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return PlainTextResponse(message, status_code=status)


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, before the app reads them all."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"the request body is larger than {self.limit:,} bytes"
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _error(scope, 413, message)(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            incoming = await receive()
            if incoming["type"] == "http.request":
                seen += len(incoming.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return incoming

        async def tracking_send(outgoing: Message) -> None:
            nonlocal started
            if outgoing["type"] == "http.response.start":
                started = True
            await send(outgoing)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _error(scope, 413, message)(scope, receive, send)


class _TooLarge(Exception):
    pass


def expected_origins(scope: Scope, public_url: str | None) -> set[str]:
    origins = set()
    if public_url:
        parts = urlsplit(public_url)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    host = Headers(scope=scope).get("host")
    if host:
        origins.add(f"{scope.get('scheme', 'http')}://{host}")
    return origins


class OriginCheck:
    """State-changing requests must come from the class's own pages: the browser's Origin
    header must be this server (or, if a browser sent none, Sec-Fetch-Site must say
    same-origin). Stops other sites from posting with a student's cookie."""

    def __init__(self, app: ASGIApp, public_url: str | None = None) -> None:
        self.app = app
        self.public_url = public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin is None:
                allowed = headers.get("sec-fetch-site") == "same-origin"
                why = "the request has no Origin header"
            else:
                allowed = origin in expected_origins(scope, self.public_url)
                why = f"the request comes from another site ({origin[:100]})"
            if not allowed:
                await _error(scope, 403, f"refused: {why}; use the class's own pages")(
                    scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """No MIME sniffing, and a Referer only within this server (an instructor URL must
    never travel to another site; `no-referrer` would make browsers send `Origin: null`
    on form posts) on every response; server-rendered pages also get a strict
    Content-Security-Policy."""

    def __init__(self, app: ASGIApp, page_prefixes: Iterable[str]) -> None:
        self.app = app
        self.page_prefixes = tuple(page_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strict = not scope["path"].startswith(self.page_prefixes)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin")]
                if strict:
                    headers += [(b"content-security-policy",
                                 b"default-src 'self'; img-src 'self' data:; script-src 'self'; "
                                 b"object-src 'none'; "
                                 b"base-uri 'none'; form-action 'self'; "
                                 b"frame-ancestors 'none'"),
                                (b"x-frame-options", b"DENY")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """A token bucket per key (a session): `burst` requests at once, then `per_minute`."""

    def __init__(self, burst: int, per_minute: float, max_keys: int = 20_000) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst),
                                bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            allowed = bucket.tokens >= 1.0
            if allowed:
                bucket.tokens -= 1.0
            self._buckets[key] = bucket
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed

    def retry_after(self) -> int:
        return max(1, int(1 / self.rate) if self.rate else 60)


def json_body(raw: bytes) -> Any:
    """Parse a request body as JSON; ValueError with a plain message if it is not."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("the request body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"the request body is not valid JSON (line {exc.lineno}, column "
                         f"{exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ValueError("the request body is nested too deeply") from None
    except ValueError as exc:  # integers with thousands of digits
        raise ValueError(f"the request body cannot be read ({exc})") from None
