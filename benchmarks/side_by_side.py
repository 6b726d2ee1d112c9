"""quizbook and jupyterquiz side by side (issue 12 §3): the same three questions, the same book.

A small book is built with three pages that differ only in their quiz (each has the same
numbered paragraph, so each loads the book's stylesheet): `quizbook.md` (the
`{quiz}` directive on `side_by_side.yml`), `jupyterquiz.ipynb` (jupyterquiz's
`display_quiz` on the same questions, its output stored in the notebook as Jupyter Book
shows it) and `plain.md` (no quiz). Each page is loaded cold (a fresh browser context) in
Chromium from file://, the two quiz pages alternating, and timed to the moment its quiz is
usable: quizbook's `quizbook:ready` mark, and for jupyterquiz the moment its three questions
are in the page (a MutationObserver installed before the page runs). Reported:
`tti_ratio_vs_jupyterquiz` (quizbook / jupyterquiz, target < 1.0) with a bootstrap 95 %
interval, each page's median, and the bytes each quiz page loads over the plain page (raw and
gzipped, file by file).

Both quiz pages also set the same mark, `bench:quiz-markup`, with the same one-line script
right before their quiz. Most of either page's time to ready is spent before that point, on
work the two pages share (the theme's stylesheets and its parser-blocking scripts, about 180
ms of the browser's main thread here); what follows it is each quiz's own: for quizbook, its
runtime script run and the quiz mounted; for jupyterquiz, its inline script run and the
questions drawn. `quiz_own_ms_<tool>` (median, per load: ready minus that mark) and
`quiz_own_ratio_vs_jupyterquiz` report it, so the shared part's noise does not hide it.

jupyterquiz is installed from PyPI into a virtual environment of its own under
`_build/bench/` (never into the project's environment): only that environment runs
`display_quiz`, whose output is captured.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import statistics
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import nbformat

from quizbook import model
from quizbook.load import load_quiz

ROOT = Path(__file__).resolve().parent.parent
QUIZ = Path(__file__).with_name("side_by_side.yml")
VENV = ROOT / "_build" / "bench" / "jupyterquiz-venv"
JUPYTERQUIZ = "jupyterquiz==2.9.6.4"
PARAGRAPH = ("Russia's air campaign in Syria began on 30 September 2015, flown from the "
             "Khmeimim air base near Latakia; its navy used the support point at Tartus.")

#: Run in jupyterquiz's own environment: display_quiz with IPython's display captured.
CAPTURE = """
import json, random, sys
import jupyterquiz.dynamic.display as shown
random.seed(0)  # the container id is random: the same book every run
outputs = []
shown.display = lambda obj: outputs.append(obj)
shown.display_quiz(json.load(sys.stdin))
mime = {"HTML": "text/html", "Javascript": "application/javascript"}
json.dump([{mime[type(o).__name__]: o.data} for o in outputs], sys.stdout)
"""
#: In every jupyterquiz page load, before the page runs: when are its questions there?
WATCH_JUPYTERQUIZ = """
new MutationObserver((_, observer) => {
  const answers = document.querySelectorAll(".Quiz .Answer");
  if (answers.length >= 3 && answers[answers.length - 1].children.length) {
    window.__quizReady = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
READY = {
    "quizbook": "() => (performance.getEntriesByName('quizbook:ready')[0] || {}).startTime",
    "jupyterquiz": "() => window.__quizReady",
}
#: Right before either page's quiz (raw HTML, the same in both): where its own work starts.
QUIZ_MARKUP_MARK = "bench:quiz-markup"
MARK_BEFORE_QUIZ = f'<script>performance.mark("{QUIZ_MARKUP_MARK}")</script>'
MARKED = f"() => performance.getEntriesByName('{QUIZ_MARKUP_MARK}')[0].startTime"


def jupyterquiz_python(log: Callable[[str], None]) -> Path:
    """The bench's own environment with jupyterquiz (made once, kept under _build/bench)."""
    python = VENV / "bin" / "python"
    marker = VENV / f".installed-{JUPYTERQUIZ}"
    if not marker.exists():
        log(f"installing {JUPYTERQUIZ} into {VENV} (the bench's environment only)")
        shutil.rmtree(VENV, ignore_errors=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", JUPYTERQUIZ, "ipython"],
                       check=True)
        marker.touch()
    return python


def jupyterquiz_questions(quiz: model.Quiz) -> list[dict[str, Any]]:
    """The quiz in jupyterquiz's JSON format (its multiple_choice, many_choice, numeric)."""
    out: list[dict[str, Any]] = []
    for q in quiz.questions:
        if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
            kind = "multiple_choice" if isinstance(q, model.SingleQuestion) else "many_choice"
            out.append({"question": q.prompt, "type": kind, "answers": [
                {"answer": o.text, "correct": o.correct, "feedback": o.feedback or ""}
                for o in q.options]})
        elif isinstance(q, model.NumericQuestion):
            low, high = q.bounds
            out.append({"question": q.prompt, "type": "numeric", "precision": 0, "answers": [
                {"type": "range", "range": [low, high], "correct": True,
                 "feedback": q.feedback.correct or "Correct."},
                {"type": "default", "feedback": q.feedback.incorrect or "Try again."}]})
        else:
            raise ValueError(f"{q.id}: jupyterquiz has no {q.type} question")
    return out


def _page(title: str, label: str, body: str = "", mark: bool = False) -> str:
    # The book turns raw HTML in Markdown off; `{raw}` works since the bench book opts in.
    before = f"```{{raw}} html\n{MARK_BEFORE_QUIZ}\n```\n\n" if mark else ""
    return f"# {title}\n\n:::{{para}} {label}\n{PARAGRAPH}\n:::\n\n{before}{body}"


def make_book(work: Path, log: Callable[[str], None]) -> Path:
    """The side-by-side book's sources in `work`."""
    quiz = load_quiz(QUIZ)
    captured = subprocess.run([str(jupyterquiz_python(log)), "-c", CAPTURE],
                              input=json.dumps(jupyterquiz_questions(quiz)), text=True,
                              capture_output=True, check=True).stdout
    book = work / "side-by-side"
    (book / "quizzes").mkdir(parents=True)
    shutil.copy(QUIZ, book / "quizzes" / QUIZ.name)
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    # jupyterquiz's output is raw HTML and JavaScript, which a quizbook book refuses unless
    # it opts in (quizbook_allow_raw): this bench book opts in, the course never does.
    config = config.replace("title: ", "title: Side by side  # ", 1)
    config = config.replace("    quizbook_allow_raw: false", "    quizbook_allow_raw: true")
    if "quizbook_allow_raw: true" not in config:
        config = config.replace("    quizbook_edition: student",
                                "    quizbook_edition: student\n    quizbook_allow_raw: true", 1)
    (book / "_config.yml").write_text(config, encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "  - file: quizbook\n  - file: jupyterquiz\n"
                                   "  - file: plain\n", encoding="utf-8")
    (book / "intro.md").write_text("# Side by side\n\nquizbook and jupyterquiz.\n",
                                   encoding="utf-8")
    (book / "quizbook.md").write_text(_page(
        "quizbook", "p1", f"```{{quiz}} quizzes/{QUIZ.name}\n```\n", mark=True),
        encoding="utf-8")
    (book / "plain.md").write_text(_page("plain", "p2"), encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(_page("jupyterquiz", "p3", mark=True)),
        nbformat.v4.new_code_cell(
            "from jupyterquiz import display_quiz\ndisplay_quiz(questions)",
            metadata={"tags": ["remove-input"]},
            outputs=[nbformat.v4.new_output("display_data", data=data)
                     for data in json.loads(captured)])]
    nbformat.write(notebook, str(book / "jupyterquiz.ipynb"))
    return book


def build(book: Path) -> Path:
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jupyter_book), "build", str(book), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, cwd=book)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit("the side-by-side book did not build")
    return book / "_build" / "html"


def _files(urls: list[str]) -> dict[Path, int]:
    """The local files a page loaded, with their sizes."""
    out: dict[Path, int] = {}
    for url in urls:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path))
            if path.is_file():
                out[path] = path.stat().st_size
    return out


def _gzipped(files: dict[Path, int]) -> int:
    return sum(len(gzip.compress(p.read_bytes(), 9, mtime=0)) for p in files)


def bootstrap_interval(quizbook: list[float], jupyterquiz: list[float],
                       statistic: Callable[[list[float], list[float]], float],
                       resamples: int = 2000) -> tuple[float, float]:
    """A 95 % interval of `statistic` by the paired bootstrap (the percentile method; the
    pairs are drawn together, with a fixed seed: the same figures give the same interval)."""
    draw = random.Random(0)
    indices = range(len(quizbook))
    values = []
    for _ in range(resamples):
        chosen = draw.choices(indices, k=len(quizbook))
        values.append(statistic([quizbook[i] for i in chosen], [jupyterquiz[i] for i in chosen]))
    values.sort()
    return values[int(0.025 * resamples)], values[int(0.975 * resamples) - 1]


def median_of_ratios(quizbook: list[float], jupyterquiz: list[float]) -> float:
    return statistics.median(q / j for q, j in zip(quizbook, jupyterquiz, strict=True))


def ratio_of_medians(quizbook: list[float], jupyterquiz: list[float]) -> float:
    return statistics.median(quizbook) / statistics.median(jupyterquiz)


def measure(html: Path, loads: int, emit: Callable[[str, Any, str], None]) -> None:
    from playwright.sync_api import sync_playwright

    from quizbook.chromium import HEADLESS_ARGS, find_chromium

    chromium = find_chromium()
    if chromium is None:
        emit("tti_ratio_vs_jupyterquiz", "n/a", "(no chromium)")
        return
    pages = {name: (html / f"{name}.html").as_uri() for name in ("quizbook", "jupyterquiz")}
    ready: dict[str, list[float]] = {name: [] for name in pages}
    marked: dict[str, list[float]] = {name: [] for name in pages}
    loaded: dict[str, dict[Path, int]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=HEADLESS_ARGS)
        for n in range(loads):
            order = list(pages) if n % 2 == 0 else list(reversed(pages))  # alternate
            for name in order:
                context = browser.new_context()  # cold: fresh cache and storage
                page = context.new_page()
                page.add_init_script(WATCH_JUPYTERQUIZ)
                urls: list[str] = []
                page.on("request", lambda request, urls=urls: urls.append(request.url))
                page.goto(pages[name], wait_until="load")
                page.wait_for_function(f"({READY[name]})() !== undefined", timeout=20_000)
                ready[name].append(float(page.evaluate(READY[name])))
                marked[name].append(float(page.evaluate(MARKED)))
                loaded[name] = _files(urls)
                context.close()
        context = browser.new_context()
        page = context.new_page()
        urls = []
        page.on("request", lambda request: urls.append(request.url))
        page.goto((html / "plain.html").as_uri(), wait_until="load")
        loaded["plain"] = _files(urls)
        context.close()
        browser.close()
    medians = {name: statistics.median(times) for name, times in ready.items()}
    emit("tti_ms_quizbook", medians["quizbook"],
         f"ms(median of {loads} cold loads, file://; at the quizbook:ready mark)")
    emit("tti_ms_jupyterquiz", medians["jupyterquiz"],
         f"ms(median of {loads} cold loads, file://; its three questions in the page)")
    # Each pair of loads ran back to back, so a busy machine slows both alike: the median of
    # the pairs' ratios is steadier than the ratio of the medians (both are printed).
    quizbook, jupyterquiz = ready["quizbook"], ready["jupyterquiz"]
    own = {name: [r - m for r, m in zip(ready[name], marked[name], strict=True)]
           for name in pages}
    low, high = bootstrap_interval(quizbook, jupyterquiz, median_of_ratios)
    emit("tti_ratio_vs_jupyterquiz", median_of_ratios(quizbook, jupyterquiz),
         f"ratio(median over {loads} back-to-back pairs, quizbook/jupyterquiz, same 3 "
         f"questions; 95% interval {low:.3f}-{high:.3f}; ratio of medians "
         f"{ratio_of_medians(quizbook, jupyterquiz):.3f}; target<1.0)")
    for name in pages:
        emit(f"until_quiz_markup_ms_{name}", statistics.median(marked[name]),
             f"ms(median of {loads} loads: the {QUIZ_MARKUP_MARK} mark, the page's part)")
        emit(f"quiz_own_ms_{name}", statistics.median(own[name]),
             f"ms(median of {loads} loads: ready minus the {QUIZ_MARKUP_MARK} mark right "
             "before the quiz)")
    # A few milliseconds each: the ratio of the medians is steadier than a median of ratios.
    low, high = bootstrap_interval(own["quizbook"], own["jupyterquiz"], ratio_of_medians)
    emit("quiz_own_ratio_vs_jupyterquiz", ratio_of_medians(own["quizbook"], own["jupyterquiz"]),
         f"ratio(of the medians above, quizbook/jupyterquiz; 95% interval {low:.3f}-{high:.3f})")
    plain = loaded["plain"]
    for name in pages:
        # The theme's files are the same on every page: the difference is the quiz's.
        added = sum(loaded[name].values()) - sum(plain.values())
        zipped = _gzipped(loaded[name]) - _gzipped(plain)
        emit(f"bytes_over_plain_page_{name}", added,
             f"bytes(raw; {zipped} gzipped, file by file; everything the page loads minus "
             "what the plain page loads)")


def run(work: Path, loads: int, emit: Callable[[str, Any, str], None]) -> None:
    book = make_book(work, lambda text: print(text, file=sys.stderr))
    measure(build(book), loads, emit)
