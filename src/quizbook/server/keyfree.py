"""Key-free bundles for the class server: what a student's browser may see when the server grades.

The offline bundle (`quizbook.bundle.make_bundle`) must carry what it grades with:
option checks, digests of accepted answers, sealed feedback, ranges and patterns.
In class mode the server grades, so the page needs none of it. This module keeps
an explicit list of the fields a page needs to *show* a quiz and drops everything
else: a field added to the bundle later is left out until someone decides it is
safe, and a question type without a known key-free form stops the class build.

No Starlette or SQLAlchemy here: the class build (a Sphinx extension) imports it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from quizbook.types import spec_for

#: Top-level fields of a bundle that carry no key.
BUNDLE_FIELDS = ("format", "id", "lesson", "title", "version", "pass_mark", "max_points",
                 "objectives")
#: Fields every question keeps (text is safe inline HTML made by quizbook.markup).
QUESTION_FIELDS = ("id", "type", "points", "objective", "source", "prompt", "hint")
#: Per type: the lists of choices a page shows, each reduced to id and text.
CHOICE_LISTS: dict[str, tuple[str, ...]] = {
    "single": ("options",),
    "multiple": ("options",),
    "true_false": ("options",),
    "short_text": (),
    "numeric": (),
    "ordering": ("items",),
    "matching": ("lefts", "rights"),
}
#: Per type: other fields a page shows (the unit typed after a number).
EXTRA_FIELDS: dict[str, tuple[str, ...]] = {"numeric": ("unit",)}
CHOICE_FIELDS = ("id", "text")
#: Marks a key-free bundle; the runtime's remote grader sends responses to `api`.
GRADER = "remote"


class KeyfreeError(ValueError):
    """A bundle this module does not know how to make key-free (a new question type)."""


def keyfree_bundle(bundle: dict[str, Any], api: str = "/api/") -> dict[str, Any]:
    """The bundle without any key material; `api` is the URL of the server's API folder
    (relative to the page that embeds the bundle). Its `version` is `page_version`."""
    out = {name: bundle[name] for name in BUNDLE_FIELDS if name in bundle}
    out["questions"] = [_question(bundle.get("id", "?"), q) for q in bundle["questions"]]
    out["grader"] = GRADER
    out["version"] = page_version(out)
    out["api"] = api
    return out


def page_version(keyfree: dict[str, Any]) -> str:
    """The version a class page carries: a digest of what the key-free bundle shows.

    Not the quiz's own version (quizbook.versions): that one depends only on ids, points and
    keys, so a page showing it would let anyone try every possible key offline until the
    digest matched. This one is made of what the page shows anyway, so it tells nothing more;
    a wording change gives a new one (a page loaded before it is told to reload).
    """
    shown = {name: value for name, value in keyfree.items() if name not in ("version", "api")}
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _question(quiz_id: str, question: dict[str, Any]) -> dict[str, Any]:
    kind = question.get("type")
    spec = spec_for(question)
    if spec is not None:  # a registered type (quizbook.types) says what its page keeps
        return {name: question[name] for name in QUESTION_FIELDS if name in question} \
            | spec.keyfree_fields(question)
    if kind not in CHOICE_LISTS:
        raise KeyfreeError(f"quiz {quiz_id!r}, question {question.get('id')!r}: type {kind!r} "
                           "has no key-free form in quizbook.server.keyfree (list the fields "
                           "its page needs in CHOICE_LISTS / EXTRA_FIELDS)")
    out = {name: question[name] for name in QUESTION_FIELDS if name in question}
    for name in EXTRA_FIELDS.get(kind, ()):
        out[name] = question.get(name)
    for name in CHOICE_LISTS[kind]:
        out[name] = [{field: choice[field] for field in CHOICE_FIELDS}
                     for choice in question[name]]
    return out


def is_keyfree(bundle: Any) -> bool:
    """True when a bundle has only the fields a key-free bundle may have."""
    if not isinstance(bundle, dict) or bundle.get("grader") != GRADER:
        return False
    allowed_top = {*BUNDLE_FIELDS, "questions", "grader", "api"}
    if set(bundle) - allowed_top or not isinstance(bundle.get("questions"), list):
        return False
    for question in bundle["questions"]:
        spec = spec_for(question) if isinstance(question, dict) else None
        if spec is not None:  # key-free when making it key-free again changes nothing
            try:
                again = {name: question[name] for name in QUESTION_FIELDS if name in question} \
                    | spec.keyfree_fields(question)
            except (KeyError, TypeError, AttributeError):
                return False
            if again != question:
                return False
            continue
        if not isinstance(question, dict) or question.get("type") not in CHOICE_LISTS:
            return False
        kind = question["type"]
        allowed = {*QUESTION_FIELDS, *EXTRA_FIELDS.get(kind, ()), *CHOICE_LISTS[kind]}
        if set(question) - allowed:
            return False
        for name in CHOICE_LISTS[kind]:
            choices = question.get(name)
            if not isinstance(choices, list) or any(
                    not isinstance(c, dict) or set(c) - set(CHOICE_FIELDS) for c in choices):
                return False
    return True
