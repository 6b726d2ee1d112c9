"""A newcomer's book: the README's "Use quizbook in your own book" files, and nothing else,
make a book that builds with -W and whose quiz works.

The files are read from the README itself (each fenced block names its file after the
language), so the README cannot drift from what works.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from tests.conftest import ROOT, build_book

SECTION = "Use quizbook in your own book"


def readme_files() -> dict[str, str]:
    """`{path: text}` of the fenced blocks in the README's section (info: `LANG PATH`)."""
    tokens = MarkdownIt().parse((ROOT / "README.md").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    inside = False
    for n, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            inside = tokens[n + 1].content == SECTION
        elif inside and token.type == "fence":
            _lang, _, path = token.info.partition(" ")
            if path.strip():
                found[path.strip()] = token.content
    return found


def test_the_readme_gives_a_minimal_config_and_a_lesson() -> None:
    files = readme_files()
    assert set(files) == {"_config.yml", "_toc.yml", "lessons/01-water.md",
                          "quizzes/water.yml"}
    config = files["_config.yml"]
    assert "quizbook.sphinx" in config and "quizbook_" not in config  # defaults only
    assert len(config.splitlines()) <= 5


def _scratch_book(tmp_path: Path) -> Path:
    book = tmp_path / "my-course"
    for name, text in readme_files().items():
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        (book / name).write_text(text, encoding="utf-8")
    (book / "intro.md").write_text("# My course\n\nWelcome.\n", encoding="utf-8")
    return book


def test_quizbook_check_accepts_the_scratch_book(tmp_path: Path) -> None:
    book = _scratch_book(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "quizbook", "check"], cwd=book,
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "ok: 1 quiz file(s) valid\n")


@pytest.mark.slow
def test_the_scratch_book_builds_and_its_quiz_is_on_the_page(tmp_path: Path) -> None:
    book = _scratch_book(tmp_path)
    html = build_book(book, tmp_path / "out")  # -W: zero warnings
    page = lxml_html.fromstring((html / "lessons" / "01-water.html").read_text("utf-8"))
    [quiz] = page.xpath('//*[@data-quizbook-quiz="water"]')
    assert quiz.xpath('.//fieldset[@data-question-id="q1"]//input[@type="text"]')
    assert page.xpath('//script[starts-with(@src, "../_static/quizbook-")]')  # per-page
    numbers = page.xpath('//*[@id="p1-1"]//a[contains(@class, "qb-para-num")]')
    assert [n.text_content() for n in numbers] == ["¶ 1.1"]
    # The index page sends readers to the root page (quizbook_index_redirect, a default).
    index = (html / "index.html").read_text("utf-8")
    assert 'url=intro.html' in index and "<title>My course</title>" in index
