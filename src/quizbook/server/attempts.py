"""Recording attempts: graded, stored and committed before the reply leaves, exactly once.

A browser names each attempt with an id it made up (a UUID). Sending the same
attempt again (after a dropped connection, from an offline queue) finds the
stored row and gets the stored reply back, byte for byte; the same id with other
answers is refused. Tries are counted per student and quiz; an attempt after the
quiz closed is stored and marked late.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizbook.grade import Outcome
from quizbook.server.db import Database
from quizbook.server.grading import (
    Catalog,
    QuizEntry,
    ResponseError,
    check_responses,
    grade_all,
    questions_reply,
    request_digest,
    total,
)
from quizbook.server.models import Answer, Attempt, QuizState, Student, utcnow
from quizbook.server.policy import Policies, Policy
from quizbook.versions import carry_over

ATTEMPT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$")


class AttemptError(Exception):
    """A request that cannot be recorded: `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CheckRequest:
    attempt_id: str
    version: str
    responses: dict[str, Any]


def parse_check(entry: QuizEntry, body: Any) -> CheckRequest:
    """The check request, or AttemptError(422) naming the field that is wrong."""
    if not isinstance(body, dict):
        raise AttemptError(422, "the request body must be a JSON object with attempt_id, "
                                "version and responses")
    unknown = sorted(set(body) - {"attempt_id", "version", "responses"})
    if unknown:
        raise AttemptError(422, f"{unknown[0]}: unknown field (fields: attempt_id, version, "
                                "responses)")
    attempt_id, version = body.get("attempt_id"), body.get("version")
    if not isinstance(attempt_id, str) or not ATTEMPT_ID.match(attempt_id):
        raise AttemptError(422, "attempt_id: must be the client's id for this attempt (8 to "
                                "64 letters, digits, - or _), e.g. a UUID")
    if not isinstance(version, str) or len(version) > 64:
        raise AttemptError(422, "version: must be the quiz bundle's version (text)")
    try:
        responses = check_responses(entry, body.get("responses"))
    except ResponseError as exc:
        raise AttemptError(422, str(exc)) from None
    return CheckRequest(attempt_id, version, responses)


def closed_at(session: Session, quiz_id: str, policy: Policy) -> datetime | None:
    """When the quiz closed (the instructor's close, else the policy's time); None if open."""
    state = session.get(QuizState, quiz_id)
    if state is not None:
        return state.closed_at
    return policy.closes


def is_closed(session: Session, quiz_id: str, policy: Policy, now: datetime) -> bool:
    when = closed_at(session, quiz_id, policy)
    return when is not None and now >= when


def attempts_left(policy: Policy, used: int) -> int | None:
    return None if policy.tries is None else max(0, policy.tries - used)


@dataclass(frozen=True)
class Prepared:
    """A Check graded before it reaches the writer: everything but what depends on the
    stored attempts (the attempt number, lateness, tries left)."""

    entry: QuizEntry
    policy: Policy
    request: CheckRequest
    digest: str
    outcomes: dict[str, Outcome]
    score: float
    #: The reply's questions without and with per-part marks (lateness decides which).
    questions: dict[bool, dict[str, Any]]


def prepare_attempt(catalog: Catalog, policies: Policies, quiz_id: str,
                    body: Any) -> Prepared:
    """Check and grade a Check request (AttemptError 404/422 when it cannot be)."""
    entry = catalog.get(quiz_id)
    if entry is None:
        raise AttemptError(404, f"no quiz {quiz_id!r} in this class")
    request = parse_check(entry, body)
    policy = policies.of(quiz_id)
    outcomes = grade_all(entry, request.responses)
    questions = {show: questions_reply(entry, outcomes, show)
                 for show in {True, policy.marks_before_close}}
    return Prepared(entry, policy, request, request_digest(request.version, request.responses),
                    outcomes, total(outcomes), questions)


def record_attempt(db: Database, catalog: Catalog, policies: Policies, student_uid: str,
                   quiz_id: str, body: Any, now: datetime | None = None) -> dict[str, Any]:
    """Grade and store one attempt; return the reply (the stored one for a resend).
    Blocking: for threads and tests (the app awaits `db.writer.run` itself)."""
    prepared = prepare_attempt(catalog, policies, quiz_id, body)
    try:
        return db.writer.call(lambda session: store_attempt(session, prepared, student_uid,
                                                            now), key=student_uid)
    except IntegrityError:
        return after_conflict(db, prepared, student_uid)


def after_conflict(db: Database, prepared: Prepared, student_uid: str) -> dict[str, Any]:
    """Another server process stored this attempt id (or attempt number) first: answer
    from the stored attempt, or ask for a resend."""
    with db.read() as session:
        existing = stored_attempt(session, prepared.request.attempt_id)
        if existing is not None:
            return resend(existing, student_id_of(session, student_uid),
                          prepared.entry.quiz.id, prepared.digest, None)
    raise AttemptError(409, "another attempt was stored at the same moment; send this "
                            "one again")


@dataclass(frozen=True)
class Stored:
    """What a resend is compared with: the stored attempt of the same id."""

    student_id: int
    quiz_id: str
    request_digest: str
    round_id: int | None
    reply: Any


# The writer runs these for every Check of a burst: plain Core statements, built once
# (their compiled form is cached), parameters bound at execution.
_ATTEMPTS, _ANSWERS = cast(Table, Attempt.__table__), cast(Table, Answer.__table__)
_STUDENTS, _STATES = cast(Table, Student.__table__), cast(Table, QuizState.__table__)
_STORED = select(_ATTEMPTS.c.student_id, _ATTEMPTS.c.quiz_id, _ATTEMPTS.c.request_digest,
                 _ATTEMPTS.c.round_id, _ATTEMPTS.c.reply
                 ).where(_ATTEMPTS.c.attempt_uid == bindparam("uid"))
_STUDENT = select(_STUDENTS.c.id).where(_STUDENTS.c.uid == bindparam("uid"))
_LOCKED_STUDENT = _STUDENT.with_for_update()
_COUNTS = select(func.count(_ATTEMPTS.c.id).filter(_ATTEMPTS.c.round_id.is_(None)),
                 func.max(_ATTEMPTS.c.number)).where(
    _ATTEMPTS.c.student_id == bindparam("student"), _ATTEMPTS.c.quiz_id == bindparam("quiz"))
_STATE = select(_STATES.c.closed_at).where(_STATES.c.quiz_id == bindparam("quiz"))
_INSERT_ATTEMPT = insert(_ATTEMPTS).returning(_ATTEMPTS.c.id)
_INSERT_ANSWERS = insert(_ANSWERS)


def stored_attempt(session: Session, attempt_uid: str) -> Stored | None:
    row = session.connection().execute(_STORED, {"uid": attempt_uid}).first()
    return None if row is None else Stored(*row)


def resend(existing: Stored, student_id: int | None, quiz_id: str, digest: str,
           round_id: int | None) -> dict[str, Any]:
    """The stored reply for the same attempt sent again; 409 when the id was used for
    something else (another student, quiz, round or other answers)."""
    if existing.student_id != student_id or existing.quiz_id != quiz_id \
            or existing.request_digest != digest or existing.round_id != round_id:
        raise AttemptError(409, "attempt_id: this attempt id was already used for other "
                                "answers; make a new id for a new attempt")
    reply: dict[str, Any] = existing.reply
    return reply


def student_id_of(session: Session, student_uid: str) -> int | None:
    found: int | None = session.connection().execute(_STUDENT, {"uid": student_uid}).scalar()
    return found


def locked_student(session: Session, student_uid: str) -> int:
    """The student's row id, locked for this transaction (PostgreSQL: other server
    processes wait), or AttemptError(401)."""
    found: int | None = session.connection().execute(_LOCKED_STUDENT,
                                                     {"uid": student_uid}).scalar()
    if found is None:
        raise AttemptError(401, "you are not in this class (any more): join again")
    return found


def attempt_counts(session: Session, student_id: int, quiz_id: str) -> tuple[int, int]:
    """(Checks used, the next attempt number) of a student at a quiz. Numbers count votes
    too (they are unique per student and quiz); tries count Checks only."""
    used, last = session.connection().execute(
        _COUNTS, {"student": student_id, "quiz": quiz_id}).one()
    return int(used or 0), int(last or 0) + 1


def closed_now(session: Session, quiz_id: str, policy: Policy, now: datetime) -> bool:
    state = session.connection().execute(_STATE, {"quiz": quiz_id}).first()
    when = state[0] if state is not None else policy.closes
    return when is not None and now >= when


def insert_attempt(session: Session, values: dict[str, Any],
                   answers: list[dict[str, Any]]) -> int:
    """Insert an attempt and its answers (plain INSERTs: no ORM bookkeeping)."""
    connection = session.connection()
    attempt_id: int = connection.execute(_INSERT_ATTEMPT, values).scalar_one()
    connection.execute(_INSERT_ANSWERS, [{**a, "attempt_id": attempt_id} for a in answers])
    return attempt_id


def store_attempt(session: Session, prepared: Prepared, student_uid: str,
                  now: datetime | None = None) -> dict[str, Any]:
    """The writer's job: store one graded Check (inside the writer's transaction)."""
    entry, policy, request = prepared.entry, prepared.policy, prepared.request
    student_id = locked_student(session, student_uid)
    existing = stored_attempt(session, request.attempt_id)
    if existing is not None:
        return resend(existing, student_id, entry.quiz.id, prepared.digest, None)
    if request.version != entry.page_version:
        raise AttemptError(409, f"version: this quiz changed since the page was loaded "
                                f"({request.version!r}, now {entry.page_version!r}); reload "
                                "the page and answer again")
    used, number = attempt_counts(session, student_id, entry.quiz.id)
    if policy.tries is not None and used >= policy.tries:
        raise AttemptError(409, f"no tries left: this quiz allows {policy.tries} "
                                f"attempt{'s' if policy.tries != 1 else ''}")
    now = now or utcnow()
    late = closed_now(session, entry.quiz.id, policy, now)
    show_marks = policy.marks_before_close or late
    reply = {"questions": prepared.questions[show_marks],
             "score": prepared.score, "max": entry.quiz.max_points, "late": late,
             "attempt": used + 1, "attempts_left": attempts_left(policy, used + 1)}
    insert_attempt(session, {
        "attempt_uid": request.attempt_id, "student_id": student_id, "quiz_id": entry.quiz.id,
        "quiz_version": entry.version, "number": number, "received_at": now, "late": late,
        "score": prepared.score, "max_points": entry.quiz.max_points,
        "request_digest": prepared.digest, "reply": reply, "round_id": None},
        answer_rows(entry, request.responses, prepared.outcomes))
    return reply


def answer_rows(entry: QuizEntry, responses: dict[str, Any],
                outcomes: dict[str, Outcome]) -> list[dict[str, Any]]:
    return [{"quiz_id": entry.quiz.id, "question_id": qid, "response": responses.get(qid),
             "answered": o.answered, "points": o.points, "max_points": o.max_points,
             "correct": o.correct, "parts": dict(o.parts)}
            for qid, o in outcomes.items()]


# --- reading back ---------------------------------------------------------------------


class Countable(Protocol):
    """What deciding the counted attempt needs (an Attempt row, or a lighter record)."""

    @property
    def number(self) -> int: ...
    @property
    def late(self) -> bool: ...
    @property
    def score(self) -> float: ...


C = TypeVar("C", bound=Countable)


def counted(attempts: Sequence[C], policy: Policy) -> C | None:
    """The attempt that counts for the grade under the policy (None: none may count).
    Votes of peer-instruction rounds are never passed here: they are not quiz attempts."""
    eligible = [a for a in attempts if policy.late_counts or not a.late]
    if not eligible:
        return None
    if policy.counts == "first":
        return min(eligible, key=lambda a: a.number)
    if policy.counts == "last":
        return max(eligible, key=lambda a: a.number)
    return max(eligible, key=lambda a: (a.score, -a.number))


def student_attempts(session: Session, student: Student, quiz_id: str) -> list[Attempt]:
    """A student's attempts at a quiz (Checks, not peer-instruction votes), in order."""
    return list(session.scalars(select(Attempt).where(
        Attempt.student_id == student.id, Attempt.quiz_id == quiz_id,
        Attempt.round_id.is_(None)).order_by(Attempt.number)))


def saved_answers(db: Database, catalog: Catalog, policies: Policies, student_uid: str,
                  quiz_id: str, now: datetime | None = None) -> dict[str, Any]:
    """A student's own attempts at a quiz, for the page to restore: the last answers, their
    reply as it reads now (marks appear once the quiz closes), and every attempt id."""
    entry = catalog.get(quiz_id)
    if entry is None:
        raise AttemptError(404, f"no quiz {quiz_id!r} in this class")
    policy = policies.of(quiz_id)
    now = now or utcnow()
    with db.read() as session:
        student = session.scalar(select(Student).where(Student.uid == student_uid))
        if student is None:
            raise AttemptError(401, "you are not in this class (any more): join again")
        attempts = student_attempts(session, student, quiz_id)
        closed = is_closed(session, quiz_id, policy, now)
        last = attempts[-1] if attempts else None
        chosen = counted(attempts, policy)
        out: dict[str, Any] = {
            "quiz": quiz_id, "version": entry.page_version, "policy": policy.as_json(),
            "closed": closed, "attempts": len(attempts),
            "attempts_left": attempts_left(policy, len(attempts)),
            "attempt_ids": [a.attempt_uid for a in attempts],
            "counted": None if chosen is None else {"attempt": chosen.number,
                                                    "score": chosen.score,
                                                    "max": chosen.max_points},
            "last": None}
        if last is not None:
            responses = {a.question_id: a.response for a in last.answers}
            reply = None
            # Answers stored under another version of the quiz are marked again only if
            # they surely fit today's questions (quizbook.versions: the same version, or the
            # one the scheme before issue 12 gave this content); they are graded now.
            kept = carry_over(entry.quiz, last.quiz_version, responses)
            if not kept.unsure:
                responses = kept.responses
                show = policy.marks_before_close or closed
                reply = {**last.reply, "questions": questions_reply(
                    entry, grade_all(entry, responses), show)}
            out["last"] = {"attempt_id": last.attempt_uid, "attempt": last.number,
                           "version": entry.page_version if not kept.unsure else "",
                           "late": last.late,
                           "received_at": last.received_at.isoformat(),
                           "responses": responses, "reply": reply}
        return out
