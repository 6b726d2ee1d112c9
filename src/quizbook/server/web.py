"""Request helpers shared by the routes: the classroom, sessions, forms, who is asking,
pages from templates, and the error pages."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from quizbook.server.room import Classroom
from quizbook.server.security import tokens_match

log = logging.getLogger("quizbook.server")
INSTRUCTORS_ONLY = "instructors only: open the instructor URL printed when the server started"


def room_of(request: Request) -> Classroom:
    room: Classroom = request.app.state.classroom
    return room


def root(request: Request) -> str:
    """The app's own root path (inside the /book mount, `root_path` ends in /book)."""
    scope = request.scope
    return str(scope.get("app_root_path", scope.get("root_path", ""))) + "/"


def session_id(request: Request) -> str:
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        sid = secrets.token_urlsafe(16)
        request.session["sid"] = sid
    return sid


def csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def form(request: Request, instructor: bool = False) -> dict[str, str]:
    """The posted form (text fields only), after checking its form token: the session's,
    or (`instructor`) the instructor pages' own."""
    # Starlette answers 400 itself to a form it cannot parse (or one with files).
    posted = await request.form(max_files=0, max_fields=20)
    values = {k: v for k, v in posted.items() if isinstance(v, str)}
    given = values.get("csrf")
    expected = request.session.get("csrf")
    ok = isinstance(expected, str) and tokens_match(given, expected)
    if instructor and not ok:
        ok = tokens_match(given, room_of(request).form_token)
    if not ok:
        raise HTTPException(403, "the form has expired (or cookies are off): reload the page "
                                 "and try again")
    return values


def student_uid(request: Request) -> str | None:
    uid = request.session.get("student")
    return uid if isinstance(uid, str) else None


def is_instructor(request: Request) -> bool:
    room = room_of(request)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return tokens_match(auth[7:].strip(), room.token)
    tag = request.session.get("instructor")
    return isinstance(tag, str) and tokens_match(tag, room.instructor_tag)


def is_projector(request: Request) -> bool:
    """The instructor, or a screen paired as the projector (which sees nothing more than
    the projector view)."""
    if is_instructor(request):
        return True
    tag = request.session.get("projector")
    return isinstance(tag, str) and tokens_match(tag, room_of(request).projector_tag)


def require_instructor(request: Request) -> None:
    if not is_instructor(request):
        raise HTTPException(403, INSTRUCTORS_ONLY)


def storage(room: Classroom) -> str:
    if room.db.dialect == "sqlite":
        return "a database file on the computer that runs this class server"
    return "a database on the department server that runs this class server"


def page(request: Request, template: str, status: int = 200,
         headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    room = room_of(request)
    html = room.templates.get_template(template).render(
        book_title=room.book_title, root=root(request), storage=storage(room),
        retention=room.config.retention, **context)
    return HTMLResponse(html, status_code=status,
                        headers={"cache-control": "no-store", **(headers or {})})


def api_error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def student_url(request: Request) -> str:
    room = room_of(request)
    return room.config.public_url or f"{request.url.scheme}://{request.url.netloc}/"


HEADINGS = {400: "Bad request", 401: "Join the class first", 403: "Not allowed",
            404: "Not found", 405: "Not allowed", 409: "Not possible now", 413: "Too large",
            422: "Not possible", 429: "Too many requests"}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    if status == 404 and message == "Not Found":
        message = "there is no such page in this class"
    if request.url.path.startswith("/api/"):
        return api_error(status, message)
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return api_error(status, message)
    return page(request, "error.html", status=status, headers=dict(exc.headers or {}),
                heading=HEADINGS.get(status, "Error"), message=message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    if request.url.path.startswith("/api/"):
        return api_error(500, "the server could not handle this request; your answer was "
                              "not stored, send it again")
    return PlainTextResponse("The class server could not handle this request.",
                             status_code=500)

