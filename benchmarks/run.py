"""`make bench`: speed and size figures, measured side by side in one run.

Prints one `name value unit` line per figure. These machines are noisy, so
figures are medians of several runs and comparisons are ratios taken in the same
run. Record material changes in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import refusals  # noqa: E402
from benchmarks.synth import make_book  # noqa: E402
from quizbook.book import open_book  # noqa: E402
from quizbook.bundle import make_bundle  # noqa: E402
from quizbook.chromium import HEADLESS_ARGS, find_chromium  # noqa: E402
from quizbook.grade import grade  # noqa: E402

JB = [str(Path(sys.executable).with_name("jupyter-book"))]
BOOK_FILES = ("_config.yml", "_toc.yml", "intro.md", "glossary.md", "sources.md", "progress.md",
              "lessons", "quizzes", "data")
_QUIZ_DIRECTIVE = re.compile(r"```\{quiz\}[^\n]*\n```\n?")
_DISCUSSION = re.compile(r":::+\{discussion\}.*?\n:::+\n?", re.S)


def emit(name: str, value: float | int | str, unit: str) -> None:
    shown = f"{value:.3f}" if isinstance(value, float) else str(value)
    print(f"{name} {shown} {unit}", flush=True)


def copy_book(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in BOOK_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.is_file():
            shutil.copy(source, dest / name)
    return dest


def build(book: Path, *, clean: bool = True) -> tuple[float, str]:
    if clean:
        shutil.rmtree(book / "_build", ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run([*JB, "build", str(book), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, cwd=book)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"build of {book} failed")
    return elapsed, result.stdout


def strip_interactive(book: Path) -> None:
    for page in (book / "lessons").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        page.write_text(_DISCUSSION.sub("", _QUIZ_DIRECTIVE.sub("", text)), encoding="utf-8")


def bench_overhead(work: Path, runs: int) -> Path:
    with_quiz = copy_book(work / "with")
    without = copy_book(work / "without")
    strip_interactive(without)
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(runs):  # alternate, so drift in machine load hits both alike
        times["with"].append(build(with_quiz)[0])
        times["without"].append(build(without)[0])
    median_with, median_without = (statistics.median(times[k]) for k in ("with", "without"))
    emit("build_s_with_quizzes", median_with, "s")
    emit("build_s_without_quizzes", median_without, "s")
    emit("build_overhead_ratio", median_with / median_without, "ratio(target<=1.15)")
    return with_quiz


def bench_incremental(book: Path) -> None:
    html = book / "_build" / "html"
    before = {p: p.stat().st_mtime_ns for p in html.rglob("*.html")}
    quiz = sorted((book / "quizzes").glob("*.yml"))[1]
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("prompt: ", "prompt: Edited. ", 1), encoding="utf-8")
    time.sleep(0.01)
    elapsed, log = build(book, clean=False)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log)
    reread = sorted(set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", plain)))
    rebuilt = sorted(str(p.relative_to(html)) for p, m in before.items()
                     if p.exists() and p.stat().st_mtime_ns != m)
    emit("incremental_quiz_edit_s", elapsed, "s")
    emit("incremental_pages_reread", len(reread), f"pages({','.join(reread)})")
    emit("incremental_pages_written", len(rebuilt), f"pages({','.join(rebuilt)})")


def _page_scripts(page: Path) -> list[Path]:
    """The runtime files a page loads (its own script, by the tags in it)."""
    names = re.findall(r'src="[^"]*_static/(quizbook-[0-9a-f]+\.js)', page.read_text("utf-8"))
    root = next(p for p in page.parents if (p / "_static").is_dir())
    return [root / "_static" / name for name in names]


def bench_runtime_bytes(book: Path) -> None:
    """What a page loads of the runtime: its script (only the question types it has, notes
    and progress code where they are) and the stylesheet, each gzipped as a server sends it.
    The marking part (when a quiz is first used) and the downloads part (results files, names,
    switching student) load when first needed: printed apart."""
    html = book / "_build" / "html"
    static = html / "_static"
    css = static / "quizbook.css"

    def gz(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), 9, mtime=0))

    lessons = sorted((html / "lessons").glob("*.html"))
    per_page = {p.stem: [*_page_scripts(p), css] for p in lessons}
    sizes = {name: (sum(f.stat().st_size for f in files), sum(gz(f) for f in files))
             for name, files in per_page.items()}
    worst = max(sizes, key=lambda name: sizes[name][1])
    emit("quiz_runtime_bytes", sizes[worst][0],
         f"bytes(the most a lesson page loads: {worst}, its script + quizbook.css, minified)")
    emit("quiz_runtime_gzip_bytes", sizes[worst][1],
         f"bytes(same, gzip -9 file by file;target<=10000; lessons: "
         f"{','.join(f'{n}={g}' for n, (_, g) in sizes.items())})")
    # The marking part each lesson names on its script's tag: loaded when a quiz is first
    # used (focused, touched) or graded, so not in the figure above; with it, what a lesson
    # has loaded by its first Check.
    marking = {p.stem: re.findall(r'data-quizbook-marking="(quizbook-marking-[0-9a-f]+\.js)"',
                                  p.read_text("utf-8")) for p in lessons}
    with_marking = {name: sizes[name][1] + sum(gz(static / n) for n in marking[name])
                    for name in sizes}
    if any(marking.values()):
        most = max(with_marking, key=lambda name: with_marking[name])
        emit("marking_part_gzip_bytes", max(gz(static / n) for ns in marking.values() for n in ns),
             "bytes(hashes, answer rules, the page's markers: loaded when a quiz is first used)")
        emit("quiz_runtime_at_first_check_gzip_bytes", with_marking[most],
             f"bytes(the most a lesson has loaded by its first Check: {most}, script + css + "
             "marking part)")
    parts = sorted(static.glob("quizbook-downloads-*.js"))
    if parts:
        emit("downloads_part_gzip_bytes", gz(parts[0]),
             "bytes(results files, names, switching student: loaded when first needed)")
    progress = html / "progress.html"
    if progress.exists():
        files = [*_page_scripts(progress), css]
        emit("progress_page_runtime_gzip_bytes", sum(gz(f) for f in files),
             "bytes(every question type, to grade saved answers again, + downloads)")
    lesson = html / "lessons" / "01-laboratory.html"
    if lesson.exists():
        bundles = re.findall(r"<script[^>]*data-quizbook-bundle[^>]*>(.*?)</script>",
                             lesson.read_text(encoding="utf-8"), re.S)
        emit("quiz_bundle_bytes_per_quiz", sum(len(b.encode()) for b in bundles), "bytes")


def bench_tti(book: Path, loads: int) -> None:
    chromium = find_chromium()
    if chromium is None:
        emit("time_to_interactive_ms", "n/a", "(no chromium on PATH)")
        return
    from playwright.sync_api import sync_playwright

    html = book / "_build" / "html"
    pages = {"quiz_page": html / "lessons" / "01-laboratory.html",
             "plain_page": html / "sources.html"}
    ready = """() => {
        const mark = performance.getEntriesByName("quizbook:ready")[0];
        const nav = performance.getEntriesByType("navigation")[0];
        return {ready: mark ? mark.startTime : null, dcl: nav.domContentLoadedEventEnd};
    }"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=HEADLESS_ARGS)
        for label, page_path in pages.items():
            if not page_path.exists():
                continue
            readies, dcls = [], []
            for _ in range(loads):
                context = browser.new_context()  # cold: fresh cache and storage
                page = context.new_page()
                page.goto(page_path.as_uri(), wait_until="load")
                if label == "quiz_page":
                    page.wait_for_function(
                        "() => performance.getEntriesByName('quizbook:ready').length > 0",
                        timeout=10_000)
                timing = page.evaluate(ready)
                if timing["ready"] is not None:
                    readies.append(timing["ready"])
                dcls.append(timing["dcl"])
                context.close()
            if readies:
                emit(f"time_to_interactive_ms_{label}", statistics.median(readies),
                     f"ms(median of {loads} cold loads; first quiz control usable)")
            emit(f"dom_content_loaded_ms_{label}", statistics.median(dcls),
                 f"ms(median of {loads} cold loads)")
        browser.close()


def bench_scale(work: Path) -> None:
    for lessons in (5, 50):
        book = make_book(work / f"scale{lessons}", lessons, 20)
        elapsed, _ = build(book)
        emit(f"scale_{lessons}_lessons_build_s", elapsed, f"s({lessons} lessons x 20 questions)")


def bench_python() -> None:
    quizzes = open_book(ROOT).quizzes()
    pairs = []
    for quiz in quizzes:
        for question in quiz.questions:
            for response in (None, "a", ["a", "b"], True, "Khmeimim", "2015",
                             {"i1": 1}, {"m1": "r1"}):
                pairs.append((question, response))

    def per_call(func: Callable[[], object], count: int) -> float:
        best = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(count):
                func()
            best.append((time.perf_counter() - start) / count)
        return statistics.median(best)

    def grade_all() -> None:
        for question, response in pairs:
            grade(question, response)

    emit("grade_per_response_us", per_call(grade_all, 20) / len(pairs) * 1e6, "us")
    emit("bundle_per_quiz_ms",
         per_call(lambda: [make_bundle(q) for q in quizzes], 5) / len(quizzes) * 1e3, "ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="clean builds per variant")
    parser.add_argument("--loads", type=int, default=9, help="cold page loads per page")
    parser.add_argument("--tti-loads", type=int, default=41,
                        help="cold loads of each page in the side-by-side with jupyterquiz")
    parser.add_argument("--quick", action="store_true", help="skip the 50-lesson build")
    args = parser.parse_args()
    emit("machine", f"{platform.machine()}/{os.cpu_count()}cpu/{platform.python_version()}", "")
    bench_python()
    refusals.run(emit)
    with tempfile.TemporaryDirectory(prefix="quizbook-bench-") as tmp:
        work = Path(tmp)
        book = bench_overhead(work, args.runs)
        bench_runtime_bytes(book)
        bench_tti(book, args.loads)
        bench_incremental(book)
        from benchmarks import side_by_side  # quizbook and jupyterquiz, same three questions

        side_by_side.run(work, args.tti_loads, emit)
        from benchmarks.class_bench import bench_class_transfer  # class mode (quizbook serve)

        bench_class_transfer(work, emit)
        if not args.quick:
            bench_scale(work)


if __name__ == "__main__":
    main()
