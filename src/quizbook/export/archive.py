"""The instructor archive: every export output in one zip to hand to a colleague."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path

FIXED_TIME = (2024, 1, 1, 0, 0, 0)


class ArchiveError(Exception):
    """A file listed for the archive is not a plain file of the export (a symlink...)."""


def _read_plain(folder: Path, name: str) -> bytes:
    """The bytes of folder/name without following any symbolic link on the way."""
    path = folder
    for part in Path(name).parts[:-1]:
        path = path / part
        if not stat.S_ISDIR(path.lstat().st_mode):
            raise ArchiveError(f"{path} is not a plain folder (a symbolic link?); not zipped")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(folder / name, flags)
    except OSError as exc:
        raise ArchiveError(f"{folder / name}: {exc.strerror}; not zipped") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ArchiveError(f"{folder / name} is not a regular file; not zipped")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def zip_files(parts: Iterable[tuple[Path, str, list[str]]], target: Path) -> int:
    """Zip exactly the listed files: each (folder, name in the zip, relative file names).

    Entries are sorted and timestamped identically, so the same outputs give the same
    bytes; no symbolic link is followed. Returns the number of files written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    entries: list[tuple[str, Path, str]] = []
    for folder, prefix, names in parts:
        entries += [(f"{prefix}/{name}", folder, name) for name in names]
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for arcname, folder, name in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, _read_plain(folder, name))
    tmp.replace(target)
    return len(entries)
