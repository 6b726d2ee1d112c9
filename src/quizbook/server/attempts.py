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
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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


def record_attempt(db: Database, catalog: Catalog, policies: Policies, student_uid: str,
                   quiz_id: str, body: Any, now: datetime | None = None) -> dict[str, Any]:
    """Grade and store one attempt; return the reply (the stored one for a resend)."""
    entry = catalog.get(quiz_id)
    if entry is None:
        raise AttemptError(404, f"no quiz {quiz_id!r} in this class")
    request = parse_check(entry, body)
    digest = request_digest(request.version, request.responses)
    policy = policies.of(quiz_id)
    try:
        with db.write() as session:
            return _record(session, entry, policy, student_uid, request, digest, now)
    except IntegrityError:
        # Another request stored this attempt id (or attempt number) first: answer from it.
        with db.read() as session:
            existing = session.scalar(select(Attempt).where(
                Attempt.attempt_uid == request.attempt_id))
            if existing is not None:
                return _resend(session, existing, student_uid, quiz_id, digest)
        raise AttemptError(409, "another attempt was stored at the same moment; send this "
                                "one again") from None


def _resend(session: Session, existing: Attempt, student_uid: str, quiz_id: str,
            digest: str) -> dict[str, Any]:
    owner = session.get(Student, existing.student_id)
    if owner is None or owner.uid != student_uid or existing.quiz_id != quiz_id \
            or existing.request_digest != digest:
        raise AttemptError(409, "attempt_id: this attempt id was already used for other "
                                "answers; make a new id for a new attempt")
    reply: dict[str, Any] = existing.reply
    return reply


def _record(session: Session, entry: QuizEntry, policy: Policy, student_uid: str,
            request: CheckRequest, digest: str, now: datetime | None) -> dict[str, Any]:
    student = session.scalar(select(Student).where(Student.uid == student_uid)
                             .with_for_update())
    if student is None:
        raise AttemptError(401, "you are not in this class (any more): join again")
    existing = session.scalar(select(Attempt).where(Attempt.attempt_uid == request.attempt_id))
    if existing is not None:
        return _resend(session, existing, student_uid, entry.quiz.id, digest)
    if request.version != entry.page_version:
        raise AttemptError(409, f"version: this quiz changed since the page was loaded "
                                f"({request.version!r}, now {entry.page_version!r}); reload "
                                "the page and answer again")
    used = session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.student_id == student.id, Attempt.quiz_id == entry.quiz.id)) or 0
    if policy.tries is not None and used >= policy.tries:
        raise AttemptError(409, f"no tries left: this quiz allows {policy.tries} "
                                f"attempt{'s' if policy.tries != 1 else ''}")
    now = now or utcnow()
    late = is_closed(session, entry.quiz.id, policy, now)
    outcomes = grade_all(entry, request.responses)
    show_marks = policy.marks_before_close or late
    score = total(outcomes)
    reply = {"questions": questions_reply(entry, outcomes, show_marks),
             "score": score, "max": entry.quiz.max_points, "late": late,
             "attempt": used + 1, "attempts_left": attempts_left(policy, used + 1)}
    attempt = Attempt(attempt_uid=request.attempt_id, student_id=student.id,
                      quiz_id=entry.quiz.id, quiz_version=entry.version, number=used + 1,
                      received_at=now, late=late, score=score,
                      max_points=entry.quiz.max_points, request_digest=digest, reply=reply)
    attempt.answers = [
        Answer(quiz_id=entry.quiz.id, question_id=qid, response=request.responses.get(qid),
               answered=o.answered, points=o.points, max_points=o.max_points,
               correct=o.correct, parts=dict(o.parts))
        for qid, o in outcomes.items()]
    session.add(attempt)
    session.flush()  # constraint violations surface here, inside the transaction
    return reply


# --- reading back ---------------------------------------------------------------------


def counted(attempts: Sequence[Attempt], policy: Policy) -> Attempt | None:
    """The attempt that counts for the grade under the policy (None: none may count)."""
    eligible = [a for a in attempts if policy.late_counts or not a.late]
    if not eligible:
        return None
    if policy.counts == "first":
        return min(eligible, key=lambda a: a.number)
    if policy.counts == "last":
        return max(eligible, key=lambda a: a.number)
    return max(eligible, key=lambda a: (a.score, -a.number))


def student_attempts(session: Session, student: Student, quiz_id: str) -> list[Attempt]:
    return list(session.scalars(select(Attempt).where(
        Attempt.student_id == student.id, Attempt.quiz_id == quiz_id).order_by(Attempt.number)))


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
