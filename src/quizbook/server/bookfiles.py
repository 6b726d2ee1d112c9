"""Serving the class build: only files of the build folder, compressed, cached, validated.

Starlette's StaticFiles resolves paths (no `..`, no symlinks out of the folder);
this subclass also refuses dot-files (`.buildinfo`) and the `.gz` copies
themselves, serves the gzip copy `precompress` made next to a file when the
browser accepts gzip, and sets caching: files whose URL carries a version
(`?v=...`, `?digest=...`, as Sphinx and the theme write them) are cached for a
year, other theme files for a day, and pages are revalidated each time (ETag and
Last-Modified give a 304 when nothing changed). So each student downloads the
theme once, compressed.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path, PurePath
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, PathLike, StaticFiles
from starlette.types import Scope

COMPRESSIBLE = {".html", ".js", ".css", ".svg", ".json", ".txt", ".xml", ".map", ".ico",
                ".ttf", ".eot", ".otf", ".ipynb", ".md"}
MIN_COMPRESS = 256
VERSIONED = "private, max-age=31536000, immutable"
ASSET = "private, max-age=86400"
PAGE = "private, no-cache"


@dataclass(frozen=True)
class Compressed:
    files: int
    raw_bytes: int
    gzip_bytes: int


def precompress(folder: Path) -> Compressed:
    """Write `NAME.gz` next to every compressible file (deterministic: no name, no time)."""
    files = raw = packed = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in COMPRESSIBLE:
            continue
        data = path.read_bytes()
        if len(data) < MIN_COMPRESS:
            continue
        squeezed = gzip.compress(data, compresslevel=9, mtime=0)
        target = path.with_name(path.name + ".gz")
        if not target.exists() or target.read_bytes() != squeezed:
            target.write_bytes(squeezed)
        files, raw, packed = files + 1, raw + len(data), packed + len(squeezed)
    return Compressed(files, raw, packed)


def accepts_gzip(headers: Headers) -> bool:
    for item in headers.get("accept-encoding", "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in {"gzip", "*"}:
            q = params.strip().removeprefix("q=")
            return not (params.strip().startswith("q=") and q in {"0", "0.0", "0.00", "0.000"})
    return False


def cache_control(scope: Scope, relative: str) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "v" in query or "digest" in query:
        return VERSIONED
    if relative.startswith(("_static/", "_images/")) and not relative.endswith(".html"):
        return ASSET
    return PAGE


class BookFiles(StaticFiles):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True, check_dir=True)
        self.root = Path(directory).resolve()

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        parts = PurePath(path).parts
        if any(part.startswith(".") and part != "." for part in parts) or path.endswith(".gz"):
            return "", None
        return super().lookup_path(path)

    def file_response(self, full_path: PathLike, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        request_headers = Headers(scope=scope)
        path = Path(full_path)
        relative = path.relative_to(self.root).as_posix()
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers = {"cache-control": cache_control(scope, relative), "vary": "Accept-Encoding"}
        packed = path.with_name(path.name + ".gz")
        response: Response
        packed_stat = _stat(packed) if accepts_gzip(request_headers) else None
        if packed_stat is not None and packed_stat.st_mtime >= stat_result.st_mtime:
            response = FileResponse(packed, status_code=status_code, stat_result=packed_stat,
                                    media_type=media_type,
                                    headers={**headers, "content-encoding": "gzip"})
        else:
            response = FileResponse(path, status_code=status_code, stat_result=stat_result,
                                    media_type=media_type, headers=headers)
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None
