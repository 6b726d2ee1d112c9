"""The `quizbook export` and `quizbook gradebook` subcommands (registered by quizbook.cli)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from quizbook.book import find_root, open_book
from quizbook.load import QuizFileError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    print(f"quizbook: {message}", file=sys.stderr)


def _book(arg: str | None) -> Path | None:
    if arg:
        path = Path(arg)
        return path if (path / "_config.yml").is_file() else None
    return find_root(Path.cwd())


def add_export_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "export", help="instructor edition, PDFs, LMS files (QTI, Moodle), notebooks, one zip",
        description="Write _build/export/: everything needed to teach the book.")
    parser.add_argument("--edition", choices=["all", "student", "instructor"], default="all",
                        help="which outputs to make (default: all)")
    parser.add_argument("--book", help="the book folder (default: the book around here)")
    parser.add_argument("--out", help="output folder (default: BOOK/_build/export)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDFs")
    parser.add_argument("--allow-warnings", action="store_true",
                        help="do not stop on Sphinx warnings (default: any warning fails)")
    parser.add_argument("--moodle-ordering-as-matching", action="store_true",
                        help="write ordering questions to Moodle as matching (item -> "
                        "position), for sites before Moodle 4.3 that lack the standard "
                        "ordering question type")
    parser.add_argument("--jobs", type=_jobs, metavar="N",
                        help="book builds at a time (default: the book's quizbook_export_jobs "
                        "setting; 0 or unset: one per CPU core)")
    parser.set_defaults(func=run_export)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 64:
        raise argparse.ArgumentTypeError(f"must be 0 (one per CPU core) to 64, not {value}")
    return value


def run_export(args: argparse.Namespace) -> int:
    from quizbook.export.pipeline import ExportError, Options, export, size_of

    book = _book(args.book)
    if book is None:
        _err("no book here (no _config.yml with its quiz folder); use --book DIR")
        return EXIT_USAGE
    out = Path(args.out) if args.out else book / "_build" / "export"
    options = Options(book=book, out=out, edition=args.edition, pdf=not args.no_pdf,
                      strict=not args.allow_warnings,
                      moodle_ordering_as_matching=args.moodle_ordering_as_matching,
                      jobs=args.jobs)
    try:
        report = export(options, say=lambda line: print(line, file=sys.stderr))
    except ExportError as exc:
        _err(f"export failed: {exc}")
        return EXIT_CONTENT
    for path in report.outputs:
        print(f"{path}  ({size_of(path) / 1024:,.0f} KB)")
    for mapping in sorted(report.mappings):
        print(f"mapped: {mapping}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    times = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.timings.items())
    print(f"export done: {times}", file=sys.stderr)
    return EXIT_OK


def add_gradebook_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "gradebook", help="class results files -> gradebook CSV + item-analysis report",
        description="Read the results files students downloaded (from the book or the "
        "notebooks). Results are self-reported: fine for formative use; graded quizzes "
        "belong in the LMS export.")
    parser.add_argument("results", nargs="+", help="results files (.json) or folders of them")
    parser.add_argument("-o", "--out", required=True, help="output folder")
    parser.add_argument("--book", help="the book folder (default: the book around here)")
    parser.set_defaults(func=run_gradebook)


def run_gradebook(args: argparse.Namespace) -> int:
    """Exit 0 when every result could be used; 1 when no results file could be used or
    two files conflict (the outputs are still written); 2 for usage errors."""
    from quizbook.export.gradebook import make_gradebook

    book = _book(args.book)
    if book is None:
        _err("no book here (no _config.yml with its quiz folder); use --book DIR")
        return EXIT_USAGE
    # lexists: a symlink loop or a dangling link is a file to report, not a typo.
    missing = [name for name in args.results if not os.path.lexists(name)]
    if missing:
        _err(f"no such file or folder: {', '.join(missing)}")
        return EXIT_USAGE
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        _err(f"-o {args.out}: is a file, not a folder; name the folder to write "
             "gradebook.csv and item-analysis.html into")
        return EXIT_USAGE
    try:
        quizzes = open_book(book).quizzes()
    except QuizFileError as exc:
        _err(f"the book's quiz files have problems:\n{exc}")
        return EXIT_CONTENT
    try:
        collected = make_gradebook([Path(r) for r in args.results], quizzes, out)
    except OSError as exc:
        _err(f"cannot write the gradebook into {out}: {exc.strerror or exc}")
        return EXIT_CONTENT
    for line in collected.skipped:
        print(f"skipped: {line}", file=sys.stderr)
    for line in collected.notes:
        print(f"note: {line}", file=sys.stderr)
    for line in collected.conflicts:
        print(f"conflict: {line}", file=sys.stderr)
    students = len({e.student for e in collected.entries})
    print(f"{out / 'gradebook.csv'}: {students} student(s), {len(collected.entries)} quiz "
          f"result(s) from {collected.files_used} file(s); {len(collected.skipped)} skipped, "
          f"{len(collected.conflicts)} conflict(s)")
    print(f"{out / 'item-analysis.html'}")
    print("note: the answers are self-reported (saved in each student's browser or notebook) "
          "and every score is their re-grade: fine for formative use; graded quizzes belong in "
          "the LMS export.", file=sys.stderr)
    if collected.files_used == 0:
        _err("no results file could be used (see the skipped lines above)")
        return EXIT_CONTENT
    return EXIT_CONTENT if collected.conflicts else EXIT_OK
