"""Moodle XML question bank: one category per quiz, every question with points and feedback.

Types: single -> multichoice (single), multiple -> multichoice (several right,
fractions that reproduce the book's scoring), true_false -> truefalse,
short_text -> shortanswer, numeric -> numerical, matching -> matching,
ordering -> ordering (standard since Moodle 4.3: the students drag the items; graded
by absolute position, as the book grades). `ordering_as_matching=True`
(`quizbook export --moodle-ordering-as-matching`) writes orderings as matching
(item -> "1st position", ...) for older sites, and reports each one.
The objective and source paragraph travel as question tags (teachers see them,
students do not). Question names are "46.2 Q3 – Who supplied the air power?", cut
at a word boundary; ordering names stay within the 42 bytes Moodle's ordering
importer keeps (it cuts longer ones itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

from lxml import etree

from quizbook import model
from quizbook.export.lms import (
    Mapping,
    fmt_number,
    html,
    ordering_as_pairs,
    pass_mark_text,
    question_title,
    short_answer_text,
    text,
    unique_titles,
    utf8_size,
)
from quizbook.types import registered, spec_of

#: lxml has no type stubs here; elements are typed by this alias.
_Element: TypeAlias = Any

MOODLE_TYPES = {
    "single": "multichoice",
    "multiple": "multichoice",
    "true_false": "truefalse",
    "short_text": "shortanswer",
    "numeric": "numerical",
    "matching": "matching",
    "ordering": "ordering",
} | {name: spec.moodle_type for name, spec in registered().items()}

#: Moodle's ordering importer shortens longer names (qtype_ordering::fix_questionname).
ORDERING_NAME_BYTES = 42


def _sub(parent: _Element, tag: str, value: str | None = None, **attrs: str) -> _Element:
    element = etree.SubElement(parent, tag, attrs)
    if value is not None:
        element.text = value
    return element


def _text(parent: _Element, tag: str, content: str, fmt: str | None = "html") -> _Element:
    element = _sub(parent, tag, **({"format": fmt} if fmt else {}))
    _sub(element, "text", content)
    return element


def fraction(value: float) -> str:
    """Moodle's grade fractions in percent, with its 7 significant digits (33.33333)."""
    return fmt_number(round(value * 100, 5))


def _escape_wildcards(answer: str) -> str:
    # In a Moodle short answer `*` is a wildcard; the book accepts it literally.
    return answer.replace("*", "\\*")


def question_xml(quiz: model.Quiz, q: model.Question, mappings: list[Mapping],
                 name: str | None = None, ordering_as_matching: bool = False) -> _Element:
    native_ordering = isinstance(q, model.OrderingQuestion) and not ordering_as_matching
    kind = "matching" if isinstance(q, model.OrderingQuestion) and ordering_as_matching \
        else MOODLE_TYPES[q.type]
    element = etree.Element("question", type=kind)
    if name is None:
        name = unique_titles([quiz])[(quiz.id, q.id)]
    if native_ordering and utf8_size(name) > ORDERING_NAME_BYTES:
        index = [x.id for x in quiz.questions].index(q.id) + 1
        name = question_title(quiz, index, q, ORDERING_NAME_BYTES, utf8_size)
    _sub(_sub(element, "name"), "text", name)
    prompt = html(q.prompt)
    _text(element, "questiontext", prompt)
    _text(element, "generalfeedback", html(q.explanation))
    _sub(element, "defaultgrade", fmt_number(q.points))
    _sub(element, "penalty", "0.3333333")
    _sub(element, "hidden", "0")
    _sub(element, "idnumber", f"{quiz.id}-{q.id}")
    if not isinstance(q, model.BuiltinQuestion):
        spec_of(q).write_moodle(element, q, quiz, mappings)
    elif isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        _multichoice(element, q)
    elif isinstance(q, model.TrueFalseQuestion):
        for value, truth, feedback in (("true", True, q.feedback.true),
                                       ("false", False, q.feedback.false)):
            answer = _sub(element, "answer", fraction=fraction(float(q.answer == truth)),
                          format="moodle_auto_format")
            _sub(answer, "text", value)
            _text(answer, "feedback", html(feedback))
    elif isinstance(q, model.ShortTextQuestion):
        _sub(element, "usecase", "1" if q.case_sensitive else "0")
        for accepted in q.accept:
            answer = _sub(element, "answer", fraction="100", format="moodle_auto_format")
            _sub(answer, "text", _escape_wildcards(accepted))
            _text(answer, "feedback", html(q.feedback.correct))
        _any_other(element, q.feedback.incorrect)
        notes = [short_answer_text(q)]
        if q.pattern is not None:
            notes.append("the answer pattern cannot be carried; only the listed answers are "
                         "accepted")
        mappings.append(Mapping("moodle", quiz.id, q.id, q.type, "shortanswer",
                                "; ".join(notes)))
    elif isinstance(q, model.NumericQuestion):
        _numerical(element, q)
    elif isinstance(q, model.OrderingQuestion) and native_ordering:
        _ordering(element, q)
    else:
        _matching(element, q, quiz, mappings)
    if q.hint:
        _text(element, "hint", html(q.hint))
    tags = _sub(element, "tags")
    for tag in (f"objective:{q.objective}", f"source:{q.source}", f"quiz:{quiz.id}"):
        _sub(_sub(tags, "tag"), "text", tag)
    return element


def _multichoice(element: _Element, q: model.SingleQuestion | model.MultipleQuestion) -> None:
    single = isinstance(q, model.SingleQuestion)
    _sub(element, "single", "true" if single else "false")
    _sub(element, "shuffleanswers", "true")
    _sub(element, "answernumbering", "abc")
    _sub(element, "showstandardinstruction", "0")
    n_correct = sum(o.correct for o in q.options)
    n_wrong = len(q.options) - n_correct
    for option in q.options:
        if single:
            value = 1.0 if option.correct else 0.0
        else:
            # Moodle adds the fractions of the chosen options and clamps at 0: the same
            # as the book's hits/n_correct - false_alarms/n_incorrect.
            value = 1 / n_correct if option.correct else -1 / n_wrong
        answer = _sub(element, "answer", fraction=fraction(value), format="html")
        _sub(answer, "text", html(option.text))
        _text(answer, "feedback", html(option.feedback))
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(element, tag, "")
    _sub(element, "shownumcorrect")


def _any_other(element: _Element, incorrect: str | None) -> None:
    if incorrect:
        # Moodle's "any other answer": `*` with fraction 0 carries the wrong-answer feedback.
        answer = _sub(element, "answer", fraction="0", format="moodle_auto_format")
        _sub(answer, "text", "*")
        _text(answer, "feedback", html(incorrect))


def _numerical(element: _Element, q: model.NumericQuestion) -> None:
    low, high = q.bounds
    answer = _sub(element, "answer", fraction="100", format="moodle_auto_format")
    _sub(answer, "text", fmt_number((low + high) / 2))
    _text(answer, "feedback", html(q.feedback.correct))
    _sub(answer, "tolerance", fmt_number((high - low) / 2))
    _any_other(element, q.feedback.incorrect)
    if q.unit:
        units = _sub(element, "units")
        unit = _sub(units, "unit")
        _sub(unit, "multiplier", "1")
        _sub(unit, "unit_name", q.unit)
    _sub(element, "unitgradingtype", "0")  # the unit may be typed or left out, like the book
    _sub(element, "unitpenalty", "0")
    _sub(element, "showunits", "0" if q.unit else "3")
    _sub(element, "unitsleft", "0")


def _ordering(element: _Element, q: model.OrderingQuestion) -> None:
    """Moodle's `ordering` qtype: answers in the right order (fraction = position)."""
    for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"),
                       ("selectcount", str(len(q.items))),
                       ("gradingtype", "ABSOLUTE_POSITION"),  # the book's rule
                       ("showgrading", "SHOW"), ("numberingstyle", "none")):
        _sub(element, tag, value)
    _text(element, "correctfeedback", html(q.feedback.correct))
    _text(element, "partiallycorrectfeedback", html(q.feedback.incorrect))
    _text(element, "incorrectfeedback", html(q.feedback.incorrect))
    _sub(element, "shownumcorrect", "1")
    for position, item in enumerate(q.items, 1):
        answer = _sub(element, "answer", fraction=str(position), format="html")
        _sub(answer, "text", html(item.text))


def _matching(element: _Element, q: model.MatchingQuestion | model.OrderingQuestion,
              quiz: model.Quiz, mappings: list[Mapping]) -> None:
    _sub(element, "shuffleanswers", "true")
    if isinstance(q, model.OrderingQuestion):
        pairs = [(item_text, label) for _, item_text, label in ordering_as_pairs(q)]
        extras: list[str] = []
        mappings.append(Mapping("moodle", quiz.id, q.id, "ordering", "matching",
                                "--moodle-ordering-as-matching: each item is matched to a "
                                "position (1st, 2nd, ...); items given the same position "
                                "still earn credit (the book gives a shared position to "
                                "none)"))
    else:
        pairs = [(p.left, p.right) for p in q.pairs]
        extras = list(q.distractors)
    for left, right in pairs:
        sub = _text(element, "subquestion", html(left))
        answer = _sub(sub, "answer")
        _sub(answer, "text", text(right))  # Moodle shows choices as plain text
    for right in extras:
        sub = _text(element, "subquestion", "")  # an empty subquestion is a distractor
        answer = _sub(sub, "answer")
        _sub(answer, "text", text(right))
    _text(element, "correctfeedback", html(q.feedback.correct))
    _text(element, "partiallycorrectfeedback", html(q.feedback.incorrect))
    _text(element, "incorrectfeedback", html(q.feedback.incorrect))
    _sub(element, "shownumcorrect")


def moodle_document(quizzes: Sequence[model.Quiz], category: str = "Quizbook",
                    ordering_as_matching: bool = False) -> tuple[_Element, list[Mapping]]:
    mappings: list[Mapping] = []
    root = etree.Element("quiz")
    names = unique_titles(quizzes, limit=100, size=utf8_size)
    for quiz in quizzes:
        cat = _sub(root, "question", type="category")
        _text(cat, "category", f"$course$/top/{category}/{text(quiz.title)}", fmt=None)
        # Grade to pass is a quiz setting that question XML cannot carry: say it here.
        _text(cat, "info", f"<p>{html(quiz.title)}</p><p>Pass mark: {pass_mark_text(quiz)} "
              "(set it as the quiz's Grade to pass).</p>")
        for q in quiz.questions:
            root.append(question_xml(quiz, q, mappings, names[(quiz.id, q.id)],
                                     ordering_as_matching))
    return root, mappings


def write_moodle_xml(quizzes: Sequence[model.Quiz], path: Path, category: str = "Quizbook",
                     ordering_as_matching: bool = False) -> list[Mapping]:
    root, mappings = moodle_document(quizzes, category, ordering_as_matching)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    pretty_print=True))
    return mappings


def validate_moodle_xml(path: Path) -> list[str]:
    """Problems with a written Moodle XML file (empty list: fine)."""
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False,
                                                      no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        return [f"{path}: not well-formed XML ({exc})"]
    if root.tag != "quiz":
        return [f"{path}: root element is <{root.tag}>, not <quiz>"]
    problems = []
    questions = root.findall("question")
    if not [q for q in questions if q.get("type") != "category"]:
        problems.append(f"{path}: no questions")
    for n, q in enumerate(questions, 1):
        kind = q.get("type")
        where = f"{path}: question {n} ({q.findtext('name/text') or kind})"
        if kind == "category":
            if not q.findtext("category/text"):
                problems.append(f"{where}: category without category/text")
            continue
        if kind not in set(MOODLE_TYPES.values()):
            problems.append(f"{where}: unknown type {kind!r}")
            continue
        for required in ("name/text", "questiontext/text", "defaultgrade"):
            if q.find(required) is None:
                problems.append(f"{where}: <{required}> is missing")
        if q.find("questiontext") is not None and q.find("questiontext").get("format") is None:
            problems.append(f"{where}: questiontext has no format")
        answers = q.findall("answer")
        problems += [f"{where}: {problem}" for spec in registered().values()
                     if spec.moodle_type == kind for problem in spec.validate_moodle(q)]
        if kind in {"multichoice", "truefalse", "shortanswer", "numerical"}:
            if not answers:
                problems.append(f"{where}: no <answer>")
            if not any(float(a.get("fraction", "0")) > 0 for a in answers):
                problems.append(f"{where}: no answer has a positive fraction")
        if kind == "truefalse" and sorted(a.findtext("text") or "" for a in answers) != \
                ["false", "true"]:
            problems.append(f"{where}: truefalse needs answers 'true' and 'false'")
        if kind == "numerical" and any(a.find("tolerance") is None for a in answers
                                       if a.findtext("text") != "*"):
            problems.append(f"{where}: numerical answer without <tolerance>")
        if kind == "ordering":
            positions = [a.get("fraction") for a in answers]
            if len(answers) < 2 or positions != [str(n) for n in range(1, len(answers) + 1)]:
                problems.append(f"{where}: ordering needs 2+ answers with fractions 1, 2, ... "
                                "(their right order)")
            elif utf8_size(q.findtext("name/text") or "") > ORDERING_NAME_BYTES:
                problems.append(f"{where}: an ordering name over {ORDERING_NAME_BYTES} bytes "
                                "is cut by Moodle's importer")
        if kind == "matching":
            subs = [s for s in q.findall("subquestion") if s.findtext("text")]
            if len(subs) < 2 or any(s.findtext("answer/text") is None for s in subs):
                problems.append(f"{where}: matching needs 2+ subquestions each with an answer")
    return problems
