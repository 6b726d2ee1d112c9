"""Lessons as notebooks: structure, editions (no key in the student set), errors, the book's
download links, and every generated student notebook run by nbval in a real kernel."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest

from quizbook.book import open_book
from quizbook.bundle import make_bundle
from quizbook.load import load_quiz
from quizbook.notebooks import HELPER_NAME, NotebookError, lesson_notebook, write_notebooks
from quizbook.sphinx.render import quiz_html
from tests.kernel_support import without_quizbook

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "books" / "minimal"
SECRET = "SECRET-INSTRUCTOR-TEXT"


def cells(path: Path) -> list[Any]:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return list(nb.cells)


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


def secrets_of(book_root: Path) -> list[str]:
    """Texts only the instructor may see: quiz explanations and notes, {instructor} blocks."""
    out: list[str] = []
    book = open_book(book_root)
    for quiz in book.quizzes():
        for q in quiz.questions:
            out += [t for t in (q.explanation, q.instructor_note) if t]
    for path in book.lessons.values():
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"^(:{3,})\{instructor\}[^\n]*\n(.*?)^\1\s*$", text,
                                re.MULTILINE | re.DOTALL):
            out += [line.strip() for line in block[1].split("\n")
                    if len(line.strip()) > 25 and not line.lstrip().startswith(":")]
    return out


# -- the minimal book ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minimal_notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("nb")
    return {e: write_notebooks(MINIMAL, out / e, e)[0] for e in ("student", "instructor")}


def test_student_notebook_structure(minimal_notebooks: dict[str, Path]) -> None:
    path = minimal_notebooks["student"]
    assert path.name == "01-minimal.ipynb"
    cs = cells(path)
    assert cs[0].metadata["tags"] == ["quizbook-intro"]  # what the notebook needs comes first
    assert "`anywidget` and `ipywidgets`" in cs[0].source and "`quizbook_widget.py`" in cs[0].source
    assert cs[1].cell_type == "markdown" and cs[1].source == "# 46.1 A minimal lesson"
    paras = [c.source for c in cs if c.cell_type == "markdown" and "¶ 46.1." in c.source]
    assert paras[0].startswith('<a id="p46-1-1"></a>**¶ 46.1.1** Russian strikes in Syria')
    assert any("[¶ 46.1.1](#p46-1-1)" in c.source for c in cs)  # {ref} becomes a link
    disc = next(c for c in cs if "Discussion (10 minutes)" in c.source)
    assert "Why might a state choose an air campaign" in disc.source
    assert "1. Think: 2 minutes" in disc.source
    code = [c for c in cs if c.cell_type == "code"]
    assert [c.metadata["tags"] for c in code] == [["quizbook-notes"], ["quizbook-quiz"]]
    assert "notes_box('01-minimal', '1')" in code[0].source
    assert code[1].metadata["jupyter"] == {"source_hidden": True}
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["quizbook"] == {"lesson": "01-minimal", "edition": "student",
                                       "quizzes": ["m1-all-types"]}


def test_quiz_cell_shows_the_books_quiz_markup(minimal_notebooks: dict[str, Path]) -> None:
    quiz = load_quiz(MINIMAL / "quizzes" / "m1-all-types.yml")
    for path in minimal_notebooks.values():
        cell = next(c for c in cells(path) if "quizbook-quiz" in c.metadata.get("tags", []))
        assert "from quizbook_widget import show_quiz" in cell.source
        assert quiz_markup(cell) == ("m1-all-types", quiz_html(make_bundle(quiz), 3))
        assert quiz_call(cell) == make_bundle(quiz)


def test_student_edition_has_no_key(minimal_notebooks: dict[str, Path]) -> None:
    student = minimal_notebooks["student"].read_text(encoding="utf-8")
    instructor = minimal_notebooks["instructor"].read_text(encoding="utf-8")
    found = secrets_of(MINIMAL)
    assert SECRET in " ".join(found) and len(found) >= 3
    for secret in found:
        assert secret not in student, secret
        assert secret in instructor, secret
    assert "p46-1-9" not in student and "Answer key" not in student
    assert '\\"correct\\"' not in student and '"correct":' not in student


def test_instructor_edition_adds_key_and_notes(minimal_notebooks: dict[str, Path]) -> None:
    cs = cells(minimal_notebooks["instructor"])
    text = "\n".join(c.source for c in cs)
    assert "> **🎓 For the instructor**" in text and SECRET in text
    assert '<a id="p46-1-9"></a>' in text
    key = next(c.source for c in cs if c.source.startswith("### Answer key"))
    assert "- ✓ **right**: 30 September 2015" in key
    assert "Students often say 2011" in key  # instructor_note
    assert "Instructor edition" in cs[0].source


def test_output_is_deterministic(tmp_path: Path, minimal_notebooks: dict[str, Path]) -> None:
    again = write_notebooks(MINIMAL, tmp_path, "student")[0]
    assert again.read_bytes() == minimal_notebooks["student"].read_bytes()


NEEDS = ("This notebook needs the file quizbook_widget.py next to it (it comes in the lesson's "
         "zip download) and the Python packages anywidget and ipywidgets (pip install anywidget "
         "ipywidgets). Missing: ")


@pytest.mark.parametrize(("absent", "message"), [
    ("quizbook_widget", NEEDS + "quizbook_widget"),
    ("anywidget", NEEDS + "anywidget"),
])
def test_kernel_without_what_it_needs_gets_a_plain_message(
        minimal_notebooks: dict[str, Path], monkeypatch: pytest.MonkeyPatch, absent: str,
        message: str) -> None:
    monkeypatch.setitem(sys.modules, absent, None)  # the import fails as if absent
    if absent != "quizbook_widget":
        monkeypatch.syspath_prepend(str(minimal_notebooks["student"].parent))
        monkeypatch.delitem(sys.modules, "quizbook_widget", raising=False)
    code = [c for c in cells(minimal_notebooks["student"]) if c.cell_type == "code"]
    assert len(code) == 2
    for cell in code:
        with pytest.raises(ModuleNotFoundError, match=f"^{re.escape(message)}$"):
            exec(compile(cell.source, "cell", "exec"), {})


# -- errors name file and line ---------------------------------------------------------------


def tiny_book(tmp_path: Path, lesson: str) -> Path:
    (tmp_path / "lessons").mkdir()
    (tmp_path / "quizzes").mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "all-types.yml", tmp_path / "quizzes" / "q.yml")
    (tmp_path / "lessons" / "01-tiny.md").write_text(lesson, encoding="utf-8")
    return tmp_path


def test_missing_quiz_file_names_lesson_and_line(tmp_path: Path) -> None:
    book = tiny_book(tmp_path, "# Tiny\n\nText.\n\n```{quiz} ../quizzes/nope.yml\n```\n")
    with pytest.raises(NotebookError, match=r"^lessons/01-tiny\.md:5: quiz file "
                                            r"\.\./quizzes/nope\.yml not found"):
        write_notebooks(book, tmp_path / "out", "student")
    assert not (tmp_path / "out").exists()


def test_bad_discussion_minutes_names_the_line(tmp_path: Path) -> None:
    book = tiny_book(tmp_path, "# Tiny\n\n:::{discussion}\n:minutes: a while\nWhy?\n:::\n")
    with pytest.raises(NotebookError, match=r"01-tiny\.md:3: discussion :minutes: cannot read"):
        write_notebooks(book, tmp_path / "out", "student")


def test_unknown_edition_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotebookError, match="unknown edition 'teacher'"):
        write_notebooks(MINIMAL, tmp_path, "teacher")  # type: ignore[arg-type]


def test_admonitions_roles_and_only_blocks(tmp_path: Path) -> None:
    book = tiny_book(tmp_path, "\n".join([
        "---", "title: front matter is dropped", "---", "# Tiny", "", "(top)=",
        "% a comment", "See {term}`land bridge` and {doc}`../sources`.", "",
        "```{admonition} Check the facts", ":class: note", "- A fact.", "```", "",
        "```{only} instructor", "ONLY-FOR-TEACHERS", "```", "",
        "```{quiz} ../quizzes/q.yml", "```", ""]))
    student = lesson_notebook(book / "lessons" / "01-tiny.md", "student", book)
    text = "\n".join(c.source for c in student.cells)
    assert "front matter" not in text and "a comment" not in text
    assert '<a id="top"></a>' in text and "*land bridge*" in text
    assert "“sources” (a page of the book)" in text
    assert "> **Check the facts**\n>\n> - A fact." in text
    assert "ONLY-FOR-TEACHERS" not in text
    instructor = lesson_notebook(book / "lessons" / "01-tiny.md", "instructor", book)
    assert "ONLY-FOR-TEACHERS" in "\n".join(c.source for c in instructor.cells)


# -- the real book -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book_notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("book-nb")
    return {e: write_notebooks(ROOT, out / e, e) for e in ("student", "instructor")}


def test_every_lesson_of_the_book_becomes_a_notebook(
        book_notebooks: dict[str, list[Path]]) -> None:
    lessons = open_book(ROOT).lessons
    assert len(lessons) >= 5
    for edition, paths in book_notebooks.items():
        assert [p.stem for p in paths] == list(lessons), edition
        for path in paths:
            cs = cells(path)
            quiz_cells = [c for c in cs if "quizbook-quiz" in c.metadata.get("tags", [])]
            assert len(quiz_cells) == 1, path
            bundle = quiz_call(quiz_cells[0])
            assert bundle["lesson"] == path.stem
            assert sum(c.source.startswith('<a id="p') for c in cs) >= 1, path


def test_real_student_notebooks_hold_no_instructor_text(
        book_notebooks: dict[str, list[Path]]) -> None:
    found = secrets_of(ROOT)
    assert len(found) > 20
    student = "\n".join(p.read_text(encoding="utf-8") for p in book_notebooks["student"])
    instructor = "\n".join(p.read_text(encoding="utf-8") for p in book_notebooks["instructor"])
    leaked = [s for s in found if s in student]
    assert leaked == []
    assert "Answer key" not in student and "Answer key" in instructor


# -- nbval: every student notebook runs in a real kernel ------------------------------------


def test_nbval_runs_every_student_notebook(book_notebooks: dict[str, list[Path]],
                                           minimal_notebooks: dict[str, Path],
                                           tmp_path: Path) -> None:
    """`pytest --nbval-lax` on copies in a temporary folder (results files land there), with
    the notebooks' `quizbook_widget.py` beside them and a kernel that cannot import quizbook,
    as a student's."""
    run = tmp_path / "run"
    run.mkdir()
    for path in [*book_notebooks["student"], minimal_notebooks["student"]]:
        shutil.copy(path, run / path.name)
    shutil.copy(minimal_notebooks["student"].parent / HELPER_NAME, run / HELPER_NAME)
    n_code = sum(c.cell_type == "code" for p in run.glob("*.ipynb") for c in cells(p))
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


# -- the book links each lesson to its notebook ----------------------------------------------


def download_link(page: Path) -> Path:
    html = page.read_text(encoding="utf-8")
    match = re.search(r'<a class="qb-notebook-download reference download internal" '
                      r'download="" href="([^"]+\.zip)">', html)
    assert match, f"no notebook link in {page}"
    return (page.parent / match.group(1)).resolve()


def zipped(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.slow
def test_student_book_ships_and_links_student_notebooks(
        student_book_html: Path, book_notebooks: dict[str, list[Path]]) -> None:
    for path in book_notebooks["student"]:
        shipped = download_link(student_book_html / "lessons" / f"{path.stem}.html")
        assert shipped.is_relative_to(student_book_html / "_downloads")
        assert shipped.name == f"{path.stem}.zip"
        assert zipped(shipped) == {
            f"{path.stem}/{path.name}": path.read_bytes(),
            f"{path.stem}/{HELPER_NAME}": (path.parent / HELPER_NAME).read_bytes()}


@pytest.mark.slow
def test_instructor_book_links_instructor_notebooks(
        instructor_book_html: Path, book_notebooks: dict[str, list[Path]]) -> None:
    for path in book_notebooks["instructor"]:
        shipped = download_link(instructor_book_html / "lessons" / f"{path.stem}.html")
        assert zipped(shipped)[f"{path.stem}/{path.name}"] == path.read_bytes()
