"""Build the student and instructor editions with Jupyter Book 1 (never a global install).

Each build writes to its own folder under the export's work directory, so the
student book in `_build/html` is never touched and the instructor build's
`.doctrees` and `jupyter_execute` (which hold instructor text) never reach an
output that is handed out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Edition = Literal["student", "instructor"]
Builder = Literal["html", "singlehtml"]
BUILD_TIMEOUT = 1800


class BuildError(Exception):
    """A book build failed; the message says which and shows the end of the log."""


@dataclass(frozen=True)
class Built:
    edition: Edition
    builder: Builder
    output: Path  # the HTML folder (`_build/html` or `_build/singlehtml`)
    log: Path
    seconds: float


def jupyter_book_command() -> list[str]:
    """The Jupyter Book of this Python environment (the venv's), never one on PATH."""
    script = Path(sys.executable).parent / "jupyter-book"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; "
            "sys.exit(main())"]


def edition_config(book: Path, edition: Edition) -> list[str]:
    """Extra arguments for an edition: the instructor config and table of contents."""
    if edition == "student":
        return []
    config = book / "_config_instructor.yml"
    if not config.is_file():
        raise BuildError(f"{config}: missing; the instructor edition needs it (a copy of "
                         "_config.yml with `quizbook_edition: instructor`)")
    args = ["--config", str(config)]
    toc = book / "_toc_instructor.yml"
    if toc.is_file():
        args += ["--toc", str(toc)]
    return args


def build_command(book: Path, edition: Edition, builder: Builder, out: Path,
                  strict: bool = True) -> list[str]:
    cmd = [*jupyter_book_command(), "build", str(book), "--path-output", str(out),
           "--builder", builder, "--all"]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    return cmd + edition_config(book, edition)


def build_edition(book: Path, edition: Edition, builder: Builder, work: Path,
                  strict: bool = True) -> Built:
    """Build one edition with one builder into `work/<edition>-<builder>/`."""
    import time

    out = work / f"{edition}-{builder}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    log = work / f"build-{edition}-{builder}.log"
    cmd = build_command(book, edition, builder, out, strict)
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                              cwd=book)
    except subprocess.TimeoutExpired:
        raise BuildError(f"the {edition} edition ({builder}) did not finish in "
                         f"{BUILD_TIMEOUT} s") from None
    except OSError as exc:
        raise BuildError(f"cannot run Jupyter Book ({cmd[0]}): {exc.strerror}; install the "
                         "project with `make install`") from None
    log.write_text(f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}", encoding="utf-8")
    html = out / "_build" / builder
    if proc.returncode != 0 or not html.is_dir():
        problems = [line for line in (proc.stdout + proc.stderr).splitlines()
                    if "WARNING" in line or "ERROR" in line or "Error" in line]
        shown = "\n".join(problems[-20:]) or "\n".join(proc.stderr.splitlines()[-20:])
        raise BuildError(f"the {edition} edition ({builder}) failed to build; full log in "
                         f"{log}\n{_plain(shown)}")
    return Built(edition, builder, html, log, time.perf_counter() - start)


def _plain(text: str) -> str:
    """Build output without terminal colour codes."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


#: Build byproducts that must never be handed out (they hold instructor text or sources).
NEVER_PUBLISH = {".doctrees", "jupyter_execute", ".jupyter_cache", "_sources", ".buildinfo"}


def copy_site(html: Path, dest: Path) -> None:
    """Copy a built HTML folder, leaving out build byproducts."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(html, dest, ignore=shutil.ignore_patterns(*NEVER_PUBLISH))


def main_page(singlehtml: Path, book: Path) -> Path:
    """The single page of a `singlehtml` build (index.html only redirects to it)."""
    root = "intro"
    toc = book / "_toc.yml"
    if toc.is_file():
        for line in toc.read_text(encoding="utf-8").splitlines():
            if line.startswith("root:"):
                root = line.split(":", 1)[1].strip().strip("'\"")
                break
    page = singlehtml / f"{root}.html"
    if page.is_file():
        return page
    pages = sorted(singlehtml.glob("*.html"), key=lambda p: p.stat().st_size, reverse=True)
    if not pages:
        raise BuildError(f"{singlehtml}: the single-page build has no HTML page")
    return pages[0]
