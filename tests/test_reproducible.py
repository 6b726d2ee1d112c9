"""Reproducible output: the same sources give the same bytes.

- Two clean builds of the real book (the session's student build and one more, into
  another directory) give byte-identical quiz markup (each `[data-quizbook-quiz]`
  element) and bundles, and in fact byte-identical files, except that the folder name of
  the lesson notebooks under `_downloads/` is a digest of the build folder's path.
- `quizbook bundle` run twice prints the same bytes.
- Two exports into two directories give identical files, except the PDFs: Chromium
  writes the print time (`/CreationDate`, `/ModDate`) and numbers table cells of its
  tagged-PDF structure tree from DOM node ids (`/ID (node00000232)`). Those PDFs have the
  same pages and the same text, and their bytes are equal once those two fields are
  blanked; the instructor zip differs only in those two PDF members
  (docs/exporting.md, "Reproducibility").
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from pypdf import PdfReader

from quizbook.export.pipeline import Options, export
from tests.conftest import ROOT, build_book

PDFS = {"student/pdf/quizbook-student.pdf", "instructor/pdf/quizbook-instructor.pdf",
        "instructor/pdf/quizbook-answer-key.pdf"}
#: What Chromium varies between two prints of the same page (same length, so the
#: cross-reference offsets stay equal): the print time and structure-tree node ids.
PDF_VARIES = re.compile(rb"D:\d{14}[+-Z][\d']*|node\d{8}")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _quiz_markup(page: Path) -> list[bytes]:
    doc = lxml.html.parse(str(page)).getroot()
    return [etree.tostring(section) for section in doc.xpath("//*[@data-quizbook-quiz]")]


DOWNLOAD = re.compile(rb"_downloads/[0-9a-f]{32}/")


def _downloads_unnamed(files: dict[str, bytes]) -> dict[str, bytes]:
    return {DOWNLOAD.sub(b"_downloads/-/", name.encode()).decode():
            DOWNLOAD.sub(b"_downloads/-/", data) for name, data in files.items()}


@pytest.fixture(scope="module")
def second_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_book(ROOT, tmp_path_factory.mktemp("student-again"))


@pytest.mark.slow
def test_two_clean_builds_give_identical_quizzes(student_book_html: Path,
                                                 second_build: Path) -> None:
    first, second = _files(student_book_html), _files(second_build)
    pages = sorted(name for name in first if name.endswith(".html"))
    quizzes = 0
    for name in pages:
        a, b = _quiz_markup(student_book_html / name), _quiz_markup(second_build / name)
        assert a == b, name
        quizzes += len(a)
        bundles = [re.findall(rb"<script type=\"application/json\" data-quizbook-bundle>"
                              rb"(.*?)</script>", data) for data in (first[name], second[name])]
        assert bundles[0] == bundles[1], name
    assert quizzes == len(list((ROOT / "quizzes").glob("*.yml")))
    # Not only the quizzes: every page, script, style sheet, figure and the search index.
    # Sphinx names a download's folder after a digest of the file's path, and the lesson
    # notebooks are written under the build folder: into another folder, only that
    # folder name changes (two builds into the same folder are identical).
    one, two = _downloads_unnamed(first), _downloads_unnamed(second)
    assert set(one) == set(two)
    assert sum(n.startswith("_downloads/") for n in one) == 5
    assert [n for n in one if one[n] != two[n]] == []


#: Every quiz's `quizbook bundle`, one after another in one interpreter, each as its own
#: document (the command's `main`, the same code path as the installed script).
BUNDLE_ALL = """
import sys
from quizbook.cli import main
for quiz in sys.argv[1:]:
    sys.stdout.write("\\f")
    sys.stdout.flush()
    if main(["bundle", quiz]) != 0:
        sys.exit(f"bundle failed: {quiz}")
"""


def test_bundle_command_is_deterministic() -> None:
    """Two processes with different hash seeds (set and dict order) bundle every quiz alike."""
    quizzes = [str(q) for q in sorted((ROOT / "quizzes").glob("*.yml"))]
    runs = [subprocess.run([sys.executable, "-c", BUNDLE_ALL, *quizzes], capture_output=True,
                           check=True, timeout=300,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    documents = runs[0].split(b"\f")[1:]
    assert len(documents) == len(quizzes) > 1
    assert all(doc.startswith(b"{") for doc in documents)
    assert runs[0] == runs[1]


@pytest.fixture(scope="module")
def two_exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    outs = []
    for name in ("export-a", "export-b"):
        out = tmp_path_factory.mktemp(name) / "export"
        export(Options(book=ROOT, out=out, edition="all", pdf=True, strict=True),
               say=lambda _: None)
        outs.append(out)
    return outs[0], outs[1]


def _same_pdf(a: bytes, b: bytes, name: str) -> None:
    pages = [PdfReader(io.BytesIO(data)).pages for data in (a, b)]
    assert len(pages[0]) == len(pages[1]) > 1, name
    assert [p.extract_text() for p in pages[0]] == [p.extract_text() for p in pages[1]], name
    assert len(a) == len(b), name
    assert PDF_VARIES.sub(b"", a) == PDF_VARIES.sub(b"", b), name


@pytest.mark.slow
def test_exports_are_identical_apart_from_pdf_timestamps(two_exports: tuple[Path, Path]) -> None:
    a, b = (_files(out) for out in two_exports)
    assert a.keys() == b.keys()
    names = set(a)
    assert names >= PDFS
    assert {"instructor/lms/quizbook-qti.zip", "instructor/lms/quizbook-moodle.xml",
            "instructor/lms/MAPPINGS.txt"} <= names
    assert sum(n.endswith(".ipynb") and n.split("/")[1] == "notebooks" for n in names) == 10
    differ = {n for n in names if a[n] != b[n]}
    assert differ <= PDFS | {"instructor/quizbook-instructor.zip"}, sorted(differ)
    for name in PDFS:
        _same_pdf(a[name], b[name], name)
    # The archive: same members in the same order with the same dates; only the PDFs vary.
    zips = [zipfile.ZipFile(io.BytesIO(x["instructor/quizbook-instructor.zip"])) for x in (a, b)]
    infos = [[(i.filename, i.date_time) for i in z.infolist()] for z in zips]
    assert infos[0] == infos[1]
    for member, _ in infos[0]:
        one, two = zips[0].read(member), zips[1].read(member)
        if member.endswith(".pdf"):  # the PDFs compared above, zipped as they are
            assert (one, two) == (a[member], b[member]), member
        else:
            assert one == two, member


@pytest.mark.slow
def test_qti_members_are_identical(two_exports: tuple[Path, Path]) -> None:
    zips = [zipfile.ZipFile(out / "instructor/lms/quizbook-qti.zip") for out in two_exports]
    assert [i.filename for i in zips[0].infolist()] == [i.filename for i in zips[1].infolist()]
    for info in zips[0].infolist():
        assert info.date_time == (2024, 1, 1, 0, 0, 0)
        assert zips[0].read(info.filename) == zips[1].read(info.filename), info.filename
