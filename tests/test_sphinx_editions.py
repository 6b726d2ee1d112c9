"""The real book in both editions: instructor text only in the instructor edition.

Sentences are taken from every `{instructor}` block of the lessons and from every
quiz's instructor-only fields; none may appear in any file the student build writes
(HTML, search index, notebooks, doctrees), and all of the `{instructor}` text appears
in the instructor edition, with an answer key after every quiz. Both build the whole
book (slow).
"""

from __future__ import annotations

import html
import re
import zlib
from pathlib import Path

import pytest
import yaml

from quizbook import model
from quizbook.export import editions
from quizbook.load import load_quiz
from quizbook.sphinx.instructor import never_shown
from tests.conftest import ROOT

FENCE = re.compile(r"^(:{3,})\{instructor\}[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)


def _phrases(text: str) -> list[str]:
    """Distinctive runs of six words from the plain (markup-free) sentences of a text."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if re.search(r"[*_`\[\]{}()<>&\\|#]", sentence):
            continue
        words = sentence.split()
        if len(words) >= 8:
            out.append(" ".join(words[1:7]))
    return out


def _visible_sources() -> str:
    """The Markdown students may see: every page with the instructor blocks cut out."""
    text = " ".join(FENCE.sub(" ", p.read_text("utf-8")) for p in ROOT.glob("*.md"))
    text += " ".join(FENCE.sub(" ", p.read_text("utf-8")) for p in (ROOT / "lessons").glob("*.md"))
    return " ".join(text.split())


def instructor_phrases() -> list[str]:
    phrases = []
    for lesson in sorted((ROOT / "lessons").glob("*.md")):
        for _, body in FENCE.findall(lesson.read_text("utf-8")):
            phrases += _phrases(body)
    return phrases


def quiz_secrets() -> list[str]:
    """Instructor notes, and the sealed feedback and explanations (never readable text)."""
    secrets = []
    for path in sorted((ROOT / "quizzes").glob("*.yml")):
        for q in load_quiz(path).questions:
            for text in (q.instructor_note, q.explanation):
                if text:
                    secrets += _phrases(text)
            if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
                secrets += [p for o in q.options if o.feedback for p in _phrases(o.feedback)]
    return secrets


def _all_text(out: Path) -> str:
    chunks = []
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".txt", ".json", ".inv", ".ipynb",
                                              ".md", ".doctree", ".pickle", ""}:
            chunks.append(path.read_bytes().decode("utf-8", "replace"))
    text = html.unescape(" ".join(" ".join(chunks).split()))
    return text.translate(str.maketrans("‘’“”", "''\"\""))  # Sphinx's smart quotes


@pytest.mark.slow
def test_student_edition_holds_no_instructor_text(student_book_html: Path) -> None:
    phrases = instructor_phrases()
    secrets = quiz_secrets()
    assert len(phrases) >= 5 and len(secrets) >= 10
    visible = _visible_sources()
    everything = _all_text(student_book_html.parent.parent)
    leaked = [p for p in phrases + secrets if p in everything and p not in visible]
    assert not leaked, leaked[:5]


@pytest.mark.slow
def test_instructor_edition_shows_instructor_text_and_keys(instructor_book_html: Path) -> None:
    pages = " ".join(" ".join(p.read_text("utf-8").split())
                     for p in instructor_book_html.rglob("*.html"))
    pages = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", pages)).split())
    pages = pages.translate(str.maketrans("‘’“”", "''\"\""))  # Sphinx's smart quotes
    missing = [p for p in instructor_phrases() if p not in pages]
    assert not missing, missing[:5]
    for path in sorted((ROOT / "quizzes").glob("*.yml")):
        quiz = load_quiz(path)
        lesson = (instructor_book_html / "lessons" / f"{quiz.lesson}.html").read_text("utf-8")
        assert f'id="key-{quiz.id}"' in lesson
        for q in quiz.questions:
            assert f'id="key-{quiz.id}-{q.id}"' in lesson
            assert f'href="#{q.source}"' in lesson or f'#{q.source}"' in lesson, (quiz.id, q.id)


# -- {only}: content no build of the edition shows is never parsed ------------------------------


@pytest.mark.parametrize("expression,student,instructor", [
    ("instructor", True, False),
    ("not student", True, False),
    ("student", False, True),
    ("instructor and html", True, False),
    ("(instructor or latex)", False, False),  # a student LaTeX build shows it
    ("html", False, False),
    ("not latex", False, False),
    ("instructor and not instructor", True, True),
    ("instructor and (", False, False),  # unreadable: left to Sphinx, which reports it
])
def test_never_shown_asks_sphinx_for_every_builder(expression: str, student: bool,
                                                   instructor: bool) -> None:
    assert never_shown(expression, "student") is student
    assert never_shown(expression, "instructor") is instructor


TARGETS = """\
# Targets

::::{only} instructor
(onlylabel)=
Labelled ONLYTEXT paragraph.

:::{glossary}
ONLYTERM
  A term.
:::

:::{index} ONLYINDEX
:::
::::

::::{only} html
(htmllabel)=
HTMLTEXT for the web.
::::
"""


def _inventory(html: Path) -> str:
    raw = (html / "objects.inv").read_bytes()
    return zlib.decompress(raw.split(b"\n", 4)[4]).decode("utf-8")


def test_only_instructor_never_reaches_the_student_inventory_or_index(tmp_path: Path) -> None:
    from tests.test_notebooks import build

    for edition in ("student", "instructor"):
        built = build(tmp_path, {"lessons/01-tiny.md": TARGETS}, edition)
        assert built.warnings == ""
        site = _inventory(built.html) + (built.html / "genindex.html").read_text("utf-8") \
            + built.page()
        for word in ("onlylabel", "ONLYTEXT", "ONLYTERM", "ONLYINDEX"):
            assert (word in site) == (edition == "instructor"), (edition, word)
        # Content a builder may show is parsed as Sphinx parses it (its label is kept).
        assert "htmllabel" in _inventory(built.html) and "HTMLTEXT" in built.page()


# -- the editions' configuration and tables of contents, read as the build reads them ----------


def test_each_edition_reads_its_own_table_of_contents(tmp_path: Path) -> None:
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                       "  - file: lessons/01-a\n", encoding="utf-8")
    (tmp_path / "_toc_instructor.yml").write_text(
        "format: jb-book\nroot: 'teacher-home'  # a comment, quotes\nchapters:\n"
        "  - file: lessons/01-a\n  - file: guide\n", encoding="utf-8")
    assert list(editions.read_toc(tmp_path, "student")) == ["intro", "lessons/01-a"]
    assert list(editions.read_toc(tmp_path, "instructor")) == ["teacher-home", "lessons/01-a",
                                                               "guide"]
    single = tmp_path / "single"
    single.mkdir()
    for name in ("intro", "teacher-home", "lessons"):
        (single / f"{name}.html").write_text("<p>page</p>", encoding="utf-8")
    assert editions.main_page(single, tmp_path, "student") == single / "intro.html"
    assert editions.main_page(single, tmp_path, "instructor") == single / "teacher-home.html"
    (single / "teacher-home.html").unlink()
    with pytest.raises(editions.BuildError, match=r"has no teacher-home\.html \(the root of "
                                                  r"_toc_instructor\.yml\)"):
        editions.main_page(single, tmp_path, "instructor")


def test_a_broken_table_of_contents_is_named(tmp_path: Path) -> None:
    (tmp_path / "_toc.yml").write_text("root: [intro\n", encoding="utf-8")
    with pytest.raises(editions.BuildError, match=r"_toc\.yml: not a readable YAML file"):
        editions.read_toc(tmp_path, "student")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nchapters: []\n", encoding="utf-8")
    with pytest.raises(editions.BuildError, match=r"_toc\.yml: 'root' key not found"):
        editions.read_toc(tmp_path, "student")


def test_a_generated_configuration_means_what_the_books_means(tmp_path: Path) -> None:
    """Read as Jupyter Book reads it (YAML 1.1 `off`, the last of two equal keys), with the
    extension and settings added, never touching the book's file."""
    book_config = ("execute:\n  execute_notebooks: off\nsphinx:\n  config:\n"
                   "    quizbook_edition: instructor\n    extensions: [myst_nb]\n"
                   "    quizbook_edition: student\n")
    (tmp_path / "_config.yml").write_text(book_config, encoding="utf-8")
    target = editions.config_with_extensions(
        tmp_path, "student", ["quizbook.notebooks.sphinx"], tmp_path / "out" / "_config.yml",
        {"quizbook_notebook_links": True})
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data == {"execute": {"execute_notebooks": False},
                    "sphinx": {"config": {"quizbook_edition": "student",
                                          "extensions": ["myst_nb", "quizbook.notebooks.sphinx"],
                                          "quizbook_notebook_links": True}}}
    assert (tmp_path / "_config.yml").read_text(encoding="utf-8") == book_config
    # A book without an instructor configuration: the student one, with the edition set.
    target = editions.config_with_extensions(
        tmp_path, "instructor", [], tmp_path / "out" / "_config.yml",
        {"quizbook_edition": "instructor"})
    assert yaml.safe_load(target.read_text("utf-8"))["sphinx"]["config"]["quizbook_edition"] \
        == "instructor"
    with pytest.raises(editions.BuildError, match=r"_config_instructor\.yml: missing"):
        editions.config_with_extensions(tmp_path, "instructor", ["x"], tmp_path / "o.yml")
