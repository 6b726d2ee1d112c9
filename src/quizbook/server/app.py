"""The class server's Starlette application.

`open_classroom(config)` prepares everything once (migrations, the class's secrets,
the book's quizzes, the policies, a scan of the build for key material) and
`create_app(classroom)` wires the routes:

- `/`, `/join`, `/leave`, `/class`: server-rendered pages (Jinja2 templates);
- `/book/...`: the class build of the book (joined students and the instructor);
- `/api/...`: the JSON API the runtime's remote grader calls (docs/class-server.md);
- `/instructor...`: the instructor's pages, behind the secret token;
- `/healthz`: 200 when the database answers.
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from quizbook.book import open_book
from quizbook.load import QuizFileError
from quizbook.server.attempts import (
    AttemptError,
    attempts_left,
    closed_at,
    counted,
    record_attempt,
    saved_answers,
    student_attempts,
)
from quizbook.server.bookfiles import BookFiles
from quizbook.server.db import Database, random_code
from quizbook.server.grading import Catalog
from quizbook.server.keyscan import scan_folder
from quizbook.server.models import NAME_CHARS, NUMBER_CHARS, Attempt, QuizState, Student, utcnow
from quizbook.server.policy import POLICY_FILE, Policies, load_policies
from quizbook.server.security import (
    BodyLimit,
    OriginCheck,
    RateLimiter,
    SecurityHeaders,
    csv_cell,
    json_body,
    token_tag,
    tokens_match,
)
from quizbook.server.students import JoinError, join, roster_mode, show_code

log = logging.getLogger("quizbook.server")
SESSION_COOKIE = "quizbook_class"
SESSION_DAYS = 120
MIN_TOKEN_CHARS = 16
DEFAULT_RETENTION = ("Until your instructor deletes it; instructors are asked to delete a "
                     "class's data when the course ends.")


class ServerSetupError(Exception):
    """The server cannot start; the message says what to do."""


@dataclass
class ServerConfig:
    book: Path
    html: Path
    db_url: str
    token: str | None = None
    public_url: str | None = None
    secure_cookies: bool = False
    policy_file: Path | None = None
    retention: str = DEFAULT_RETENTION
    max_body: int = 256_000  # a 200-question quiz of 500-character answers fits
    check_burst: int = 30
    check_per_minute: float = 60.0
    join_burst: int = 10
    join_per_minute: float = 10.0
    scan_keys: bool = True


@dataclass
class Classroom:
    config: ServerConfig
    db: Database
    catalog: Catalog
    policies: Policies
    book_title: str
    class_code: str
    secret: str
    token: str
    check_limits: RateLimiter
    join_limits: RateLimiter
    templates: Environment = field(repr=False)

    @property
    def instructor_tag(self) -> str:
        return token_tag(self.secret, self.token)


def _book_title(book: Path) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        config = YAML(typ="safe").load((book / "_config.yml").read_text(encoding="utf-8"))
    except (OSError, YAMLError):
        return "The class book"
    title = config.get("title") if isinstance(config, dict) else None
    return str(title) if title else "The class book"


def open_classroom(config: ServerConfig, db: Database | None = None) -> Classroom:
    """Everything the app needs, checked: raises ServerSetupError with what to do."""
    if not (config.html / "index.html").is_file():
        raise ServerSetupError(f"{config.html}: no class build of the book here; run "
                               "`quizbook class build` (or `make class`) first")
    try:
        quizzes = open_book(config.book).quizzes()
    except QuizFileError as exc:
        raise ServerSetupError(f"the book's quiz files have problems:\n{exc}") from None
    if not quizzes:
        raise ServerSetupError(f"{config.book}: no quizzes in this book")
    policy_file = config.policy_file or config.book / POLICY_FILE
    policies = load_policies(policy_file, [q.id for q in quizzes])
    if config.scan_keys:
        findings = scan_folder(config.html, quizzes)
        if findings:
            shown = "\n".join(str(f) for f in findings[:10])
            raise ServerSetupError(f"{config.html} carries answer keys; it is not a class "
                                   f"build (run `quizbook class build`):\n{shown}")
    if config.token is not None and len(config.token) < MIN_TOKEN_CHARS:
        raise ServerSetupError(f"the instructor token must be at least {MIN_TOKEN_CHARS} "
                               "characters long (it is the instructor's password)")
    db = db or Database(config.db_url, create=True)
    db.migrate()
    secret = db.setting("session_secret", lambda: secrets.token_urlsafe(32))
    class_code = db.setting("class_code", lambda: random_code(6))
    token = config.token or db.setting("instructor_token", lambda: secrets.token_urlsafe(24))
    templates = Environment(loader=PackageLoader("quizbook.server", "templates"),
                            autoescape=select_autoescape(default=True, default_for_string=True),
                            trim_blocks=True, lstrip_blocks=True)
    return Classroom(config, db, Catalog(quizzes), policies, _book_title(config.book),
                     class_code, secret, token,
                     RateLimiter(config.check_burst, config.check_per_minute),
                     RateLimiter(config.join_burst, config.join_per_minute), templates)


# --- helpers --------------------------------------------------------------------------


def _room(request: Request) -> Classroom:
    room: Classroom = request.app.state.classroom
    return room


def _root(request: Request) -> str:
    """The app's own root path (inside the /book mount, `root_path` ends in /book)."""
    scope = request.scope
    return str(scope.get("app_root_path", scope.get("root_path", ""))) + "/"


def _session_id(request: Request) -> str:
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        sid = secrets.token_urlsafe(16)
        request.session["sid"] = sid
    return sid


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def _form(request: Request) -> dict[str, str]:
    """The posted form (text fields only), after checking its CSRF token."""
    # Starlette answers 400 itself to a form it cannot parse (or one with files).
    form = await request.form(max_files=0, max_fields=20)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not tokens_match(values.get("csrf"), expected):
        raise HTTPException(403, "the form has expired (or cookies are off): reload the page "
                                 "and try again")
    return values


def _student_uid(request: Request) -> str | None:
    uid = request.session.get("student")
    return uid if isinstance(uid, str) else None


def _is_instructor(request: Request) -> bool:
    room = _room(request)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return tokens_match(auth[7:].strip(), room.token)
    tag = request.session.get("instructor")
    return isinstance(tag, str) and tokens_match(tag, room.instructor_tag)


def _require_instructor(request: Request) -> None:
    if not _is_instructor(request):
        raise HTTPException(403, "instructors only: open the instructor URL printed when the "
                                 "server started")


def _when(value: datetime | None) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _storage(room: Classroom) -> str:
    if room.db.dialect == "sqlite":
        return "a database file on the computer that runs this class server"
    return "a database on the department server that runs this class server"


def _page(request: Request, template: str, status: int = 200,
          headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    room = _room(request)
    html = room.templates.get_template(template).render(
        book_title=room.book_title, root=_root(request), storage=_storage(room),
        retention=room.config.retention, **context)
    return HTMLResponse(html, status_code=status,
                        headers={"cache-control": "no-store", **(headers or {})})


def _api_error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


# --- student pages --------------------------------------------------------------------


async def home(request: Request) -> Response:
    target = "class" if _student_uid(request) else "join"
    return RedirectResponse(_root(request) + target, status_code=303)


async def join_page(request: Request) -> Response:
    _session_id(request)
    room = _room(request)
    with_roster = await run_in_threadpool(_with_roster, room)
    return _page(request, "join.html", csrf=_csrf(request), error=None, with_roster=with_roster,
                 values={"name": "", "number": "", "code": ""}, name_chars=NAME_CHARS,
                 number_chars=NUMBER_CHARS)


def _with_roster(room: Classroom) -> bool:
    with room.db.read() as session:
        return roster_mode(session)


async def join_submit(request: Request) -> Response:
    room = _room(request)
    values = await _form(request)
    sid = _session_id(request)
    if not room.join_limits.allow(sid):
        raise HTTPException(429, "too many tries to join: wait a minute and try again")
    name, number, code = (values.get(k, "") for k in ("name", "number", "code"))
    try:
        student = await run_in_threadpool(join, room.db, room.class_code, name[:500],
                                          number[:500], code[:100])
    except JoinError as exc:
        with_roster = await run_in_threadpool(_with_roster, room)
        return _page(request, "join.html", status=400, csrf=_csrf(request), error=exc,
                     with_roster=with_roster, name_chars=NAME_CHARS, number_chars=NUMBER_CHARS,
                     values={"name": name[:NAME_CHARS], "number": number[:NUMBER_CHARS],
                             "code": code[:20]})
    request.session["student"] = student.uid
    return RedirectResponse(_root(request) + "class", status_code=303)


async def leave(request: Request) -> Response:
    await _form(request)
    request.session.pop("student", None)
    return RedirectResponse(_root(request) + "join", status_code=303)


def _home_rows(room: Classroom, uid: str) -> tuple[Student | None, list[dict[str, Any]]]:
    now = utcnow()
    with room.db.read() as session:
        student = session.scalar(select(Student).where(Student.uid == uid))
        if student is None:
            return None, []
        rows = []
        for quiz_id, entry in room.catalog.entries.items():
            policy = room.policies.of(quiz_id)
            attempts = student_attempts(session, student, quiz_id)
            chosen = counted(attempts, policy)
            when = closed_at(session, quiz_id, policy)
            rows.append({
                "title": entry.title, "used": len(attempts),
                "left": attempts_left(policy, len(attempts)),
                "counted": f"{chosen.score:g} / {chosen.max_points:g}" if chosen else "",
                "closed": when is not None and now >= when,
                "closes": _when(when) if when and now < when else "",
                "rules": policy.sentences()})
        return student, rows


async def class_page(request: Request) -> Response:
    room = _room(request)
    uid = _student_uid(request)
    if uid is None:
        return RedirectResponse(_root(request) + "join", status_code=303)
    student, rows = await run_in_threadpool(_home_rows, room, uid)
    if student is None:
        request.session.pop("student", None)
        return RedirectResponse(_root(request) + "join", status_code=303)
    return _page(request, "home.html", student=student, code=show_code(student.code),
                 rows=rows, csrf=_csrf(request))


async def stylesheet(request: Request) -> Response:
    css = (Path(__file__).parent / "templates" / "class.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css",
                    headers={"cache-control": "private, max-age=3600"})


async def healthz(request: Request) -> Response:
    ok = await run_in_threadpool(_room(request).db.ping)
    return JSONResponse({"status": "ok" if ok else "unavailable",
                         "database": "ok" if ok else "unreachable"},
                        status_code=200 if ok else 503)


# --- API ------------------------------------------------------------------------------


def _api_student(request: Request) -> str | JSONResponse:
    uid = _student_uid(request)
    if uid is None:
        return _api_error(401, "join the class first", join=_root(request) + "join")
    return uid


async def api_check(request: Request) -> Response:
    room = _room(request)
    uid = _api_student(request)
    if isinstance(uid, JSONResponse):
        return uid
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _api_error(415, "send the attempt as JSON (Content-Type: application/json)")
    if not room.check_limits.allow(_session_id(request)):
        return JSONResponse({"error": "too many checks at once: wait a moment and send again"},
                            status_code=429,
                            headers={"retry-after": str(room.check_limits.retry_after())})
    try:
        body = json_body(await request.body())
    except ValueError as exc:
        return _api_error(400, str(exc))
    quiz_id = request.path_params["quiz_id"]
    try:
        reply = await run_in_threadpool(record_attempt, room.db, room.catalog, room.policies,
                                        uid, quiz_id, body)
    except AttemptError as exc:
        if exc.status == 401:
            request.session.pop("student", None)
        return _api_error(exc.status, exc.message)
    return JSONResponse(reply, headers={"cache-control": "no-store"})


async def api_answers(request: Request) -> Response:
    room = _room(request)
    uid = _api_student(request)
    if isinstance(uid, JSONResponse):
        return uid
    try:
        saved = await run_in_threadpool(saved_answers, room.db, room.catalog, room.policies,
                                        uid, request.path_params["quiz_id"])
    except AttemptError as exc:
        return _api_error(exc.status, exc.message)
    return JSONResponse(saved, headers={"cache-control": "no-store"})


def _me(room: Classroom, uid: str) -> dict[str, Any] | None:
    now = utcnow()
    with room.db.read() as session:
        student = session.scalar(select(Student).where(Student.uid == uid))
        if student is None:
            return None
        quizzes = []
        for quiz_id, entry in room.catalog.entries.items():
            policy = room.policies.of(quiz_id)
            when = closed_at(session, quiz_id, policy)
            quizzes.append({"id": quiz_id, "title": entry.title, "version": entry.page_version,
                            "max": entry.quiz.max_points, "policy": policy.as_json(),
                            "rules": policy.sentences(),
                            "closed": when is not None and now >= when})
        return {"student": {"name": student.name, "number": student.number,
                            "code": show_code(student.code)},
                "class": room.book_title, "quizzes": quizzes}


async def api_me(request: Request) -> Response:
    uid = _api_student(request)
    if isinstance(uid, JSONResponse):
        return uid
    me = await run_in_threadpool(_me, _room(request), uid)
    if me is None:
        request.session.pop("student", None)
        return _api_error(401, "you are not in this class (any more): join again",
                          join=_root(request) + "join")
    return JSONResponse(me, headers={"cache-control": "no-store"})


# --- instructor -----------------------------------------------------------------------


async def instructor_enter(request: Request) -> Response:
    """`/instructor?token=...`: remember the instructor in the session, then drop the token
    from the address bar (and so from history and screens)."""
    room = _room(request)
    if not tokens_match(request.query_params.get("token"), room.token):
        raise HTTPException(403, "instructors only: open the instructor URL printed when the "
                                 "server started")
    request.session["instructor"] = room.instructor_tag
    return RedirectResponse(_root(request) + "instructor/", status_code=303)


def _dashboard(room: Classroom) -> dict[str, Any]:
    now = utcnow()
    with room.db.read() as session:
        counts = {(q, late): (n, s) for q, late, n, s in session.execute(
            select(Attempt.quiz_id, Attempt.late, func.count(),
                   func.count(func.distinct(Attempt.student_id)))
            .group_by(Attempt.quiz_id, Attempt.late))}
        students_per_quiz: dict[str, int] = {q: n for q, n in session.execute(
            select(Attempt.quiz_id, func.count(func.distinct(Attempt.student_id)))
            .group_by(Attempt.quiz_id))}
        quizzes = []
        for quiz_id, entry in room.catalog.entries.items():
            policy = room.policies.of(quiz_id)
            when = closed_at(session, quiz_id, policy)
            closed = when is not None and now >= when
            on_time, late = counts.get((quiz_id, False), (0, 0)), counts.get((quiz_id, True),
                                                                              (0, 0))
            quizzes.append({"id": quiz_id, "title": entry.title,
                            "students": students_per_quiz.get(quiz_id, 0),
                            "attempts": on_time[0] + late[0], "late": late[0],
                            "closed": closed, "closed_at": _when(when) if closed else "",
                            "closes": _when(when) if when and not closed else ""})
        per_student: dict[int, int] = {s: n for s, n in session.execute(
            select(Attempt.student_id, func.count()).group_by(Attempt.student_id))}
        students = [{"name": s.name, "number": s.number, "joined": _when(s.joined_at),
                     "attempts": per_student.get(s.id, 0)}
                    for s in session.scalars(select(Student).order_by(Student.name_key))]
        return {"quizzes": quizzes, "students": students, "with_roster": roster_mode(session)}


def _student_url(request: Request) -> str:
    room = _room(request)
    return room.config.public_url or f"{request.url.scheme}://{request.url.netloc}/"


async def instructor_page(request: Request) -> Response:
    _require_instructor(request)
    room = _room(request)
    data = await run_in_threadpool(_dashboard, room)
    return _page(request, "instructor.html", csrf=_csrf(request), class_code=room.class_code,
                 student_url=_student_url(request), **data)


def _slips(room: Classroom) -> list[dict[str, str]]:
    with room.db.read() as session:
        return [{"name": s.name, "number": s.number or "", "code": show_code(s.code)}
                for s in session.scalars(select(Student).order_by(Student.name_key))]


async def slips_page(request: Request) -> Response:
    _require_instructor(request)
    slips = await run_in_threadpool(_slips, _room(request))
    return _page(request, "slips.html", slips=slips, student_url=_student_url(request))


async def codes_csv(request: Request) -> Response:
    _require_instructor(request)
    slips = await run_in_threadpool(_slips, _room(request))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "student id", "join code"])
    for s in slips:
        writer.writerow([csv_cell(s["name"]), csv_cell(s["number"]), s["code"]])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="join-codes.csv"',
                             "cache-control": "no-store"})


def set_closed(db: Database, quiz_id: str, closed: bool) -> None:
    with db.write() as session:
        state = session.get(QuizState, quiz_id)
        now = utcnow()
        if state is None:
            state = QuizState(quiz_id=quiz_id)
            session.add(state)
        state.closed_at = now if closed else None
        state.changed_at = now


async def quiz_state(request: Request) -> Response:
    _require_instructor(request)
    room = _room(request)
    if not request.headers.get("authorization"):
        await _form(request)
    quiz_id, action = request.path_params["quiz_id"], request.path_params["action"]
    if room.catalog.get(quiz_id) is None or action not in {"open", "close"}:
        raise HTTPException(404, f"no quiz {quiz_id!r} to {action} in this class")
    await run_in_threadpool(set_closed, room.db, quiz_id, action == "close")
    return RedirectResponse(_root(request) + "instructor/", status_code=303)


async def instructor_logout(request: Request) -> Response:
    await _form(request)
    request.session.pop("instructor", None)
    return RedirectResponse(_root(request), status_code=303)


# --- the book -------------------------------------------------------------------------


class JoinedOnly:
    """The book for joined students and the instructor; others are sent to the join page.

    The check is the signed session cookie alone (no database query per file)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if _student_uid(request) is None and not _is_instructor(request):
            response: Response
            if scope["method"] in {"GET", "HEAD"}:
                response = RedirectResponse(_root(request) + "join", status_code=303)
            else:
                response = PlainTextResponse("join the class first", status_code=401)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# --- errors ---------------------------------------------------------------------------

HEADINGS = {400: "Bad request", 401: "Join the class first", 403: "Not allowed",
            404: "Not found", 405: "Not allowed", 413: "Too large", 429: "Too many requests"}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    if status == 404 and message == "Not Found":
        message = "there is no such page in this class"
    if request.url.path.startswith("/api/"):
        return _api_error(status, message)
    if "application/json" in request.headers.get("accept", "") and \
            "text/html" not in request.headers.get("accept", ""):
        return _api_error(status, message)
    return _page(request, "error.html", status=status, headers=dict(exc.headers or {}),
                 heading=HEADINGS.get(status, "Error"), message=message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    if request.url.path.startswith("/api/"):
        return _api_error(500, "the server could not handle this request; your answer was "
                               "not stored, send it again")
    return PlainTextResponse("The class server could not handle this request.",
                             status_code=500)


# --- the app --------------------------------------------------------------------------

def create_app(room: Classroom) -> Starlette:
    config = room.config
    routes = [
        Route("/", home),
        Route("/join", join_page, methods=["GET"]),
        Route("/join", join_submit, methods=["POST"]),
        Route("/leave", leave, methods=["POST"]),
        Route("/class", class_page),
        Route("/class.css", stylesheet),
        Route("/healthz", healthz),
        Route("/api/me", api_me),
        Route("/api/quizzes/{quiz_id}/check", api_check, methods=["POST"]),
        Route("/api/quizzes/{quiz_id}/answers", api_answers),
        Route("/instructor", instructor_enter),
        Route("/instructor/", instructor_page),
        Route("/instructor/slips", slips_page),
        Route("/instructor/codes.csv", codes_csv),
        Route("/instructor/quizzes/{quiz_id}/{action:str}", quiz_state, methods=["POST"]),
        Route("/instructor/logout", instructor_logout, methods=["POST"]),
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
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.classroom = room
    return app
