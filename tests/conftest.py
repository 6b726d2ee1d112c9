"""Shared fixtures: real book builds (once per test run), headless Chromium, a local server.

- `student_book_html`: the real book, student edition, built with -W into a tmp dir.
- `instructor_book_html`: the same book, instructor edition.
- `minimal_book_html`: tests/books/minimal (one quiz of every question type).
- `planted`: a copy of the book with a marker in every instructor-only place, exported
  (tests/planted_book.py).
- `browser`: Debian's Chromium driven by Playwright (never a downloaded browser).
- `http_server`: a function serving a directory on 127.0.0.1; returns the base URL.

The builds are made once per test run, also when pytest-xdist runs the suite in several
worker processes (`make test` does): the first worker that needs one builds it under a file
lock in the run's shared temporary folder, the others wait and read it (`once`). Tests only
read them.

Markers: a test that uses one of the book builds above is marked `slow`, and a test that
uses `browser` is marked `browser`, here at collection (`pytest_collection_modifyitems`),
so `-m "not slow and not browser"` (`make test-fast`) never builds a book or starts
Chromium. Tests that build books themselves carry `slow` in their own module; a module may
keep in the fast lane one small book built in-process for all its tests (tests/inprocess.py,
a second or two: tests/test_sphinx_build.py does).

Lanes: a run that deselects `slow` is the fast lane, and its property tests (hypothesis)
draw a tenth of their examples (`tests/lanes.py`); `make test` draws them all.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import pickle
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from quizbook.chromium import HEADLESS_ARGS, find_chromium
from tests import lanes
from tests.planted_book import Planted, build_planted

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


T = TypeVar("T")


def once(tmp_path_factory: pytest.TempPathFactory, name: str,
         make: Callable[[Path], T]) -> T:
    """`make(folder)` run once per test run, its result shared by every worker process.

    The folder and the pickled result live in the run's temporary folder, which all
    pytest-xdist workers share (each worker's own basetemp is a child of it). A worker
    that finds the result there reads it; one that finds the lock taken waits for the
    build instead of making it again. A failed build leaves no result, so the next
    test that needs it tries again and reports its own failure.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder, result = root / f"once-{name}", root / f"once-{name}.pickle"
    with (root / f"once-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not result.exists():
                if folder.exists():
                    shutil.rmtree(folder)
                folder.mkdir()
                value = make(folder)
                result.write_bytes(pickle.dumps(value))
                return value
            loaded: T = pickle.loads(result.read_bytes())
            return loaded
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _instructor_build(out: Path) -> Path:
    toc = ROOT / "_toc_instructor.yml"
    extra = ["--toc", str(toc)] if toc.exists() else []
    return build_book(ROOT, out, "--config", str(ROOT / "_config_instructor.yml"), *extra)


@pytest.fixture(scope="session")
def student_book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return once(tmp_path_factory, "student", lambda out: build_book(ROOT, out))


@pytest.fixture(scope="session")
def instructor_book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return once(tmp_path_factory, "instructor", _instructor_build)


@pytest.fixture(scope="session")
def minimal_book_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return once(tmp_path_factory, "minimal", lambda out: build_book(MINIMAL_BOOK, out))


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    return once(tmp_path_factory, "planted", build_planted)


#: Fixtures that build a whole book or run an export: the tests that use them are slow.
BOOK_BUILDS = frozenset({"student_book_html", "instructor_book_html", "minimal_book_html",
                         "planted"})


def pytest_configure(config: pytest.Config) -> None:
    # Before any test module is imported: property tests read their example counts at import.
    lanes.select(config)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BOOK_BUILDS and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)
        if "browser" in used and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


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
