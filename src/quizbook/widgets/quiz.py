"""The quiz as ipywidgets, graded from the student bundle with `bundle.bundle_grade`.

It behaves like the browser runtime (static/quizbook.js): one Check button grades
every question, Retry clears the answers that are not right yet, changing an
answer hides its old feedback, and progress is saved after each check, here in
`<quiz id>.quizbook.json` next to the notebook so that it survives a kernel
restart. "Export my results" writes the results file format of docs/contracts.md
with `"source": "notebook"`.

Everything works without a browser: set the `value` of the controls and call
`check_button.click()` (the unit tests do exactly that).
"""

from __future__ import annotations

import html
import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import ipywidgets as w

from quizbook.bundle import FORMAT as BUNDLE_FORMAT
from quizbook.bundle import bundle_grade, reveal
from quizbook.grade import Outcome
from quizbook.results import FORMAT as RESULTS_FORMAT
from quizbook.results import QuestionResult, QuizResult, Results, dump_results
from quizbook.widgets.store import StateFile, now_iso, show_widget
from quizbook.widgets.text import fmt, html_to_text

PROGRESS_FORMAT = "quizbook-progress/1"
CHOOSE = "Choose…"

#: Layout rules for the quiz. Symbols and words carry the verdict; colour only adds to it.
STYLE = """<style>
.qb-quiz .widget-label, .qb-quiz .widget-radio-box label, .qb-quiz .widget-checkbox label
  { white-space: normal; overflow: visible; height: auto; }
.qb-quiz .qb-question { border-left: 4px solid var(--jp-border-color2, #ccc);
  padding: 0.25em 0.75em; margin: 0.75em 0; }
.qb-quiz .qb-right-q { border-left-color: #1a7f37; }
.qb-quiz .qb-prompt p { margin: 0.25em 0; }
.qb-quiz .qb-feedback p { margin: 0.2em 0; }
.qb-quiz .qb-mark { font-weight: bold; }
.qb-quiz button:focus-visible, .qb-quiz input:focus-visible, .qb-quiz select:focus-visible,
.qb-quiz textarea:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
.qb-quiz .qb-score { font-weight: bold; }
</style>"""


class BundleError(ValueError):
    """The data handed to `show_quiz` is not a quizbook student bundle."""


def parse_bundle(bundle: dict[str, Any] | str | Path) -> dict[str, Any]:
    if isinstance(bundle, Path):
        try:
            bundle = bundle.read_text(encoding="utf-8")
        except OSError as exc:
            raise BundleError(f"{bundle}: cannot read the quiz bundle ({exc.strerror})") from None
    if isinstance(bundle, str):
        try:
            bundle = json.loads(bundle)
        except json.JSONDecodeError as exc:
            raise BundleError(f"the quiz data is not valid JSON (line {exc.lineno}, column "
                              f"{exc.colno}: {exc.msg})") from None
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        found = bundle.get("format") if isinstance(bundle, dict) else type(bundle).__name__
        raise BundleError(f"not a quizbook student bundle (format {found!r}, expected "
                          f"{BUNDLE_FORMAT!r}); regenerate the notebook with `quizbook export`")
    return bundle


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _outcome_ok(o: Any) -> bool:
    if not isinstance(o, dict):
        return False
    numbers = [o.get("points"), o.get("max")]
    return (all(isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x <= 10_000
                for x in numbers)
            and o["points"] <= o["max"] + 1e-9 and isinstance(o.get("correct"), bool)
            and isinstance(o.get("attempts"), int) and o["attempts"] >= 0)


def _html(text: str) -> Any:
    return w.HTML(value=text)


def _say(text: str) -> str:
    return f"<p>{html.escape(text)}</p>" if text else ""


class _Inputs(ABC):
    """The answer controls of one question."""

    controls: list[Any]
    box: Any

    @abstractmethod
    def read(self) -> Any:
        """The response in the graders' form (see docs/contracts.md)."""

    @abstractmethod
    def write(self, response: Any) -> None:
        """Put a saved response back into the controls."""

    def mark(self, qb: dict[str, Any], outcome: Outcome) -> None:  # noqa: B027
        """Show per-option / per-item marks and feedback (typed answers have none)."""

    def unmark(self) -> None:  # noqa: B027
        """Remove the marks (typed answers have none)."""


class _Radio(_Inputs):
    """single and true_false: one RadioButtons group; feedback per chosen option below it."""

    def __init__(self, qb: dict[str, Any]) -> None:
        self.kind = qb["type"]
        if self.kind == "true_false":
            options: list[tuple[str, Any]] = [("True", True), ("False", False)]
        else:
            options = [(html_to_text(o["text"]), o["id"]) for o in qb["options"]]
        self.labels = {value: label for label, value in options}
        self.radio = w.RadioButtons(options=options, value=None, description="Your answer:",
                                    style={"description_width": "initial"},
                                    layout=w.Layout(width="auto"))
        self.option_feedback = _html("")
        self.option_feedback.add_class("qb-option-feedback")
        self.controls = [self.radio]
        self.box = w.VBox([self.radio, self.option_feedback])

    def read(self) -> Any:
        return self.radio.value

    def write(self, response: Any) -> None:
        ok = isinstance(response, bool) if self.kind == "true_false" else isinstance(response, str)
        self.radio.value = response if ok and response in self.labels else None

    def mark(self, qb: dict[str, Any], outcome: Outcome) -> None:
        lines = []
        for key in outcome.feedback:
            ok = outcome.parts.get("answer" if self.kind == "true_false" else key, False)
            label = self.labels.get(key == "true" if self.kind == "true_false" else key, key)
            text = reveal(qb, f"fb:{key}")
            sign = "✓ right" if ok else "✗ not right"
            lines.append(f"<p><span class='qb-mark'>{sign}:</span> {html.escape(str(label))}"
                         + (f" — {text}" if text else "") + "</p>")
        self.option_feedback.value = "".join(lines)

    def unmark(self) -> None:
        self.option_feedback.value = ""


class _Checks(_Inputs):
    """multiple: one labelled Checkbox per option, each with its own feedback line."""

    def __init__(self, qb: dict[str, Any]) -> None:
        self.ids = [o["id"] for o in qb["options"]]
        self.boxes = {o["id"]: w.Checkbox(value=False, description=html_to_text(o["text"]),
                                          indent=False, layout=w.Layout(width="auto"))
                      for o in qb["options"]}
        self.marks = {i: _html("") for i in self.ids}
        for m in self.marks.values():
            m.add_class("qb-option-feedback")
        self.controls = list(self.boxes.values())
        self.box = w.VBox([_html("<p>Select all that apply.</p>")]
                          + [w.VBox([self.boxes[i], self.marks[i]]) for i in self.ids])

    def read(self) -> Any:
        return [i for i in self.ids if self.boxes[i].value]

    def write(self, response: Any) -> None:
        chosen = set(response) if isinstance(response, list) else set()
        for i, box in self.boxes.items():
            box.value = i in chosen

    def mark(self, qb: dict[str, Any], outcome: Outcome) -> None:
        for i in self.ids:
            if i not in outcome.parts:
                self.marks[i].value = ""
                continue
            text = reveal(qb, f"fb:{i}")
            sign = "✓ right" if outcome.parts[i] else "✗ not right"
            self.marks[i].value = (f"<p><span class='qb-mark'>{sign}</span>"
                                   + (f" — {text}" if text else "") + "</p>")

    def unmark(self) -> None:
        for m in self.marks.values():
            m.value = ""


class _Typed(_Inputs):
    """short_text and numeric: one Text box (numeric says its unit)."""

    def __init__(self, qb: dict[str, Any]) -> None:
        unit = qb.get("unit")
        if qb["type"] == "numeric":
            hint = f"A number (in {unit})" if unit else "A number"
        else:
            hint = "Type your answer"
        # The value is sent when the student leaves the box (or presses Enter): a
        # keystroke-by-keystroke stream could still be in flight when Check arrives.
        self.text = w.Text(value="", placeholder=hint, description="Your answer:",
                           continuous_update=False, style={"description_width": "initial"})
        self.controls = [self.text]
        self.box = w.VBox([self.text])

    def read(self) -> Any:
        return self.text.value

    def write(self, response: Any) -> None:
        self.text.value = response if isinstance(response, str) else ""


class _Selects(_Inputs):
    """ordering (positions 1..n) and matching (right-hand texts): one Dropdown per item."""

    def __init__(self, qb: dict[str, Any]) -> None:
        self.kind = qb["type"]
        rows = qb["items"] if self.kind == "ordering" else qb["lefts"]
        if self.kind == "ordering":
            choices: list[tuple[str, Any]] = [(str(n), n) for n in range(1, len(rows) + 1)]
            intro = "Give each item its position (1 = first)."
        else:
            choices = [(html_to_text(r["text"]), r["id"]) for r in qb["rights"]]
            intro = "Choose the match for each item."
        self.allowed = {value for _, value in choices}
        self.ids = [r["id"] for r in rows]
        # The placeholder's value is "" (None would leave the dropdown blank).
        self.selects = {r["id"]: w.Dropdown(options=[(CHOOSE, ""), *choices], value="",
                                            description=html_to_text(r["text"]),
                                            style={"description_width": "initial"},
                                            layout=w.Layout(width="auto"))
                        for r in rows}
        self.marks = {i: _html("") for i in self.ids}
        self.controls = list(self.selects.values())
        self.box = w.VBox([_html(f"<p>{intro}</p>")]
                          + [w.HBox([self.selects[i], self.marks[i]]) for i in self.ids])

    def read(self) -> Any:
        return {i: s.value for i, s in self.selects.items() if s.value != ""}

    def write(self, response: Any) -> None:
        given = response if isinstance(response, dict) else {}
        for i, s in self.selects.items():
            value = given.get(i)
            ok = isinstance(value, int | str) and not isinstance(value, bool) \
                and value in self.allowed
            s.value = value if ok else ""

    def mark(self, qb: dict[str, Any], outcome: Outcome) -> None:
        for i in self.ids:
            ok = outcome.parts.get(i)
            self.marks[i].value = ("" if ok is None else
                                   f"<span class='qb-mark'>{'✓ right' if ok else '✗ not right'}"
                                   "</span>")

    def unmark(self) -> None:
        for m in self.marks.values():
            m.value = ""


_INPUTS: dict[str, Callable[[dict[str, Any]], _Inputs]] = {
    "single": _Radio, "true_false": _Radio, "multiple": _Checks, "short_text": _Typed,
    "numeric": _Typed, "ordering": _Selects, "matching": _Selects,
}


class QuestionView:
    """One question: prompt, answer controls, hint, feedback."""

    def __init__(self, qb: dict[str, Any], number: int, total: int,
                 on_change: Callable[[QuestionView], None]) -> None:
        self.qb = qb
        self.id: str = qb["id"]
        self.inputs = _INPUTS[qb["type"]](qb)
        points = fmt(float(qb["points"]))
        self.prompt = _html(f"<p><strong>Question {number} of {total}</strong> "
                            f"({points} point{'' if points == '1' else 's'})</p>"
                            f"<div class='qb-prompt'><p>{qb['prompt']}</p></div>")
        self.feedback = _html("")
        self.feedback.add_class("qb-feedback")
        parts: list[Any] = [self.prompt, self.inputs.box]
        self.hint_button: Any = None
        self.hint = _html("")
        if qb.get("hint"):
            self.hint_button = w.Button(description="Show hint", icon="lightbulb-o",
                                        tooltip=f"Show a hint for question {number}")
            self.hint_button.on_click(lambda _b: self.toggle_hint())
            parts.append(w.HBox([self.hint_button]))
            parts.append(self.hint)
        parts.append(self.feedback)
        self.box = w.VBox(parts)
        self.box.add_class("qb-question")
        self.checked: Any = None  # the response last checked, while its feedback shows
        self.is_checked = False
        for control in self.inputs.controls:
            control.observe(lambda _change: on_change(self), names="value")

    @property
    def controls(self) -> list[Any]:
        return self.inputs.controls

    def toggle_hint(self) -> None:
        if self.hint.value:
            self.hint.value = ""
            self.hint_button.description = "Show hint"
        else:
            self.hint.value = f"<p><strong>Hint:</strong> {self.qb['hint']}</p>"
            self.hint_button.description = "Hide hint"

    def read(self) -> Any:
        return self.inputs.read()

    def write(self, response: Any) -> None:
        self.inputs.write(response)

    def grade(self) -> Outcome:
        return bundle_grade(self.qb, self.read())

    def show(self, outcome: Outcome) -> None:
        self.inputs.mark(self.qb, outcome)
        if not outcome.answered:
            head = "Not answered."
        elif outcome.correct:
            head = "✓ Right."
        elif outcome.points > 0:
            head = "◐ Partly right."
        else:
            head = "✗ Not right yet."
        out = [f"<p class='qb-verdict'><strong>{head}</strong> {fmt(outcome.points)} / "
               f"{fmt(outcome.max_points)} points.</p>"]
        if self.qb["type"] not in ("single", "multiple", "true_false"):
            for key in outcome.feedback:
                text = reveal(self.qb, f"fb:{key}")
                if text:
                    out.append(f"<p>{text}</p>")
        if outcome.correct:
            why = reveal(self.qb, "explanation")
            if why:
                out.append(f"<p><strong>Why:</strong> {why}</p>")
        self.feedback.value = "".join(out)
        if outcome.correct:
            self.box.add_class("qb-right-q")
        else:
            self.box.remove_class("qb-right-q")
        self.checked = self.read()
        self.is_checked = True

    def clear(self) -> None:
        self.inputs.unmark()
        self.feedback.value = ""
        self.box.remove_class("qb-right-q")
        self.checked = None
        self.is_checked = False


class QuizWidget:
    """A whole quiz. `box` is the widget to display; `show_quiz` displays it."""

    def __init__(self, bundle: dict[str, Any] | str | Path, *,
                 directory: Path | str | None = None) -> None:
        self.bundle = parse_bundle(bundle)
        self.id: str = self.bundle["id"]
        self.directory = Path(directory) if directory is not None else Path.cwd()
        self.store = StateFile(self.directory / f"{self.id}.quizbook.json")
        self.results_path = self.directory / f"results-{self.id}.json"
        qs = self.bundle["questions"]
        self.max = float(self.bundle.get("max_points", sum(float(q["points"]) for q in qs)))
        self.questions = [QuestionView(q, n, len(qs), self._changed) for n, q in enumerate(qs, 1)]
        self.check_button = w.Button(description="Check answers", button_style="primary",
                                     icon="check", tooltip="Grade every answer")
        self.retry_button = w.Button(description="Retry", icon="refresh",
                                     tooltip="Clear the answers that are not right yet")
        self.student = w.Text(value="", description="Your name:",
                              placeholder="for the results file",
                              style={"description_width": "initial"})
        self.export_button = w.Button(description="Export my results", icon="download",
                                      layout=w.Layout(width="auto"),
                                      tooltip=f"Write {self.results_path.name} here")
        self.score = _html("")
        self.score.add_class("qb-score")
        self.status = _html("")
        self.status.add_class("qb-status")
        self.check_button.on_click(lambda _b: self.check())
        self.retry_button.on_click(lambda _b: self.retry())
        self.export_button.on_click(lambda _b: self.export_results())
        self.student.observe(lambda _c: self._save_student(), names="value")
        title = html.escape(str(self.bundle.get("title", "")))
        self.box = w.VBox([
            _html(STYLE + f"<h3>Quiz: {title}</h3>"),
            *[q.box for q in self.questions],
            w.HBox([self.check_button, self.retry_button]),
            self.score,
            self.status,
            w.HBox([self.student, self.export_button]),
        ])
        self.box.add_class("qb-quiz")
        self.record: dict[str, Any] | None = None
        self._restore()

    # -- saved progress -------------------------------------------------------------

    def _accept(self, data: Any) -> str | None:
        if not (isinstance(data, dict) and data.get("format") == PROGRESS_FORMAT
                and data.get("v") == 1 and isinstance(data.get("responses"), dict)
                and isinstance(data.get("outcomes"), dict)
                and isinstance(data.get("attempts"), int)
                and all(_outcome_ok(o) for o in data["outcomes"].values())
                and _when(data.get("first")) is not None and _when(data.get("last")) is not None):
            return "corrupt"
        if data.get("quiz") != self.id or data.get("version") != self.bundle["version"]:
            return "stale"
        return None

    def _restore(self) -> None:
        record, notice = self.store.load(self._accept)
        self.record = record
        if record is not None:
            known = {q.id for q in self.questions}
            record["outcomes"] = {k: v for k, v in record["outcomes"].items() if k in known}
            for q in self.questions:
                if q.id in record["responses"]:
                    q.write(record["responses"][q.id])
                    if q.id in record["outcomes"]:
                        q.show(q.grade())
            student = record.get("student")
            if isinstance(student, str):
                self.student.value = student[:200]
            self._score(self._total())
            self._say(f"Your saved answers are back ({record['attempts']} check(s), last "
                      f"{record.get('last', '?')}).")
        else:
            self._score(0.0)
        if notice:
            self._say(notice)

    def _total(self) -> float:
        if self.record is None:
            return 0.0
        return sum(float(o.get("points", 0)) for o in self.record["outcomes"].values())

    def _save(self) -> None:
        if self.record is not None:
            problem = self.store.save(self.record)
            if problem:
                self._say(problem)

    def _save_student(self) -> None:
        if self.record is not None and self.record.get("student") != self.student.value:
            self.record["student"] = self.student.value
            self._save()

    # -- actions ----------------------------------------------------------------------

    def _changed(self, q: QuestionView) -> None:
        if q.is_checked and q.read() != q.checked:
            q.clear()

    def _say(self, text: str) -> None:
        self.status.value = _say(text)

    def _score(self, points: float) -> None:
        self.score.value = f"<p>Score: {fmt(min(points, self.max))} / {fmt(self.max)}</p>"

    def check(self) -> None:
        now = now_iso()
        r = self.record or {"format": PROGRESS_FORMAT, "v": 1, "quiz": self.id,
                            "version": self.bundle["version"], "attempts": 0, "first": now,
                            "last": now, "responses": {}, "outcomes": {},
                            "student": self.student.value}
        r["attempts"] += 1
        r["last"] = now
        total, wrong = 0.0, 0
        for q in self.questions:
            response = q.read()
            o = q.grade()
            prev = r["outcomes"].get(q.id)
            same = response == r["responses"].get(q.id)
            attempts = int(prev.get("attempts", 0)) if prev else 0
            if o.answered and not (same and attempts):
                attempts += 1
            r["responses"][q.id] = response
            r["outcomes"][q.id] = {"points": o.points, "max": o.max_points,
                                   "correct": o.correct, "attempts": attempts}
            total += o.points
            wrong += not o.correct
            q.show(o)
        self.record = r
        self._save()
        self._score(total)
        verdict = (f"{wrong} question(s) not fully right; feedback is under each question."
                   if wrong else "All right!")
        self._say(f"Checked: {fmt(total)} / {fmt(self.max)} points. {verdict}")

    def retry(self) -> None:
        cleared = 0
        for q in self.questions:
            outcome = self.record["outcomes"].get(q.id) if self.record else None
            if outcome and outcome.get("correct"):
                continue
            q.clear()
            q.write(None)
            cleared += 1
        self._say("Answers that were not right are cleared: try them again." if cleared
                  else "Everything is right already.")

    def results(self) -> Results | None:
        """The results file contents (contracts.md), or None before the first check."""
        r = self.record
        if r is None:
            return None
        questions = [QuestionResult(id=qid, points=o["points"], max=o["max"],
                                    correct=o["correct"], attempts=o.get("attempts", 0),
                                    response=r["responses"].get(qid))
                     for qid, o in r["outcomes"].items()]
        score = sum(q.points for q in questions)
        quiz = QuizResult(quiz=self.id, lesson=self.bundle["lesson"], version=r["version"],
                          score=min(score, self.max), max=self.max, attempts=r["attempts"],
                          first_attempt=_when(r["first"]), last_attempt=_when(r["last"]),
                          questions=questions)
        return Results(format=RESULTS_FORMAT, student=self.student.value.strip()[:200],
                       exported_at=datetime.now(timezone.utc).replace(microsecond=0),
                       source="notebook", quizzes=[quiz])

    def export_results(self) -> Path | None:
        results = self.results()
        if results is None:
            self._say("Check your answers first: there are no results to export yet.")
            return None
        if not results.student:
            self._say("Type your name in “Your name” first: your instructor's gradebook "
                      "skips results without a name.")
            return None
        try:
            self.results_path.write_text(dump_results(results) + "\n", encoding="utf-8")
        except OSError as exc:
            self._say(f"Could not write {self.results_path.name}: {exc.strerror}.")
            return None
        self._say(f"Your results are in {self.results_path.name}, next to this notebook: "
                  "hand in that file.")
        return self.results_path

    def _ipython_display_(self) -> None:
        show_widget(self.box)


def show_quiz(bundle: dict[str, Any] | str | Path, *, directory: Path | str | None = None) -> None:
    """Display the quiz of a student bundle (dict, JSON text, or path to a bundle file)."""
    show_widget(QuizWidget(bundle, directory=directory).box)
