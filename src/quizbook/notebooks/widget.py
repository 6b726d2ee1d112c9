"""The lesson quiz and the discussion notes box in a class notebook.

This module is shipped beside every notebook as `quizbook_widget.py` (see
`quizbook.notebooks.ship`, which fills in `RUNTIME_JS` and `RUNTIME_CSS`). The kernel
needs only the Python packages `anywidget` and `ipywidgets`: no quizbook package.

`show_quiz(quiz_id, markup)` shows the book's quiz: `markup` is the HTML the book's
`{quiz}` directive renders (quizbook.sphinx.render, with the student bundle inside),
and the widget's front end is the book's own runtime (quizbook.runtime) as an ES module.
Grading, feedback, keyboard use and downloads are the book's; only the storage differs:

- `<quiz id>.quizbook.json` beside the notebook keeps the progress record (the browser
  storage record of docs/contracts.md, plus `format`, `quiz`, `student` and `student_id`).
  Files the earlier ipywidgets quiz wrote have the same shape and are carried over.
- `results-<name>-<quiz id>-<date>.json` is a copy of the results file the student
  downloads, under the same name.

`notes_box(lesson, key)` shows a notes area saved in `<lesson>.notes.json`.

A file that cannot be read, or that the quiz cannot use (another quiz version, edited
numbers), is renamed `<name>.corrupt-<time>` or `<name>.stale-<time>`, never overwritten,
and the student is told.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

import anywidget
import ipywidgets
import traitlets
from IPython.display import display as _display

#: The runtime as an ES module and its stylesheet: filled in the copy beside a notebook.
RUNTIME_JS = ""
RUNTIME_CSS = ""

PROGRESS_FORMAT = "quizbook-progress/1"
NOTES_FORMAT = "quizbook-notes/1"
RESULTS_FORMAT = "quizbook-results/1"
#: A progress, notes or results file is a few kilobytes; anything far larger is not ours.
MAX_STATE_BYTES = 2_000_000
QUIZ_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Keys the kernel adds to the runtime's record in the progress file.
FILE_KEYS = ("format", "quiz", "student", "student_id")
#: The name of a results download (quizbook.runtime results.js): no folder, no dots to climb.
RESULTS_NAME = re.compile(r"^results-[\w-]{1,150}\.json$")


#: IPython's display, typed.
display = cast(Callable[[Any], None], _display)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def _write_atomically(path: Path, text: str) -> str | None:
    """Write a file so that a crash leaves the old one or the new one; an error message, or None."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        return f"Could not save {path.name}: {exc.strerror}."
    return None


class StateFile:
    """One JSON object in a file beside the notebook; `load` checks it with `accept`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: False when a bad file could not be moved aside: then nothing may be written.
        self.writable = True

    def load(self, accept: Callable[[Any], str | None]) -> tuple[dict[str, Any] | None, str | None]:
        """(data, notice). `accept(data)` says None if usable, else "stale" or "corrupt"."""
        if not self.path.exists():
            return None, None
        data: Any = None
        try:
            if self.path.stat().st_size > MAX_STATE_BYTES:
                raise ValueError("too large")
            data = json.loads(self.path.read_text(encoding="utf-8"))
            verdict = accept(data)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            verdict = "corrupt"
        if verdict is None and isinstance(data, dict):
            return data, None
        return None, self.set_aside(verdict or "corrupt")

    def set_aside(self, why: str) -> str:
        """Rename the file `<name>.<why>-<time>`; the notice to show the student."""
        target = self.path.with_name(f"{self.path.name}.{why}-{_stamp()}")
        reason = ("was saved for another version of this quiz or could not be used"
                  if why == "stale" else "could not be read")
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            return f"Your saved answers {reason}; the quiz starts fresh."
        except OSError as exc:
            self.writable = False
            return (f"Your saved file {self.path.name} {reason}, and it could not be moved aside "
                    f"({exc.strerror}); nothing will be saved until you move or delete it.")
        return (f"Your saved file {self.path.name} {reason}; it was kept as {target.name} "
                "and the quiz starts fresh.")

    def save(self, data: dict[str, Any]) -> str | None:
        """Write the object; an error message instead of an exception."""
        if not self.writable:
            return f"Not saved: move or delete {self.path.name} first."
        return _write_atomically(self.path, json.dumps(data, indent=1, ensure_ascii=False,
                                                       sort_keys=True))


def _parse_object(text: str) -> dict[str, Any] | None:
    """A JSON object sent by the front end, or None (too large, not JSON, not an object)."""
    if len(text) > MAX_STATE_BYTES:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


class QuizWidget(anywidget.AnyWidget):
    """The book's quiz in a notebook: the runtime's ES module on the book's markup."""

    _esm = RUNTIME_JS
    _css = RUNTIME_CSS
    #: The quiz's HTML as the book renders it (with the student bundle inside).
    markup = traitlets.Unicode("").tag(sync=True)
    #: The runtime's progress record (JSON text), "" when there is none.
    record = traitlets.Unicode("").tag(sync=True)
    student = traitlets.Unicode("").tag(sync=True)
    student_id = traitlets.Unicode("").tag(sync=True)
    #: A message for the quiz's status line (saving problems, files set aside).
    notice = traitlets.Unicode("").tag(sync=True)

    def __init__(self, quiz_id: str, markup: str, *, directory: Path | str | None = None) -> None:
        if not QUIZ_ID.match(quiz_id):
            raise ValueError(f"not a quiz id: {quiz_id!r}")
        folder = Path(directory) if directory is not None else Path.cwd()
        self.quiz_id = quiz_id
        self.progress = StateFile(folder / f"{quiz_id}.quizbook.json")
        self.folder = folder
        self.results_path = folder / f"results-{quiz_id}.json"
        data, notice = self.progress.load(self._readable)
        record, student, student_id = "", "", ""
        if data is not None:
            saved_name, saved_id = data.get("student"), data.get("student_id")
            student = saved_name[:200] if isinstance(saved_name, str) else ""
            student_id = saved_id[:200] if isinstance(saved_id, str) else ""
            record = json.dumps({k: v for k, v in data.items() if k not in FILE_KEYS})
        super().__init__(markup=markup, record=record, student=student, student_id=student_id,
                         notice=notice or "")
        self.observe(self._record_sent, names="record")
        self.observe(self._student_typed, names=["student", "student_id"])
        self.on_msg(self._message)

    def _readable(self, data: Any) -> str | None:
        """A progress file of this quiz? (Whether the runtime can use it, it decides itself.)"""
        if not (isinstance(data, dict) and data.get("format") == PROGRESS_FORMAT):
            return "corrupt"
        return None if data.get("quiz") == self.quiz_id else "stale"

    def _tell(self, text: str) -> None:
        self.notice = ""  # the same text twice is still news to the student
        self.notice = text

    def _save(self) -> None:
        record = _parse_object(self.record) if self.record else None
        if record is None:
            return
        problem = self.progress.save({**record, "format": PROGRESS_FORMAT, "quiz": self.quiz_id,
                                      "student": self.student, "student_id": self.student_id})
        if problem:
            self._tell(problem)

    def _record_sent(self, change: dict[str, Any]) -> None:
        self._save()

    def _student_typed(self, change: dict[str, Any]) -> None:
        self._save()

    def _message(self, widget: Any, content: Any, buffers: Any) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        if kind == "set-aside":
            if self.progress.path.exists():
                self._tell(self.progress.set_aside("stale"))
        elif kind == "results":
            self._keep_results(content.get("text"), content.get("name"))

    def _keep_results(self, text: Any, name: Any = None) -> None:
        data = _parse_object(text) if isinstance(text, str) else None
        if data is None or data.get("format") != RESULTS_FORMAT:
            self._tell("The results could not be copied next to this notebook (they were not "
                       "a results file).")
            return
        # The download's own name (whose, which quiz, when) if it is a plain file name.
        path = self.folder / name if isinstance(name, str) and RESULTS_NAME.match(name) \
            else self.results_path
        problem = _write_atomically(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        self._tell(problem or f"Downloaded. A copy is also next to this notebook: "
                              f"{path.name}. Hand in that file.")


def show_quiz(quiz_id: str, markup: str, *, directory: Path | str | None = None) -> None:
    """Show a quiz; its progress is kept beside the notebook (or in `directory`)."""
    display(QuizWidget(quiz_id, markup, directory=directory))


def _notes_file(data: Any) -> str | None:
    if (isinstance(data, dict) and data.get("format") == NOTES_FORMAT
            and isinstance(data.get("notes"), dict)
            and all(isinstance(v, str) for v in data["notes"].values())):
        return None
    return "corrupt"


class NotesBox:
    """Notes for one discussion prompt of a lesson, saved at every change."""

    def __init__(self, lesson: str, key: str, *, directory: Path | str | None = None) -> None:
        self.key = key
        folder = Path(directory) if directory is not None else Path.cwd()
        self.store = StateFile(folder / f"{lesson}.notes.json")
        self.area = ipywidgets.Textarea(value="", description="Your notes:",
                                        placeholder="Write your thoughts before you pair up.",
                                        style={"description_width": "initial"},
                                        layout=ipywidgets.Layout(width="100%", height="8em"))
        self.status = ipywidgets.HTML(value="")
        self.status.add_class("qb-status")
        data, notice = self.store.load(_notes_file)
        self.data: dict[str, Any] = data or {"format": NOTES_FORMAT, "notes": {}}
        self.area.value = self.data["notes"].get(key, "")
        self._show(notice or self._saved_text())
        self.area.observe(lambda _change: self.save(), names="value")
        self.box = ipywidgets.VBox([self.area, self.status])
        self.box.add_class("qb-notes")

    def _saved_text(self) -> str:
        return f"Saved in {self.store.path.name} next to this notebook."

    def _show(self, text: str) -> None:
        # The text is ours, but it names files, whose names are the student's to choose.
        self.status.value = f"<p>{html.escape(text)}</p>"

    def save(self) -> None:
        self.data["notes"][self.key] = self.area.value
        self.data["saved_at"] = now_iso()
        self._show(self.store.save(self.data) or self._saved_text())


def notes_box(lesson: str, key: str, *, directory: Path | str | None = None) -> None:
    """Show the notes box of one discussion prompt of a lesson."""
    display(NotesBox(lesson, key, directory=directory).box)
