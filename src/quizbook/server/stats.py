"""The class's results from the database, in the offline gradebook's own shapes.

`class_results` reads, for each student and quiz, the attempt the policy counts (first,
best or last; peer-instruction votes never count) and turns it into the gradebook's
`Entry` / `QuizResult`, so the live dashboard and `quizbook class export` compute the
item analysis with the gradebook's own `item_stats`: one implementation. It reads with
a few plain queries (no ORM objects per row): the dashboard runs it again after every
burst of answers.

`distribution` counts what a class answered to one question (per option, or the most
frequent typed answers), for the dashboard's bars and the peer-instruction rounds.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from quizbook import model
from quizbook.export.gradebook import Collected, Entry, ItemStats, item_stats, regrade
from quizbook.grade import Outcome, grade
from quizbook.markup import plain_text
from quizbook.results import QuestionResult, QuizResult
from quizbook.server.attempts import counted
from quizbook.server.grading import Catalog
from quizbook.server.models import Answer, Attempt, Student
from quizbook.server.policy import Policies
from quizbook.types import spec_of

#: Typed answers shown one by one (the rest are summed up as "other answers").
TOP_TYPED = 6
_CHUNK = 500


@dataclass(frozen=True)
class AttemptRow:
    id: int
    student_id: int
    quiz_id: str
    number: int
    late: bool
    score: float
    max_points: float
    quiz_version: str
    received_at: datetime


@dataclass(frozen=True)
class StudentRow:
    id: int
    uid: str
    name: str
    number: str | None
    email: str | None
    lms: dict[str, Any]
    on_roster: bool
    joined_at: datetime | None


@dataclass
class ClassResults:
    students: list[StudentRow]
    #: (student id, quiz id) -> the student's attempts at the quiz, in order.
    attempts: dict[tuple[int, str], list[AttemptRow]]
    #: (student id, quiz id) -> the attempt that counts (absent: none may count).
    chosen: dict[tuple[int, str], AttemptRow]
    #: (student id, quiz id) -> the counted attempt as a results-file entry.
    results: dict[tuple[int, str], QuizResult]
    collected: Collected = field(default_factory=Collected)

    def entries_of(self, quiz_id: str) -> list[Entry]:
        return [e for e in self.collected.entries if e.quiz == quiz_id]


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def class_results(session: Session, catalog: Catalog, policies: Policies,
                  quiz_ids: Sequence[str] | None = None) -> ClassResults:
    quizzes = [catalog.entries[q].quiz for q in (quiz_ids or list(catalog.entries))]
    wanted = [q.id for q in quizzes]
    students = [StudentRow(r.id, r.uid, r.name, r.number, r.email, r.lms or {}, r.on_roster,
                           r.joined_at)
                for r in session.execute(select(
                    Student.id, Student.uid, Student.name, Student.number, Student.email,
                    Student.lms, Student.on_roster, Student.joined_at)
                    .order_by(Student.name_key))]
    names = {s.id: s.name for s in students}
    attempts: dict[tuple[int, str], list[AttemptRow]] = defaultdict(list)
    for r in session.execute(select(
            Attempt.id, Attempt.student_id, Attempt.quiz_id, Attempt.number, Attempt.late,
            Attempt.score, Attempt.max_points, Attempt.quiz_version, Attempt.received_at)
            .where(Attempt.round_id.is_(None), Attempt.quiz_id.in_(wanted))
            .order_by(Attempt.student_id, Attempt.quiz_id, Attempt.number)):
        attempts[(r.student_id, r.quiz_id)].append(AttemptRow(*r))
    chosen: dict[tuple[int, str], AttemptRow] = {}
    for key, rows in attempts.items():
        pick = counted(rows, policies.of(key[1]))
        if pick is not None:
            chosen[key] = pick
    answers: dict[int, list[Any]] = defaultdict(list)
    chosen_ids = sorted(a.id for a in chosen.values())
    for part in _chunks(chosen_ids):
        for answer in session.execute(select(
                Answer.attempt_id, Answer.question_id, Answer.response, Answer.points,
                Answer.max_points, Answer.correct).where(Answer.attempt_id.in_(part))
                .order_by(Answer.id)):
            answers[answer.attempt_id].append(answer)
    answered: Counter[tuple[int, str, str]] = Counter()
    for student_id, quiz_id, question_id, count in session.execute(
            select(Attempt.student_id, Attempt.quiz_id, Answer.question_id, func.count())
            .join(Answer, Answer.attempt_id == Attempt.id)
            .where(and_(Attempt.round_id.is_(None), Attempt.quiz_id.in_(wanted),
                        Answer.answered.is_(True)))
            .group_by(Attempt.student_id, Attempt.quiz_id, Answer.question_id)):
        answered[(student_id, quiz_id, question_id)] = count
    out = ClassResults(students, dict(attempts), chosen, {})
    for quiz in quizzes:
        for student in students:
            key = (student.id, quiz.id)
            pick = chosen.get(key)
            if pick is None:
                continue
            rows = attempts[key]
            questions = [QuestionResult.model_construct(
                id=a.question_id, points=a.points, max=a.max_points, correct=a.correct,
                attempts=answered.get((student.id, quiz.id, a.question_id), 0),
                response=a.response) for a in answers.get(pick.id, [])]
            result = QuizResult.model_construct(
                quiz=quiz.id, lesson=quiz.lesson, version=pick.quiz_version, score=pick.score,
                max=pick.max_points, attempts=len(rows), first_attempt=rows[0].received_at,
                last_attempt=pick.received_at, questions=questions)
            out.results[key] = result
            # The item analysis reads every question re-graded, as the gradebook does
            # (an answer to an earlier version of a question is graded as it stands now).
            regraded = regrade(result, quiz)
            if isinstance(regraded, str):
                continue
            out.collected.entries.append(Entry(names[student.id], quiz.id, regraded.score,
                                               pick.max_points, len(rows), pick.received_at,
                                               "class database", regraded.outcomes,
                                               regraded.responses))
    return out


def quiz_item_stats(results: ClassResults, quiz: model.Quiz) -> list[ItemStats]:
    """The gradebook's item analysis of one quiz, on the counted attempts."""
    return item_stats(Collected(entries=results.entries_of(quiz.id)), [quiz])


# --- distributions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    #: Whether this answer is right (None: a bar that is not an answer, e.g. "other").
    correct: bool | None
    key: str = ""


@dataclass
class Distribution:
    question: model.Question
    bars: list[Bar]
    answered: int
    unanswered: int
    right: int
    #: What each bar counts: students choosing it, or students placing it right.
    counts: str = "students who chose it"

    @property
    def share_right(self) -> float | None:
        return self.right / self.answered if self.answered else None

    @property
    def widest(self) -> int:
        return max([b.count for b in self.bars] + [1])


def is_unanswered(response: Any) -> bool:
    return response is None or response == "" or response == [] or response == {}


def _option_label(option: model.Option) -> str:
    return f"{option.id}: {plain_text(option.text)}"


class Grades:
    """`grade` once per distinct answer: a class gives few distinct answers to a question,
    and the live pages count them again after every burst."""

    def __init__(self, q: model.Question) -> None:
        self.q = q
        self.seen: dict[str, Outcome] = {}

    def __call__(self, response: Any) -> Outcome:
        key = json.dumps(response, sort_keys=True)
        outcome = self.seen.get(key)
        if outcome is None:
            outcome = self.seen[key] = grade(self.q, response)
        return outcome


def distribution(q: model.Question, responses: Sequence[Any]) -> Distribution:
    """What the class answered (one response per student) to question `q`."""
    graded = Grades(q)
    given = [r for r in responses if not is_unanswered(r)]
    right = sum(graded(r).correct for r in given)
    answered, unanswered = len(given), len(responses) - len(given)
    if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        picks: Counter[str] = Counter()
        for r in given:
            picks.update([r] if isinstance(r, str) else list(r))
        return Distribution(q, [Bar(_option_label(o), picks[o.id], o.correct, o.id)
                                for o in q.options], answered, unanswered, right)
    if isinstance(q, model.TrueFalseQuestion):
        picks_tf = Counter(bool(r) for r in given if isinstance(r, bool))
        return Distribution(q, [Bar("True", picks_tf[True], q.answer is True, "true"),
                                Bar("False", picks_tf[False], q.answer is False, "false")],
                            answered, unanswered, right)
    if isinstance(q, model.ShortTextQuestion | model.NumericQuestion):
        typed: Counter[str] = Counter()
        shown: dict[str, str] = {}
        for r in given:
            text = " ".join(str(r).split())[:80]
            key = text.casefold()
            typed[key] += 1
            shown.setdefault(key, text)
        top = typed.most_common(TOP_TYPED)
        bars = [Bar(shown[k], n, graded(shown[k]).correct, f"typed-{i}")
                for i, (k, n) in enumerate(top)]
        rest = sum(typed.values()) - sum(n for _, n in top)
        if rest:
            bars.append(Bar(f"other answers ({len(typed) - len(top)} different)", rest, None,
                            "other"))
        return Distribution(q, bars, answered, unanswered, right, "students who typed it")
    # Ordering, matching and registered types: per part, the students who got it right.
    if not isinstance(q, model.BuiltinQuestion):
        parts = spec_of(q).parts(q)
    elif isinstance(q, model.OrderingQuestion):
        parts = [(i.id, plain_text(i.text)) for i in q.items]
    else:
        assert isinstance(q, model.MatchingQuestion)
        parts = [(p.id, f"{plain_text(p.left)} → {plain_text(p.right)}") for p in q.pairs]
    placed: Counter[str] = Counter()
    for r in given:
        placed.update(k for k, ok in graded(r).parts.items() if ok)
    return Distribution(q, [Bar(label, placed[pid], True, pid) for pid, label in parts],
                        answered, unanswered, right, "students who placed it right")
