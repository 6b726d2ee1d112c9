"""What students reach: joining, their class page, the grading API, and voting.

Every write goes through the writer (committed before the reply) and then tells the
live pages what changed (`Hub.changed`).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from quizbook.server.attempts import (
    AttemptError,
    after_conflict,
    attempts_left,
    closed_at,
    counted,
    prepare_attempt,
    saved_answers,
    store_attempt,
    student_attempts,
)
from quizbook.server.live import EventStream, events
from quizbook.server.models import NAME_CHARS, NUMBER_CHARS, Student, utcnow
from quizbook.server.panels import vote_data, vote_state, when
from quizbook.server.peer import PeerError, StudentView, VoteRequest, parse_vote, store_vote
from quizbook.server.room import Classroom
from quizbook.server.security import json_body, tokens_match
from quizbook.server.students import (
    JoinError,
    check_join,
    join_session,
    name_taken,
    roster_mode,
    show_code,
)
from quizbook.server.web import (
    api_error,
    csrf,
    form,
    is_instructor,
    page,
    room_of,
    root,
    session_id,
    student_uid,
)

ASSETS = Path(__file__).resolve().parent / "assets"

# --- pages ------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    target = "class" if student_uid(request) else "join"
    return RedirectResponse(root(request) + target, status_code=303)


def _with_roster(room: Classroom) -> bool:
    with room.db.read() as session:
        return roster_mode(session)


async def join_page(request: Request) -> Response:
    session_id(request)
    room = room_of(request)
    with_roster = await run_in_threadpool(_with_roster, room)
    return page(request, "join.html", csrf=csrf(request), error=None, with_roster=with_roster,
                values={"name": "", "number": "", "code": ""}, name_chars=NAME_CHARS,
                number_chars=NUMBER_CHARS)


async def join_submit(request: Request) -> Response:
    room = room_of(request)
    values = await form(request)
    sid = session_id(request)
    if not room.join_limits.allow(sid):
        raise HTTPException(429, "too many tries to join: wait a minute and try again")
    name, number, code = (values.get(k, "") for k in ("name", "number", "code"))
    try:
        wanted = check_join(name[:500], number[:500], code[:100])
        now = utcnow()
        try:
            student = await room.db.writer.run(
                lambda session: join_session(session, room.class_code, wanted, now))
        except IntegrityError:
            raise name_taken(wanted.name) from None
    except JoinError as exc:
        with_roster = await run_in_threadpool(_with_roster, room)
        return page(request, "join.html", status=400, csrf=csrf(request), error=exc,
                    with_roster=with_roster, name_chars=NAME_CHARS, number_chars=NUMBER_CHARS,
                    values={"name": name[:NAME_CHARS], "number": number[:NUMBER_CHARS],
                            "code": code[:20]})
    room.hub.changed("students")
    request.session["student"] = student.uid
    return RedirectResponse(root(request) + "class", status_code=303)


async def leave(request: Request) -> Response:
    await form(request)
    request.session.pop("student", None)
    return RedirectResponse(root(request) + "join", status_code=303)


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
            closes = closed_at(session, quiz_id, policy)
            rows.append({
                "title": entry.title, "used": len(attempts),
                "left": attempts_left(policy, len(attempts)),
                "counted": f"{chosen.score:g} / {chosen.max_points:g}" if chosen else "",
                "closed": closes is not None and now >= closes,
                "closes": when(closes) if closes and now < closes else "",
                "rules": policy.sentences()})
        return student, rows


async def class_page(request: Request) -> Response:
    room = room_of(request)
    uid = student_uid(request)
    if uid is None:
        return RedirectResponse(root(request) + "join", status_code=303)
    student, rows = await run_in_threadpool(_home_rows, room, uid)
    if student is None:
        request.session.pop("student", None)
        return RedirectResponse(root(request) + "join", status_code=303)
    return page(request, "home.html", student=student, code=show_code(student.code),
                rows=rows, csrf=csrf(request))


async def stylesheet(request: Request) -> Response:
    css = (Path(__file__).parent / "templates" / "class.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css",
                    headers={"cache-control": "private, max-age=3600"})


async def live_script(request: Request) -> Response:
    script = (ASSETS / "live.js").read_text(encoding="utf-8")
    return Response(script, media_type="text/javascript",
                    headers={"cache-control": "private, max-age=3600"})


async def healthz(request: Request) -> Response:
    ok = await run_in_threadpool(room_of(request).db.ping)
    return JSONResponse({"status": "ok" if ok else "unavailable",
                         "database": "ok" if ok else "unreachable"},
                        status_code=200 if ok else 503)


# --- the grading API ------------------------------------------------------------------------


def _api_student(request: Request) -> str | JSONResponse:
    uid = student_uid(request)
    if uid is None:
        return api_error(401, "join the class first", join=root(request) + "join")
    return uid


async def api_check(request: Request) -> Response:
    room = room_of(request)
    uid = _api_student(request)
    if isinstance(uid, JSONResponse):
        return uid
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return api_error(415, "send the attempt as JSON (Content-Type: application/json)")
    if not room.check_limits.allow(session_id(request)):
        return JSONResponse({"error": "too many checks at once: wait a moment and send again"},
                            status_code=429,
                            headers={"retry-after": str(room.check_limits.retry_after())})
    try:
        body = json_body(await request.body())
    except ValueError as exc:
        return api_error(400, str(exc))
    quiz_id = request.path_params["quiz_id"]
    try:
        prepared = prepare_attempt(room.catalog, room.policies, quiz_id, body)
        try:
            reply = await room.db.writer.run(
                lambda session: store_attempt(session, prepared, uid), key=uid)
        except IntegrityError:
            reply = await run_in_threadpool(after_conflict, room.db, prepared, uid)
    except AttemptError as exc:
        if exc.status == 401:
            request.session.pop("student", None)
        return api_error(exc.status, exc.message)
    room.hub.changed("quiz", f"quiz:{quiz_id}")
    return JSONResponse(reply, headers={"cache-control": "no-store"})


async def api_answers(request: Request) -> Response:
    room = room_of(request)
    uid = _api_student(request)
    if isinstance(uid, JSONResponse):
        return uid
    try:
        saved = await run_in_threadpool(saved_answers, room.db, room.catalog, room.policies,
                                        uid, request.path_params["quiz_id"])
    except AttemptError as exc:
        return api_error(exc.status, exc.message)
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
            closes = closed_at(session, quiz_id, policy)
            quizzes.append({"id": quiz_id, "title": entry.title, "version": entry.page_version,
                            "max": entry.quiz.max_points, "policy": policy.as_json(),
                            "rules": policy.sentences(),
                            "closed": closes is not None and now >= closes})
        return {"student": {"name": student.name, "number": student.number,
                            "code": show_code(student.code)},
                "class": room.book_title, "quizzes": quizzes}


async def api_me(request: Request) -> Response:
    uid = _api_student(request)
    if isinstance(uid, JSONResponse):
        return uid
    me = await run_in_threadpool(_me, room_of(request), uid)
    if me is None:
        request.session.pop("student", None)
        return api_error(401, "you are not in this class (any more): join again",
                         join=root(request) + "join")
    return JSONResponse(me, headers={"cache-control": "no-store"})


# --- votes ------------------------------------------------------------------------------------


def vote_json(view: StudentView) -> dict[str, Any]:
    """`GET /api/vote`: the open (or last) vote as the student may see it."""
    if view.info is None or view.question is None:
        return {"round": None}
    info = view.info
    return {"round": {"id": info.id, "quiz": info.quiz_id, "question": info.question_id,
                      "number": info.number, "open": info.open, "state": info.state},
            "question": {"type": view.question.type, "prompt": view.question.prompt,
                         "choices": view.question.choices},
            "mine": view.mine,
            "key": None if view.key is None else {"correct": view.key.correct,
                                                  "explanation": view.key.explanation}}


async def _record_vote(room: Classroom, uid: str, wanted: VoteRequest) -> dict[str, Any]:
    reply: dict[str, Any] = await room.db.writer.run(
        lambda session: store_vote(session, room.catalog, uid, wanted), key=uid)
    room.hub.changed("vote")
    return reply


async def api_vote(request: Request) -> Response:
    room = room_of(request)
    uid = _api_student(request)
    if isinstance(uid, JSONResponse):
        return uid
    if request.method == "GET":
        view = await run_in_threadpool(vote_data, room, uid)
        return JSONResponse(vote_json(view), headers={"cache-control": "no-store"})
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return api_error(415, "send the vote as JSON (Content-Type: application/json)")
    if not room.check_limits.allow(session_id(request)):
        return JSONResponse({"error": "too many votes at once: wait a moment and send again"},
                            status_code=429,
                            headers={"retry-after": str(room.check_limits.retry_after())})
    try:
        body = json_body(await request.body())
        wanted = parse_vote(body)
        reply = await _record_vote(room, uid, wanted)
    except ValueError as exc:
        return api_error(400, str(exc))
    except AttemptError as exc:
        if exc.status == 401:
            request.session.pop("student", None)
        return api_error(exc.status, exc.message)
    except IntegrityError:
        return api_error(409, "this vote was stored at the same moment by another request; "
                              "send it again")
    return JSONResponse(reply, headers={"cache-control": "no-store"})


def _form_response(view: StudentView, values: list[str]) -> Any:
    """The vote form's fields as an API response (true/false as booleans)."""
    if view.question is None:
        return None
    if view.question.type == "multiple":
        return values
    if view.question.type == "true_false":
        return {"true": True, "false": False}.get(values[0]) if values else None
    return values[0] if values else None


async def vote_page(request: Request) -> Response:
    room = room_of(request)
    uid = student_uid(request)
    if uid is None:
        if is_instructor(request):
            return RedirectResponse(root(request) + "instructor/vote", status_code=303)
        return RedirectResponse(root(request) + "join", status_code=303)
    error: PeerError | None = None
    status = 200
    if request.method == "POST":
        posted = await request.form(max_files=0, max_fields=40)
        expected = request.session.get("csrf")
        given = posted.get("csrf")
        if not isinstance(expected, str) or not isinstance(given, str) or \
                not tokens_match(given, expected):
            raise HTTPException(403, "the form has expired (or cookies are off): reload the "
                                     "page and try again")
        view = await run_in_threadpool(vote_data, room, uid)
        answers = [v for v in posted.getlist("answer") if isinstance(v, str)]
        round_text, vote_id = posted.get("round"), posted.get("vote_id")
        try:
            wanted = parse_vote({"vote_id": vote_id,
                                 "round": int(round_text) if isinstance(round_text, str)
                                 and round_text.isdigit() else round_text,
                                 "response": _form_response(view, answers)})
            await _record_vote(room, uid, wanted)
            return RedirectResponse(root(request) + "vote", status_code=303)
        except AttemptError as exc:
            error = PeerError(exc.status, exc.message)
            status = exc.status
        except IntegrityError:
            error, status = PeerError(409, "send your vote again"), 409
    view = await run_in_threadpool(vote_data, room, uid)
    state = view.info.state if view.info else "none"
    return page(request, "vote.html", status=status, view=view, state=state,
                csrf=csrf(request), vote_id=uuid.uuid4().hex, error=error,
                live=root(request) + "vote/events")


async def vote_events(request: Request) -> Response:
    room = room_of(request)
    if student_uid(request) is None and not is_instructor(request):
        return api_error(401, "join the class first", join=root(request) + "join")

    async def render() -> dict[str, Any]:
        return await run_in_threadpool(vote_state, room)

    watcher = room.hub.subscribe("vote", frozenset({"round"}), render)
    return EventStream(events(watcher))
