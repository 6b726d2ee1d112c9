"""`quizbook ...` run in the test's own process: what a subprocess would report, without
starting a new interpreter (about a second each on this machine).

Use it where the command's behaviour is the point. Where the real process is the point
(the installed entry point, `python -m quizbook`, exit codes through the interpreter,
determinism across processes, a hang that only a timeout can catch), tests keep a real
subprocess.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from quizbook.cli import main


@dataclass(frozen=True)
class Ran:
    """The parts of `subprocess.CompletedProcess` the tests read."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> Ran:
    """`quizbook ARGS` in `cwd`; argparse's usage errors (SystemExit 2) become exit codes."""
    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(before)
    return Ran(code, out.getvalue(), err.getvalue())
