"""Typed numbers (README "Numbers"): what is read as a number, which words may go with it,
and that an answer that is not a number is not graded as wrong.

The runtime's agreement with these rules, on the same inputs and generated ones, is
tests/test_js_grader_parity.py; the browser's behaviour is tests/test_browser_numbers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbook import model
from quizbook.answers import parse_number
from quizbook.bundle import make_bundle
from quizbook.grade import NOT_A_NUMBER, NOT_A_NUMBER_FEEDBACK, Outcome, grade
from quizbook.load import check_quiz_file, load_quiz
from quizbook.server.grading import question_reply
from quizbook.sphinx.render import quiz_html
from tests.helpers import NUMERIC, quiz_text

FIXTURE = Path(__file__).parent / "fixtures" / "numbers.yml"
QUIZ = load_quiz(FIXTURE)
BY_ID = {q.id: q for q in QUIZ.questions}
ALL_TYPES = {q.id: q for q in load_quiz(Path(__file__).parent / "fixtures" / "all-types.yml")
             .questions}


def outcome(qid: str, typed: str) -> Outcome:
    return grade(BY_ID[qid] if qid in BY_ID else ALL_TYPES[qid], typed)


def is_not_a_number(result: Outcome) -> bool:
    return (result.as_json() == {"points": 0.0, "max": result.max_points, "correct": False,
                                 "parts": {}, "feedback": [NOT_A_NUMBER], "answered": False})


# -- the inputs, on a year question without and with `era` -------------------------

@pytest.mark.parametrize("typed", ["2015 AD", "summer 2015", "twenty fifteen", "2015 CE",
                                   "AD 2015", "c. 2015", "2015?"])
def test_words_beside_a_year_are_not_a_number_without_era(typed: str) -> None:
    assert is_not_a_number(outcome("q-numeric", typed))  # all-types q-numeric: no era


@pytest.mark.parametrize("typed", ["2015 AD", "2015 ad", "AD 2015", "A.D. 2015", "2015 A.D.",
                                   "2015 CE", "2015 c.e.", "2015AD", " 2015 ", "2,015 AD"])
def test_era_words_are_read_where_the_quiz_allows_them(typed: str) -> None:
    result = outcome("n-era", typed)
    assert result.correct and result.answered and result.feedback == ["correct"]


def test_era_words_do_not_make_a_wrong_year_right() -> None:
    result = outcome("n-era", "2016 AD")
    assert result.answered and not result.correct and result.feedback == ["incorrect"]


@pytest.mark.parametrize("typed", ["summer 2015", "2015 BC", "2015 BCE", "AD 2015 AD",
                                   "2015 AD CE", "about 2015", "2015s"])
def test_other_words_beside_a_year_are_not_a_number_even_with_era(typed: str) -> None:
    assert is_not_a_number(outcome("n-era", typed))


@pytest.mark.parametrize("typed", ["12 days", "12 Days", "12 day", "12days", "12 days."])
def test_unit_words_listed_in_units_are_read(typed: str) -> None:
    assert outcome("n-units", typed).correct


@pytest.mark.parametrize("typed", ["12 weeks", "days 12", "12 days days", "twelve"])
def test_unlisted_or_misplaced_words_are_not_a_number(typed: str) -> None:
    assert is_not_a_number(outcome("n-units", typed))


def test_a_word_the_question_does_not_list_is_not_a_number() -> None:
    # all-types q-numeric declares no unit: "12 days" is not read (issue 16 §3).
    assert is_not_a_number(outcome("q-numeric", "2015 days"))


@pytest.mark.parametrize("typed", ["20 km", "20KM", "20 kilometres", "20 kilometers", "20km.",
                                   "19.5", "21,5 km"])
def test_unit_and_its_spellings(typed: str) -> None:
    assert outcome("n-unit", typed).correct


@pytest.mark.parametrize("typed,right", [("20,000", True), ("20000", True), ("20 000", True),
                                         ("19,600", True), ("21,000", False)])
def test_thousands_separators(typed: str, right: bool) -> None:
    result = outcome("n-plain", typed)
    assert result.answered and result.correct is right


def test_twenty_thousand_in_words_is_not_a_number() -> None:
    assert is_not_a_number(outcome("n-plain", "twenty thousand"))
    assert is_not_a_number(outcome("n-plain", "20 thousand"))


def test_signed_numbers_with_a_symbol_unit() -> None:
    assert outcome("n-signed", "-2.5 %").correct and outcome("n-signed", "-2,4%").correct
    assert not outcome("n-signed", "2.5%").correct and outcome("n-signed", "2.5%").answered


def test_blank_is_unanswered_without_feedback() -> None:
    for typed in ["", "   ", "\u00a0"]:
        assert grade(BY_ID["n-era"], typed).as_json() == {
            "points": 0.0, "max": 1, "correct": False, "parts": {}, "feedback": [],
            "answered": False}


def test_parse_number_keeps_its_rules() -> None:
    assert parse_number("1,000") == 1000 == parse_number("1000")
    assert parse_number("3,5") == 3.5 and parse_number("1,00") == 1.0
    assert parse_number("12 km", "km") == 12 and parse_number("12 KM.", "km") == 12
    assert parse_number("12 days", units=["days"]) == 12
    assert parse_number("12 days") is None
    assert parse_number("AD 2015", era=True) == 2015 and parse_number("AD 2015") is None
    assert parse_number("nan") is None and parse_number("inf") is None
    assert parse_number("9" * 400) is None  # overflows to infinity: not a number


# -- what the student is told: every grader -------------------------------------------------

def test_class_server_reply_shows_the_not_a_number_text() -> None:
    q = BY_ID["n-units"]
    reply = question_reply(q, grade(q, "12 weeks"), show_marks=True)
    assert reply["outcome"]["answered"] is False and reply["outcome"]["points"] == 0
    assert reply["feedback"] == {NOT_A_NUMBER: NOT_A_NUMBER_FEEDBACK}
    assert reply["explanation"] is None


def test_the_box_says_a_number_and_which_words_may_go_with_it() -> None:
    html = quiz_html(make_bundle(QUIZ), 2)
    base = "qb-sample-numbers-"
    assert (f'placeholder="a number" aria-describedby="{base}n-era-format"></div>'
            f'<p class="qb-format" id="{base}n-era-format">Type just the number, in digits; '
            "AD or CE may go before or after it.</p>") in html
    assert (f'<p class="qb-format" id="{base}n-units-format">Type just the number, in digits; '
            "“day” or “days” may follow it.</p>") in html
    assert (f'<p class="qb-format" id="{base}n-unit-format">Type just the number, in digits; '
            "“km”, “kilometres” or “kilometers” may follow it.</p>") in html
    assert (f'inputmode="decimal" placeholder="a number" aria-describedby="{base}n-plain-format">'
            f'</div><p class="qb-format" id="{base}n-plain-format">Type just the number, in '
            "digits.</p>") in html


def test_the_bundle_carries_units_and_era_only_when_set() -> None:
    questions = {q["id"]: q for q in make_bundle(QUIZ)["questions"]}
    assert questions["n-units"]["units"] == ["day", "days"] and "era" not in questions["n-units"]
    assert questions["n-era"]["era"] is True and "units" not in questions["n-era"]
    assert "units" not in questions["n-plain"] and "era" not in questions["n-plain"]


def test_units_and_era_keep_the_question_digest() -> None:
    # They are excluded from model_dump like `level`: adding them to a question does not
    # change its salt (grade.question_seed); only the bundle's version changes.
    q = BY_ID["n-era"]
    assert "era" not in q.model_dump() and "units" not in BY_ID["n-units"].model_dump()


# -- the quiz file: units and era are checked --------------------------------------------



def _problems(tmp_path: Path, extra: str, answer: str = "2015") -> list[str]:
    path = tmp_path / "quiz.yml"
    path.write_text(quiz_text(NUMERIC.replace("2015", answer) + extra), encoding="utf-8")
    quiz, problems = check_quiz_file(path)
    assert quiz is None
    return [str(p) for p in problems]


@pytest.mark.parametrize("extra,message", [
    ("    units: [days, 2days]\n",
     "questions[0].units[1]: unit '2days' holds a digit; a unit is a word or symbol such as "
     "km, %, years"),
    ("    units: ['.']\n",
     "questions[0].units[0]: unit '.' is only signs or separators; a unit is a word or symbol "
     "such as km, %, years"),
    ("    unit: '-'\n",
     "questions[0].unit: unit '-' is only signs or separators; a unit is a word or symbol such "
     "as km, %, years"),
    ("    units: [days, Days]\n",
     "questions[0].units: unit 'Days' is listed twice (units compare without case or spaces, "
     "and `unit` is accepted already)"),
    ("    unit: km\n    units: [KM]\n",
     "questions[0].units: unit 'KM' is listed twice (units compare without case or spaces, "
     "and `unit` is accepted already)"),
    ("    era: yes\n", "questions[0].era: must be true or false"),
])
def test_bad_units_and_era_are_refused(tmp_path: Path, extra: str, message: str) -> None:
    found = _problems(tmp_path, extra)
    assert len(found) == 1 and found[0].endswith(message), found


def test_era_needs_a_year_after_1(tmp_path: Path) -> None:
    found = _problems(tmp_path, "    era: true\n", answer="-44")
    assert len(found) == 1 and found[0].endswith(
        "`era: true` accepts years AD/CE, but every accepted answer is below 1"), found


def test_units_list_is_limited(tmp_path: Path) -> None:
    words = ", ".join(f"w{'x' * n}" for n in range(11)).replace("w", "u")
    found = _problems(tmp_path, f"    units: [{words}]\n")
    assert len(found) == 1 and "units" in found[0] and "at most 10" in found[0], found


def test_numeric_model_defaults() -> None:
    q = model.NumericQuestion.model_validate({"id": "q", "type": "numeric", "objective": "a",
                                              "source": "b", "prompt": "p?", "answer": 1})
    assert q.units == [] and q.era is False


# -- the README says what the graders do ----------------------------------------------------

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_quiz_example_loads_with_an_era_question(tmp_path: Path) -> None:
    section = README.split("## Quiz format", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yml"
    path.write_text(example, encoding="utf-8")
    quiz = load_quiz(path)
    q4 = next(q for q in quiz.questions if q.id == "q4")
    assert isinstance(q4, model.NumericQuestion) and q4.era
    assert grade(q4, "AD 2015").correct and grade(q4, "2015 CE").correct
    assert is_not_a_number(grade(q4, "summer 2015"))


def test_readme_numbers_rule_is_what_the_grader_does() -> None:
    rule = README.split("- Numbers: ", 1)[1].split("\n- ", 1)[0]
    for typed in ("1,000", "1 000", "1000"):
        assert f"`{typed}`" in rule and parse_number(typed) == 1000
    assert "`3,5` is 3.5" in rule and parse_number("3,5") == 3.5
    assert "`12 days.`" in rule and parse_number("12 days.", units=["days"]) == 12
    for typed in ("AD 2015", "2015 CE"):
        assert f"`{typed}`" in rule and parse_number(typed, era=True) == 2015
    year = model.NumericQuestion.model_validate(
        {"id": "q", "type": "numeric", "objective": "a", "source": "b", "prompt": "p?",
         "answer": 2015, "era": True})
    for typed in ("summer 2015", "twenty thousand", "2015 BC"):
        assert f"`{typed}`" in rule and is_not_a_number(grade(year, typed))
    assert "`12 days` when days are not a unit" in rule and parse_number("12 days") is None
    assert "`answered: false`" in rule and f"`{NOT_A_NUMBER}`" in rule


def test_mappings_say_how_the_lms_reads_words_beside_numbers() -> None:
    from quizbook.export.lms import mappings_report

    flat = " ".join(mappings_report([], [QUIZ]).split())
    assert ("Words beside a number (Canvas and Moodle): the book reads a question's unit and "
            "its `units` words after the number, and with `era: true` AD or CE before or after "
            "it ('12 days', 'AD 2015'); any other text ('summer 2015', 'twenty thousand') is "
            "not graded in the book: the student is asked to type just the number. Canvas "
            "reads bare numbers only; Moodle reads only the question's `unit`, after the "
            "number. In both LMSs anything else is not a number and earns no points.") in flat
