"""No raw HTML reaches a page unless the book opts in with a real `quizbook_allow_raw: true`.

Ways in that are closed: docutils' `{raw}` directive, a string `'false'` for the
setting (Sphinx would read any string as true), notebook cells whose stored
output is `text/html` or `application/javascript`, and theme options printed as
HTML (`html.announcement`, `html.extra_footer`). Opting in allows raw HTML and
notebook HTML, but never a `{raw}` file from outside the book.

Each test builds its own hostile copy of the minimal book in this process
(tests/inprocess.py: Jupyter Book's own configuration, no subprocess), so each is `slow`;
`test_a_string_false_is_an_error_and_raw_stays_off` runs the `jupyter-book` command
itself, because its point is the command's exit status without `-W`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.inprocess import build, copy_book

MINIMAL = Path(__file__).parent / "books" / "minimal"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
PWNED = "<script>window.__pwned=1</script>"


def _copy(tmp_path: Path) -> Path:
    return copy_book(MINIMAL, tmp_path / "book")


def _append(book: Path, text: str) -> None:
    lesson = book / "lessons" / "01-minimal.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def _configure(book: Path, config: str = "", html: str = "") -> Path:
    path = book / "_config.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    quizbook_edition: student\n",
                        f"    quizbook_edition: student\n{config}")
    text = text.replace("html:\n", f"html:\n{html}", 1)
    path.write_text(text, encoding="utf-8")
    return path


def _build(book: Path, strict: bool = True) -> tuple[int, list[str]]:
    """`jupyter-book build BOOK -n --keep-going --all [-W]`, in this process: the exit status
    and the warning and error lines."""
    built = build(book, strict=strict)
    return built.status, built.problems


def _build_with_the_command(book: Path) -> tuple[int, list[str]]:
    """The same, without -W, as the `jupyter-book` command (a subprocess)."""
    cmd = [str(JUPYTER_BOOK), "build", str(book), "-n", "--keep-going", "--all"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    return result.returncode, [line for line in plain.splitlines()
                               if ": WARNING: " in line or ": ERROR: " in line]


def _page(book: Path, name: str = "lessons/01-minimal") -> str:
    return (book / "_build" / "html" / f"{name}.html").read_text(encoding="utf-8")


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


@pytest.mark.slow
def test_raw_directive_fails_the_build_and_stays_out_of_the_page(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    _append(book, f"```{{raw}} html\n{PWNED}\n```")
    code, problems = _build(book)
    assert code != 0
    assert any(p.endswith('01-minimal.md:29: WARNING: "raw" directive disabled.')
               for p in problems), problems
    assert "__pwned" not in _page(book)


@pytest.mark.slow
def test_a_string_false_is_an_error_and_raw_stays_off(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    config = _configure(book, "    quizbook_allow_raw: 'false'\n")
    _append(book, f"```{{raw}} html\n{PWNED}\n```")
    code, problems = _build_with_the_command(book)  # the refusal alone fails the build
    assert code == 1
    line = _line(config, "quizbook_allow_raw")
    assert f"{config}:{line}:5: ERROR: sphinx.config.quizbook_allow_raw: must be true or " \
           "false (a YAML boolean, unquoted), not the string 'false'; using false" in problems
    assert any(p.endswith('WARNING: "raw" directive disabled.') for p in problems)
    assert "__pwned" not in _page(book)


@pytest.mark.slow
@pytest.mark.parametrize("value", ["'true'", "1", "yes-please", "[true]"])
def test_anything_but_a_boolean_is_refused(tmp_path: Path, value: str) -> None:
    book = _copy(tmp_path)
    _configure(book, f"    quizbook_allow_raw: {value}\n")
    _append(book, f"```{{raw}} html\n{PWNED}\n```")
    code, problems = _build(book, strict=False)
    assert code == 1
    assert any("sphinx.config.quizbook_allow_raw: must be true or false" in p
               for p in problems), problems
    assert "__pwned" not in _page(book)


@pytest.mark.slow
def test_opting_in_allows_raw_html_but_no_outside_file(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    (tmp_path / "outside.html").write_text("<p>OUTSIDE-FILE</p>", encoding="utf-8")
    _configure(book, "    quizbook_allow_raw: true\n")
    _append(book, '```{raw} html\n<p class="opted-in">RAW-ALLOWED</p>\n```\n\n'
                  "```{raw} html\n:file: ../../outside.html\n```")
    code, problems = _build(book, strict=False)
    assert code == 1
    lesson = book / "lessons" / "01-minimal.md"
    line = _line(lesson, ":file: ../../outside.html") - 1
    assert any(p.startswith(f"{lesson}:{line}: ERROR: raw :file:: '../../outside.html' leaves "
                            "the book's folder") for p in problems), problems
    page = _page(book)
    assert '<p class="opted-in">RAW-ALLOWED</p>' in page and "OUTSIDE-FILE" not in page


def _notebook(book: Path) -> Path:
    cells: list[dict[str, object]] = [
        {"cell_type": "markdown", "metadata": {}, "source": "# Outputs\n\nA notebook page."},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "show()",
         "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
             "text/html": f"<b>HTML-OUTPUT</b>{PWNED}"}}]},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "source": "run()",
         "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
             "application/javascript": "window.__pwned = 2"}}]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "source": "print(1)",
         "outputs": [{"output_type": "stream", "name": "stdout",
                      "text": "<img src=x onerror=alert(3)> PLAIN-OUTPUT\n"}]},
    ]
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"  # nbformat 4.5 cells carry an id
    path = book / "outputs.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    toc = book / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8") + "  - file: outputs\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_notebook_html_and_javascript_outputs_are_refused(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    notebook = _notebook(book)
    code, problems = _build(book, strict=False)
    assert code == 1
    refused = [p for p in problems if p.startswith(f"{notebook}") and
               "ERROR: a notebook cell output is raw HTML or JavaScript" in p]
    assert len(refused) == 2, problems
    page = _page(book, "outputs")
    assert "__pwned" not in page and "HTML-OUTPUT" not in page
    # A text output is text.
    assert "&lt;img src=x onerror=alert(3)&gt; PLAIN-OUTPUT" in page


@pytest.mark.slow
def test_opting_in_allows_notebook_html(tmp_path: Path) -> None:
    book = _copy(tmp_path)
    _notebook(book)
    _configure(book, "    quizbook_allow_raw: true\n")
    code, problems = _build(book, strict=False)
    assert code == 0, problems
    assert "<b>HTML-OUTPUT</b>" in _page(book, "outputs")


@pytest.mark.slow
@pytest.mark.parametrize(("option", "value", "problem"), [
    ("announcement", "'<img src=x onerror=alert(1)> Welcome'", "holds HTML"),
    ("extra_footer", "'<script>window.__pwned=1</script>'", "holds HTML"),
    ("announcement", "'https://evil.example/banner.html'", "is a URL"),
])
def test_theme_options_printed_as_html_are_refused(tmp_path: Path, option: str, value: str,
                                                   problem: str) -> None:
    book = _copy(tmp_path)
    config = _configure(book, html=f"  {option}: {value}\n")
    code, problems = _build(book, strict=False)
    assert code == 1
    line = _line(config, f"  {option}: ")
    assert any(p.startswith(f"{config}:{line}:3: ERROR: html.{option}: {problem}")
               for p in problems), problems
    page = _page(book)
    assert "onerror=alert" not in page and "__pwned" not in page and "evil.example" not in page
