"""What `quizbook export` owns in its output folder, so that it never destroys anything else.

Each edition folder it writes (`OUT/student`, `OUT/instructor`) gets a marker file,
`.quizbook-export`, listing every file the export made there. Before an export replaces
a folder it checks that the folder holds exactly those files (or, for folders made by a
release from before markers existed, only files of that release's known layout): any
other file, a symlink or a special file means the folder is not the export's to delete,
and the export stops with an error naming it. The instructor zip is made from the marker
lists, never from whatever happens to be in the folders.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import stat
from pathlib import Path

from quizbook import files

MARKER = ".quizbook-export"
FORMAT = "quizbook-export/1"
MAX_MARKER_BYTES = 5_000_000

#: What the release before markers wrote into each edition folder (docs/exporting.md).
LEGACY_LAYOUT = {
    "student": ("pdf/quizbook-student.pdf", "notebooks/*"),
    "instructor": ("html/*", "pdf/quizbook-instructor.pdf", "pdf/quizbook-answer-key.pdf",
                   "lms/quizbook-qti.zip",
                   "lms/quizbook-moodle.xml", "lms/MAPPINGS.txt", "notebooks/*",
                   "quizbook-instructor.zip", ".quizbook-instructor.zip.tmp"),
}


class NotOurs(Exception):
    """A folder the export did not make (or that someone changed since); never deleted."""


def _tree(folder: Path) -> list[str]:
    """Every file under `folder` as a relative POSIX path; NotOurs on a symlink or a special
    file (the export never makes either, and following one could reach anywhere)."""
    found: list[str] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        for name in [*dirs, *names]:
            path = Path(root) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode) or not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                kind = "symbolic link" if stat.S_ISLNK(mode) else "special file"
                raise NotOurs(f"{path} is a {kind}, which quizbook export never makes")
            if stat.S_ISREG(mode):
                found.append(path.relative_to(folder).as_posix())
    return sorted(found)


def _manifest(folder: Path) -> list[str] | None:
    """The files the marker says the export made, or None without a (readable) marker."""
    try:
        data = json.loads(files.read_text(folder / MARKER, limit=MAX_MARKER_BYTES,
                                          what="export marker"))
    except (files.UnreadableFile, ValueError):
        return None
    listed = data.get("files") if isinstance(data, dict) and data.get("format") == FORMAT \
        else None
    if not isinstance(listed, list) or not all(isinstance(f, str) for f in listed):
        return None
    return sorted(listed)


def owned_files(folder: Path, edition: str) -> list[str] | None:
    """The files of `folder` the export made, when it made all of them (None if the folder
    does not exist); NotOurs naming a file it did not make."""
    if not os.path.lexists(folder):
        return None
    if folder.is_symlink() or not folder.is_dir():
        raise NotOurs(f"{folder} is not a folder the export made (a symbolic link or a file)")
    present = _tree(folder)
    manifest = _manifest(folder)
    if manifest is not None:
        strays = sorted(set(present) - set(manifest) - {MARKER})
        if strays:
            raise NotOurs(f"{folder} holds files quizbook export did not make: "
                          f"{_some(strays)}")
        return [f for f in present if f != MARKER]
    patterns = LEGACY_LAYOUT[edition]
    strays = [f for f in present if not any(fnmatch.fnmatchcase(f, p) for p in patterns)]
    if strays:
        raise NotOurs(f"{folder} was not made by quizbook export (no {MARKER} marker) and holds "
                      f"files it does not make: {_some(strays)}")
    return present


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def clear(folder: Path, edition: str) -> None:
    """Remove an edition folder the export made; NotOurs (and nothing removed) otherwise."""
    if owned_files(folder, edition) is not None:
        shutil.rmtree(folder)


def seal(folder: Path) -> list[str]:
    """Write the marker listing every file now in `folder` (all made by this export)."""
    made = [f for f in _tree(folder) if f != MARKER]
    (folder / MARKER).write_text(json.dumps({"format": FORMAT, "files": made}, indent=1) + "\n",
                                 encoding="utf-8")
    return made
