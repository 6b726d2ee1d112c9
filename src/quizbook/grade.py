"""The reference grader: what a response to a question is worth, and which feedback to show.

Pure functions of the full question (with its key). The student-side grader (the
runtime, in the book and the notebooks) must agree with this exactly.
A response of the wrong shape is treated as unanswered, never an error.

Scoring rules (also in the README):
- single, true_false, short_text, numeric: all or nothing. A numeric answer that is not a
  number (quizbook.answers.parse_number) is not graded: unanswered, feedback NOT_A_NUMBER.
- multiple: points * max(0, hits/n_correct - false_alarms/n_incorrect), so
  selecting every option (or none) scores 0.
- ordering: points * (items at the right position, not shared with another item) / n.
- matching: points * (left items matched to their right-hand text) / n.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quizbook import model
from quizbook.answers import normalise_answer, parse_number, pattern_matches
from quizbook.types import spec_of

#: The feedback key of a numeric answer that is not a number ("twenty", "summer 2015", "12
#: days" where days are not a unit of the question): the answer is not graded (answered is
#: false, so it counts as no attempt) and the student sees NOT_A_NUMBER_FEEDBACK.
NOT_A_NUMBER = "not_a_number"
#: The same for every numeric question (inline Markdown; the runtime has its HTML in
#: runtime/markers/numeric.js, and tests/test_js_grader_parity.py holds the two together).
NOT_A_NUMBER_FEEDBACK = ("Not marked: this is not read as a number. Type just the number, "
                         "in digits, as the note under the box says.")


def fixed_feedback(q: model.Question, key: str) -> str | None:
    """Feedback that is the same for every question of a type (not written by the author)."""
    if isinstance(q, model.NumericQuestion) and key == NOT_A_NUMBER:
        return NOT_A_NUMBER_FEEDBACK
    return None


@dataclass(frozen=True)
class Outcome:
    points: float
    max_points: float
    correct: bool  # full marks
    parts: dict[str, bool] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)  # keys: option ids, "correct", ...
    answered: bool = True

    def as_json(self) -> dict[str, Any]:
        return {"points": self.points, "max": self.max_points, "correct": self.correct,
                "parts": dict(self.parts), "feedback": list(self.feedback),
                "answered": self.answered}


def unanswered(points: float) -> Outcome:
    return Outcome(0.0, points, False, {}, [], answered=False)


def multiple_score(points: float, hits: int, false_alarms: int, n_correct: int,
                   n_incorrect: int) -> float:
    # Same operations, same order, as quizbook.js: identical floating-point results.
    fraction = hits / n_correct - false_alarms / n_incorrect
    if fraction < 0:
        fraction = 0.0
    return points * fraction


def share_score(points: float, right: int, total: int) -> float:
    return points * (right / total)


def right_wrong(points: float, ok: bool) -> Outcome:
    return Outcome(points if ok else 0.0, points, ok, {"answer": ok},
                   ["correct" if ok else "incorrect"])


def shuffled(ids: Sequence[str], seed: str) -> list[str]:
    """A deterministic order that depends only on the seed (no RNG state, same every build)."""
    return sorted(ids, key=lambda i: hashlib.sha256(f"{seed}|{i}".encode()).hexdigest())


def grading_content(question: model.Question) -> dict[str, Any]:
    """What grading a question depends on, and nothing else: its id, type and points, and
    its key over the ids of its options, items or pairs (sets where order does not matter).

    Texts (prompt, options, feedback, explanation, hint), `objective`, `source`, `level`
    and the instructor note are wording: changing them keeps saved answers and results
    valid. Changing anything here is a key change: saved answers are graded again under the
    new key and the student is told which questions changed (quizbook.versions).
    """
    content: dict[str, Any] = {"id": question.id, "type": question.type,
                               "points": question.points}
    if not isinstance(question, model.BuiltinQuestion):
        content.update(spec_of(question).grading_content(question))
        return content
    if isinstance(question, model.SingleQuestion | model.MultipleQuestion):
        content["options"] = sorted([o.id, o.correct] for o in question.options)
    elif isinstance(question, model.TrueFalseQuestion):
        content["answer"] = question.answer
    elif isinstance(question, model.ShortTextQuestion):
        content["accept"] = sorted({normalise_answer(a, case_sensitive=question.case_sensitive,
                                                     normalize=question.normalize)
                                    for a in question.accept})
        content.update(case_sensitive=question.case_sensitive, normalize=question.normalize,
                       pattern=question.pattern)
    elif isinstance(question, model.NumericQuestion):
        content.update(bounds=list(question.bounds), unit=question.unit)
    elif isinstance(question, model.OrderingQuestion):
        content["order"] = [i.id for i in question.items]
    else:
        content.update(pairs=sorted(p.id for p in question.pairs),
                       distractors=len(question.distractors))
    return content


def question_seed(question: model.Question) -> str:
    """A digest of what grading the question depends on (`grading_content`): the salt of its
    digests. A wording fix keeps it, so saved work stays valid; a key change changes it."""
    content = json.dumps(grading_content(question), sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def question_rev(question: model.Question) -> str:
    """The question's revision (12 hex): changes exactly when its key or points change."""
    return question_seed(question)[:12]


def layout_seed(question: model.Question) -> str:
    """The seed of the order a question's parts are shown in: its id and the ids of its
    parts only, so that neither wording nor key changes renumber what students answered."""
    if isinstance(question, model.OrderingQuestion):
        parts = sorted(i.id for i in question.items)
    elif isinstance(question, model.MatchingQuestion):
        parts = sorted(_right_identities(question))
    elif not isinstance(question, model.BuiltinQuestion):
        parts = sorted(spec_of(question).layout_parts(question))
    else:
        parts = []
    return hashlib.sha256(json.dumps([question.id, parts]).encode()).hexdigest()[:16]


def display_order(question: model.OrderingQuestion) -> list[str]:
    """Item ids as shown to students: never the key order."""
    key = [i.id for i in question.items]
    order = shuffled(key, layout_seed(question))
    if order == key:  # a shuffle that happens to be the key would give the answer away
        order = order[1:] + order[:1]
    return order


def _right_identities(question: model.MatchingQuestion) -> list[str]:
    """Each right-hand choice by what it is, not by its text: the right of pair `m1` is
    `pair:m1`, the n-th distractor `distractor:n`."""
    return ([f"pair:{p.id}" for p in question.pairs]
            + [f"distractor:{n}" for n in range(len(question.distractors))])


def matching_rights(question: model.MatchingQuestion) -> list[tuple[str, str]]:
    """Right-hand choices as (opaque id, text), in a shuffled order: ids say nothing.

    The order depends only on the question id and the ids of its pairs (and how many
    distractors it has), so fixing the wording of a choice keeps every `r<n>` id that saved
    answers and results files name.
    """
    identities = _right_identities(question)
    texts = dict(zip(identities, [p.right for p in question.pairs] + list(question.distractors),
                     strict=True))
    order = shuffled(identities, layout_seed(question))
    lefts_aligned = identities[: len(question.pairs)] == order[: len(question.pairs)]
    if lefts_aligned:
        order = order[1:] + order[:1]
    return [(f"r{n}", texts[identity]) for n, identity in enumerate(order, 1)]


def grade(question: model.Question, response: Any) -> Outcome:
    if not isinstance(question, model.BuiltinQuestion):
        return spec_of(question).grade(question, response)
    if isinstance(question, model.SingleQuestion):
        return _single(question, response)
    if isinstance(question, model.MultipleQuestion):
        return _multiple(question, response)
    if isinstance(question, model.TrueFalseQuestion):
        return _true_false(question, response)
    if isinstance(question, model.ShortTextQuestion):
        return _short_text(question, response)
    if isinstance(question, model.NumericQuestion):
        return _numeric(question, response)
    if isinstance(question, model.OrderingQuestion):
        return _ordering(question, response)
    return _matching(question, response)


def _single(q: model.SingleQuestion, response: Any) -> Outcome:
    ids = {o.id: o for o in q.options}
    if not isinstance(response, str) or response not in ids:
        return unanswered(q.points)
    ok = ids[response].correct
    return Outcome(q.points if ok else 0.0, q.points, ok, {response: ok}, [response])


def _multiple(q: model.MultipleQuestion, response: Any) -> Outcome:
    if not isinstance(response, list | tuple) or not all(isinstance(r, str) for r in response):
        return unanswered(q.points)
    chosen = set(response)
    selected = [o for o in q.options if o.id in chosen]
    if not selected:
        return unanswered(q.points)
    n_correct = sum(o.correct for o in q.options)
    hits = sum(o.correct for o in selected)
    false_alarms = len(selected) - hits
    points = multiple_score(q.points, hits, false_alarms, n_correct, len(q.options) - n_correct)
    return Outcome(points, q.points, hits == n_correct and false_alarms == 0,
                   {o.id: o.correct for o in selected}, [o.id for o in selected])


def _true_false(q: model.TrueFalseQuestion, response: Any) -> Outcome:
    if not isinstance(response, bool):
        return unanswered(q.points)
    ok = response == q.answer
    key = "true" if response else "false"
    return Outcome(q.points if ok else 0.0, q.points, ok, {"answer": ok}, [key])


def _short_text(q: model.ShortTextQuestion, response: Any) -> Outcome:
    if not isinstance(response, str) or not response.strip():
        return unanswered(q.points)
    given = normalise_answer(response, case_sensitive=q.case_sensitive, normalize=q.normalize)
    accepted = {normalise_answer(a, case_sensitive=q.case_sensitive, normalize=q.normalize)
                for a in q.accept}
    ok = given in accepted or (
        q.pattern is not None and pattern_matches(q.pattern, response,
                                                  case_sensitive=q.case_sensitive))
    return right_wrong(q.points, ok)


def _numeric(q: model.NumericQuestion, response: Any) -> Outcome:
    if not isinstance(response, str) or not response.strip():
        return unanswered(q.points)
    value = parse_number(response, q.unit, units=q.units, era=q.era)
    if value is None:
        # Not graded as wrong: the student is asked for just the number (NOT_A_NUMBER).
        return Outcome(0.0, q.points, False, {}, [NOT_A_NUMBER], answered=False)
    low, high = q.bounds
    return right_wrong(q.points, low <= value <= high)


def _positions(response: Any, ids: Sequence[str], kind: type) -> dict[str, Any] | None:
    """The answered entries of an ordering/matching response; values of another type are
    treated as unanswered (a bool is not a position)."""
    if not isinstance(response, Mapping):
        return None
    chosen = {k: v for k, v in response.items()
              if k in ids and isinstance(v, kind) and not isinstance(v, bool) and v != ""}
    return chosen or None


def _ordering(q: model.OrderingQuestion, response: Any) -> Outcome:
    ids = [i.id for i in q.items]
    chosen = _positions(response, ids, int)
    if chosen is None:
        return unanswered(q.points)
    claims: dict[int, int] = {}
    for value in chosen.values():
        claims[value] = claims.get(value, 0) + 1
    parts = {}
    for n, item_id in enumerate(ids, 1):
        given = chosen.get(item_id)
        parts[item_id] = given == n and claims[given] == 1
    right = sum(parts.values())
    return Outcome(share_score(q.points, right, len(ids)), q.points, right == len(ids), parts,
                   ["correct" if right == len(ids) else "incorrect"])


def _matching(q: model.MatchingQuestion, response: Any) -> Outcome:
    ids = [p.id for p in q.pairs]
    chosen = _positions(response, ids, str)
    if chosen is None:
        return unanswered(q.points)
    by_text = {text: rid for rid, text in matching_rights(q)}
    parts = {p.id: chosen.get(p.id) == by_text[p.right] for p in q.pairs}
    right = sum(parts.values())
    return Outcome(share_score(q.points, right, len(ids)), q.points, right == len(ids), parts,
                   ["correct" if right == len(ids) else "incorrect"])
