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
from quizbook.export.lms import (
    Mapping,
    mappings_report,
    ordinal,
    shorten,
    unique_titles,
    utf8_size,
)
from quizbook.export.moodle import (
    ORDERING_NAME_BYTES,
    moodle_document,
    validate_moodle_xml,
    write_moodle_xml,
)
from quizbook.export.qti import (
    CANVAS_NS,
    CANVAS_TYPES,
    QTI_NS,
    assessment,
    validate_qti_package,
    write_qti_package,
)
from quizbook.grade import grade, matching_rights
from quizbook.load import load_quiz, parse_quiz_text
from quizbook.markup import plain_text
from tests.type_responses import LMS_CASES, MOODLE_SCORES

ROOT = Path(__file__).resolve().parents[1]
NS = {"q": QTI_NS, "c": CANVAS_NS}


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
        assert hrefs == [f"{quiz.id}/{quiz.id}.xml" for quiz in QUIZZES] + [
            f"{quiz.id}/assessment_meta.xml" for quiz in QUIZZES]
        for quiz in QUIZZES:
            doc = etree.fromstring(archive.read(f"{quiz.id}/{quiz.id}.xml"))
            items = doc.findall("q:assessment/q:section/q:item", NS)
            assert [i.get("ident") for i in items] == [f"{quiz.id}-{q.id}"
                                                       for q in quiz.questions]
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
    elif not isinstance(q, model.BuiltinQuestion):  # registered types: tests/type_responses.py
        out = list(LMS_CASES[q.type](q))
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
    item = next(i for i in doc.iterfind(".//q:item", NS) if i.get("ident") == f"{quiz.id}-{q.id}")
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
    item = doc.find(".//q:item[@ident='sample-all-types-q-single']", NS)
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
    # Orderings are native Moodle 4.3+ ordering questions: nothing approximated.
    assert not [m for m in mappings if m.source_type == "ordering"]
    assert len(root.findall("question[@type='ordering']")) == sum(
        q.type == "ordering" for _, q in ALL_QUESTIONS)


def moodle_grade(element: etree._Element, q: model.Question, response: Any) -> float:
    """Moodle's rules: multichoice adds fractions of chosen answers, clamped to [0, 1]."""
    answers = element.findall("answer")
    if not isinstance(q, model.BuiltinQuestion):
        return MOODLE_SCORES[q.type](element, q, response)
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
    if isinstance(q, model.OrderingQuestion) and element.get("type") == "ordering":
        # ABSOLUTE_POSITION: an item scores when the student put it at its answer's
        # fraction (Moodle stores the right order as fractions 1, 2, ...).
        assert element.findtext("gradingtype") == "ABSOLUTE_POSITION"
        right = {a.findtext("text"): int(a.get("fraction")) for a in answers}
        from quizbook.markup import inline_html
        hits = sum(right[inline_html(i.text)] == response[i.id] for i in q.items)
        return q.points * hits / len(q.items)
    if isinstance(q, model.OrderingQuestion):
        key = {s.findtext("text"): s.findtext("answer/text") for s in element.iter("subquestion")}
        from quizbook.markup import inline_html
        hits = sum(key[inline_html(i.text)] == f"{ordinal(response[i.id])} position"
                   for i in q.items)
        return q.points * hits / len(q.items)
    raise AssertionError(q.type)


ORDERINGS = [(quiz, q) for quiz, q in ALL_QUESTIONS if q.type == "ordering"]


@pytest.mark.parametrize(("quiz", "q"), ORDERINGS,
                         ids=[f"{quiz.id}-{q.id}" for quiz, q in ORDERINGS])
def test_moodle_ordering_as_matching_scores_like_the_book(quiz: model.Quiz,
                                                          q: model.Question) -> None:
    test_moodle_scores_like_the_book(quiz, q, as_matching=True)


@pytest.mark.parametrize(("quiz", "q"), ALL_QUESTIONS,
                         ids=[f"{quiz.id}-{q.id}" for quiz, q in ALL_QUESTIONS])
def test_moodle_scores_like_the_book(quiz: model.Quiz, q: model.Question,
                                     as_matching: bool = False) -> None:
    root, _ = moodle_document([quiz], ordering_as_matching=as_matching)
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


# --- Issue 16 §7: the files as real LMSs read them -------------------------------------


def _quiz(text: str) -> model.Quiz:
    quiz, problems = parse_quiz_text(text.encode(), "t.yml")
    assert quiz is not None, problems
    return quiz


EDGE = """id: edge
lesson: x
title: "46.9 Edge cases"
pass_mark: 0.6
objectives: [{id: lo1, text: o}]
questions:
  - id: q1
    type: multiple
    objective: lo1
    source: p1
    prompt: Which three of these are right? Select all that apply.
    options:
      - {id: a, text: One, correct: true}
      - {id: b, text: Two, correct: true}
      - {id: c, text: Three, correct: true}
      - {id: d, text: Four, correct: false}
      - {id: e, text: Five, correct: false}
  - id: q2
    type: short_text
    objective: lo1
    source: p1
    prompt: Name the airbase.
    accept: [Khmeimim, Hmeimim, Humaymim]
    case_sensitive: true
    feedback: {correct: Yes., incorrect: No.}
  - id: q3
    type: matching
    objective: lo1
    source: p1
    prompt: Match them.
    pairs:
      - {id: m1, left: "**Russia** in 2015", right: Air power}
      - {id: m2, left: "*Iran*", right: Ground forces}
      - {id: m3, left: Hezbollah, right: Urban fighting}
  - id: q4
    type: numeric
    objective: lo1
    source: p1
    prompt: How many militiamen at most?
    answer: 20000
  - id: q5
    type: ordering
    objective: lo1
    source: p1
    prompt: Put these events of the long and complicated war in the order the chapter gives them.
    items:
      - {id: i1, text: First}
      - {id: i2, text: Second}
      - {id: i3, text: Third}
"""


def _item_of(doc: etree._Element, ident: str) -> etree._Element:
    item = doc.find(f".//q:item[@ident='{ident}']", NS)
    assert item is not None, ident
    return item


def test_qti_short_answers_are_plain_varequal_conditions() -> None:
    doc, _ = assessment(_quiz(EDGE))
    item = _item_of(doc, "edge-q2")
    assert item.find(".//q:or", NS) is None
    scoring = [c for c in item.iterfind("q:resprocessing/q:respcondition", NS)
               if c.find("q:setvar", NS) is not None]
    # One condition per accepted answer, each a lone varequal that sets SCORE to 100.
    assert [[etree.QName(v).localname for v in c.find("q:conditionvar", NS)]
            for c in scoring] == [["varequal"]] * 3
    assert [c.findtext("q:conditionvar/q:varequal", namespaces=NS) for c in scoring] == \
        ["Khmeimim", "Hmeimim", "Humaymim"]
    assert all(c.findtext("q:setvar", namespaces=NS) == "100" and c.get("continue") == "No"
               for c in scoring)
    for typed, expected in [("Hmeimim", 100), ("  humaymim ", 100), ("Khmeimim.", 0),
                            ("Kh meimim", 0)]:
        assert qti_score(item, {"response1": typed})[0] == expected, typed


def test_qti_items_have_unique_descriptive_titles(qti_zip: tuple[Path, list[Any]]) -> None:
    path, _ = qti_zip
    titles = []
    with zipfile.ZipFile(path) as archive:
        for quiz in QUIZZES:
            doc = etree.fromstring(archive.read(f"{quiz.id}/{quiz.id}.xml"))
            titles += [i.get("title") for i in doc.iterfind(".//q:item", NS)]
    assert len(titles) == len(ALL_QUESTIONS) == len(set(titles))
    assert titles[0] == "Every question type Q1 – Which partner supplied the air power?"
    book = {(quiz.id, q.id): t for (quiz, q), t in zip(ALL_QUESTIONS, titles, strict=True)}
    for quiz in QUIZZES:  # "<quiz label> Q<position> – <prompt>", position counted from 1
        if quiz.id == "l2-division-of-labor":
            for n, q in enumerate(quiz.questions, start=1):
                assert book[(quiz.id, q.id)].startswith(f"46.2 Q{n} – ")
    doc, _ = assessment(_quiz(EDGE))
    assert _item_of(doc, "edge-q1").get("title") == \
        "46.9 Q1 – Which three of these are right? Select all that apply."


def test_titles_stay_unique_when_two_quizzes_share_a_label() -> None:
    one = _quiz(EDGE)
    two = _quiz(EDGE.replace("id: edge", "id: edge-two", 1))
    titles = unique_titles([one, two])
    assert len(set(titles.values())) == len(titles) == 10
    assert titles[("edge-two", "q1")].startswith("edge-two 46.9 Q1 – ")


def test_qti_matching_lefts_keep_their_markdown_as_html() -> None:
    doc, _ = assessment(_quiz(EDGE))
    lefts = [lid.find("q:material/q:mattext", NS)
             for lid in _item_of(doc, "edge-q3").iterfind("q:presentation/q:response_lid", NS)]
    assert [m.get("texttype") for m in lefts] == ["text/html"] * 3
    assert [m.text for m in lefts] == ["<strong>Russia</strong> in 2015", "<em>Iran</em>",
                                       "Hezbollah"]
    rights = _item_of(doc, "edge-q3").findall(".//q:response_label//q:mattext", NS)
    assert {m.get("texttype") for m in rights} == {"text/plain"}


def test_qti_assessment_meta_carries_the_quiz_settings(tmp_path: Path) -> None:
    quiz = _quiz(EDGE)
    path = tmp_path / "qti.zip"
    write_qti_package([quiz], path)
    assert validate_qti_package(path) == []
    with zipfile.ZipFile(path) as archive:
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        meta = etree.fromstring(archive.read("edge/assessment_meta.xml"))
        doc = etree.fromstring(archive.read("edge/edge.xml"))
    resources = {r.get("identifier"): r for r in manifest.iter("{*}resource")}
    dependency = resources["edge"].find("{*}dependency").get("identifierref")
    assert resources[dependency].get("type") == \
        "associatedcontent/imscc_xmlv1p1/learning-application-resource"
    assert resources[dependency].find("{*}file").get("href") == "edge/assessment_meta.xml"
    assert meta.tag == f"{{{CANVAS_NS}}}quiz" and meta.get("identifier") == "edge"
    values = {etree.QName(child).localname: child.text for child in meta}
    assert values["title"] == "46.9 Edge cases"
    assert values["points_possible"] == "5"
    assert values["quiz_type"] == "assignment" and values["allowed_attempts"] == "-1"
    assert "Pass mark: 60 % of the points (3 of 5)." in values["description"]
    assert meta.findtext("c:assignment/c:points_possible", namespaces=NS) == "5"
    # QTI's own place for a pass mark: the cut value of the test's score.
    decvar = doc.find("q:assessment/q:outcomes_processing/q:outcomes/q:decvar", NS)
    assert (decvar.get("cutvalue"), decvar.get("maxvalue")) == ("3", "5")


def test_mappings_state_what_canvas_and_moodle_really_do() -> None:
    quiz = _quiz(EDGE)
    _, found = assessment(quiz)
    _, moodle_found = moodle_document([quiz])
    report = mappings_report(found + moodle_found, [quiz])
    flat = " ".join(report.split())
    assert "both LMSs only trim spaces at the ends" in flat
    assert "'Zurich.' (trailing full stop), 'Zurich airport' (two spaces) or 'Zürich'" in flat
    assert "Canvas compares short answers without regard to case" in flat
    assert ("Ticking every option of a 3-right/2-wrong item earns 0.333 of its points in "
            "Canvas and 0 in the book") in flat
    assert "Canvas refuses '20,000'" in flat
    assert "giving several items the same position earns credit" in flat
    assert "edge: 46.9 Edge cases: pass mark 60 % of the points (3 of 5)" in flat
    assert "Grade to pass" in flat
    by_question = {(m.fmt, m.question): m.note for m in found + moodle_found}
    assert by_question[("qti", "q1")].endswith(
        "ticking all 5 options earns 0.333 of the points in Canvas, 0 in the book")
    assert "Canvas ignores case" in by_question[("qti", "q2")]
    assert "'Khmeimim.' is right in the book and wrong there" in by_question[("moodle", "q2")]
    assert "'20,000' must be typed '20000'" in by_question[("qti", "q4")]
    assert "same position" in by_question[("qti", "q5")]
    assert ("moodle", "q5") not in by_question  # native ordering: nothing approximated
    _, fallback = moodle_document([quiz], ordering_as_matching=True)
    assert "same position" in {m.question: m.note for m in fallback}["q5"]


def test_moodle_orderings_are_native_with_matching_behind_a_flag() -> None:
    quiz = _quiz(EDGE)
    root, _ = moodle_document([quiz])
    element = root.find("question[idnumber='edge-q5']")
    assert element.get("type") == "ordering"
    assert [(a.get("fraction"), a.findtext("text")) for a in element.findall("answer")] == \
        [("1", "First"), ("2", "Second"), ("3", "Third")]
    assert {t: element.findtext(t) for t in ("layouttype", "selecttype", "selectcount",
                                              "gradingtype", "showgrading")} == \
        {"layouttype": "VERTICAL", "selecttype": "ALL", "selectcount": "3",
         "gradingtype": "ABSOLUTE_POSITION", "showgrading": "SHOW"}
    root, _ = moodle_document([quiz], ordering_as_matching=True)
    element = root.find("question[idnumber='edge-q5']")
    assert element.get("type") == "matching"
    assert [s.findtext("answer/text") for s in element.iter("subquestion")] == \
        ["1st position", "2nd position", "3rd position"]


def test_export_command_has_the_moodle_ordering_flag() -> None:
    from quizbook.cli import build_parser

    args = build_parser().parse_args(["export", "--moodle-ordering-as-matching"])
    assert args.moodle_ordering_as_matching is True
    assert build_parser().parse_args(["export"]).moodle_ordering_as_matching is False


def test_moodle_names_are_not_cut_mid_word() -> None:
    quiz = _quiz(EDGE)
    root, _ = moodle_document([*QUIZZES, quiz])
    names = {q.findtext("idnumber"): q.findtext("name/text")
             for q in root.iterfind("question") if q.get("type") != "category"}
    cut_names = 0
    for (quiz_, q) in [*ALL_QUESTIONS, *[(quiz, q) for q in quiz.questions]]:
        name = names[f"{quiz_.id}-{q.id}"]
        head, _, rest = name.partition(" – ")
        assert head.endswith(f"Q{quiz_.questions.index(q) + 1}"), name
        words = plain_text(q.prompt).split()
        if rest.endswith("…"):  # the kept text is the prompt's first k whole words
            cut_names += 1
            assert any(" ".join(words[:k]).rstrip(",;:–-") == rest[:-1]
                       for k in range(1, len(words))), name
        else:
            assert rest == " ".join(words), name
        if q.type == "ordering":
            assert utf8_size(name) <= ORDERING_NAME_BYTES, name
    assert cut_names >= 2
    assert names["edge-q5"] == "46.9 Q5 – Put these events of the…"  # 42 bytes at most


def test_shorten_cuts_between_words() -> None:
    prompt = 'In the plan described in the prologue, what serves as the "hammer"?'
    assert shorten(prompt, 60) == 'In the plan described in the prologue, what serves as the…'
    assert shorten(prompt, 200) == prompt
    assert shorten("Supercalifragilistic", 10) == "Supercali…"
    assert shorten("a  b", 10) == "a b"


def test_moodle_category_says_the_pass_mark() -> None:
    root, _ = moodle_document([_quiz(EDGE)])
    info = root.findtext("question[@type='category']/info/text")
    assert "Pass mark: 60 % of the points (3 of 5)" in info and "Grade to pass" in info


def test_validators_catch_lms_detail_problems(tmp_path: Path) -> None:
    quiz = _quiz(EDGE)
    good = tmp_path / "good.zip"
    write_qti_package([quiz], good)

    def rewrite(name: str, change: Any) -> list[str]:
        bad = tmp_path / f"bad-{name.replace('/', '-')}.zip"
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
            for member in src.namelist():
                data = src.read(member)
                if member == name:
                    data = change(data)
                if data is not None:
                    dst.writestr(member, data)
        return validate_qti_package(bad)

    problems = rewrite("edge/assessment_meta.xml", lambda d: None)
    assert any("assessment_meta.xml is listed but not in the zip" in p for p in problems)
    problems = rewrite("edge/edge.xml", lambda d: d.replace(
        b'<varequal respident="response1">Hmeimim</varequal>',
        b'<or><varequal respident="response1">Hmeimim</varequal></or>'))
    assert any("one plain varequal condition per answer, not <or>" in p for p in problems)
    problems = rewrite("edge/edge.xml", lambda d: d.replace(
        "title=\"46.9 Q2 – Name the airbase.\"".encode(),
        "title=\"46.9 Q1 – Which three of these are right? Select all that apply.\""
        .encode()))
    assert any("is also the title of edge-q1" in p for p in problems)
    problems = rewrite("edge/edge.xml", lambda d: d.replace(b"<outcomes_processing",
                                                            b"<rubric/><outcomes_processing"))
    assert problems == []  # rubric may come before outcomes_processing
    problems = rewrite("edge/edge.xml", lambda d: d.replace(b"</outcomes_processing>",
                                                            b"</outcomes_processing><rubric/>"))
    assert any("not in the QTI 1.2.1 order" in p for p in problems)
    moodle = tmp_path / "m.xml"
    write_moodle_xml([quiz], moodle)
    text = moodle.read_text(encoding="utf-8")
    moodle.write_text(text.replace('fraction="2"', 'fraction="7"'), encoding="utf-8")
    assert any("ordering needs 2+ answers with fractions 1, 2" in p
               for p in validate_moodle_xml(moodle))


def test_mapping_lines_name_format_quiz_and_question() -> None:
    line = str(Mapping("qti", "l1", "q2", "multiple", "multiple_answers_question", "why"))
    assert line == "qti: l1/q2: multiple -> multiple_answers_question: why"
