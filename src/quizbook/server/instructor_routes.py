"""The instructor's side: the dashboard (the class, each quiz), peer instruction, the
projector, join-code slips, and the live updates of these pages.

Signing in: `/instructor?token=TOKEN` puts a tag in the session cookie and redirects,
so the token leaves the address bar at once; scripts may send `Authorization: Bearer`.
The projector view needs the instructor's session, or a screen paired with a one-time
code (`/projector/pair/CODE`, made on the peer-instruction page, valid once for ten
minutes): no URL a student could see on the projector opens anything.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from quizbook.markup import plain_text
from quizbook.server.attempts import AttemptError
from quizbook.server.db import random_code
from quizbook.server.live import EventStream, events
from quizbook.server.models import Round, Student
from quizbook.server.panels import (
    overview_data,
    overview_payload,
    overview_regions,
    pi_data,
    pi_payload,
    pi_regions,
    projector_data,
    projector_payload,
    projector_regions,
    quiz_data,
    quiz_payload,
    quiz_regions,
)
from quizbook.server.peer import close_round, open_round, reveal, show_results, vote_questions
from quizbook.server.room import Classroom, close_quiz
from quizbook.server.security import csv_cell, tokens_match
from quizbook.server.students import show_code
from quizbook.server.web import (
    INSTRUCTORS_ONLY,
    form,
    is_projector,
    page,
    require_instructor,
    room_of,
    root,
    student_url,
)

PAIRING_SECONDS = 600
PAIRING_CHARS = 10


async def instructor_enter(request: Request) -> Response:
    """`/instructor?token=...`: remember the instructor in the session, then drop the token
    from the address bar (and so from history and screens)."""
    room = room_of(request)
    if not tokens_match(request.query_params.get("token"), room.token):
        raise HTTPException(403, INSTRUCTORS_ONLY)
    request.session["instructor"] = room.instructor_tag
    return RedirectResponse(root(request) + "instructor/", status_code=303)


async def _control_form(request: Request) -> dict[str, str]:
    """A control's form: scripts with the bearer token skip the form token."""
    require_instructor(request)
    if request.headers.get("authorization"):
        posted = await request.form(max_files=0, max_fields=20)
        return {k: v for k, v in posted.items() if isinstance(v, str)}
    return await form(request, instructor=True)


# --- the dashboard ------------------------------------------------------------------------------


async def instructor_page(request: Request) -> Response:
    require_instructor(request)
    room = room_of(request)
    data = await run_in_threadpool(overview_data, room)
    return page(request, "instructor.html", class_code=room.class_code,
                student_url=student_url(request), with_roster=data["with_roster"],
                students=data["students"], regions=overview_regions(room, data, root(request)),
                form_token=room.form_token,
                live=root(request) + "instructor/events?view=overview")


def _quiz_id(room: Classroom, request: Request) -> str:
    quiz_id = request.path_params["quiz_id"]
    if room.catalog.get(quiz_id) is None:
        raise HTTPException(404, f"no quiz {quiz_id!r} in this class")
    return str(quiz_id)


async def quiz_page(request: Request) -> Response:
    require_instructor(request)
    room = room_of(request)
    quiz_id = _quiz_id(room, request)
    data = await run_in_threadpool(quiz_data, room, quiz_id)
    return page(request, "quiz-dashboard.html", title=data["title"], quiz_id=quiz_id,
                regions=quiz_regions(room, data, root(request)),
                live=root(request) + f"instructor/events?view=quiz:{quiz_id}")


def _back(request: Request, values: dict[str, str], quiz_id: str = "") -> str:
    where = values.get("back", "")
    if where == "quiz" and quiz_id:
        return root(request) + f"instructor/quizzes/{quiz_id}"
    if where == "pi":
        return root(request) + "instructor/vote"
    return root(request) + "instructor/"


async def quiz_state(request: Request) -> Response:
    values = await _control_form(request)
    room = room_of(request)
    quiz_id, action = request.path_params["quiz_id"], request.path_params["action"]
    if room.catalog.get(quiz_id) is None or action not in {"open", "close"}:
        raise HTTPException(404, f"no quiz {quiz_id!r} to {action} in this class")
    await room.db.writer.run(lambda session: close_quiz(session, quiz_id, action == "close"))
    room.hub.changed("state", "quiz", f"quiz:{quiz_id}")
    return RedirectResponse(_back(request, values, quiz_id), status_code=303)


# --- peer instruction --------------------------------------------------------------------------


def _choices(room: Classroom) -> list[dict[str, str]]:
    return [{"value": f"{entry.quiz.id}/{q.id}",
             "label": f"{entry.title}, {q.id}: {plain_text(q.prompt)[:90]}"}
            for entry, q in vote_questions(room.catalog)]


async def pi_page(request: Request) -> Response:
    require_instructor(request)
    room = room_of(request)
    data = await run_in_threadpool(pi_data, room)
    pairing = request.query_params.get("pairing", "")
    return page(request, "pi.html", regions=pi_regions(room, data, root(request)),
                choices=_choices(room), form_token=room.form_token,
                pairing=pairing if pairing in room.pairings else "",
                base=student_url(request), live=root(request) + "instructor/events?view=pi")


async def pi_open(request: Request) -> Response:
    values = await _control_form(request)
    room = room_of(request)
    quiz_id = values.get("quiz", "")
    question_id = values.get("question", "")
    if not quiz_id and "/" in question_id:
        quiz_id, question_id = question_id.split("/", 1)
    try:
        await room.db.writer.run(
            lambda session: open_round(session, room.catalog, quiz_id, question_id))
    except AttemptError as exc:
        raise HTTPException(exc.status, exc.message) from None
    room.hub.changed("round", "vote")
    return RedirectResponse(root(request) + "instructor/vote", status_code=303)


def _show(session: Session, round_id: int) -> Round:
    return show_results(session, round_id, True)


def _hide(session: Session, round_id: int) -> Round:
    return show_results(session, round_id, False)


ACTIONS: dict[str, Callable[[Session, int], Round]] = {
    "close": close_round, "reveal": reveal, "show": _show, "hide": _hide}


async def pi_action(request: Request) -> Response:
    await _control_form(request)
    room = room_of(request)
    action = request.path_params["action"]
    round_id = request.path_params["round_id"]
    if action not in ACTIONS:
        raise HTTPException(404, f"no action {action!r} for a vote (actions: "
                                 f"{', '.join(ACTIONS)})")
    act = ACTIONS[action]
    try:
        await room.db.writer.run(lambda session: act(session, int(round_id)))
    except AttemptError as exc:
        raise HTTPException(exc.status, exc.message) from None
    room.hub.changed("round")
    return RedirectResponse(root(request) + "instructor/vote", status_code=303)


# --- the projector -----------------------------------------------------------------------------


async def projector_link(request: Request) -> Response:
    """A one-time code that lets another screen (the room's computer) show the projector
    view without the instructor's token."""
    await _control_form(request)
    room = room_of(request)
    now = time.monotonic()
    for code, expires in list(room.pairings.items()):
        if expires < now:
            room.pairings.pop(code, None)
    code = random_code(PAIRING_CHARS)
    room.pairings[code] = now + PAIRING_SECONDS
    return RedirectResponse(root(request) + f"instructor/vote?pairing={code}#pairing",
                            status_code=303)


async def projector_pair(request: Request) -> Response:
    room = room_of(request)
    code = str(request.path_params["code"]).upper()
    expires = room.pairings.pop(code, None)  # used once, whatever happens next
    if expires is None or expires < time.monotonic():
        raise HTTPException(403, "this projector link was used already or has expired: make "
                                 "a new one on the peer-instruction page")
    request.session["projector"] = room.projector_tag
    return RedirectResponse(root(request) + "projector", status_code=303)


async def projector_page(request: Request) -> Response:
    if not is_projector(request):
        raise HTTPException(403, "the projector view is for the instructor's screens: open "
                                 "it from the instructor's peer-instruction page")
    room = room_of(request)
    data = await run_in_threadpool(projector_data, room)
    return page(request, "projector.html", regions=projector_regions(room, data, root(request)),
                live=root(request) + "projector/events")


async def projector_events(request: Request) -> Response:
    if not is_projector(request):
        raise HTTPException(403, "the projector view is for the instructor's screens")
    room = room_of(request)
    base = root(request)

    async def render() -> dict[str, Any]:
        return await run_in_threadpool(projector_payload, room, base)

    watcher = room.hub.subscribe("projector", frozenset({"round", "vote"}), render)
    return EventStream(events(watcher))


# --- live updates of the instructor's pages -------------------------------------------------------

#: The students table (the dashboard's largest part) is refreshed when someone joins, and
#: otherwise (their Check counts) at most this often.
STUDENTS_EVERY = 5.0


def _overview_render(room: Classroom, base: str) -> Callable[[], Awaitable[dict[str, Any]]]:
    last = {"joins": -1, "at": float("-inf")}

    async def render() -> dict[str, Any]:
        now = time.monotonic()
        joins = room.hub.versions.get("students", 0)
        with_students = joins != last["joins"] or now - last["at"] >= STUDENTS_EVERY
        if with_students:
            last.update(joins=joins, at=now)
        return await run_in_threadpool(overview_payload, room, base, with_students)

    return render


async def instructor_events(request: Request) -> Response:
    require_instructor(request)
    room = room_of(request)
    base = root(request)
    view = request.query_params.get("view", "overview")
    render: Callable[[], Awaitable[dict[str, Any]]]
    if view == "overview":
        topics = frozenset({"students", "quiz", "state", "round", "vote"})
        render = _overview_render(room, base)
    elif view == "pi":
        topics = frozenset({"round", "vote", "students"})

        async def render() -> dict[str, Any]:
            return await run_in_threadpool(pi_payload, room, base)
    elif view.startswith("quiz:") and room.catalog.get(view[5:]) is not None:
        quiz_id = view[5:]
        topics = frozenset({f"quiz:{quiz_id}", "state"})

        async def render() -> dict[str, Any]:
            return await run_in_threadpool(quiz_payload, room, quiz_id, base)
    else:
        raise HTTPException(404, f"no live view {view!r} (views: overview, pi, quiz:QUIZ)")
    watcher = room.hub.subscribe(f"instructor:{view}", topics, render)
    return EventStream(events(watcher))


# --- join codes and signing out -----------------------------------------------------------------


def _slips(room: Classroom) -> list[dict[str, str]]:
    with room.db.read() as session:
        return [{"name": s.name, "number": s.number or "", "code": show_code(s.code)}
                for s in session.scalars(select(Student).order_by(Student.name_key))]


async def slips_page(request: Request) -> Response:
    require_instructor(request)
    slips = await run_in_threadpool(_slips, room_of(request))
    return page(request, "slips.html", slips=slips, student_url=student_url(request))


async def codes_csv(request: Request) -> Response:
    require_instructor(request)
    slips = await run_in_threadpool(_slips, room_of(request))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "student id", "join code"])
    for s in slips:
        writer.writerow([csv_cell(s["name"]), csv_cell(s["number"]), s["code"]])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="join-codes.csv"',
                             "cache-control": "no-store"})


async def instructor_logout(request: Request) -> Response:
    await form(request, instructor=True)
    request.session.pop("instructor", None)
    request.session.pop("projector", None)
    return RedirectResponse(root(request), status_code=303)

