"""Quiz versions (issue 12 §1): wording fixes keep saved work, key changes are named, and
saved work of the scheme before issue 12 is carried over.

The fixtures in tests/fixtures/legacy/ were made with the code before the change (see its
README): they stand for what students already hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.export.gradebook import collect, regrade, version_problem
from quizbook.grade import grade, matching_rights
from quizbook.legacy import legacy_rights, legacy_salt, legacy_version
from quizbook.load import load_quiz
from quizbook.markup import inline_html
from quizbook.results import parse_results
from quizbook.versions import carry_over, legacy_renumbering, question_revs, quiz_version

LEGACY = Path(__file__).parent / "fixtures" / "legacy"
M1 = LEGACY / "quizzes" / "m1-all-types.yml"
RECORDED = json.loads((LEGACY / "versions.json").read_text(encoding="utf-8"))


def edited(tmp_path: Path, old: str, new: str, source: Path = M1) -> model.Quiz:
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    target = tmp_path / source.name
    target.write_text(text.replace(old, new), encoding="utf-8")
    return load_quiz(target)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_old_scheme_is_reproduced_exactly(name: str) -> None:
    """legacy_version / legacy_salt / legacy_rights give what the old code gave."""
    quiz = load_quiz(LEGACY / "quizzes" / name)
    recorded = RECORDED[name]
    assert legacy_version(quiz) == recorded["version"]
    assert {q.id: legacy_salt(quiz.id, q) for q in quiz.questions} == recorded["salts"]
    for q in quiz.questions:
        if isinstance(q, model.MatchingQuestion):
            assert [[r, inline_html(t)] for r, t in legacy_rights(q)] == \
                recorded["matching_rights"][q.id]


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_new_version_differs_and_the_bundle_carries_the_old_one(name: str) -> None:
    quiz = load_quiz(LEGACY / "quizzes" / name)
    bundle = make_bundle(quiz)
    assert bundle["version"] == quiz_version(quiz) != RECORDED[name]["version"]
    assert bundle["legacy"]["version"] == RECORDED[name]["version"]
    assert {q["id"]: q["rev"] for q in bundle["questions"]} == question_revs(quiz)
    # The renumbering sends each old right-hand id to today's id of the same text.
    for q in quiz.questions:
        if isinstance(q, model.MatchingQuestion):
            old = dict(legacy_rights(q))
            new = {text: rid for rid, text in matching_rights(q)}
            moved = bundle["legacy"]["rights"].get(q.id, {})
            assert {rid: moved.get(rid, rid) for rid in old} == \
                {rid: new[text] for rid, text in old.items()}


WORDING = [
    ("prompt: When did the Russian air campaign in Syria begin?",
     "prompt: When did Russia's air campaign in Syria begin?"),
    ("text: March 2011", "text: In March 2011"),
    ("feedback: That is when the uprising began.", "feedback: The uprising began then."),
    ("explanation: The first strikes were flown on 30 September 2015.",
     "explanation: The first strikes came on 30 September 2015."),
    ("hint: Think of the **end of September**.", "hint: Think of *late September*."),
    ("instructor_note: Students often say 2011, the start of the war.",
     "instructor_note: Many say 2011."),
    ("text: Idlib falls", "text: Idlib falls to the rebels"),
    ("right: Air base", "right: Air base (Russian)"),
    ("distractors: [Oil refinery]", "distractors: [Oil refinery near Homs]"),
    ("left: Tartus", "left: Tartus port"),
    ("source: p46-1-2\n    prompt: Name the air base",
     "source: p46-1-1\n    prompt: Name the air base"),
    ("title: Every question type", "title: Every type of question"),
]


@pytest.mark.parametrize(("old", "new"), WORDING, ids=[w[0][:30] for w in WORDING])
def test_wording_keeps_the_version_salts_and_numbering(tmp_path: Path, old: str,
                                                       new: str) -> None:
    before = make_bundle(load_quiz(M1))
    after = make_bundle(edited(tmp_path, old, new))
    assert after["version"] == before["version"]
    for b, a in zip(before["questions"], after["questions"], strict=True):
        assert (a["rev"], a["salt"]) == (b["rev"], b["salt"])
        for part in ("items", "lefts"):
            assert [x["id"] for x in a.get(part, [])] == [x["id"] for x in b.get(part, [])]
        assert [r["id"] for r in a.get("rights", [])] == [r["id"] for r in b.get("rights", [])]


KEYS = [
    ("correct: false\n        feedback: That is when", "q1",
     "correct: true\n        feedback: That is when"),
    ("accept: [Khmeimim, Hmeimim]", "q4", "accept: [Khmeimim, Hmeimim, Hmeimim air base]"),
    ("answer: 2015", "q5", "answer: 2016"),
    ("answer: true", "q3", "answer: false"),
    ("      - id: aleppo\n        text: East Aleppo retaken\n", "q6", ""),
]


@pytest.mark.parametrize(("old", "qid", "new"), KEYS, ids=[k[1] for k in KEYS])
def test_a_key_change_changes_that_question_only(tmp_path: Path, old: str, qid: str,
                                                 new: str) -> None:
    text = M1.read_text(encoding="utf-8")
    if qid == "q1":  # two right options is not a single-choice question: move the key
        text = text.replace("correct: true\n        feedback: Right, the strikes",
                            "correct: false\n        feedback: Right, the strikes")
        (tmp_path / "base.yml").write_text(text, encoding="utf-8")
        quiz = edited(tmp_path, old, new, tmp_path / "base.yml")
    else:
        quiz = edited(tmp_path, old, new)
    before, after = question_revs(load_quiz(M1)), question_revs(quiz)
    assert [q for q in before if before[q] != after[q]] == [qid]
    assert quiz_version(quiz) != quiz_version(load_quiz(M1))


def test_points_and_a_new_pair_are_key_changes(tmp_path: Path) -> None:
    quiz = edited(tmp_path, "    prompt: Match each place to what it is.\n",
                  "    points: 2\n    prompt: Match each place to what it is.\n")
    before, after = question_revs(load_quiz(M1)), question_revs(quiz)
    assert [q for q in before if before[q] != after[q]] == ["q7"]


def test_carry_over_rules() -> None:
    quiz = load_quiz(M1)
    record = json.loads((LEGACY / "browser-record.json").read_text(encoding="utf-8"))
    responses = record["responses"]
    same = carry_over(quiz, quiz_version(quiz), responses)
    assert same is not None and same.responses == responses and same.changed == []
    old = carry_over(quiz, record["version"], responses)
    assert old is not None and old.from_legacy and old.changed == []
    # The old ids of q7 named "Air base", "Naval support point", "Oil refinery": so do the new.
    old_rights = dict(legacy_rights(next(q for q in quiz.questions if q.id == "q7")))
    new_rights = dict(matching_rights(next(q for q in quiz.questions if q.id == "q7")))
    assert {left: new_rights[r] for left, r in old.responses["q7"].items()} == \
        {left: old_rights[r] for left, r in responses["q7"].items()} == \
        {"khmeimim": "Air base", "tartus": "Naval support point", "tanf": "Oil refinery"}
    # The old scheme for other content: graded again, renumbered, and unsure.
    other = carry_over(quiz, "000000000000", responses)
    assert other.unsure and other.from_legacy and other.responses == old.responses
    # This scheme, another version: the questions whose revision differs.
    revs = dict(question_revs(quiz), q5="0" * 12)
    changed = carry_over(quiz, "1" * 16, responses, revs)
    assert changed.changed == ["q5"] and not changed.unsure and changed.responses == responses
    # This scheme without revisions (the class database): unsure, nothing renumbered.
    bare = carry_over(quiz, "1" * 16, responses)
    assert bare.unsure and not bare.from_legacy and bare.responses == responses
    assert len(quiz_version(quiz)) == 16 and len(record["version"]) == 12


def test_the_renumbering_is_needed_and_right() -> None:
    """Without it, the old matching answer would be graded against other choices."""
    quiz = load_quiz(M1)
    q7 = next(q for q in quiz.questions if q.id == "q7")
    record = json.loads((LEGACY / "browser-record.json").read_text(encoding="utf-8"))
    assert legacy_renumbering(quiz)["q7"]  # the numbering did move
    kept = carry_over(quiz, record["version"], record["responses"])
    assert grade(q7, kept.responses["q7"]).points == pytest.approx(2 / 3)
    assert grade(q7, record["responses"]["q7"]).points != pytest.approx(2 / 3)


# -- the gradebook ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["results-book-quiz.json", "results-book-all.json"])
def test_gradebook_carries_over_old_results(tmp_path: Path, name: str) -> None:
    quiz = load_quiz(M1)
    collected = collect([LEGACY / name], [quiz])
    assert collected.skipped == [] and collected.notes == []
    [entry] = collected.entries
    assert (entry.student, entry.quiz) == ("Ada Lovelace", "m1-all-types")
    assert entry.score == pytest.approx(1 + 0.5 + 0 + 1 + 1 + 0.5 + 2 / 3)


def test_gradebook_after_a_wording_fix_and_after_a_key_change(tmp_path: Path) -> None:
    quiz = load_quiz(M1)
    data = json.loads((LEGACY / "results-book-quiz.json").read_text(encoding="utf-8"))
    # The download as today's runtime writes it: this scheme's version and revisions.
    row = data["quizzes"][0]
    row["version"] = quiz_version(quiz)
    row["questions"][6]["response"] = carry_over(quiz, legacy_version(quiz), {
        "q7": row["questions"][6]["response"]}).responses["q7"]
    for question in row["questions"]:
        question["rev"] = question_revs(quiz)[question["id"]]
    new_file = tmp_path / "new.json"
    new_file.write_text(json.dumps(data), encoding="utf-8")
    [result] = parse_results(new_file.read_bytes(), "new.json").quizzes
    reworded = edited(tmp_path, "text: March 2011", "text: In March 2011")
    assert version_problem(result, reworded) == ""
    regraded = regrade(result, reworded)
    assert not isinstance(regraded, str) and regraded.version_note == ""
    assert regraded.score == pytest.approx(4 + 2 / 3)
    # q5's key changes: q5 is graded again under the new key (2015 is now wrong), and named.
    changed_dir = tmp_path / "changed"
    changed_dir.mkdir()
    changed = edited(changed_dir, "answer: 2015", "answer: 2016")
    collected = collect([new_file], [changed])
    assert collected.skipped == []
    assert collected.notes == [
        f"{new_file}: quiz 'm1-all-types': the key of q5 changed since the student answered; "
        "graded again under the current key",
        f"{new_file}: quiz 'm1-all-types': the file claims 4.66667 points, its saved answers "
        "are worth 3.66667; 3.66667 counts"]
    assert collected.entries[0].score == pytest.approx(3 + 2 / 3)


def test_gradebook_regrades_old_results_of_other_content_and_says_so(tmp_path: Path) -> None:
    """Old-scheme results saved before a later edit: which questions changed cannot be known,
    so every answer is graded again under the current questions, and the note says so."""
    reworded = edited(tmp_path, "text: March 2011", "text: In March 2011")
    path = LEGACY / "results-book-quiz.json"
    collected = collect([path], [reworded])
    assert collected.skipped == []
    assert collected.notes == [
        f"{path}: quiz 'm1-all-types': saved for version '8821980db654' of the quiz, before it "
        "was last edited; every answer was graded again under the current questions (which "
        "ones changed cannot be known: look it over)"]
    assert collected.entries[0].score == pytest.approx(4 + 2 / 3)
