"""`quizbook class export`: the class database as files an instructor can use.

- `gradebook.csv`: one row per student, one column per quiz: `pass` or `fail` (the
  counted attempt's share of points against the quiz's `pass_mark`), blank when no
  attempt counts;
- `scores.csv`: the counted score, attempts and late attempts per student and quiz;
- `item-analysis.html`: per question, answered / share correct / mean points / most
  chosen wrong answer, computed by the offline gradebook's own `item_stats`;
- `results/*.json`: one results file per student (`quizbook-results/1`) with the
  counted attempt of each quiz, which `quizbook gradebook` reads like a download;
- `canvas-grades.csv`, `moodle-grades.csv`: the counted scores in the files the LMSs'
  gradebook imports accept (quizbook.server.lms), and `LMS-IMPORT.txt`, the steps;
- `peer-instruction.csv`, `peer-instruction-shifts.csv`, `peer-instruction-moves.csv`
  and `peer-instruction.html`: every vote round, and per question voted on twice the
  shift table (wrong to right, right to wrong, unchanged, by answer).

Everything comes from `quizbook.server.stats.class_results`, the same reading the live
dashboard uses. Names and answers are text in cells (formula prefixes neutralised) and
escaped in HTML.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from quizbook.export.gradebook import item_stats
from quizbook.markup import plain_text
from quizbook.results import FORMAT, Results, dump_results
from quizbook.server.db import Database
from quizbook.server.grading import Catalog
from quizbook.server.lms import (
    MOODLE_ID_HEADERS,
    GradeColumn,
    GradeRow,
    MoodleId,
    grade_columns,
    write_canvas,
    write_moodle,
)
from quizbook.server.models import Round, utcnow
from quizbook.server.peer import RoundInfo, round_results, rounds_of, shift, votes_of
from quizbook.server.policy import Policies
from quizbook.server.room import templates
from quizbook.server.security import csv_cell
from quizbook.server.stats import AttemptRow, class_results
from quizbook.versions import carry_over


@dataclass
class ExportReport:
    students: int = 0
    attempts: int = 0
    votes: int = 0
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def passed(attempt: AttemptRow, pass_mark: float) -> bool:
    if attempt.max_points <= 0:
        return False
    return attempt.score / attempt.max_points >= pass_mark - 1e-9


def _num(value: float) -> str:
    return f"{value:g}"


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()
    return slug[:40] or "student"


def export_class(db: Database, catalog: Catalog, policies: Policies, out: Path,
                 moodle_id: MoodleId = "number") -> ExportReport:
    report = ExportReport()
    quizzes = catalog.quizzes
    out.mkdir(parents=True, exist_ok=True)
    results_dir = out / "results"
    results_dir.mkdir(exist_ok=True)
    for old in results_dir.glob("*.json"):
        old.unlink()  # a forgotten student's file must not survive a new export
    with db.read() as session:
        data = class_results(session, catalog, policies)
    grade_rows: list[list[str]] = []
    score_rows: list[list[str]] = []
    lms_rows: list[GradeRow] = []
    result_files: list[Path] = []
    for student in data.students:
        grade_row = [csv_cell(student.name), csv_cell(student.number or "")]
        score_row = list(grade_row)
        scores: dict[str, float | None] = {}
        passes = taken = 0
        for quiz in quizzes:
            attempts = data.attempts.get((student.id, quiz.id), [])
            taken += len(attempts)
            chosen = data.chosen.get((student.id, quiz.id))
            late = sum(a.late for a in attempts)
            scores[quiz.id] = chosen.score if chosen else None
            if chosen is None:
                grade_row.append("")
                score_row += ["", str(len(attempts)), str(late)]
                continue
            ok = passed(chosen, quiz.pass_mark)
            passes += ok
            grade_row.append("pass" if ok else "fail")
            score_row += [_num(chosen.score), str(len(attempts)), str(late)]
            if carry_over(quiz, chosen.quiz_version, {}).unsure:
                report.notes.append(f"{student.name}: {quiz.id}: the counted attempt answered "
                                    "an earlier version of the quiz")
        grade_row += [str(passes), str(len(quizzes))]
        grade_rows.append(grade_row)
        score_rows.append(score_row)
        lms_rows.append(GradeRow(student, scores))
        report.attempts += taken
        if taken:
            report.students += 1
        quiz_results = [data.results[(student.id, q.id)] for q in quizzes
                        if (student.id, q.id) in data.results]
        if quiz_results:
            path = results_dir / f"{_slug(student.name)}-{student.uid[:6]}.json"
            path.write_text(dump_results(Results(
                format=FORMAT, student=student.name, exported_at=utcnow(), source="book",
                quizzes=quiz_results)), encoding="utf-8")
            result_files.append(path)
    header = ["student", "student id"]
    gradebook = out / "gradebook.csv"
    _write_csv(gradebook, header + [f"{q.id} (pass mark {q.pass_mark:.0%})" for q in quizzes]
               + ["quizzes passed", "quizzes"], grade_rows)
    scores_csv = out / "scores.csv"
    score_header = list(header)
    for q in quizzes:
        score_header += [f"{q.id} score (of {_num(q.max_points)})", f"{q.id} attempts",
                         f"{q.id} late attempts"]
    _write_csv(scores_csv, score_header, score_rows)
    analysis = out / "item-analysis.html"
    environment = templates()
    stats = item_stats(data.collected, quizzes)
    analysis.write_text(environment.get_template("item-analysis.html").render(
        quizzes=[(quiz, [s for s in stats if s.quiz.id == quiz.id],
                  policies.of(quiz.id).counts) for quiz in quizzes],
        students=len({e.student for e in data.collected.entries}), plain=plain_text,
        exported=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        encoding="utf-8")
    columns = grade_columns(quizzes)
    canvas = write_canvas(out / "canvas-grades.csv", columns, lms_rows)
    moodle = write_moodle(out / "moodle-grades.csv", columns, lms_rows, moodle_id)
    report.notes += canvas.notes + moodle.notes
    steps = out / "LMS-IMPORT.txt"
    steps.write_text(import_steps(columns, moodle_id, canvas.rows, moodle.rows,
                                  moodle.left_out), encoding="utf-8")
    pi_files = _write_peer_instruction(db, catalog, out, report)
    report.files = [gradebook, scores_csv, analysis, canvas.path, moodle.path, steps,
                    *pi_files, *result_files]
    return report


def import_steps(columns: list[GradeColumn], moodle_id: MoodleId, canvas_rows: int,
                 moodle_rows: int, left_out: list[str]) -> str:
    """LMS-IMPORT.txt: how to import the two grade files (docs/class-server.md has more)."""
    identifier = MOODLE_ID_HEADERS[moodle_id]
    field = "useridnumber" if moodle_id == "number" else "useremail"
    lines = [
        "Grades from the class server: importing them into the LMS",
        "",
        "Each quiz column holds the points of the attempt that counts (the class policy:",
        "first, best or last attempt); blank (Canvas) or - (Moodle) where none counts.",
        "",
        "Quiz columns and their points:",
        *[f"  {c.title}: {c.points:g} points" for c in columns],
        "",
        f"Canvas: canvas-grades.csv ({canvas_rows} students)",
        "  1. Grades > Import, choose canvas-grades.csv, Upload Data.",
        "  2. Canvas matches students by ID, SIS User ID, SIS Login ID, then name. For",
        "     quizzes not yet in Canvas it offers to create assignments with the points of",
        "     the Points Possible row: accept, or map each column to an existing assignment.",
        "  3. Check the preview (students not found, changed grades), then Save Changes.",
        "",
        f"Moodle: moodle-grades.csv ({moodle_rows} students)",
        "  1. Grades > Import > CSV file, choose moodle-grades.csv (comma, UTF-8), Upload.",
        f"  2. Map from: {identifier!r}; Map to: {field}.",
        "  3. Map each quiz column to its grade item (set the item's maximum grade to the",
        "     quiz's points above), or to a new grade item; leave Full name ignored.",
        "  4. Upload grades. Moodle stops at the first identifier it does not know.",
    ]
    if left_out:
        lines += ["", f"Left out of moodle-grades.csv (no {identifier.lower()}): "
                  + ", ".join(left_out)]
    return "\n".join(lines) + "\n"


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def _write_peer_instruction(db: Database, catalog: Catalog, out: Path,
                            report: ExportReport) -> list[Path]:
    """Every vote round, and the shift table of each question voted on twice."""
    round_rows: list[list[str]] = []
    shift_rows: list[list[str]] = []
    move_rows: list[list[str]] = []
    sections = []
    with db.read() as session:
        questions = list(dict.fromkeys(
            (r.quiz_id, r.question_id) for r in session.scalars(select(Round).order_by(Round.id))
            if r.quiz_id in catalog.entries
            and r.question_id in catalog.entries[r.quiz_id].questions))
        for quiz_id, question_id in questions:
            entry = catalog.entries[quiz_id]
            question = entry.questions[question_id]
            rounds = rounds_of(session, quiz_id, question_id)
            results = [round_results(session, catalog, r) for r in rounds]
            for r, res in zip(rounds, results, strict=True):
                d = res.distribution
                report.votes += res.voters
                round_rows.append([quiz_id, question_id, str(r.number), _when(r.opened_at),
                                   _when(r.closed_at), str(res.voters), str(d.right),
                                   f"{d.share_right:.3f}" if d.share_right is not None else "",
                                   "; ".join(f"{b.key}: {b.count}" for b in d.bars),
                                   "yes" if r.revealed_at else "no"])
            moved = None
            if len(rounds) >= 2 and rounds[1].closed_at is not None:
                moved = shift(question, votes_of(session, rounds[0].id),
                              votes_of(session, rounds[1].id))
                change = moved.normalised_change
                shift_rows.append([quiz_id, question_id, str(moved.both),
                                   str(moved.wrong_to_right), str(moved.right_to_wrong),
                                   str(moved.right_to_right), str(moved.wrong_same),
                                   str(moved.wrong_to_other_wrong), str(moved.only_first),
                                   str(moved.only_second), str(moved.first_right),
                                   str(moved.second_right),
                                   f"{change:.3f}" if change is not None else ""])
                for (a, b), n in sorted(moved.moves.items()):
                    move_rows.append([quiz_id, question_id, a, b, str(n)])
            sections.append({"title": entry.title, "quiz_id": quiz_id, "id": question_id,
                             "prompt": plain_text(question.prompt), "rounds": results,
                             "shift": moved, "infos": [RoundInfo.of(r) for r in rounds]})
    files = [out / "peer-instruction.csv", out / "peer-instruction-shifts.csv",
             out / "peer-instruction-moves.csv", out / "peer-instruction.html"]
    _write_csv(files[0], ["quiz", "question", "vote", "opened (UTC)", "closed (UTC)", "voters",
                          "right", "share right", "answers (votes per answer)",
                          "answer revealed"], round_rows)
    _write_csv(files[1], ["quiz", "question", "voted in both", "wrong to right",
                          "right to wrong", "unchanged right", "unchanged wrong",
                          "wrong to another wrong", "voted only in vote 1",
                          "voted only in vote 2", "right in vote 1", "right in vote 2",
                          "normalised change"], shift_rows)
    _write_csv(files[2], ["quiz", "question", "vote 1 answer", "vote 2 answer", "students"],
               move_rows)
    files[3].write_text(templates().get_template("peer-instruction.html").render(
        sections=sections,
        exported=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")), encoding="utf-8")
    return files
