"""Each item-writing rule fires on a quiz that breaks it and stays quiet on the fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbook.cli import main
from quizbook.lint import lint_quiz, rules
from quizbook.load import QuizFileError, load_quiz
from quizbook.stats import format_mixes, quiz_mix, total_mix
from tests.helpers import quiz_text

FIXTURE = Path(__file__).parent / "fixtures" / "all-types.yml"


def q(n: int, prompt: str = "Which one?", options: str | None = None, objective: str = "lo1",
      kind: str = "single") -> str:
    if options is None:
        options = "".join(
            f"      - {{id: {o}, text: Option {n}{o}, correct: {str(n % 3 == i).lower()}, "
            "feedback: Because.}\n" for i, o in enumerate("abc"))
    return (f"  - id: q{n}\n    type: {kind}\n    objective: {objective}\n    source: p1\n"
            f"    prompt: {prompt}\n    options:\n{options}")


def findings(tmp_path: Path, body: str) -> dict[str, list[str]]:
    path = tmp_path / "quiz.yml"
    path.write_text(body, encoding="utf-8")
    out: dict[str, list[str]] = {}
    for finding in lint_quiz(load_quiz(path), path):
        out.setdefault(finding.rule, []).append(str(finding))
    return out


def test_clean_quiz_has_no_findings(tmp_path: Path) -> None:
    assert findings(tmp_path, quiz_text(q(1) + q(2) + q(3))) == {}


def test_fixture_is_clean_but_for_its_two_cross_item_cues() -> None:
    """The shared type showcase prints two of its own answers in other items (the key
    "Russia" in q-numeric's prompt, the short answer "Khmeimim" as a matching left side).
    Every other rule is quiet on it."""
    found = lint_quiz(load_quiz(FIXTURE), FIXTURE)
    assert [(f.rule, f.field) for f in found] == [("cross-item-cue", "questions[0]"),
                                                  ("cross-item-cue", "questions[3]")]
    assert "the answer 'Russia' is printed in q-numeric (question 5)" in found[0].message
    assert "the answer 'Khmeimim' is printed in q-match (question 7)" in found[1].message


def test_missing_feedback(tmp_path: Path) -> None:
    body = quiz_text(q(1).replace(", feedback: Because.}", "}", 1) + q(2))
    assert "option 'a' has no feedback" in findings(tmp_path, body)["option-feedback"][0]


def test_all_of_the_above(tmp_path: Path) -> None:
    body = quiz_text(q(1).replace("text: Option 1c", "text: All of the above") + q(2))
    assert findings(tmp_path, body)["all-none-above"]


def test_longest_correct(tmp_path: Path) -> None:
    long = "A much longer and more carefully qualified answer"
    body = quiz_text("".join(q(n).replace(f"Option {n}{'abc'[n % 3]}", long)
                             for n in range(1, 5)))
    assert "the correct option is the longest in 4 of 4" in \
        findings(tmp_path, body)["longest-correct"][0]


def test_key_balance(tmp_path: Path) -> None:
    body = quiz_text("".join(q(3 * n) for n in range(1, 5)))  # key always in position a
    assert "position 1 in 4 of 4" in findings(tmp_path, body)["key-balance"][0]


@pytest.mark.parametrize("prompt,fires", [
    ("Which is not a base?", True),
    ("Which is **not** a base?", False),
    ("Which is NOT a base?", False),
    ("Which of these did Russia provide, except one?", True),
    ("Which did Russia provide?", False),
])
def test_negative_stem(tmp_path: Path, prompt: str, fires: bool) -> None:
    body = quiz_text(q(1, prompt=f'"{prompt}"') + q(2))
    assert ("negative-stem" in findings(tmp_path, body)) is fires


def test_option_count(tmp_path: Path) -> None:
    two = ("      - {id: a, text: Yes, correct: true, feedback: Because.}\n"
           "      - {id: b, text: No, correct: false, feedback: Because.}\n")
    body = quiz_text(q(1, options=two) + q(2))
    assert "2 options" in findings(tmp_path, body)["option-count"][0]


def test_objective_coverage(tmp_path: Path) -> None:
    body = quiz_text(q(1) + q(2)).replace("objectives:\n",
                                          "objectives:\n  - {id: lo2, text: Another.}\n")
    assert "objective 'lo2' is assessed by 0 item(s)" in \
        findings(tmp_path, body)["objective-coverage"][0]


@pytest.mark.parametrize("prompt,fires", [
    ("Which one?", False),
    ("Match the places:", False),
    ("Select the two right answers.", False),
    ("The chapter says Russia.", True),
    ("Russia", True),
])
def test_prompt_ending(tmp_path: Path, prompt: str, fires: bool) -> None:
    body = quiz_text(q(1, prompt=f'"{prompt}"') + q(2))
    assert ("prompt-ending" in findings(tmp_path, body)) is fires


def test_every_rule_is_documented() -> None:
    assert all(description for description, _ in rules().values())


# --- cross-item cues -------------------------------------------------------------------

SHORT = """\
  - id: q9
    type: short_text
    objective: lo1
    source: p1
    prompt: Which brigade was recruited among Afghan refugees?
    accept: [Fatemiyoun, Liwa Fatemiyoun]
    feedback: {correct: Yes (¶ 1)., incorrect: No (¶ 1).}
"""


def test_short_answer_printed_in_another_item_is_a_cue(tmp_path: Path) -> None:
    other = q(1, prompt='"Which unit did the Fatemiyoun belong to?"')
    found = findings(tmp_path, quiz_text(other + q(2) + SHORT))["cross-item-cue"]
    assert len(found) == 1  # reported once, for the first variant found
    assert "questions[2]: the answer 'Fatemiyoun' is printed in q1 (question 1)" in found[0]


def test_cue_ignores_case_accents_and_punctuation_but_not_part_words(tmp_path: Path) -> None:
    accented = q(1, prompt='"What did the FATÉMIYOUN, in ¶ 1, do?"')
    assert "cross-item-cue" in findings(tmp_path, quiz_text(accented + q(2) + SHORT))
    inside_a_word = q(1, prompt='"What did the Fatemiyouns do?"')
    assert "cross-item-cue" not in findings(tmp_path, quiz_text(inside_a_word + q(2) + SHORT))


def test_cue_in_feedback_or_explanation_counts(tmp_path: Path) -> None:
    body = quiz_text(q(1).replace("feedback: Because.}", "feedback: Ask the Fatemiyoun.}", 1)
                     + q(2) + SHORT)
    assert "cross-item-cue" in findings(tmp_path, body)


def test_instructor_note_is_not_a_cue(tmp_path: Path) -> None:
    body = quiz_text(q(1) + "    instructor_note: The Fatemiyoun were mostly Hazaras.\n"
                     + q(2) + SHORT)
    assert "cross-item-cue" not in findings(tmp_path, body)


def test_key_text_printed_elsewhere_is_a_cue_unless_its_distractors_are_too(
        tmp_path: Path) -> None:
    # q3's key is "Option 3a" (n % 3 == 0); print it in q1's prompt.
    cued = q(1, prompt='"Is Option 3a the answer?"') + q(2) + q(3)
    found = findings(tmp_path, quiz_text(cued))["cross-item-cue"]
    assert found == [f"{tmp_path / 'quiz.yml'}:25:5: questions[2]: the answer 'Option 3a' is "
                     "printed in q1 (question 1): a student can copy it from there; reword one "
                     "of the items [cross-item-cue]"]
    listed = q(1, prompt='"Option 3a, Option 3b or Option 3c?"') + q(2) + q(3)
    assert "cross-item-cue" not in findings(tmp_path, quiz_text(listed))


def test_numeric_answer_printed_elsewhere_is_a_cue_with_or_without_separators(
        tmp_path: Path) -> None:
    numeric = ("  - id: q9\n    type: numeric\n    objective: lo1\n    source: p1\n"
               "    prompt: How many fighters does the chapter claim?\n    answer: 20000\n"
               "    feedback: {correct: Yes., incorrect: No.}\n")
    for printed in ("up to 20,000 men", "up to 20000 men"):
        other = q(1, prompt=f'"Who counted {printed}?"')
        found = findings(tmp_path, quiz_text(other + q(2) + numeric))["cross-item-cue"]
        assert "the answer '20000'" in found[0] or "the answer '20,000'" in found[0]


# --- item levels and `quizbook stats` ---------------------------------------------------

def test_level_is_optional_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "quiz.yml"
    path.write_text(quiz_text(q(1).replace("    prompt:", "    level: analysis\n    prompt:")
                              + q(2)), encoding="utf-8")
    quiz = load_quiz(path)
    assert [x.level for x in quiz.questions] == ["analysis", None]
    assert "level" not in quiz.questions[0].model_dump()  # never part of the item's digest
    path.write_text(quiz_text(q(1).replace("    prompt:", "    level: synthesis\n    prompt:")
                              + q(2)), encoding="utf-8")
    with pytest.raises(QuizFileError) as info:
        load_quiz(path)
    message = str(info.value)
    assert "questions[0].level" in message and "'recall', 'analysis' or 'evaluation'" in message


def test_stats_counts_levels_and_types(tmp_path: Path) -> None:
    path = tmp_path / "quiz.yml"
    body = (q(1).replace("    prompt:", "    level: recall\n    prompt:")
            + q(2).replace("    prompt:", "    level: evaluation\n    prompt:") + q(3) + SHORT)
    path.write_text(quiz_text(body), encoding="utf-8")
    mix = quiz_mix(load_quiz(path))
    assert (mix.items, mix.higher_order) == (4, 1)
    assert dict(mix.levels) == {"recall": 1, "evaluation": 1, "unlabelled": 2}
    assert dict(mix.types) == {"single": 3, "short_text": 1}
    table = format_mixes([mix, mix])
    lines = table.splitlines()
    assert lines[2].split()[:6] == ["t-quiz", "4", "1", "0", "1", "2"]
    assert lines[4].split()[:6] == ["total", "8", "2", "0", "2", "4"]
    assert lines[5].split() == ["share", "25%", "0%", "25%", "50%"]
    assert lines[6] == "analysis or evaluation: 2 of 8 items (25%)"
    assert total_mix([]).items == 0


def test_stats_command_on_the_book(capsys: pytest.CaptureFixture[str]) -> None:
    quizzes = Path(__file__).resolve().parents[1] / "quizzes"
    assert main(["stats", str(quizzes)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:6] == ["quiz", "items", "recall", "analysis",
                                               "evaluation", "unlabelled"]
    total = next(line for line in out.splitlines() if line.startswith("total"))
    assert total.split()[5] == "0"  # every item of the book carries a level
    assert main(["stats", str(quizzes / "missing.yml")]) == 2
