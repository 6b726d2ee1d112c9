"""A lesson cannot put raw HTML into the book through docutils' `{raw}` directive."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MINIMAL = Path(__file__).parent / "books" / "minimal"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


@pytest.mark.slow
def test_raw_directive_fails_the_build_and_stays_out_of_the_page(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(MINIMAL, book, ignore=shutil.ignore_patterns("_build"))
    lesson = book / "lessons" / "01-minimal.md"
    lesson.write_text(lesson.read_text(encoding="utf-8")
                      + "\n```{raw} html\n<script>window.__pwned=1</script>\n```\n",
                      encoding="utf-8")
    result = subprocess.run([str(JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert '01-minimal.md:29: WARNING: "raw" directive disabled.' in result.stderr + result.stdout
    page = (book / "_build" / "html" / "lessons" / "01-minimal.html").read_text(encoding="utf-8")
    assert "__pwned" not in page
