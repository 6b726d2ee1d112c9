"""The student bundle: everything needed to show and grade a quiz, with no readable key.

Right options look exactly like wrong ones (an opaque `check` digest each),
accepted short answers appear only as digests, feedback and explanations are
sealed, ordering items are shuffled and matching sides are not aligned. The
bundle is deterministic: the same quiz gives the same bytes.

The runtime (quizbook.runtime) grades from the bundle alone, in the book and in the
notebooks, and agrees with `grade.grade` for every response
(tests/test_js_grader_parity.py proves it).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from quizbook import model
from quizbook.answers import normalise_answer
from quizbook.grade import display_order, matching_rights, question_rev, question_seed
from quizbook.markup import inline_html, plain_text
from quizbook.seal import digest, seal
from quizbook.types import spec_of
from quizbook.versions import legacy_table, quiz_version

FORMAT = "quizbook-bundle/1"


def question_salt(quiz_id: str, question: model.Question) -> str:
    """The salt of a question's digests and sealed texts: it changes with the key, never
    with the wording (quizbook.grade.question_seed)."""
    return hashlib.sha256(f"quizbook-salt|{quiz_id}|{question_seed(question)}".encode()) \
        .hexdigest()[:16]


def make_bundle(quiz: model.Quiz) -> dict[str, Any]:
    body: dict[str, Any] = {
        "format": FORMAT,
        "id": quiz.id,
        "lesson": quiz.lesson,
        "title": plain_text(quiz.title),
        "pass_mark": quiz.pass_mark,
        "max_points": quiz.max_points,
        "objectives": [{"id": o.id, "text": inline_html(o.text)} for o in quiz.objectives],
        "questions": [_question(quiz.id, q) for q in quiz.questions],
        # Saved progress names the version it was answered under (quizbook.versions): it
        # depends on what grading depends on, so a wording fix keeps saved work valid.
        "version": quiz_version(quiz),
        # How a page recognises records saved under the scheme before issue 12.
        "legacy": legacy_table(quiz),
    }
    return body


def bundle_json(quiz: model.Quiz) -> str:
    return _dumps(make_bundle(quiz))


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _html(text: str | None) -> str | None:
    return None if text is None else inline_html(text)


def _question(quiz_id: str, q: model.Question) -> dict[str, Any]:
    salt = question_salt(quiz_id, q)
    sealed: dict[str, str] = {}

    def put(name: str, text: str | None) -> None:
        if text is not None:
            sealed[name] = seal(salt, q.id, name, inline_html(text))

    out: dict[str, Any] = {"id": q.id, "type": q.type, "points": q.points, "rev": question_rev(q),
                           "objective": q.objective, "source": q.source,
                           "prompt": inline_html(q.prompt), "hint": _html(q.hint), "salt": salt}
    put("explanation", q.explanation)
    if not isinstance(q, model.BuiltinQuestion):
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
        if q.units:  # only when set: bundles (and versions) of other questions stay the same
            out["units"] = list(q.units)
        if q.era:
            out["era"] = True
        sealed["range"] = seal(salt, q.id, "range", json.dumps(list(q.bounds)))
    elif isinstance(q, model.OrderingQuestion):
        key = {item.id: n for n, item in enumerate(q.items, 1)}
        texts = {item.id: item.text for item in q.items}
        out["items"] = [{"id": i, "text": inline_html(texts[i]),
                         "check": digest(salt, q.id, f"pos:{i}:{key[i]}")}
                        for i in display_order(q)]
    else:
        rights = matching_rights(q)
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
