"""The book's quizbook settings (quizbook.config): one strict definition, documented in one
table, read the same way by the command line and the Sphinx build; and an engine with no
course in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizbook import config
from quizbook.book import check_book, open_book
from quizbook.sphinx.para import para_number
from tests.cli_run import run_cli
from tests.conftest import ROOT

#: Places and actors of this course's chapter: none may appear in the engine.
COURSE_NAMES = ["Aleppo", "Homs", "Khmeimim", "Hmeimim", "Tartus", "Hezbollah", "Russia",
                "Iran", "Syria", "Assad", "Latakia", "Damascus", "Palmyra", "Idlib", "Beirut",
                "Lebanon", "Tehran", "Baghdad", "Deir ez-Zor", "Abu Kamal", "al-Tanf", "Qusayr",
                "Soleimani", "IRGC", "Quds", "Wagner", "Putin", "Moscow", "Kremlin"]


def test_the_engine_names_nothing_of_this_course() -> None:
    found = []
    for path in sorted((ROOT / "src" / "quizbook").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".js", ".css", ".j2", ".html", ".txt",
                                              ".toml", ".yml", ".mako", ".md"}:
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {name}" for name in COURSE_NAMES
                      if re.search(re.escape(name), text, re.IGNORECASE)]
    assert found == []


def test_docs_table_is_the_settings_model() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    start = doc.index("<!-- settings table")
    table = doc[doc.index("\n", start) + 1:doc.index("<!-- end of settings table")]
    assert table == config.settings_table()
    for name in config.names():
        assert f"| `{name}` |" in table


def test_defaults_are_neutral() -> None:
    settings, errors = config.validate({})
    assert errors == []
    assert settings.model_dump() == {
        "edition": "student", "lessons_dir": "lessons", "quizzes_dir": "quizzes",
        "para_prefixes": ["p"], "notebook_links": True, "allow_raw": False,
        "allowed_paths": [], "mathjax": "", "index_redirect": True, "hand_in": "",
            "export_jobs": 0}


@pytest.mark.parametrize(("key", "value", "message"), [
    ("quizbook_allow_raw", "false", "must be true or false (a YAML boolean, unquoted), not the "
                                    "string 'false'; using false"),
    ("quizbook_notebook_links", "no", "must be true or false (a YAML boolean, unquoted), not "
                                      "the string 'no'; using true"),
    ("quizbook_index_redirect", 1, "must be true or false (a YAML boolean, unquoted), not 1; "
                                   "using true"),
    ("quizbook_edition", "teacher", "must be one of 'student' or 'instructor', not the string "
                                    "'teacher'; using student"),
    ("quizbook_lessons_dir", "../elsewhere", "must be a folder inside the book, such as "
                                             "'lessons'"),
    ("quizbook_quizzes_dir", "/abs", "must be a folder inside the book"),
    ("quizbook_para_prefixes", "p", "must be a list of text, e.g. [p0-, p], not the string 'p'; "
                                    "using [p]"),
    ("quizbook_para_prefixes", ["P!"], "each prefix is the start of a {para} label"),
    ("quizbook_allowed_paths", "../README.md", "must be a list of paths, e.g. [../README.md], "
                                               "not the string '../README.md'; using []"),
    ("quizbook_mathjax", "https://cdn.example/mathjax.js", "never a URL"),
    ("quizbook_export_jobs", "2", "must be a whole number, not the string '2'; using 0"),
    ("quizbook_export_jobs", 100, "must be 0 (one per CPU core) to 64, not 100; using 0"),
    ("quizbook_lesson_dir", "x", "unknown quizbook setting (did you mean quizbook_lessons_dir?)"),
])
def test_a_wrong_value_is_refused_with_the_default_used(key: str, value: object,
                                                        message: str) -> None:
    settings, errors = config.validate({key: value})
    assert [(e.name, e.value) for e in errors] == [(key, value)]
    assert message in errors[0].message, errors[0].message
    assert settings == config.Settings()


def test_every_refused_value_is_reported_at_once_and_good_ones_kept() -> None:
    settings, errors = config.validate({"quizbook_allow_raw": "yes",
                                        "quizbook_lessons_dir": "chapters/",
                                        "quizbook_edition": 3, "quizbook_export_jobs": 2})
    assert sorted(e.name for e in errors) == ["quizbook_allow_raw", "quizbook_edition"]
    assert (settings.lessons_dir, settings.export_jobs) == ("chapters", 2)


def write_book(root: Path, settings: str, lessons: str = "lessons",
               quizzes: str = "quizzes") -> Path:
    (root / lessons).mkdir(parents=True)
    (root / quizzes).mkdir(parents=True)
    (root / "_config.yml").write_text(f"title: T\nsphinx:\n  config:\n{settings}",
                                      encoding="utf-8")
    (root / lessons / "01-a.md").write_text("# A\n\n:::{para} c1-2\nText.\n:::\n",
                                            encoding="utf-8")
    (root / quizzes / "a.yml").write_text(
        "id: a\nlesson: 01-a\ntitle: A\nobjectives:\n  - {id: lo1, text: Know.}\nquestions:\n"
        "  - {id: q1, type: true_false, objective: lo1, source: c1-2, prompt: True?, "
        "answer: true}\n", encoding="utf-8")
    return root


def test_read_settings_names_the_line_and_key(tmp_path: Path) -> None:
    write_book(tmp_path, "    quizbook_edition: student\n    quizbook_allow_raw: 'false'\n")
    settings, problems = config.read_settings(tmp_path)
    assert settings.allow_raw is False
    assert [str(p) for p in problems] == [
        f"{tmp_path / '_config.yml'}:5:5: sphinx.config.quizbook_allow_raw: must be true or "
        "false (a YAML boolean, unquoted), not the string 'false'; using false"]


def test_read_settings_reads_yaml_as_jupyter_book_does(tmp_path: Path) -> None:
    # PyYAML (YAML 1.1), as Jupyter Book: `off` is a boolean there.
    write_book(tmp_path, "    quizbook_notebook_links: off\n")
    settings, problems = config.read_settings(tmp_path)
    assert (settings.notebook_links, problems) == (False, [])


def test_the_book_uses_its_own_folders(tmp_path: Path) -> None:
    book_dir = write_book(tmp_path, "    quizbook_lessons_dir: chapters\n"
                                    "    quizbook_quizzes_dir: checks\n", "chapters", "checks")
    (book_dir / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                       "  - file: chapters/01-a\n", encoding="utf-8")
    book = open_book(book_dir)
    assert book.lessons_dir == book_dir / "chapters" and list(book.lessons) == ["01-a"]
    assert [p.name for p in book.quiz_files] == ["a.yml"]
    assert check_book(book) == []
    (book_dir / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    [problem] = check_book(open_book(book_dir))
    assert problem.message.endswith("add `- file: chapters/01-a` to its chapters")


def test_quizbook_check_reports_a_bad_setting_at_its_line(tmp_path: Path) -> None:
    write_book(tmp_path, "    quizbook_para_prefixes: p\n")
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ("_config.yml:4:5: sphinx.config.quizbook_para_prefixes: must be a "
                           "list of text, e.g. [p0-, p], not the string 'p'; using [p]\n")


def test_check_finds_a_book_by_its_configured_quiz_folder(tmp_path: Path) -> None:
    write_book(tmp_path, "    quizbook_lessons_dir: chapters\n    quizbook_quizzes_dir: checks\n",
               "chapters", "checks")
    proc = run_cli("check", cwd=tmp_path / "checks")
    assert (proc.returncode, proc.stderr) == (0, "ok: 1 quiz file(s) valid\n")


@pytest.mark.parametrize(("label", "prefixes", "shown"), [
    ("p46-1-2", ["p"], "46.1.2"), ("p0-3", ["p"], "0.3"), ("p0-3", ["p0-", "p"], "3"),
    ("p0-3", ["p", "p0-"], "3"), ("c1-2", ["p"], "c1-2"), ("c1-2", ["c"], "1.2"),
    ("since-46-3", ["p"], "since-46-3"), ("p-", ["p"], "p-"), ("p46-1-2", [], "p46-1-2"),
])
def test_paragraph_numbers_follow_the_prefixes(label: str, prefixes: list[str],
                                               shown: str) -> None:
    assert para_number(label, prefixes) == shown
