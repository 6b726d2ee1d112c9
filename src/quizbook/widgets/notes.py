"""A discussion notes box: a Textarea saved to `<lesson>.notes.json` beside the notebook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from quizbook.widgets.store import StateFile, now_iso, show_widget

NOTES_FORMAT = "quizbook-notes/1"


def _accept(data: Any) -> str | None:
    if (isinstance(data, dict) and data.get("format") == NOTES_FORMAT
            and isinstance(data.get("notes"), dict)
            and all(isinstance(v, str) for v in data["notes"].values())):
        return None
    return "corrupt"


class NotesBox:
    """Notes for one discussion prompt; every change is saved at once."""

    def __init__(self, lesson: str, key: str, *, directory: Path | str | None = None,
                 label: str = "Your notes:") -> None:
        self.key = key
        folder = Path(directory) if directory is not None else Path.cwd()
        self.store = StateFile(folder / f"{lesson}.notes.json")
        self.area = w.Textarea(value="", description=label,
                               placeholder="Write your thoughts before you pair up.",
                               style={"description_width": "initial"},
                               layout=w.Layout(width="100%", height="8em"))
        self.status = w.HTML(value="")
        self.status.add_class("qb-status")
        data, notice = self.store.load(_accept)
        self.data: dict[str, Any] = data or {"format": NOTES_FORMAT, "notes": {}}
        self.area.value = self.data["notes"].get(key, "")
        self.status.value = (f"<p>{notice}</p>" if notice else
                             f"<p>Saved in {self.store.path.name} next to this notebook.</p>")
        self.area.observe(lambda _c: self.save(), names="value")
        self.box = w.VBox([self.area, self.status])
        self.box.add_class("qb-notes")

    def save(self) -> None:
        self.data["notes"][self.key] = self.area.value
        self.data["saved_at"] = now_iso()
        problem = self.store.save(self.data)
        self.status.value = (f"<p>{problem}</p>" if problem else
                             f"<p>Saved in {self.store.path.name} next to this notebook.</p>")

    def _ipython_display_(self) -> None:
        show_widget(self.box)


def notes_box(lesson: str, key: str, *, directory: Path | str | None = None) -> None:
    """Display the notes box of one discussion prompt of a lesson."""
    show_widget(NotesBox(lesson, key, directory=directory).box)
