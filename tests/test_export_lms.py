"""QTI 1.2 and Moodle XML exports: well-formed, complete, and scoring like the book.

The scoring checks run the written XML through a small interpreter of QTI
`resprocessing` (and of Moodle's fraction rules) and compare every possible
response with the reference grader, so a wrong key cannot pass.
"""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from quizbook import model
from quizbook.book import open_book
from quizbook.export.lms import ordinal
from quizbook.export.moodle import moodle_document, validate_moodle_xml, write_moodle_xml
from quizbook.export.qti import (
    CANVAS_TYPES,
    QTI_NS,
    assessment,
    validate_qti_package,
    write_qti_package,
)
from quizbook.grade import grade, matching_rights
from quizbook.load import load_quiz, parse_quiz_text

ROOT = Path(__file__).resolve().parents[1]
NS = {"q": QTI_NS}


def book_quizzes() -> list[model.Quiz]:
    quizzes = [load_quiz(ROOT / "tests" / "fixtures" / "all-types.yml")]
    if (ROOT / "quizzes").is_dir():
        quizzes += open_book(ROOT).quizzes()
    return quizzes


QUIZZES = book_quizzes()
ALL_QUESTIONS = [(quiz, q) for quiz in QUIZZES for q in quiz.questions]


def test_every_type_is_covered() -> None:
    assert {q.type for _, q in ALL_QUESTIONS} == set(model.QUESTION_TYPES)


# --- QTI -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def qti_zip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    path = tmp_path_factory.mktemp("qti") / "quizzes-qti.zip"
    mappings = write_qti_package(QUIZZES, path, title="Test")
    return path, mappings


def test_qti_package_is_valid_and_complete(qti_zip: tuple[Path, list[Any]]) -> None:
    path, _ = qti_zip
    assert validate_qti_package(path) == []
    with zipfile.ZipFile(path) as archive:
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        hrefs = [f.get("href") for f in manifest.iter("{*}file")]
        assert hrefs == [f"{quiz.id}/{quiz.id}.xml" for quiz in QUIZZES]
        for quiz in QUIZZES:
            doc = etree.fromstring(archive.read(f"{quiz.id}/{quiz.id}.xml"))
            items = doc.findall("q:assessment/q:section/q:item", NS)
            assert [i.get("title") for i in items] == [q.id for q in quiz.questions]
            for item, q in zip(items, quiz.questions, strict=True):
                meta = {f.findtext("q:fieldlabel", namespaces=NS):
                        f.findtext("q:fieldentry", namespaces=NS)
                        for f in item.iterfind(".//q:qtimetadatafield", NS)}
                assert meta["question_type"] == CANVAS_TYPES[q.type]
                assert float(meta["points_possible"]) == q.points


def test_qti_reports_ordering_by_name(qti_zip: tuple[Path, list[Any]]) -> None:
    _, mappings = qti_zip
    ordering = {(quiz.id, q.id) for quiz, q in ALL_QUESTIONS if q.type == "ordering"}
    reported = {(m.quiz, m.question) for m in mappings if m.source_type == "ordering"}
    assert ordering and reported == ordering
    assert all("matching" in m.target_type for m in mappings if m.source_type == "ordering")
    multiple = {(quiz.id, q.id) for quiz, q in ALL_QUESTIONS if q.type == "multiple"}
    assert {(m.quiz, m.question) for m in mappings if m.source_type == "multiple"} == multiple


def _condition(var: etree._Element, responses: dict[str, Any]) -> bool:
    """Evaluate one QTI conditionvar child against {respident: value or set of values}."""
    tag = etree.QName(var).localname
    if tag == "other":
        return True
    if tag in {"and", "conditionvar"}:
        return all(_condition(child, responses) for child in var)
    if tag == "or":
        return any(_condition(child, responses) for child in var)
    if tag == "not":
        return not _condition(var[0], responses)
    given = responses.get(var.get("respident"))
    if given is None:
        return False
    if tag == "varequal":
        if isinstance(given, set):
            return var.text in given
        try:
            return float(given) == float(var.text or "")
        except ValueError:
            return str(given).strip().lower() == (var.text or "").strip().lower()
    try:
        value, bound = float(given), float(var.text or "")
    except ValueError:
        return False
    return {"vargte": value >= bound, "varlte": value <= bound,
            "vargt": value > bound, "varlt": value < bound}[tag]


def qti_score(item: etree._Element, responses: dict[str, Any]) -> tuple[float, list[str]]:
    score, shown = 0.0, []
    for cond in item.iterfind("q:resprocessing/q:respcondition", NS):
        if not _condition(cond.find("q:conditionvar", NS), responses):
            continue
        for setvar in cond.iterfind("q:setvar", NS):
            value = float(setvar.text or "0")
            score = value if setvar.get("action") == "Set" else score + value
        shown += [d.get("linkrefid") for d in cond.iterfind("q:displayfeedback", NS)]
        if cond.get("continue") == "No":
            break
    return score, shown


def responses_for(q: model.Question) -> list[tuple[Any, dict[str, Any]]]:
    """Every (book response, QTI responses) pair worth checking for a question."""
    out: list[tuple[Any, dict[str, Any]]] = []
    if isinstance(q, model.SingleQuestion):
        out = [(o.id, {"response1": {o.id}}) for o in q.options]
    elif isinstance(q, model.MultipleQuestion):
        ids = [o.id for o in q.options]
        for n in range(1, len(ids) + 1):
            out += [(list(c), {"response1": set(c)}) for c in itertools.combinations(ids, n)]
    elif isinstance(q, model.TrueFalseQuestion):
        out = [(v, {"response1": {"true" if v else "false"}}) for v in (True, False)]
    elif isinstance(q, model.ShortTextQuestion):
        out = [(a, {"response1": a}) for a in q.accept] + [("zzz-wrong", {"response1": "zzz"})]
    elif isinstance(q, model.NumericQuestion):
        low, high = q.bounds
        for value in (low, high, (low + high) / 2, low - 1, high + 1):
            out.append((repr(value), {"response1": repr(value)}))
    elif isinstance(q, model.OrderingQuestion):
        ids = [i.id for i in q.items]
        for perm in itertools.islice(itertools.permutations(range(1, len(ids) + 1)), 30):
            book = dict(zip(ids, perm, strict=True))
            out.append((book, {f"response_{i}": {f"pos{p}"} for i, p in book.items()}))
    else:
        rights = [rid for rid, _ in matching_rights(q)]
        ids = [p.id for p in q.pairs]
        for combo in itertools.islice(itertools.permutations(rights, len(ids)), 40):
            book = dict(zip(ids, combo, strict=True))
            out.append((book, {f"response_{i}": {r} for i, r in book.items()}))
    return out


@pytest.mark.parametrize(("quiz", "q"), ALL_QUESTIONS,
                         ids=[f"{quiz.id}-{q.id}" for quiz, q in ALL_QUESTIONS])
def test_qti_scores_like_the_book(quiz: model.Quiz, q: model.Question) -> None:
    doc, _ = assessment(quiz)
    item = next(i for i in doc.iterfind(".//q:item", NS) if i.get("title") == q.id)
    for book_response, qti_response in responses_for(q):
        expected = grade(q, book_response)
        score, _ = qti_score(item, qti_response)
        if isinstance(q, model.MultipleQuestion):
            # Canvas reads the right set from an all-or-nothing condition and applies its
            # own partial credit (reported as a mapping): full marks iff the book's.
            assert (score == 100) == expected.correct, (q.id, book_response)
            continue
        assert score / 100 * q.points == pytest.approx(expected.points, abs=1e-6), \
            (q.id, book_response)


def test_qti_feedback_for_each_wrong_option_and_explanation() -> None:
    quiz = QUIZZES[0]
    doc, _ = assessment(quiz)
    item = doc.find(".//q:item[@title='q-single']", NS)
    _, shown = qti_score(item, {"response1": {"a"}})
    assert shown == ["general_fb", "a_fb"]
    texts = {f.get("ident"): "".join(f.itertext()).strip()
             for f in item.iterfind("q:itemfeedback", NS)}
    assert texts["a_fb"] == "Iran supplied ground forces (¶ 1)."
    assert texts["general_fb"] == "The chapter calls Russia's air power the hammer."


HOSTILE = b"""id: hostile
lesson: x
title: "<script>alert(1)</script> & more"
objectives: [{id: lo1, text: o}]
questions:
  - id: q1
    type: single
    objective: lo1
    source: p1
    prompt: "Pick <img src=x onerror=alert(1)> [link](javascript:alert(1)) ]]> &amp;"
    options:
      - {id: a, text: "<b>bold</b>", correct: true}
      - {id: b, text: "**strong**", correct: false}
  - id: q2
    type: short_text
    objective: lo1
    source: p1
    prompt: Stars
    accept: ["a*b"]
"""


def test_raw_html_in_quiz_text_stays_inert() -> None:
    quiz, problems = parse_quiz_text(HOSTILE, "hostile.yml")
    assert quiz is not None, problems
    doc, _ = assessment(quiz)
    prompt = doc.find(".//q:item/q:presentation/q:material/q:mattext", NS).text
    assert "<img" not in prompt and "&lt;img" in prompt
    assert "javascript:" not in prompt.replace("[link](javascript:alert(1))", "")
    option = doc.find(".//q:response_label[@ident='a']//q:mattext", NS).text
    assert option == "&lt;b&gt;bold&lt;/b&gt;"
    assert "<strong>strong</strong>" in doc.find(".//q:response_label[@ident='b']//q:mattext",
                                                  NS).text
    root, _ = moodle_document([quiz])
    assert "&lt;img" in root.find(".//question[@type='multichoice']/questiontext/text").text
    # Moodle treats * as a wildcard: a literal star is escaped.
    assert root.find(".//question[@type='shortanswer']/answer/text").text == "a\\*b"
    serialized = etree.tostring(root)
    assert b"<script>" not in serialized and b"<img" not in serialized


# --- Moodle ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moodle_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    path = tmp_path_factory.mktemp("moodle") / "quizzes-moodle.xml"
    return path, write_moodle_xml(QUIZZES, path)


def test_moodle_xml_is_valid_and_complete(moodle_file: tuple[Path, list[Any]]) -> None:
    path, mappings = moodle_file
    assert validate_moodle_xml(path) == []
    root = etree.parse(str(path)).getroot()
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert len(questions) == len(ALL_QUESTIONS)
    assert len(root.findall("question[@type='category']")) == len(QUIZZES)
    for element, (quiz, q) in zip(questions, ALL_QUESTIONS, strict=True):
        assert element.findtext("idnumber") == f"{quiz.id}-{q.id}"
        assert float(element.findtext("defaultgrade")) == q.points
        tags = [t.text for t in element.iterfind("tags/tag/text")]
        assert f"objective:{q.objective}" in tags and f"source:{q.source}" in tags
    ordering = {(quiz.id, q.id) for quiz, q in ALL_QUESTIONS if q.type == "ordering"}
    assert {(m.quiz, m.question) for m in mappings if m.source_type == "ordering"} == ordering


def moodle_grade(element: etree._Element, q: model.Question, response: Any) -> float:
    """Moodle's rules: multichoice adds fractions of chosen answers, clamped to [0, 1]."""
    answers = element.findall("answer")
    if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        chosen = [response] if isinstance(response, str) else response
        texts = {o.id: o for o in q.options}
        fractions = {a.findtext("text"): float(a.get("fraction")) / 100 for a in answers}
        from quizbook.markup import inline_html
        total = sum(fractions[inline_html(texts[c].text)] for c in chosen)
        return max(0.0, min(1.0, total)) * q.points
    if isinstance(q, model.TrueFalseQuestion):
        key = "true" if response else "false"
        return next(float(a.get("fraction")) for a in answers if a.findtext("text") == key) \
            / 100 * q.points
    if isinstance(q, model.NumericQuestion):
        answer = answers[0]
        mid, tol = float(answer.findtext("text")), float(answer.findtext("tolerance"))
        return q.points if abs(float(response) - mid) <= tol + 1e-9 else 0.0
    if isinstance(q, model.MatchingQuestion):
        key = {s.findtext("text"): s.findtext("answer/text") for s in element.iter("subquestion")
               if s.findtext("text")}
        rights = dict(matching_rights(q))
        from quizbook.markup import inline_html
        hits = sum(key[inline_html(p.left)] == rights.get(response.get(p.id)) for p in q.pairs)
        return q.points * hits / len(q.pairs)
    if isinstance(q, model.OrderingQuestion):
        key = {s.findtext("text"): s.findtext("answer/text") for s in element.iter("subquestion")}
        from quizbook.markup import inline_html
        hits = sum(key[inline_html(i.text)] == f"{ordinal(response[i.id])} position"
                   for i in q.items)
        return q.points * hits / len(q.items)
    raise AssertionError(q.type)


@pytest.mark.parametrize(("quiz", "q"), ALL_QUESTIONS,
                         ids=[f"{quiz.id}-{q.id}" for quiz, q in ALL_QUESTIONS])
def test_moodle_scores_like_the_book(quiz: model.Quiz, q: model.Question) -> None:
    root, _ = moodle_document([quiz])
    element = root.find(f"question[idnumber='{quiz.id}-{q.id}']")
    assert element is not None
    if isinstance(q, model.ShortTextQuestion):
        accepted = [a.findtext("text") for a in element.findall("answer")
                    if float(a.get("fraction")) == 100]
        assert [a.replace("\\*", "*") for a in accepted] == q.accept
        return
    for book_response, _ in responses_for(q):
        if isinstance(q, model.OrderingQuestion) and len(set(book_response.values())) < len(
                book_response):
            continue
        expected = grade(q, book_response).points
        assert moodle_grade(element, q, book_response) == pytest.approx(expected, abs=1e-4), \
            (q.id, book_response)


def test_validators_catch_broken_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<quiz><question type='multichoice'><name><text>x</text></name>")
    assert "not well-formed" in validate_moodle_xml(bad)[0]
    bad.write_text("<quiz><question type='essayish'><name><text>x</text></name></question>"
                   "</quiz>")
    assert any("unknown type" in p for p in validate_moodle_xml(bad))
    bad.write_text("<quiz><question type='multichoice'><name><text>x</text></name>"
                   "<answer fraction='0'><text>a</text></answer></question></quiz>")
    problems = validate_moodle_xml(bad)
    assert any("questiontext" in p for p in problems)
    assert any("positive fraction" in p for p in problems)
    zipped = tmp_path / "bad.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("imsmanifest.xml", '<manifest xmlns="http://www.imsglobal.org/xsd/'
                         'imscp_v1p1"><resources><resource identifier="a" type='
                         '"imsqti_xmlv1p2" href="a.xml"/></resources></manifest>')
        archive.writestr("a.xml", f'<questestinterop xmlns="{QTI_NS}"><assessment ident="a" '
                         f'title="A"><section ident="s"><item ident="i"/></section>'
                         f'</assessment></questestinterop>')
    problems = validate_qti_package(zipped)
    assert any("<resprocessing> is missing" in p for p in problems)
    assert any("question_type" in p for p in problems)
    zipped.write_bytes(b"not a zip")
    assert "not a zip" in validate_qti_package(zipped)[0]


def test_exports_are_deterministic(tmp_path: Path) -> None:
    write_qti_package(QUIZZES, tmp_path / "a.zip")
    write_qti_package(QUIZZES, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
