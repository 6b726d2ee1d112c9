"""`quizbook export`: the ordered steps that turn the book into everything an instructor needs.

    _build/export/
      instructor/html/                    instructor edition (answer keys, notes, guide)
      instructor/pdf/quizbook-instructor.pdf
      instructor/pdf/quizbook-answer-key.pdf  keys only, for marking printed handouts
      instructor/lms/quizbook-qti.zip     QTI 1.2 for Canvas
      instructor/lms/quizbook-moodle.xml  Moodle XML
      instructor/lms/MAPPINGS.txt         what each format could only hold approximately
      instructor/notebooks/               instructor notebooks
      instructor/quizbook-instructor.zip  all of the above plus student/ in one file
      student/pdf/quizbook-student.pdf    printable handout, no key, room to answer
      student/notebooks/                  student notebooks

Builds run in `_build/.export-work/` (never published: it holds doctrees), as many at a
time as `Options.jobs` says (the book's `quizbook_export_jobs` setting; 0: one per CPU
core). Each edition folder holds a `.quizbook-export` marker listing the files the export
made; a folder holding anything else is never deleted (`quizbook.export.ownership`), and
the zip holds exactly those files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from quizbook import model
from quizbook.book import check_book, open_book
from quizbook.config import read_settings
from quizbook.export import answer_key, archive, editions, moodle, ownership, pdf, qti
from quizbook.export.lms import Mapping, mappings_report

Which = Literal["all", "student", "instructor"]


class ExportError(Exception):
    """The export cannot go on; the message says what failed and what to do."""


@dataclass
class Options:
    book: Path
    out: Path
    edition: Which = "all"
    pdf: bool = True
    strict: bool = True
    moodle_ordering_as_matching: bool = False
    #: Book builds at a time; None: the book's `quizbook_export_jobs` (0: one per CPU core).
    jobs: int | None = None


@dataclass
class Report:
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    mappings: list[Mapping] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def timed(self, name: str, start: float) -> None:
        self.timings[name] = time.perf_counter() - start


def _quizzes(book: Path) -> list[model.Quiz]:
    """The book's quizzes, after the whole-book check (`quizbook check`): a lesson that is
    a FIFO or not UTF-8, or a quiz with a NUL in it, stops the export before any build."""
    from quizbook.load import QuizFileError

    opened = open_book(book)
    problems = check_book(opened)
    if problems:
        raise ExportError("the book has problems (quizbook check); fix them first:\n"
                          + "\n".join(str(p) for p in problems))
    try:
        return opened.quizzes()
    except QuizFileError as exc:
        raise ExportError(f"the quiz files have problems; fix them first:\n{exc}") from None


def export(options: Options, say: Callable[[str], None] = print) -> Report:
    book, out = options.book.resolve(), options.out.resolve()
    if not (book / "_config.yml").is_file():
        raise ExportError(f"{book}: not a book (no _config.yml)")
    report = Report()
    started = time.perf_counter()
    try:
        chromium = pdf.require_chromium() if options.pdf else None  # fail before slow builds
    except pdf.PdfError as exc:
        raise ExportError(str(exc)) from None
    quizzes = _quizzes(book)
    want_student = options.edition in {"all", "student"}
    want_instructor = options.edition in {"all", "instructor"}
    work = book / "_build" / ".export-work"
    work.mkdir(parents=True, exist_ok=True)
    student_dir, instructor_dir = out / "student", out / "instructor"
    for folder, edition, yes in ((student_dir, "student", want_student),
                                 (instructor_dir, "instructor", want_instructor)):
        if yes:
            _clear(folder, edition)

    wanted: list[editions.Edition] = []
    if want_student:
        wanted.append("student")
    if want_instructor:
        wanted.append("instructor")
    jobs: list[tuple[editions.Edition, editions.Builder]] = []
    if want_instructor:
        jobs.append(("instructor", "html"))
    if chromium is not None:
        jobs += [(edition, "singlehtml") for edition in wanted]
    say(f"building {len(jobs)} edition(s): "
        + ", ".join(f"{e} {b}" for e, b in jobs))
    step = time.perf_counter()
    with ThreadPoolExecutor(max_workers=_workers(book, options, len(jobs))) as pool:
        futures = {job: pool.submit(editions.build_edition, book, job[0], job[1], work,
                                    options.strict) for job in jobs}
        try:
            built = {job: future.result() for job, future in futures.items()}
        except editions.BuildError as exc:
            raise ExportError(str(exc)) from None
    report.timed("builds", step)

    if want_instructor:
        site = instructor_dir / "html"
        editions.copy_site(built[("instructor", "html")].output, site)
        report.outputs.append(site)
    if chromium is not None:
        step = time.perf_counter()
        for edition in wanted:
            folder = student_dir if edition == "student" else instructor_dir
            page = editions.main_page(built[(edition, "singlehtml")].output, book, edition)
            target = folder / "pdf" / f"quizbook-{edition}.pdf"
            try:
                pdf.print_pdf(page, target, edition, chromium)
            except pdf.PdfError as exc:
                raise ExportError(str(exc)) from None
            report.outputs.append(target)
        if want_instructor:
            target = instructor_dir / "pdf" / answer_key.FILE_NAME
            page = answer_key.write_answer_key_page(
                quizzes, answer_key.book_title(book), work / "answer-key")
            try:
                pdf.print_page(page, target, chromium)
            except pdf.PdfError as exc:
                raise ExportError(str(exc)) from None
            report.outputs.append(target)
        report.timed("pdf", step)
    if want_instructor:
        step = time.perf_counter()
        report.mappings = _lms(quizzes, instructor_dir / "lms", report,
                               options.moodle_ordering_as_matching)
        report.timed("lms", step)
    step = time.perf_counter()
    # The instructor site's notebooks are the instructor notebooks: no second build for them.
    sites = {"instructor": built[("instructor", "html")].output} if want_instructor else {}
    _notebooks(book, want_student, want_instructor, student_dir, instructor_dir, report, sites)
    report.timed("notebooks", step)
    if want_student and student_dir.is_dir():
        ownership.seal(student_dir)
    if want_instructor:
        step = time.perf_counter()
        target = instructor_dir / "quizbook-instructor.zip"
        _zip(instructor_dir, student_dir, target, report)
        ownership.seal(instructor_dir)
        report.outputs.append(target)
        report.timed("zip", step)
    report.timed("total", started)
    return report


def _workers(book: Path, options: Options, builds: int) -> int:
    """Builds at a time: `--jobs`, else the book's setting, else one per CPU core."""
    jobs = options.jobs if options.jobs is not None else read_settings(book)[0].export_jobs
    return max(1, min(builds, jobs or os.cpu_count() or 1))


def _clear(folder: Path, edition: str) -> None:
    """Remove the previous export of an edition; refuse (before any build) if the folder
    holds anything the export did not make."""
    try:
        ownership.clear(folder, edition)
    except ownership.NotOurs as exc:
        raise ExportError(f"{exc}. Nothing was deleted: choose another --out, or move those "
                          "files away") from None


def _zip(instructor_dir: Path, student_dir: Path, target: Path, report: Report) -> None:
    """The instructor zip: exactly the files this export made (and the student edition's, when
    a student folder made by quizbook export is there)."""
    made = [f for f in ownership.owned_files(instructor_dir, "instructor") or []
            if f != target.name]
    parts = [(instructor_dir, "instructor", made)]
    try:
        student = ownership.owned_files(student_dir, "student")
    except ownership.NotOurs as exc:
        report.notes.append(f"the instructor zip leaves out student/: {exc}")
        student = None
    if student:
        parts.append((student_dir, "student", student))
    try:
        archive.zip_files(parts, target)
    except (archive.ArchiveError, OSError) as exc:
        raise ExportError(f"the instructor zip: {exc}") from None


def _lms(quizzes: list[model.Quiz], folder: Path, report: Report,
         ordering_as_matching: bool = False) -> list[Mapping]:
    qti_zip, moodle_xml = folder / "quizbook-qti.zip", folder / "quizbook-moodle.xml"
    mappings = qti.write_qti_package(quizzes, qti_zip, title="Quizbook quizzes")
    mappings += moodle.write_moodle_xml(quizzes, moodle_xml,
                                        ordering_as_matching=ordering_as_matching)
    problems = qti.validate_qti_package(qti_zip) + moodle.validate_moodle_xml(moodle_xml)
    if problems:  # a bug in our writers, never the author's fault: say so plainly
        raise ExportError("the LMS files failed their own validation:\n" + "\n".join(problems))
    mapping_file = folder / "MAPPINGS.txt"
    mapping_file.write_text(mappings_report(mappings, quizzes), encoding="utf-8")
    report.outputs += [qti_zip, moodle_xml, mapping_file]
    return mappings


def _notebooks(book: Path, student: bool, instructor: bool, student_dir: Path,
               instructor_dir: Path, report: Report, sites: dict[str, Path]) -> None:
    from quizbook.notebooks import write_notebooks

    jobs: list[tuple[bool, Literal["student", "instructor"], Path]] = [
        (student, "student", student_dir), (instructor, "instructor", instructor_dir)]
    for wanted, edition, folder in jobs:
        if wanted:
            target = folder / "notebooks"
            try:
                write_notebooks(book, target, edition, site=sites.get(edition))
            except Exception as exc:  # the notebooks module names file and line
                raise ExportError(f"notebooks ({edition}): {exc}") from None
            report.outputs.append(target)


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
