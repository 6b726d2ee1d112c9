"""The reference grader's rules, and the student bundle (no readable key).

The runtime grades from the bundle; its exact agreement with the reference grader is
tests/test_js_grader_parity.py. Here every response, generated or junk, must get an
outcome within 0..max whose `correct` means full marks.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizbook import model
from quizbook.answers import normalise_answer, parse_number
from quizbook.bundle import bundle_json, make_bundle
from quizbook.grade import grade, matching_rights
from quizbook.load import load_quiz
from quizbook.seal import unseal
from tests.lanes import examples

FIXTURE = Path(__file__).parent / "fixtures" / "all-types.yml"
QUIZ = load_quiz(FIXTURE)
BUNDLE = make_bundle(QUIZ)
BY_ID = {q.id: q for q in QUIZ.questions}
QB = {q["id"]: q for q in BUNDLE["questions"]}


def both(qid: str, response: Any) -> Any:
    """The reference grade of a response, checked for the outcome's invariants."""
    outcome = grade(BY_ID[qid], response)
    assert 0 <= outcome.points <= outcome.max_points == BY_ID[qid].points, (qid, response)
    assert outcome.correct == (outcome.points == outcome.max_points), (qid, response)
    assert outcome.answered or (outcome.points == 0 and not outcome.parts), (qid, response)
    return outcome


def reveal(qb: dict[str, Any], name: str) -> str:
    return unseal(qb["salt"], qb["id"], name, qb["sealed"][name])


# -- scoring rules --------------------------------------------------------------

def test_single_all_or_nothing() -> None:
    assert both("q-single", "b").points == 1 and both("q-single", "b").correct
    wrong = both("q-single", "a")
    assert wrong.points == 0 and wrong.feedback == ["a"] and wrong.parts == {"a": False}
    assert not both("q-single", None).answered


def test_multiple_partial_credit_never_rewards_selecting_everything() -> None:
    assert both("q-multiple", ["a", "b"]).points == 1
    assert both("q-multiple", ["a"]).points == 0.5
    assert both("q-multiple", ["a", "c"]).points == 0  # 1/2 - 1/2
    assert both("q-multiple", ["a", "b", "c", "d"]).points == 0
    assert both("q-multiple", ["a", "b", "c"]).points == 0.5
    assert not both("q-multiple", []).answered


def test_true_false() -> None:
    assert both("q-tf", False).correct
    outcome = both("q-tf", True)
    assert not outcome.correct and outcome.feedback == ["true"]
    assert not both("q-tf", "false").answered  # a string is not a boolean


@pytest.mark.parametrize("typed", ["Khmeimim", " khmeimim ", "HMEIMIM", "Khméimim", "Khmeimim."])
def test_short_text_normalised(typed: str) -> None:
    assert both("q-short", typed).correct


def test_short_text_wrong() -> None:
    outcome = both("q-short", "Tartus")
    assert not outcome.correct and outcome.feedback == ["incorrect"]


@pytest.mark.parametrize("typed", ["2015", "2,015", " 2015 ", "2015.0", "+2015"])
def test_numeric_forms(typed: str) -> None:
    assert both("q-numeric", typed).correct


@pytest.mark.parametrize("typed", ["2016", "twenty", "2015abc", "", "1e3"])
def test_numeric_wrong_or_unreadable(typed: str) -> None:
    assert not both("q-numeric", typed).correct


def test_parse_number_rules() -> None:
    assert parse_number("1,000") == 1000 == parse_number("1000")
    assert parse_number("3,5") == 3.5
    assert parse_number("12 km", "km") == 12
    assert parse_number("1,00") == 1.0
    assert parse_number("nan") is None and parse_number("inf") is None


def test_ordering_partial_and_duplicate_positions() -> None:
    assert both("q-order", {"e1": 1, "e2": 2, "e3": 3}).correct
    assert both("q-order", {"e1": 1, "e2": 3, "e3": 2}).points == pytest.approx(1 / 3)
    # Everyone claiming position 1 earns nothing, not a third.
    assert both("q-order", {"e1": 1, "e2": 1, "e3": 1}).points == 0


def test_matching_partial() -> None:
    rid = {text: r for r, text in matching_rights(BY_ID["q-match"])}  # type: ignore[arg-type]
    right = {"m1": rid["Naval logistics point"], "m2": rid["Airbase"],
             "m3": rid["Border crossing"]}
    assert both("q-match", right).correct
    assert both("q-match", {**right, "m3": rid["Oil refinery"]}).points == pytest.approx(2 / 3)


def test_normalise_answer() -> None:
    assert normalise_answer("  Abu-Kamal  ") == "abu kamal"
    assert normalise_answer("Ḥama", case_sensitive=True) == "Hama"
    assert normalise_answer(" A.B ", normalize=False) == "a.b"


# -- the bundle carries no readable key ------------------------------------------

def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        # `sealed` maps names (explanation, range, fb:...) to sealed text: names only.
        return set(value) | {k for name, v in value.items() if name != "sealed"
                             for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_right_options_look_like_wrong_ones() -> None:
    for qb in BUNDLE["questions"]:
        for option in qb.get("options", []):
            assert set(option) == {"id", "text", "check"}
    assert not _keys(BUNDLE) & {"correct", "answer", "range", "pairs", "instructor_note",
                                "explanation", "feedback", "tolerance"}
    text = json.dumps(BUNDLE, ensure_ascii=False)
    for secret in ("Hmeimim", "2015", "Russia flew", "Syrian air force",
                   "calls Russia", "stresses mistrust", "All matched"):
        assert secret not in text, secret


def test_ordering_not_in_key_order_and_matching_not_aligned() -> None:
    assert [i["id"] for i in QB["q-order"]["items"]] != ["e1", "e2", "e3"]
    rights = [r["text"] for r in QB["q-match"]["rights"]]
    assert rights[:3] != ["Naval logistics point", "Airbase", "Border crossing"]


def test_feedback_is_sealed_but_recoverable_for_the_runtime() -> None:
    assert reveal(QB["q-single"], "fb:b") == "Right, Russia flew the air campaign (¶ 1)."
    assert reveal(QB["q-single"], "explanation") == \
        "The chapter calls Russia’s air power the hammer.".replace("’", "'")


def test_bundle_is_deterministic() -> None:
    assert bundle_json(load_quiz(FIXTURE)) == bundle_json(load_quiz(FIXTURE))


def test_version_ignores_wording_but_not_keys(tmp_path: Path) -> None:
    """Issue 12: notes and prompts are wording; the version changes with a key (more in
    tests/test_versions.py)."""
    text = FIXTURE.read_text(encoding="utf-8")
    notes = tmp_path / "notes.yml"
    notes.write_text(text.replace("the Syrian air force also bombed", "edited"), encoding="utf-8")
    prompt = tmp_path / "prompt.yml"
    prompt.write_text(text.replace("supplied the air power", "flew the jets"), encoding="utf-8")
    key = tmp_path / "key.yml"
    key.write_text(text.replace("answer: 2015", "answer: 2016"), encoding="utf-8")
    version = BUNDLE["version"]
    assert make_bundle(load_quiz(notes))["version"] == version
    assert make_bundle(load_quiz(prompt))["version"] == version
    assert make_bundle(load_quiz(key))["version"] != version


# -- every response gets an outcome: exhaustive for choices, hypothesis for the rest ------

def test_choice_questions_grade_exhaustively() -> None:
    for question in QUIZ.questions:
        if isinstance(question, model.SingleQuestion):
            for option in [*question.options, None]:
                both(question.id, None if option is None else option.id)
        elif isinstance(question, model.MultipleQuestion):
            ids = [o.id for o in question.options]
            for size in range(len(ids) + 1):
                for subset in itertools.combinations(ids, size):
                    both(question.id, list(subset))
        elif isinstance(question, model.TrueFalseQuestion):
            for value in (True, False, None):
                both(question.id, value)


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(texts, st.sampled_from(["Khmeimim", "hmeimim!", "KHMEIMIM", "Khméïmim"])))
def test_short_text_grades_any_answer(typed: str) -> None:
    both("q-short", typed)


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(texts, st.integers(-10**6, 10**6).map(str),
                 st.floats(allow_nan=True).map(str),
                 st.sampled_from(["2,015", "2015.000", "2 015", "-2015", ".5"])))
def test_numeric_grades_any_answer(typed: str) -> None:
    both("q-numeric", typed)


positions = st.one_of(st.none(), st.integers(-1, 5), st.booleans(), st.text(max_size=2))


@settings(max_examples=examples(300), deadline=None)
@given(st.dictionaries(st.sampled_from(["e1", "e2", "e3", "zz"]), positions))
def test_ordering_grades_any_answer(response: dict[str, Any]) -> None:
    both("q-order", response)


rights = st.one_of(st.none(), st.sampled_from(["r1", "r2", "r3", "r4", "r9", ""]), st.integers())


@settings(max_examples=examples(300), deadline=None)
@given(st.dictionaries(st.sampled_from(["m1", "m2", "m3", "x"]), rights))
def test_matching_grades_any_answer(response: dict[str, Any]) -> None:
    both("q-match", response)


@settings(max_examples=examples(200), deadline=None)
@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.text(max_size=3)),
                 st.dictionaries(st.text(max_size=3), st.integers()), st.booleans()))
def test_any_junk_response_is_unanswered_or_graded_never_an_error(response: Any) -> None:
    for question in QUIZ.questions:
        both(question.id, response)
