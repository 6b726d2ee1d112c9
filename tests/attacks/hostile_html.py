"""Hostile copies of the course book for the HTML, path and link attacks.

`copy_book` copies the repository's book (sources only) into a folder; the
tests plant their payloads in the copy and build it with `build`, which runs
the project's own Jupyter Book exactly as `make book` and `quizbook export` do
(both editions: the instructor one with `--config _config_instructor.yml
--toc _toc_instructor.yml`).

Payloads are numbered so that a failing assertion says where the payload was
planted: `payload(7)` is `<img src=x onerror=alert(7)><script>window.__pwned=7
</script>` (no quotes, which MyST would turn into curly ones).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[2]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
SKIP = {"_build", ".venv", "node_modules", ".git", "tests", ".pytest_cache", ".mypy_cache",
        ".ruff_cache", ".hypothesis", "src", "docs", ".ci", "types", "benchmarks"}
Edition = Literal["student", "instructor"]
EDITIONS: tuple[Edition, Edition] = ("student", "instructor")


def payload(n: int) -> str:
    """Markup that, if it ever became live, would open a dialog and set a global."""
    return f"<img src=x onerror=alert({n})><script>window.__pwned={n}</script>"


#: Anything a payload could have become in a page (lxml XPath over the parsed HTML).
LIVE_XPATH = ("//img[@src='x'] | //*[@onerror] | //*[@onload] | "
              "//script[not(@type='application/json') and contains(., '__pwned')] | "
              "//iframe | //object | //embed | "
              "//a[starts-with(translate(normalize-space(@href), 'JAVSCRIPT', 'javscript'),"
              " 'javascript')]")
#: The same in a live DOM (run after scripts did whatever they do).
LIVE_JS = """() => {
  const found = [];
  document.querySelectorAll('img[src="x"], [onerror], [onload], iframe, object, embed')
    .forEach((e) => found.push(e.outerHTML.slice(0, 120)));
  for (const s of document.scripts)
    if (s.type !== 'application/json' && s.textContent.includes('__pwned'))
      found.push(s.outerHTML.slice(0, 120));
  document.querySelectorAll('a[href]').forEach((a) => {
    const href = a.getAttribute('href').replace(/[\\x00-\\x20]/g, '').toLowerCase();
    if (/^(javascript|vbscript|data):/.test(href)) found.push(a.outerHTML.slice(0, 120));
  });
  return found;
}"""


def copy_book(dest: Path) -> Path:
    """A copy of the course book's sources (no build output, no engine, no tests)."""
    shutil.copytree(ROOT, dest, ignore=lambda folder, names: [n for n in names if n in SKIP]
                    if Path(folder) == ROOT else [], symlinks=True)
    return dest


@dataclass
class Build:
    edition: Edition
    html: Path
    returncode: int
    log: str

    def problems(self) -> list[str]:
        """The build's WARNING/ERROR lines, colour codes removed."""
        plain = re.sub(r"\x1b\[[0-9;]*m", "", self.log)
        return [line for line in plain.splitlines() if ": WARNING: " in line
                or ": ERROR: " in line]


def build(book: Path, edition: Edition, out: Path, strict: bool = True) -> Build:
    """Build one edition of `book` into `out/_build/html` (all pages, like a fresh clone)."""
    cmd = [str(JUPYTER_BOOK), "build", str(book), "--path-output", str(out), "--all", "-n",
           "--keep-going"]
    if strict:
        cmd.append("-W")
    if edition == "instructor":
        cmd += ["--config", str(book / "_config_instructor.yml"),
                "--toc", str(book / "_toc_instructor.yml")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=book)
    return Build(edition, out / "_build" / "html", proc.returncode, proc.stdout + proc.stderr)


def pages(html: Path) -> list[Path]:
    """Every page of a built book except the index redirect."""
    return sorted(p for p in html.rglob("*.html")
                  if "_static" not in p.parts and p != html / "index.html")


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` (which must be there) in a book file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} not found (did the book change?)"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def set_config(book: Path, **values: str) -> None:
    """Set `sphinx.config` entries (YAML text) in both editions' configurations."""
    for name in ("_config.yml", "_config_instructor.yml"):
        config = book / name
        text = config.read_text(encoding="utf-8")
        for key, value in values.items():
            line = f"    {key}: {value}\n"
            text, replaced = re.subn(rf"^    {re.escape(key)}:.*\n", lambda _, new=line: new, text,
                                     count=1, flags=re.MULTILINE)
            if not replaced:
                assert "  config:\n" in text, config
                text = text.replace("  config:\n", "  config:\n" + line, 1)
        config.write_text(text, encoding="utf-8")


def notebook(cells: list[dict[str, Any]]) -> str:
    """A notebook file (nbformat 4) holding `cells`."""
    import json

    return json.dumps({"cells": cells, "metadata": {"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}, indent=1)


def markdown_cell(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def add_page(book: Path, file: str, after: str = "glossary") -> None:
    """Put a page in both tables of contents, after `after`."""
    for name in ("_toc.yml", "_toc_instructor.yml"):
        toc = book / name
        text, found = re.subn(rf"^( *)- file: {re.escape(after)}\n",
                              lambda m: f"{m.group(0)}{m.group(1)}- file: {file}\n",
                              toc.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE)
        assert found, f"{toc}: no entry for {after}"
        toc.write_text(text, encoding="utf-8")
