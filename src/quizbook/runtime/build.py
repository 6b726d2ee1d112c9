"""The runtime's two shapes, made from one source by concatenation (no Node.js needed).

The runtime is plain JavaScript files (JSDoc-typed, checked by `tsc --checkJs --strict`)
that share one scope: the grading interface, one file per question type in `types/` (how
its controls are read and written), the marking (hash and answer rules, `marking.js`, one
marker per type in `markers/`), storage, results, the quiz mount, and one file per host.

- `classic_script()`: what the book loads. The files inside one function, ending with
  `mountBookWhenParsed(document)`. A classic script because Chromium runs neither
  `<script type="module">` nor `import()` from `file://`. A page loads only the code it
  needs (`types`: the question types on it; `discussion`, `progress`: its notes boxes and
  progress table): quizbook.sphinx.scripts writes one file per combination.
- `marking_part()` and `downloads_part()`: what a book page with quizzes loads apart, each a
  classic script of its own (its own function and scope) that hands its functions to the
  page in an event (runtime/parts.js): the marking when a quiz is first used (focused,
  touched) or graded, the downloads when a student first downloads or names themselves. A
  quiz is usable (answers can be given) without either; Check waits for the marking.
- `widget_module()`: the ES module anywidget runs in JupyterLab: the same files, the
  notebook host instead of the book host, `export default { render }`, and named exports
  of the pure parts (the parity tests import this very module under node).
- `class_mode=True` adds `remote.js` (RemoteGrader, for a class server) to either: code
  a page only needs in class mode is not in the book everyone downloads.
- `stylesheet()`: the runtime's CSS; the host passes it in (the widget's `_css` in the
  notebook). The book links its two files apart (`book_stylesheets()`): the print styles
  with `media="print"`, so they do not hold up the page's first paint.

rjsmin and rcssmin only strip comments and white space, so what runs is the code tsc and
the parity tests check.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import rcssmin
import rjsmin

from quizbook.types import registered

RUNTIME = Path(__file__).resolve().parent

#: Files before the types (the registry must exist when a type registers itself) ...
BEFORE_TYPES = ("basics.js", "grading.js")
#: ... and after them (and after the marking files, where the script carries them); then one host.
AFTER_TYPES = ("records.js", "scores.js", "storage.js", "who.js", "quiz.js")
#: Marking: the hash and answer rules, marking.js, then one marker per question type
#: (`markers/<type>.js`). The notebook module and the progress page carry it; a book page with
#: quizzes loads it (`marking_part()`, runtime/parts.js) when a quiz is first used.
HASHES = "sha256.js"
MARKING = "marking.js"
#: The downloads part (results files, names, switching student, save warnings): the notebook
#: module and the progress page carry it; a book page with quizzes loads it when first needed
#: (`downloads_part()`, runtime/parts.js).
DOWNLOADS = ("shelves.js", "results.js", "student.js", "downloads.js")
PARTS_LOADER = "parts.js"
#: Answer normalisation and number parsing: only the types that read typed answers use it.
ANSWERS = "answers.js"
TYPES_WITH_TYPED_ANSWERS = ("numeric", "short_text", *(
    name for name, spec in registered().items() if spec.typed_answers))
#: Book pages only, each where the page has what it mounts.
DISCUSSION = "discussion.js"
PROGRESS = "progress.js"
#: Class mode only, before the host.
CLASS_MODE = ("remote.js",)
BOOK_HOST = "book.js"
WIDGET_HOST = "widget.js"
STYLESHEET = "quizbook.css"
PRINT_STYLESHEET = "quizbook-print.css"

#: Named exports of the ES module, for tests and for hosts that build their own page.
MODULE_EXPORTS = ("renderQuizWidget", "mountQuiz", "LocalGrader", "GradingError",
                  "gradeQuestion", "gradeAll", "formatPoints", "digest", "unseal", "sha256Hex",
                  "normaliseAnswer", "parseNumber", "patternMatches", "isUsableRecord",
                  "carryOver", "resultsFileName", "QUESTION_TYPES")
CLASS_MODE_EXPORTS = ("RemoteGrader", "readServerReply", "ClassQuizzes")


def _of_types(folder: str, types: Iterable[str] | None) -> list[Path]:
    files = sorted((RUNTIME / folder).glob("*.js"))
    return files if types is None else [p for p in files if p.stem in set(types)]


def question_type_files(types: Iterable[str] | None = None) -> list[Path]:
    """One file per question type (`types/<type>.js`, each registers how its controls are
    read and written): all of them, or those of `types`."""
    return _of_types("types", types)


def marking_files(types: Iterable[str] | None = None) -> list[Path]:
    """The marking code for every question type (`types=None`) or those listed: the hashes,
    the answer rules if a type reads typed answers, marking.js, one marker per type."""
    types = None if types is None else list(types)
    typed = types is None or any(t in TYPES_WITH_TYPED_ANSWERS for t in types)
    names = [HASHES, *((ANSWERS,) if typed else ()), MARKING]
    return [*(RUNTIME / n for n in names), *_of_types("markers", types)]


def source_files(host: str, *, class_mode: bool = False, types: Iterable[str] | None = None,
                 discussion: bool = True, progress: bool = True) -> list[Path]:
    """The files of the runtime for one host (`BOOK_HOST` or `WIDGET_HOST`), in order: with
    every question type (`types=None`) or only those listed; for the book, with the notes
    boxes' and the progress table's code or not (the progress table grades every type).
    A book page without the progress table loads the marking and downloads parts apart."""
    book = host == BOOK_HOST
    if book and progress:
        types = None
    types = None if types is None else list(types)
    whole = not book or progress
    marking = marking_files(types) if whole else []
    downloads = DOWNLOADS if whole else ()
    pages = [n for n, wanted in ((DISCUSSION, discussion), (PROGRESS, progress)) if book and wanted]
    loader = (PARTS_LOADER,) if book else ()
    extra = CLASS_MODE if class_mode else ()
    return [*(RUNTIME / n for n in BEFORE_TYPES), *question_type_files(types), *marking,
            *(RUNTIME / n for n in (*AFTER_TYPES, *downloads, *pages, *loader, *extra)),
            RUNTIME / host]


def _stamp(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """What the cached builds depend on: a changed file gives a new build."""
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


@cache
def _joined(stamp: tuple[tuple[str, int, int], ...]) -> str:
    parts = []
    for name, _, _ in stamp:
        path = Path(name)
        parts.append(f"// ---- runtime/{path.relative_to(RUNTIME).as_posix()} ----\n"
                     + path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def classic_script(*, minify: bool = True, class_mode: bool = False,
                   types: Iterable[str] | None = None, discussion: bool = True,
                   progress: bool = True) -> str:
    """The book's script: its files inside one function, so nothing leaks into the page.
    Without arguments, everything; a page asks for what it has (`source_files`)."""
    body = _joined(_stamp(source_files(BOOK_HOST, class_mode=class_mode, types=types,
                                       discussion=discussion, progress=progress)))
    text = f'(function () {{\n"use strict";\n{body}\nmountBookWhenParsed(document);\n}})();\n'
    return rjsmin.jsmin(text) + "\n" if minify else text


def _part(files: list[Path], name: str, handed: str, minify: bool) -> str:
    """A part a book page loads apart: its files inside one function, handing `handed` to the
    page's runtime in a `quizbook:<name>` event on the document (no globals)."""
    body = _joined(_stamp(files))
    text = (f'(function () {{\n"use strict";\n{body}\n'
            f'document.dispatchEvent(new CustomEvent("quizbook:{name}", {{ detail: {handed} }}));\n'
            "})();\n")
    return rjsmin.jsmin(text) + "\n" if minify else text


def downloads_part(*, minify: bool = True) -> str:
    """The downloads part a book page loads when first needed (`DOWNLOADS`)."""
    shared = ("scores.js", "storage.js", "who.js")  # also in the page's core: another scope
    return _part([*(RUNTIME / n for n in (*shared, *DOWNLOADS))], "downloads", "DOWNLOADS", minify)


def marking_part(*, types: Iterable[str] | None = None, minify: bool = True) -> str:
    """The marking part a book page with quizzes loads when a quiz is first used or graded
    (`MARKING`): the marking of the page's question types (`types`; all when None)."""
    shared = (RUNTIME / "basics.js",)  # also in the page's core: another scope
    return _part([*shared, *marking_files(types)], "marking", "MARKING", minify)


def widget_module(*, minify: bool = True, class_mode: bool = False) -> str:
    """The notebook's ES module (anywidget's `_esm`)."""
    body = _joined(_stamp(source_files(WIDGET_HOST, class_mode=class_mode)))
    exports = MODULE_EXPORTS + (CLASS_MODE_EXPORTS if class_mode else ())
    text = (f"{body}\nexport default {{ render: renderQuizWidget }};\n"
            f"export {{ {', '.join(exports)} }};\n")
    # A trailing newline keeps anywidget from taking a one-line text for a file name.
    return rjsmin.jsmin(text) + "\n" if minify else text


def _css(name: str, minify: bool) -> str:
    text = (RUNTIME / name).read_text(encoding="utf-8")
    return rcssmin.cssmin(text) + "\n" if minify else text


def stylesheet(*, minify: bool = True) -> str:
    """Every style of the runtime in one text (screen, then print): the notebook's."""
    return "".join(_css(name, minify) for name in (STYLESHEET, PRINT_STYLESHEET))


def book_stylesheets(*, minify: bool = True) -> dict[str, str]:
    """The book's two stylesheets by file name: the page's, and the print styles the page
    links with `media="print"` (the file holds them in `@media print` too)."""
    return {name: _css(name, minify) for name in (STYLESHEET, PRINT_STYLESHEET)}
