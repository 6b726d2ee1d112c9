"""The instructor archive: every export output in one zip to hand to a colleague."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def zip_tree(folders: Iterable[tuple[Path, str]], target: Path) -> int:
    """Zip each (folder, name in the zip) into `target`, skipping `target` itself.

    Entries are sorted and timestamped identically, so the same outputs give the same
    bytes. Returns the number of files written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    count = 0
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for folder, prefix in folders:
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                if path.resolve() in {target.resolve(), tmp.resolve()}:
                    continue
                info = zipfile.ZipInfo(f"{prefix}/{path.relative_to(folder).as_posix()}",
                                       date_time=FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
                count += 1
    tmp.replace(target)
    return count
