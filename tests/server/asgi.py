"""A synchronous httpx client for the app in this process.

httpx's ASGITransport is asynchronous; this runs it in an anyio blocking portal, so
tests read like a browser session: one client, one cookie jar, plain calls.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import anyio.from_thread
import httpx


class _PortalTransport(httpx.BaseTransport):
    def __init__(self, app: Any, portal: Any) -> None:
        # Like a real server: an unexpected error is a 500 response, not an exception here.
        self.inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def send() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            copy = httpx.Request(request.method, request.url, headers=request.headers,
                                 content=body)
            response = await self.inner.handle_async_request(copy)
            raw = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
            return response.status_code, response.headers.raw, raw

        status, headers, raw = self.portal.call(send)
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(raw),
                              request=request)


class AppClient(httpx.Client):
    """`httpx.Client` talking to an ASGI app in this process."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        self._stack = ExitStack()
        portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        super().__init__(transport=_PortalTransport(app, portal), **kwargs)

    def close(self) -> None:
        super().close()
        self._stack.close()
