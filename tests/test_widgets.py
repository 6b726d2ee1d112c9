"""The kernel half of the notebook quiz: `quizbook_widget.py` as shipped beside a notebook.

The helper is written into a temporary "notebook folder" and imported from there, as a
student's kernel imports it. Its front end is the book's runtime (tests: the parity test,
tests/test_browser_widget.py in Chromium, tests/test_jupyterlab_e2e.py in JupyterLab);
here, in plain Python, what the kernel does: it needs nothing but the standard library,
anywidget and ipywidgets; it hands the runtime the saved record (including files the
earlier ipywidgets quiz wrote) and writes what the runtime sends back; it sets aside
files it cannot use, never overwriting them; it keeps a copy of the results download;
and the notes box saves and reloads notes.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from quizbook.bundle import make_bundle
from quizbook.legacy import legacy_version
from quizbook.load import load_quiz
from quizbook.notebooks.ship import HELPER_NAME, helper_text, lesson_zip, write_helper
from quizbook.results import parse_results
from quizbook.runtime.build import stylesheet, widget_module
from quizbook.sphinx.render import quiz_html

ROOT = Path(__file__).resolve().parent.parent
QUIZ_FILE = ROOT / "tests" / "books" / "minimal" / "quizzes" / "m1-all-types.yml"
QUIZ = "m1-all-types"
#: A progress file exactly as the ipywidgets quiz (before the runtime) wrote it.
OLD_PROGRESS = ROOT / "tests" / "fixtures" / "old-widget-progress.json"
ALLOWED_IMPORTS = {"__future__", "html", "json", "os", "re", "collections", "datetime",
                   "pathlib", "typing", "anywidget", "ipywidgets", "traitlets", "IPython"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A notebook's folder with the helper in it."""
    notebook = tmp_path / "notebook"
    write_helper(notebook)
    return notebook


@pytest.fixture
def helper(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("quizbook_widget", folder / HELPER_NAME)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def markup() -> str:
    return quiz_html(make_bundle(load_quiz(QUIZ_FILE)), 3)


def widget(helper: ModuleType, folder: Path, markup: str) -> Any:
    return helper.QuizWidget(QUIZ, markup, directory=folder)


def from_front_end(w: Any, content: dict[str, Any]) -> None:
    """A custom message from the widget's front end, as ipywidgets delivers it."""
    w._handle_custom_msg(content, [])


def progress_file(folder: Path) -> Path:
    return folder / f"{QUIZ}.quizbook.json"


def set_aside(folder: Path, why: str) -> list[Path]:
    return sorted(folder.glob(f"{QUIZ}.quizbook.json.{why}-*"))


# -- what the helper is -------------------------------------------------------------------


def test_helper_needs_only_the_standard_library_anywidget_and_ipywidgets(folder: Path) -> None:
    tree = ast.parse((folder / HELPER_NAME).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported <= ALLOWED_IMPORTS, imported - ALLOWED_IMPORTS
    assert "anywidget" in imported and "ipywidgets" in imported
    assert "quizbook" not in imported


def test_helper_carries_the_runtime_module_and_its_styles(helper: ModuleType, folder: Path,
                                                          markup: str) -> None:
    assert widget_module() == helper.RUNTIME_JS and stylesheet() == helper.RUNTIME_CSS
    assert "exportdefault{render:renderQuizWidget}" in helper.RUNTIME_JS.replace(" ", "")
    w = widget(helper, folder, markup)
    assert w._esm == widget_module() and w._css == stylesheet()
    assert w.markup == markup  # the book's markup, with the student bundle inside
    assert 'data-quizbook-quiz="m1-all-types"' in w.markup


def test_helper_and_zip_are_reproducible() -> None:
    assert helper_text() == helper_text()
    assert lesson_zip("01-x", '{"cells": []}\n') == lesson_zip("01-x", '{"cells": []}\n')


def test_bad_quiz_id_is_refused(helper: ModuleType, folder: Path, markup: str) -> None:
    with pytest.raises(ValueError, match=r"not a quiz id: '\.\./x'"):
        helper.QuizWidget("../x", markup, directory=folder)


# -- saved progress -------------------------------------------------------------------------


def test_no_file_starts_empty(helper: ModuleType, folder: Path, markup: str) -> None:
    w = widget(helper, folder, markup)
    assert (w.record, w.student, w.notice) == ("", "", "")
    assert not progress_file(folder).exists()


def test_progress_of_the_old_ipywidgets_quiz_is_carried_over(helper: ModuleType, folder: Path,
                                                            markup: str) -> None:
    old = json.loads(OLD_PROGRESS.read_text(encoding="utf-8"))
    assert old["version"] == legacy_version(load_quiz(QUIZ_FILE)), \
        "the fixture is a record of today's quiz under the version scheme before issue 12"
    progress_file(folder).write_text(OLD_PROGRESS.read_text(encoding="utf-8"), encoding="utf-8")
    w = widget(helper, folder, markup)
    record = json.loads(w.record)
    assert record == {k: v for k, v in old.items() if k not in ("format", "quiz", "student")}
    assert record["responses"]["q6"] == {"palmyra": 2, "strikes": 1}
    assert w.student == "Ada Lovelace" and w.notice == ""
    assert set_aside(folder, "stale") == set_aside(folder, "corrupt") == []


def test_a_check_in_the_front_end_is_written_beside_the_notebook(
        helper: ModuleType, folder: Path, markup: str) -> None:
    w = widget(helper, folder, markup)
    w.student = "Ada"
    assert not progress_file(folder).exists()  # a name alone is not progress
    record = {"v": 1, "version": "abc", "attempts": 1, "first": "2026-01-01T00:00:00Z",
              "last": "2026-01-01T00:00:00Z", "responses": {"q1": "b"},
              "outcomes": {"q1": {"points": 1, "max": 1, "correct": True, "attempts": 1}}}
    w.record = json.dumps(record)
    saved = json.loads(progress_file(folder).read_text(encoding="utf-8"))
    assert saved == {**record, "format": "quizbook-progress/1", "quiz": QUIZ, "student": "Ada",
                     "student_id": ""}
    w.student = "Ada Lovelace"
    w.student_id = "s-1234"
    saved = json.loads(progress_file(folder).read_text(encoding="utf-8"))
    assert (saved["student"], saved["student_id"]) == ("Ada Lovelace", "s-1234")
    # A new kernel (a new widget in the same folder) gets it back.
    again = widget(helper, folder, markup)
    assert json.loads(again.record) == record
    assert (again.student, again.student_id) == ("Ada Lovelace", "s-1234")


@pytest.mark.parametrize("junk", ["{not json", "[]", '{"format": "other"}',
                                  "\udcff".encode("utf-8", "surrogateescape").decode("latin-1"),
                                  "[" * 100_000])
def test_unreadable_file_is_set_aside_and_the_quiz_starts_fresh(
        helper: ModuleType, folder: Path, markup: str, junk: str) -> None:
    progress_file(folder).write_text(junk, encoding="latin-1")
    w = widget(helper, folder, markup)
    [kept] = set_aside(folder, "corrupt")
    assert kept.read_text(encoding="latin-1") == junk
    assert not progress_file(folder).exists()
    assert w.record == ""
    assert f"could not be read; it was kept as {kept.name} and the quiz starts fresh" in w.notice


def test_oversized_file_is_set_aside_unread(helper: ModuleType, folder: Path,
                                            markup: str) -> None:
    progress_file(folder).write_text('{"format": "quizbook-progress/1", "x": "'
                                     + "a" * 2_100_000 + '"}', encoding="utf-8")
    widget(helper, folder, markup)
    assert len(set_aside(folder, "corrupt")) == 1 and not progress_file(folder).exists()


def test_file_of_another_quiz_is_set_aside_as_stale(helper: ModuleType, folder: Path,
                                                    markup: str) -> None:
    progress_file(folder).write_text(json.dumps({"format": "quizbook-progress/1",
                                                 "quiz": "other"}), encoding="utf-8")
    w = widget(helper, folder, markup)
    assert len(set_aside(folder, "stale")) == 1 and w.record == ""


def test_record_the_runtime_refuses_is_set_aside_never_overwritten(
        helper: ModuleType, folder: Path, markup: str) -> None:
    """The runtime decides (forged numbers, a record it did not write) and says so; the kernel
    keeps the file under a new name and writes nothing over it."""
    old = json.loads(OLD_PROGRESS.read_text(encoding="utf-8"))
    forged = {**old, "outcomes": {**old["outcomes"], "q1": {"points": 9, "max": 1,
                                                            "correct": True, "attempts": 1}}}
    progress_file(folder).write_text(json.dumps(forged), encoding="utf-8")
    w = widget(helper, folder, markup)
    w.record = ""  # what the runtime's store does first ...
    assert progress_file(folder).exists()  # ... which writes nothing
    from_front_end(w, {"kind": "set-aside", "text": w.record})
    [kept] = set_aside(folder, "stale")
    assert json.loads(kept.read_text(encoding="utf-8")) == forged
    assert not progress_file(folder).exists()
    assert f"it was kept as {kept.name} and the quiz starts fresh" in w.notice


def test_a_second_bad_file_does_not_replace_the_first(helper: ModuleType, folder: Path,
                                                      markup: str) -> None:
    for n in range(2):
        progress_file(folder).write_text(f"bad {n}", encoding="utf-8")
        widget(helper, folder, markup)
    kept = set_aside(folder, "corrupt")
    assert sorted(p.read_text(encoding="utf-8") for p in kept) == ["bad 0", "bad 1"]


def test_saving_problem_is_reported(helper: ModuleType, folder: Path, markup: str) -> None:
    w = widget(helper, folder, markup)
    progress_file(folder).mkdir()  # a folder where the file should go
    w.record = json.dumps({"v": 1})
    assert w.notice.startswith(f"Could not save {QUIZ}.quizbook.json: ")


def test_front_end_junk_is_not_written(helper: ModuleType, folder: Path, markup: str) -> None:
    w = widget(helper, folder, markup)
    for junk in ("[1, 2]", "{bad", "1" * 10):
        w.record = junk
    assert not progress_file(folder).exists()
    from_front_end(w, {"kind": "unknown"})
    assert w.notice == ""


# -- results --------------------------------------------------------------------------------


def results_text(student: str = "Ada") -> str:
    return json.dumps({"format": "quizbook-results/1", "student": student,
                       "exported_at": "2026-11-24T10:00:00Z", "source": "notebook",
                       "quizzes": [{"quiz": QUIZ, "lesson": "01-minimal", "version": "v1",
                                    "score": 1, "max": 7, "attempts": 1,
                                    "first_attempt": "2026-11-24T10:00:00Z",
                                    "last_attempt": "2026-11-24T10:00:00Z",
                                    "questions": [{"id": "q1", "points": 1, "max": 1,
                                                   "correct": True, "attempts": 1,
                                                   "response": "b"}]}]})


def test_results_download_is_copied_beside_the_notebook(helper: ModuleType, folder: Path,
                                                        markup: str) -> None:
    w = widget(helper, folder, markup)
    name = f"results-ada-{QUIZ}-2026-11-24.json"
    from_front_end(w, {"kind": "results", "text": results_text(), "name": name})
    path = folder / name
    results = parse_results(path.read_bytes(), path.name)
    assert results.student == "Ada" and results.source == "notebook"
    assert w.notice == (f"Downloaded. A copy is also next to this notebook: {name}. "
                        "Hand in that file.")
    from_front_end(w, {"kind": "results", "text": results_text("Ada Lovelace"), "name": name})
    assert parse_results(path.read_bytes(), path.name).student == "Ada Lovelace"


@pytest.mark.parametrize("name", [None, 3, "../results-x.json", "results-a/../../b.json",
                                  "results-.json", "notes.json", "results-x.json/"])
def test_a_results_name_that_is_not_a_plain_file_name_is_not_used(
        helper: ModuleType, folder: Path, markup: str, name: Any) -> None:
    w = widget(helper, folder, markup)
    from_front_end(w, {"kind": "results", "text": results_text(), "name": name})
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".json") == \
        [f"results-{QUIZ}.json"]


@pytest.mark.parametrize("text", [None, 3, "{bad", "[]", '{"format": "other"}',
                                  '{"format": "quizbook-results/1", "x": "' + "a" * 2_000_001
                                  + '"}'])
def test_results_that_are_not_results_are_not_written(helper: ModuleType, folder: Path,
                                                      markup: str, text: Any) -> None:
    w = widget(helper, folder, markup)
    from_front_end(w, {"kind": "results", "text": text})
    assert not (folder / f"results-{QUIZ}.json").exists()
    assert "could not be copied" in w.notice


# -- the notes box --------------------------------------------------------------------------


def test_notes_are_saved_and_come_back(helper: ModuleType, folder: Path) -> None:
    box = helper.NotesBox("01-minimal", "1", directory=folder)
    assert box.area.description == "Your notes:" and "qb-notes" in box.box._dom_classes
    box.area.value = "Cost and risk: <b>no</b> ground troops."
    data = json.loads((folder / "01-minimal.notes.json").read_text(encoding="utf-8"))
    assert data["format"] == "quizbook-notes/1"
    assert data["notes"] == {"1": "Cost and risk: <b>no</b> ground troops."}
    assert "Saved in 01-minimal.notes.json" in box.status.value
    other = helper.NotesBox("01-minimal", "2", directory=folder)
    other.area.value = "Second prompt."
    again = helper.NotesBox("01-minimal", "1", directory=folder)
    assert again.area.value == "Cost and risk: <b>no</b> ground troops."
    assert json.loads((folder / "01-minimal.notes.json").read_text(encoding="utf-8"))["notes"] \
        == {"1": "Cost and risk: <b>no</b> ground troops.", "2": "Second prompt."}


def test_corrupt_notes_are_set_aside(helper: ModuleType, folder: Path) -> None:
    (folder / "01-minimal.notes.json").write_text('{"format": "quizbook-notes/1", "notes": [1]}',
                                                  encoding="utf-8")
    box = helper.NotesBox("01-minimal", "1", directory=folder)
    [kept] = folder.glob("01-minimal.notes.json.corrupt-*")
    assert "could not be read" in box.status.value and kept.name in box.status.value
    assert box.area.value == ""


def test_status_text_is_escaped(helper: ModuleType, tmp_path: Path) -> None:
    folder = tmp_path / "<b>x"
    folder.mkdir()
    (folder / "l<i>.notes.json").write_text("junk", encoding="utf-8")
    box = helper.NotesBox("l<i>", "1", directory=folder)
    assert "<i>" not in box.status.value and "&lt;i&gt;" in box.status.value


def test_no_helper_module_is_left_imported() -> None:
    assert "quizbook.widgets" not in sys.modules
