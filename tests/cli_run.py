"""`quizbook ...` run in the test's own process: what a subprocess would report, without
starting a new interpreter (about a second each on this machine).

Use it where the command's behaviour is the point. Where the real process is the point
(the installed entry point, `python -m quizbook`, exit codes through the interpreter,
determinism across processes), tests keep a real subprocess.

`run_cli_apart` is for a command that might hang (reading a FIFO or /dev/zero): the same
call in a child process forked from this one (the modules are already imported, so no
interpreter start), stdin from /dev/null, killed when it overruns its timeout, which then
fails the test, as `subprocess.run(..., timeout=...)` would, instead of a stuck test run.
"""

from __future__ import annotations

import io
import json
import os
import selectors
import signal
import time
import traceback
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


class CommandHung(AssertionError):
    """The command did not finish within its timeout (the child was killed)."""


def run_cli_apart(*args: str, cwd: Path | None = None, timeout: float = 120) -> Ran:
    """`run_cli(ARGS)` in a forked child with a timeout; see the module's docstring."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send the result, leave without pytest's clean-up
        try:
            os.close(read_end)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            try:
                ran = run_cli(*args, cwd=cwd)
                result = [ran.returncode, ran.stdout, ran.stderr]
            except BaseException:  # what the interpreter would print, and its exit code
                result = [1, "", traceback.format_exc()]
            data = json.dumps(result).encode()
            while data:
                data = data[os.write(write_end, data):]
        finally:
            os._exit(0)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as waiting, os.fdopen(read_end, "rb", 0) as pipe:
        waiting.register(pipe, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not waiting.select(timeout=left):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise CommandHung(f"quizbook {' '.join(args)} did not finish in {timeout} s")
            chunk = pipe.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        raise AssertionError(f"quizbook {' '.join(args)} died without an answer "
                             f"(wait status {status})")
    code, out, err = json.loads(b"".join(chunks))
    return Ran(code, out, err)
