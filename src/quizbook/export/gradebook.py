"""Class results -> gradebook CSV (student x lesson) and an item-analysis report.

Reads the results files students download from the book or the notebooks
(`quizbook.results`), checks every quiz result against the book's quizzes (id,
version, maximum, question ids), and skips whatever does not fit, naming the
file and the reason. Nothing a student sends can crash it or end up as markup
or a spreadsheet formula.

Results are self-reported (the student's browser or notebook computed them):
fine for formative use; graded quizzes belong in the LMS export.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.grade import grade, matching_rights
from quizbook.markup import plain_text
from quizbook.results import QuizResult, ResultsFileError, load_results


@dataclass(frozen=True)
class Entry:
    """One student's result for one quiz, after checking."""

    student: str
    quiz: str
    score: float
    max: float
    attempts: int
    last_attempt: datetime | None
    file: str
    result: QuizResult


@dataclass
class Collected:
    entries: list[Entry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "FILE: reason"
    files_read: int = 0
    names: dict[str, str] = field(default_factory=dict)  # student key -> name as first seen


def _student_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _when(entry: Entry) -> datetime:
    stamp = entry.last_attempt or datetime.min.replace(tzinfo=timezone.utc)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders become their *.json files (sorted)."""
    out: list[Path] = []
    for path in paths:
        out.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return out


def collect(paths: Sequence[Path], quizzes: Sequence[model.Quiz]) -> Collected:
    known = {quiz.id: (quiz, make_bundle(quiz)) for quiz in quizzes}
    found = Collected()
    latest: dict[tuple[str, str], Entry] = {}
    seen_bytes: dict[bytes, str] = {}
    for path in expand(paths):
        shown = str(path)
        try:
            raw = path.read_bytes() if path.is_file() else None
        except OSError as exc:
            found.skipped.append(f"{shown}: cannot read the file ({exc.strerror})")
            continue
        if raw is None:
            found.skipped.append(f"{shown}: no such file")
            continue
        if raw in seen_bytes:
            found.skipped.append(f"{shown}: the same file as {seen_bytes[raw]}; skipped")
            continue
        seen_bytes[raw] = shown
        try:
            results = load_results(path)
        except ResultsFileError as exc:
            found.skipped.append(f"{exc}; skipped")
            continue
        found.files_read += 1
        student = " ".join(results.student.split())
        if not student:
            found.skipped.append(f"{shown}: no student name in the file; skipped")
            continue
        for result in results.quizzes:
            problem = _check(result, known)
            if problem:
                found.skipped.append(f"{shown}: quiz {result.quiz!r}: {problem}; skipped")
                continue
            entry = Entry(student, result.quiz, result.score, result.max, result.attempts,
                          result.last_attempt, shown, result)
            found.names.setdefault(_student_key(student), student)
            key = (_student_key(student), result.quiz)
            before = latest.get(key)
            if before is None:
                latest[key] = entry
                continue
            keep, drop = (entry, before) if _when(entry) >= _when(before) else (before, entry)
            latest[key] = keep
            found.skipped.append(
                f"{drop.file}: quiz {result.quiz!r} for {student!r} also in {keep.file}; "
                f"kept the later attempt ({_fmt_time(keep.last_attempt)}) from {keep.file}")
    found.entries = sorted(latest.values(), key=lambda e: (_student_key(e.student), e.quiz))
    return found


def _fmt_time(stamp: datetime | None) -> str:
    return stamp.isoformat() if stamp else "no date"


def _check(result: QuizResult, known: dict[str, tuple[model.Quiz, dict[str, Any]]]) -> str:
    if result.quiz not in known:
        return f"not a quiz of this book (book quizzes: {', '.join(known)})"
    quiz, bundle = known[result.quiz]
    if result.version != bundle["version"]:
        return (f"version {result.version!r} is not the book's {bundle['version']!r} (the "
                "quiz changed since the student took it)")
    if abs(result.max - quiz.max_points) > 1e-9:
        return f"maximum {result.max:g} is not the quiz's {quiz.max_points:g}"
    if result.lesson != quiz.lesson:
        return f"lesson {result.lesson!r} is not the quiz's {quiz.lesson!r}"
    ids = {q.id: q for q in quiz.questions}
    seen: set[str] = set()
    for question in result.questions:
        if question.id not in ids:
            return f"question {question.id!r} is not in the quiz"
        if question.id in seen:
            return f"question {question.id!r} appears twice"
        seen.add(question.id)
        if abs(question.max - ids[question.id].points) > 1e-9:
            return (f"question {question.id!r} maximum {question.max:g} is not "
                    f"{ids[question.id].points:g}")
        # The points must be what the saved answer is worth: an edited score is refused.
        worth = grade(ids[question.id], question.response).points
        if abs(question.points - worth) > 1e-6:
            return (f"question {question.id!r} claims {question.points:g} points but its "
                    f"answer is worth {worth:g} (the file was edited)")
    return ""


# --- CSV ------------------------------------------------------------------------------


def _cell(value: str) -> str:
    """A student-supplied text cell that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _num(value: float) -> str:
    return f"{value:g}"


def write_gradebook_csv(collected: Collected, quizzes: Sequence[model.Quiz], path: Path) -> None:
    by_student: dict[str, dict[str, Entry]] = {}
    names = collected.names
    for entry in collected.entries:
        key = _student_key(entry.student)
        by_student.setdefault(key, {})[entry.quiz] = entry
    header = ["student"]
    for quiz in quizzes:
        header += [f"{quiz.lesson} score (of {_num(quiz.max_points)})", f"{quiz.lesson} attempts"]
    header += ["total score", f"total max ({_num(sum(q.max_points for q in quizzes))})",
               "quizzes taken"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for key in sorted(by_student):
            row = [_cell(names[key])]
            taken = by_student[key]
            for quiz in quizzes:
                got = taken.get(quiz.id)
                row += [_num(got.score), str(got.attempts)] if got else ["", ""]
            row += [_num(sum(e.score for e in taken.values())),
                    _num(sum(q.max_points for q in quizzes)), str(len(taken))]
            writer.writerow(row)


# --- item analysis --------------------------------------------------------------------


@dataclass
class ItemStats:
    quiz: model.Quiz
    question: model.Question
    answered: int
    correct: int
    mean_points: float
    wrong_choice: str  # the most chosen wrong option / answer, with its count; "" if none

    @property
    def share(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def _wrong_choices(q: model.Question, response: Any) -> list[str]:
    """What a wrong response chose, in words, for the 'most chosen wrong option' column."""
    if isinstance(q, model.SingleQuestion):
        option = next((o for o in q.options if o.id == response), None)
        return [plain_text(option.text)] if option and not option.correct else []
    if isinstance(q, model.MultipleQuestion) and isinstance(response, list):
        return [plain_text(o.text) for o in q.options if o.id in response and not o.correct]
    if isinstance(q, model.TrueFalseQuestion) and isinstance(response, bool):
        return [str(response)] if response != q.answer else []
    if isinstance(q, model.ShortTextQuestion | model.NumericQuestion) and \
            isinstance(response, str) and response.strip():
        return [] if grade(q, response).correct else [" ".join(response.split())[:80]]
    if isinstance(q, model.OrderingQuestion):
        outcome = grade(q, response)
        texts = {i.id: plain_text(i.text) for i in q.items}
        return [f"{texts[i]} misplaced" for i, ok in outcome.parts.items() if not ok]
    if isinstance(q, model.MatchingQuestion):
        outcome = grade(q, response)
        rights = dict(matching_rights(q))
        chosen = response if isinstance(response, dict) else {}
        return [f"{plain_text(p.left)} → {plain_text(rights.get(str(chosen.get(p.id)), '?'))}"
                for p in q.pairs if outcome.parts.get(p.id) is False and p.id in chosen]
    return []


def item_stats(collected: Collected, quizzes: Sequence[model.Quiz]) -> list[ItemStats]:
    stats = []
    for quiz in quizzes:
        entries = [e for e in collected.entries if e.quiz == quiz.id]
        for q in quiz.questions:
            rows = [r for e in entries for r in e.result.questions if r.id == q.id
                    and r.attempts > 0]
            wrong: Counter[str] = Counter()
            for row in rows:
                if not row.correct:
                    wrong.update(_wrong_choices(q, row.response))
            top = wrong.most_common(1)
            stats.append(ItemStats(
                quiz, q, len(rows), sum(r.correct for r in rows),
                sum(r.points for r in rows) / len(rows) if rows else 0.0,
                f"{top[0][0]} ({top[0][1]})" if top else ""))
    return stats


def _environment() -> Environment:
    return Environment(loader=PackageLoader("quizbook.export", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def write_item_analysis(collected: Collected, quizzes: Sequence[model.Quiz], path: Path) -> None:
    stats = item_stats(collected, quizzes)
    students = {_student_key(e.student) for e in collected.entries}
    html = _environment().get_template("item-analysis.html.j2").render(
        quizzes=[(quiz, [s for s in stats if s.quiz.id == quiz.id]) for quiz in quizzes],
        students=len(students), skipped=collected.skipped, files_read=collected.files_read,
        plain=plain_text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def make_gradebook(paths: Sequence[Path], quizzes: Sequence[model.Quiz],
                   out_dir: Path) -> Collected:
    collected = collect(paths, quizzes)
    write_gradebook_csv(collected, quizzes, out_dir / "gradebook.csv")
    write_item_analysis(collected, quizzes, out_dir / "item-analysis.html")
    return collected
