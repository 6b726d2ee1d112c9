"""Class mode: the bytes one student transfers from a real `quizbook serve`, as Chromium
downloads them (compressed, with its HTTP cache).

A student joins in a fresh browser, opens the first lesson, then reads every page of
the book. Chromium decides what to fetch (scripts, styles, the fonts it uses) and
keeps what the server lets it cache (a year for versioned files, a day for other
theme files); pages are revalidated (ETag, 304). Figures are the bytes received:
response headers plus bodies as sent on the wire.

`python benchmarks/class_bench.py` runs it alone; `make bench` runs it with the rest.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizbook.chromium import HEADLESS_ARGS, find_chromium  # noqa: E402

Emit = Callable[[str, float | int | str, str], None]
_IGNORE = shutil.ignore_patterns("_build", "_class", ".venv", "node_modules", ".git", "tests",
                                 "src", "docs", "benchmarks", "types", ".*cache", ".hypothesis")


def _print(name: str, value: float | int | str, unit: str) -> None:
    shown = f"{value:.3f}" if isinstance(value, float) else str(value)
    print(f"{name} {shown} {unit}", flush=True)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Meter:
    """Bytes and requests Chromium received (cache hits count nothing)."""

    def __init__(self) -> None:
        self.bytes = 0
        self.requests = 0
        self.not_modified = 0

    def finished(self, request: Any) -> None:
        sizes = request.sizes()
        received = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if received > 0:
            self.requests += 1
            self.bytes += received
        response = request.response() if received > 0 else None
        if response is not None and response.status == 304:
            self.not_modified += 1


def _start_server(book: Path, work: Path) -> tuple[subprocess.Popen[str], str, str]:
    import httpx

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "quizbook", "serve", "--book", str(book),
                               "--port", str(port), "--db",
                               f"sqlite:///{work / 'bench-class.db'}"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    code = ""
    while not code:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("quizbook serve stopped before printing the class code")
        if line.startswith("Class code:"):
            code = line.split(":", 1)[1].strip()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return server, base, code


def bench_class_transfer(work: Path, emit: Emit = _print) -> None:
    chromium = find_chromium()
    if chromium is None:
        emit("class_first_lesson_bytes", "n/a", "(no chromium on PATH)")
        return
    from playwright.sync_api import sync_playwright

    book = work / "class-book"
    shutil.copytree(ROOT, book, ignore=_IGNORE)
    subprocess.run([sys.executable, "-m", "quizbook", "class", "build", "--book", str(book)],
                   check=True, capture_output=True, text=True)
    html = book / "_build" / "class" / "_build" / "html"
    lessons = sorted((html / "lessons").glob("*.html"))
    pages = sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)
    server, base, code = _start_server(book, work)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=HEADLESS_ARGS)
            context = browser.new_context()
            page = context.new_page()
            meter = Meter()
            page.on("requestfinished", meter.finished)
            page.goto(f"{base}/join")
            page.fill("#name", "Bench Student")
            page.fill("#code", code)
            page.click("button[type=submit]")
            page.wait_for_url("**/class")
            page.goto(f"{base}/book/{lessons[0].relative_to(html).as_posix()}",
                      wait_until="networkidle")
            emit("class_first_lesson_bytes", meter.bytes,
                 f"bytes(received by Chromium: join, class page, {lessons[0].stem} and what "
                 f"it loads; {meter.requests} responses)")
            for path in pages:
                page.goto(f"{base}/book/{path.relative_to(html).as_posix()}",
                          wait_until="networkidle")
            emit("class_whole_book_bytes", meter.bytes,
                 f"bytes(received by Chromium: the first lesson, then all {len(pages)} pages; "
                 f"{meter.requests} responses)")
            before, revalidated = meter.bytes, meter.not_modified
            for path in pages:
                page.goto(f"{base}/book/{path.relative_to(html).as_posix()}",
                          wait_until="networkidle")
            emit("class_reread_book_bytes", meter.bytes - before,
                 f"bytes(all pages again: {meter.not_modified - revalidated} answered 304 "
                 "Not Modified, the theme from the cache)")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="quizbook-class-bench-") as tmp:
        bench_class_transfer(Path(tmp))
