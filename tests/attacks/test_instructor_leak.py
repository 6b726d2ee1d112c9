"""Attack: instructor text nested at every depth, in every container, never reaches a student.

A copy of the course book gets two extra lessons: `lessons/90-nesting.md` (MyST
Markdown) and `lessons/91-nesting.ipynb` (a MyST notebook). Each holds cases built
from

- hidden forms: `{instructor}` (with and without a title), `{only} instructor`,
  `{only} not student`, each of the two inside the other, an instructor-only figure
  (alt text and caption), and in `{instructor}` and in `{only} instructor` a label, a
  named figure, a glossary term, a paragraph label and an index entry (what would
  reach `objects.inv` and the general index);
- containers that can hold content: list item, nested list item, numbered item,
  block quote, `{note}`, titled `{admonition}`, admonition with the dropdown class,
  sphinx-design dropdown, tab set, card and grid card, list-table cell, definition,
  figure legend, `{discussion}`, `{para}`, `{container}`, `{only} html`, and at the
  top level also footnote, `{topic}`, `{sidebar}` and `{margin}`;

every hidden form in every container, every pair of containers (the Markdown lesson),
and chains four containers deep. Each container shows a visible marker (so a case that
did not render cannot pass) and each hidden form one or two hidden markers.

The copy is built as the student book and exported (`quizbook export`, both editions:
HTML, PDFs, LMS files, notebooks, zip). Every byte a student can receive (the
published HTML with its search index, inventory (`objects.inv`, decompressed), general
index and notebooks under `_downloads/`, the student
PDF's text, the student notebooks, any zip, the LMS files) must hold no hidden marker;
the instructor HTML and notebooks hold every one, and the student HTML and notebooks
every visible marker.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader
from ruamel.yaml import YAML

from quizbook.export import editions
from quizbook.export.pipeline import Options, export

ROOT = Path(__file__).resolve().parents[2]
TAG = uuid.uuid4().hex[:8]
SKIP = {"_build", ".venv", "node_modules", ".git", "tests", ".pytest_cache", ".mypy_cache",
        ".ruff_cache", ".hypothesis", "src", "docs", ".ci", "types", "benchmarks"}
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
                       "WjR9awAAAABJRU5ErkJggg==")
LESSON_MD, LESSON_NB = "90-nesting", "91-nesting"


# -- the cases ----------------------------------------------------------------------------------


@dataclass
class Case:
    name: str  # e.g. "list > note / only-instructor"
    markdown: str
    hidden: list[str] = field(default_factory=list)  # instructor-only text
    visible: list[str] = field(default_factory=list)  # what every student sees
    labels: list[str] = field(default_factory=list)  # instructor-only ids and alt texts
    indexed: list[str] = field(default_factory=list)  # instructor-only index entries

    @property
    def secret(self) -> list[str]:
        """Every marker no student file may hold."""
        return [*self.hidden, *self.labels, *self.indexed]


class Markers:
    """Single-token markers (no hyphens: PDF line breaks and search stemming keep them whole).
    They end in digits so no stemmer trims them; scans look for the part before `Q9`."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.n = 0

    def new(self, kind: str) -> str:
        self.n += 1
        return f"{kind}MARK{self.prefix}{self.n:04d}X{TAG}Q9"


def needle(marker: str) -> str:
    return marker[:-2].lower()


def fence(inner: str) -> str:
    """A colon fence longer than every fence inside `inner`."""
    runs = [len(m) for m in re.findall(r"^\s*(:{3,})", inner, re.MULTILINE)]
    return ":" * max(3, max(runs, default=0) + 1)


def indent(text: str, width: int) -> str:
    return "\n".join((" " * width + line) if line.strip() else "" for line in text.split("\n"))


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


@dataclass
class Form:
    """A hidden form: its Markdown and the markers only the instructor may see."""

    markdown: str
    text: list[str]  # text on the instructor's page, notebook and PDF
    labels: list[str] = field(default_factory=list)  # ids: page, notebook anchors, objects.inv
    indexed: list[str] = field(default_factory=list)  # the general index only


Hidden = Callable[[Markers], Form]


def _instructor(m: Markers) -> Form:
    h = m.new("HIDE")
    return Form(f":::{{instructor}}\nFacilitation {h} text.\n:::", [h])


def _instructor_title(m: Markers) -> Form:
    title, h = m.new("HIDE"), m.new("HIDE")
    return Form(f":::{{instructor}} Notes {title}\nFacilitation {h} text.\n:::", [title, h])


def _only_instructor(m: Markers) -> Form:
    h = m.new("HIDE")
    return Form(f":::{{only}} instructor\nOnly {h} text.\n:::", [h])


def _only_not_student(m: Markers) -> Form:
    h = m.new("HIDE")
    return Form(f":::{{only}} not student\nOnly {h} text.\n:::", [h])


def _instructor_in_only(m: Markers) -> Form:
    h1, h2 = m.new("HIDE"), m.new("HIDE")
    inner = f":::{{instructor}}\nBoth {h2} text.\n:::"
    return Form(f"::::{{only}} instructor\nOuter {h1} text.\n\n{inner}\n::::", [h1, h2])


def _only_in_instructor(m: Markers) -> Form:
    h1, h2 = m.new("HIDE"), m.new("HIDE")
    inner = f":::{{only}} instructor\nBoth {h2} text.\n:::"
    return Form(f"::::{{instructor}}\nOuter {h1} text.\n\n{inner}\n::::", [h1, h2])


def _instructor_figure(m: Markers) -> Form:
    alt, caption = m.new("HIDE"), m.new("HIDE")
    figure = f":::{{figure}} nestdot.png\n:alt: Dot {alt}\n\nCaption {caption}.\n:::"
    return Form(f"::::{{instructor}}\n{figure}\n::::", [caption], labels=[alt])


def _targets(m: Markers, directive: str) -> Form:
    """A label, a named figure, a glossary term, a paragraph label and an index entry:
    what reaches objects.inv and the general index when it is parsed."""
    label, text, figure, caption, term, para, entry = (m.new("HIDE") for _ in range(7))
    body = (f"({label.lower()})=\nLabelled {text} text.\n\n"
            f":::{{figure}} nestdot.png\n:name: {figure.lower()}\n:alt: Dot\n\n"
            f"Caption {caption}.\n:::\n\n"
            f":::{{glossary}}\n{term}\n  A term only the instructor sees.\n:::\n\n"
            f":::{{para}} {para.lower()}\nA paragraph.\n:::\n\n"
            f":::{{index}} {entry}\n:::")
    return Form(f"::::{directive}\n{body}\n::::", [text, caption, term],
                labels=[label, figure, para], indexed=[entry])


def _only_instructor_targets(m: Markers) -> Form:
    return _targets(m, "{only} instructor")


def _instructor_targets(m: Markers) -> Form:
    return _targets(m, "{instructor}")


HIDDEN: dict[str, Hidden] = {
    "instructor": _instructor, "instructor-title": _instructor_title,
    "only-instructor": _only_instructor, "only-not-student": _only_not_student,
    "instructor-in-only": _instructor_in_only, "only-in-instructor": _only_in_instructor,
    "instructor-figure": _instructor_figure,
    "only-instructor-targets": _only_instructor_targets,
    "instructor-targets": _instructor_targets,
}

Wrapper = Callable[[str, str, str], str]  # (inner, visible marker, case key) -> Markdown


def _directive(head: str, body: str, inner: str) -> str:
    f = fence(inner)
    return f"{f}{head}\n{body}\n\n{inner}\n{f}"


def _two_level(outer: str, head: str, body: str, inner: str) -> str:
    f = fence(inner)
    f2 = f + ":"
    return f"{f2}{outer}\n{f}{head}\n{body}\n\n{inner}\n{f}\n{f2}"


WRAPPERS: dict[str, Wrapper] = {
    "list": lambda inner, v, n: f"- Item {v}\n\n{indent(inner, 2)}",
    "nested-list": lambda inner, v, n: f"- Outer item\n  - Inner {v}\n\n{indent(inner, 4)}",
    "numbered": lambda inner, v, n: f"1. Step {v}\n\n{indent(inner, 3)}",
    "blockquote": lambda inner, v, n: quote(f"Quoted {v}\n\n{inner}"),
    "note": lambda inner, v, n: _directive("{note}", f"Note {v}", inner),
    "admonition": lambda inner, v, n: _directive(f"{{admonition}} Title {v}", "Body.", inner),
    "dropdown-class": lambda inner, v, n: _directive("{admonition} Open me",
                                                     f":class: dropdown\n\nDrop {v}", inner),
    "sd-dropdown": lambda inner, v, n: _directive(f"{{dropdown}} Open {v}", "Body.", inner),
    "tab-set": lambda inner, v, n: _two_level("{tab-set}", f"{{tab-item}} Tab {v}", "Body.",
                                              inner),
    "card": lambda inner, v, n: _directive(f"{{card}} Card {v}", "Body.", inner),
    "grid-card": lambda inner, v, n: _two_level("{grid} 1", f"{{grid-item-card}} Card {v}",
                                                "Body.", inner),
    "list-table": lambda inner, v, n: (
        f"{fence(inner)}{{list-table}}\n:header-rows: 1\n\n* - Head\n  - Head\n"
        f"* - Cell {v}\n  - Cell\n\n{indent(inner, 4)}\n{fence(inner)}"),
    "definition": lambda inner, v, n: f"Term {v}\n: Definition.\n\n{indent(inner, 2)}",
    "figure-legend": lambda inner, v, n: _directive(
        "{figure} nestdot.png", f":alt: Dot {v}\n\nCaption {v}.", inner),
    "discussion": lambda inner, v, n: _directive("{discussion}", f"Prompt {v}?", inner),
    "para": lambda inner, v, n: _directive(f"{{para}} pnest{n}", f"Paragraph {v}.", inner),
    "container": lambda inner, v, n: _directive("{container} box", f"Boxed {v}.", inner),
    "only-html": lambda inner, v, n: _directive("{only} html", f"Web {v}.", inner),
}
#: Containers that docutils or MyST allow only at the top level of a page.
TOP_ONLY: dict[str, Wrapper] = {
    "footnote": lambda inner, v, n: (f"Footnoted {v}[^fn{n}].\n\n[^fn{n}]: Footnote text.\n\n"
                                     f"{indent(inner, 4)}"),
    "topic": lambda inner, v, n: _directive(f"{{topic}} Topic {v}", "Body.", inner),
    "sidebar": lambda inner, v, n: _directive(f"{{sidebar}} Side {v}", "Body.", inner),
    "margin": lambda inner, v, n: _directive(f"{{margin}} Margin {v}", "Body.", inner),
}


def case(chain: list[str], hidden: str, m: Markers, number: int) -> Case:
    key = f"{m.prefix.lower()}{number}"  # unique in the book: labels, footnotes
    form = HIDDEN[hidden](m)
    text = form.markdown
    visible: list[str] = []
    for name in reversed(chain):
        wrap = WRAPPERS.get(name) or TOP_ONLY[name]
        v = m.new("SEEN")
        visible.append(v)
        text = wrap(text, v, key)
    label = m.new("SEEN")  # a plain paragraph before the case: always shown
    visible.append(label)
    return Case(f"{' > '.join(chain)} / {hidden}", f"Case {label}.\n\n{text}",
                form.text, visible, form.labels, form.indexed)


def cases(prefix: str, pairs: bool) -> list[Case]:
    m = Markers(prefix)
    out: list[Case] = []
    every = [*WRAPPERS, *TOP_ONLY]
    hidden = list(HIDDEN)
    for wrapper in every:  # every hidden form in every container
        for form in hidden:
            out.append(case([wrapper], form, m, len(out)))
    if pairs:  # every container inside every container
        for i, outer in enumerate(every):
            for j, inner in enumerate(WRAPPERS):
                out.append(case([outer, inner], hidden[(i + j) % len(hidden)], m, len(out)))
    names = list(WRAPPERS)
    for k, outer in enumerate(every):  # four deep
        chain = [outer] + [names[(k + d * 5) % len(names)] for d in (1, 2, 3)]
        out.append(case(chain, hidden[k % len(hidden)], m, len(out)))
    return out


#: The Markdown lesson's quiz (the book's check wants one for every lesson).
QUIZ = f"""\
id: l90-nesting
lesson: {LESSON_MD}
title: Nesting attack
objectives:
  - {{id: lo1, text: Read the nesting lesson.}}
  - {{id: lo2, text: Read it again.}}
questions:
  - id: q1
    type: single
    objective: lo1
    source: pnest-source
    prompt: Which option is right?
    options:
      - {{id: a, text: The first, correct: true, feedback: Yes.}}
      - {{id: b, text: The second, correct: false, feedback: No.}}
      - {{id: c, text: The third, correct: false, feedback: No.}}
  - id: q2
    type: true_false
    objective: lo2
    source: pnest-source
    prompt: The lesson has cases. True or false?
    answer: true
    feedback: {{true: Yes., false: No.}}
"""


def markdown_lesson(title: str, found: list[Case]) -> str:
    source = ":::{para} pnest-source\nThe paragraph the quiz points at.\n:::"
    quiz = "```{quiz} ../quizzes/l90-nesting.yml\n```"
    return f"# {title}\n\n{source}\n\n" + "\n\n".join(c.markdown for c in found) \
        + f"\n\n{quiz}\n"


def notebook_lesson(title: str, found: list[Case]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}"))
    for n, c in enumerate(found):
        nb.cells.append(nbformat.v4.new_markdown_cell(c.markdown))
        if n % 40 == 0:
            nb.cells.append(nbformat.v4.new_code_cell(f"step = {n}"))
    return str(nbformat.writes(nb))


# -- the planted book ---------------------------------------------------------------------------


@dataclass
class Planted:
    book: Path
    export: Path
    site: Path  # the published student HTML
    md_cases: list[Case]
    nb_cases: list[Case]

    @property
    def all_cases(self) -> list[Case]:
        return self.md_cases + self.nb_cases


def add_to_tocs(book: Path, files: list[str]) -> None:
    yaml = YAML(typ="rt")
    for name in ("_toc.yml", "_toc_instructor.yml"):
        path = book / name
        data = yaml.load(path.read_text(encoding="utf-8"))
        chapters = data["chapters"]
        at = max(n for n, c in enumerate(chapters) if str(c["file"]).startswith("lessons/")) + 1
        for offset, file in enumerate(files):
            chapters.insert(at + offset, {"file": file})
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    book = tmp_path_factory.mktemp("nesting") / "book"
    shutil.copytree(ROOT, book, ignore=lambda d, names: [n for n in names if n in SKIP]
                    if Path(d) == ROOT else [])
    md_cases, nb_cases = cases("M", pairs=True), cases("N", pairs=False)
    (book / "lessons" / "nestdot.png").write_bytes(PNG)
    (book / "lessons" / f"{LESSON_MD}.md").write_text(
        markdown_lesson("Nesting attack (Markdown)", md_cases), encoding="utf-8")
    (book / "quizzes" / "l90-nesting.yml").write_text(QUIZ, encoding="utf-8")
    (book / "lessons" / f"{LESSON_NB}.ipynb").write_text(
        notebook_lesson("Nesting attack (notebook)", nb_cases), encoding="utf-8")
    add_to_tocs(book, [f"lessons/{LESSON_MD}", f"lessons/{LESSON_NB}"])
    out = book / "_build" / "export"
    export(Options(book=book, out=out, edition="all", pdf=True, strict=True),
           say=lambda _: None)
    student = editions.build_edition(book, "student", "html", book / "_build" / ".nest-work",
                                     strict=True).output
    site = book / "_build" / "html"
    editions.copy_site(student, site)
    return Planted(book, out, site, md_cases, nb_cases)


# -- reading every byte -------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def file_text(path: Path) -> str:
    """A file's bytes as text, plus the text of a PDF and of every member of a zip; all
    white space removed (a marker broken over two PDF lines is still found), lowercased
    (the search index lowercases words)."""
    raw = path.read_bytes()
    parts = [raw.decode("utf-8", errors="replace")]
    if path.name == "objects.inv":  # four lines of header, then zlib
        parts.append(zlib.decompress(raw.split(b"\n", 4)[4]).decode("utf-8", "replace"))
    if path.suffix == ".pdf":
        parts.append(pdf_text(raw))
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                member = archive.read(name)
                parts.append(member.decode("utf-8", errors="replace"))
                if name.endswith(".pdf"):
                    parts.append(pdf_text(member))
    return "".join("\n".join(parts).split()).lower()


def student_files(p: Planted) -> list[Path]:
    """Everything a student can be handed: the published book, the student export and the
    LMS files (which the LMS shows to students)."""
    folders = [p.site, p.export / "student", p.export / "instructor" / "lms"]
    return sorted(f for folder in folders for f in folder.rglob("*") if f.is_file())


# -- the attack ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_cases_cover_every_container_and_hidden_form(planted: Planted) -> None:
    names = {c.name for c in planted.all_cases}
    for wrapper in [*WRAPPERS, *TOP_ONLY]:
        for form in HIDDEN:
            assert f"{wrapper} / {form}" in names
    assert any(len(c.name.split(" > ")) == 4 for c in planted.md_cases)
    assert any(len(c.name.split(" > ")) == 2 for c in planted.md_cases)
    assert len(planted.md_cases) >= 400 and len(planted.nb_cases) >= 150
    hidden = [h for c in planted.all_cases for h in c.secret]
    assert len(hidden) == len(set(hidden))


@pytest.mark.slow
def test_no_student_byte_holds_a_hidden_marker(planted: Planted) -> None:
    files = student_files(planted)
    names = {f.name for f in files}
    suffixes = {f.suffix for f in files}
    # The scan is not vacuous: pages, the search index, notebooks, the PDF, LMS files, zips.
    assert {"searchindex.js", "objects.inv", "genindex.html", f"{LESSON_MD}.html",
            f"{LESSON_NB}.html", f"{LESSON_MD}.ipynb", f"{LESSON_NB}.ipynb",
            "quizbook-student.pdf", "quizbook-qti.zip", "quizbook-moodle.xml"} <= names, names
    assert {".html", ".js", ".ipynb", ".pdf", ".zip", ".xml"} <= suffixes
    downloads = [f for f in files if "_downloads" in f.parts and f.suffix == ".zip"]
    assert {f.stem for f in downloads} >= {LESSON_MD, LESSON_NB}  # zips: read member by member
    hidden = {needle(h): c.name for c in planted.all_cases for h in c.secret}
    leaks = []
    for path in files:
        text = file_text(path)
        leaks += [f"{path.relative_to(planted.book)}: {name}"
                  for mark, name in hidden.items() if mark in text]
        if "hidemark" in text:  # any hidden marker, even one this run did not plant
            leaks.append(f"{path.relative_to(planted.book)}: a HIDEMARK")
    assert leaks == []


@pytest.mark.slow
def test_every_case_rendered_for_students(planted: Planted) -> None:
    """The visible text of every container is in the student page and its notebook (so the
    cases were really built, and the notebook lowered every container)."""
    for lesson, found in ((LESSON_MD, planted.md_cases), (LESSON_NB, planted.nb_cases)):
        page = file_text(planted.site / "lessons" / f"{lesson}.html")
        notebook = file_text(planted.export / "student" / "notebooks" / f"{lesson}.ipynb")
        with zipfile.ZipFile(planted.site / "_downloads" / "notebooks" / f"{lesson}.zip") as z:
            shipped = z.read(f"{lesson}/{lesson}.ipynb")
        assert shipped == \
            (planted.export / "student" / "notebooks" / f"{lesson}.ipynb").read_bytes()
        missing_page = [c.name for c in found for v in c.visible if needle(v) not in page]
        missing_nb = [c.name for c in found for v in c.visible if needle(v) not in notebook]
        assert missing_page == [] and missing_nb == []
    pdf = file_text(planted.export / "student" / "pdf" / "quizbook-student.pdf")
    printed = [c for c in planted.md_cases
               if c.name.split(" / ")[0] in {"list", "blockquote", "note", "para"}]
    assert printed and all(needle(v) in pdf for c in printed for v in c.visible)


@pytest.mark.slow
def test_instructor_outputs_hold_every_hidden_marker(planted: Planted) -> None:
    instructor = planted.export / "instructor"
    for lesson, found in ((LESSON_MD, planted.md_cases), (LESSON_NB, planted.nb_cases)):
        page = file_text(instructor / "html" / "lessons" / f"{lesson}.html")
        notebook = file_text(instructor / "notebooks" / f"{lesson}.ipynb")
        shown = [(c.name, h) for c in found for h in [*c.hidden, *c.labels]]
        missing_page = [name for name, h in shown if needle(h) not in page]
        missing_nb = [name for name, h in shown if needle(h) not in notebook]
        assert missing_page == [] and missing_nb == []
    # Labels, glossary terms and index entries reach the instructor's inventory and index.
    inventory = file_text(instructor / "html" / "objects.inv")
    index = file_text(instructor / "html" / "genindex.html")
    targets = [c for c in planted.all_cases if c.indexed]
    assert targets and all(needle(h) in inventory for c in targets for h in c.labels)
    assert all(needle(h) in index for c in targets for h in c.indexed)
    archive = file_text(instructor / "quizbook-instructor.zip")
    assert all(needle(h) in archive for c in planted.md_cases for h in [*c.hidden, *c.labels])
    pdf = file_text(instructor / "pdf" / "quizbook-instructor.pdf")
    printed = [c for c in planted.md_cases
               if c.name.split(" / ")[0] in {"list", "blockquote", "note", "para"}]
    assert printed and all(needle(h) in pdf for c in printed for h in c.hidden)


@pytest.mark.slow
def test_nothing_unpublishable_in_the_student_outputs(planted: Planted) -> None:
    bad = [p for p in student_files(planted) if set(p.parts) & editions.NEVER_PUBLISH]
    assert bad == []
    # The source notebook lesson is never published as it is (it is not a student file).
    assert not [p for p in student_files(planted) if p.name == f"{LESSON_NB}.ipynb"
                and "_downloads" not in p.parts and "notebooks" not in p.parts]
