"""No leak, proven: markers planted in every instructor-only place of a copy of the book.

The copy is exported once per test run (both editions: HTML, PDFs, notebooks, LMS, zip)
and its student HTML book is built too (tests/planted_book.py, the session fixture
`planted`). Every byte of every student file (HTML, JS, JSON,
search index, PDF text, notebooks) must hold zero markers; the instructor outputs
must hold every marker. Markers are single tokens (no hyphens) so PDF line breaks
and the search index's stemming cannot hide them.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from quizbook.export import editions
from tests.planted_book import Planted

ROOT = Path(__file__).resolve().parents[1]


def file_text(path: Path) -> str:
    """The bytes of a file as text, plus the extracted text of PDFs and zip members."""
    raw = path.read_bytes()
    parts = [raw.decode("utf-8", errors="replace")]
    if path.name == "objects.inv":  # four lines of header, then zlib
        parts.append(zlib.decompress(raw.split(b"\n", 4)[4]).decode("utf-8", "replace"))
    if path.suffix == ".pdf":
        parts += [page.extract_text() for page in PdfReader(path).pages]
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                member = archive.read(name)
                parts.append(member.decode("utf-8", errors="replace"))
                if name.endswith(".pdf"):
                    import io
                    parts += [p.extract_text() for p in PdfReader(io.BytesIO(member)).pages]
    return "\n".join(parts)


@pytest.mark.slow
def test_markers_were_planted(planted: Planted) -> None:
    kinds = {re.sub(r"\d+x.*", "", m.lower()) for m in planted.markers}
    assert {"leakmarkblock", "leakmarknewblock", "leakmarknote", "leakmarkwhy",
            "leakmarkfb", "leakmarkaccept"} <= kinds
    if (ROOT / "instructor-guide.md").is_file():
        assert "leakmarkguide" in kinds
    assert len(planted.markers) > 100


@pytest.mark.slow
def test_no_student_file_holds_any_marker(planted: Planted) -> None:
    suffixes = {p.suffix for p in planted.student_files}
    names = {p.name for p in planted.student_files}
    # The scan is not vacuous: pages, scripts, data, the search index, PDFs, notebooks.
    assert {".html", ".js", ".pdf", ".ipynb"} <= suffixes, suffixes
    assert "searchindex.js" in names and "objects.inv" in names
    hits = []
    for path in planted.student_files:
        text = file_text(path).lower()
        if "leakmark" in text:
            found = sorted(set(re.findall(r"leakmark[a-z]+\d+x[0-9a-f]{8}", text)))
            hits.append(f"{path}: {', '.join(found)}")
    assert hits == []
    # The student PDF really is the whole book (so a clean scan means something).
    pdf = next(p for p in planted.student_files if p.suffix == ".pdf")
    pdf_text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Quiz:" in pdf_text and "Question 1" in pdf_text


@pytest.mark.slow
def test_instructor_outputs_hold_every_marker(planted: Planted) -> None:
    site = "\n".join(file_text(p) for p in (planted.instructor_dir / "html").rglob("*.html"))
    missing_site = sorted(m for m in planted.keyed if m not in site)
    assert missing_site == [], [planted.markers[m] for m in missing_site]
    pdf = planted.instructor_dir / "pdf" / "quizbook-instructor.pdf"
    pdf_text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    missing_pdf = sorted(m for m in planted.keyed if m not in pdf_text)
    assert missing_pdf == [], [planted.markers[m] for m in missing_pdf]
    zipped = file_text(planted.instructor_dir / "quizbook-instructor.zip")
    assert all(m in zipped for m in planted.keyed)
    # The notebooks carry the page's own key and notes: every keyed marker of a lesson.
    notebooks = "\n".join(file_text(p) for p in (planted.instructor_dir / "notebooks")
                          .glob("*.ipynb"))
    lesson_markers = {m for m in planted.keyed if "guide" not in m}
    missing_nb = sorted(m for m in lesson_markers if m not in notebooks)
    assert missing_nb == [], [planted.markers[m] for m in missing_nb]


@pytest.mark.slow
def test_nothing_unpublishable_in_the_outputs(planted: Planted) -> None:
    export_dir = planted.book / "_build" / "export"
    for folder in (export_dir, planted.book / "_build" / "html"):
        bad = [p for p in folder.rglob("*") if p.name in editions.NEVER_PUBLISH]
        assert bad == []
