"""The `cloze` question type (quizbook.types.cloze), the registry's proof: authoring errors
with file and line, grading, the bundle and key-free bundle carrying no key, class-server
response checks, keys, LMS details, gradebook and item analysis, lint, and that the type
lives in its own files only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.export.answer_key import key_row
from quizbook.export.gradebook import _wrong_choices
from quizbook.export.moodle import moodle_document, validate_moodle_xml
from quizbook.export.qti import assessment
from quizbook.grade import grade, question_rev
from quizbook.legacy import legacy_version
from quizbook.lint import lint_quiz
from quizbook.load import load_quiz, parse_quiz_text
from quizbook.server.grading import ResponseError, check_response, feedback_text, question_reply
from quizbook.server.keyfree import keyfree_bundle
from quizbook.server.stats import distribution
from quizbook.sphinx.render import quiz_html
from quizbook.types import spec_of
from quizbook.types.cloze import Cloze, ClozeQuestion

ROOT = Path(__file__).resolve().parents[1]

QUIZ = """\
id: cz
lesson: 01-x
title: Cloze
objectives:
  - {id: lo1, text: Recall.}
questions:
  - id: q1
    type: cloze
    objective: lo1
    source: p46-1-1
    points: 2
    prompt: Complete the passage.
    passage: Russia brought {{air}}; Iran had ground {{proxies}} (*¶ 46.1.1*).
    blanks:
      - id: air
        answer: airpower
        distractors: [naval power, drone production]
        feedback: Air power is what Russia brought.
      - id: proxies
        accept: [proxies, proxy forces]
        feedback: The chapter's word is 'proxies'.
    feedback: {correct: Right., incorrect: Reread it.}
    explanation: Each partner covered the other's gap.
"""


def _quiz(text: str = QUIZ) -> model.Quiz:
    quiz, problems = parse_quiz_text(text.encode(), "cz.yml")
    assert quiz is not None, [str(p) for p in problems]
    return quiz


def _q(quiz: model.Quiz | None = None) -> ClozeQuestion:
    q = (quiz or _quiz()).questions[0]
    assert isinstance(q, ClozeQuestion)
    return q


def _spec() -> Cloze:
    spec = spec_of(_q())
    assert isinstance(spec, Cloze)
    return spec


def _ids(q: ClozeQuestion) -> tuple[str, str]:
    """The right and one wrong choice id of the drop-down blank."""
    spec = _spec()
    blank = q.blanks[0]
    right = spec.right_choice(q, blank)
    return right, next(c for c, _, _ in spec.choices(q, blank) if c != right)


def _problems(text: str) -> list[str]:
    quiz, problems = parse_quiz_text(text.encode(), "cz.yml")
    assert quiz is None
    return [str(p) for p in problems]


@pytest.mark.parametrize(("change", "expected"), [
    (("passage: Russia brought {{air}}; Iran had ground {{proxies}}",
      "passage: Russia brought {{air}}; Iran had ground proxies"),
     "cz.yml:7:5: questions[0]: the passage marks blanks air, but `blanks` lists air, proxies"),
    (("passage: Russia brought {{air}}; Iran had ground {{proxies}}",
      "passage: Iran had ground {{proxies}}; Russia brought {{air}}"),
     "in the order they are listed"),
    (("passage: Russia brought {{air}};", "passage: Russia brought {{air}} {{;"),
     "unmatched `{{` or `}}`"),
    (("        accept: [proxies, proxy forces]", "        accept: [proxies]\n        answer: x"),
     "blank 'proxies': give either `accept` (a typed blank) or `answer`"),
    (("        distractors: [naval power, drone production]", "        distractors: []"),
     "blank 'air': a drop-down needs at least one distractor"),
    (("        distractors: [naval power, drone production]",
      "        distractors: [airpower, drone production]"),
     "duplicate choice in blank 'air': 'airpower'"),
    (("        accept: [proxies, proxy forces]", "        accept: ['...']"),
     "accept[0] '...' is nothing once normalised"),
    (("      - id: proxies\n", "      - id: air\n"), "duplicate blank id 'air'"),
])
def test_authoring_errors_name_file_line_and_field(change: tuple[str, str], expected: str) -> None:
    text = QUIZ.replace(*change)
    assert text != QUIZ
    problems = _problems(text)
    assert any(expected in p for p in problems), problems
    assert all(re.match(r"cz\.yml:\d+:\d+: questions\[0\]", p) for p in problems), problems


def test_unknown_type_lists_cloze() -> None:
    problems = _problems(QUIZ.replace("type: cloze", "type: clozee"))
    assert any("`type` must be one of: single, multiple, true_false, short_text, numeric, "
               "ordering, matching, cloze" in p for p in problems), problems


def test_grading_per_blank() -> None:
    q = _q()
    right, wrong = _ids(q)
    full = grade(q, {"air": right, "proxies": " PROXY-forces! "})
    assert (full.points, full.correct, full.parts, full.feedback) == \
        (2.0, True, {"air": True, "proxies": True}, ["correct"])
    half = grade(q, {"air": wrong, "proxies": "proxies"})
    assert (half.points, half.correct, half.parts, half.feedback) == \
        (1.0, False, {"air": False, "proxies": True}, ["incorrect", "air"])
    # An empty blank is wrong but gets no feedback of its own.
    one = grade(q, {"air": right, "proxies": "  "})
    assert (one.points, one.parts, one.feedback) == (1.0, {"air": True, "proxies": False},
                                                     ["incorrect"])
    for nothing in ({}, {"air": "", "proxies": "\u00a0"}, [right], "airpower", None,
                    {"zz": right}, {"air": 3}):
        outcome = grade(q, nothing)
        assert (outcome.answered, outcome.points) == (False, 0.0), nothing
    assert grade(q, {"air": "c99"}).parts == {"air": False, "proxies": False}


def test_choice_ids_and_revision_ignore_wording() -> None:
    q = _q()
    reworded = _q(_quiz(QUIZ.replace("naval power", "sea power").replace(
        "answer: airpower", "answer: air power")))
    spec = _spec()
    assert [c for c, _, _ in spec.choices(q, q.blanks[0])] == \
        [c for c, _, _ in spec.choices(reworded, reworded.blanks[0])]
    assert spec.right_choice(q, q.blanks[0]) == spec.right_choice(reworded, reworded.blanks[0])
    assert question_rev(q) == question_rev(reworded)
    rekeyed = _q(_quiz(QUIZ.replace("[proxies, proxy forces]", "[proxies]")))
    assert question_rev(q) != question_rev(rekeyed)


def test_bundle_and_keyfree_bundle_hold_no_key() -> None:
    quiz = _quiz()
    bundle = make_bundle(quiz)
    text = json.dumps(bundle)
    qb = bundle["questions"][0]
    assert qb["passage"] == ["Russia brought ", "; Iran had ground ",
                             " (<em>¶ 46.1.1</em>)."]
    assert [b["label"] for b in qb["blanks"]] == ["Blank 1", "Blank 2"]
    assert "proxy forces" not in text  # typed answers: digests only
    assert "Air power is what" not in text and "Reread it" not in text  # feedback sealed
    assert sorted(qb["sealed"]) == ["explanation", "fb:air", "fb:correct", "fb:incorrect",
                                    "fb:proxies"]
    keyfree = keyfree_bundle(bundle)
    kq = keyfree["questions"][0]
    assert set(kq) == {"id", "type", "points", "objective", "source", "prompt", "hint",
                       "passage", "blanks"}
    assert kq["blanks"][0] == {"id": "air", "label": "Blank 1",
                               "choices": [{"id": c["id"], "text": c["text"]}
                                           for c in qb["blanks"][0]["choices"]]}
    assert kq["blanks"][1] == {"id": "proxies", "label": "Blank 2"}
    assert legacy_version(quiz)  # types newer than the old scheme still get a legacy version


def test_markup_labels_every_blank_and_keeps_html_inert() -> None:
    hostile = QUIZ.replace("Russia brought {{air}}", "<script>alert(1)</script> {{air}}") \
        .replace("answer: airpower", "answer: '<img src=x onerror=alert(1)>'")
    html = quiz_html(make_bundle(_quiz(hostile)), 2)
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    labels = re.findall(r'<label for="(qb-cz-q1-[a-z]+)">Blank (\d)</label>', html)
    assert labels == [("qb-cz-q1-air", "1"), ("qb-cz-q1-proxies", "2")]
    assert '<select id="qb-cz-q1-air" data-item-id="air">' in html
    assert '<input type="text" id="qb-cz-q1-proxies" data-item-id="proxies"' in html
    assert 'data-part="air"' in html and 'data-part="proxies"' in html
    assert '<strong class="qb-gap">(1)<span aria-hidden="true"> ______</span></strong>' in html


def test_class_server_checks_the_response_shape() -> None:
    q = _q()
    right, _ = _ids(q)
    assert check_response(q, {"air": right, "proxies": "x"}) == {"air": right, "proxies": "x"}
    assert check_response(q, {"air": ""}) == {"air": ""}
    for bad in ({"zz": "x"}, {"air": "c99"}, {"proxies": 3}, {"proxies": "x" * 501}, ["x"],
                "proxies"):
        with pytest.raises(ResponseError, match=r"^responses\.q1: a cloze answer maps blank "
                                                r"ids \(air, proxies\)"):
            check_response(q, bad)
    # Per-blank feedback names parts: held back until marks show (like multiple choice).
    outcome = grade(q, {"air": _ids(q)[1], "proxies": "x"})
    assert feedback_text(q, "air") == "Air power is what Russia brought."
    assert question_reply(q, outcome, show_marks=False)["feedback"] == {}
    assert set(question_reply(q, outcome, show_marks=True)["feedback"]) == \
        {"incorrect", "air", "proxies"}


def test_keys_gradebook_and_item_analysis() -> None:
    q = _q()
    spec = _spec()
    letters = "ABC"[[r for _, _, r in spec.choices(q, q.blanks[0])].index(True)]
    row = key_row(1, q)
    assert [(p.label, str(p.text)) for p in row.parts] == \
        [("(1)", f"{letters}. airpower"), ("(2)", "proxies / proxy forces")]
    right, wrong = _ids(q)
    wrong_text = dict((c, t) for c, t, _ in spec.choices(q, q.blanks[0]))[wrong]
    response = {"air": wrong, "proxies": "Proxys"}
    assert _wrong_choices(q, response, grade(q, response)) == [f"(1) {wrong_text}",
                                                                "(2) Proxys"]
    dist = distribution(q, [{"air": right, "proxies": "proxies"}, {"air": wrong}, None])
    assert [(b.label, b.count) for b in dist.bars] == [("Blank 1: airpower", 1),
                                                        ("Blank 2: proxies", 1)]
    assert (dist.answered, dist.unanswered, dist.right) == (2, 1, 1)


def test_qti_is_fill_in_multiple_blanks() -> None:
    quiz = _quiz()
    doc, mappings = assessment(quiz)
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    item = doc.find(".//q:item", ns)
    fields = {f.findtext("q:fieldlabel", namespaces=ns): f.findtext("q:fieldentry", namespaces=ns)
              for f in item.iterfind(".//q:qtimetadatafield", ns)}
    assert fields["question_type"] == "fill_in_multiple_blanks_question"
    prompt = item.findtext("q:presentation/q:material/q:mattext", namespaces=ns)
    assert "<p>Russia brought [blank1]; Iran had ground [blank2] (<em>" in prompt
    lids = item.findall("q:presentation/q:response_lid", ns)
    assert [lid.get("ident") for lid in lids] == ["response_blank1", "response_blank2"]
    assert [lbl.findtext(".//q:mattext", namespaces=ns)
            for lbl in lids[1].iterfind(".//q:response_label", ns)] == ["proxies", "proxy forces"]
    assert [m.target_type for m in mappings] == ["fill_in_multiple_blanks_question"]
    assert "drop-down blanks 1 are typed in Canvas" in mappings[0].note


def test_moodle_is_cloze_with_escaped_answers(tmp_path: Path) -> None:
    quiz = _quiz(QUIZ.replace("[proxies, proxy forces]", "['proxies}#~x', proxy forces]"))
    root, mappings = moodle_document([quiz])
    element = root.find("question[@type='cloze']")
    text = element.findtext("questiontext/text")
    assert "{1:SHORTANSWER:=proxies\\}\\#\\~x~=proxy forces}" in text
    assert "{1:MULTICHOICE:=airpower~naval power#Air power is what Russia brought.~drone " \
        "production#Air power is what Russia brought.}" in text
    assert [m.target_type for m in mappings] == ["cloze"]
    path = tmp_path / "m.xml"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    assert validate_moodle_xml(path) == []
    element.find("questiontext/text").text = "no blanks here"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    assert [p.split(": ", 2)[-1] for p in validate_moodle_xml(path)] == [
        "a cloze question text embeds no {n:SHORTANSWER:...} or {n:MULTICHOICE:...} blank"]


def test_lint_rules(tmp_path: Path) -> None:
    text = QUIZ.replace("        feedback: The chapter's word is 'proxies'.\n", "") \
        .replace("distractors: [naval power, drone production]", "distractors: [naval power]") \
        .replace("passage: Russia brought {{air}}; Iran had ground {{proxies}} (*¶ 46.1.1*).",
                 "passage: '{{air}} Russia brought; Iran had ground {{proxies}}.'")
    path = tmp_path / "cz.yml"
    path.write_text(text, encoding="utf-8")
    found = {(f.rule, f.field, f.message) for f in lint_quiz(load_quiz(path), path)
             if f.rule == "type-rules"}
    assert found == {
        ("type-rules", "questions[0].blanks[1]",
         "blank 'proxies' has no feedback: say what the passage needs there"),
        ("type-rules", "questions[0].blanks[0].distractors",
         "1 distractor(s): a drop-down works best with three to five plausible choices"),
        ("type-rules", "questions[0].passage",
         "the passage opens with a blank: give the reader some context first"),
    }


def test_the_course_uses_cloze_where_planned() -> None:
    quiz = load_quiz(ROOT / "quizzes" / "l1-laboratory.yml")
    q = next(q for q in quiz.questions if q.type == "cloze")
    assert (q.id, q.objective, q.source) == ("q15", "lo2", "p46-1-1")
    assert "q5" not in {x.id for x in quiz.questions}


#: The type's own files: adding it touched these source files and no other (issue 14). The
#: runtime keeps a type's controls (`types/`) apart from its marker (`markers/`), which a book
#: page loads only when a quiz is first used (issue 12).
CLOZE_FILES = {"src/quizbook/types/cloze.py", "src/quizbook/model.py",
               "src/quizbook/runtime/types/cloze.js", "src/quizbook/runtime/markers/cloze.js",
               "src/quizbook/sphinx/quiz_markup/types/cloze.html.j2"}


def test_the_type_lives_in_its_own_files() -> None:
    mentions = {p.relative_to(ROOT).as_posix() for p in (ROOT / "src").rglob("*")
                if p.is_file() and p.suffix in {".py", ".js", ".j2", ".css", ".html"}
                and "cloze" in p.read_text(encoding="utf-8").lower()}
    assert mentions == CLOZE_FILES
    assert len(CLOZE_FILES) <= 6



def test_views_without_the_markup_and_the_instructor_key() -> None:
    from quizbook.sphinx.quiz import answer_text, readable_question

    quiz = _quiz()
    q = _q(quiz)
    spec = _spec()
    qb = make_bundle(quiz)["questions"][0]
    shown = readable_question(1, q, qb).astext()
    assert "Russia brought (1) ______; Iran had ground (2) ______ (¶ 46.1.1)." in shown
    choices = "; ".join(f"{'ABC'[n]}. {text}"
                        for n, (_, text, _) in enumerate(spec.choices(q, q.blanks[0])))
    assert f"(1) Choose one: {choices}" in shown
    assert "proxy forces" not in shown and "Air power is what" not in shown
    letter = "ABC"[[r for _, _, r in spec.choices(q, q.blanks[0])].index(True)]
    key = "".join(n if isinstance(n, str) else n.astext() for n in answer_text(q))
    assert key == f"(1): {letter}. airpower; (2): proxies / proxy forces"
