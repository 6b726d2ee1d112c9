"""`quizbook export`: the ordered steps that turn the book into everything an instructor needs.

    _build/export/
      instructor/html/                    instructor edition (answer keys, notes, guide)
      instructor/pdf/quizbook-instructor.pdf
      instructor/lms/quizbook-qti.zip     QTI 1.2 for Canvas
      instructor/lms/quizbook-moodle.xml  Moodle XML
      instructor/lms/MAPPINGS.txt         what each format could only hold approximately
      instructor/notebooks/               instructor notebooks (if quizbook.notebooks exists)
      instructor/quizbook-instructor.zip  all of the above plus student/ in one file
      student/pdf/quizbook-student.pdf    printable handout, no key, room to answer
      student/notebooks/                  student notebooks

Builds run in `_build/.export-work/` (never published: it holds doctrees).
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from quizbook import model
from quizbook.book import open_book
from quizbook.export import archive, editions, moodle, pdf, qti
from quizbook.export.lms import Mapping

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


@dataclass
class Report:
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    mappings: list[Mapping] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def timed(self, name: str, start: float) -> None:
        self.timings[name] = time.perf_counter() - start


def _quizzes(book: Path) -> list[model.Quiz]:
    from quizbook.load import QuizFileError

    try:
        return open_book(book).quizzes()
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
    for folder, yes in ((student_dir, want_student), (instructor_dir, want_instructor)):
        if yes and folder.exists():
            shutil.rmtree(folder)

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
    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: two Sphinx builds at a time
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
        report.timed("pdf", step)
    if want_instructor:
        step = time.perf_counter()
        report.mappings = _lms(quizzes, instructor_dir / "lms", report)
        report.timed("lms", step)
    step = time.perf_counter()
    _notebooks(book, want_student, want_instructor, student_dir, instructor_dir, report)
    report.timed("notebooks", step)
    if want_instructor:
        step = time.perf_counter()
        target = instructor_dir / "quizbook-instructor.zip"
        archive.zip_tree([(instructor_dir, "instructor"), (student_dir, "student")], target)
        report.outputs.append(target)
        report.timed("zip", step)
    report.timed("total", started)
    return report


def _lms(quizzes: list[model.Quiz], folder: Path, report: Report) -> list[Mapping]:
    qti_zip, moodle_xml = folder / "quizbook-qti.zip", folder / "quizbook-moodle.xml"
    mappings = qti.write_qti_package(quizzes, qti_zip, title="Quizbook quizzes")
    mappings += moodle.write_moodle_xml(quizzes, moodle_xml)
    problems = qti.validate_qti_package(qti_zip) + moodle.validate_moodle_xml(moodle_xml)
    if problems:  # a bug in our writers, never the author's fault: say so plainly
        raise ExportError("the LMS files failed their own validation:\n" + "\n".join(problems))
    lines = ["Questions each LMS format holds only approximately (nothing is dropped):", ""]
    lines += [str(m) for m in sorted(mappings)] or ["(none)"]
    lines += ["", "Not exported to the LMS: hints (Moodle keeps them), instructor notes (they "
              "are in the instructor edition), short-answer normalisation beyond case and "
              "spaces (accents and punctuation are compared as typed)."]
    mapping_file = folder / "MAPPINGS.txt"
    mapping_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report.outputs += [qti_zip, moodle_xml, mapping_file]
    return mappings


def _notebooks(book: Path, student: bool, instructor: bool, student_dir: Path,
               instructor_dir: Path, report: Report) -> None:
    if importlib.util.find_spec("quizbook.notebooks") is None:
        report.notes.append("notebooks: quizbook.notebooks is not installed; no notebooks")
        return
    from quizbook.notebooks import write_notebooks

    jobs: list[tuple[bool, Literal["student", "instructor"], Path]] = [
        (student, "student", student_dir), (instructor, "instructor", instructor_dir)]
    for wanted, edition, folder in jobs:
        if wanted:
            target = folder / "notebooks"
            try:
                write_notebooks(book, target, edition)
            except Exception as exc:  # the notebooks module names file and line
                raise ExportError(f"notebooks ({edition}): {exc}") from None
            report.outputs.append(target)


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
