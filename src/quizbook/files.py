"""Read one regular file safely: the only way quizbook reads a file an author or a student gave it.

Every reader (quiz files, lesson pages, results files, figure data) goes through
`read_bytes` / `read_text`, so none of them can hang on a FIFO, fill memory from
`/dev/zero`, follow a symlink loop forever, or read a 3 GB file to find out that
it is too big:

- the file is opened non-blocking (opening a FIFO returns at once) and checked with
  `fstat` on the open descriptor: only a regular file is read (no race between a
  check and the open);
- its size is checked before a byte is read, and at most `limit + 1` bytes are read
  (a file that grows meanwhile is still refused);
- every failure is an `UnreadableFile` whose message says what is wrong in plain words;
  callers add the path (and the field) to make `PATH:LINE:COL: field: message`.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: A UTF-8 byte order mark (Windows editors write one); accepted and dropped.
BOM = "\ufeff"


class UnreadableFile(Exception):
    """A file that cannot be used; `line`/`col` point at the problem when known (else 1:1)."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _why(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "cannot read the file: a loop of symbolic links"
    if exc.errno == errno.ENOENT:
        return "cannot read the file: no such file (or a symbolic link to nothing)"
    if exc.errno in {errno.EACCES, errno.EPERM}:
        return "cannot read the file: permission denied"
    if exc.errno == errno.EISDIR:
        return "cannot read the file: it is a folder"
    return f"cannot read the file: {exc.strerror or exc.__class__.__name__}"


def read_bytes(path: Path | str, *, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or `UnreadableFile`.

    `what` names the file in messages ("quiz file", "results file", ...).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnreadableFile(_why(exc)) from None
    except ValueError:  # a NUL byte in the path itself
        raise UnreadableFile("cannot read the file: the path contains a NUL character") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(f"{_kind(info.st_mode)}, not a {what}; only regular files "
                                 "are read")
        if info.st_size > limit:
            raise UnreadableFile(f"the file is {info.st_size:,} bytes, larger than the "
                                 f"{limit:,} bytes a {what} may have")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise UnreadableFile(f"the file grew past the {limit:,} bytes a {what} may have "
                                 "while it was read")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(_why(exc)) from None
    finally:
        os.close(fd)


def decode_utf8(raw: bytes) -> str:
    """UTF-8 text without a leading byte order mark, or `UnreadableFile` at the bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnreadableFile("the file is not UTF-8 text; save it as UTF-8", line, col) from None
    return text.removeprefix(BOM)


def read_text(path: Path | str, *, limit: int, what: str = "file") -> str:
    """`read_bytes` + `decode_utf8`."""
    return decode_utf8(read_bytes(path, limit=limit, what=what))
