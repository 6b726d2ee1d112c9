"""`quizbook class export`: the class database as files an instructor can use.

- `gradebook.csv`: one row per student, one column per quiz: `pass` or `fail` (the
  counted attempt's share of points against the quiz's `pass_mark`), blank when no
  attempt counts;
- `scores.csv`: the counted score, attempts and late attempts per student and quiz;
- `item-analysis.html`: per question, answered / share correct / mean points / most
  chosen wrong answer, computed by the offline gradebook's own `item_stats`;
- `results/*.json`: one results file per student (`quizbook-results/1`) with the
  counted attempt of each quiz, which `quizbook gradebook` reads like a download.

Names and answers are text in cells (formula prefixes neutralised) and escaped in HTML.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizbook.export.gradebook import Collected, Entry, item_stats, regrade
from quizbook.markup import plain_text
from quizbook.results import FORMAT, QuestionResult, QuizResult, Results, dump_results
from quizbook.server.attempts import counted
from quizbook.server.db import Database
from quizbook.server.grading import Catalog
from quizbook.server.models import Attempt, Student, utcnow
from quizbook.server.policy import Policies
from quizbook.server.security import csv_cell
from quizbook.versions import carry_over


@dataclass
class ExportReport:
    students: int = 0
    attempts: int = 0
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def passed(attempt: Attempt, pass_mark: float) -> bool:
    if attempt.max_points <= 0:
        return False
    return attempt.score / attempt.max_points >= pass_mark - 1e-9


def _num(value: float) -> str:
    return f"{value:g}"


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()
    return slug[:40] or "student"


def _result(student: Student, quiz_id: str, attempts: Sequence[Attempt], chosen: Attempt,
            catalog: Catalog) -> QuizResult:
    entry = catalog.entries[quiz_id]
    answered: dict[str, int] = {}
    for attempt in attempts:
        for answer in attempt.answers:
            if answer.answered:
                answered[answer.question_id] = answered.get(answer.question_id, 0) + 1
    questions = [QuestionResult(id=a.question_id, points=a.points, max=a.max_points,
                                correct=a.correct, attempts=answered.get(a.question_id, 0),
                                response=a.response)
                 for a in chosen.answers]
    return QuizResult(quiz=quiz_id, lesson=entry.quiz.lesson, version=chosen.quiz_version,
                      score=chosen.score, max=chosen.max_points, attempts=len(attempts),
                      first_attempt=attempts[0].received_at,
                      last_attempt=chosen.received_at, questions=questions)


def export_class(db: Database, catalog: Catalog, policies: Policies, out: Path) -> ExportReport:
    report = ExportReport()
    quizzes = catalog.quizzes
    out.mkdir(parents=True, exist_ok=True)
    results_dir = out / "results"
    results_dir.mkdir(exist_ok=True)
    for old in results_dir.glob("*.json"):
        old.unlink()  # a forgotten student's file must not survive a new export
    collected = Collected()
    with db.read() as session:
        students = list(session.scalars(
            select(Student).order_by(Student.name_key)
            .options(selectinload(Student.attempts).selectinload(Attempt.answers))))
    grade_rows: list[list[str]] = []
    score_rows: list[list[str]] = []
    for student in students:
        by_quiz: dict[str, list[Attempt]] = {}
        for attempt in sorted(student.attempts, key=lambda a: (a.quiz_id, a.number)):
            by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
        report.attempts += len(student.attempts)
        grade_row = [csv_cell(student.name), csv_cell(student.number or "")]
        score_row = list(grade_row)
        quiz_results: list[QuizResult] = []
        passes = 0
        for quiz in quizzes:
            attempts = by_quiz.get(quiz.id, [])
            chosen = counted(attempts, policies.of(quiz.id))
            late = sum(a.late for a in attempts)
            if chosen is None:
                grade_row.append("")
                score_row += ["", str(len(attempts)), str(late)]
                continue
            ok = passed(chosen, quiz.pass_mark)
            passes += ok
            grade_row.append("pass" if ok else "fail")
            score_row += [_num(chosen.score), str(len(attempts)), str(late)]
            result = _result(student, quiz.id, attempts, chosen, catalog)
            quiz_results.append(result)
            regraded = regrade(result, quiz)
            if isinstance(regraded, str):
                report.notes.append(f"{student.name}: {quiz.id}: {regraded}; left out of the "
                                    "item analysis")
            else:
                collected.entries.append(Entry(student.name, quiz.id, regraded.score,
                                               chosen.max_points, len(attempts),
                                               chosen.received_at, "class database",
                                               regraded.outcomes, regraded.responses))
            if carry_over(quiz, chosen.quiz_version, {}).unsure:
                report.notes.append(f"{student.name}: {quiz.id}: the counted attempt answered "
                                    "an earlier version of the quiz")
        grade_row += [str(passes), str(len(quizzes))]
        grade_rows.append(grade_row)
        score_rows.append(score_row)
        if student.attempts:
            report.students += 1
        if quiz_results:
            path = results_dir / f"{_slug(student.name)}-{student.uid[:6]}.json"
            path.write_text(dump_results(Results(
                format=FORMAT, student=student.name, exported_at=utcnow(), source="book",
                quizzes=quiz_results)), encoding="utf-8")
            report.files.append(path)
    header = ["student", "student id"]
    gradebook = out / "gradebook.csv"
    _write_csv(gradebook, header + [f"{q.id} (pass mark {q.pass_mark:.0%})" for q in quizzes]
               + ["quizzes passed", "quizzes"], grade_rows)
    scores = out / "scores.csv"
    score_header = list(header)
    for q in quizzes:
        score_header += [f"{q.id} score (of {_num(q.max_points)})", f"{q.id} attempts",
                         f"{q.id} late attempts"]
    _write_csv(scores, score_header, score_rows)
    analysis = out / "item-analysis.html"
    _write_item_analysis(collected, catalog, policies, analysis)
    report.files[:0] = [gradebook, scores, analysis]
    return report


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _write_item_analysis(collected: Collected, catalog: Catalog, policies: Policies,
                         path: Path) -> None:
    quizzes = catalog.quizzes
    stats = item_stats(collected, quizzes)
    environment = Environment(loader=PackageLoader("quizbook.server", "templates"),
                              autoescape=select_autoescape(default=True,
                                                           default_for_string=True),
                              trim_blocks=True, lstrip_blocks=True)
    html = environment.get_template("item-analysis.html").render(
        quizzes=[(quiz, [s for s in stats if s.quiz.id == quiz.id],
                  policies.of(quiz.id).counts) for quiz in quizzes],
        students=len({e.student for e in collected.entries}), plain=plain_text,
        exported=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    path.write_text(html, encoding="utf-8")
