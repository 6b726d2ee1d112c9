"""Peer instruction: vote, discuss, vote again, on one question at a time.

The instructor opens a vote (a **round**) on one choice question of a quiz; students
vote from their vote page (or `POST /api/vote`) while it is open, and may change their
vote until it closes (the last one counts; a vote after the close is refused, so nobody
changes the result afterwards, unlike RunestoneInteractive/rs#1129). After discussion,
vote 2 on the same question. The instructor reveals the key on a click. Both rounds
are kept: a vote is an attempt with `round_id` (one answer row), graded by the
reference grader like any answer, and never a try or a grade.

What each screen may show is decided here, not in templates:
- the projector (`projector_view`) shows the question and how many have voted; the
  distribution and the share right only once the vote is closed and the instructor
  chose to show them, and the key only once revealed; never a name;
- the students' vote page (`student_view`) shows the question, their own vote and,
  once revealed, the key and explanation; never the others' votes;
- the instructor's own panel shows everything, live.

After vote 2 closes, the **shift table** (`shift`) says per question how answers moved
between the rounds: wrong to right, right to wrong, unchanged (right or wrong), to
another wrong answer, and the counts from each round-1 answer to each round-2 answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizbook import model
from quizbook.grade import grade
from quizbook.server.attempts import (
    AttemptError,
    answer_rows,
    attempt_counts,
    insert_attempt,
    locked_student,
    resend,
    stored_attempt,
)
from quizbook.server.grading import Catalog, QuizEntry, ResponseError, check_response, safe_html
from quizbook.server.models import Answer, Attempt, Round, Student, utcnow
from quizbook.server.stats import Distribution, distribution, is_unanswered

#: Question types a vote can run on: one click (or a few ticks) per student.
VOTE_TYPES = (model.SingleQuestion, model.MultipleQuestion, model.TrueFalseQuestion)
MAX_ROUNDS = 2
VOTE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$")


class PeerError(AttemptError):
    """A peer-instruction request refused (status and message, like AttemptError)."""


# --- rounds (the instructor's controls; each is a writer job) -----------------------------


def votable(entry: QuizEntry, question_id: str) -> model.Question:
    question = entry.questions.get(question_id)
    if question is None:
        raise PeerError(404, f"no question {question_id!r} in quiz {entry.quiz.id!r}")
    if not isinstance(question, VOTE_TYPES):
        raise PeerError(422, f"question {question_id!r} is a {question.type} question; "
                             "votes run on single-choice, multiple-choice and true/false "
                             "questions")
    return question


def vote_questions(catalog: Catalog) -> list[tuple[QuizEntry, model.Question]]:
    """Every question a vote can run on, in book order."""
    return [(entry, q) for entry in catalog.entries.values() for q in entry.quiz.questions
            if isinstance(q, VOTE_TYPES)]


def current_round(session: Session) -> Round | None:
    """The round the class is on: the one opened last."""
    return session.scalar(select(Round).order_by(Round.id.desc()).limit(1))


def rounds_of(session: Session, quiz_id: str, question_id: str) -> list[Round]:
    return list(session.scalars(select(Round).where(
        Round.quiz_id == quiz_id, Round.question_id == question_id).order_by(Round.number)))


def open_round(session: Session, catalog: Catalog, quiz_id: str, question_id: str,
               now: datetime | None = None) -> Round:
    """Open the next vote on a question (vote 1, or vote 2 after vote 1 closed)."""
    entry = catalog.get(quiz_id)
    if entry is None:
        raise PeerError(404, f"no quiz {quiz_id!r} in this class")
    votable(entry, question_id)
    still_open = session.scalar(select(Round).where(Round.closed_at.is_(None)))
    if still_open is not None:
        raise PeerError(409, f"vote {still_open.number} on {still_open.quiz_id} "
                             f"{still_open.question_id} is still open: close it first")
    earlier = rounds_of(session, quiz_id, question_id)
    if any(r.revealed_at for r in earlier):
        raise PeerError(409, "the answer to this question was revealed: a new vote on it "
                             "would measure nothing")
    if len(earlier) >= MAX_ROUNDS:
        raise PeerError(409, f"this question has had its {MAX_ROUNDS} votes")
    opened = Round(quiz_id=quiz_id, question_id=question_id, number=len(earlier) + 1,
                   opened_at=now or utcnow())
    session.add(opened)
    session.flush()
    return opened


def _round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id)
    if found is None:
        raise PeerError(404, f"no vote {round_id} in this class")
    return found


def close_round(session: Session, round_id: int, now: datetime | None = None) -> Round:
    found = _round(session, round_id)
    if found.closed_at is None:
        found.closed_at = now or utcnow()
    return found


def reveal(session: Session, round_id: int, now: datetime | None = None) -> Round:
    """Show the key (projector and vote pages). Only once the vote is closed."""
    found = _round(session, round_id)
    if found.closed_at is None:
        raise PeerError(409, "close the vote before revealing the answer")
    if found.revealed_at is None:
        found.revealed_at = now or utcnow()
    return found


def show_results(session: Session, round_id: int, shown: bool,
                 now: datetime | None = None) -> Round:
    """Put a closed vote's results on the projector (or take them off)."""
    found = _round(session, round_id)
    if found.closed_at is None:
        raise PeerError(409, "the projector never shows the results of an open vote: close "
                             "it first")
    found.shown_at = (now or utcnow()) if shown else None
    return found


# --- votes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteRequest:
    vote_id: str
    round_id: int
    response: Any


def parse_vote(body: Any) -> VoteRequest:
    if not isinstance(body, dict):
        raise PeerError(422, "the request body must be a JSON object with vote_id, round and "
                             "response")
    unknown = sorted(set(body) - {"vote_id", "round", "response"})
    if unknown:
        raise PeerError(422, f"{unknown[0]}: unknown field (fields: vote_id, round, response)")
    vote_id, round_id = body.get("vote_id"), body.get("round")
    if not isinstance(vote_id, str) or not VOTE_ID.match(vote_id):
        raise PeerError(422, "vote_id: must be the client's id for this vote (8 to 64 "
                             "letters, digits, - or _), e.g. a UUID")
    if type(round_id) is not int:
        raise PeerError(422, "round: must be the number of the vote (from GET /api/vote)")
    return VoteRequest(vote_id, round_id, body.get("response"))


def _digest(request: VoteRequest) -> str:
    canonical = json.dumps({"round": request.round_id, "response": request.response},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def store_vote(session: Session, catalog: Catalog, student_uid: str, request: VoteRequest,
               now: datetime | None = None) -> dict[str, Any]:
    """The writer's job: store one vote, committed before the reply (exactly once per
    vote_id, like a Check)."""
    student_id = locked_student(session, student_uid)
    digest = _digest(request)
    found = session.get(Round, request.round_id)
    existing = stored_attempt(session, request.vote_id)
    if existing is not None:
        try:
            return resend(existing, student_id, found.quiz_id if found else "", digest,
                          request.round_id)
        except AttemptError:
            raise PeerError(409, "vote_id: this id was already used for another vote; make "
                                 "a new id for a new vote") from None
    if found is None:
        raise PeerError(404, f"no vote {request.round_id} in this class")
    if found.closed_at is not None:
        raise PeerError(409, "this vote is closed: votes sent after the close are not "
                             "counted")
    entry = catalog.get(found.quiz_id)
    if entry is None:
        raise PeerError(404, f"the quiz {found.quiz_id!r} of this vote is not in the book "
                             "any more")
    question = votable(entry, found.question_id)
    try:
        response = check_response(question, request.response)
    except ResponseError as exc:
        raise PeerError(422, str(exc).replace(f"responses.{question.id}", "response")) \
            from None
    if is_unanswered(response):
        raise PeerError(422, "response: choose an answer before voting")
    outcome = grade(question, response)
    previous = session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.student_id == student_id, Attempt.round_id == found.id)) or 0
    _, number = attempt_counts(session, student_id, entry.quiz.id)
    reply = {"round": found.id, "recorded": True, "response": response, "changes": previous}
    insert_attempt(session, {
        "attempt_uid": request.vote_id, "student_id": student_id, "quiz_id": entry.quiz.id,
        "quiz_version": entry.version, "number": number, "received_at": now or utcnow(),
        "late": False, "score": outcome.points, "max_points": outcome.max_points,
        "request_digest": digest, "reply": reply, "round_id": found.id},
        answer_rows(entry, {question.id: response}, {question.id: outcome}))
    return reply


def votes_of(session: Session, round_id: int) -> dict[int, Any]:
    """Each student's vote in a round (the last one sent), by student id."""
    rows = session.execute(
        select(Attempt.student_id, Attempt.number, Attempt.id)
        .where(Attempt.round_id == round_id).order_by(Attempt.student_id, Attempt.number))
    last: dict[int, int] = {}
    for student_id, _, attempt_id in rows:
        last[student_id] = attempt_id
    if not last:
        return {}
    responses: dict[int, Any] = {}
    by_attempt = {a: s for s, a in last.items()}
    ids = sorted(by_attempt)
    for start in range(0, len(ids), 500):
        for attempt_id, response in session.execute(
                select(Answer.attempt_id, Answer.response)
                .where(Answer.attempt_id.in_(ids[start:start + 500]))):
            responses[by_attempt[attempt_id]] = response
    return responses


def voters(session: Session, round_id: int) -> int:
    return session.scalar(select(func.count(func.distinct(Attempt.student_id)))
                          .where(Attempt.round_id == round_id)) or 0


# --- what each screen shows -----------------------------------------------------------------


@dataclass
class RoundInfo:
    id: int
    quiz_id: str
    question_id: str
    number: int
    open: bool
    revealed: bool
    shown: bool
    opened_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, r: Round) -> RoundInfo:
        return cls(r.id, r.quiz_id, r.question_id, r.number, r.closed_at is None,
                   r.revealed_at is not None, r.shown_at is not None, r.opened_at, r.closed_at)

    @property
    def state(self) -> str:
        """A short key that changes whenever what students see changes."""
        phase = "open" if self.open else "revealed" if self.revealed else "closed"
        return f"{self.id}-{phase}"


@dataclass
class Shift:
    """How answers moved between vote 1 and vote 2 of one question."""

    question: model.Question
    wrong_to_right: int = 0
    right_to_wrong: int = 0
    right_to_right: int = 0
    wrong_same: int = 0
    wrong_to_other_wrong: int = 0
    only_first: int = 0
    only_second: int = 0
    #: (vote-1 answer, vote-2 answer) -> students
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)
    labels: list[str] = field(default_factory=list)
    first_right: int = 0
    second_right: int = 0
    both: int = 0

    @property
    def unchanged(self) -> int:
        return self.right_to_right + self.wrong_same

    @property
    def normalised_change(self) -> float | None:
        """Hake's normalised gain over the students who voted twice:
        (share right after - before) / (1 - before)."""
        if not self.both:
            return None
        before, after = self.first_right / self.both, self.second_right / self.both
        if before >= 1:
            return None
        return (after - before) / (1 - before)


def answer_label(question: model.Question, response: Any) -> str:
    """A vote in a few characters: the option id(s), or True / False."""
    if isinstance(response, bool):
        return "True" if response else "False"
    if isinstance(response, list):
        order = [o.id for o in question.options] if isinstance(
            question, model.SingleQuestion | model.MultipleQuestion) else []
        return "+".join(sorted(response, key=lambda x: order.index(x) if x in order else 99))
    return str(response)


def choice_ids(response: Any) -> list[str]:
    """A vote as the ids of the choices on the page (true/false: "true", "false")."""
    if isinstance(response, bool):
        return ["true" if response else "false"]
    if isinstance(response, list):
        return [str(r) for r in response]
    return [] if response is None else [str(response)]


def shift(question: model.Question, first: dict[int, Any], second: dict[int, Any]) -> Shift:
    out = Shift(question)
    labels: list[str] = []
    if isinstance(question, model.SingleQuestion | model.MultipleQuestion):
        labels = [o.id for o in question.options]
    elif isinstance(question, model.TrueFalseQuestion):
        labels = ["True", "False"]
    for student in set(first) | set(second):
        if student not in second:
            out.only_first += 1
            continue
        if student not in first:
            out.only_second += 1
            continue
        before, after = first[student], second[student]
        right_before = grade(question, before).correct
        right_after = grade(question, after).correct
        out.both += 1
        out.first_right += right_before
        out.second_right += right_after
        a, b = answer_label(question, before), answer_label(question, after)
        out.moves[(a, b)] += 1
        for label in (a, b):
            if label not in labels:
                labels.append(label)
        if right_before and right_after:
            out.right_to_right += 1
        elif right_before:
            out.right_to_wrong += 1
        elif right_after:
            out.wrong_to_right += 1
        elif a == b:
            out.wrong_same += 1
        else:
            out.wrong_to_other_wrong += 1
    out.labels = labels
    return out


@dataclass
class QuestionShown:
    """A question as students see it: prompt and choices (safe HTML), no key."""

    quiz_title: str
    quiz_id: str
    id: str
    type: str
    prompt: str
    choices: list[dict[str, str]]


def shown_question(entry: QuizEntry, question_id: str) -> QuestionShown:
    data = entry.shown[question_id]
    return QuestionShown(entry.title, entry.quiz.id, question_id, data["type"], data["prompt"],
                         [{"id": c["id"], "text": c["text"]} for c in data.get("options", [])])


@dataclass
class Key:
    """The answer, once revealed."""

    correct: list[str]
    explanation: str | None


def key_of(question: model.Question) -> Key:
    if isinstance(question, model.SingleQuestion | model.MultipleQuestion):
        correct = [o.id for o in question.options if o.correct]
    elif isinstance(question, model.TrueFalseQuestion):
        correct = ["true" if question.answer else "false"]
    else:
        correct = []
    return Key(correct, safe_html(question.explanation) if question.explanation else None)


@dataclass
class RoundResults:
    info: RoundInfo
    distribution: Distribution
    voters: int


def round_results(session: Session, catalog: Catalog, r: Round) -> RoundResults:
    entry = catalog.entries[r.quiz_id]
    question = entry.questions[r.question_id]
    votes = votes_of(session, r.id)
    return RoundResults(RoundInfo.of(r), distribution(question, list(votes.values())),
                        len(votes))


@dataclass
class ProjectorView:
    """What the projector may show, decided once here."""

    info: RoundInfo | None
    question: QuestionShown | None = None
    voters: int = 0
    #: Closed rounds whose results the instructor put on the projector.
    results: list[RoundResults] = field(default_factory=list)
    shift: Shift | None = None
    key: Key | None = None


def projector_view(session: Session, catalog: Catalog) -> ProjectorView:
    current = current_round(session)
    if current is None or catalog.get(current.quiz_id) is None:
        return ProjectorView(None)
    entry = catalog.entries[current.quiz_id]
    if current.question_id not in entry.questions:
        return ProjectorView(None)
    info = RoundInfo.of(current)
    view = ProjectorView(info, shown_question(entry, current.question_id),
                         voters(session, current.id))
    if info.open:  # while a vote is open: the question and a count, nothing else
        return view
    question = entry.questions[current.question_id]
    rounds = rounds_of(session, current.quiz_id, current.question_id)
    view.results = [round_results(session, catalog, r) for r in rounds
                    if r.closed_at is not None and r.shown_at is not None]
    if current.number >= 2 and current.shown_at is not None and len(rounds) >= 2:
        view.shift = shift(question, votes_of(session, rounds[0].id),
                           votes_of(session, rounds[1].id))
    if current.revealed_at is not None:
        view.key = key_of(question)
    return view


@dataclass
class StudentView:
    info: RoundInfo | None
    question: QuestionShown | None = None
    mine: Any = None
    mine_label: str = ""
    #: The choices (ids as on the page) of the student's vote, to tick them again.
    mine_ids: list[str] = field(default_factory=list)
    key: Key | None = None


def student_view(session: Session, catalog: Catalog, student_uid: str) -> StudentView:
    current = current_round(session)
    if current is None or catalog.get(current.quiz_id) is None:
        return StudentView(None)
    entry = catalog.entries[current.quiz_id]
    if current.question_id not in entry.questions:
        return StudentView(None)
    question = entry.questions[current.question_id]
    view = StudentView(RoundInfo.of(current), shown_question(entry, current.question_id))
    student_id = session.scalar(select(Student.id).where(Student.uid == student_uid))
    if student_id is not None:
        last = session.scalar(select(Attempt).where(
            Attempt.student_id == student_id, Attempt.round_id == current.id)
            .order_by(Attempt.number.desc()).limit(1))
        if last is not None:
            view.mine = last.reply.get("response")
            view.mine_label = answer_label(question, view.mine)
            view.mine_ids = choice_ids(view.mine)
    if current.revealed_at is not None:
        view.key = key_of(question)
    return view
