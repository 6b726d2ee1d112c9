"""Print a single-page build to PDF with Chromium (headless, offline, ~2 s a book).

The engine is Chromium's own print-to-PDF: Debian's `chromium`, Chrome, or any
Chromium named by `QUIZBOOK_CHROMIUM`. LaTeX would need 330 MB+ of TeX and shows
quizzes poorly. A print stylesheet is injected into the page first: it hides the
site navigation and, in the student handout, adds lines to write answers on.

The page is never opened from `file://` (a page opened that way may load any
local file, e.g. `<iframe src=file:///etc/...>`, into the handout). It is
served over HTTP on 127.0.0.1 from an ephemeral port by a server in this process
that serves only the export's HTML folder. Its Content-Security-Policy lets the
page load only from that origin, with no script at all (the printed pages need
none), no frames and no plug-ins. Chromium sends every request for any other
origin, loopback ones included, to a proxy port that refuses connections, so
nothing reaches another host or another local service; a page that would
redirect (`<meta http-equiv=refresh>`) is not printed at all.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from quizbook.chromium import HEADLESS_ARGS, find_chromium

Edition = Literal["student", "instructor"]
CHROMIUM_ARGS = [*HEADLESS_ARGS, "--disable-extensions", "--no-pdf-header-footer",
                 "--print-to-pdf-no-header", "--run-all-compositor-stages-before-draw",
                 "--virtual-time-budget=10000", "--disable-plugins"]
#: Only this origin, no script, no frames, no plug-ins, no form posts, no <base> tricks.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
                           "style-src 'self' 'unsafe-inline'; script-src 'none'; "
                           "frame-src 'none'; child-src 'none'; object-src 'none'; "
                           "connect-src 'none'; form-action 'none'; base-uri 'none'")
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


def refuse_redirects(page: Path, html: str) -> None:
    """A page that sends the browser elsewhere would print that other page instead."""
    import lxml.html

    document = lxml.html.document_fromstring(html)
    if document.xpath("//meta[@http-equiv]"):
        raise PdfError(f"{page}: the page has a <meta http-equiv> (a redirect); it is not "
                       "printed (lesson pages cannot set one: see quizbook.sphinx.links)")


#: `<a href="...">` to another file of the site (not `#anchor`, not `scheme:`, not `//host`).
SITE_LINK = re.compile(r'(<a\b[^>]*?)\s+href="(?!#)(?![A-Za-z][A-Za-z0-9+.\-]*:)(?!//)[^"]*"')
#: A `<details>` start tag that is not open yet (the figures' text versions).
CLOSED_DETAILS = re.compile(r"<details(?![^>]*\sopen[\s=>])(?=[\s>])")


def inject_print_css(page: Path, edition: Edition) -> None:
    """Prepare our own work copy of the page (never a published file) for printing.

    The print stylesheet goes in; links to other files of the site (the lesson
    notebooks' downloads) lose their target: in a handout they would point at
    the print server's port, which no longer exists and changes every time.
    Every `<details>` is opened: on paper a figure's text version cannot be
    unfolded (the print stylesheet also shows closed ones, for browsers' own print).
    """
    html = page.read_text(encoding="utf-8")
    refuse_redirects(page, html)
    style = f'<style media="print" data-quizbook-print>\n{print_css(edition)}\n</style>'
    if "data-quizbook-print" in html:
        return
    marker = "</head>"
    if marker not in html:
        raise PdfError(f"{page}: no </head> to add the print stylesheet to")
    html = CLOSED_DETAILS.sub("<details open", SITE_LINK.sub(r"\1", html))
    page.write_text(html.replace(marker, style + marker, 1), encoding="utf-8")


class SiteHandler(SimpleHTTPRequestHandler):
    """GET/HEAD of regular files inside one folder; nothing else, nothing logged."""

    site: Path

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        real = Path(os.path.realpath(path))
        inside = real.is_relative_to(self.site) and not any(
            part.startswith(".") for part in real.relative_to(self.site).parts)
        if not inside or not real.is_file():
            # No directory listings, hidden files or symbolic links out of the folder.
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_site(site: Path) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 (an ephemeral port) while the block runs; yields its URL."""
    root = Path(os.path.realpath(site))
    handler = type("Handler", (SiteHandler,), {"site": root})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="quizbook-pdf-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses every connection while the block runs.

    The socket is bound and never listens: no other program can take the port,
    and Chromium's connections to it (its proxy) fail at once.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def isolation_args(server_url: str, dead_port: int) -> list[str]:
    """Chromium flags: only `server_url` is fetched directly; all else goes to a dead proxy.

    `<-loopback>` removes Chromium's implicit proxy bypass for loopback addresses,
    so other local services (CUPS, databases on 127.0.0.1) are unreachable too.
    """
    host_port = server_url.split("//", 1)[1].rstrip("/")
    return [f"--proxy-server=http://127.0.0.1:{dead_port}",
            f"--proxy-bypass-list=<-loopback>;{host_port}"]


def site_root(page: Path) -> Path:
    """The built site a page belongs to: the nearest folder holding Sphinx's `_static`."""
    for folder in page.resolve().parents:
        if (folder / "_static").is_dir():
            return folder
    return page.resolve().parent


def print_pdf(page: Path, pdf: Path, edition: Edition, chromium: str | None = None) -> float:
    """Print a page of the book to `pdf` with the print layout of its edition; returns the
    seconds it took."""
    inject_print_css(page, edition)
    return print_page(page, pdf, chromium)


def print_page(page: Path, pdf: Path, chromium: str | None = None) -> float:
    """Print `page` as it is (its own stylesheets) to `pdf` over loopback HTTP; returns the
    seconds it took."""
    engine = chromium or require_chromium()
    refuse_redirects(page, page.read_text(encoding="utf-8"))
    pdf.parent.mkdir(parents=True, exist_ok=True)
    site = site_root(page)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="quizbook-chromium-") as profile, \
            serve_site(site) as base, refusing_port() as dead_port:
        tmp = pdf.with_name(f".{pdf.name}.tmp")
        url = base + quote(page.resolve().relative_to(site.resolve()).as_posix())
        cmd = [engine, *CHROMIUM_ARGS, *isolation_args(base, dead_port),
               f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", url]
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
