"""The version scheme before issue 12, frozen: how saved work of earlier releases is recognised.

Until then a quiz's `version` hashed its whole student bundle (every text but the
instructor notes), and the salts and the shuffles of ordering items and matching choices
hashed every text of their question. Students hold progress records and results files
stamped with those versions, and the right-hand ids (`r1`...) of their matching answers
were numbered in that old shuffle.

`legacy_version(quiz)` computes, from the quiz as it is now, the version the old scheme
gave it, and `legacy_rights(question)` the old numbering of a matching question's
right-hand choices. A record or results file carrying that old version was made for
exactly this content, so its answers are carried over (`quizbook.versions.carry_over`),
matching answers renumbered. Nothing here may change with the current bundle format: the
code is a copy of the old one, checked against versions recorded with the old code
(tests/fixtures/legacy/).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from quizbook import model
from quizbook.answers import normalise_answer
from quizbook.markup import inline_html, plain_text
from quizbook.seal import digest, seal
from quizbook.types import spec_of

OLD_FORMAT = "quizbook-bundle/1"


def _shuffled(ids: Sequence[str], seed: str) -> list[str]:
    return sorted(ids, key=lambda i: hashlib.sha256(f"{seed}|{i}".encode()).hexdigest())


def legacy_seed(question: model.QuestionBase) -> str:
    """The old seed: every field of the question but the instructor note."""
    content = question.model_dump(mode="json", exclude={"instructor_note"})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]


def _legacy_order(question: model.OrderingQuestion) -> list[str]:
    key = [i.id for i in question.items]
    order = _shuffled(key, legacy_seed(question))
    return order[1:] + order[:1] if order == key else order


def legacy_rights(question: model.MatchingQuestion) -> list[tuple[str, str]]:
    """The old (right-hand id, text) list of a matching question, in its old order."""
    texts = [p.right for p in question.pairs] + list(question.distractors)
    order = _shuffled(texts, legacy_seed(question))
    if [p.right for p in question.pairs] == order[: len(question.pairs)]:
        order = order[1:] + order[:1]
    return [(f"r{n}", text) for n, text in enumerate(order, 1)]


def legacy_salt(quiz_id: str, question: model.QuestionBase) -> str:
    return hashlib.sha256(f"quizbook-salt|{quiz_id}|{legacy_seed(question)}".encode()) \
        .hexdigest()[:16]


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _html(text: str | None) -> str | None:
    return None if text is None else inline_html(text)


def _question(quiz_id: str, q: model.Question) -> dict[str, Any]:
    salt = legacy_salt(quiz_id, q)
    sealed: dict[str, str] = {}

    def put(name: str, text: str | None) -> None:
        if text is not None:
            sealed[name] = seal(salt, q.id, name, inline_html(text))

    out: dict[str, Any] = {"id": q.id, "type": q.type, "points": q.points,
                           "objective": q.objective, "source": q.source,
                           "prompt": inline_html(q.prompt), "hint": _html(q.hint), "salt": salt}
    put("explanation", q.explanation)
    if not isinstance(q, model.BuiltinQuestion):
        # Types newer than issue 12 had no earlier scheme: today's fields stand in.
        out.update(spec_of(q).bundle_fields(q, salt, put))
        out["sealed"] = sealed
        return out
    if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        out["options"] = [{"id": o.id, "text": inline_html(o.text),
                           "check": digest(salt, q.id, f"opt:{o.id}:{int(o.correct)}")}
                          for o in q.options]
        for o in q.options:
            put(f"fb:{o.id}", o.feedback)
    elif isinstance(q, model.TrueFalseQuestion):
        out["options"] = [{"id": value, "text": value.title(),
                           "check": digest(salt, q.id, f"opt:{value}:{int(q.answer == truth)}")}
                          for value, truth in (("true", True), ("false", False))]
        put("fb:true", q.feedback.true)
        put("fb:false", q.feedback.false)
    elif isinstance(q, model.ShortTextQuestion):
        out["accept"] = sorted({digest(salt, q.id, "ans:" + normalise_answer(
            a, case_sensitive=q.case_sensitive, normalize=q.normalize)) for a in q.accept})
        out["case_sensitive"] = q.case_sensitive
        out["normalize"] = q.normalize
        if q.pattern is not None:
            sealed["pattern"] = seal(salt, q.id, "pattern", q.pattern)
    elif isinstance(q, model.NumericQuestion):
        out["unit"] = q.unit
        sealed["range"] = seal(salt, q.id, "range", json.dumps(list(q.bounds)))
    elif isinstance(q, model.OrderingQuestion):
        key = {item.id: n for n, item in enumerate(q.items, 1)}
        texts = {item.id: item.text for item in q.items}
        out["items"] = [{"id": i, "text": inline_html(texts[i]),
                         "check": digest(salt, q.id, f"pos:{i}:{key[i]}")}
                        for i in _legacy_order(q)]
    else:
        rights = legacy_rights(q)
        rid = {text: r for r, text in rights}
        out["lefts"] = [{"id": p.id, "text": inline_html(p.left),
                         "check": digest(salt, q.id, f"pair:{p.id}:{rid[p.right]}")}
                        for p in q.pairs]
        out["rights"] = [{"id": r, "text": inline_html(text)} for r, text in rights]
    if isinstance(q, model.ShortTextQuestion | model.NumericQuestion | model.OrderingQuestion
                  | model.MatchingQuestion):
        put("fb:correct", q.feedback.correct)
        put("fb:incorrect", q.feedback.incorrect)
    out["sealed"] = sealed
    return out


def legacy_version(quiz: model.Quiz) -> str:
    """The `version` the old scheme gave this quiz: the digest of its whole old bundle."""
    body: dict[str, Any] = {
        "format": OLD_FORMAT,
        "id": quiz.id,
        "lesson": quiz.lesson,
        "title": plain_text(quiz.title),
        "pass_mark": quiz.pass_mark,
        "max_points": quiz.max_points,
        "objectives": [{"id": o.id, "text": inline_html(o.text)} for o in quiz.objectives],
        "questions": [_question(quiz.id, q) for q in quiz.questions],
    }
    return hashlib.sha256(_dumps(body).encode()).hexdigest()[:12]
