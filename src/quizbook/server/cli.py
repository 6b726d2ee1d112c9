"""`quizbook serve` and `quizbook class ...` (registered by quizbook.cli).

Exit codes as elsewhere: 0 done, 1 content or data problems, 2 usage problems.
Web framework and database imports happen inside the commands, so `quizbook check`
stays fast.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
TOKEN_ENV = "QUIZBOOK_INSTRUCTOR_TOKEN"


def _err(message: str) -> None:
    print(f"quizbook: {message}", file=sys.stderr)


def _book(arg: str | None) -> Path | None:
    from quizbook.book import find_root

    if arg:
        path = Path(arg)
        return path.resolve() if (path / "_config.yml").is_file() else None
    return find_root(Path.cwd())


def _common(parser: argparse.ArgumentParser, db: bool = True) -> None:
    parser.add_argument("--book", help="the book folder (default: the book around here)")
    if db:
        parser.add_argument("--db", help="database URL: sqlite:///PATH or "
                            "postgresql://USER:PASSWORD@HOST/NAME (default: "
                            "sqlite:///BOOK/_class/class.db)")


def add_serve_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "serve", help="run the class server (grades quizzes, records every attempt)",
        description="Serve the class build of the book to students, grade their answers with "
        "the reference grader and store every attempt. Build first: `quizbook class build` "
        "(`make class` does both). See docs/class-server.md.")
    _common(parser)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only; "
                        "0.0.0.0 opens it to the classroom network)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--token", help=f"the instructor's secret token (or ${TOKEN_ENV}; "
                        "default: one made up once and kept in the database)")
    parser.add_argument("--certfile", help="TLS certificate (PEM) to serve HTTPS")
    parser.add_argument("--keyfile", help="TLS private key (PEM) for --certfile")
    parser.add_argument("--public-url", help="the address students use when it is not this "
                        "machine's (behind a TLS proxy: https://class.example.edu/)")
    parser.add_argument("--policy", help="attempt policy file (default: BOOK/class-policy.yml)")
    parser.set_defaults(func=run_serve)


def _lan_address() -> str:
    """This machine's address on the local network (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address: str = probe.getsockname()[0]
        return address
    except OSError:
        return socket.gethostname()
    finally:
        probe.close()


def _port_taken(host: str, port: int) -> str:
    """Why the server could not listen there ("" when it can): said before any URL is printed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return ""


def _db_url(args: argparse.Namespace, book: Path) -> str:
    from quizbook.server.db import default_url

    return str(args.db) if args.db else default_url(book)


def run_serve(args: argparse.Namespace) -> int:
    book = _book(args.book)
    if book is None:
        _err("no book here (no _config.yml with quizzes/); use --book DIR")
        return EXIT_USAGE
    if bool(args.certfile) != bool(args.keyfile):
        _err("--certfile and --keyfile go together")
        return EXIT_USAGE
    for name in (args.certfile, args.keyfile):
        if name and not Path(name).is_file():
            _err(f"no such file: {name}")
            return EXIT_USAGE
    if not 0 < args.port < 65536:
        _err(f"--port {args.port}: not a port number")
        return EXIT_USAGE
    import uvicorn

    from quizbook.server.app import ServerConfig, ServerSetupError, create_app, open_classroom
    from quizbook.server.classbuild import html_dir
    from quizbook.server.db import DatabaseError
    from quizbook.server.policy import PolicyFileError

    scheme = "https" if args.certfile else "http"
    config = ServerConfig(book=book, html=html_dir(book), db_url=_db_url(args, book),
                          token=args.token or os.environ.get(TOKEN_ENV) or None,
                          public_url=args.public_url,
                          secure_cookies=scheme == "https" or
                          str(args.public_url or "").startswith("https:"),
                          policy_file=Path(args.policy) if args.policy else None)
    try:
        room = open_classroom(config)
    except (ServerSetupError, DatabaseError, PolicyFileError) as exc:
        _err(str(exc))
        return EXIT_CONTENT
    host = args.host
    taken = _port_taken(host, args.port)
    if taken:
        _err(f"cannot listen on {host}:{args.port} ({taken}); choose another --port")
        return EXIT_USAGE
    shown_host = _lan_address() if host in {"0.0.0.0", "::"} else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    base = args.public_url or f"{scheme}://{shown_host}:{args.port}/"
    base = base if base.endswith("/") else base + "/"
    if host in {"0.0.0.0", "::"}:
        print(f"warning: --host {host} opens the class server to every device on this "
              "network; use it on a classroom network you trust, ideally with "
              "--certfile/--keyfile or behind a TLS proxy", file=sys.stderr)
    print(f"Students: {base}")
    print(f"Instructor: {base}instructor?token={room.token}")
    print(f"Class code: {room.class_code}", flush=True)
    print("The instructor URL holds the secret token: do not project it or share it.",
          file=sys.stderr, flush=True)
    # The live pages render in worker threads while the event loop answers Checks: with
    # Python's default 5 ms switch interval a rendering thread makes every request wait
    # for the GIL in 5 ms steps (the bench showed p95 Check latency tripling); 0.5 ms keeps
    # requests flowing at a small cost in switching.
    sys.setswitchinterval(0.0005)
    uvicorn.run(create_app(room), host=host, port=args.port, log_level="warning",
                ssl_certfile=args.certfile, ssl_keyfile=args.keyfile, access_log=False,
                server_header=False, timeout_graceful_shutdown=3,
                # Longer than browsers' and clients' own idle timeouts, so that the client
                # closes an idle connection, never the server just as a request arrives.
                timeout_keep_alive=65)
    room.db.dispose()
    return EXIT_OK


# --- quizbook class ... ---------------------------------------------------------------


def add_class_parser(sub: Any) -> None:
    parser = sub.add_parser("class", help="class server data: build, roster, export, forget, "
                            "purge, backup", description="Prepare and look after the class "
                            "server's data. See docs/class-server.md.")
    commands = parser.add_subparsers(dest="class_command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the class edition (key-free quizzes)")
    _common(build, db=False)
    build.set_defaults(func=run_build)

    roster = commands.add_parser("roster", help="the class roster")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True,
                                            metavar="COMMAND")
    imported = roster_commands.add_parser(
        "import", help="import a roster CSV (a `name` column, optional `id`): only roster "
        "students can join, each with a personal join code")
    imported.add_argument("csv", help="the roster file (CSV, UTF-8, with a header row)")
    imported.add_argument("-o", "--codes", help="write the join codes to this CSV "
                          "(default: BOOK/_class/join-codes.csv)")
    _common(imported)
    imported.set_defaults(func=run_roster_import)

    export = commands.add_parser("export", help="gradebook, item analysis, per-student "
                                 "results files, LMS grade-import files (Canvas, Moodle) and "
                                 "peer-instruction votes from the class database")
    _common(export)
    export.add_argument("-o", "--out", required=True, help="output folder")
    export.add_argument("--moodle-id", choices=["number", "email"], default="number",
                        help="how moodle-grades.csv identifies students: their student id "
                        "(Moodle's ID number, default) or their email address (from the "
                        "roster)")
    export.add_argument("--policy", help="attempt policy file (default: "
                        "BOOK/class-policy.yml)")
    export.set_defaults(func=run_export)

    forget = commands.add_parser("forget", help="delete one student and all their answers")
    _common(forget)
    forget.add_argument("--student", required=True, help="the student's name")
    forget.set_defaults(func=run_forget)

    purge = commands.add_parser("purge", help="delete attempts received before a date")
    _common(purge)
    purge.add_argument("--before", required=True, help="YYYY-MM-DD (UTC) or an ISO time")
    purge.set_defaults(func=run_purge)

    backup = commands.add_parser("backup", help="a consistent copy of the database, even "
                                 "while the server runs")
    _common(backup)
    backup.add_argument("-o", "--out", required=True, help="the backup file to write")
    backup.set_defaults(func=run_backup)


def run_build(args: argparse.Namespace) -> int:
    from quizbook.server.bookfiles import precompress
    from quizbook.server.classbuild import ClassBuildError, build_class_edition

    book = _book(args.book)
    if book is None:
        _err("no book here (no _config.yml with quizzes/); use --book DIR")
        return EXIT_USAGE
    try:
        built = build_class_edition(book)
    except ClassBuildError as exc:
        _err(str(exc))
        return EXIT_CONTENT
    packed = precompress(built.html)
    print(f"{built.html}: class edition (key-free quizzes); {packed.files} files "
          f"precompressed, {packed.raw_bytes / 1024:,.0f} KB -> {packed.gzip_bytes / 1024:,.0f} KB")
    return EXIT_OK


def _open_db(args: argparse.Namespace, book: Path, create: bool = False) -> Any:
    from quizbook.server.db import Database

    db = Database(_db_url(args, book), create=create)
    if create:
        db.migrate()
    else:
        db.check_current()
    return db


def _quizzes_and_policies(book: Path, policy: str | None) -> Any:
    from quizbook.book import open_book
    from quizbook.server.grading import Catalog
    from quizbook.server.policy import POLICY_FILE, load_policies

    catalog = Catalog(open_book(book).quizzes())
    path = Path(policy) if policy else book / POLICY_FILE
    return catalog, load_policies(path, list(catalog.entries))


def _with_book(args: argparse.Namespace) -> Path | None:
    book = _book(args.book)
    if book is None:
        _err("no book here (no _config.yml with quizzes/); use --book DIR")
    return book


def _guarded(run: Any) -> Any:
    """Run a data command; known failures become one clear line and exit 1."""
    def wrapper(args: argparse.Namespace) -> int:
        from quizbook.load import QuizFileError
        from quizbook.server.db import DatabaseError
        from quizbook.server.maintenance import MaintenanceError
        from quizbook.server.policy import PolicyFileError
        from quizbook.server.students import RosterError

        try:
            result: int = run(args)
            return result
        except (DatabaseError, MaintenanceError, PolicyFileError, RosterError,
                QuizFileError) as exc:
            _err(str(exc))
            return EXIT_CONTENT
    wrapper.__doc__ = run.__doc__
    return wrapper


@_guarded
def run_roster_import(args: argparse.Namespace) -> int:
    import csv

    from quizbook.server.security import csv_cell
    from quizbook.server.students import import_roster, read_roster, show_code

    book = _with_book(args)
    if book is None:
        return EXIT_USAGE
    if not Path(args.csv).is_file():
        _err(f"no such file: {args.csv}")
        return EXIT_USAGE
    rows = read_roster(Path(args.csv))
    db = _open_db(args, book, create=True)
    result = import_roster(db, rows)
    codes = Path(args.codes) if args.codes else book / "_class" / "join-codes.csv"
    codes.parent.mkdir(parents=True, exist_ok=True)
    with codes.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "student id", "join code"])
        for student in result.students:
            writer.writerow([csv_cell(student.name), csv_cell(student.number or ""),
                             show_code(student.code)])
    print(f"roster: {result.added} student(s) added, {result.updated} already there; "
          f"{len(result.students)} on the roster")
    print(f"{codes}: the join codes (print the slips from the instructor page)")
    return EXIT_OK


@_guarded
def run_export(args: argparse.Namespace) -> int:
    from quizbook.server.export import export_class

    book = _with_book(args)
    if book is None:
        return EXIT_USAGE
    catalog, policies = _quizzes_and_policies(book, args.policy)
    db = _open_db(args, book)
    report = export_class(db, catalog, policies, Path(args.out), args.moodle_id)
    results = [p for p in report.files if p.parent.name == "results"]
    for path in report.files:
        if path not in results:
            print(path)
    print(f"{Path(args.out) / 'results'}: {len(results)} results file(s)")
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"{report.students} student(s) with attempts, {report.attempts} attempt(s), "
          f"{report.votes} vote(s)", file=sys.stderr)
    return EXIT_OK


@_guarded
def run_forget(args: argparse.Namespace) -> int:
    from quizbook.server.maintenance import forget

    book = _with_book(args)
    if book is None:
        return EXIT_USAGE
    gone = forget(_open_db(args, book), args.student)
    print(f"forgot {gone.name!r}: the student and {gone.attempts} attempt(s) deleted")
    return EXIT_OK


@_guarded
def run_purge(args: argparse.Namespace) -> int:
    from quizbook.server.maintenance import parse_when, purge

    book = _with_book(args)
    if book is None:
        return EXIT_USAGE
    before = parse_when(args.before)
    done = purge(_open_db(args, book), before)
    print(f"purged {done.attempts} attempt(s) received before {before.isoformat()} and "
          f"{done.students} student(s) left with none")
    return EXIT_OK


@_guarded
def run_backup(args: argparse.Namespace) -> int:
    from quizbook.server.maintenance import backup

    book = _with_book(args)
    if book is None:
        return EXIT_USAGE
    out = backup(_open_db(args, book), Path(args.out))
    print(f"{out}: backup written ({out.stat().st_size / 1024:,.0f} KB)")
    return EXIT_OK
