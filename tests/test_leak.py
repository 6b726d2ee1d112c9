"""No leak, proven: markers planted in every instructor-only place of a copy of the book.

The copy is exported once (both editions: HTML, PDFs, notebooks, LMS, zip) and its
student HTML book is built too. Every byte of every student file (HTML, JS, JSON,
search index, PDF text, notebooks) must hold zero markers; the instructor outputs
must hold every marker. Markers are single tokens (no hyphens) so PDF line breaks
and the search index's stemming cannot hide them.
"""

from __future__ import annotations

import re
import shutil
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from ruamel.yaml import YAML

from quizbook.export import editions
from quizbook.export.pipeline import Options, export

ROOT = Path(__file__).resolve().parents[1]
TAG = uuid.uuid4().hex[:8]
SKIP = {"_build", ".venv", "node_modules", ".git", "tests", ".pytest_cache", ".mypy_cache",
        ".ruff_cache", ".hypothesis", "src", "docs", ".ci", "types", "benchmarks"}


def marker(kind: str, n: int) -> str:
    return f"LEAKMARK{kind}{n}X{TAG}"


@dataclass
class Planted:
    book: Path
    student_files: list[Path]  # every file a student may receive
    instructor_dir: Path
    markers: dict[str, str]  # marker -> where it was planted
    keyed: set[str]  # markers the instructor answer key / notes must show


def plant(book: Path) -> tuple[dict[str, str], set[str]]:
    markers: dict[str, str] = {}
    shown: set[str] = set()
    counter = iter(range(10_000))
    # 1. every existing {instructor} block (facilitation notes) + a new one per lesson
    for lesson in sorted((book / "lessons").glob("*.md")):
        text = lesson.read_text(encoding="utf-8")

        def add(match: re.Match[str], name: str = lesson.name) -> str:
            m = marker("block", next(counter))
            markers[m] = f"{{instructor}} block in {name}"
            shown.add(m)
            return f"{match.group(0)}{m}\n\n"

        text = re.sub(r"^(:{3,}|`{3,})\{instructor\}[^\n]*\n", add, text, flags=re.MULTILINE)
        m = marker("newblock", next(counter))
        markers[m] = f"new {{instructor}} block in {lesson.name}"
        shown.add(m)
        lesson.write_text(text + f"\n:::{{instructor}}\nFacilitation {m}.\n:::\n",
                          encoding="utf-8")
    # 2. the instructor guide (in the instructor table of contents only)
    guide = book / "instructor-guide.md"
    if guide.is_file():
        m = marker("guide", next(counter))
        markers[m] = "instructor-guide.md"
        shown.add(m)
        guide.write_text(guide.read_text(encoding="utf-8") + f"\n\nGuide note {m}.\n",
                         encoding="utf-8")
    # 3. quiz files: instructor notes, explanations, option feedback, accepted answers
    yaml = YAML(typ="rt")
    yaml.width = 4096
    for path in sorted((book / "quizzes").glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        for q in data["questions"]:
            where = f"{path.name}:{q['id']}"
            m = marker("note", next(counter))
            q["instructor_note"] = f"{q.get('instructor_note') or 'Note'} {m}"
            markers[m], _ = f"instructor_note {where}", shown.add(m)
            m = marker("why", next(counter))
            q["explanation"] = f"{q.get('explanation') or 'Because'} {m}"
            markers[m], _ = f"explanation (sealed) {where}", shown.add(m)
            for option in q.get("options") or []:
                m = marker("fb", next(counter))
                option["feedback"] = f"{option.get('feedback') or 'See'} {m}"
                markers[m] = f"option feedback (sealed) {where}:{option['id']}"
                if not option["correct"]:
                    shown.add(m)  # the key explains each wrong option
            if q["type"] == "short_text":
                m = marker("accept", next(counter)).lower()  # answers are compared lowercased
                q["accept"].append(m)
                markers[m] = f"accepted answer (digest only) {where}"
                shown.add(m)
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle)
    return markers, shown


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    book = tmp_path_factory.mktemp("leak") / "book"
    shutil.copytree(ROOT, book, ignore=lambda d, names: [n for n in names if n in SKIP]
                    if Path(d) == ROOT else [])
    markers, keyed = plant(book)
    out = book / "_build" / "export"
    export(Options(book=book, out=out, edition="all", pdf=True, strict=False),
           say=lambda _: None)
    student_html = editions.build_edition(book, "student", "html",
                                          book / "_build" / ".leak-work", strict=False).output
    # Publish only the HTML folder: the byproducts stay out, as for `make book`.
    published = book / "_build" / "html"
    editions.copy_site(student_html, published)
    files = [p for p in [*published.rglob("*"), *(out / "student").rglob("*")] if p.is_file()]
    return Planted(book, files, out / "instructor", markers, keyed)


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
