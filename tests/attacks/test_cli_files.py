"""Class 5: the CLI never hangs and never tracebacks, whatever is in the book's folders.

Each attack plants one hostile file in a copy of the course book (its quizzes and
lessons) and runs `quizbook check` (tests/cli_run.py: the command without a second of
interpreter start): where a hang is possible (a FIFO, /dev/zero, a huge file) in a child
process with a timeout (`run_cli_apart`), so a regression shows as a timeout instead of a
stuck test run; in this process otherwise. Every failure must be
`PATH:LINE:COL: message`, exit 1, and nothing on stderr that looks like a traceback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from quizbook import files
from quizbook.cli import main
from quizbook.figures.data import FigureDataError, load_timeline
from quizbook.load import check_quiz_file, parse_quiz_text
from quizbook.yamlsafe import MAX_DEPTH
from tests.cli_run import run_cli, run_cli_apart

ROOT = Path(__file__).resolve().parents[2]
GOOD_QUIZ = sorted((ROOT / "quizzes").glob("*.yml"))[0]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    copy = tmp_path / "book"
    copy.mkdir()
    for name in ("_config.yml", "_toc.yml", "_toc_instructor.yml", "intro.md"):
        shutil.copy(ROOT / name, copy / name)
    for folder in ("lessons", "quizzes"):
        shutil.copytree(ROOT / folder, copy / folder)
    return copy


def check(book: Path, *paths: str, may_hang: bool = False) -> tuple[int, list[str], str]:
    """`quizbook check` in the book: (exit code, stdout lines, stderr).

    `may_hang`: in a child process with a timeout; otherwise in this process.
    """
    ran = (run_cli_apart if may_hang else run_cli)("check", *paths, cwd=book)
    assert "Traceback" not in ran.stderr, ran.stderr
    return ran.returncode, ran.stdout.splitlines(), ran.stderr


#: Special files whose reading could block: checked in a child process with a timeout.
MAY_HANG = {"fifo", "dev-zero"}


SPECIAL: list[tuple[str, Callable[[Path], object], str]] = [
    ("fifo", lambda p: os.mkfifo(p), "a named pipe (FIFO), not a {what}; only regular files "
                                     "are read"),
    ("dev-zero", lambda p: p.symlink_to("/dev/zero"), "a character device, not a {what}; only "
                                                      "regular files are read"),
    ("dev-null", lambda p: p.symlink_to("/dev/null"), "a character device, not a {what}; only "
                                                      "regular files are read"),
    ("loop", lambda p: p.symlink_to(p.name), "cannot read the file: a loop of symbolic links"),
    ("dangling", lambda p: p.symlink_to("nowhere"), "cannot read the file: no such file (or a "
                                                    "symbolic link to nothing)"),
    ("folder", lambda p: p.mkdir(), "a folder, not a {what}; only regular files are read"),
]


@pytest.mark.parametrize(("kind", "make", "message"), SPECIAL, ids=[s[0] for s in SPECIAL])
def test_special_quiz_files_are_refused(book: Path, kind: str, make: Callable[[Path], object],
                                        message: str) -> None:
    make(book / "quizzes" / "zz-odd.yml")
    code, out, _ = check(book, may_hang=kind in MAY_HANG)
    assert code == 1
    assert out == [f"quizzes/zz-odd.yml:1:1: {message.format(what='quiz file')}"]


@pytest.mark.parametrize(("kind", "make", "message"), SPECIAL, ids=[s[0] for s in SPECIAL])
def test_special_lesson_files_are_refused(book: Path, kind: str,
                                          make: Callable[[Path], object], message: str) -> None:
    make(book / "lessons" / "zz-odd.md")
    code, out, _ = check(book, may_hang=kind in MAY_HANG)
    assert code == 1
    assert out == [f"lessons/zz-odd.md:1:1: {message.format(what='lesson page')}",
                   "lessons/zz-odd.md:1:1: lesson 'zz-odd' has no quiz (no file in quizzes/ "
                   "has `lesson: zz-odd`)"] + [
        f"lessons/zz-odd.md:1:1: toc: lesson 'zz-odd' is not in {toc}, so the book leaves it "
        "out: add `- file: lessons/zz-odd` to its chapters"
        for toc in ("_toc.yml", "_toc_instructor.yml")]


def test_a_special_file_named_on_the_command_line_is_a_content_problem(book: Path) -> None:
    os.mkfifo(book / "quizzes" / "pipe.yml")
    code, out, err = check(book, "quizzes/pipe.yml", may_hang=True)
    assert code == 1
    assert out == ["quizzes/pipe.yml:1:1: a named pipe (FIFO), not a quiz file; only regular "
                   "files are read"]
    assert err == "1 problem(s) in 1 quiz file(s)\n"


def test_a_lesson_in_latin1_is_refused_at_the_byte(book: Path) -> None:
    lesson = sorted((book / "lessons").glob("*.md"))[0]
    lesson.write_bytes(lesson.read_bytes() + "\nCaf\u00e9\n".encode("latin-1"))
    line = lesson.read_bytes().count(b"\n")
    code, out, _ = check(book)
    assert code == 1
    assert out == [f"lessons/{lesson.name}:{line}:4: the file is not UTF-8 text; save it as "
                   "UTF-8"]


def test_a_quiz_in_utf16_is_refused(book: Path) -> None:
    target = book / "quizzes" / GOOD_QUIZ.name
    target.write_bytes(GOOD_QUIZ.read_text(encoding="utf-8").encode("utf-16"))
    code, out, _ = check(book, f"quizzes/{GOOD_QUIZ.name}")
    assert code == 1
    assert out == [f"quizzes/{GOOD_QUIZ.name}:1:1: the file is not UTF-8 text; save it as UTF-8"]


def test_a_utf8_bom_is_accepted(book: Path) -> None:
    target = book / "quizzes" / GOOD_QUIZ.name
    target.write_bytes(b"\xef\xbb\xbf" + GOOD_QUIZ.read_bytes())
    code, out, err = check(book)
    assert (code, out) == (0, []) and err.startswith("ok: ")


def test_a_huge_quiz_file_is_refused_from_its_size(book: Path) -> None:
    huge = book / "quizzes" / "huge.yml"
    with huge.open("wb") as handle:
        handle.truncate(3_000_000_000)  # sparse: instant, no disk used
    code, out, _ = check(book, may_hang=True)
    assert code == 1
    assert out == ["quizzes/huge.yml:1:1: the file is 3,000,000,000 bytes, larger than the "
                   "1,000,000 bytes a quiz file may have"]


def test_the_reader_refuses_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_bytes(b"x" * 10)
    with pytest.raises(files.UnreadableFile) as info:
        files.read_bytes(path, limit=5)
    assert info.value.message == "the file is 10 bytes, larger than the 5 bytes a file may have"
    os.mkfifo(tmp_path / "p")
    with pytest.raises(files.UnreadableFile, match="a named pipe"):
        files.read_bytes(tmp_path / "p", limit=5)


def test_an_unreadable_quiz_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, who reads every file: the refusal of open() is simulated."""
    path = tmp_path / "locked.yml"
    path.write_bytes(GOOD_QUIZ.read_bytes())

    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    quiz, problems = check_quiz_file(path)
    assert quiz is None
    assert [str(p) for p in problems] == [f"{path}:1:1: cannot read the file: permission denied"]


# -- control characters: refused by check, so they never reach an export ------------------


@pytest.mark.parametrize(("escape", "shown"), [
    ("\\0", "U+0000 (NUL)"), ("\\e", "U+001B (ESC)"), ("\\a", "U+0007 (BEL)"),
    ("\\x08", "U+0008 (BS)"), ("\\x7f", "U+007F"), ("\\x85", "U+0085"),
])
def test_control_characters_written_as_escapes_are_refused(book: Path, escape: str,
                                                           shown: str) -> None:
    target = book / "quizzes" / GOOD_QUIZ.name
    text = target.read_text(encoding="utf-8")
    before, _, after = text.partition("\ntitle: ")
    line = before.count("\n") + 2
    target.write_text(f'{before}\ntitle: "Bad{escape}title"\n{after.split(chr(10), 1)[1]}',
                      encoding="utf-8")
    code, out, _ = check(book, f"quizzes/{GOOD_QUIZ.name}")
    assert code == 1
    assert out == [f"quizzes/{GOOD_QUIZ.name}:{line}:1: title: contains a control character "
                   f"{shown} at character 4; remove it"]


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x00", "a control character U+0000 (NUL)"), ("\x1b", "a control character U+001B (ESC)"),
    ("\u202e", "a bidirectional override U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u2066", "a bidirectional override U+2066 (LEFT-TO-RIGHT ISOLATE)"),
])
def test_control_characters_typed_into_the_file_are_refused(raw: str, shown: str) -> None:
    text = GOOD_QUIZ.read_text(encoding="utf-8").replace("\ntitle: ", f"\ntitle: A{raw}", 1)
    line = text.split("\ntitle: ")[0].count("\n") + 2
    quiz, problems = parse_quiz_text(text.encode(), "q.yml")
    assert quiz is None
    assert [str(p) for p in problems] == [f"q.yml:{line}:9: {shown} in the file; remove it "
                                          "(write text only)"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("accept", '["Khme\\timim"]', "contains a control character U+0009 (TAB) at character 5"),
    ("unit", '"k\\nm"', "contains a control character U+000A (LF) at character 2"),
])
def test_one_line_fields_refuse_layout_characters(field: str, value: str,
                                                  message: str) -> None:
    body = {"accept": "short_text", "unit": "numeric"}[field]
    extra = ("    accept: " + value + "\n") if field == "accept" else \
        ("    answer: 3\n    unit: " + value + "\n")
    text = (f"id: t\nlesson: t\ntitle: T\nobjectives:\n  - {{id: lo1, text: O}}\nquestions:\n"
            f"  - id: q1\n    type: {body}\n    objective: lo1\n    source: p1\n"
            f"    prompt: P?\n{extra}")
    quiz, problems = parse_quiz_text(text.encode(), "q.yml")
    assert quiz is None and len(problems) == 1
    where = "questions[0].accept[0]" if field == "accept" else "questions[0].unit"
    assert problems[0].field == where and problems[0].message == f"{message}; remove it"


# -- nesting: refused at the token that passes the limit ----------------------------------


@pytest.mark.parametrize(("text", "line", "col"), [
    ("[" * 50_000, 1, MAX_DEPTH + 2),
    ("{a: " * 20_000, 1, 4 * MAX_DEPTH + 2),
    ("a:\n" + "".join(" " * n + "- \n" for n in range(0, 400, 2)), MAX_DEPTH + 2,
     2 * MAX_DEPTH + 2),
    ("- " * 5_000 + "x", 1, 2 * MAX_DEPTH + 2),
    # Brackets inside quoted text do not close anything: the count is the parser's own.
    ('k: ["]]]", "x", ' + "[" * 40, 1, 16 + MAX_DEPTH),
], ids=["flow-sequences", "flow-mappings", "block-indentation", "compact-dashes",
        "quoted-closers"])
def test_deep_nesting_is_refused_where_it_passes_the_limit(text: str, line: int,
                                                           col: int) -> None:
    quiz, problems = parse_quiz_text(text.encode(), "q.yml")
    assert quiz is None
    assert [str(p) for p in problems] == [
        f"q.yml:{line}:{col}: the YAML is nested more than {MAX_DEPTH} levels deep; a quiz "
        "needs far fewer"]


def test_a_whole_deep_file_in_the_book_exits_one(book: Path) -> None:
    (book / "quizzes" / "deep.yml").write_text("[" * 50_000)
    code, out, _ = check(book)
    assert code == 1
    assert out == [f"quizzes/deep.yml:1:{MAX_DEPTH + 2}: the YAML is nested more than "
                   f"{MAX_DEPTH} levels deep; a quiz needs far fewer"]


# -- other readers use the same safe reader ----------------------------------------------


def test_figure_data_from_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "timeline.yml")
    with pytest.raises(FigureDataError) as info:
        load_timeline(tmp_path / "timeline.yml")
    assert str(info.value) == f"{tmp_path / 'timeline.yml'}:1:1: a named pipe (FIFO), not a " \
                              "figure data file; only regular files are read"


def test_bundle_of_a_device_is_a_content_problem(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "z.yml").symlink_to("/dev/zero")
    assert main(["bundle", str(tmp_path / "z.yml")]) == 1
    assert capsys.readouterr().err == (f"{tmp_path / 'z.yml'}:1:1: a character device, not a "
                                       "quiz file; only regular files are read\n")


def test_lint_reports_unreadable_files_honestly(book: Path) -> None:
    os.mkfifo(book / "quizzes" / "pipe.yml")
    proc = run_cli_apart("lint", "quizzes", cwd=book)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == ["quizzes/pipe.yml:1:1: a named pipe (FIFO), not a quiz "
                                        "file; only regular files are read"]
    total = len(list((ROOT / "quizzes").glob("*.yml"))) + 1
    assert f"1 of {total} quiz file(s) could not be loaded" in proc.stderr


def test_control_characters_in_a_lesson_are_refused(book: Path) -> None:
    lesson = sorted((book / "lessons").glob("*.md"))[0]
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nA bell\x07 and \u202eevil\n",
                      encoding="utf-8")
    line = lesson.read_text(encoding="utf-8").count("\n")
    code, out, _ = check(book)
    assert code == 1
    assert out == [f"lessons/{lesson.name}:{line}:7: a control character U+0007 (BEL) in the "
                   "page; remove it (write text only)"]
