"""The class server's Starlette application: routes and middleware.

`open_classroom(config)` (quizbook.server.room) prepares everything once; `create_app`
wires the routes:

- `/`, `/join`, `/leave`, `/class`, `/vote`: the students' pages (server-rendered,
  working without JavaScript; quizbook.server.student_routes);
- `/book/...`: the class build of the book (joined students and the instructor);
- `/api/...`: the JSON API of the runtime's remote grader and of votes;
- `/instructor...`, `/projector...`: the instructor's dashboard, peer instruction and
  the projector view (quizbook.server.instructor_routes), with live updates
  (server-sent events, quizbook.server.live);
- `/healthz`: 200 when the database answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from quizbook.server import instructor_routes as instructor
from quizbook.server import student_routes as students
from quizbook.server.bookfiles import BookFiles
from quizbook.server.room import (
    Classroom,
    ServerConfig,
    ServerSetupError,
    open_classroom,
    set_closed,
)
from quizbook.server.security import BodyLimit, OriginCheck, SecurityHeaders
from quizbook.server.web import http_error, is_instructor, root, server_error, student_uid

SESSION_COOKIE = "quizbook_class"
SESSION_DAYS = 120


class JoinedOnly:
    """The book for joined students and the instructor; others are sent to the join page.

    The check is the signed session cookie alone (no database query per file)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if student_uid(request) is None and not is_instructor(request):
            response: Response
            if scope["method"] in {"GET", "HEAD"}:
                response = RedirectResponse(root(request) + "join", status_code=303)
            else:
                response = PlainTextResponse("join the class first", status_code=401)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(room: Classroom) -> Starlette:
    config = room.config
    routes = [
        Route("/", students.home),
        Route("/join", students.join_page, methods=["GET"]),
        Route("/join", students.join_submit, methods=["POST"]),
        Route("/leave", students.leave, methods=["POST"]),
        Route("/class", students.class_page),
        Route("/vote", students.vote_page, methods=["GET", "POST"]),
        Route("/vote/events", students.vote_events),
        Route("/class.css", students.stylesheet),
        Route("/live.js", students.live_script),
        Route("/healthz", students.healthz),
        Route("/api/me", students.api_me),
        Route("/api/quizzes/{quiz_id}/check", students.api_check, methods=["POST"]),
        Route("/api/quizzes/{quiz_id}/answers", students.api_answers),
        Route("/api/vote", students.api_vote, methods=["GET", "POST"]),
        Route("/instructor", instructor.instructor_enter),
        Route("/instructor/", instructor.instructor_page),
        Route("/instructor/events", instructor.instructor_events),
        Route("/instructor/quizzes/{quiz_id}", instructor.quiz_page),
        Route("/instructor/quizzes/{quiz_id}/{action:str}", instructor.quiz_state,
              methods=["POST"]),
        Route("/instructor/vote", instructor.pi_page),
        Route("/instructor/pi/open", instructor.pi_open, methods=["POST"]),
        Route("/instructor/pi/{round_id:int}/{action:str}", instructor.pi_action,
              methods=["POST"]),
        Route("/instructor/projector-link", instructor.projector_link, methods=["POST"]),
        Route("/instructor/slips", instructor.slips_page),
        Route("/instructor/codes.csv", instructor.codes_csv),
        Route("/instructor/logout", instructor.instructor_logout, methods=["POST"]),
        Route("/projector", instructor.projector_page),
        Route("/projector/events", instructor.projector_events),
        Route("/projector/pair/{code:str}", instructor.projector_pair),
        Mount("/book", app=JoinedOnly(BookFiles(config.html))),
    ]
    middleware = [
        Middleware(SecurityHeaders, page_prefixes=["/book/"]),
        Middleware(BodyLimit, limit=config.max_body),
        Middleware(OriginCheck, public_url=config.public_url),
        Middleware(SessionMiddleware, secret_key=room.secret, session_cookie=SESSION_COOKIE,
                   max_age=SESSION_DAYS * 24 * 3600, same_site="lax",
                   https_only=config.secure_cookies),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        room.db.writer.close()  # answer what is queued, then stop

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.classroom = room
    return app


__all__ = ["Classroom", "ServerConfig", "ServerSetupError", "create_app", "open_classroom",
           "set_closed"]
