"""Find key material in files: the check the server runs before serving a build, and the tests'.

Key material is anything of an offline bundle that gives an answer away: option,
item and pair checks, digests of accepted answers, sealed texts (feedback,
explanations, ranges, patterns) and the salts that open them. `key_markers` lists
these strings for the book's quizzes; `scan_bytes` finds them as whole tokens in
any file, and `bundle_problems` checks that every embedded bundle is key-free.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.server.keyfree import is_keyfree

_HEX = re.compile(rb"[0-9a-f]{16,}")
_BASE64 = re.compile(rb"[A-Za-z0-9+/]{4,}={0,2}")
_BUNDLE = re.compile(rb"<script[^>]*\bdata-quizbook-bundle\b[^>]*>(.*?)</script>", re.S)


@dataclass(frozen=True)
class Finding:
    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


def key_markers(quizzes: Iterable[model.Quiz]) -> dict[bytes, str]:
    """Every key string of the quizzes' offline bundles -> what it is (for messages)."""
    markers: dict[bytes, str] = {}
    for quiz in quizzes:
        bundle = make_bundle(quiz)
        for q in bundle["questions"]:
            where = f"quiz {quiz.id} question {q['id']}"
            markers[q["salt"].encode()] = f"{where}: salt"
            for list_name in ("options", "items", "lefts"):
                for choice in q.get(list_name, []):
                    markers[choice["check"].encode()] = f"{where}: check of {choice['id']}"
            for accepted in q.get("accept", []):
                markers[accepted.encode()] = f"{where}: accepted-answer digest"
            for name, sealed in q.get("sealed", {}).items():
                markers[sealed.encode()] = f"{where}: sealed {name}"
    return markers


def scan_bytes(data: bytes, markers: dict[bytes, str]) -> list[str]:
    """What key material `data` holds, as whole hex or base64 tokens."""
    found = []
    for pattern in (_HEX, _BASE64):
        for match in pattern.finditer(data):
            token = match.group(0)
            if token in markers:
                found.append(markers[token])
    return sorted(set(found))


def bundle_problems(data: bytes) -> Iterator[str]:
    """Embedded bundles (`<script data-quizbook-bundle>`) that are not key-free."""
    for n, match in enumerate(_BUNDLE.finditer(data), 1):
        try:
            bundle: Any = json.loads(match.group(1).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            yield f"bundle {n} is not readable JSON"
            continue
        if not is_keyfree(bundle):
            name = bundle.get("id", "?") if isinstance(bundle, dict) else "?"
            yield f"bundle {n} ({name}) is not key-free"


def scan_folder(folder: Path, quizzes: Sequence[model.Quiz]) -> list[Finding]:
    """Every file under `folder` that carries key material or a bundle with a key."""
    markers = key_markers(quizzes)
    findings: list[Finding] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":  # the compressed copies the server sends
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                findings.append(Finding(str(path.relative_to(folder)), "unreadable gzip file"))
                continue
        shown = str(path.relative_to(folder))
        findings += [Finding(shown, what) for what in scan_bytes(data, markers)]
        findings += [Finding(shown, what) for what in bundle_problems(data)]
    return findings
