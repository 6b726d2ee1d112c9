"""The `quizbook` command as an author uses it: exit codes, one line per problem."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from quizbook.cli import main
from tests.cli_run import Ran, run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "all-types.yml"
ROOT = Path(__file__).parent.parent


def run(*args: str, cwd: Path | None = None) -> Ran:
    """The command in this process (tests/cli_run.py); `python_m` below is the real one."""
    return run_cli(*args, cwd=cwd or ROOT)


def python_m(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m quizbook ARGS` in a new interpreter: the entry point and its exit codes."""
    return subprocess.run([sys.executable, "-m", "quizbook", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=120)


def make_book(tmp_path: Path, *, label: str = "p1") -> Path:
    (tmp_path / "_config.yml").write_text("title: t\n", encoding="utf-8")
    (tmp_path / "lessons").mkdir()
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "lessons" / "sample-lesson.md").write_text(
        f"# Lesson\n\n:::{{para}} {label}\nText.\n:::\n", encoding="utf-8")
    shutil.copy(FIXTURE, tmp_path / "quizzes" / "sample.yml")
    return tmp_path


def test_check_clean_file_exits_0() -> None:
    assert main(["check", str(FIXTURE)]) == 0


def test_check_bad_file_exits_1_with_one_line_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(FIXTURE.read_text(encoding="utf-8").replace("prompt:", "promt:", 2),
                   encoding="utf-8")
    result = python_m("check", str(bad))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4  # two unknown `promt`, two missing `prompt`
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2() -> None:
    assert python_m("check", "no/such/file.yml").returncode == 2
    assert run("frobnicate").returncode == 2


def test_whole_book_cross_references(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    assert run("check", cwd=book).returncode == 0
    (book / "lessons" / "sample-lesson.md").write_text("# Lesson\n\n:::{para} p2\nText.\n:::\n",
                                                      encoding="utf-8")
    result = run("check", cwd=book)
    assert result.returncode == 1
    assert "questions[0].source: no paragraph labelled 'p1' in lessons/sample-lesson.md" in \
        result.stdout
    assert "quizzes/sample.yml:13:5:" in result.stdout


def test_lesson_without_quiz_and_quiz_without_lesson(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    (book / "lessons" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    (book / "lessons" / "sample-lesson.md").rename(book / "lessons" / "renamed.md")
    out = run("check", cwd=book).stdout
    assert "lesson 'orphan' has no quiz" in out
    assert "lesson: no lesson page lessons/sample-lesson.md" in out


def test_duplicate_quiz_ids_across_files(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    shutil.copy(FIXTURE, book / "quizzes" / "copy.yml")
    assert "is also used by" in run("check", cwd=book).stdout


def test_single_file_outside_book_checked_alone(tmp_path: Path) -> None:
    lone = tmp_path / "lone.yml"
    shutil.copy(FIXTURE, lone)
    assert run("check", str(lone), cwd=tmp_path).returncode == 0


def test_lint_strict_fails_on_findings(tmp_path: Path) -> None:
    path = tmp_path / "q.yml"
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace(
        "Which partner supplied the air power?", "Which partner did not supply air power?"),
        encoding="utf-8")
    assert run("lint", str(path)).returncode == 0
    strict = run("lint", "--strict", str(path))
    assert strict.returncode == 1 and "[negative-stem]" in strict.stdout


def test_bundle_prints_deterministic_json() -> None:
    first, second = run("bundle", str(FIXTURE)), run("bundle", str(FIXTURE))
    assert first.returncode == 0 and first.stdout == second.stdout
    assert json.loads(first.stdout)["format"] == "quizbook-bundle/1"


def test_the_books_own_quizzes_are_valid_and_lint_clean() -> None:
    assert run("check").returncode == 0, run("check").stdout
    result = run("lint", "--strict")
    assert result.returncode == 0, result.stdout


def test_readme_example_is_a_valid_lint_clean_quiz(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```yaml\n")[1:]]
    example = next(b for b in blocks if b.startswith("id: "))  # the "Quiz format" example
    path = tmp_path / "example.yml"
    path.write_text(example, encoding="utf-8")
    assert main(["check", str(path)]) == 0
    assert main(["lint", "--strict", str(path)]) == 0
