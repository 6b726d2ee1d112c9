"""The data of the instructor's pages, the projector and the vote page, read from the
database, and their live regions rendered from the macros in `templates/_live.html`.

Each `*_data` function runs in the thread pool (it reads the database) and returns what
the page's template needs; each `*_regions` function renders the live regions of that
page from it (element id -> HTML), for the first page load and for every live update
alike, so a reload without JavaScript shows exactly what the live page shows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizbook.markup import plain_text
from quizbook.server.attempts import closed_at
from quizbook.server.models import Attempt, Student, utcnow
from quizbook.server.peer import (
    VOTE_TYPES,
    ProjectorView,
    RoundInfo,
    RoundResults,
    Shift,
    StudentView,
    current_round,
    projector_view,
    round_results,
    rounds_of,
    shift,
    shown_question,
    student_view,
    votes_of,
)
from quizbook.server.room import Classroom
from quizbook.server.stats import class_results, distribution, quiz_item_stats


def when(value: datetime | None) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def answers_total(session: Session) -> int:
    """Every answer stored (Checks and votes): what the live updates count."""
    return session.scalar(select(func.count()).select_from(Attempt)) or 0


def _macro(room: Classroom, name: str, *args: Any, **kwargs: Any) -> str:
    module = room.templates.get_template("_live.html").module
    rendered: Markup = getattr(module, name)(*args, **kwargs)
    return str(rendered)


# --- the dashboard --------------------------------------------------------------------------


def _quiz_state(room: Classroom, session: Session, quiz_id: str) -> dict[str, Any]:
    entry = room.catalog.entries[quiz_id]
    policy = room.policies.of(quiz_id)
    closes = closed_at(session, quiz_id, policy)
    closed = closes is not None and utcnow() >= closes
    return {"id": quiz_id, "title": entry.title, "closed": closed,
            "closed_at": when(closes) if closed else "",
            "closes": when(closes) if closes and not closed else ""}


def overview_data(room: Classroom, with_students: bool = True) -> dict[str, Any]:
    """The dashboard: counts per quiz, the summary line and (`with_students`) the students
    table, the largest part (the live page refreshes it less often)."""
    with room.db.read() as session:
        checks = {(q, late): (n, mean) for q, late, n, mean in session.execute(
            select(Attempt.quiz_id, Attempt.late, func.count(),
                   func.avg(Attempt.score / func.nullif(Attempt.max_points, 0)))
            .where(Attempt.round_id.is_(None)).group_by(Attempt.quiz_id, Attempt.late))}
        per_quiz_students: dict[str, int] = {q: n for q, n in session.execute(
            select(Attempt.quiz_id, func.count(func.distinct(Attempt.student_id)))
            .where(Attempt.round_id.is_(None)).group_by(Attempt.quiz_id))}
        quizzes = []
        for quiz_id in room.catalog.entries:
            on_time = checks.get((quiz_id, False), (0, None))
            late = checks.get((quiz_id, True), (0, None))
            row = _quiz_state(room, session, quiz_id)
            total = on_time[0] + late[0]
            means = [(n, m) for n, m in (on_time, late) if m is not None]
            row.update(students=per_quiz_students.get(quiz_id, 0), attempts=total,
                       late=late[0], mean=(sum(n * m for n, m in means) / total)
                       if total and means else None)
            quizzes.append(row)
        joined, on_roster = session.execute(select(
            func.count(Student.id).filter(Student.joined_at.is_not(None)),
            func.count(Student.id).filter(Student.on_roster.is_(True)))).one()
        votes = session.scalar(select(func.count()).select_from(Attempt)
                               .where(Attempt.round_id.is_not(None))) or 0
        current = current_round(session)
        vote_line = ""
        if current is not None:
            info = RoundInfo.of(current)
            vote_line = (f"vote {info.number} on {info.quiz_id} {info.question_id} "
                         f"{'open' if info.open else 'closed'}")
        summary = {"joined": joined, "on_roster": on_roster,
                   "checks": sum(v[0] for v in checks.values()), "votes": votes,
                   "vote_line": vote_line}
        data: dict[str, Any] = {"quizzes": quizzes, "summary": summary,
                                "with_roster": bool(on_roster),
                                "answers": answers_total(session)}
        if with_students:
            per_student: dict[int, int] = {s: n for s, n in session.execute(
                select(Attempt.student_id, func.count()).where(Attempt.round_id.is_(None))
                .group_by(Attempt.student_id))}
            data["students"] = [
                {"name": name, "number": number, "joined": when(joined_at),
                 "attempts": per_student.get(sid, 0)}
                for sid, name, number, joined_at in session.execute(
                    select(Student.id, Student.name, Student.number, Student.joined_at)
                    .order_by(Student.name_key))]
        return data


def overview_regions(room: Classroom, data: dict[str, Any], root: str) -> dict[str, str]:
    regions = {
        "live-summary": _macro(room, "overview_summary", data["summary"]),
        "live-quizzes": _macro(room, "quiz_rows", data["quizzes"], root, room.form_token),
    }
    if "students" in data:
        regions["live-students"] = _macro(room, "student_rows", data["students"],
                                          data["with_roster"])
    return regions


def overview_payload(room: Classroom, root: str, with_students: bool) -> dict[str, Any]:
    """One live update of the dashboard (read and rendered in the thread pool)."""
    data = overview_data(room, with_students)
    return {"answers": data["answers"], "regions": overview_regions(room, data, root)}


# --- one quiz -------------------------------------------------------------------------------


#: The item analysis of a quiz's page is computed again at most this often (seconds): it is
#: the gradebook's own and the slowest part of the page; the answers and the share right
#: are counted at every update.
ITEM_STATS_EVERY = 1.0


def _item_stats(room: Classroom, results: Any, quiz: Any, fresh: bool) -> list[Any]:
    now = time.monotonic()
    cached = room.memo.get(f"item-stats:{quiz.id}")
    if not fresh and cached is not None and now - cached[0] < ITEM_STATS_EVERY:
        stats: list[Any] = cached[1]
        return stats
    stats = quiz_item_stats(results, quiz)
    room.memo[f"item-stats:{quiz.id}"] = (now, stats)
    return stats


@dataclass
class LateAnswer:
    name: str
    received: str
    number: int
    score: float
    max: float


def quiz_data(room: Classroom, quiz_id: str, fresh: bool = True) -> dict[str, Any]:
    """A quiz's page. `fresh=False` (live updates) may reuse an item analysis up to
    ITEM_STATS_EVERY old; a page load always computes it."""
    entry = room.catalog.entries[quiz_id]
    quiz = entry.quiz
    policy = room.policies.of(quiz_id)
    with room.db.read() as session:
        results = class_results(session, room.catalog, room.policies, [quiz_id])
        row = _quiz_state(room, session, quiz_id)
        answers = answers_total(session)
    stats = {s.question.id: s for s in _item_stats(room, results, quiz, fresh)}
    counted_entries = results.entries_of(quiz_id)
    items = []
    for q in quiz.questions:
        responses = [e.responses.get(q.id) for e in counted_entries]
        items.append({"id": q.id, "type": q.type, "prompt": plain_text(q.prompt),
                      "points": q.points, "distribution": distribution(q, responses),
                      "stats": stats[q.id], "votable": isinstance(q, VOTE_TYPES)})
    names = {s.id: s.name for s in results.students}
    late = [LateAnswer(names[sid], when(a.received_at), a.number, a.score, a.max_points)
            for (sid, _), rows in results.attempts.items() for a in rows if a.late]
    late.sort(key=lambda a: (a.received, a.name))
    attempts = sum(len(rows) for rows in results.attempts.values())
    scored = [e.score / e.max for e in counted_entries if e.max]
    return {"quiz": {"row": row, "students": len(counted_entries), "attempts": attempts,
                     "late": len(late), "counts": policy.counts, "questions": items,
                     "mean": sum(scored) / len(scored) if scored else None},
            "late": late, "late_counts": policy.late_counts, "title": entry.title,
            "answers": answers}


def quiz_regions(room: Classroom, data: dict[str, Any], root: str) -> dict[str, str]:
    return {"live-quiz": _macro(room, "quiz_detail", data["quiz"], root, room.form_token),
            "live-late": _macro(room, "late_rows", data["late"], data["late_counts"])}


def quiz_payload(room: Classroom, quiz_id: str, root: str) -> dict[str, Any]:
    data = quiz_data(room, quiz_id, fresh=False)
    return {"answers": data["answers"], "regions": quiz_regions(room, data, root)}


# --- peer instruction: the instructor's panel ----------------------------------------------


@dataclass
class PiPanel:
    info: RoundInfo | None
    question: Any = None
    current: RoundResults | None = None
    rounds: list[RoundResults] | None = None
    shift: Shift | None = None
    joined: int = 0


def pi_data(room: Classroom) -> dict[str, Any]:
    with room.db.read() as session:
        joined = session.scalar(select(func.count()).select_from(Student)
                                .where(Student.joined_at.is_not(None))) or 0
        answers = answers_total(session)
        current = current_round(session)
        if current is None or current.quiz_id not in room.catalog.entries:
            return {"panel": PiPanel(None, joined=joined), "answers": answers}
        entry = room.catalog.entries[current.quiz_id]
        rounds = rounds_of(session, current.quiz_id, current.question_id)
        results = [round_results(session, room.catalog, r) for r in rounds]
        panel = PiPanel(RoundInfo.of(current), shown_question(entry, current.question_id),
                        next(r for r in results if r.info.id == current.id), results,
                        joined=joined)
        if len(rounds) >= 2 and rounds[1].closed_at is not None:
            question = entry.questions[current.question_id]
            panel.shift = shift(question, votes_of(session, rounds[0].id),
                                votes_of(session, rounds[1].id))
        return {"panel": panel, "answers": answers}


def pi_regions(room: Classroom, data: dict[str, Any], root: str) -> dict[str, str]:
    return {"live-pi": _macro(room, "pi_panel", data["panel"], root, room.form_token)}


def pi_payload(room: Classroom, root: str) -> dict[str, Any]:
    data = pi_data(room)
    return {"answers": data["answers"], "regions": pi_regions(room, data, root)}


# --- the projector and the vote page --------------------------------------------------------


def projector_data(room: Classroom) -> dict[str, Any]:
    with room.db.read() as session:
        view: ProjectorView = projector_view(session, room.catalog)
        return {"view": view, "answers": answers_total(session)}


def projector_regions(room: Classroom, data: dict[str, Any], root: str) -> dict[str, str]:
    return {"projector": _macro(room, "projector", data["view"])}


def projector_payload(room: Classroom, root: str) -> dict[str, Any]:
    data = projector_data(room)
    return {"answers": data["answers"], "regions": projector_regions(room, data, root)}


def vote_data(room: Classroom, student_uid: str) -> StudentView:
    with room.db.read() as session:
        return student_view(session, room.catalog, student_uid)


def vote_state(room: Classroom) -> dict[str, Any]:
    """What the students' live feed says: only which round is on and in which phase (each
    student's page then fetches its own view)."""
    with room.db.read() as session:
        current = current_round(session)
        return {"state": RoundInfo.of(current).state if current is not None else "none",
                "answers": answers_total(session)}
