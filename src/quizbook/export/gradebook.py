"""Class results -> gradebook CSV (student x lesson) and an item-analysis report.

Reads the results files students download from the book or the notebooks
(`quizbook.results`). A results file is self-reported, so nothing it claims about
points is believed: every result's score is the re-grade of its saved answers against
the book's quiz (`quizbook.grade.grade`), every question of the quiz counts (one the
file does not answer scores 0 and is reported), and the item analysis is built from
the re-graded answers only. Whatever does not fit is skipped, naming the file and the
reason; two different results for the same student and quiz are a conflict, reported
with both file names, and neither is used. Nothing a student sends can crash it or end
up as markup or a spreadsheet formula.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from quizbook import files, model
from quizbook.grade import Outcome, grade, matching_rights
from quizbook.markup import plain_text
from quizbook.results import (
    MAX_RESULTS_BYTES,
    QuizResult,
    ResultsFileError,
    parse_results,
)
from quizbook.types import spec_of
from quizbook.versions import CarriedOver, carry_over, quiz_version


@dataclass(frozen=True)
class Entry:
    """One student's result for one quiz, re-graded: `score` is what the answers are worth."""

    student: str
    quiz: str
    score: float
    max: float
    attempts: int
    last_attempt: datetime | None
    file: str
    outcomes: dict[str, Outcome]  # every question of the quiz -> its re-graded outcome
    responses: dict[str, Any]  # question id -> the saved answer (None when missing)


@dataclass
class Collected:
    entries: list[Entry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "FILE: reason": not used at all
    notes: list[str] = field(default_factory=list)  # "FILE: remark": used, but look
    conflicts: list[str] = field(default_factory=list)  # same student and quiz, two results
    files_read: int = 0  # results files that parsed
    files_used: int = 0  # results files that gave at least one gradebook entry
    names: dict[str, str] = field(default_factory=dict)  # student key -> name as first seen


def student_key(name: str) -> str:
    """Who a name means: case, width, spaces and invisible format characters do not count
    ("Ann Lee", "ann  lee", "AnnLee" and "Ann\u200bLee" are one student). Coarse on purpose:
    two names that collide are reported (a conflict or a note), never silently merged."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf" and not ch.isspace())


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders become their *.json files (sorted)."""
    out: list[Path] = []
    for path in paths:
        out.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return out


def carried_over(result: QuizResult, quiz: model.Quiz) -> CarriedOver:
    """The result's saved answers as answers to the quiz as it is now, by the rules of
    `quizbook.versions.carry_over` (the browser's too)."""
    revs = {q.id: q.rev for q in result.questions if q.rev is not None}
    return carry_over(quiz, result.version, {q.id: q.response for q in result.questions},
                      revs or None)


def version_problem(result: QuizResult, quiz: model.Quiz) -> str:
    """What the gradebook must say about a result saved for another version of the quiz
    ("" when there is nothing to say). This is the one place that decides.

    A wording fix keeps the version, so results stay valid. A result saved under the scheme
    before issue 12 for the quiz as it is now is carried over silently (its matching answers
    renumbered). A result whose questions' keys changed since is graded again under the
    new key, the changed questions named. A result of the old scheme for an earlier text of
    the quiz is graded again too, but which questions changed cannot be known: say so.
    Nothing is refused for its version (every answer is graded again anyway).
    """
    kept = carried_over(result, quiz)
    if kept.unsure:
        return (f"saved for version {result.version!r} of the quiz, before it was last "
                "edited; every answer was graded again under the current questions (which "
                "ones changed cannot be known: look it over)")
    if kept.changed:
        return (f"the key of {', '.join(kept.changed)} changed since the student answered; "
                "graded again under the current key")
    return ""


@dataclass(frozen=True)
class Regraded:
    outcomes: dict[str, Outcome]
    responses: dict[str, Any]
    missing: list[str]
    score: float
    #: Answered questions that are no longer in the quiz (not counted).
    removed: list[str] = field(default_factory=list)
    #: What the gradebook says about the result's version (`version_problem`).
    version_note: str = ""


def regrade(result: QuizResult, quiz: model.Quiz) -> Regraded | str:
    """Every question of the quiz graded from the saved answers; or why the result lies or
    cannot be used."""
    by_id = {q.id: q for q in quiz.questions}
    saved = {q.id: q for q in result.questions}
    kept = carried_over(result, quiz)
    same_questions = result.version == quiz_version(quiz) or (kept.from_legacy
                                                          and not kept.unsure)
    removed = [qid for qid in saved if qid not in by_id]
    if removed and same_questions:
        return f"question {removed[0]!r} is not in the quiz"
    for qid, row in saved.items():
        if qid in by_id and not (qid in kept.changed or kept.unsure) and \
                abs(row.max - by_id[qid].points) > 1e-9:
            return f"question {qid!r} maximum {row.max:g} is not {by_id[qid].points:g}"
    outcomes: dict[str, Outcome] = {}
    responses: dict[str, Any] = {}
    missing: list[str] = []
    for question in quiz.questions:
        if question.id not in saved:
            missing.append(question.id)
        responses[question.id] = kept.responses.get(question.id)
        outcomes[question.id] = grade(question, responses[question.id])
    return Regraded(outcomes, responses, missing, sum(o.points for o in outcomes.values()),
                    removed, version_problem(result, quiz))


def passed(score: float, max_points: float, pass_mark: float) -> bool:
    """A pass: the share of the points reached is at least the quiz's `pass_mark` (the rule
    of the runtime's score line and of the class server's export)."""
    return max_points > 0 and score / max_points >= pass_mark - 1e-9


def _problem(result: QuizResult, known: dict[str, model.Quiz]) -> str:
    if result.quiz not in known:
        return f"not a quiz of this book (book quizzes: {', '.join(known)})"
    quiz = known[result.quiz]
    kept = carried_over(result, quiz)
    if abs(result.max - quiz.max_points) > 1e-9 and not (kept.changed or kept.unsure):
        return f"maximum {result.max:g} is not the quiz's {quiz.max_points:g}"
    if result.lesson != quiz.lesson:
        return f"lesson {result.lesson!r} is not the quiz's {quiz.lesson!r}"
    return ""


def _read(path: Path) -> bytes | str:
    try:
        return files.read_bytes(path, limit=MAX_RESULTS_BYTES, what="results file")
    except files.UnreadableFile as exc:
        return f"{path}: {exc.message}; skipped"


def collect(paths: Sequence[Path], quizzes: Sequence[model.Quiz]) -> Collected:
    known = {quiz.id: quiz for quiz in quizzes}
    found = Collected()
    chosen: dict[tuple[str, str], Entry] = {}
    conflicted: dict[tuple[str, str], list[str]] = {}
    seen_bytes: dict[bytes, str] = {}
    for path in expand(paths):
        shown = str(path)
        raw = _read(path)
        if isinstance(raw, str):
            found.skipped.append(raw)
            continue
        if raw in seen_bytes:
            found.skipped.append(f"{shown}: the same file as {seen_bytes[raw]}; skipped")
            continue
        seen_bytes[raw] = shown
        try:
            results = parse_results(raw, shown)
        except ResultsFileError as exc:
            found.skipped.append(f"{exc}; skipped")
            continue
        found.files_read += 1
        student = " ".join(results.student.split())
        key_name = student_key(student)
        if not key_name:
            found.skipped.append(f"{shown}: no student name in the file; skipped")
            continue
        for result in results.quizzes:
            problem = _problem(result, known)
            regraded = problem if problem else regrade(result, known[result.quiz])
            if isinstance(regraded, str):
                found.skipped.append(f"{shown}: quiz {result.quiz!r}: {regraded}; skipped")
                continue
            _note_regrade(found, shown, result, regraded)
            entry = Entry(student, result.quiz, regraded.score, known[result.quiz].max_points,
                          result.attempts,
                          result.last_attempt, shown, regraded.outcomes, regraded.responses)
            first_name = found.names.setdefault(key_name, student)
            if first_name != student:
                found.notes.append(f"{shown}: {student!r} is taken to be the same student as "
                                   f"{first_name!r} (names compared without case, spaces or "
                                   "invisible characters)")
            key = (key_name, result.quiz)
            if key in conflicted:
                conflicted[key].append(shown)
                continue
            before = chosen.get(key)
            if before is None:
                chosen[key] = entry
            elif before.responses == entry.responses:
                found.notes.append(f"{shown}: quiz {result.quiz!r} for {student!r}: the same "
                                   f"answers as in {before.file}; counted once")
            else:
                conflicted[key] = [before.file, shown]
                del chosen[key]
    for (key_name, quiz_id), where in conflicted.items():
        found.conflicts.append(
            f"{found.names[key_name]!r}, quiz {quiz_id!r}: different results in "
            f"{' and '.join(where)}; none of them is used (keep the right file, remove the "
            "other, and run the gradebook again)")
    found.files_used = len({e.file for e in chosen.values()})
    found.entries = sorted(chosen.values(), key=lambda e: (student_key(e.student), e.quiz))
    return found


def _note_regrade(found: Collected, shown: str, result: QuizResult,
                  regraded: Regraded) -> None:
    where = f"{shown}: quiz {result.quiz!r}"
    if regraded.version_note:
        found.notes.append(f"{where}: {regraded.version_note}")
    if regraded.removed:
        found.notes.append(f"{where}: {', '.join(regraded.removed)} are no longer in the quiz; "
                           "their answers do not count")
    if regraded.missing:
        found.notes.append(f"{where}: no saved answer for {', '.join(regraded.missing)}; "
                           "scored 0")
    if abs(result.score - regraded.score) > 1e-6:
        found.notes.append(f"{where}: the file claims {result.score:g} points, its saved "
                           f"answers are worth {regraded.score:g}; {regraded.score:g} counts")


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
        key = student_key(entry.student)
        by_student.setdefault(key, {})[entry.quiz] = entry
    header = ["student"]
    for quiz in quizzes:
        header += [f"{quiz.lesson} score (of {_num(quiz.max_points)})",
                   f"{quiz.lesson} attempts (self-reported)",
                   f"{quiz.lesson} passed (pass mark {_num(quiz.pass_mark * 100)}%)"]
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
                row += ([_num(got.score), str(got.attempts),
                         "pass" if passed(got.score, quiz.max_points, quiz.pass_mark) else "fail"]
                        if got else ["", "", ""])
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


def _wrong_choices(q: model.Question, response: Any, outcome: Outcome) -> list[str]:
    """What a wrong response chose, in words, for the 'most chosen wrong option' column."""
    if not isinstance(q, model.BuiltinQuestion):
        return spec_of(q).wrong_choices(q, response, outcome)
    if isinstance(q, model.SingleQuestion):
        option = next((o for o in q.options if o.id == response), None)
        return [plain_text(option.text)] if option and not option.correct else []
    if isinstance(q, model.MultipleQuestion) and isinstance(response, list):
        return [plain_text(o.text) for o in q.options if o.id in response and not o.correct]
    if isinstance(q, model.TrueFalseQuestion) and isinstance(response, bool):
        return [str(response)] if response != q.answer else []
    if isinstance(q, model.ShortTextQuestion | model.NumericQuestion) and \
            isinstance(response, str) and response.strip():
        return [] if outcome.correct else [" ".join(response.split())[:80]]
    if isinstance(q, model.OrderingQuestion):
        texts = {i.id: plain_text(i.text) for i in q.items}
        return [f"{texts[i]} misplaced" for i, ok in outcome.parts.items() if not ok]
    if isinstance(q, model.MatchingQuestion):
        rights = dict(matching_rights(q))
        chosen = response if isinstance(response, dict) else {}
        return [f"{plain_text(p.left)} → {plain_text(rights.get(str(chosen.get(p.id)), '?'))}"
                for p in q.pairs if outcome.parts.get(p.id) is False and p.id in chosen]
    return []


def item_stats(collected: Collected, quizzes: Sequence[model.Quiz]) -> list[ItemStats]:
    """Per question: answered, right and mean points, from the re-graded answers only (the
    file's own `correct`, `attempts` and points are never read)."""
    stats = []
    for quiz in quizzes:
        entries = [e for e in collected.entries if e.quiz == quiz.id]
        for q in quiz.questions:
            graded = [(e.outcomes[q.id], e.responses[q.id]) for e in entries
                      if e.outcomes[q.id].answered]
            wrong: Counter[str] = Counter()
            for outcome, response in graded:
                if not outcome.correct:
                    wrong.update(_wrong_choices(q, response, outcome))
            top = wrong.most_common(1)
            stats.append(ItemStats(
                quiz, q, len(graded), sum(o.correct for o, _ in graded),
                sum(o.points for o, _ in graded) / len(graded) if graded else 0.0,
                f"{top[0][0]} ({top[0][1]})" if top else ""))
    return stats


def _environment() -> Environment:
    return Environment(loader=PackageLoader("quizbook.export", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def write_item_analysis(collected: Collected, quizzes: Sequence[model.Quiz], path: Path) -> None:
    stats = item_stats(collected, quizzes)
    students = {student_key(e.student) for e in collected.entries}
    html = _environment().get_template("item-analysis.html.j2").render(
        quizzes=[(quiz, [s for s in stats if s.quiz.id == quiz.id]) for quiz in quizzes],
        students=len(students), skipped=collected.skipped, notes=collected.notes,
        conflicts=collected.conflicts, files_read=collected.files_read, plain=plain_text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def make_gradebook(paths: Sequence[Path], quizzes: Sequence[model.Quiz],
                   out_dir: Path) -> Collected:
    collected = collect(paths, quizzes)
    write_gradebook_csv(collected, quizzes, out_dir / "gradebook.csv")
    write_item_analysis(collected, quizzes, out_dir / "item-analysis.html")
    return collected
