"""The student bundle: everything needed to show and grade a quiz, with no readable key.

Right options look exactly like wrong ones (an opaque `check` digest each),
accepted short answers appear only as digests, feedback and explanations are
sealed, ordering items are shuffled and matching sides are not aligned. The
bundle is deterministic: the same quiz gives the same bytes.

`bundle_grade` grades from the bundle alone and agrees with `grade.grade` for
every response (tests prove it); the browser and the widgets do the same.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from quizbook import model
from quizbook.answers import normalise_answer, parse_number, pattern_matches
from quizbook.grade import (
    Outcome,
    display_order,
    matching_rights,
    multiple_score,
    question_seed,
    right_wrong,
    share_score,
    unanswered,
)
from quizbook.markup import inline_html, plain_text
from quizbook.seal import digest, seal, unseal

FORMAT = "quizbook-bundle/1"


def question_salt(quiz_id: str, question: model.QuestionBase) -> str:
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
    }
    # The version names this content for saved progress: editing an instructor
    # note does not change it, editing a question does.
    body["version"] = hashlib.sha256(_dumps(body).encode()).hexdigest()[:12]
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

    out: dict[str, Any] = {"id": q.id, "type": q.type, "points": q.points,
                           "objective": q.objective, "source": q.source,
                           "prompt": inline_html(q.prompt), "hint": _html(q.hint), "salt": salt}
    put("explanation", q.explanation)
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


def reveal(qb: dict[str, Any], name: str) -> str | None:
    """Unseal one text of a bundled question (feedback `fb:<key>` or `explanation`)."""
    sealed = qb.get("sealed", {}).get(name)
    return None if sealed is None else unseal(qb["salt"], qb["id"], name, sealed)


def _is_right_option(qb: dict[str, Any], option: dict[str, Any]) -> bool:
    return bool(option["check"] == digest(qb["salt"], qb["id"], f"opt:{option['id']}:1"))


def bundle_grade(qb: dict[str, Any], response: Any) -> Outcome:
    """Grade from the bundle alone; equal to `grade.grade` on the full question."""
    kind, points = qb["type"], float(qb["points"])
    if kind == "single":
        options = {o["id"]: o for o in qb["options"]}
        if not isinstance(response, str) or response not in options:
            return unanswered(points)
        ok = _is_right_option(qb, options[response])
        return Outcome(points if ok else 0.0, points, ok, {response: ok}, [response])
    if kind == "true_false":
        if not isinstance(response, bool):
            return unanswered(points)
        key = "true" if response else "false"
        option = next(o for o in qb["options"] if o["id"] == key)
        ok = _is_right_option(qb, option)
        return Outcome(points if ok else 0.0, points, ok, {"answer": ok}, [key])
    if kind == "multiple":
        return _multiple(qb, points, response)
    if kind == "short_text":
        if not isinstance(response, str) or not response.strip():
            return unanswered(points)
        given = normalise_answer(response, case_sensitive=qb["case_sensitive"],
                                 normalize=qb["normalize"])
        ok = digest(qb["salt"], qb["id"], "ans:" + given) in qb["accept"]
        pattern = reveal(qb, "pattern")
        if not ok and pattern is not None:
            ok = pattern_matches(pattern, response, case_sensitive=qb["case_sensitive"])
        return right_wrong(points, ok)
    if kind == "numeric":
        if not isinstance(response, str) or not response.strip():
            return unanswered(points)
        low, high = json.loads(reveal(qb, "range") or "[]")
        value = parse_number(response, qb.get("unit"))
        return right_wrong(points, value is not None and low <= value <= high)
    if kind == "ordering":
        return _ordering(qb, points, response)
    return _matching(qb, points, response)


def _multiple(qb: dict[str, Any], points: float, response: Any) -> Outcome:
    if not isinstance(response, list | tuple) or not all(isinstance(r, str) for r in response):
        return unanswered(points)
    chosen = set(response)
    rightness = {o["id"]: _is_right_option(qb, o) for o in qb["options"]}
    selected = [o["id"] for o in qb["options"] if o["id"] in chosen]
    if not selected:
        return unanswered(points)
    n_correct = sum(rightness.values())
    hits = sum(rightness[i] for i in selected)
    false_alarms = len(selected) - hits
    score = multiple_score(points, hits, false_alarms, n_correct, len(rightness) - n_correct)
    return Outcome(score, points, hits == n_correct and false_alarms == 0,
                   {i: rightness[i] for i in selected}, selected)


def _answered(response: Any, ids: list[str], kind: type) -> dict[str, Any] | None:
    if not isinstance(response, dict):
        return None
    chosen = {k: v for k, v in response.items()
              if k in ids and isinstance(v, kind) and not isinstance(v, bool) and v != ""}
    return chosen or None


def _ordering(qb: dict[str, Any], points: float, response: Any) -> Outcome:
    items = qb["items"]
    n = len(items)
    # Parts are reported in key order, like the reference grader: find each item's
    # position by trying the n possible positions against its digest.
    position = {}
    for item in items:
        for p in range(1, n + 1):
            if item["check"] == digest(qb["salt"], qb["id"], f"pos:{item['id']}:{p}"):
                position[item["id"]] = p
    ids = sorted(position, key=position.__getitem__)
    chosen = _answered(response, ids, int)
    if chosen is None:
        return unanswered(points)
    claims: dict[int, int] = {}
    for value in chosen.values():
        claims[value] = claims.get(value, 0) + 1
    parts = {i: chosen.get(i) == position[i] and claims[position[i]] == 1 for i in ids}
    right = sum(parts.values())
    return Outcome(share_score(points, right, n), points, right == n, parts,
                   ["correct" if right == n else "incorrect"])


def _matching(qb: dict[str, Any], points: float, response: Any) -> Outcome:
    lefts = qb["lefts"]
    ids = [left["id"] for left in lefts]
    chosen = _answered(response, ids, str)
    if chosen is None:
        return unanswered(points)
    parts = {left["id"]: left["id"] in chosen and left["check"] == digest(
        qb["salt"], qb["id"], f"pair:{left['id']}:{chosen[left['id']]}") for left in lefts}
    right = sum(parts.values())
    return Outcome(share_score(points, right, len(ids)), points, right == len(ids), parts,
                   ["correct" if right == len(ids) else "incorrect"])
