"""Quiz versions: which saved answers still fit a quiz, and which questions changed under them.

A quiz's `version` depends only on what grading depends on (`quizbook.grade.grading_content`
of each question: ids, types, points, keys, the sets of options, items and pairs). Fixing
the wording of a question, an option, a feedback or an explanation keeps it, so saved
progress and collected results stay valid. Each question also has a revision (`rev`),
which changes exactly when that question's key or points change.

Saved work names the version it was answered under (progress records and results files)
and, since this scheme, each question's revision. `carry_over` decides, in one place for
the gradebook and the class server (the runtime applies the same rules to the bundle's
`revs` and `legacy` fields, docs/contracts.md):

- the same version: the answers fit as they are;
- the version the old scheme gave this very content (`quizbook.legacy`): the answers were
  given to exactly these questions; matching answers are renumbered to today's right-hand
  ids;
- another version with revisions: the answers are kept, and the questions whose revision
  differs (a changed key) are listed, to be graded again under the new key and named;
- another version of this scheme without revisions (the class server's database keeps
  none): graded again, `unsure`;
- an old-scheme version of other content (the quiz was edited after the answers were saved
  and before this scheme): which questions changed cannot be known, so every answer is
  graded again under today's key (matching answers renumbered as for this content, right
  when that question's own texts did not change) and the student or instructor is told to
  look over them (`unsure`).

Nothing is refused for its version: saved answers are always graded again anyway, so a
version only decides what to renumber and what to tell.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from quizbook import model
from quizbook.grade import matching_rights, question_rev
from quizbook.legacy import legacy_rights, legacy_version


def question_revs(quiz: model.Quiz) -> dict[str, str]:
    """Question id -> revision, for every question of the quiz."""
    return {q.id: question_rev(q) for q in quiz.questions}


#: Versions of this scheme have 16 hex digits, those of the scheme before issue 12 had 12:
#: saved work says by its length which scheme stamped it.
VERSION_CHARS = 16
LEGACY_VERSION_CHARS = 12


def quiz_version(quiz: model.Quiz) -> str:
    """The quiz's version (16 hex): its id and the revisions of its questions, in any order."""
    content = json.dumps([quiz.id, sorted(question_revs(quiz).items())])
    return hashlib.sha256(content.encode()).hexdigest()[:VERSION_CHARS]


def is_legacy_version(version: str) -> bool:
    """Stamped by the scheme before issue 12 (12 hex digits)."""
    return len(version) == LEGACY_VERSION_CHARS


def legacy_renumbering(quiz: model.Quiz) -> dict[str, dict[str, str]]:
    """Per matching question, old right-hand id -> today's, where they differ."""
    out: dict[str, dict[str, str]] = {}
    for q in quiz.questions:
        if isinstance(q, model.MatchingQuestion):
            today = {text: rid for rid, text in matching_rights(q)}
            moved = {old: today[text] for old, text in legacy_rights(q) if today[text] != old}
            if moved:
                out[q.id] = moved
    return out


def legacy_table(quiz: model.Quiz) -> dict[str, Any]:
    """What the bundle carries so that a page can carry over records of the old scheme:
    `{"version": <old version of this content>, "rights": {qid: {old id: new id}}}`."""
    return {"version": legacy_version(quiz), "rights": legacy_renumbering(quiz)}


def renumber(responses: Mapping[str, Any], rights: Mapping[str, Mapping[str, str]]
             ) -> dict[str, Any]:
    """Matching answers with their right-hand ids renumbered; everything else as it is."""
    out = dict(responses)
    for qid, moved in rights.items():
        answer = out.get(qid)
        if isinstance(answer, dict):
            out[qid] = {left: moved.get(right, right) if isinstance(right, str) else right
                        for left, right in answer.items()}
    return out


@dataclass(frozen=True)
class CarriedOver:
    """Saved answers that fit the quiz as it is now."""

    responses: dict[str, Any]
    #: Questions whose key or points changed since the answers were saved (quiz order).
    changed: list[str] = field(default_factory=list)
    #: The answers were saved under the version scheme before issue 12.
    from_legacy: bool = False
    #: Saved under the old scheme for other content: any question may have changed.
    unsure: bool = False


def carry_over(quiz: model.Quiz, version: str, responses: Mapping[str, Any],
               revs: Mapping[str, str] | None = None) -> CarriedOver:
    """Saved `responses`, given under quiz `version` (with per-question `revs` if the saver
    recorded them: every saver since issue 12 does), as answers to the quiz as it is now."""
    if version == quiz_version(quiz):
        return CarriedOver(dict(responses))
    if is_legacy_version(version):
        renumbered = renumber(responses, legacy_renumbering(quiz))
        if version == legacy_version(quiz):
            return CarriedOver(renumbered, from_legacy=True)
        return CarriedOver(renumbered, from_legacy=True, unsure=True)
    if revs is None:  # this scheme, but the saver kept no revisions (the class database)
        return CarriedOver(dict(responses), unsure=True)
    now = question_revs(quiz)
    changed = [qid for qid in now if qid in responses and revs.get(qid) != now[qid]]
    return CarriedOver(dict(responses), changed)
