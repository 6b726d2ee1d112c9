"""Grading in class mode: the book's quizzes, response checks, and the reply a student sees.

The reference grader (`quizbook.grade.grade`) grades every question of the quiz
file; this module checks the shape of what a browser sent and turns outcomes
into the JSON reply of the check API (docs/class-server.md), with feedback and
explanations as safe HTML from `quizbook.markup`, shown as the policy allows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.grade import Outcome, fixed_feedback, grade, matching_rights
from quizbook.markup import inline_html, plain_text
from quizbook.server.keyfree import keyfree_bundle
from quizbook.types import spec_of

MAX_TEXT_ANSWER = 500


class ResponseError(ValueError):
    """A response of the wrong shape; the message names the question."""


@dataclass(frozen=True)
class QuizEntry:
    quiz: model.Quiz
    #: The quiz's version (quizbook.versions): stored with every attempt, never shown.
    version: str
    title: str
    questions: dict[str, model.Question]
    #: Each question as a student's page shows it (the key-free bundle's question: safe
    #: HTML texts, ids, no key), for the vote page and the projector.
    shown: dict[str, dict[str, Any]]
    #: The version the class page carries (quizbook.server.keyfree.page_version): a check
    #: sent from a page with another one was answered on a page loaded before a rebuild.
    page_version: str = ""


class Catalog:
    """The book's quizzes by id, with their versions."""

    def __init__(self, quizzes: Sequence[model.Quiz]) -> None:
        self.entries: dict[str, QuizEntry] = {}
        for quiz in quizzes:
            bundle = make_bundle(quiz)
            shown = {q["id"]: q for q in keyfree_bundle(bundle)["questions"]}
            self.entries[quiz.id] = QuizEntry(quiz, bundle["version"], plain_text(quiz.title),
                                              {q.id: q for q in quiz.questions}, shown,
                                              keyfree_bundle(bundle)["version"])

    def get(self, quiz_id: str) -> QuizEntry | None:
        return self.entries.get(quiz_id)

    @property
    def quizzes(self) -> list[model.Quiz]:
        return [entry.quiz for entry in self.entries.values()]


# --- response shapes ------------------------------------------------------------------


def _ids(q: model.Question) -> set[str]:
    if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        return {o.id for o in q.options}
    if isinstance(q, model.OrderingQuestion):
        return {i.id for i in q.items}
    if isinstance(q, model.MatchingQuestion):
        return {p.id for p in q.pairs}
    return set()


def check_response(q: model.Question, value: Any) -> Any:
    """The response if its shape fits the question type (contracts: "Responses by type");
    None, "", [] and {} mean unanswered."""
    where = f"responses.{q.id}"
    if value is None:
        return None
    if not isinstance(q, model.BuiltinQuestion):
        problem = spec_of(q).check_response(q, value)
        if problem is not None:
            raise ResponseError(f"{where}: {problem}")
        return value
    if isinstance(q, model.SingleQuestion):
        if not isinstance(value, str) or (value and value not in _ids(q)):
            raise ResponseError(f"{where}: a single-choice answer is one option id "
                                f"({', '.join(sorted(_ids(q)))})")
    elif isinstance(q, model.MultipleQuestion):
        if not isinstance(value, list) or not all(isinstance(v, str) and v in _ids(q)
                                                  for v in value) or len(set(value)) < len(value):
            raise ResponseError(f"{where}: a multiple-choice answer is a list of distinct "
                                f"option ids ({', '.join(sorted(_ids(q)))})")
    elif isinstance(q, model.TrueFalseQuestion):
        if not isinstance(value, bool):
            raise ResponseError(f"{where}: a true/false answer is true or false")
    elif isinstance(q, model.ShortTextQuestion | model.NumericQuestion):
        if not isinstance(value, str) or len(value) > MAX_TEXT_ANSWER:
            raise ResponseError(f"{where}: a typed answer is text of at most "
                                f"{MAX_TEXT_ANSWER} characters")
    elif isinstance(q, model.OrderingQuestion):
        n = len(q.items)
        if not isinstance(value, dict) or not all(
                k in _ids(q) and type(v) is int and 1 <= v <= n for k, v in value.items()):
            raise ResponseError(f"{where}: an ordering answer maps item ids to positions "
                                f"1 to {n}")
    else:
        rights = {r for r, _ in matching_rights(q)}
        if not isinstance(value, dict) or not all(
                k in _ids(q) and isinstance(v, str) and (v in rights or v == "")
                for k, v in value.items()):
            raise ResponseError(f"{where}: a matching answer maps pair ids to right-hand ids "
                                f"({', '.join(sorted(rights))})")
    return value


def check_responses(entry: QuizEntry, responses: Any) -> dict[str, Any]:
    if not isinstance(responses, dict):
        raise ResponseError("responses: must be an object of question id -> answer")
    unknown = sorted(set(responses) - set(entry.questions))
    if unknown:
        raise ResponseError(f"responses: no question {unknown[0]!r} in quiz {entry.quiz.id!r} "
                            f"(questions: {', '.join(entry.questions)})")
    return {qid: check_response(q, responses.get(qid)) for qid, q in entry.questions.items()}


def request_digest(version: str, responses: Mapping[str, Any]) -> str:
    """The same attempt resent gives the same digest (key order does not matter)."""
    canonical = json.dumps({"version": version, "responses": responses}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- outcomes and replies -------------------------------------------------------------


def grade_all(entry: QuizEntry, responses: Mapping[str, Any]) -> dict[str, Outcome]:
    return {qid: grade(q, responses.get(qid)) for qid, q in entry.questions.items()}


@lru_cache(maxsize=4096)
def safe_html(text: str) -> str:
    """`inline_html`, once per text: quiz texts are few and every Check shows them."""
    return inline_html(text)


def feedback_text(q: model.Question, key: str) -> str | None:
    """The authored feedback behind an `Outcome.feedback` key, if any (or the fixed text of
    a key such as "not_a_number")."""
    fixed = fixed_feedback(q, key)
    if fixed is not None:
        return fixed
    if not isinstance(q, model.BuiltinQuestion):
        return spec_of(q).feedback_text(q, key)
    if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        option = next((o for o in q.options if o.id == key), None)
        return option.feedback if option else None
    if isinstance(q, model.TrueFalseQuestion):
        return {"true": q.feedback.true, "false": q.feedback.false}.get(key)
    return {"correct": q.feedback.correct, "incorrect": q.feedback.incorrect}.get(key)


def question_reply(q: model.Question, outcome: Outcome, show_marks: bool) -> dict[str, Any]:
    """One question of the reply. Without `show_marks`, per-part marks are left out, and so
    is per-option feedback where a question has several parts (multiple choice); the
    explanation waits until marks show or the question is fully right."""
    several_parts = isinstance(q, model.MultipleQuestion) or (
        not isinstance(q, model.BuiltinQuestion) and spec_of(q).feedback_per_part)
    feedback: dict[str, str] = {}
    for key in outcome.feedback:
        text = feedback_text(q, key)
        if text is not None and (show_marks or not several_parts):
            feedback[key] = safe_html(text)
    explain = q.explanation is not None and outcome.answered and (show_marks or outcome.correct)
    return {
        "outcome": {"points": outcome.points, "max": outcome.max_points,
                    "correct": outcome.correct, "answered": outcome.answered,
                    "parts": dict(outcome.parts) if show_marks else {}},
        "feedback": feedback,
        "explanation": safe_html(q.explanation) if explain and q.explanation else None,
    }


def questions_reply(entry: QuizEntry, outcomes: Mapping[str, Outcome],
                    show_marks: bool) -> dict[str, Any]:
    return {qid: question_reply(entry.questions[qid], outcome, show_marks)
            for qid, outcome in outcomes.items()}


def total(outcomes: Mapping[str, Outcome]) -> float:
    return sum(o.points for o in outcomes.values())
