"""`quizbook export`: the outputs, their contents, and the PDF engine message.

Reuses the planted book export (tests/planted_book.py, built once per test run).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from quizbook.book import open_book
from quizbook.cli import main
from tests.planted_book import Planted

ROOT = Path(__file__).resolve().parents[1]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.slow
def test_export_outputs(planted: Planted) -> None:
    out = planted.book / "_build" / "export"
    inst, stud = out / "instructor", out / "student"
    quizzes = open_book(planted.book).quizzes()
    n_questions = sum(len(q.questions) for q in quizzes)

    assert (inst / "html" / "index.html").is_file()
    if (ROOT / "instructor-guide.md").is_file():
        assert (inst / "html" / "instructor-guide.html").is_file()

    student_pdf = pdf_text(stud / "pdf" / "quizbook-student.pdf")
    instructor_pdf = pdf_text(inst / "pdf" / "quizbook-instructor.pdf")
    assert "Name:" in student_pdf  # the handout's name line
    assert "Answer key" not in student_pdf and "Instructor note" not in student_pdf
    assert student_pdf.count("Quiz:") >= len(quizzes)
    assert instructor_pdf.count("Answer key:") == len(quizzes)
    flat = " ".join(student_pdf.split())
    for quiz in quizzes:  # every question prompt of every quiz is printed
        for q in quiz.questions[:2]:
            assert " ".join(q.prompt.split())[:30] in flat
    assert instructor_pdf.count("Instructor note") >= n_questions

    with zipfile.ZipFile(inst / "lms" / "quizbook-qti.zip") as archive:
        items = sum(len(etree.fromstring(archive.read(f"{q.id}/{q.id}.xml"))
                        .findall(".//{*}item")) for q in quizzes)
    assert items == n_questions
    moodle = etree.parse(str(inst / "lms" / "quizbook-moodle.xml")).getroot()
    assert len(moodle.xpath("question[@type!='category']")) == n_questions
    mappings = (inst / "lms" / "MAPPINGS.txt").read_text()
    ordering = [(quiz.id, q.id) for quiz in quizzes for q in quiz.questions
                if q.type == "ordering"]
    assert all(f"{qz}/{qid}: ordering" in mappings for qz, qid in ordering)

    lessons = sorted(p.stem for p in (planted.book / "lessons").glob("*.md"))
    assert sorted(p.stem for p in (stud / "notebooks").glob("*.ipynb")) == lessons
    assert sorted(p.stem for p in (inst / "notebooks").glob("*.ipynb")) == lessons

    with zipfile.ZipFile(inst / "quizbook-instructor.zip") as archive:
        names = set(archive.namelist())
    for expected in ("instructor/html/index.html", "instructor/pdf/quizbook-instructor.pdf",
                     "instructor/pdf/quizbook-answer-key.pdf",
                     "instructor/lms/quizbook-qti.zip", "instructor/lms/quizbook-moodle.xml",
                     "student/pdf/quizbook-student.pdf"):
        assert expected in names
    assert not any(n.endswith("quizbook-instructor.zip") for n in names)


def test_missing_pdf_engine_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QUIZBOOK_CHROMIUM", str(tmp_path / "no-such-chromium"))
    code = main(["export", "--book", str(ROOT), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "apt-get install chromium" in err and "--no-pdf" in err
    assert not (tmp_path / "out").exists()  # failed before any slow build


def test_export_outside_a_book_is_a_usage_error(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--book", str(tmp_path)]) == 2
    assert "no book here" in capsys.readouterr().err
