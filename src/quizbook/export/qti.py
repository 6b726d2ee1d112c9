"""QTI 1.2 package (a zip with `imsmanifest.xml` and one assessment per quiz) for Canvas.

Canvas's classic-quiz importer reads the item metadata `question_type`; the
types used here are multiple_choice_question, multiple_answers_question,
true_false_question, short_answer_question, numerical_question and
matching_question. Ordering has no classic Canvas type: it becomes matching
(each item -> its position) and is reported. Scores are on Canvas's 0..100
SCORE scale, multiplied by the item's `points_possible`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from lxml import etree

from quizbook import model
from quizbook.export.lms import Mapping, fmt_number, html, ordering_as_pairs, text
from quizbook.grade import matching_rights

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_SCHEMA = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
RESOURCE_TYPE = "imsqti_xmlv1p2"

CANVAS_TYPES = {
    "single": "multiple_choice_question",
    "multiple": "multiple_answers_question",
    "true_false": "true_false_question",
    "short_text": "short_answer_question",
    "numeric": "numerical_question",
    "matching": "matching_question",
    "ordering": "matching_question",
}

#: lxml has no type stubs here; elements are typed by this alias.
_Element: TypeAlias = Any


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _sub(parent: _Element, tag: str, value: str | None = None, **attrs: str) -> _Element:
    element = etree.SubElement(parent, _q(tag), {k.rstrip("_"): v for k, v in attrs.items()})
    if value is not None:
        element.text = value
    return element


def _material(parent: _Element, content: str, texttype: str = "text/html") -> _Element:
    material = _sub(parent, "material")
    _sub(material, "mattext", content, texttype=texttype)
    return material


def _metadata(parent: _Element, fields: Sequence[tuple[str, str]]) -> None:
    meta = _sub(parent, "qtimetadata")
    for label, entry in fields:
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


@dataclass
class _Item:
    """An item under construction: its resprocessing and feedback blocks."""

    element: _Element
    resprocessing: _Element
    feedback: dict[str, str]

    def condition(self, continue_: bool = False) -> tuple[_Element, _Element]:
        cond = _sub(self.resprocessing, "respcondition", continue_="Yes" if continue_ else "No")
        return cond, _sub(cond, "conditionvar")

    def show(self, condition: _Element, ident: str, content: str | None) -> None:
        if content:
            self.feedback[ident] = content
            _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid=ident)


def _item(quiz: model.Quiz, q: model.Question, prompt_html: str,
          mappings: list[Mapping]) -> _Element:
    item = etree.Element(_q("item"), ident=f"{quiz.id}-{q.id}", title=q.id)
    itemmeta = _sub(item, "itemmetadata")
    _metadata(itemmeta, [("question_type", CANVAS_TYPES[q.type]),
                         ("points_possible", fmt_number(q.points)),
                         ("assessment_question_identifierref", f"{quiz.id}-{q.id}-bank")])
    presentation = _sub(item, "presentation")
    _material(presentation, prompt_html)
    resprocessing = _sub(item, "resprocessing")
    outcomes = _sub(resprocessing, "outcomes")
    _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    built = _Item(item, resprocessing, {})
    if q.explanation:
        cond, var = built.condition(continue_=True)
        _sub(var, "other")
        built.show(cond, "general_fb", html(q.explanation))
    if isinstance(q, model.SingleQuestion | model.MultipleQuestion | model.TrueFalseQuestion):
        _choice(built, presentation, q)
        if isinstance(q, model.MultipleQuestion):
            mappings.append(Mapping("qti", quiz.id, q.id, q.type, CANVAS_TYPES[q.type],
                                    "the package marks the right set of options; Canvas "
                                    "applies its own partial credit for multiple answers, "
                                    "which can differ from the book's (right share minus "
                                    "wrong share)"))
    elif isinstance(q, model.ShortTextQuestion):
        _short(built, presentation, q, quiz, mappings)
    elif isinstance(q, model.NumericQuestion):
        _numeric(built, presentation, q)
    else:
        _matching(built, presentation, q, quiz, mappings)
    for ident, content in built.feedback.items():
        feedback = _sub(item, "itemfeedback", ident=ident)
        _material(_sub(feedback, "flow_mat"), content)
    return item


def _choice(built: _Item, presentation: _Element,
            q: model.SingleQuestion | model.MultipleQuestion | model.TrueFalseQuestion) -> None:
    options: list[tuple[str, str, bool, str | None]]
    if isinstance(q, model.TrueFalseQuestion):
        options = [("true", "True", q.answer, q.feedback.true),
                   ("false", "False", not q.answer, q.feedback.false)]
    else:
        options = [(o.id, html(o.text), o.correct, o.feedback) for o in q.options]
    multiple = isinstance(q, model.MultipleQuestion)
    lid = _sub(presentation, "response_lid", ident="response1",
               rcardinality="Multiple" if multiple else "Single")
    render = _sub(lid, "render_choice")
    for ident, label, _, _ in options:
        response = _sub(render, "response_label", ident=ident)
        _material(response, label)
    for ident, _, _, feedback in options:
        if feedback:
            cond, var = built.condition(continue_=True)
            _sub(var, "varequal", ident, respident="response1")
            built.show(cond, f"{ident}_fb", html(feedback))
    cond, var = built.condition()
    if multiple:
        both = _sub(var, "and")
        for ident, _, correct, _ in options:
            if correct:
                _sub(both, "varequal", ident, respident="response1")
            else:
                _sub(_sub(both, "not"), "varequal", ident, respident="response1")
    else:
        right = next(ident for ident, _, correct, _ in options if correct)
        _sub(var, "varequal", right, respident="response1")
    _sub(cond, "setvar", "100", action="Set", varname="SCORE")


def _right_wrong(built: _Item, cond: _Element,
                 feedback: model.RightWrongFeedback) -> None:
    built.show(cond, "correct_fb", html(feedback.correct))
    if feedback.incorrect:
        wrong, var = built.condition()
        _sub(var, "other")
        built.show(wrong, "general_incorrect_fb", html(feedback.incorrect))


def _short(built: _Item, presentation: _Element, q: model.ShortTextQuestion,
           quiz: model.Quiz, mappings: list[Mapping]) -> None:
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    render = _sub(response, "render_fib")
    _sub(render, "response_label", ident="answer1", rshuffle="No")
    cond, var = built.condition()
    either = _sub(var, "or") if len(q.accept) > 1 else var
    for accepted in q.accept:
        _sub(either, "varequal", accepted, respident="response1")
    _sub(cond, "setvar", "100", action="Set", varname="SCORE")
    _right_wrong(built, cond, q.feedback)
    notes = []
    if q.pattern is not None:
        notes.append("the answer pattern cannot be carried; only the listed answers are "
                     "accepted")
    if q.case_sensitive:
        notes.append("Canvas compares short answers without regard to case")
    if notes:
        mappings.append(Mapping("qti", quiz.id, q.id, q.type, CANVAS_TYPES[q.type],
                                "; ".join(notes)))


def _numeric(built: _Item, presentation: _Element, q: model.NumericQuestion) -> None:
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    render = _sub(response, "render_fib", fibtype="Decimal")
    _sub(render, "response_label", ident="answer1")
    cond, var = built.condition()
    low, high = q.bounds
    if q.answer is not None:
        either = _sub(var, "or")
        _sub(either, "varequal", fmt_number(q.answer), respident="response1")
        var = _sub(either, "and")
    _sub(var, "vargte", fmt_number(low), respident="response1")
    _sub(var, "varlte", fmt_number(high), respident="response1")
    _sub(cond, "setvar", "100", action="Set", varname="SCORE")
    _right_wrong(built, cond, q.feedback)


def _matching(built: _Item, presentation: _Element,
              q: model.MatchingQuestion | model.OrderingQuestion, quiz: model.Quiz,
              mappings: list[Mapping]) -> None:
    if isinstance(q, model.OrderingQuestion):
        pairs = ordering_as_pairs(q)
        rights = [(f"pos{n}", label) for n, (_, _, label) in enumerate(pairs, 1)]
        key = {item: f"pos{n}" for n, (item, _, _) in enumerate(pairs, 1)}
        lefts = [(item, item_text) for item, item_text, _ in pairs]
        mappings.append(Mapping("qti", quiz.id, q.id, "ordering", "matching_question",
                                "Canvas classic quizzes have no ordering type: each item is "
                                "matched to its position (1st, 2nd, ...); partial credit per "
                                "item"))
    else:
        rights = matching_rights(q)
        by_text = {right_text: rid for rid, right_text in rights}
        key = {p.id: by_text[p.right] for p in q.pairs}
        lefts = [(p.id, p.left) for p in q.pairs]
    share = fmt_number(100 / len(lefts))
    for left_id, left_text in lefts:
        lid = _sub(presentation, "response_lid", ident=f"response_{left_id}")
        _material(lid, text(left_text), texttype="text/plain")
        render = _sub(lid, "render_choice")
        for rid, right_text in rights:
            label = _sub(render, "response_label", ident=rid)
            _material(label, text(right_text), texttype="text/plain")
    for left_id, _ in lefts:
        cond, var = built.condition(continue_=True)
        _sub(var, "varequal", key[left_id], respident=f"response_{left_id}")
        _sub(cond, "setvar", share, action="Add", varname="SCORE")
    if q.feedback.correct:
        cond, var = built.condition(continue_=True)
        every = _sub(var, "and")
        for left_id, _ in lefts:
            _sub(every, "varequal", key[left_id], respident=f"response_{left_id}")
        built.show(cond, "correct_fb", html(q.feedback.correct))
    if q.feedback.incorrect:
        cond, var = built.condition(continue_=True)
        _sub(var, "other")
        built.show(cond, "general_incorrect_fb", html(q.feedback.incorrect))


def assessment(quiz: model.Quiz) -> tuple[_Element, list[Mapping]]:
    """One quiz as a `questestinterop` document, and the mappings it needed."""
    mappings: list[Mapping] = []
    root = etree.Element(_q("questestinterop"), nsmap={None: QTI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_SCHEMA}")
    test = _sub(root, "assessment", ident=quiz.id, title=text(quiz.title))
    _metadata(test, [("cc_maxattempts", "unlimited"),
                     ("qmd_assessmenttype", "Examination")])
    section = _sub(test, "section", ident="root_section")
    for q in quiz.questions:
        prompt = html(q.prompt)
        if isinstance(q, model.NumericQuestion) and q.unit:
            prompt += f" (answer in {html(q.unit)})"
            mappings.append(Mapping("qti", quiz.id, q.id, "numeric", "numerical_question",
                                    f"Canvas reads bare numbers: the unit {q.unit!r} is "
                                    "named in the prompt instead"))
        section.append(_item(quiz, q, prompt, mappings))
    return root, mappings


def manifest(quizzes: Sequence[model.Quiz], title: str) -> _Element:
    root = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS, "xsi": XSI_NS},
                         identifier="quizbook-qti")
    root.set(f"{{{XSI_NS}}}schemaLocation",
             f"{CP_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd")

    def sub(parent: _Element, tag: str, value: str | None = None, **attrs: str) -> _Element:
        element = etree.SubElement(parent, f"{{{CP_NS}}}{tag}", attrs)
        element.text = value
        return element

    meta = sub(root, "metadata")
    sub(meta, "schema", "IMS Content")
    sub(meta, "schemaversion", "1.1.3")
    orgs = sub(root, "organizations")
    org = sub(orgs, "organization", identifier="quizbook-org")
    sub(org, "title", title)
    resources = sub(root, "resources")
    for quiz in quizzes:
        resource = sub(resources, "resource", identifier=quiz.id, type=RESOURCE_TYPE,
                       href=f"{quiz.id}/{quiz.id}.xml")
        sub(resource, "file", href=f"{quiz.id}/{quiz.id}.xml")
    return root


def _bytes(root: _Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                 pretty_print=True)
    return data


def write_qti_package(quizzes: Sequence[model.Quiz], path: Path,
                      title: str = "Quizbook quizzes") -> list[Mapping]:
    """Write the zip; returns the reported mappings. Fixed timestamps: same input, same bytes."""
    mappings: list[Mapping] = []
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("imsmanifest.xml"), _bytes(manifest(quizzes, title)))
        for quiz in quizzes:
            root, found = assessment(quiz)
            mappings.extend(found)
            archive.writestr(_entry(f"{quiz.id}/{quiz.id}.xml"), _bytes(root))
    return mappings


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


REQUIRED_ITEM = ("itemmetadata", "presentation", "resprocessing")


def validate_qti_package(path: Path) -> list[str]:
    """Problems with a written package (empty list: fine). Used by the export and the tests.

    Checks: a zip; well-formed XML; the manifest lists each assessment file and the
    file exists; each assessment has items with the parts Canvas needs, a known
    question_type, points, a response element, and a SCORE-setting condition.
    """
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path}: not a zip file ({exc})"]
    with archive:
        names = set(archive.namelist())
        if "imsmanifest.xml" not in names:
            return [f"{path}: imsmanifest.xml is missing"]
        try:
            man = etree.fromstring(archive.read("imsmanifest.xml"))
        except etree.XMLSyntaxError as exc:
            return [f"{path}: imsmanifest.xml is not well-formed XML ({exc})"]
        ns = {"cp": CP_NS, "q": QTI_NS}
        if man.tag != f"{{{CP_NS}}}manifest":
            problems.append(f"{path}: imsmanifest.xml root is {man.tag}, not manifest")
        for resource in man.iterfind("cp:resources/cp:resource", ns):
            href = resource.get("href", "")
            if resource.get("type") != RESOURCE_TYPE:
                problems.append(f"{path}: resource {resource.get('identifier')} has type "
                                f"{resource.get('type')!r}, expected {RESOURCE_TYPE!r}")
            if href not in names:
                problems.append(f"{path}: manifest names {href}, which is not in the zip")
                continue
            try:
                doc = etree.fromstring(archive.read(href))
            except etree.XMLSyntaxError as exc:
                problems.append(f"{path}: {href} is not well-formed XML ({exc})")
                continue
            problems.extend(f"{path}: {href}: {p}" for p in _check_assessment(doc, ns))
    return problems


def _check_assessment(doc: _Element, ns: dict[str, str]) -> list[str]:
    problems = []
    if doc.tag != _q("questestinterop"):
        return [f"root is {doc.tag}, not questestinterop"]
    tests = doc.findall("q:assessment", ns)
    if len(tests) != 1 or not tests[0].get("ident") or not tests[0].get("title"):
        return ["needs exactly one assessment with ident and title"]
    items = tests[0].findall("q:section/q:item", ns)
    if not items:
        problems.append("the assessment has no items")
    for item in items:
        ident = item.get("ident") or "(no ident)"
        for part in REQUIRED_ITEM:
            if item.find(f"q:{part}", ns) is None:
                problems.append(f"item {ident}: <{part}> is missing")
        fields = {f.findtext("q:fieldlabel", namespaces=ns): f.findtext("q:fieldentry",
                                                                         namespaces=ns)
                  for f in item.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", ns)}
        if fields.get("question_type") not in set(CANVAS_TYPES.values()):
            problems.append(f"item {ident}: unknown question_type "
                            f"{fields.get('question_type')!r}")
        try:
            if float(fields.get("points_possible") or "nan") <= 0:
                raise ValueError
        except ValueError:
            problems.append(f"item {ident}: points_possible must be a positive number")
        presentation = item.find("q:presentation", ns)
        if presentation is not None and presentation.find("q:material/q:mattext", ns) is None:
            problems.append(f"item {ident}: the prompt (presentation/material) is missing")
        if presentation is not None and not (presentation.findall("q:response_lid", ns)
                                             or presentation.findall("q:response_str", ns)):
            problems.append(f"item {ident}: no response_lid or response_str")
        if not item.findall("q:resprocessing/q:respcondition/q:setvar", ns):
            problems.append(f"item {ident}: no respcondition sets SCORE")
        feedback_ids = {f.get("ident") for f in item.iterfind("q:itemfeedback", ns)}
        for shown in item.iterfind(".//q:displayfeedback", ns):
            if shown.get("linkrefid") not in feedback_ids:
                problems.append(f"item {ident}: feedback {shown.get('linkrefid')} is shown "
                                "but not defined")
    return problems
