"""Attack class 1c: directives that read or publish files stay inside the book.

A hostile copy of the course book sits next to an `outside/` folder holding a
secret. Its lessons try to read or publish that secret (and a stale instructor
file in `_build/`, a hidden folder, a FIFO) through every directive and reference
that takes a path: `{include}` (MyST and reStructuredText, docutils' standard
includes), `{literalinclude}` (and its `:diff:`), `{csv-table}` `:file:` and
`:url:`, `{download}`, Markdown links to files, `{image}`, `{figure}`, Markdown
images, and, for the backstop, `{quiz}` and `{timeline}` pointed outside. Its
`_config.yml` gives `quizbook_allow_raw` and `quizbook_allowed_paths` as strings.

Each attempt is a build error naming the file and line (even without `-W`, the
build exits 1), and no byte of the secret reaches any output file, in both
editions. A second copy lists outside paths in `quizbook_allowed_paths` and
builds cleanly with `-W`, with their content in the page.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import pytest

from quizbook.sphinx.paths import Bounds
from tests.attacks.hostile_html import (
    EDITIONS,
    Build,
    Edition,
    append,
    build,
    copy_book,
    edit,
    set_config,
)

SECRET = "OUTSIDE-SECRET-5d2e"
STALE_KEY = "STALE-INSTRUCTOR-KEY-81c0"
LEAVES = "leaves the book's folder"
ALLOW = "list the path in `quizbook_allowed_paths` in _config.yml to allow it"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
       b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82") + SECRET.encode()

#: (block appended to lessons/01-laboratory.md, expected message after "LINE: ERROR: ").
#: The error's line is the block's first line (reStructuredText: the directive's own line).
ATTEMPTS: list[tuple[str, str]] = [
    ("```{include} ../../outside/secret.txt\n```",
     f"include: '../../outside/secret.txt' {LEAVES}"),
    ("```{include} /../outside/secret.txt\n```",
     f"include: '/../outside/secret.txt' {LEAVES}"),
    ("```{include} <../../../../../../../../outside/secret.txt>\n```",
     "include: '<../../../../../../../../outside/secret.txt>' leaves docutils' standard "
     "include folder (name one of its files, e.g. <isonum.txt>)"),
    ("```{literalinclude} ../../outside/secret.txt\n```",
     f"literalinclude: '../../outside/secret.txt' {LEAVES}"),
    ("```{literalinclude} link.txt\n```", f"literalinclude: 'link.txt' {LEAVES}"),
    ("```{literalinclude} linkdir/secret.txt\n```",
     f"literalinclude: 'linkdir/secret.txt' {LEAVES}"),
    ("```{literalinclude} ../.hidden/secret.txt\n```",
     "literalinclude: '../.hidden/secret.txt' is inside a hidden folder or file (.hidden)"),
    ("```{literalinclude} ../_build/export/instructor/key.txt\n```",
     "literalinclude: '../_build/export/instructor/key.txt' is in the build output"),
    ("```{literalinclude} fifo.txt\n```", "literalinclude: 'fifo.txt' is not a regular file"),
    ("```{literalinclude} 00-prologue.md\n:diff: ../../outside/secret.txt\n```",
     f"literalinclude: '../../outside/secret.txt' {LEAVES}"),
    ("```{csv-table} Numbers\n:file: ../../outside/secret.csv\n```",
     f"csv-table :file:: '../../outside/secret.csv' {LEAVES}"),
    ("```{csv-table} Numbers\n:url: http://127.0.0.1:9/secret.csv\n```",
     "csv-table: :url: downloads a file from another host at build time"),
    ("```{eval-rst}\n.. include:: ../../outside/secret.txt\n```",
     f"include: '../../outside/secret.txt' {LEAVES}"),
    ("Notes: {download}`the notes <../../outside/secret.txt>`.",
     f"download: '../../outside/secret.txt' {LEAVES}"),
    ("More [notes](../../outside/notes.txt).", f"download: '../../outside/notes.txt' {LEAVES}"),
    ("```{image} ../../outside/secret.png\n:alt: An image\n```",
     f"image: '../../outside/secret.png' {LEAVES}"),
    ("```{figure} ../../outside/figure.png\n:alt: A figure\n\nIts caption.\n```",
     f"image: '../../outside/figure.png' {LEAVES}"),
    ("![A picture](../../outside/picture.png)", f"image: '../../outside/picture.png' {LEAVES}"),
    ("```{raw} html\n:file: ../../outside/secret.txt\n```", '"raw" directive disabled.'),
]


@dataclass
class Attack:
    book: Path
    outside: Path
    builds: dict[Edition, Build] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)


def _outside(root: Path) -> Path:
    outside = root / "outside"
    outside.mkdir()
    for name in ("secret.txt", "notes.txt"):
        (outside / name).write_text(f"{SECRET}\n", encoding="utf-8")
    (outside / "secret.csv").write_text(f"a,{SECRET}\n", encoding="utf-8")
    for name in ("secret.png", "figure.png", "picture.png"):
        (outside / name).write_bytes(PNG)
    return outside


def _plant_files(book: Path, outside: Path) -> None:
    lessons = book / "lessons"
    os.symlink(outside / "secret.txt", lessons / "link.txt")
    os.symlink(outside, lessons / "linkdir")
    os.mkfifo(lessons / "fifo.txt")
    (book / ".hidden").mkdir()
    (book / ".hidden" / "secret.txt").write_text(SECRET, encoding="utf-8")
    stale = book / "_build" / "export" / "instructor"
    stale.mkdir(parents=True)
    (stale / "key.txt").write_text(STALE_KEY, encoding="utf-8")


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> Attack:
    root = tmp_path_factory.mktemp("hostile-paths")
    outside = _outside(root)
    book = copy_book(root / "book")
    _plant_files(book, outside)
    result = Attack(book, outside)
    lesson = book / "lessons" / "01-laboratory.md"
    for block, _ in ATTEMPTS:
        start = len(lesson.read_text(encoding="utf-8").splitlines()) + 2
        result.lines.append(start + 1 if block.startswith("```{eval-rst}") else start)
        append(lesson, block)
    # The backstop: our own directives pointed outside (a real quiz file, real data).
    shutil.copy(book / "quizzes" / "l2-division-of-labor.yml", outside / "quiz.yml")
    shutil.copy(book / "data" / "timeline.yml", outside / "timeline.yml")
    edit(book / "lessons" / "02-division-of-labor.md",
         "```{quiz} ../quizzes/l2-division-of-labor.yml", "```{quiz} ../../outside/quiz.yml")
    append(book / "lessons" / "03-strategic-victories.md",
           "```{timeline} ../../outside/timeline.yml\n:alt: A timeline.\n```")
    set_config(book, quizbook_allow_raw="'false'",
               quizbook_allowed_paths="'../outside/secret.txt'")
    with ThreadPoolExecutor(max_workers=2) as pool:
        # Not -W: the refusals alone must fail the build.
        futures = {e: pool.submit(build, book, e, root / e, False) for e in EDITIONS}
        result.builds = {e: f.result() for e, f in futures.items()}
    return result


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_attempt_is_an_error_at_its_line(attack: Attack, edition: Edition) -> None:
    built = attack.builds[edition]
    assert built.returncode == 1, built.log[-3000:]
    problems = built.problems()
    lesson = attack.book / "lessons" / "01-laboratory.md"
    missing = [f"{lesson}:{line}: ERROR: {message}"
               for (_, message), line in zip(ATTEMPTS, attack.lines, strict=True)
               if not any(p.startswith(f"{lesson}:{line}: ") and message in p
                          for p in problems)]
    assert missing == [], "\n".join(problems)
    for problem in problems:
        if LEAVES in problem and "standard include" not in problem:
            assert problem.endswith(f"({ALLOW})"), problem
    # Nothing else went wrong: only the refusals, the page summary and the disabled raw.
    others = [p for p in problems if "ERROR: " not in p and "raw" not in p]
    assert others == [], others


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_config_strings_are_errors_at_their_lines(attack: Attack, edition: Edition) -> None:
    name = "_config.yml" if edition == "student" else "_config_instructor.yml"
    config = attack.book / name
    lines = config.read_text(encoding="utf-8").splitlines()
    raw_line = next(i for i, line in enumerate(lines, 1) if "quizbook_allow_raw" in line)
    paths_line = next(i for i, line in enumerate(lines, 1) if "quizbook_allowed_paths" in line)
    problems = attack.builds[edition].problems()
    assert f"{config}:{raw_line}:5: ERROR: sphinx.config.quizbook_allow_raw: must be true or " \
           "false (a YAML boolean, unquoted), not the string 'false'; using false" in problems
    assert any(p.startswith(f"{config}:{paths_line}:5: ERROR: sphinx.config."
                            "quizbook_allowed_paths: must be a list of paths") for p in problems)


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_backstop_refuses_pages_that_read_outside_files(attack: Attack,
                                                        edition: Edition) -> None:
    problems = attack.builds[edition].problems()
    html = attack.builds[edition].html
    for lesson, read in (("02-division-of-labor", "quiz.yml"),
                         ("03-strategic-victories", "timeline.yml")):
        source = attack.book / "lessons" / f"{lesson}.md"
        assert any(p.startswith(f"{source}:1: ERROR: this page read a file: ")
                   and read in p and LEAVES in p for p in problems), problems
        page = lxml.html.parse(str(html / "lessons" / f"{lesson}.html")).getroot()
        assert "This page was refused when the book was built" in page.text_content()
        assert not page.xpath("//*[@data-quizbook-quiz] | //svg")


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_no_byte_of_an_outside_file_reaches_the_site(attack: Attack, edition: Edition) -> None:
    html = attack.builds[edition].html
    files = [p for p in html.rglob("*") if p.is_file()]
    assert any(p.name == "01-laboratory.html" for p in files)
    leaked = [p for p in files if SECRET.encode() in p.read_bytes()
              or STALE_KEY.encode() in p.read_bytes()]
    assert leaked == []
    published = [p.relative_to(html).as_posix() for p in files
                 if p.parent.parent.name == "_downloads" or p.parent.name == "_images"]
    assert all(p.endswith(".ipynb") or p.endswith(".svg") for p in published), published
    lesson = lxml.html.parse(str(html / "lessons" / "01-laboratory.html")).getroot()
    # The words of a refused download stay, as text.
    assert "the notes" in lesson.text_content() and "notes" in lesson.text_content()


# -- the allow-list ----------------------------------------------------------------------


@pytest.mark.slow
def test_allowed_paths_are_read_and_nothing_else(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "data").mkdir(parents=True)
    (outside / "README.md").write_text("Shared text: ALLOWED-README-TEXT.\n", encoding="utf-8")
    (outside / "data" / "table.csv").write_text("x,ALLOWED-CSV-CELL\n", encoding="utf-8")
    (outside / "data" / "code.py").write_text("ALLOWED = 'CODE'\n", encoding="utf-8")
    book = copy_book(tmp_path / "book")
    set_config(book, quizbook_allowed_paths="[../outside/README.md, ../outside/data/]",
               quizbook_allow_raw="false")
    append(book / "lessons" / "01-laboratory.md",
           "```{include} ../../outside/README.md\n```\n\n"
           "```{csv-table} Shared\n:file: ../../outside/data/table.csv\n```\n\n"
           "```{literalinclude} ../../outside/data/code.py\n```\n")
    for edition in EDITIONS:
        built = build(book, edition, tmp_path / edition)
        assert built.returncode == 0 and built.problems() == [], built.log[-3000:]
        page = lxml.html.parse(str(built.html / "lessons" / "01-laboratory.html")).getroot()
        text = page.text_content()
        for shown in ("ALLOWED-README-TEXT", "ALLOWED-CSV-CELL", "ALLOWED = 'CODE'"):
            assert shown in text, (edition, shown)


# -- the rule itself (no build) ------------------------------------------------------------


@pytest.fixture
def bounds(tmp_path: Path) -> Bounds:
    root = tmp_path / "book"
    (root / "lessons").mkdir(parents=True)
    (root / "_build").mkdir()
    (tmp_path / "shared").mkdir()
    return Bounds(root=root, build=(root / "_build",), allowed=(tmp_path / "shared",
                                                                tmp_path / "one.md"),
                  generated=(root / "_build" / "jupyter_execute",))


@pytest.mark.parametrize(("relative", "reason"), [
    ("lessons/a.md", None),
    ("lessons/../lessons/a.md", None),
    ("../outside.md", LEAVES),
    ("lessons/../../outside.md", LEAVES),
    ("../book-sibling/x.md", LEAVES),
    ("_build/html/x.html", "is in the build output"),
    ("_build/jupyter_execute/out.png", None),
    (".git/config", "is inside a hidden folder or file (.git)"),
    ("lessons/.env", "is inside a hidden folder or file (.env)"),
    ("../shared/figure.png", None),
    ("../shared/deep/er/figure.png", None),
    ("../one.md", None),
    ("../one.md.bak", LEAVES),
    ("../shared-evil/x.md", LEAVES),
])
def test_bounds(bounds: Bounds, relative: str, reason: str | None) -> None:
    assert bounds.refusal(bounds.root / relative) == reason


def test_bounds_follow_symlinks_and_refuse_special_files(bounds: Bounds, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", bounds.root / "lessons" / "in.txt")
    os.symlink(bounds.root / "lessons" / "in.txt", bounds.root / "chain.txt")
    os.symlink(bounds.root / "loop-a", bounds.root / "loop-b")
    os.symlink(bounds.root / "loop-b", bounds.root / "loop-a")
    os.mkfifo(bounds.root / "lessons" / "fifo.md")
    (bounds.root / "lessons" / "folder.md").mkdir()
    assert bounds.refusal(bounds.root / "lessons" / "in.txt") == LEAVES
    assert bounds.refusal(bounds.root / "chain.txt") == LEAVES
    assert bounds.refusal(bounds.root / "loop-a") == "is a symbolic link loop"
    assert bounds.refusal(bounds.root / "lessons" / "fifo.md") == "is not a regular file"
    assert bounds.refusal(bounds.root / "lessons" / "folder.md") == "is not a regular file"
    assert bounds.refusal(Path("/dev/zero")) == LEAVES
