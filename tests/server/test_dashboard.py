"""The instructor's dashboard on SQLite and PostgreSQL: who joined, per quiz and question
the distribution of answers, the share right and the offline gradebook's item analysis,
opening and closing quizzes, the late answers; names are inert; students are kept out."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quizbook.export.gradebook import collect, item_stats
from quizbook.server.app import Classroom
from quizbook.server.export import export_class
from quizbook.server.panels import quiz_data
from quizbook.server.room import set_closed
from tests.server.asgi import AppClient
from tests.server.conftest import QUIZ, TOKEN, Student, csrf_of
from tests.server.test_peer import text_of

RIGHT = {"q1": "b", "q2": ["a", "b"], "q3": True, "q4": "Khmeimim", "q5": "2015"}


def table_rows(html: str, caption: str) -> list[list[str]]:
    """The rows (cell texts) of the table with this caption."""
    found = re.search(r"<caption>" + re.escape(caption) + r"</caption>(.*?)</table>", html, re.S)
    assert found is not None, caption
    return [[text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)]


def test_the_dashboard_shows_the_class(room: Classroom, instructor: AppClient,
                                       student: Callable[..., Student]) -> None:
    ada, bo = student("Ada"), student("Bo <script>alert(1)</script>")
    student("Cy")
    ada.check(RIGHT)
    bo.check({"q1": "a", "q2": ["c"], "q3": False})
    page = instructor.get("/instructor/").text
    said = text_of(page)
    assert "3 students joined · 2 Checks · 0 votes" in said
    quizzes = table_rows(page, "Checks per quiz: students who checked, Checks, late Checks, "
                               "the mean score of all Checks")
    assert quizzes[1][:5] == ["Every question type (m1-all-types)", "2", "2", "0", "36%"]
    assert quizzes[1][5].startswith("open Close now")
    people = table_rows(page, "Who has joined")
    assert [row[0] for row in people[1:]] == ["Ada", "Bo <script>alert(1)</script>", "Cy"]
    assert [row[3] for row in people[1:]] == ["1", "1", "0"]
    assert "<script>alert(1)</script>" not in page  # the name is text, not markup
    assert "Bo &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert TOKEN not in page
    assert 'data-live-source="/instructor/events?view=overview"' in page


def test_each_question_shows_answers_share_right_and_item_analysis(
        room: Classroom, instructor: AppClient, student: Callable[..., Student]) -> None:
    for name, answers in (("Ada", RIGHT), ("Bo", {"q1": "a", "q2": ["a", "c"], "q4": "Tartus"}),
                          ("Cy", {"q1": "a", "q2": ["a"], "q3": False, "q4": "hmeimim"})):
        student(name).check(answers)
    page = instructor.get(f"/instructor/quizzes/{QUIZ}").text
    q1 = table_rows(page, "What the class answered to q1 (single)")
    assert q1[1:] == [["a: March 2011", "2", "67%", ""],
                      ["b: 30 September 2015 right answer", "1", "33%", ""],
                      ["c: December 2016", "0", "0%", ""]]
    said = text_of(page)
    assert "Right: 1 of 3 (33%)" in said
    q2 = table_rows(page, "What the class answered to q2 (multiple)")
    assert [row[:2] for row in q2[1:]] == [["a: Khmeimim right answer", "3"],
                                           ["b: Tartus right answer", "1"],
                                           ["c: Incirlik", "1"], ["d: Al-Tanf", "0"]]
    q4 = table_rows(page, "What the class answered to q4 (short_text)")
    assert [row[:2] for row in q4[1:]] == [["Khmeimim right answer", "1"], ["Tartus", "1"],
                                           ["hmeimim right answer", "1"]]
    assert "Right: 2 of 3 (67%)" in said  # q4: Khmeimim and hmeimim
    # The item analysis is the offline gradebook's, on the same counted attempts.
    data = quiz_data(room, QUIZ)
    shown = {item["id"]: item["stats"] for item in data["quiz"]["questions"]}
    assert shown["q1"].answered == 3 and shown["q1"].correct == 1
    assert "Item analysis: answered by 3; share correct 33%; mean points 0.333333 of 1; most " \
           "chosen wrong answer: March 2011 (2)." in said
    assert shown["q2"].wrong_choice == "Incirlik (1)"


def test_the_item_analysis_matches_the_offline_gradebook(
        room: Classroom, tmp_path: Path, student: Callable[..., Student]) -> None:
    """The export's results files, read by `quizbook gradebook`'s own `collect`, give the
    same item statistics as the live dashboard."""
    for name, answers in (("Ada", RIGHT), ("Bo", {"q1": "a", "q2": ["c"]}),
                          ("Cy", {"q1": "b", "q3": True, "q5": "2014"})):
        student(name).check(answers)
    out = tmp_path / "export"
    export_class(room.db, room.catalog, room.policies, out)
    entry = room.catalog.get(QUIZ)
    assert entry is not None
    offline = item_stats(collect([out / "results"], [entry.quiz]), [entry.quiz])
    live = {item["id"]: item["stats"] for item in quiz_data(room, QUIZ)["quiz"]["questions"]}
    for stat in offline:
        mine = live[stat.question.id]
        assert (mine.answered, mine.correct, round(mine.mean_points, 9), mine.wrong_choice) == (
            stat.answered, stat.correct, round(stat.mean_points, 9), stat.wrong_choice)


def test_closing_a_quiz_from_the_dashboard_and_the_late_answers(
        app: Any, room: Classroom, instructor: AppClient,
        student: Callable[..., Student]) -> None:
    ada, bo = student("Ada"), student("Bo")
    ada.check({"q1": "a"})
    page = instructor.get(f"/instructor/quizzes/{QUIZ}")
    closed = instructor.post(f"/instructor/quizzes/{QUIZ}/close",
                             data={"csrf": csrf_of(page.text), "back": "quiz"},
                             follow_redirects=False)
    assert (closed.status_code, closed.headers["location"]) == (
        303, f"/instructor/quizzes/{QUIZ}")
    assert bo.check({"q1": "b"}).json()["late"] is True
    page = instructor.get(f"/instructor/quizzes/{QUIZ}").text
    late = table_rows(page, "Answers that arrived after the quiz closed (they do not count)")
    assert len(late) == 2 and late[1][0] == "Bo" and late[1][2:] == ["1", "1 of 7"]
    assert "Reopen" in text_of(page)
    # Scripts use the bearer token instead of the form token.
    script = AppClient(app, base_url="http://testserver", headers={"origin": "http://testserver"})
    reopened = script.post(f"/instructor/quizzes/{QUIZ}/open",
                           headers={"authorization": f"Bearer {TOKEN}"}, follow_redirects=False)
    assert reopened.status_code == 303
    script.close()
    assert bo.check({"q1": "b"}).json()["late"] is False


def test_students_and_strangers_cannot_see_the_dashboard(
        room: Classroom, student: Callable[..., Student]) -> None:
    ada = student("Ada")
    for path in ("/instructor/", f"/instructor/quizzes/{QUIZ}", "/instructor/vote",
                 "/instructor/events", "/instructor/events?view=pi"):
        refused = ada.client.get(path)
        assert refused.status_code == 403, path
        assert "instructors only" in refused.text
    form = ada.client.get("/class").text
    forged = ada.client.post(f"/instructor/quizzes/{QUIZ}/close",
                             data={"csrf": csrf_of(form)})
    assert forged.status_code == 403
    set_closed(room.db, QUIZ, False)


def test_unknown_quiz_and_view(instructor: AppClient) -> None:
    assert instructor.get("/instructor/quizzes/nope").status_code == 404
    unknown = instructor.get("/instructor/events?view=quiz:nope")
    assert unknown.status_code == 404 and "no live view" in unknown.text
