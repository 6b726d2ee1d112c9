"""Digests and sealed text for the student bundle (mirrored in static/quizbook.js).

A page that grades offline must carry what it grades with, so this is
obfuscation, not secrecy: no answer is readable in the page source, the search
index or a copy-paste, and accepted short answers are one-way digests. A student
who reverse-engineers the script can still find the key; graded assessment
belongs in the LMS export. See docs/contracts.md.
"""

from __future__ import annotations

import base64
import hashlib

DIGEST_CHARS = 32


def digest(salt: str, qid: str, value: str) -> str:
    return hashlib.sha256(f"{salt}|{qid}|{value}".encode()).hexdigest()[:DIGEST_CHARS]


def _keystream(salt: str, qid: str, name: str, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hashlib.sha256(f"{salt}|{qid}|{name}|{counter}".encode()).digest())
    return b"".join(blocks)[:length]


def seal(salt: str, qid: str, name: str, text: str) -> str:
    data = text.encode("utf-8")
    stream = _keystream(salt, qid, name, len(data))
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, stream, strict=True))).decode()


def unseal(salt: str, qid: str, name: str, sealed: str) -> str:
    data = base64.b64decode(sealed.encode())
    stream = _keystream(salt, qid, name, len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True)).decode("utf-8")
