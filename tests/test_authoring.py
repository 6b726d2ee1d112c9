"""Authoring and set-up as a course author meets them (issue 16 §6).

- a lesson page missing from a table of contents fails `quizbook check` (which
  `make book` runs before building) with a line naming the page and the TOC;
- a quiz that fails to load is reported once, not also as "lesson has no quiz";
- `quizbook lint --strict` never says "no findings" while failing;
- every `quizbook` command the README shows works as written from the book folder;
- the SPDX licence string and the theme pins; the publishing recipe.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quizbook.book import open_book, toc_entries, toc_problems
from tests.cli_run import Ran, run_cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "all-types.yml"
QUIZBOOK = Path(sys.executable).parent / "quizbook"


def run(*args: str, cwd: Path) -> Ran:
    """The command in this process (tests/cli_run.py); the README test runs the real one."""
    return run_cli(*args, cwd=cwd)


def make_book(tmp_path: Path, toc: str | None = None, instructor_toc: str | None = None) -> Path:
    (tmp_path / "_config.yml").write_text("title: t\n", encoding="utf-8")
    (tmp_path / "lessons").mkdir()
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "lessons" / "sample-lesson.md").write_text(
        "# Lesson\n\n:::{para} p1\nText.\n:::\n", encoding="utf-8")
    shutil.copy(FIXTURE, tmp_path / "quizzes" / "sample.yml")
    if toc is not None:
        (tmp_path / "_toc.yml").write_text(toc, encoding="utf-8")
    if instructor_toc is not None:
        (tmp_path / "_toc_instructor.yml").write_text(instructor_toc, encoding="utf-8")
    return tmp_path


TOC = "format: jb-book\nroot: intro\nchapters:\n  - file: lessons/sample-lesson\n"


def test_a_lesson_missing_from_the_toc_fails_check(tmp_path: Path) -> None:
    book = make_book(tmp_path, toc="format: jb-book\nroot: intro\nchapters:\n  - file: glossary\n")
    result = run("check", cwd=book)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "lessons/sample-lesson.md:1:1: toc: lesson 'sample-lesson' is not in _toc.yml, so the "
        "book leaves it out: add `- file: lessons/sample-lesson` to its chapters"]
    (book / "_toc.yml").write_text(TOC, encoding="utf-8")
    assert run("check", cwd=book).returncode == 0


def test_both_tables_of_contents_are_checked(tmp_path: Path) -> None:
    book = make_book(tmp_path, toc=TOC, instructor_toc="root: intro\nchapters: []\n")
    out = run("check", cwd=book).stdout
    assert "is not in _toc_instructor.yml" in out and "is not in _toc.yml" not in out


def test_toc_entries_read_parts_sections_and_extensions(tmp_path: Path) -> None:
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: intro.md\nparts:\n  - caption: One\n    chapters:\n"
                   "      - file: lessons/a.md\n        sections:\n          - file: lessons/b\n"
                   "  - chapters:\n      - file: ./lessons/c.ipynb\n", encoding="utf-8")
    assert toc_entries(toc) == {"intro", "lessons/a", "lessons/b", "lessons/c"}


def test_an_unreadable_toc_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    book = make_book(tmp_path, toc="chapters: [\n")
    problems = list(toc_problems(open_book(book)))
    assert [(p.field, p.message.split(":")[0]) for p in problems] == [("toc", "table of contents")]
    result = run("check", cwd=book)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout == "_toc.yml:1:1: toc: table of contents: cannot read it (ParserError)\n"


def test_the_books_own_tocs_list_every_lesson() -> None:
    assert list(toc_problems(open_book(ROOT))) == []


def test_make_book_runs_check_before_building() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nbook:", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("quizbook check") < recipe.index("build .")


def test_a_quiz_that_fails_to_load_is_not_also_a_lesson_without_quiz(tmp_path: Path) -> None:
    book = make_book(tmp_path, toc=TOC)
    quiz = book / "quizzes" / "sample.yml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("prompt:", "promt:", 1),
                    encoding="utf-8")
    result = run("check", cwd=book)
    assert result.returncode == 1
    assert "has no quiz" not in result.stdout
    assert all(line.startswith("quizzes/sample.yml:") for line in result.stdout.splitlines())
    # A lesson that really has no quiz file is still reported.
    (book / "lessons" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    assert "lesson 'orphan' has no quiz" in run("check", cwd=book).stdout


def test_lint_strict_never_says_no_findings_while_failing(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    # The shared fixture carries two cross-item cues on purpose (tests/test_lint.py): reword
    # them here so that `good` has no findings at all.
    good.write_text(FIXTURE.read_text(encoding="utf-8")
                    .replace("did Russia's air campaign", "did the air campaign")
                    .replace("left: Khmeimim,", "left: The airfield near Latakia,"),
                    encoding="utf-8")
    bad.write_text(FIXTURE.read_text(encoding="utf-8").replace("prompt:", "promt:", 1),
                   encoding="utf-8")
    result = run("lint", "--strict", str(good), str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert "no findings" not in result.stderr
    assert result.stderr.strip() == ("1 of 2 quiz file(s) could not be loaded (problems above; "
                                     "fix them, then lint again); 0 finding(s) in the rest")
    clean = run("lint", "--strict", str(good), cwd=tmp_path)
    assert clean.returncode == 0 and clean.stderr.strip() == "ok: 1 quiz file(s), no findings"


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.DOTALL)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_readme_shows_quizbook_only_as_a_command_that_exists() -> None:
    commands = _readme_commands()
    assert "make book" in commands
    shown = [c for c in commands if "quizbook" in c]
    assert len(shown) >= 5
    # Plain `quizbook` is not on PATH after `make book`: every example names .venv/bin.
    assert all(c.startswith(".venv/bin/quizbook ") for c in shown), shown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "run it as `.venv/bin/quizbook`" in readme


@pytest.mark.parametrize("args", [["check"], ["lint", "--strict"],
                                  ["bundle", "quizzes/l1-laboratory.yml"],
                                  ["export", "--help"], ["gradebook", "--help"],
                                  ["lint", "--rules"]])
def test_readme_quizbook_commands_run_from_the_book_folder(args: list[str]) -> None:
    """Each command as the README shows it, run in this process (tests/cli_run.py); the
    installed script that runs them is the next test's."""
    result = run_cli(*args, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_the_installed_script_runs_the_readme_check_from_the_book_folder() -> None:
    assert QUIZBOOK.is_file(), f"{QUIZBOOK} is what the README tells authors to run"
    result = subprocess.run([str(QUIZBOOK), "check"], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("ok: ")


def test_readme_adding_a_lesson_names_every_place() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a lesson", 1)[1].split("\n## ", 1)[0]
    for place in ("_toc.yml", "_toc_instructor.yml", "intro.md", "instructor-guide.md",
                  "lesson map", "class plans", "objectives × questions",
                  "Learning objectives", "## Check your understanding"):
        assert place in section, place
    # The places the README names exist and hold what it says.
    assert "| Lesson | Section |" in (ROOT / "intro.md").read_text(encoding="utf-8")
    guide = (ROOT / "instructor-guide.md").read_text(encoding="utf-8")
    assert "50-minute" in guide and "Objectives by questions" in guide


def test_pyproject_uses_an_spdx_licence_and_pins_the_theme_pair() -> None:
    # (tomllib is Python 3.11+; the project supports 3.10, so read the lines.)
    lines = (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    assert 'license = "MIT"' in lines  # SPDX: no deprecation box from setuptools
    assert any(line.startswith('requires = ["setuptools>=77"') for line in lines)
    assert '  "sphinx-book-theme==1.3.0",' in lines
    assert '  "pydata-sphinx-theme==0.17.1",' in lines


def test_publishing_recipe_names_what_to_publish_and_what_never() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/publishing.md)" in readme
    doc = (ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    rows = doc.split("| publish | never publish |", 1)[1].split("\n\n", 1)[0]
    assert "`_build/html/`" in rows.splitlines()[2].split("|")[1]
    never = " ".join(line.split("|")[2] for line in rows.splitlines()[2:])
    for folder in ("_build/.doctrees/", "_build/jupyter_execute/", "_build/export/"):
        assert f"`{folder}`" in never
    assert "path: _build/html" in doc  # the GitHub Pages workflow uploads that folder only
