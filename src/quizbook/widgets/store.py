"""Small JSON files next to the notebook: saved quiz progress and discussion notes.

A file that cannot be read, or was written for another version of the quiz, is
never overwritten silently and never crashes the notebook: it is renamed
(`<name>.corrupt-<timestamp>` or `<name>.stale-<timestamp>`) and the caller gets
a message to show the student.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

from IPython.display import Javascript, display

#: A progress or notes file is a few kilobytes; anything far larger is not ours.
MAX_STATE_BYTES = 2_000_000


#: JupyterLab turns Enter, arrows and letters into notebook commands unless the focused
#: element is a text field, so a focused button would not take Enter. Lumino skips its
#: shortcuts inside elements marked `data-lm-suppress-shortcuts`: the quiz and notes
#: boxes get that mark once they are on the page. Without it (JavaScript outputs off)
#: Tab and Space still do everything.
KEYBOARD_JS = """(function () {
  var tries = 0;
  function mark() {
    var found = document.querySelectorAll(".qb-quiz, .qb-notes");
    for (var i = 0; i < found.length; i++) {
      found[i].setAttribute("data-lm-suppress-shortcuts", "true");
    }
    if (tries++ < 50) { setTimeout(mark, 200); }
  }
  mark();
})();"""


def show_widget(widget: Any) -> None:
    """IPython's display, typed; then let keyboard users use the widget (see KEYBOARD_JS)."""
    show = cast(Callable[[Any], None], display)
    show(widget)
    show(cast(Callable[[str], Any], Javascript)(KEYBOARD_JS))


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


class StateFile:
    """One JSON object in a file; `load` validates it with `accept`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: False when a bad file could not be moved aside: then we must not write.
        self.writable = True

    def load(self, accept: Callable[[Any], str | None]) -> tuple[dict[str, Any] | None, str | None]:
        """Return (data, notice). `accept(data)` gives None if usable, else "stale" or "corrupt"."""
        if not self.path.exists():
            return None, None
        try:
            if self.path.stat().st_size > MAX_STATE_BYTES:
                raise ValueError("too large")
            data = json.loads(self.path.read_text(encoding="utf-8"))
            verdict = accept(data)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            verdict = "corrupt"
            data = None
        if verdict is None and isinstance(data, dict):
            return data, None
        return None, self._set_aside(verdict or "corrupt")

    def _set_aside(self, why: str) -> str:
        target = self.path.with_name(f"{self.path.name}.{why}-{_stamp()}")
        reason = ("was saved for another version of this quiz" if why == "stale"
                  else "could not be read")
        try:
            os.replace(self.path, target)
        except OSError as exc:
            self.writable = False
            return (f"Your saved file {self.path.name} {reason}, and it could not be moved aside "
                    f"({exc.strerror}); nothing will be saved until you move or delete it.")
        return (f"Your saved file {self.path.name} {reason}; it was kept as {target.name} "
                "and you start fresh.")

    def save(self, data: dict[str, Any]) -> str | None:
        """Write atomically; return an error message instead of raising."""
        if not self.writable:
            return f"Not saved: move or delete {self.path.name} first."
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            return f"Could not save {self.path.name}: {exc.strerror}."
        return None
