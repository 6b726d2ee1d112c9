"""Print a single-page build to PDF with Chromium (headless, offline, ~2 s a book).

The engine is Chromium's own print-to-PDF: Debian's `chromium`, Chrome, or any
Chromium named by `QUIZBOOK_CHROMIUM`. LaTeX would need 330 MB+ of TeX and shows
quizzes poorly. A print stylesheet is injected into the page first: it hides the
site navigation and, in the student handout, adds lines to write answers on.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Literal

from quizbook.chromium import HEADLESS_ARGS, find_chromium

Edition = Literal["student", "instructor"]
CHROMIUM_ARGS = [*HEADLESS_ARGS, "--disable-extensions", "--no-pdf-header-footer",
                 "--print-to-pdf-no-header", "--run-all-compositor-stages-before-draw",
                 "--virtual-time-budget=10000"]
PDF_TIMEOUT = 300

HOW_TO_GET = (
    "PDFs are printed by Chromium, and none was found. Install it and run the export again:\n"
    "  Debian/Ubuntu:  sudo apt-get install chromium   (or chromium-browser)\n"
    "  Fedora:         sudo dnf install chromium\n"
    "  macOS/Windows:  install Google Chrome, then set QUIZBOOK_CHROMIUM to its program,\n"
    "                  e.g. QUIZBOOK_CHROMIUM='/Applications/Google Chrome.app/Contents/MacOS/"
    "Google Chrome'\n"
    "Or skip the PDFs with `quizbook export --no-pdf`.")


class PdfError(Exception):
    """No PDF engine, or printing failed; the message says what to do."""


def require_chromium() -> str:
    found = find_chromium()
    if found is None:
        named = os.environ.get("QUIZBOOK_CHROMIUM")
        prefix = f"QUIZBOOK_CHROMIUM={named!r} is not a program. " if named else ""
        raise PdfError(prefix + HOW_TO_GET)
    return found


def print_css(edition: Edition) -> str:
    folder = resources.files("quizbook.export") / "templates"
    css = (folder / "print.css").read_text(encoding="utf-8")
    if edition == "student":
        css += "\n" + (folder / "print-student.css").read_text(encoding="utf-8")
    return css


def inject_print_css(page: Path, edition: Edition) -> None:
    """Add the print stylesheet to a page of our own work copy (never a published file)."""
    html = page.read_text(encoding="utf-8")
    style = f'<style media="print" data-quizbook-print>\n{print_css(edition)}\n</style>'
    if "data-quizbook-print" in html:
        return
    marker = "</head>"
    if marker not in html:
        raise PdfError(f"{page}: no </head> to add the print stylesheet to")
    page.write_text(html.replace(marker, style + marker, 1), encoding="utf-8")


def print_pdf(page: Path, pdf: Path, edition: Edition, chromium: str | None = None) -> float:
    """Print `page` to `pdf`; returns the seconds it took."""
    engine = chromium or require_chromium()
    inject_print_css(page, edition)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="quizbook-chromium-") as profile:
        tmp = pdf.with_name(f".{pdf.name}.tmp")
        cmd = [engine, *CHROMIUM_ARGS, f"--user-data-dir={profile}",
               f"--print-to-pdf={tmp}", page.resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise PdfError(f"{pdf}: Chromium did not finish printing in {PDF_TIMEOUT} s") \
                from None
        except OSError as exc:
            raise PdfError(f"cannot run {engine}: {exc.strerror}\n{HOW_TO_GET}") from None
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            tail = "\n".join(line for line in proc.stderr.splitlines()[-10:]
                             if "dbus" not in line)
            raise PdfError(f"{pdf}: Chromium ({engine}) could not print {page}\n{tail}")
        tmp.replace(pdf)
    return time.perf_counter() - start
