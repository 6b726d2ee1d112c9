"""QTI 1.2 package (a zip with `imsmanifest.xml` and one assessment per quiz) for Canvas.

Canvas's classic-quiz importer reads the item metadata `question_type`; the
types used here are multiple_choice_question, multiple_answers_question,
true_false_question, short_answer_question, numerical_question and
matching_question. Ordering has no classic Canvas type: it becomes matching
(each item -> its position) and is reported. Scores are on Canvas's 0..100
SCORE scale, multiplied by the item's `points_possible`.

Beside each assessment, `<quiz id>/assessment_meta.xml` carries the quiz settings in
Canvas's own format (as text2qti writes it): title, description with the pass mark,
points, attempts. Short answers are one plain `varequal` condition per accepted
answer (no `<or>`), the form every QTI 1.2 reader understands. Every item has a
unique title ("46.2 Q3 – Who supplied the air power?").
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
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
    pass_points,
    short_answer_text,
    text,
    total_points,
    unique_titles,
)
from quizbook.grade import matching_rights
from quizbook.types import registered, spec_of

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_SCHEMA = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
RESOURCE_TYPE = "imsqti_xmlv1p2"
META_RESOURCE_TYPE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
ASSESSMENT_META = "assessment_meta.xml"

CANVAS_TYPES = {
    "single": "multiple_choice_question",
    "multiple": "multiple_answers_question",
    "true_false": "true_false_question",
    "short_text": "short_answer_question",
    "numeric": "numerical_question",
    "matching": "matching_question",
    "ordering": "matching_question",
} | {name: spec.canvas_type for name, spec in registered().items()}

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


def _item(quiz: model.Quiz, q: model.Question, prompt_html: str, title: str,
          mappings: list[Mapping]) -> _Element:
    item = etree.Element(_q("item"), ident=f"{quiz.id}-{q.id}", title=title)
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
    if not isinstance(q, model.BuiltinQuestion):
        spec_of(q).write_qti(built, presentation, q, quiz, mappings)
    elif isinstance(q, model.SingleQuestion | model.MultipleQuestion | model.TrueFalseQuestion):
        _choice(built, presentation, q)
        if isinstance(q, model.MultipleQuestion):
            mappings.append(Mapping("qti", quiz.id, q.id, q.type, CANVAS_TYPES[q.type],
                                    _canvas_multiple_note(q)))
    elif isinstance(q, model.ShortTextQuestion):
        _short(built, presentation, q, quiz, mappings)
    elif isinstance(q, model.NumericQuestion):
        _numeric(built, presentation, q)
        if max(abs(b) for b in q.bounds) >= 1000:
            mappings.append(Mapping("qti", quiz.id, q.id, q.type, CANVAS_TYPES[q.type],
                                    "Canvas refuses a thousands separator: "
                                    f"'{q.bounds[1]:,.0f}' must be typed "
                                    f"'{fmt_number(q.bounds[1])}'"))
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
    for accepted in q.accept:  # one plain condition per answer: no <or> to lose
        cond, var = built.condition()
        _sub(var, "varequal", accepted, respident="response1")
        _sub(cond, "setvar", "100", action="Set", varname="SCORE")
        built.show(cond, "correct_fb", html(q.feedback.correct))
    if q.feedback.incorrect:
        wrong, var = built.condition()
        _sub(var, "other")
        built.show(wrong, "general_incorrect_fb", html(q.feedback.incorrect))
    notes = [short_answer_text(q)]
    if q.pattern is not None:
        notes.append("the answer pattern cannot be carried; only the listed answers are "
                     "accepted")
    if q.case_sensitive:
        notes.append("the question is case-sensitive in the book; Canvas ignores case")
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
                                "item, and items given the same position still earn credit "
                                "(the book gives a shared position to none)"))
    else:
        rights = matching_rights(q)
        by_text = {right_text: rid for rid, right_text in rights}
        key = {p.id: by_text[p.right] for p in q.pairs}
        lefts = [(p.id, p.left) for p in q.pairs]
    share = fmt_number(100 / len(lefts))
    for left_id, left_text in lefts:
        lid = _sub(presentation, "response_lid", ident=f"response_{left_id}")
        # Canvas keeps a left side's HTML (its `left_html`); right sides are plain text.
        _material(lid, html(left_text))
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


def _canvas_multiple_note(q: model.MultipleQuestion) -> str:
    right = sum(o.correct for o in q.options)
    wrong = len(q.options) - right
    everything = max(0.0, (right - wrong) / right)
    return (f"Canvas adds 1/{right} of the points per right pick and takes 1/{right} off per "
            f"wrong pick (the book takes 1/{wrong} off); ticking all {len(q.options)} options "
            f"earns {everything:.3g} of the points in Canvas, 0 in the book")


def assessment(quiz: model.Quiz,
               titles: dict[tuple[str, str], str] | None = None) -> tuple[_Element, list[Mapping]]:
    """One quiz as a `questestinterop` document, and the mappings it needed."""
    titles = titles if titles is not None else unique_titles([quiz])
    mappings: list[Mapping] = []
    root = etree.Element(_q("questestinterop"), nsmap={None: QTI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_SCHEMA}")
    test = _sub(root, "assessment", ident=quiz.id, title=text(quiz.title))
    _metadata(test, [("cc_maxattempts", "unlimited"),
                     ("qmd_assessmenttype", "Examination")])
    # The pass mark, where QTI 1.2 keeps it: the cut value of the test's score variable.
    processing = _sub(test, "outcomes_processing", scoremodel="SumOfScores")
    _sub(_sub(processing, "outcomes"), "decvar", varname="SCORE", vartype="Decimal",
         minvalue="0", maxvalue=fmt_number(total_points(quiz)),
         cutvalue=fmt_number(pass_points(quiz)))
    section = _sub(test, "section", ident="root_section")
    for q in quiz.questions:
        prompt = html(q.prompt)
        if isinstance(q, model.NumericQuestion) and q.unit:
            prompt += f" (answer in {html(q.unit)})"
            mappings.append(Mapping("qti", quiz.id, q.id, "numeric", "numerical_question",
                                    f"Canvas reads bare numbers: the unit {q.unit!r} is "
                                    "named in the prompt instead"))
        section.append(_item(quiz, q, prompt, titles[(quiz.id, q.id)], mappings))
    return root, mappings


def assessment_meta(quiz: model.Quiz) -> _Element:
    """Canvas's quiz settings for one assessment (the file text2qti also writes)."""
    root = etree.Element(f"{{{CANVAS_NS}}}quiz", nsmap={None: CANVAS_NS, "xsi": XSI_NS},
                         identifier=quiz.id)
    root.set(f"{{{XSI_NS}}}schemaLocation",
             f"{CANVAS_NS} https://canvas.instructure.com/xsd/cccv1p0.xsd")

    def sub(parent: _Element, tag: str, value: str | None = None, **attrs: str) -> _Element:
        element = etree.SubElement(parent, f"{{{CANVAS_NS}}}{tag}", attrs)
        element.text = value
        return element

    points = fmt_number(total_points(quiz))
    description = (f"<p>{html(quiz.title)}: {len(quiz.questions)} questions, {points} "
                   f"points.</p><p>Pass mark: {pass_mark_text(quiz)}.</p>")
    settings = [("title", text(quiz.title)), ("description", description),
                ("shuffle_answers", "false"),  # the book's option order is deliberate
                ("scoring_policy", "keep_highest"), ("hide_results", None),
                ("quiz_type", "assignment"), ("points_possible", points),
                ("require_lockdown_browser", "false"),
                ("require_lockdown_browser_for_results", "false"),
                ("require_lockdown_browser_monitor", "false"),
                ("lockdown_browser_monitor_data", None),
                ("show_correct_answers", "true"), ("anonymous_submissions", "false"),
                ("could_be_locked", "false"), ("allowed_attempts", "-1"),
                ("one_question_at_a_time", "false"), ("cant_go_back", "false"),
                ("available", "false"), ("one_time_results", "false"),
                ("show_correct_answers_last_attempt", "false"),
                ("only_visible_to_overrides", "false"), ("module_locked", "false")]
    for tag, value in settings:
        sub(root, tag, value)
    assignment = sub(root, "assignment", identifier=f"{quiz.id}-assignment")
    for tag, value in [("title", text(quiz.title)), ("workflow_state", "unpublished"),
                       ("quiz_identifierref", quiz.id), ("points_possible", points),
                       ("grading_type", "points"), ("submission_types", "online_quiz")]:
        sub(assignment, tag, value)
    sub(root, "assignment_group_identifierref", "quizbook-quizzes")
    return root


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
        sub(resource, "dependency", identifierref=f"{quiz.id}-meta")
    for quiz in quizzes:  # Canvas finds the settings by this type and the file's path
        meta = sub(resources, "resource", identifier=f"{quiz.id}-meta",
                   type=META_RESOURCE_TYPE, href=f"{quiz.id}/{ASSESSMENT_META}")
        sub(meta, "file", href=f"{quiz.id}/{ASSESSMENT_META}")
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
        titles = unique_titles(quizzes)
        for quiz in quizzes:
            root, found = assessment(quiz, titles)
            mappings.extend(found)
            archive.writestr(_entry(f"{quiz.id}/{quiz.id}.xml"), _bytes(root))
            archive.writestr(_entry(f"{quiz.id}/{ASSESSMENT_META}"),
                             _bytes(assessment_meta(quiz)))
    return mappings


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


REQUIRED_ITEM = ("itemmetadata", "presentation", "resprocessing")

#: The order QTI 1.2.1's DTD gives an assessment's children (those this package uses).
ASSESSMENT_ORDER = ("qticomment", "duration", "qtimetadata", "objectives",
                    "assessmentcontrol", "rubric", "presentation_material",
                    "outcomes_processing", "assessproc_extension", "assessfeedback",
                    "selection_ordering", "reference", "sectionref", "section")


def validate_qti_package(path: Path) -> list[str]:
    """Problems with a written package (empty list: fine). Used by the export and the tests.

    No QTI 1.2.1 schema ships in any package the project can install, so this checks
    structure: a zip; well-formed XML; the manifest lists each assessment file and its
    assessment_meta.xml, and both exist; each assessment's children come in the DTD's
    order; each item has the parts Canvas needs, a known question_type, points, a
    response element, a SCORE-setting condition and a title unique in the package;
    short answers use plain varequal conditions (no <or>).
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
        ns = {"cp": CP_NS, "q": QTI_NS, "c": CANVAS_NS}
        if man.tag != f"{{{CP_NS}}}manifest":
            problems.append(f"{path}: imsmanifest.xml root is {man.tag}, not manifest")
        resources = {r.get("identifier"): r for r in man.iterfind("cp:resources/cp:resource", ns)}
        titles: dict[str, str] = {}
        for resource in resources.values():
            if resource.get("type") == META_RESOURCE_TYPE:
                continue
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
            problems.extend(f"{path}: {href}: {p}" for p in _check_assessment(doc, ns, titles))
            problems.extend(f"{path}: {href}: {p}"
                            for p in _check_meta(archive, names, resource, resources, doc, ns))
    return problems


def _check_meta(archive: zipfile.ZipFile, names: set[str], resource: _Element,
                resources: dict[str | None, _Element], doc: _Element,
                ns: dict[str, str]) -> list[str]:
    """Canvas reads `<assessment ident>/assessment_meta.xml`, listed as a dependency."""
    test = doc.find("q:assessment", ns)
    ident = test.get("ident") if test is not None else None
    expected = f"{ident}/{ASSESSMENT_META}"
    deps = [resources.get(d.get("identifierref"))
            for d in resource.iterfind(f"{{{CP_NS}}}dependency")]
    metas = [d for d in deps if d is not None and d.get("type") == META_RESOURCE_TYPE]
    if not metas or metas[0].get("href") != expected:
        return [f"no {META_RESOURCE_TYPE} dependency at {expected}"]
    if expected not in names:
        return [f"{expected} is listed but not in the zip"]
    try:
        meta = etree.fromstring(archive.read(expected))
    except etree.XMLSyntaxError as exc:
        return [f"{expected} is not well-formed XML ({exc})"]
    problems = []
    if meta.tag != f"{{{CANVAS_NS}}}quiz" or meta.get("identifier") != ident:
        problems.append(f"{expected}: root must be a Canvas <quiz identifier={ident!r}>")
    for required in ("title", "points_possible", "allowed_attempts", "quiz_type"):
        if not meta.findtext(f"c:{required}", namespaces=ns):
            problems.append(f"{expected}: <{required}> is missing or empty")
    return problems


def _check_assessment(doc: _Element, ns: dict[str, str],
                      titles: dict[str, str] | None = None) -> list[str]:
    problems = []
    titles = {} if titles is None else titles
    if doc.tag != _q("questestinterop"):
        return [f"root is {doc.tag}, not questestinterop"]
    tests = doc.findall("q:assessment", ns)
    if len(tests) != 1 or not tests[0].get("ident") or not tests[0].get("title"):
        return ["needs exactly one assessment with ident and title"]
    order = [etree.QName(child).localname for child in tests[0]]
    ranks = [ASSESSMENT_ORDER.index(tag) if tag in ASSESSMENT_ORDER else -1 for tag in order]
    if -1 in ranks or ranks != sorted(ranks):
        problems.append(f"assessment children {order} are not in the QTI 1.2.1 order")
    items = tests[0].findall("q:section/q:item", ns)
    if not items:
        problems.append("the assessment has no items")
    for item in items:
        ident = item.get("ident") or "(no ident)"
        title = item.get("title") or ""
        if not title:
            problems.append(f"item {ident}: no title")
        elif title in titles:
            problems.append(f"item {ident}: title {title!r} is also the title of "
                            f"{titles[title]}")
        else:
            titles[title] = ident
        for part in REQUIRED_ITEM:
            if item.find(f"q:{part}", ns) is None:
                problems.append(f"item {ident}: <{part}> is missing")
        fields = {f.findtext("q:fieldlabel", namespaces=ns): f.findtext("q:fieldentry",
                                                                         namespaces=ns)
                  for f in item.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", ns)}
        if fields.get("question_type") not in set(CANVAS_TYPES.values()):
            problems.append(f"item {ident}: unknown question_type "
                            f"{fields.get('question_type')!r}")
        if (fields.get("question_type") == "short_answer_question"
                and item.find("q:resprocessing//q:or", ns) is not None):
            problems.append(f"item {ident}: short answers need one plain varequal condition "
                            "per answer, not <or>")
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
