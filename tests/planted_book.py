"""The planted book: a copy of the course book with a marker in every instructor-only place,
exported once (both editions: HTML, PDFs, notebooks, LMS, zip) with its student HTML book.

Shared by test_leak.py (no marker in any student file), test_export_pipeline.py (the
outputs) and test_print_layout.py (the PDFs' layout) through the session fixture `planted`
in conftest.py: one export per test run, not one per module that uses it.
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

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


def build_planted(root: Path) -> Planted:
    """Copy the book into `root`, plant the markers, export both editions and build the
    student HTML book."""
    book = root / "book"
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
