"""Lessons as notebooks, made from the page's resolved doctree.

Fast lane: small Sphinx projects built in-process (`sphinx.testing`) with
`quizbook.notebooks.sphinx`: structure, the quiz cell, one answer key shared with the
HTML, `{only}` evaluated by Sphinx, escaping, figures, notebook (.ipynb) sources.
Slow lane (`-m slow`): `write_notebooks` on the minimal book, the course book's
notebooks (every lesson, no instructor text, the page links), nbval in a real kernel.
The nesting attack matrix is in tests/attacks/test_instructor_leak.py.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import nbformat
import pytest
from markdown_it import MarkdownIt
from sphinx.testing.util import SphinxTestApp

from quizbook.bundle import make_bundle
from quizbook.load import load_quiz
from quizbook.notebooks import (
    HELPER_NAME,
    NotebookError,
    lesson_zip,
    write_helper,
    write_notebooks,
)
from quizbook.notebooks.quiz_cell import QUIZ_HEADING_LEVEL, quiz_cells
from quizbook.sphinx.render import quiz_html
from tests.kernel_support import without_quizbook

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "books" / "minimal"
SECRET = "SECRET-INSTRUCTOR-TEXT"

#: Its own `source_suffix`: myst_nb adds ".md" to Sphinx's shared default dict otherwise,
#: and later in-process builds in this pytest process would read Markdown without a parser
#: (see tests/inprocess.py, CONF_PY).
CONF = """\
source_suffix = {".rst": "restructuredtext"}
extensions = ["myst_nb", "sphinx_design", "quizbook.sphinx", "quizbook.notebooks.sphinx"]
myst_enable_extensions = ["colon_fence", "deflist"]
nb_execution_mode = "off"
exclude_patterns = ["_build"]
html_theme = "basic"
myst_disable_syntax = ["html_block", "html_inline"]  # as the course book: HTML is text
"""

QUIZ = """\
id: tiny-quiz
lesson: 01-tiny
title: A tiny quiz
objectives:
  - {id: lo1, text: Recall the dates.}
questions:
  - id: q1
    type: single
    objective: lo1
    source: p46-1-1
    prompt: When did the strikes begin?
    options:
      - {id: a, text: "30 September 2015", correct: true, feedback: Yes.}
      - {id: b, text: March 2011, correct: false, feedback: That is the uprising.}
    explanation: The first strikes were flown on 30 September 2015.
    instructor_note: Students often say 2011.
  - id: q2
    type: numeric
    objective: lo1
    source: p46-1-1
    prompt: In which year did the strikes begin?
    answer: 2015
    tolerance: 1
"""

LESSON = """\
# 46.1 A tiny lesson

:::{para} p46-1-1
Russian strikes in Syria began on 30 September 2015.
:::

See {ref}`p46-1-1` for the start.

:::{discussion}
:minutes: think 2, pair 3, share 5
Why might a state choose an air campaign?
:::

::::{instructor}
SECRET-INSTRUCTOR-TEXT: steer towards cost and risk.

:::{para} p46-1-9
A paragraph only the instructor sees.
:::
::::

```{quiz} ../quizzes/q.yml
```
"""

INDEX = "# Home\n\n```{toctree}\n:glob:\n\nlessons/*\n```\n"


@dataclass
class Built:
    html: Path  # the HTML output folder
    warnings: str

    def download(self, lesson: str = "01-tiny") -> dict[str, bytes]:
        """The lesson's download: a zip of the notebook and the helper it needs."""
        with zipfile.ZipFile(self.html / "_downloads" / "notebooks" / f"{lesson}.zip") as z:
            return {name: z.read(name) for name in z.namelist()}

    def notebook(self, lesson: str = "01-tiny") -> Any:
        text = self.download(lesson)[f"{lesson}/{lesson}.ipynb"].decode("utf-8")
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        return nb

    def page(self, lesson: str = "01-tiny") -> str:
        return (self.html / "lessons" / f"{lesson}.html").read_text(encoding="utf-8")


def build(tmp_path: Path, pages: dict[str, str], edition: str = "student",
          files: dict[str, bytes] | None = None, quiz: str = QUIZ) -> Built:
    """Build a small Sphinx project in-process; `pages` maps paths to Markdown (or
    notebook JSON for `.ipynb`)."""
    src = tmp_path / f"src-{edition}"
    if src.exists():
        shutil.rmtree(src)
    (src / "quizzes").mkdir(parents=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "index.md").write_text(INDEX, encoding="utf-8")
    (src / "quizzes" / "q.yml").write_text(quiz, encoding="utf-8")
    for name, text in pages.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    for name, data in (files or {}).items():
        (src / name).write_bytes(data)
    warnings = io.StringIO()
    app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / f"out-{edition}",
                        freshenv=True, confoverrides={"quizbook_edition": edition},
                        status=io.StringIO(), warning=warnings)
    try:
        app.build()
    finally:
        app.cleanup()
    return Built(Path(app.outdir), warnings.getvalue())


def sources(nb: Any) -> str:
    return "\n".join(c.source for c in nb.cells)


def quiz_markup(cell: Any) -> tuple[str, str]:
    """The quiz id and markup a quiz cell passes to show_quiz (the cell is parsed, not run)."""
    tree = ast.parse(cell.source)
    call = tree.body[-1]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert isinstance(call.value.func, ast.Name) and call.value.func.id == "show_quiz"
    quiz_id, markup = call.value.args
    assert isinstance(quiz_id, ast.Constant) and isinstance(quiz_id.value, str)
    assert isinstance(markup, ast.Constant) and isinstance(markup.value, str)
    return quiz_id.value, markup.value


def quiz_call(cell: Any) -> dict[str, Any]:
    """The student bundle inside the markup a quiz cell shows."""
    _, markup = quiz_markup(cell)
    found = re.search(r"<script type=\"application/json\" data-quizbook-bundle>(.*?)</script>",
                      markup)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def rendered(markdown: str) -> str:
    """A Markdown cell as HTML, the way a notebook front-end reads it (raw HTML allowed)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    tmp = tmp_path_factory.mktemp("tiny")
    return {e: build(tmp, {"lessons/01-tiny.md": LESSON}, e) for e in ("student", "instructor")}


# -- structure ---------------------------------------------------------------------------------


def test_student_notebook_structure(tiny: dict[str, Built]) -> None:
    built = tiny["student"]
    assert built.warnings == ""
    cs = built.notebook().cells
    assert cs[0].metadata["tags"] == ["quizbook-intro"]  # what the notebook needs comes first
    assert "`anywidget` and `ipywidgets`" in cs[0].source and f"`{HELPER_NAME}`" in cs[0].source
    assert cs[1].cell_type == "markdown" and cs[1].source == "# 46.1 A tiny lesson"
    assert cs[2].source == ('<a id="p46-1-1"></a>**¶ 46.1.1** Russian strikes in Syria began '
                            "on 30 September 2015.")
    assert "See [¶ 46.1.1](#p46-1-1) for the start." in sources(built.notebook())
    disc = next(c for c in cs if "Discussion (10 minutes)" in c.source)
    assert disc.source.startswith("### Discussion (10 minutes)\n\nWhy might a state choose")
    assert "1. Think: 2 minutes\n2. Pair: 3 minutes\n3. Share: 5 minutes" in disc.source
    code = [c for c in cs if c.cell_type == "code"]
    assert [c.metadata["tags"] for c in code] == [["quizbook-notes"], ["quizbook-quiz"]]
    assert "notes_box('01-tiny', '1')" in code[0].source
    assert cs.index(code[0]) == cs.index(disc) + 1  # the notes box follows its prompt
    assert code[1].metadata["jupyter"] == {"source_hidden": True}
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert [c.id for c in cs] == [f"01-tiny-{n}" for n in range(1, len(cs) + 1)]
    nb = built.notebook()
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["quizbook"] == {"lesson": "01-tiny", "edition": "student",
                                       "quizzes": ["tiny-quiz"]}


def test_page_links_its_notebook(tiny: dict[str, Built]) -> None:
    for edition, built in tiny.items():
        page = lxml.html.fromstring(built.page())
        links = page.xpath('//a[contains(@class, "qb-notebook-download")]')
        assert len(links) == 1
        assert links[0].get("href") == "../_downloads/notebooks/01-tiny.zip"
        assert links[0].get("download") == ""
        label = "the instructor edition" if edition == "instructor" else "a Jupyter notebook"
        assert f"Download this lesson as {label} (01-tiny.zip)" in links[0].text_content()
        assert f"Keep 01-tiny.ipynb and {HELPER_NAME} in one folder" in page.text_content()
        # The zip holds the notebook and the helper it needs, in a folder named after it.
        assert sorted(built.download()) == ["01-tiny/01-tiny.ipynb", f"01-tiny/{HELPER_NAME}"]
        # The link is on the page, never inside the notebook it points to.
        assert "Download this lesson" not in sources(built.notebook())
    index = (tiny["student"].html / "index.html").read_text(encoding="utf-8")
    assert "qb-notebook-download" not in index  # only lesson pages have notebooks


def test_quiz_cell_embeds_exactly_the_student_bundle(tiny: dict[str, Built],
                                                     tmp_path: Path) -> None:
    (tmp_path / "q.yml").write_text(QUIZ, encoding="utf-8")
    quiz = load_quiz(tmp_path / "q.yml")
    for built in tiny.values():
        cell = next(c for c in built.notebook().cells
                    if "quizbook-quiz" in c.metadata.get("tags", []))
        assert "from quizbook_widget import show_quiz" in cell.source
        assert quiz_markup(cell) == ("tiny-quiz", quiz_html(make_bundle(quiz),
                                                            QUIZ_HEADING_LEVEL))
        assert quiz_call(cell) == make_bundle(quiz)
    made = quiz_cells(tmp_path / "q.yml", "student")
    assert [c.cell_type for c in made] == ["markdown", "code"]
    assert all("id" not in c for c in made)


def test_student_edition_has_no_key_and_no_instructor_text(tiny: dict[str, Built]) -> None:
    student = tiny["student"].notebook()
    text = json.dumps(student)
    for secret in (SECRET, "A paragraph only the instructor sees", "Students often say 2011",
                   "The first strikes were flown", "p46-1-9", "Answer key", "That is the"):
        assert secret not in text, secret
    assert '\\"correct\\"' not in text and '"correct":' not in text


def test_instructor_edition_adds_notes_and_the_pages_key(tiny: dict[str, Built]) -> None:
    nb = tiny["instructor"].notebook()
    text = sources(nb)
    assert f"> **🎓 For the instructor**\n>\n> {SECRET}: steer towards cost and risk." in text
    assert '<a id="p46-1-9"></a>**¶ 46.1.9** A paragraph only the instructor sees.' in text
    assert "Instructor edition" in nb.cells[0].source
    key = next(c.source for c in nb.cells if c.source.startswith("### Answer key"))
    assert key.startswith("### Answer key: A tiny quiz\n\n1. **Question 1** (single, 1 point): "
                          "When did the strikes begin?")
    assert "**Instructor note:** Students often say 2011." in key
    assert "**Source:** [¶ 46.1.1](#p46-1-1) (p46-1-1)" in key
    # One rendering: every line of the page's key is in the notebook's key, word for word
    # (the numeric tolerance read "2015 (± 1)" on the page and "from 2014 to 2016" in the
    # notebook when there were two renderings).
    page = lxml.html.fromstring(tiny["instructor"].page())
    items = page.xpath('//*[contains(@class, "qb-key-q")]')
    assert len(items) == 2
    shown = " ".join(rendered_text(key).split())
    for item in items:
        for para in item.xpath(".//p"):
            line = " ".join(para.text_content().split())
            assert line in shown, line
    assert "Answer: 2015 (± 1)" in shown


def rendered_text(markdown: str) -> str:
    return lxml.html.fromstring(f"<div>{rendered(markdown)}</div>").text_content()


def test_same_doctree_gives_the_same_bytes(tmp_path: Path, tiny: dict[str, Built]) -> None:
    again = build(tmp_path, {"lessons/01-tiny.md": LESSON}, "student")
    path = Path("_downloads", "notebooks", "01-tiny.zip")
    assert (again.html / path).read_bytes() == (tiny["student"].html / path).read_bytes()


NEEDS = ("This notebook needs the file quizbook_widget.py next to it (it comes in the lesson's "
         "zip download) and the Python packages anywidget and ipywidgets (pip install anywidget "
         "ipywidgets). Missing: ")


@pytest.mark.parametrize(("absent", "message"), [
    ("quizbook_widget", NEEDS + "quizbook_widget"),
    ("anywidget", NEEDS + "anywidget"),
])
def test_kernel_without_what_it_needs_gets_a_plain_message(
        tiny: dict[str, Built], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, absent: str,
        message: str) -> None:
    monkeypatch.setitem(sys.modules, absent, None)  # the import fails as if absent
    if absent != "quizbook_widget":
        write_helper(tmp_path)
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delitem(sys.modules, "quizbook_widget", raising=False)
    code = [c for c in tiny["student"].notebook().cells if c.cell_type == "code"]
    assert len(code) == 2
    for cell in code:
        with pytest.raises(ModuleNotFoundError, match=f"^{re.escape(message)}$"):
            exec(compile(cell.source, "cell", "exec"), {})


# -- {only} is Sphinx's, escaping, figures, notebook sources ------------------------------------


ONLY = """\
# Only

```{only} instructor
ONLY-INSTRUCTOR
```

```{only} not instructor
ONLY-NOT-INSTRUCTOR
```

```{only} student and html
ONLY-STUDENT-HTML
```

```{only} latex
ONLY-LATEX
```

```{only} instructor or latex
ONLY-INSTRUCTOR-OR-LATEX
```
"""


@pytest.mark.parametrize("edition,shown", [
    ("student", {"ONLY-NOT-INSTRUCTOR", "ONLY-STUDENT-HTML"}),
    ("instructor", {"ONLY-INSTRUCTOR", "ONLY-INSTRUCTOR-OR-LATEX"}),
])
def test_only_is_evaluated_by_sphinx_as_for_the_page(tmp_path: Path, edition: str,
                                                     shown: set[str]) -> None:
    built = build(tmp_path, {"lessons/01-tiny.md": ONLY}, edition)
    notebook, page = sources(built.notebook("01-tiny")), built.page()
    for word in ("ONLY-INSTRUCTOR", "ONLY-NOT-INSTRUCTOR", "ONLY-STUDENT-HTML", "ONLY-LATEX",
                 "ONLY-INSTRUCTOR-OR-LATEX"):
        in_page = re.search(rf"\b{word}\b", page) is not None
        in_notebook = re.search(rf"\b{word}\b", notebook) is not None
        assert in_page == in_notebook == (word in shown), word


HOSTILE = """\
# Hostile <img src=x onerror=alert(1)>

A *real* emphasis, then text that is not markup: 5 * 3 * 2, snake_case_name, $5 and $6,
[not a link], `code <b>`, a | pipe, ~tilde~ and <script>alert(1)</script> & more.

1984\\. A year, not a list.

\\# Not a heading, \\- not a list.

- item <b>bold?</b>
"""


def test_lesson_text_never_becomes_markup(tmp_path: Path) -> None:
    built = build(tmp_path, {"lessons/01-tiny.md": HOSTILE}, "student")
    text = "\n".join(c.source for c in built.notebook().cells if c.cell_type == "markdown"
                     and "quizbook-intro" not in c.metadata.get("tags", []))
    html = rendered(text)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<em>") == 1 and "<em>real</em>" in html
    assert "<code>code &lt;b&gt;</code>" in html
    assert "<table" not in html and "<ol" not in html and "<a " not in html
    assert "<h1>Hostile &lt;img src=x onerror=alert(1)&gt;</h1>" in html
    assert html.count("<h1>") == 1 and "<li>item &lt;b&gt;bold?&lt;/b&gt;</li>" in html
    plain = rendered_text(text)
    assert "5 * 3 * 2, snake_case_name, $5 and $6, [not a link]" in plain
    assert "1984. A year, not a list." in plain and "# Not a heading, - not a list." in plain
    assert "\\$5 and \\$6" in text  # Jupyter reads $...$ as math unless escaped


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
                       "WjR9awAAAABJRU5ErkJggg==")


def test_figures_keep_their_image_and_text_alternative(tmp_path: Path) -> None:
    lesson = ("# Figures\n\n```{figure} dot.png\n:alt: A single red dot\n\nThe caption.\n```\n\n"
              "![Another dot](dot.png)\n")
    built = build(tmp_path, {"lessons/01-tiny.md": lesson}, "student",
                  files={"lessons/dot.png": PNG})
    cells = [c for c in built.notebook().cells if "attachment:" in c.source]
    assert len(cells) == 2
    assert cells[0].source == "![A single red dot](attachment:dot.png)\n\n*The caption.*"
    assert cells[0].attachments == {"dot.png": {"image/png": base64.b64encode(PNG).decode()}}
    assert "![Another dot](attachment:dot.png)" in cells[1].source


def notebook_source(*cells: tuple[str, str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}}
    for kind, text in cells:
        nb.cells.append(nbformat.v4.new_markdown_cell(text) if kind == "markdown"
                        else nbformat.v4.new_code_cell(text))
    return str(nbformat.writes(nb))


def test_a_notebook_lesson_becomes_a_class_notebook(tmp_path: Path) -> None:
    page = notebook_source(
        ("markdown", "# A notebook lesson\n\n:::{para} p46-2-1\nThe reading.\n:::"),
        ("code", "total = 1 + 1\ntotal"),
        ("markdown", f"- a list item\n\n  :::{{instructor}}\n  {SECRET}\n  :::"),
        ("markdown", "```{quiz} ../quizzes/q.yml\n```"))
    for edition in ("student", "instructor"):
        built = build(tmp_path, {"lessons/02-nb.ipynb": page}, edition)
        nb = built.notebook("02-nb")
        kinds = [(c.cell_type, c.source.split("\n")[0]) for c in nb.cells]
        assert kinds[1] == ("markdown", "# A notebook lesson")  # after what it needs
        assert ("code", "total = 1 + 1") in kinds
        assert nb.metadata["quizbook"]["quizzes"] == ["tiny-quiz"]
        assert (SECRET in sources(nb)) == (edition == "instructor")
        assert (SECRET in built.page("02-nb")) == (edition == "instructor")


# -- errors --------------------------------------------------------------------------------------


def test_write_notebooks_takes_them_from_a_site_built_with_the_extension(
        tmp_path: Path) -> None:
    """The export's instructor site already holds the instructor notebooks: no second build."""
    site = tmp_path / "site"
    (site / "_downloads" / "notebooks").mkdir(parents=True)
    text = nbformat.writes(nbformat.v4.new_notebook()) + "\n"
    (site / "_downloads" / "notebooks" / "01-minimal.zip").write_bytes(
        lesson_zip("01-minimal", text))
    written = write_notebooks(MINIMAL, tmp_path / "out", "instructor", site=site)
    assert written == [tmp_path / "out" / "01-minimal.ipynb"]
    assert written[0].read_text(encoding="utf-8") == text
    assert (tmp_path / "out" / HELPER_NAME).is_file()


def test_unknown_edition_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotebookError, match="unknown edition 'teacher'"):
        write_notebooks(MINIMAL, tmp_path, "teacher")  # type: ignore[arg-type]


def test_an_unreadable_quiz_costs_the_notebook_with_a_located_warning(tmp_path: Path) -> None:
    lesson = "# Tiny\n\n```{quiz} ../quizzes/nope.yml\n```\n"
    built = build(tmp_path, {"lessons/01-tiny.md": lesson}, "student")
    assert re.search(r"lessons/01-tiny\.md:3: WARNING: .*nope\.yml", built.warnings)
    nb = built.notebook()  # the page says the quiz could not be built; so does the notebook
    assert "could not be built" in sources(nb)
    assert not any(c.cell_type == "code" for c in nb.cells)


@pytest.mark.slow
def test_write_notebooks_names_the_lesson_and_line_of_a_failing_build(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(MINIMAL, book)
    lesson = book / "lessons" / "01-minimal.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("m1-all-types.yml", "nope.yml"),
                      encoding="utf-8")
    with pytest.raises(NotebookError, match=r"lessons/01-minimal\.md:\d+: WARNING: .*nope\.yml"):
        write_notebooks(book, tmp_path / "out", "student")
    assert not (tmp_path / "out").exists()


# -- write_notebooks and the course book (whole-book builds) ------------------------------------


@pytest.fixture(scope="module")
def minimal_notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("nb")
    return {e: write_notebooks(MINIMAL, out / e, e)[0] for e in ("student", "instructor")}


@pytest.mark.slow
def test_write_notebooks_on_a_book_without_the_extension(
        minimal_notebooks: dict[str, Path]) -> None:
    assert "quizbook.notebooks.sphinx" not in (MINIMAL / "_config.yml").read_text("utf-8")
    student = minimal_notebooks["student"].read_text(encoding="utf-8")
    instructor = minimal_notebooks["instructor"].read_text(encoding="utf-8")
    assert minimal_notebooks["student"].name == "01-minimal.ipynb"
    for path in minimal_notebooks.values():  # the helper the notebooks need is beside them
        assert (path.parent / HELPER_NAME).is_file()
    assert SECRET not in student and SECRET in instructor
    assert "Answer key" not in student and "Answer key" in instructor


def book_notebooks(html: Path, into: Path) -> list[Path]:
    """The notebooks of a built book, taken out of its lesson zips into `into`."""
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for path in sorted((html / "_downloads" / "notebooks").glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            target = into / f"{path.stem}.ipynb"
            target.write_bytes(archive.read(f"{path.stem}/{path.stem}.ipynb"))
            (into / HELPER_NAME).write_bytes(archive.read(f"{path.stem}/{HELPER_NAME}"))
        out.append(target)
    return out


def instructor_texts() -> list[str]:
    """Long lines of every `{instructor}` block of the course's lessons, without markup."""
    out: list[str] = []
    for path in sorted((ROOT / "lessons").glob("*.md")):
        for block in re.findall(r"^(:{3,})\{instructor\}[^\n]*\n(.*?)^\1\s*$",
                                path.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL):
            out += [line.strip().replace("**", "") for line in block[1].split("\n")
                    if len(line.strip()) > 40 and not re.search(r"[{}`\[\]<>_*]",
                                                                line.replace("**", ""))]
    return out


def plain_sources(paths: list[Path]) -> str:
    """The Markdown of notebooks without emphasis, escapes and typographic quotes."""
    text = "\n".join(sources(nbformat.read(p, as_version=4)) for p in paths)
    text = text.replace("**", "").replace("\\", "").replace("…", "...")
    return text.translate(str.maketrans("‘’“”", "''\"\""))  # Sphinx's smart quotes


@pytest.mark.slow
def test_every_lesson_of_the_book_becomes_a_notebook(student_book_html: Path,
                                                     instructor_book_html: Path,
                                                     tmp_path: Path) -> None:
    lessons = sorted(p.stem for p in (ROOT / "lessons").glob("*.md"))
    assert len(lessons) >= 5
    for n, html in enumerate((student_book_html, instructor_book_html)):
        paths = book_notebooks(html, tmp_path / str(n))
        assert [p.stem for p in paths] == lessons
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            quiz = [c for c in nb.cells if "quizbook-quiz" in c.metadata.get("tags", [])]
            assert len(quiz) == 1, path
            assert quiz_call(quiz[0])["lesson"] == path.stem
            assert sum(c.source.startswith('<a id="p') for c in nb.cells) >= 1, path
            page = (html / "lessons" / f"{path.stem}.html").read_text(encoding="utf-8")
            href = f'href="../_downloads/notebooks/{path.stem}.zip"'
            assert href in page, path


@pytest.mark.slow
def test_real_student_notebooks_hold_no_instructor_text(student_book_html: Path,
                                                        instructor_book_html: Path,
                                                        tmp_path: Path) -> None:
    found = instructor_texts()
    assert len(found) > 20
    student = plain_sources(book_notebooks(student_book_html, tmp_path / "student"))
    instructor = plain_sources(book_notebooks(instructor_book_html, tmp_path / "instructor"))
    assert [s for s in found if s not in instructor] == []  # the scan below can fail
    assert [s for s in found if s in student] == []
    assert "Answer key" not in student and "Answer key" in instructor


@pytest.mark.slow
def test_nbval_runs_every_student_notebook(student_book_html: Path,
                                           minimal_notebooks: dict[str, Path],
                                           tmp_path: Path) -> None:
    """`pytest --nbval-lax` on copies in a temporary folder (results files land there), with
    the notebooks' `quizbook_widget.py` beside them and a kernel that cannot import quizbook,
    as a student's."""
    run = tmp_path / "run"
    run.mkdir()
    for path in [*book_notebooks(student_book_html, tmp_path / "book"),
                 minimal_notebooks["student"]]:
        shutil.copy(path, run / path.name)
    shutil.copy(minimal_notebooks["student"].parent / HELPER_NAME, run / HELPER_NAME)
    n_code = sum(c.cell_type == "code" for p in run.glob("*.ipynb")
                 for c in nbformat.read(p, as_version=4).cells)
    before = sorted(p.name for p in ROOT.glob("*.json"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
         "--rootdir", str(run), "-o", "addopts=", "-o", "testpaths=.", "."],
        cwd=run, capture_output=True, text=True, timeout=600,
        env=without_quizbook(tmp_path / "no-quizbook"))
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(rf"\b{n_code} passed\b", proc.stdout), proc.stdout[-2000:]
    assert sorted(p.name for p in ROOT.glob("*.json")) == before
    assert not list(ROOT.glob("*.quizbook.json"))
