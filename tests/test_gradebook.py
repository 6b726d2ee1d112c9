"""`quizbook gradebook`: class results -> CSV and item analysis; bad files named and skipped.

The unit tests build results files with the reference grader; the browser test
uses real files downloaded from the built student book.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from quizbook import model
from quizbook.book import open_book
from quizbook.bundle import make_bundle
from quizbook.cli import main
from quizbook.export.gradebook import collect, make_gradebook
from quizbook.grade import grade
from tests.helpers import right_response, wrong_response

ROOT = Path(__file__).resolve().parents[1]
QUIZZES = open_book(ROOT).quizzes()


def quiz_result(quiz: model.Quiz, right: bool, last: str = "2025-03-01T10:00:00Z",
                attempts: int = 1) -> dict[str, Any]:
    questions = []
    for q in quiz.questions:
        response = right_response(q) if right else wrong_response(q)
        outcome = grade(q, response)
        questions.append({"id": q.id, "points": outcome.points, "max": q.points,
                          "correct": outcome.correct, "attempts": attempts,
                          "response": response})
    return {"quiz": quiz.id, "lesson": quiz.lesson, "version": make_bundle(quiz)["version"],
            "score": sum(x["points"] for x in questions), "max": quiz.max_points,
            "attempts": attempts, "first_attempt": "2025-03-01T09:00:00Z", "last_attempt": last,
            "questions": questions}


def results_file(path: Path, student: str, quizzes: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"format": "quizbook-results/1", "student": student,
                                "exported_at": "2025-03-01T11:00:00Z", "source": "book",
                                "quizzes": quizzes}), encoding="utf-8")
    return path


def test_gradebook_counts_skips_and_reports_conflicts(tmp_path: Path) -> None:
    first, second = QUIZZES[0], QUIZZES[1]
    files = [
        results_file(tmp_path / "ann.json", "Ann Lee", [quiz_result(first, True),
                                                        quiz_result(second, False)]),
        results_file(tmp_path / "bob.json", "=HYPERLINK(\"x\")", [quiz_result(first, False)]),
        # "Ann" again with other answers to the first quiz: a conflict, neither is used.
        results_file(tmp_path / "ann-later.json", " ann  lee ",
                     [quiz_result(first, False, last="2025-03-02T10:00:00Z", attempts=3)]),
    ]
    stale = quiz_result(first, True)
    stale["version"] = "000000000000"
    files.append(results_file(tmp_path / "old-version.json", "Cy", [stale]))
    foreign_quiz = quiz_result(first, True)
    foreign_quiz["quiz"] = "not-in-this-book"
    files.append(results_file(tmp_path / "foreign-quiz.json", "Di", [foreign_quiz]))
    wrong_max = quiz_result(first, True)
    wrong_max["max"] = first.max_points + 5
    files.append(results_file(tmp_path / "wrong-max.json", "Ed", [wrong_max]))
    (tmp_path / "truncated.json").write_text('{"format": "quizbook-results/1", "stud')
    (tmp_path / "foreign.json").write_text('{"name": "some other app"}')
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "copy.json").write_bytes(files[0].read_bytes())
    files += [tmp_path / n for n in ("truncated.json", "foreign.json", "binary.json",
                                     "copy.json")]

    out = tmp_path / "out"
    collected = make_gradebook(files, QUIZZES, out)
    skipped = "\n".join(collected.skipped)
    for name, why in [("foreign-quiz.json", "not a quiz of this book"),
                      ("wrong-max.json", f"maximum {first.max_points + 5:g} is not the quiz's"),
                      ("truncated.json", "not valid JSON"),
                      ("foreign.json", "not a quizbook results file"),
                      ("binary.json", "not UTF-8"), ("copy.json", "the same file as")]:
        assert sum(name in line and why in line for line in collected.skipped) == 1, \
            (name, skipped)
    assert len(collected.skipped) == 6
    # An old-scheme version of other content is graded again, with a note (issue 12).
    assert sum("old-version.json" in line and "saved for version '000000000000'" in line
               and "graded again" in line for line in collected.notes) == 1
    ann, later = str(files[0]), str(files[2])
    assert collected.conflicts == [
        f"'Ann Lee', quiz {first.id!r}: different results in {ann} and {later}; none of them "
        "is used (keep the right file, remove the other, and run the gradebook again)"]
    assert f"{later}: 'ann lee' is taken to be the same student as 'Ann Lee' (names compared " \
        "without case, spaces or invisible characters)" in collected.notes

    rows = list(csv.reader((out / "gradebook.csv").open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    assert header[0] == "student" and header[1].startswith(f"{first.lesson} score")
    assert header[2] == f"{first.lesson} attempts (self-reported)"
    assert header[3] == f"{first.lesson} passed (pass mark {first.pass_mark * 100:g}%)"
    by_name = {row[0]: row for row in body}
    assert set(by_name) == {"Ann Lee", "'=HYPERLINK(\"x\")", "Cy"}  # formula neutralised
    ann_row = by_name["Ann Lee"]
    assert ann_row[1:4] == ["", "", ""]  # the conflicting first quiz is in neither file's favour
    assert ann_row[4:7] == [f"{quiz_result(second, False)['score']:g}", "1", "fail"]
    assert by_name["'=HYPERLINK(\"x\")"][4:7] == ["", "", ""]  # second quiz not taken

    page = lxml_html.parse(str(out / "item-analysis.html")).getroot()
    assert not page.xpath("//script") and "self-reported" in page.text_content()
    assert "Conflicts: not in the gradebook" in page.text_content()
    table = page.xpath(f"//section[@aria-labelledby='quiz-{first.id}']//tbody/tr")
    assert len(table) == len(first.questions)
    # The first question whose wrong answer is a real answer (an empty ordering or matching
    # response counts as not answered).
    row = next(n for n, q in enumerate(first.questions)
               if not isinstance(q, model.OrderingQuestion | model.MatchingQuestion))
    cells = [c.text_content().strip() for c in table[row].xpath("td")]
    # Bob (wrong) and Cy (right, from an old-version file graded again) count on the first quiz.
    assert cells[1] == "2" and cells[2] == "50%"
    svg = page.xpath(f"//section[@aria-labelledby='quiz-{first.id}']//*[local-name()='svg']")
    assert svg and svg[0].get("role") == "img"
    assert "=HYPERLINK" not in (out / "item-analysis.html").read_text()  # names not shown


def test_same_answers_in_two_files_count_once(tmp_path: Path) -> None:
    result = quiz_result(QUIZZES[0], True)
    a = results_file(tmp_path / "a.json", "Ann", [result])
    b = tmp_path / "b.json"
    b.write_text(json.dumps({**json.loads(a.read_text()), "exported_at": "2025-03-05T11:00:00Z"}))
    collected = collect([a, b], QUIZZES)
    assert [e.file for e in collected.entries] == [str(a)]
    assert collected.conflicts == []
    assert collected.notes == [f"{b}: quiz {QUIZZES[0].id!r} for 'Ann': the same answers as in "
                               f"{a}; counted once"]


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    quiz = next(q for q in QUIZZES if any(isinstance(x, model.ShortTextQuestion)
                                          for x in q.questions))
    result = quiz_result(quiz, False)
    single = next(q for q in quiz.questions if isinstance(q, model.ShortTextQuestion))
    row = next(r for r in result["questions"] if r["id"] == single.id)
    row["response"] = "<script>alert(1)</script>"
    results_file(tmp_path / "x.json", "<img src=x onerror=alert(1)>", [result])
    make_gradebook([tmp_path], QUIZZES, tmp_path / "out")
    text = (tmp_path / "out" / "item-analysis.html").read_text()
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_cli_reports_and_never_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results_file(tmp_path / "ok.json", "Ann", [quiz_result(QUIZZES[0], True)])
    (tmp_path / "bad.json").write_text("[1, 2")
    code = main(["gradebook", str(tmp_path / "ok.json"), str(tmp_path / "bad.json"), "-o",
                 str(tmp_path / "out"), "--book", str(ROOT)])
    captured = capsys.readouterr()
    assert code == 0
    assert f"skipped: {tmp_path / 'bad.json'}:1:6: not valid JSON" in captured.err
    assert "self-reported" in captured.err
    assert main(["gradebook", str(tmp_path / "missing.json"), "-o", str(tmp_path / "o2"),
                 "--book", str(ROOT)]) == 2


def test_empty_class_gives_empty_but_valid_outputs(tmp_path: Path) -> None:
    collected = collect([], QUIZZES)
    assert collected.entries == []
    make_gradebook([], QUIZZES, tmp_path)
    assert len(list(csv.reader((tmp_path / "gradebook.csv").open()))) == 1


@pytest.mark.browser
@pytest.mark.slow
def test_gradebook_on_results_downloaded_from_the_book(
        student_book_html: Path, browser: Any, http_server: Any, tmp_path: Path) -> None:
    from tests.browser_support import answer_quiz, check, guarded_page, quiz_pages

    pages = quiz_pages(student_book_html)
    by_id = {q.id: q for q in QUIZZES}
    page_of = {quiz_id: path for path, ids in pages.items() for quiz_id in ids}
    base = http_server(student_book_html)
    first, second = QUIZZES[0], QUIZZES[1]
    downloads: list[Path] = []
    plan = [("Ann", first, True), ("Ann", second, False), ("Bob", first, False),
            ("Bob", first, True)]  # Bob twice, different answers: a conflict, neither used
    for n, (student, quiz, right) in enumerate(plan):
        with guarded_page(browser, accept_downloads=True) as (page, guard):
            url = base + page_of[quiz.id].relative_to(student_book_html).as_posix()
            page.goto(url)
            answer_quiz(page, by_id[quiz.id], right)
            check(page, quiz.id)
            root = page.locator(f'[data-quizbook-quiz="{quiz.id}"]')
            root.locator("[data-quizbook-student]").fill(student)
            with page.expect_download() as info:
                root.locator('[data-quizbook-action="download"]').click()
            target = tmp_path / f"{n}-{info.value.suggested_filename}"
            info.value.save_as(target)
            downloads.append(target)
            guard.check()
    out = tmp_path / "gradebook"
    collected = make_gradebook(downloads, QUIZZES, out)
    assert len(collected.entries) == 2, collected.skipped
    assert collected.skipped == [] and collected.notes == []  # honest files: nothing to say
    assert collected.conflicts == [
        f"'Bob', quiz {first.id!r}: different results in {downloads[2]} and {downloads[3]}; "
        "none of them is used (keep the right file, remove the other, and run the gradebook "
        "again)"]
    rows = {row["student"]: row for row in csv.DictReader((out / "gradebook.csv").open())}
    assert set(rows) == {"Ann"}
    score = f"{first.lesson} score (of {first.max_points:g})"
    assert rows["Ann"][score] == f"{first.max_points:g}"
    assert float(rows["Ann"][f"{second.lesson} score (of {second.max_points:g})"]) < \
        second.max_points
    report = lxml_html.parse(str(out / "item-analysis.html")).getroot()
    rows_html = report.xpath(f"//section[@aria-labelledby='quiz-{second.id}']//tbody/tr")
    assert rows_html[0].xpath("td")[2].text_content().strip() == "0%"
