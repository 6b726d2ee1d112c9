"""Writing a notebook file: atomically, and only when its text changed (keeps mtimes)."""

from __future__ import annotations

from pathlib import Path


def write_notebook(path: Path, text: str) -> bool:
    """Write `text` unless the file already holds it; return whether it was written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True
