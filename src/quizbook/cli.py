"""The `quizbook` command. Each subcommand is a small function; exit codes:
0 clean, 1 content problems, 2 usage problems (argparse's own convention)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from quizbook import __version__
from quizbook.book import Book, check_book, find_root, open_book
from quizbook.bundle import bundle_json
from quizbook.lint import lint_quiz, rules
from quizbook.load import Problem, check_quiz_file
from quizbook.stats import add_stats_parser

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2

Command = Callable[[argparse.Namespace], int]


def _usage_error(message: str) -> int:
    print(f"quizbook: {message}", file=sys.stderr)
    return EXIT_USAGE


def _quiz_files(paths: Sequence[str]) -> list[Path] | str:
    """Expand folders to their .yml files; a missing path is a usage error message.

    Anything else that exists (a FIFO, a device, a symlink loop) is passed on: the
    reader refuses it as `PATH:1:1: message`, a content problem."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yml"), *path.glob("*.yaml")]))
        elif os.path.lexists(path):
            files.append(path)
        else:
            return f"no such file or folder: {name}"
    return files


def _book_for(files: list[Path]) -> Book | None:
    roots = {find_root(f.parent) for f in files}
    if len(roots) == 1:
        root = roots.pop()
        if root is not None:
            book = open_book(root)
            # The folder, not the file, is resolved: a file may be a symlink loop.
            in_book = all(f.absolute().parent.resolve() == book.quizzes_dir for f in files)
            return book if in_book else None
    return None


def cmd_check(args: argparse.Namespace) -> int:
    problems: list[Problem]
    if args.paths:
        files = _quiz_files(args.paths)
        if isinstance(files, str):
            return _usage_error(files)
        book = _book_for(files)
        if book is not None:
            problems = check_book(book, only=files)
        else:  # files outside a book are checked on their own
            problems = sorted({p for f in files for p in check_quiz_file(f)[1]})
        count = len(files)
    else:
        root = find_root(Path.cwd())
        if root is None:
            return _usage_error("no book here (no _config.yml with its quiz folder, quizzes/ "
                                "unless quizbook_quizzes_dir says otherwise, in this folder "
                                "or above); name quiz files to check them on their own")
        book = open_book(root)
        problems = check_book(book)
        count = len(book.quiz_files)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {count} quiz file(s)", file=sys.stderr)
        return EXIT_CONTENT
    print(f"ok: {count} quiz file(s) valid", file=sys.stderr)
    return EXIT_OK


def _files_to_read(paths: Sequence[str], verb: str) -> list[Path] | int:
    """The quiz files a command reads: those named (folders expanded), else the book's
    here; or the exit code of the usage error already reported."""
    if paths:
        files = _quiz_files(paths)
        return _usage_error(files) if isinstance(files, str) else files
    root = find_root(Path.cwd())
    if root is None:
        return _usage_error(f"no book here; name the quiz files to {verb}")
    return list(open_book(root).quiz_files)


def cmd_lint(args: argparse.Namespace) -> int:
    if args.rules:
        for code, (description, _) in rules().items():
            print(f"{code:20} {description}")
        return EXIT_OK
    files = _files_to_read(args.paths, "lint")
    if isinstance(files, int):
        return files
    findings, invalid = [], 0
    for path in files:
        quiz, problems = check_quiz_file(path)
        if quiz is None:
            invalid += 1
            for problem in problems:
                print(problem)
            continue
        findings.extend(lint_quiz(quiz, path))
    label = "error" if args.strict else "warning"
    for finding in findings:
        print(f"{finding} ({label})")
    if invalid:  # never "no findings" for files that could not even be read
        summary = (f"{invalid} of {len(files)} quiz file(s) could not be loaded (problems "
                   f"above; fix them, then lint again); {len(findings)} finding(s) in the rest")
    elif findings:
        summary = f"{len(findings)} finding(s) in {len(files)} quiz file(s)"
    else:
        summary = f"ok: {len(files)} quiz file(s), no findings"
    print(summary, file=sys.stderr)
    if invalid or (args.strict and findings):
        return EXIT_CONTENT
    return EXIT_OK


def cmd_bundle(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not os.path.lexists(path):
        return _usage_error(f"no such file: {args.path}")
    quiz, problems = check_quiz_file(path)
    if quiz is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_CONTENT
    sys.stdout.write(bundle_json(quiz) + "\n")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizbook", description="Check, lint, bundle and export quiz-book teaching modules.")
    parser.add_argument("--version", action="version", version=f"quizbook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate quiz files and the book's cross-references")
    check.add_argument("paths", nargs="*", help="quiz files or folders (default: the whole book)")
    check.set_defaults(func=cmd_check)

    lint = sub.add_parser("lint", help="item-writing checks (warnings; --strict fails)")
    lint.add_argument("paths", nargs="*", help="quiz files or folders (default: the whole book)")
    lint.add_argument("--strict", action="store_true", help="treat findings as errors")
    lint.add_argument("--rules", action="store_true", help="list the rules and exit")
    lint.set_defaults(func=cmd_lint)

    bundle = sub.add_parser("bundle", help="print the student bundle of one quiz as JSON")
    bundle.add_argument("path", help="a quiz file")
    bundle.set_defaults(func=cmd_bundle)

    # The adapters' subcommands. Their modules import nothing heavy at the top (Sphinx,
    # SQLAlchemy and Starlette load when a command runs), so `quizbook check` stays quick.
    from quizbook.export.cli import add_export_parser, add_gradebook_parser
    from quizbook.server.cli import add_class_parser, add_serve_parser

    for register in (add_stats_parser, add_export_parser, add_gradebook_parser,
                     add_serve_parser, add_class_parser):
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the disk, not the content: full, read-only, vanished folder
        name = f"{exc.filename}: " if exc.filename else ""
        print(f"quizbook: {name}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_CONTENT


if __name__ == "__main__":
    sys.exit(main())
