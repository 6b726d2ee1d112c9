"""Shared fixtures: real book builds (once per session), headless Chromium, a local server.

- `student_book_html`: the real book, student edition, built with -W into a tmp dir.
- `instructor_book_html`: the same book, instructor edition.
- `minimal_book_html`: tests/books/minimal (one quiz of every question type).
- `browser`: Debian's Chromium driven by Playwright (never a downloaded browser).
- `http_server`: a function serving a directory on 127.0.0.1; returns the base URL.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from quizbook.chromium import HEADLESS_ARGS, find_chromium

ROOT = Path(__file__).resolve().parent.parent
MINIMAL_BOOK = ROOT / "tests" / "books" / "minimal"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
ARTIFACTS = ROOT / "_build" / "test-artifacts"


def build_book(source: Path, out: Path, *extra: str) -> Path:
    """`jupyter-book build` with -W; fails the test with the build log on any warning."""
    cmd = [str(JUPYTER_BOOK), "build", str(source), "--path-output", str(out), "-W", "-n",
           "--keep-going", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    html = out / "_build" / "html"
    if proc.returncode != 0 or not (html / "index.html").exists():
        pytest.fail(f"book build failed ({' '.join(cmd)}):\n{proc.stdout[-6000:]}\n"
                    f"{proc.stderr[-6000:]}", pytrace=False)
    return html


@pytest.fixture(scope="session")
def student_book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_book(ROOT, tmp_path_factory.mktemp("student"))


@pytest.fixture(scope="session")
def instructor_book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    toc = ROOT / "_toc_instructor.yml"
    extra = ["--toc", str(toc)] if toc.exists() else []
    return build_book(ROOT, tmp_path_factory.mktemp("instructor"),
                      "--config", str(ROOT / "_config_instructor.yml"), *extra)


@pytest.fixture(scope="session")
def minimal_book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_book(MINIMAL_BOOK, tmp_path_factory.mktemp("minimal"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        pytest.fail("Debian's chromium is needed for browser tests (apt-get install chromium)",
                    pytrace=False)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=HEADLESS_ARGS)
        yield chromium
        chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def http_server() -> Iterator[Callable[[Path], str]]:
    """serve(directory) -> "http://127.0.0.1:PORT/" (one server per directory, session-long)."""
    servers: dict[Path, tuple[http.server.ThreadingHTTPServer, str]] = {}

    def serve(directory: Path) -> str:
        if directory not in servers:
            handler = functools.partial(_QuietHandler, directory=str(directory))
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers[directory] = (server, f"http://127.0.0.1:{server.server_address[1]}/")
        return servers[directory][1]

    yield serve
    for server, _ in servers.values():
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
