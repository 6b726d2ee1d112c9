"""Every way a quiz file can be wrong gets one line naming file, line, field and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbook.load import QuizFileError, check_quiz_file, load_quiz
from tests.helpers import HEADER, NUMERIC, SHORT, SINGLE, quiz_text

FIXTURE = Path(__file__).parent / "fixtures" / "all-types.yml"


def problems_for(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "bad.yml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    quiz, problems = check_quiz_file(path)
    assert quiz is None, "a broken file must not load"
    assert problems, "a broken file must report at least one problem"
    return [str(p) for p in problems]


def one(tmp_path: Path, text: str | bytes) -> str:
    found = problems_for(tmp_path, text)
    assert len(found) == 1, found
    return found[0]


def test_fixture_with_every_type_loads() -> None:
    quiz = load_quiz(FIXTURE)
    assert {q.type for q in quiz.questions} == {
        "single", "multiple", "true_false", "short_text", "numeric", "ordering", "matching",
        "cloze"}


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    line = one(tmp_path, HEADER + "  - id: q1\n    prompt: [unclosed\n")
    assert ":8:" in line or ":9:" in line
    assert "YAML syntax error" in line


def test_tab_is_refused_with_its_position(tmp_path: Path) -> None:
    line = one(tmp_path, "id: x\n\tlesson: y\n")
    assert line.endswith("replace tabs with spaces")
    assert ":2:1:" in line


def test_duplicate_key(tmp_path: Path) -> None:
    line = one(tmp_path, "id: a\nid: b\n")
    assert ":2:" in line and "appears twice" in line


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    found = problems_for(tmp_path, quiz_text(SINGLE.replace("prompt:", "promt:")))
    assert any("questions[0].promt: unknown field `promt` (did you mean `prompt`?)" in f
               for f in found)


def test_comma_in_flow_mapping_explained(tmp_path: Path) -> None:
    found = problems_for(tmp_path, quiz_text(SINGLE.replace("feedback: Yes.}",
                                                             "feedback: Yes, right.}")))
    assert any("put the text in quotes" in f for f in found)


def test_answer_key_on_choice_question_explained(tmp_path: Path) -> None:
    found = problems_for(tmp_path, quiz_text(SINGLE + "    answer: a\n"))
    assert any("`correct: true`" in f for f in found)


def test_wrong_type(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("    prompt: Which one?",
                                                  "    prompt: Which one?\n    points: lots")))
    assert "questions[0].points: must be a number" in line
    assert ":12:" in line


def test_text_given_as_number_is_refused(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("prompt: Which one?", "prompt: 42")))
    assert "questions[0].prompt: must be text" in line


def test_missing_required_field(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("    source: p1\n", "")))
    assert "questions[0].source: required field `source` is missing" in line
    assert ":7:" in line  # the question's own line


def test_missing_top_level_field(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE).replace("title: Test quiz\n", ""))
    assert "title: required field `title` is missing" in line


def test_duplicate_question_id(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE + SINGLE))
    assert "questions[1].id: duplicate question id 'q1'" in line
    assert ":16:" in line


def test_duplicate_option_id(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("{id: c,", "{id: b,")))
    assert "questions[0].options[2].id: duplicate option id 'b'" in line


def test_duplicate_objective_id(tmp_path: Path) -> None:
    text = quiz_text(SINGLE).replace("objectives:\n", "objectives:\n  - {id: lo1, text: Again.}\n")
    assert any("duplicate objective id 'lo1'" in f for f in problems_for(tmp_path, text))


def test_single_choice_without_correct_option(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("correct: true", "correct: false")))
    assert "exactly one correct option, found 0" in line


def test_single_choice_with_two_correct_options(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("Wrong, correct: false", "Wrong, correct: true")))
    assert "exactly one correct option, found 2" in line


def test_multiple_choice_with_none_correct(tmp_path: Path) -> None:
    text = SINGLE.replace("type: single", "type: multiple").replace("correct: true",
                                                                     "correct: false")
    assert "at least one correct option" in one(tmp_path, quiz_text(text))


def test_multiple_choice_with_all_correct(tmp_path: Path) -> None:
    text = SINGLE.replace("type: single", "type: multiple").replace("correct: false",
                                                                     "correct: true")
    assert "at least one incorrect option" in one(tmp_path, quiz_text(text))


TF = """\
  - id: q1
    type: true_false
    objective: lo1
    source: p1
    prompt: True or false?
    answer: true
"""


def test_true_false_answer_must_be_boolean(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(TF.replace("answer: true", "answer: maybe")))
    assert "questions[0].answer: must be true or false" in line




def test_empty_accept_list(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SHORT.replace("[Khmeimim]", "[]")))
    assert "questions[0].accept: needs at least 1 entries" in line


def test_invalid_regex(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SHORT + "    pattern: 'Kh(me'\n"))
    assert line.endswith(":13:5: questions[0].pattern: `(` is never closed; add `)` (or write "
                         "\\( for the character) (at character 3 of the pattern)")




def test_negative_tolerance(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(NUMERIC + "    tolerance: -1\n"))
    assert "questions[0].tolerance: must be 0 or more" in line


def test_negative_points(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(NUMERIC + "    points: -2\n"))
    assert "questions[0].points: must be greater than 0" in line


def test_numeric_needs_answer_or_range(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(NUMERIC.replace("    answer: 2015\n", "")))
    assert "either `answer`" in line


ORDERING = """\
  - id: q1
    type: ordering
    objective: lo1
    source: p1
    prompt: Put in order.
    items:
      - {id: i1, text: First}
      - {id: i2, text: Second}
"""


def test_ordering_too_short(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(ORDERING))
    assert "questions[0].items: needs at least 3 entries" in line


def test_ordering_duplicated_item(tmp_path: Path) -> None:
    text = ORDERING + "      - {id: i2, text: Third}\n"
    assert "duplicate item id 'i2'" in one(tmp_path, quiz_text(text))


MATCHING = """\
  - id: q1
    type: matching
    objective: lo1
    source: p1
    prompt: Match them.
    pairs:
      - {id: m1, left: Tartus, right: Port}
      - {id: m2, left: Khmeimim, right: Airbase}
"""


def test_matching_too_short(tmp_path: Path) -> None:
    assert "questions[0].pairs: needs at least 3 entries" in one(tmp_path, quiz_text(MATCHING))


def test_matching_duplicate_right_side(tmp_path: Path) -> None:
    text = MATCHING + "      - {id: m3, left: Qaim, right: Port}\n"
    assert "duplicate right text 'Port'" in one(tmp_path, quiz_text(text))


def test_undefined_objective(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("objective: lo1", "objective: lo9")))
    assert "questions[0].objective: objective 'lo9' is not defined" in line
    assert ":9:" in line


def test_unsafe_id(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("id: q1", 'id: "q1\\" onclick=x"')))
    assert "questions[0].id: must use only lowercase letters" in line


def test_unknown_question_type(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SINGLE.replace("type: single", "type: essay")))
    assert "questions[0].type: `type` must be one of" in line


def test_all_problems_reported_not_just_first(tmp_path: Path) -> None:
    text = quiz_text(SINGLE.replace("prompt:", "promt:") + TF.replace("id: q1", "id: Q2")
                     .replace("answer: true", "answer: 3"))
    assert len(problems_for(tmp_path, text)) >= 3


def test_not_utf8(tmp_path: Path) -> None:
    line = one(tmp_path, "id: caf\xe9\n".encode("latin-1"))
    assert ":1:8:" in line and "not UTF-8" in line


def test_empty_file(tmp_path: Path) -> None:
    assert "the file is empty" in one(tmp_path, "  \n")


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "must be a mapping" in one(tmp_path, "- just\n- a list\n")


def test_oversized_file_refused_before_parsing(tmp_path: Path) -> None:
    assert one(tmp_path, "a: " + "x" * 1_000_001).endswith(
        "bad.yml:1:1: the file is 1,000,004 bytes, larger than the 1,000,000 bytes a quiz file "
        "may have")


def test_alias_bomb_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    assert "expands to too many values" in one(tmp_path, "\n".join(lines) + "\n")


def test_small_aliases_are_fine(tmp_path: Path) -> None:
    text = quiz_text(SINGLE).replace("objective: lo1", "objective: &o lo1")
    text += SINGLE.replace("id: q1", "id: q2").replace("objective: lo1", "objective: *o")
    path = tmp_path / "ok.yml"
    path.write_text(text, encoding="utf-8")
    assert check_quiz_file(path)[1] == []


def test_load_quiz_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(quiz_text(SINGLE.replace("prompt:", "promt:")), encoding="utf-8")
    with pytest.raises(QuizFileError) as info:
        load_quiz(path)
    assert str(path) in str(info.value)
    assert info.value.problems


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    _, problems = check_quiz_file(tmp_path / "nope.yml")
    assert "cannot read the file" in str(problems[0])


def test_python_only_regex_refused(tmp_path: Path) -> None:
    line = one(tmp_path, quiz_text(SHORT + "    pattern: '(?P<x>Kh)meimim'\n"))
    assert line.endswith("questions[0].pattern: named groups (?P<name>...) work in Python only; "
                         "use (?:...) (at character 1 of the pattern)")
