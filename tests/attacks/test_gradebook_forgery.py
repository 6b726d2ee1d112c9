"""Class 3: a gradebook that cannot be fooled by a forged results file.

Every attack starts from an honest results file for the course's first quiz (written
as the browser writes it) and edits it the way a student with a text editor would.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from quizbook import model
from quizbook.book import open_book
from quizbook.bundle import make_bundle
from quizbook.cli import main
from quizbook.export.gradebook import collect, item_stats, make_gradebook
from quizbook.grade import grade
from quizbook.results import ResultsFileError, load_results
from tests.helpers import right_response, wrong_response

ROOT = Path(__file__).resolve().parents[2]
QUIZZES = open_book(ROOT).quizzes()
QUIZ = QUIZZES[0]
QIDS = [q.id for q in QUIZ.questions]


def honest(right: bool, student: str = "Ann Lee", quiz: model.Quiz = QUIZ) -> dict[str, Any]:
    rows = []
    for q in quiz.questions:
        response = right_response(q) if right else wrong_response(q)
        outcome = grade(q, response)
        rows.append({"id": q.id, "points": outcome.points, "max": q.points,
                     "correct": outcome.correct, "attempts": 1, "response": response})
    return {"format": "quizbook-results/1", "student": student,
            "exported_at": "2025-03-01T11:00:00Z", "source": "book",
            "quizzes": [{"quiz": quiz.id, "lesson": quiz.lesson,
                         "version": make_bundle(quiz)["version"],
                         "score": sum(r["points"] for r in rows), "max": quiz.max_points,
                         "attempts": 1, "first_attempt": "2025-03-01T09:00:00Z",
                         "last_attempt": "2025-03-01T10:00:00Z", "questions": rows}]}


def save(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def claim_full_marks(data: dict[str, Any]) -> None:
    """Points, correct and score edited to full marks, answers left as they are."""
    entry = data["quizzes"][0]
    for row in entry["questions"]:
        row.update(points=row["max"], correct=True, attempts=1)
    entry["score"] = entry["max"]


# -- the score is the re-grade, whatever the file claims ---------------------------------


def test_empty_question_list_with_full_score_is_refused(tmp_path: Path) -> None:
    data = honest(False)
    data["quizzes"][0].update(questions=[], score=QUIZ.max_points)
    collected = collect([save(tmp_path / "m.json", data)], QUIZZES)
    assert collected.entries == []
    assert collected.skipped == [
        f"{tmp_path / 'm.json'}: quizzes.0: score {QUIZ.max_points:g} is not the sum of the "
        "question points (0); skipped"]


def test_empty_question_list_scores_zero_and_reports_every_question(tmp_path: Path) -> None:
    data = honest(False)
    data["quizzes"][0].update(questions=[], score=0)
    path = save(tmp_path / "m.json", data)
    collected = collect([path], QUIZZES)
    (entry,) = collected.entries
    assert entry.score == 0
    assert collected.notes == [f"{path}: quiz {QUIZ.id!r}: no saved answer for "
                               f"{', '.join(QIDS)}; scored 0"]


def test_listing_only_the_right_questions_counts_the_rest_as_zero(tmp_path: Path) -> None:
    data = honest(True)
    entry = data["quizzes"][0]
    kept = entry["questions"][:2]
    entry.update(questions=kept, score=sum(r["points"] for r in kept))
    path = save(tmp_path / "m.json", data)
    (result,) = collect([path], QUIZZES).entries
    assert result.score == sum(q.points for q in QUIZ.questions[:2])
    assert result.score < QUIZ.max_points
    assert {qid for qid, o in result.outcomes.items() if not o.answered} == set(QIDS[2:])


def test_inflated_points_with_wrong_answers_score_what_the_answers_are_worth(
        tmp_path: Path) -> None:
    data = honest(False)
    claim_full_marks(data)
    path = save(tmp_path / "m.json", data)
    collected = collect([path], QUIZZES)
    (entry,) = collected.entries
    worth = sum(grade(q, wrong_response(q)).points for q in QUIZ.questions)
    assert entry.score == worth < QUIZ.max_points
    assert collected.notes == [f"{path}: quiz {QUIZ.id!r}: the file claims "
                               f"{QUIZ.max_points:g} points, its saved answers are worth "
                               f"{worth:g}; {worth:g} counts"]


def test_understated_points_do_not_lower_an_honest_answer(tmp_path: Path) -> None:
    data = honest(True)
    entry = data["quizzes"][0]
    for row in entry["questions"]:
        row.update(points=0, correct=False)
    entry["score"] = 0
    (result,) = collect([save(tmp_path / "m.json", data)], QUIZZES).entries
    assert result.score == QUIZ.max_points


def test_item_analysis_ignores_claimed_correct_attempts_and_points(tmp_path: Path) -> None:
    data = honest(False)
    claim_full_marks(data)
    first = data["quizzes"][0]["questions"][0]
    first.update(response=None, attempts=50)  # claims an attempt and a right answer: none
    collected = collect([save(tmp_path / "m.json", data)], QUIZZES)
    stats = {s.question.id: s for s in item_stats(collected, QUIZZES) if s.quiz.id == QUIZ.id}
    assert stats[QIDS[0]].answered == 0 and stats[QIDS[0]].correct == 0
    second = stats[QIDS[1]]
    assert second.answered == 1 and second.correct == 0 and second.mean_points == 0


def test_a_question_that_is_not_in_the_quiz_is_refused(tmp_path: Path) -> None:
    data = honest(True)
    data["quizzes"][0]["questions"][0]["id"] = "q-bonus"
    collected = collect([save(tmp_path / "m.json", data)], QUIZZES)
    assert collected.entries == []
    assert collected.skipped == [f"{tmp_path / 'm.json'}: quiz {QUIZ.id!r}: question "
                                 "'q-bonus' is not in the quiz; skipped"]


def test_a_question_listed_twice_is_refused(tmp_path: Path) -> None:
    data = honest(True)
    entry = data["quizzes"][0]
    entry["questions"].append(copy.deepcopy(entry["questions"][0]))
    entry["score"] += entry["questions"][0]["points"]
    entry["score"] = min(entry["score"], entry["max"])
    with pytest.raises(ResultsFileError, match=r"quizzes\.0: "):
        load_results(save(tmp_path / "m.json", data))


def test_a_raised_question_maximum_is_refused(tmp_path: Path) -> None:
    data = honest(True)
    row = data["quizzes"][0]["questions"][0]
    row["max"] = row["points"] = row["max"] + 5
    data["quizzes"][0]["score"] = data["quizzes"][0]["max"] = QUIZ.max_points + 5
    collected = collect([save(tmp_path / "m.json", data)], QUIZZES)
    assert collected.skipped == [f"{tmp_path / 'm.json'}: quiz {QUIZ.id!r}: maximum "
                                 f"{QUIZ.max_points + 5:g} is not the quiz's "
                                 f"{QUIZ.max_points:g}; skipped"]


def test_results_for_an_unknown_version_are_graded_again_and_say_so(tmp_path: Path) -> None:
    """A made-up version buys nothing: every answer is graded again under today's questions
    (issue 12: nothing is refused for its version) and the note says the file must be looked
    over; the claimed score never counts."""
    data = honest(False)
    data["quizzes"][0]["version"] = "0123456789ab"
    for row in data["quizzes"][0]["questions"]:  # and it claims full marks for wrong answers
        row.update(points=row["max"], correct=True)
    data["quizzes"][0]["score"] = QUIZ.max_points
    path = save(tmp_path / "m.json", data)
    collected = collect([path], QUIZZES)
    assert collected.skipped == []
    assert collected.notes[0] == (
        f"{path}: quiz {QUIZ.id!r}: saved for version '0123456789ab' of the quiz, before it "
        "was last edited; every answer was graded again under the current questions (which "
        "ones changed cannot be known: look it over)")
    assert any(f"the file claims {QUIZ.max_points:g} points" in n for n in collected.notes)
    assert [e.score for e in collected.entries] == [0]


# -- strict types ------------------------------------------------------------------------


@pytest.mark.parametrize(("edit", "where", "message"), [
    (lambda d: d["quizzes"][0]["questions"][0].update(points="1"),
     "quizzes.0.questions.0.points", "Input should be a valid number"),
    (lambda d: d["quizzes"][0].update(score="11"), "quizzes.0.score",
     "Input should be a valid number"),
    (lambda d: d["quizzes"][0]["questions"][0].update(correct="yes"),
     "quizzes.0.questions.0.correct", "Input should be a valid boolean"),
    (lambda d: d["quizzes"][0]["questions"][0].update(correct=1),
     "quizzes.0.questions.0.correct", "Input should be a valid boolean"),
    (lambda d: d["quizzes"][0].update(attempts=2.0), "quizzes.0.attempts",
     "Input should be a valid integer"),
    (lambda d: d["quizzes"][0].update(attempts="2"), "quizzes.0.attempts",
     "Input should be a valid integer"),
    (lambda d: d.update(exported_at=1_700_000_000), "exported_at",
     "must be a date as ISO-8601 text"),
    (lambda d: d.update(student=["Ann"]), "student", "Input should be a valid string"),
    (lambda d: d["quizzes"][0].update(score=float("nan")), "quizzes.0.score",
     "Input should be a finite number"),
    (lambda d: d["quizzes"][0].update(score=-1), "quizzes.0.score",
     "Input should be greater than or equal to 0"),
    (lambda d: d["quizzes"][0]["questions"][0].update(response={"a": {"b": 1}}),
     "quizzes.0.questions.0.response", "must be null, true/false, a text"),
    (lambda d: d["quizzes"][0]["questions"][0].update(response="x" * 1001),
     "quizzes.0.questions.0.response", "an answer of 1,001 characters; at most 1,000"),
])
def test_wrong_types_are_refused_naming_the_field(tmp_path: Path, edit: Any, where: str,
                                                  message: str) -> None:
    data = honest(True)
    edit(data)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data, allow_nan=True))
    with pytest.raises(ResultsFileError) as info:
        load_results(path)
    assert str(info.value).startswith(f"{path}: {where}: {message}"), str(info.value)


# -- identity ----------------------------------------------------------------------------


@pytest.mark.parametrize("other_name", ["Ann Lee", "ann lee", "  ANN   LEE ", "Ann\u200bLee",
                                        "Ａｎｎ Ｌｅｅ", "Ann\u00a0Lee"])
def test_a_later_file_for_the_same_name_never_replaces_another(tmp_path: Path,
                                                                other_name: str) -> None:
    real = save(tmp_path / "ann.json", honest(False))
    forged = honest(True, student=other_name)
    forged["quizzes"][0]["last_attempt"] = "2099-01-01T00:00:00Z"  # "the later one wins"?
    fake = save(tmp_path / "zz-mallory.json", forged)
    collected = collect([real, fake], QUIZZES)
    assert collected.entries == []
    assert collected.conflicts == [
        f"'Ann Lee', quiz {QUIZ.id!r}: different results in {real} and {fake}; none of them "
        "is used (keep the right file, remove the other, and run the gradebook again)"]


def test_a_third_file_joins_the_conflict(tmp_path: Path) -> None:
    paths = [save(tmp_path / f"{n}.json", honest(n % 2 == 0)) for n in range(3)]
    third = honest(False)
    third["quizzes"][0]["questions"][0]["response"] = None
    third["quizzes"][0]["questions"][0].update(points=0, correct=False)
    third["quizzes"][0]["score"] = sum(r["points"] for r in third["quizzes"][0]["questions"])
    paths[2] = save(paths[2], third)
    collected = collect(paths, QUIZZES)
    assert collected.entries == []
    assert len(collected.conflicts) == 1
    assert all(str(p) in collected.conflicts[0] for p in paths)


@pytest.mark.parametrize(("name", "bad"), [
    ("Ann\x00Lee", "a control character U+0000 (NUL) at character 4"),
    ("Ann\nLee", "a control character U+000A (LF) at character 4"),
    ("Ann\tLee", "a control character U+0009 (TAB) at character 4"),
    ("\x1b[31mAnn", "a control character U+001B (ESC) at character 1"),
    ("Ann\u202eeeL", "a bidirectional override U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4"),
    ("Ann\ud800", "a lone surrogate (not a character) U+D800 at character 4"),
])
def test_control_characters_in_names_are_refused(tmp_path: Path, name: str, bad: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(honest(True, student=name)))  # \\uXXXX escapes in the file
    collected = collect([path], QUIZZES)
    assert collected.entries == []
    assert collected.skipped == [f"{path}: student: contains {bad}; remove it; skipped"]


def test_control_characters_in_answers_are_refused(tmp_path: Path) -> None:
    data = honest(True)
    # Any answer typed or chosen as text (the course's first quiz may have no short answer).
    short = next(n for n, q in enumerate(QUIZ.questions)
                 if isinstance(q, model.ShortTextQuestion | model.NumericQuestion
                               | model.SingleQuestion))
    data["quizzes"][0]["questions"][short]["response"] = "Khmeimim\ud83d"
    collected = collect([save(tmp_path / "m.json", data)], QUIZZES)
    assert collected.skipped == [
        f"{tmp_path / 'm.json'}: quizzes.0.questions.{short}.response: contains a lone "
        "surrogate (not a character) U+D83D at character 9; remove it; skipped"]


# -- files -------------------------------------------------------------------------------


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    """A 3 GB file (sparse: no disk used) is refused from its size alone."""
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(3_000_000_000)
    collected = collect([huge], QUIZZES)
    assert collected.skipped == [f"{huge}: the file is 3,000,000,000 bytes, larger than the "
                                 "2,000,000 bytes a results file may have; skipped"]


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(honest(True)).encode())
    (entry,) = collect([path], QUIZZES).entries
    assert entry.score == QUIZ.max_points


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: os.mkfifo(p), "a named pipe (FIFO), not a results file; only regular files "
                             "are read"),
    (lambda p: p.symlink_to("/dev/zero"), "a character device, not a results file; only "
                                          "regular files are read"),
    (lambda p: p.symlink_to(p), "cannot read the file: a loop of symbolic links"),
    (lambda p: p.mkdir() or (p / "x.json").write_text("{}"),
     "a folder, not a results file; only regular files are read"),
])
def test_special_files_are_skipped(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "odd.jsn"  # not *.json: named directly, not found by folder expansion
    make(path)
    collected = collect([path], QUIZZES)
    if path.is_dir():  # a folder is expanded to its *.json files
        assert collected.skipped == [f"{path / 'x.json'}: not a quizbook results file "
                                     "(format None, expected 'quizbook-results/1'); skipped"]
        return
    assert collected.skipped == [f"{path}: {message}; skipped"]


def test_an_unreadable_file_is_skipped(tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, who reads every file: the refusal of open() is simulated."""
    path = save(tmp_path / "locked.json", honest(True))

    def refuse(*args: Any) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    assert collect([path], QUIZZES).skipped == [f"{path}: cannot read the file: permission "
                                                "denied; skipped"]


# -- the command -------------------------------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["gradebook", *args, "--book", str(ROOT)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_out_naming_a_file_is_a_usage_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "grades.csv"
    taken.write_text("precious")
    results = save(tmp_path / "a.json", honest(True))
    code, out, err = run([str(results), "-o", str(taken)], capsys)
    assert code == 2 and out == ""
    assert err == (f"quizbook: -o {taken}: is a file, not a folder; name the folder to write "
                   "gradebook.csv and item-analysis.html into\n")
    assert taken.read_text() == "precious"


def test_exit_code_is_one_when_no_file_could_be_used(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text("[1, 2")
    (tmp_path / "foreign.json").write_text('{"x": 1}')
    code, out, err = run([str(tmp_path), "-o", str(tmp_path / "out")], capsys)
    assert code == 1
    assert "0 quiz result(s) from 0 file(s); 2 skipped, 0 conflict(s)" in out
    assert err.endswith("quizbook: no results file could be used (see the skipped lines "
                        "above)\n")


def test_exit_code_is_one_on_a_conflict_and_zero_when_clean(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = save(tmp_path / "a.json", honest(True))
    code, out, _ = run([str(a), "-o", str(tmp_path / "o1")], capsys)
    assert code == 0 and "1 student(s), 1 quiz result(s) from 1 file(s)" in out
    b = save(tmp_path / "b.json", honest(False, student="ANN LEE"))
    code, out, err = run([str(a), str(b), "-o", str(tmp_path / "o2")], capsys)
    assert code == 1 and "0 quiz result(s) from 0 file(s); 0 skipped, 1 conflict(s)" in out
    assert f"conflict: 'Ann Lee', quiz {QUIZ.id!r}: different results in {a} and {b}" in err


def test_the_gradebook_shows_the_regrade_not_the_claim(tmp_path: Path) -> None:
    data = honest(False, student="Mallory")
    claim_full_marks(data)
    out = tmp_path / "out"
    make_gradebook([save(tmp_path / "m.json", data)], QUIZZES, out)
    rows = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    worth = sum(grade(q, wrong_response(q)).points for q in QUIZ.questions)
    assert rows[1].split(",")[1] == f"{worth:g}"
    assert f"the file claims {QUIZ.max_points:g} points" in \
        (out / "item-analysis.html").read_text(encoding="utf-8")


def test_a_symlink_loop_named_on_the_command_line_is_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop.name)
    code, _, err = run([str(loop), "-o", str(tmp_path / "out")], capsys)
    assert code == 1
    assert f"skipped: {loop}: cannot read the file: a loop of symbolic links; skipped" in err
