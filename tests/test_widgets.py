"""The ipywidgets quiz driven in plain Python: set widget values, click the buttons.

Every question type is answered right, wrong and partly; the widget's grade must
equal the reference grader's (`grade.grade` on the full quiz) for every response
tried; progress survives a new kernel (a new QuizWidget in the same folder); bad
saved files are set aside, never overwritten; exported results are the contracts
format and parse with `quizbook.results`.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.grade import grade, matching_rights
from quizbook.load import load_quiz
from quizbook.results import load_results
from quizbook.widgets import BundleError, NotesBox, QuizWidget
from quizbook.widgets.quiz import QuestionView

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "all-types.yml"


@pytest.fixture(scope="module")
def quiz() -> model.Quiz:
    return load_quiz(FIXTURE)


@pytest.fixture(scope="module")
def bundle(quiz: model.Quiz) -> dict[str, Any]:
    return make_bundle(quiz)


@pytest.fixture
def widget(bundle: dict[str, Any], tmp_path: Path) -> QuizWidget:
    return QuizWidget(bundle, directory=tmp_path)


def view(w: QuizWidget, qid: str) -> QuestionView:
    return next(q for q in w.questions if q.id == qid)


def question(quiz: model.Quiz, qid: str) -> Any:
    return next(q for q in quiz.questions if q.id == qid)


def outcome(w: QuizWidget, qid: str) -> dict[str, Any]:
    assert w.record is not None
    result: dict[str, Any] = w.record["outcomes"][qid]
    return result


def option_value(radio: Any, label: str) -> Any:
    """The value of the radio option a student would click by its label."""
    return next(value for text, value in radio.options if text == label)


def select_by_text(dropdown: Any, label: str) -> None:
    dropdown.value = next(value for text, value in dropdown.options if text == label)


# -- every type, driven by its widgets ----------------------------------------------------


def test_single_right_shows_option_feedback_and_explanation(widget: QuizWidget) -> None:
    q = view(widget, "q-single")
    (radio,) = q.controls
    assert [text for text, _ in radio.options] == ["Iran", "Russia", "Hezbollah"]
    assert radio.description == "Your answer:"
    radio.value = option_value(radio, "Russia")
    widget.check_button.click()
    assert "✓ Right." in q.feedback.value
    assert "1 / 1 points" in q.feedback.value
    assert "Russia flew the air campaign" in q.inputs.option_feedback.value  # type: ignore[attr-defined]
    assert "The chapter calls Russia's air power the hammer." in q.feedback.value
    assert outcome(widget, "q-single")["correct"] is True


def test_single_wrong_shows_that_options_feedback_not_the_explanation(widget: QuizWidget) -> None:
    q = view(widget, "q-single")
    q.controls[0].value = option_value(q.controls[0], "Iran")
    widget.check_button.click()
    assert "✗ Not right yet." in q.feedback.value
    fb = q.inputs.option_feedback.value  # type: ignore[attr-defined]
    assert "✗ not right" in fb and "Iran supplied ground forces" in fb
    assert "Russia flew" not in fb
    assert "hammer" not in q.feedback.value  # the explanation comes with the right answer


def test_true_false_uses_true_false_labels(widget: QuizWidget) -> None:
    q = view(widget, "q-tf")
    (radio,) = q.controls
    assert [text for text, _ in radio.options] == ["True", "False"]
    radio.value = option_value(radio, "True")
    widget.check_button.click()
    assert "✗ Not right yet." in q.feedback.value
    assert "stresses mistrust" in q.inputs.option_feedback.value  # type: ignore[attr-defined]
    radio.value = option_value(radio, "False")
    assert q.feedback.value == ""  # changing the answer hides the old feedback
    widget.check_button.click()
    assert "✓ Right." in q.feedback.value


def test_multiple_partial_and_full(widget: QuizWidget) -> None:
    q = view(widget, "q-multiple")
    boxes = {c.description: c for c in q.controls}
    assert set(boxes) == {"IRGC advisers", "Proxy fighters", "Strategic bombers", "A UN veto"}
    boxes["IRGC advisers"].value = True
    widget.check_button.click()
    assert "◐ Partly right." in q.feedback.value and "0.5 / 1 points" in q.feedback.value
    marks = q.inputs.marks  # type: ignore[attr-defined]
    assert "✓ right" in marks["a"].value and "Yes (¶ 1)" in marks["a"].value
    assert marks["c"].value == ""  # feedback only for the options the student chose
    boxes["Proxy fighters"].value = True
    boxes["Strategic bombers"].value = True
    widget.check_button.click()
    assert "✗ not right" in marks["c"].value and "that was Russia" in marks["c"].value
    boxes["Strategic bombers"].value = False
    widget.check_button.click()
    assert "✓ Right." in q.feedback.value
    assert outcome(widget, "q-multiple")["points"] == 1


def test_short_text_normalises_like_the_reference(widget: QuizWidget) -> None:
    q = view(widget, "q-short")
    (text,) = q.controls
    assert text.description == "Your answer:"
    text.value = "  HMEIMIM. "
    widget.check_button.click()
    assert "✓ Right." in q.feedback.value and "Yes." in q.feedback.value
    text.value = "Tartus"
    widget.check_button.click()
    assert "✗ Not right yet." in q.feedback.value and "See ¶ 1." in q.feedback.value


def test_numeric_reads_what_the_student_types(widget: QuizWidget) -> None:
    q = view(widget, "q-numeric")
    q.controls[0].value = "2,015"
    widget.check_button.click()
    assert "✓ Right." in q.feedback.value and "30 September 2015" in q.feedback.value
    q.controls[0].value = "2016"
    widget.check_button.click()
    assert "✗ Not right yet." in q.feedback.value


def test_ordering_dropdowns_give_positions(widget: QuizWidget, quiz: model.Quiz) -> None:
    q = view(widget, "q-order")
    selects = {s.description: s for s in q.controls}
    key = [i.text for i in question(quiz, "q-order").items]
    assert set(selects) == set(key)
    first = next(iter(selects.values()))
    assert [text for text, _ in first.options] == ["Choose…", "1", "2", "3"]
    assert first.label == "Choose…" and q.read() == {}
    select_by_text(selects[key[0]], "1")
    select_by_text(selects[key[1]], "3")
    select_by_text(selects[key[2]], "2")
    widget.check_button.click()
    assert "◐ Partly right." in q.feedback.value
    marks = q.inputs.marks  # type: ignore[attr-defined]
    assert sorted(m.value.count("✓") for m in marks.values()) == [0, 0, 1]
    select_by_text(selects[key[1]], "2")
    select_by_text(selects[key[2]], "3")
    widget.check_button.click()
    assert "✓ Right." in q.feedback.value and "Right." in q.feedback.value


def test_matching_dropdowns_offer_right_hand_texts(widget: QuizWidget,
                                                   quiz: model.Quiz) -> None:
    q = view(widget, "q-match")
    selects = {s.description: s for s in q.controls}
    pairs = question(quiz, "q-match").pairs
    assert set(selects) == {p.left for p in pairs}
    offered = {text for text, _ in selects["Tartus"].options}
    assert offered == {"Choose…", "Airbase", "Naval logistics point", "Border crossing",
                       "Oil refinery"}
    for p in pairs:
        select_by_text(selects[p.left], p.right)
    select_by_text(selects["Abu Kamal"], "Oil refinery")
    widget.check_button.click()
    assert "◐ Partly right." in q.feedback.value and "Some are wrong." in q.feedback.value
    select_by_text(selects["Abu Kamal"], "Border crossing")
    widget.check_button.click()
    assert "✓ Right." in q.feedback.value and "All matched." in q.feedback.value


def test_score_check_retry_and_hint(widget: QuizWidget) -> None:
    assert widget.score.value == "<p>Score: 0 / 7</p>"
    single, short = view(widget, "q-single"), view(widget, "q-short")
    single.controls[0].value = option_value(single.controls[0], "Russia")
    short.controls[0].value = "Aleppo"
    widget.check_button.click()
    assert widget.score.value == "<p>Score: 1 / 7</p>"
    assert "Checked: 1 / 7 points" in widget.status.value
    widget.retry_button.click()
    assert single.controls[0].value == "b" and "✓ Right." in single.feedback.value
    assert short.controls[0].value == "" and short.feedback.value == ""
    assert "try them again" in widget.status.value
    assert single.hint_button is not None and short.hint_button is None
    single.hint_button.click()
    assert "Think of the" in single.hint.value and single.hint_button.description == "Hide hint"
    single.hint_button.click()
    assert single.hint.value == ""


def test_unanswered_check_scores_zero(widget: QuizWidget) -> None:
    widget.check_button.click()
    assert all("Not answered." in q.feedback.value for q in widget.questions)
    assert widget.score.value == "<p>Score: 0 / 7</p>"


# -- agreement with the reference grader --------------------------------------------------


def responses(q: model.Question) -> list[Any]:
    """Many responses per type, right, wrong, partial and empty."""
    if isinstance(q, model.SingleQuestion):
        return [None, *(o.id for o in q.options)]
    if isinstance(q, model.TrueFalseQuestion):
        return [None, True, False]
    if isinstance(q, model.MultipleQuestion):
        ids = [o.id for o in q.options]
        return [list(c) for n in range(len(ids) + 1) for c in itertools.combinations(ids, n)]
    if isinstance(q, model.ShortTextQuestion):
        return ["", "khmeimim", "Hmeimim!", "  KHMEIMIM ", "Khmeimin", "Tartus"]
    if isinstance(q, model.NumericQuestion):
        return ["", "2015", "2,015", "2015.0", "2014", "twenty", "2015 AD"]
    if isinstance(q, model.OrderingQuestion):
        ids = [i.id for i in q.items]
        n = len(ids)
        out: list[Any] = [{}]
        for perm in itertools.product(range(1, n + 1), repeat=n):
            out.append(dict(zip(ids, perm, strict=True)))
        out.append({ids[0]: 1})
        return out
    assert isinstance(q, model.MatchingQuestion)
    rights = [r for r, _ in matching_rights(q)]
    lefts = [p.id for p in q.pairs]
    out = [{}]
    for combo in itertools.product(rights, repeat=len(lefts)):
        out.append(dict(zip(lefts, combo, strict=True)))
    out.append({lefts[0]: rights[0]})
    return out


def test_widget_grades_agree_with_reference_grader(quiz: model.Quiz, tmp_path: Path) -> None:
    w = QuizWidget(make_bundle(quiz), directory=tmp_path)
    tried = 0
    for q in quiz.questions:
        v = view(w, q.id)
        for response in responses(q):
            v.write(response)
            # The controls read back exactly what was set (a round trip through the widgets).
            assert v.read() == response, (q.id, response)
            w.check_button.click()
            ref = grade(q, response)
            got = outcome(w, q.id)
            assert (got["points"], got["max"], got["correct"]) == \
                (ref.points, ref.max_points, ref.correct), (q.id, response)
            tried += 1
    assert tried == sum(len(responses(q)) for q in quiz.questions) > 100


def real_responses(q: model.Question) -> list[Any]:
    """Right and wrong responses for any question of the book's quizzes."""
    if isinstance(q, model.ShortTextQuestion):
        return ["", *q.accept, q.accept[0].upper() + " ", "certainly not this"]
    if isinstance(q, model.NumericQuestion):
        low, high = q.bounds
        return ["", f"{low:g}", f"{high:g}", f"{low - 1:g}", f"{high + 1:g}"]
    if isinstance(q, model.OrderingQuestion):
        ids = [i.id for i in q.items]
        return [{}, {i: n for n, i in enumerate(ids, 1)},
                {i: n for n, i in enumerate(reversed(ids), 1)}, {ids[0]: 1}]
    if isinstance(q, model.MatchingQuestion):
        rights = matching_rights(q)
        rid = {text: r for r, text in rights}
        key = {p.id: rid[p.right] for p in q.pairs}
        first = rights[0][0]
        return [{}, key, {p.id: first for p in q.pairs}]
    return responses(q)


def test_widgets_agree_on_every_question_of_the_book(tmp_path: Path) -> None:
    files = sorted((ROOT / "quizzes").glob("*.yml"))
    assert files, "the book has no quizzes"
    tried = 0
    for path in files:
        quiz = load_quiz(path)
        w = QuizWidget(make_bundle(quiz), directory=tmp_path)
        for q in quiz.questions:
            v = view(w, q.id)
            for response in real_responses(q):
                v.write(response)
                assert v.read() == response, (path.name, q.id, response)
                w.check_button.click()
                ref = grade(q, response)
                got = outcome(w, q.id)
                assert (got["points"], got["correct"]) == (ref.points, ref.correct), \
                    (path.name, q.id, response)
                tried += 1
    assert tried > 100


# -- saved progress, kernel restarts, bad files ---------------------------------------------


def answer_some(w: QuizWidget) -> None:
    single = view(w, "q-single")
    single.controls[0].value = option_value(single.controls[0], "Russia")
    view(w, "q-numeric").controls[0].value = "2014"
    order = view(w, "q-order")
    for s, n in zip(order.controls, (2, 1, 3), strict=True):
        s.value = n
    w.check_button.click()


def test_progress_survives_a_new_kernel(bundle: dict[str, Any], tmp_path: Path) -> None:
    first = QuizWidget(bundle, directory=tmp_path)
    answer_some(first)
    first.student.value = "Ada"
    saved = tmp_path / "sample-all-types.quizbook.json"
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["format"] == "quizbook-progress/1" and data["v"] == 1
    assert data["version"] == bundle["version"] and data["attempts"] == 1
    assert data["responses"]["q-single"] == "b" and data["student"] == "Ada"
    second = QuizWidget(bundle, directory=tmp_path)  # what a restarted kernel does
    assert view(second, "q-single").controls[0].value == "b"
    assert view(second, "q-numeric").controls[0].value == "2014"
    assert [s.value for s in view(second, "q-order").controls] == [2, 1, 3]
    assert "✓ Right." in view(second, "q-single").feedback.value
    assert second.score.value == first.score.value
    assert second.student.value == "Ada"
    assert "saved answers are back (1 check(s)" in second.status.value
    second.check_button.click()
    assert json.loads(saved.read_text(encoding="utf-8"))["attempts"] == 2


@pytest.mark.parametrize("content", ["{not json", "[]", '{"format": "quizbook-progress/1"}',
                                     "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")])
def test_corrupt_saved_file_is_set_aside(bundle: dict[str, Any], tmp_path: Path,
                                         content: str) -> None:
    saved = tmp_path / "sample-all-types.quizbook.json"
    saved.write_text(content, encoding="latin-1")
    w = QuizWidget(bundle, directory=tmp_path)
    kept = list(tmp_path.glob("sample-all-types.quizbook.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="latin-1") == content
    assert "could not be read" in w.status.value and kept[0].name in w.status.value
    assert not saved.exists()
    answer_some(w)
    assert json.loads(saved.read_text(encoding="utf-8"))["attempts"] == 1
    assert kept[0].read_text(encoding="latin-1") == content  # never overwritten


def test_saved_file_of_another_version_is_set_aside(bundle: dict[str, Any],
                                                    tmp_path: Path) -> None:
    w = QuizWidget(bundle, directory=tmp_path)
    answer_some(w)
    changed = dict(bundle, version="000000000000")
    fresh = QuizWidget(changed, directory=tmp_path)
    assert len(list(tmp_path.glob("*.quizbook.json.stale-*"))) == 1
    assert "another version" in fresh.status.value
    assert view(fresh, "q-single").controls[0].value is None


def test_tampered_outcome_is_not_trusted(bundle: dict[str, Any], tmp_path: Path) -> None:
    w = QuizWidget(bundle, directory=tmp_path)
    answer_some(w)
    saved = tmp_path / "sample-all-types.quizbook.json"
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["outcomes"]["q-numeric"]["points"] = 50  # more than the maximum
    saved.write_text(json.dumps(data), encoding="utf-8")
    again = QuizWidget(bundle, directory=tmp_path)
    assert "could not be read" in again.status.value
    assert again.results() is None


def test_restore_ignores_responses_that_do_not_fit(bundle: dict[str, Any],
                                                   tmp_path: Path) -> None:
    w = QuizWidget(bundle, directory=tmp_path)
    answer_some(w)
    saved = tmp_path / "sample-all-types.quizbook.json"
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["responses"].update({"q-single": "zzz", "q-tf": "yes",
                              "q-order": {"e1": 99, "e2": [1], "e3": True},
                              "q-multiple": "a", "q-short": 5})
    saved.write_text(json.dumps(data), encoding="utf-8")
    again = QuizWidget(bundle, directory=tmp_path)
    assert view(again, "q-single").controls[0].value is None
    assert view(again, "q-tf").controls[0].value is None
    assert all(s.value == "" for s in view(again, "q-order").controls)
    assert not any(c.value for c in view(again, "q-multiple").controls)
    assert view(again, "q-short").controls[0].value == ""


# -- exported results -------------------------------------------------------------------------


def test_export_writes_the_contract_results_format(bundle: dict[str, Any],
                                                    tmp_path: Path) -> None:
    w = QuizWidget(bundle, directory=tmp_path)
    w.export_button.click()
    assert "Check your answers first" in w.status.value
    assert not (tmp_path / "results-sample-all-types.json").exists()
    answer_some(w)
    w.export_button.click()
    assert "Type your name" in w.status.value
    assert not (tmp_path / "results-sample-all-types.json").exists()
    w.student.value = "Ada Lovelace"
    w.export_button.click()
    path = tmp_path / "results-sample-all-types.json"
    assert path.name in w.status.value
    results = load_results(path)  # the gradebook's reader
    assert results.source == "notebook" and results.student == "Ada Lovelace"
    (qr,) = results.quizzes
    assert (qr.quiz, qr.lesson, qr.version) == ("sample-all-types", "sample-lesson",
                                                bundle["version"])
    assert qr.max == 7 and qr.attempts == 1
    by_id = {q.id: q for q in qr.questions}
    assert by_id["q-single"].correct and by_id["q-single"].response == "b"
    assert by_id["q-numeric"].points == 0 and by_id["q-numeric"].response == "2014"
    assert by_id["q-order"].response == view(w, "q-order").read()
    assert sorted(by_id["q-order"].response.values()) == [1, 2, 3]
    assert qr.score == sum(q.points for q in qr.questions)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert set(raw) == {"format", "student", "exported_at", "source", "quizzes"}
    assert raw["format"] == "quizbook-results/1"


def test_bad_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="not a quizbook student bundle"):
        QuizWidget({"id": "x"}, directory=tmp_path)
    with pytest.raises(BundleError, match="not valid JSON"):
        QuizWidget("{", directory=tmp_path)


def test_widget_never_sees_the_key(bundle: dict[str, Any], quiz: model.Quiz) -> None:
    """What the widget is handed (the bundle) holds no explanation, note or correct flag."""
    text = json.dumps(bundle, ensure_ascii=False)
    for q in quiz.questions:
        for secret in (q.explanation, q.instructor_note):
            if secret:
                assert secret not in text
    assert '"correct"' not in text and '"answer"' not in text
    assert "Russia flew the air campaign" not in text  # feedback is sealed


# -- discussion notes ---------------------------------------------------------------------------


def test_notes_are_saved_and_restored(tmp_path: Path) -> None:
    box = NotesBox("01-lesson", "1", directory=tmp_path)
    assert box.area.description == "Your notes:"
    box.area.value = "Necessity for Russia, opportunity for Iran."
    other = NotesBox("01-lesson", "2", directory=tmp_path)
    other.area.value = "Second prompt."
    again = NotesBox("01-lesson", "1", directory=tmp_path)
    assert again.area.value == "Necessity for Russia, opportunity for Iran."
    data = json.loads((tmp_path / "01-lesson.notes.json").read_text(encoding="utf-8"))
    assert data["notes"] == {"1": "Necessity for Russia, opportunity for Iran.",
                             "2": "Second prompt."}


def test_corrupt_notes_are_set_aside(tmp_path: Path) -> None:
    (tmp_path / "01-lesson.notes.json").write_text("{oops", encoding="utf-8")
    box = NotesBox("01-lesson", "1", directory=tmp_path)
    assert box.area.value == "" and "could not be read" in box.status.value
    assert len(list(tmp_path.glob("01-lesson.notes.json.corrupt-*"))) == 1


def test_gradebook_reads_notebook_results(tmp_path: Path) -> None:
    """`quizbook gradebook` accepts what "Export my results" writes, for a quiz of the book."""
    from quizbook.export.gradebook import collect

    quiz = load_quiz(ROOT / "quizzes" / "l1-laboratory.yml")
    w = QuizWidget(make_bundle(quiz), directory=tmp_path)
    first = w.questions[0]
    first.write(real_responses(quiz.questions[0])[1])
    w.student.value = "Grace Hopper"
    w.check_button.click()
    path = w.export_results()
    assert path is not None
    collected = collect([path], [quiz])
    assert collected.skipped == [] and collected.files_read == 1
    (entry,) = collected.entries
    assert entry.student == "Grace Hopper" and entry.quiz == "l1-laboratory"
    assert entry.score == grade(quiz.questions[0], first.read()).points
