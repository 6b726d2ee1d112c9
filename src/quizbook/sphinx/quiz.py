"""The `{quiz}` directive: a quiz file rendered at build time (and its answer key)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.load import QuizFileError, load_quiz
from quizbook.markup import inline_html, plain_text
from quizbook.sphinx.nodes import inline_html_node, quiz_node
from quizbook.sphinx.para import para_number
from quizbook.sphinx.render import fmt_points, quiz_html
from quizbook.sphinx.scripts import after_quiz
from quizbook.types import spec_of

logger = logging.getLogger(__name__)


def md(text: str) -> inline_html_node:
    """Inline Markdown as a node: safe HTML for HTML builders, plain text elsewhere."""
    plain = plain_text(text)
    return inline_html_node(plain, plain, html=inline_html(text))


def para(*children: nodes.Node | str) -> nodes.paragraph:
    return nodes.paragraph("", "", *(nodes.Text(c) if isinstance(c, str) else c
                                     for c in children))


def bullets(items: list[list[nodes.Node | str]]) -> nodes.bullet_list:
    return nodes.bullet_list("", *(nodes.list_item("", para(*item)) for item in items))


def readable_question(number: int, q: model.Question, bq: dict[str, Any]) -> nodes.list_item:
    """The student view of one question as plain docutils nodes (no answer marked)."""
    item = nodes.list_item()
    item += para(nodes.strong("", f"Question {number}"), f" ({fmt_points(q.points)}): ",
                 md(q.prompt))
    if not isinstance(q, model.BuiltinQuestion):
        for line in spec_of(q).student_lines(q, bq):
            item += para(md(line))
    elif isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        if isinstance(q, model.MultipleQuestion):
            item += para("Choose every option that applies.")
        item += bullets([[md(o.text)] for o in q.options])
    elif isinstance(q, model.TrueFalseQuestion):
        item += bullets([["True"], ["False"]])
    elif isinstance(q, model.ShortTextQuestion | model.NumericQuestion):
        unit = f" ({q.unit})" if isinstance(q, model.NumericQuestion) and q.unit else ""
        item += para(f"Answer{unit}: ______________________")
    elif isinstance(q, model.OrderingQuestion):
        texts = {i.id: i.text for i in q.items}
        item += para(f"Give each item its position, 1 to {len(q.items)}.")
        item += bullets([["____  ", md(texts[i["id"]])] for i in bq["items"]])
    else:
        item += para("Match each item with one of the choices below.")
        item += bullets([[md(p.left), "  →  ____"] for p in q.pairs])
        item += para("Choices:")
        item += bullets([[f"{r['id'][1:]}. ", nodes.Text(plain_text(r["text"]))]
                         for r in bq["rights"]])
    return item


def answer_text(q: model.Question) -> list[nodes.Node | str]:
    if not isinstance(q, model.BuiltinQuestion):
        parts: list[nodes.Node | str] = []
        for label, answer in spec_of(q).key_parts(q):
            parts += ["; " if parts else "", f"{label}: ", md(answer)]
        return parts
    if isinstance(q, model.SingleQuestion):
        return [md(q.correct_option.text)]
    if isinstance(q, model.MultipleQuestion):
        out: list[nodes.Node | str] = []
        for o in (o for o in q.options if o.correct):
            out += ["; " if out else "", md(o.text)]
        return out
    if isinstance(q, model.TrueFalseQuestion):
        return ["True" if q.answer else "False"]
    if isinstance(q, model.ShortTextQuestion):
        text = " / ".join(q.accept)
        if q.pattern:
            text += f" (or anything matching the pattern {q.pattern})"
        return [text]
    if isinstance(q, model.NumericQuestion):
        unit = f" {q.unit}" if q.unit else ""
        if q.range is not None:
            return [f"from {q.range[0]:g} to {q.range[1]:g}{unit}"]
        assert q.answer is not None  # the model guarantees answer or range
        tol = f" (± {q.tolerance:g})" if q.tolerance else ""
        return [f"{q.answer:g}{unit}{tol}"]
    if isinstance(q, model.OrderingQuestion):
        out = []
        for n, i in enumerate(q.items, 1):
            out += [f"{'; ' if n > 1 else ''}{n}. ", md(i.text)]
        return out
    out = []
    for n, p in enumerate(q.pairs):
        out += ["; " if n else "", md(p.left), " → ", md(p.right)]
    return out


def key_question(number: int, quiz: model.Quiz, q: model.Question, docname: str,
                 para_prefixes: Sequence[str] = ("p",)) -> nodes.list_item:
    item = nodes.list_item(classes=["qb-key-q"], ids=[f"key-{quiz.id}-{q.id}"])
    item += para(nodes.strong("", f"Question {number}"), f" ({q.type}, {fmt_points(q.points)}): ",
                 md(q.prompt))
    item += para(nodes.strong("", "Answer: "), *answer_text(q))
    if q.explanation:
        item += para(nodes.strong("", "Why: "), md(q.explanation))
    wrong: list[list[nodes.Node | str]] = []
    if not isinstance(q, model.BuiltinQuestion):
        wrong += [[f"{what}: ", md(text)] for what, text in spec_of(q).wrong_feedback(q)]
    elif isinstance(q, model.SingleQuestion | model.MultipleQuestion):
        for o in q.options:
            if not o.correct:
                wrong.append([md(o.text), ": ", md(o.feedback) if o.feedback
                              else "(no feedback written)"])
    elif isinstance(q, model.TrueFalseQuestion):
        fb = q.feedback.false if q.answer else q.feedback.true
        wrong.append([f"{not q.answer}: ", md(fb) if fb else "(no feedback written)"])
    elif isinstance(q, model.MatchingQuestion) and q.distractors:
        wrong.append(["Distractors (match nothing): ", "; ".join(q.distractors)])
    if not isinstance(q, model.SingleQuestion | model.MultipleQuestion | model.TrueFalseQuestion) \
            and isinstance(q, model.BuiltinQuestion):
        general = q.feedback
        if general.incorrect:
            wrong.append(["Feedback to a wrong answer: ", md(general.incorrect)])
    if wrong:
        item += para(nodes.strong("", "Why the wrong answers are wrong:"))
        item += bullets(wrong)
    objective = quiz.objective(q.objective)
    item += para(nodes.strong("", "Objective: "), f"{q.objective}: ",
                 md(objective.text) if objective else "(not defined in the quiz file)")
    ref = addnodes.pending_xref("", nodes.inline("", f"¶ {para_number(q.source, para_prefixes)}"),
                                refdomain="std", reftype="ref", reftarget=q.source,
                                refexplicit=True, refwarn=True, refdoc=docname)
    item += para(nodes.strong("", "Source: "), ref, f" ({q.source})")
    if q.instructor_note:
        item += para(nodes.strong("", "Instructor note: "), md(q.instructor_note))
    return item


def answer_key(quiz: model.Quiz, docname: str, para_prefixes: Sequence[str] = ("p",)
               ) -> nodes.container:
    box = nodes.container(classes=["qb-key"], ids=[f"key-{quiz.id}"])
    box += nodes.rubric("", f"Answer key: {plain_text(quiz.title)}")
    box += nodes.enumerated_list("", *(key_question(n, quiz, q, docname, para_prefixes)
                                       for n, q in enumerate(quiz.questions, 1)))
    return box


class QuizDirective(SphinxDirective):
    """```{quiz} ../quizzes/l1-laboratory.yml``` (path relative to the page)."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(rel)
        try:
            quiz = load_quiz(Path(path))
        except QuizFileError as exc:
            for p in exc.problems:
                field = f" {p.field}:" if p.field else ""
                logger.warning(f"{rel}:{p.line}:{p.col}:{field} {p.message}",
                               location=(self.env.docname, self.lineno),
                               type="quizbook", subtype="quiz")
            return [para(f"The quiz {rel} could not be built: see the build log.")]
        bundle = make_bundle(quiz)
        node = quiz_node("", bundle=bundle, classes=["quizbook"])
        self.set_source_info(node)
        node += nodes.rubric("", f"Quiz: {plain_text(quiz.title)}")
        node += nodes.enumerated_list("", *(readable_question(n, q, bq) for n, (q, bq) in
                                            enumerate(zip(quiz.questions, bundle["questions"],
                                                          strict=True), 1)))
        quizzes = _registry(self.env).setdefault(self.env.docname, [])
        quizzes.append({"quiz": quiz.id, "lesson": quiz.lesson, "title": plain_text(quiz.title),
                        "version": bundle["version"], "max": quiz.max_points, "file": rel,
                        "bundle": bundle})
        out: list[nodes.Node] = [node]
        if self.config.quizbook_edition == "instructor":
            out.append(answer_key(quiz, self.env.docname, self.config.quizbook_para_prefixes))
        return out


def _registry(env: BuildEnvironment) -> dict[str, list[dict[str, Any]]]:
    if not hasattr(env, "quizbook_quizzes"):
        env.quizbook_quizzes = {}  # type: ignore[attr-defined]
    reg: dict[str, list[dict[str, Any]]] = env.quizbook_quizzes  # type: ignore[attr-defined]
    return reg


def all_quizzes(env: BuildEnvironment) -> list[tuple[str, dict[str, Any]]]:
    """(docname, quiz info) of every quiz in the book, in the order of the TOC."""
    reg = _registry(env)
    order = {d: n for n, d in enumerate(_toc_order(env))}
    return [(d, info) for d in sorted(reg, key=lambda d: (order.get(d, 10**6), d))
            for info in reg[d]]


def _toc_order(env: BuildEnvironment) -> list[str]:
    seen: list[str] = []

    def walk(doc: str) -> None:
        if doc in seen:
            return
        seen.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return seen


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _registry(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str],
           other: BuildEnvironment) -> None:
    reg = _registry(env)
    for doc, quizzes in _registry(other).items():
        if doc in docnames:
            reg[doc] = quizzes


def _check(app: Sphinx, env: BuildEnvironment) -> None:
    seen: dict[str, str] = {}
    for doc, info in all_quizzes(env):
        if info["quiz"] in seen:
            logger.warning(f"quiz id {info['quiz']!r} ({info['file']}) is also used on "
                           f"{seen[info['quiz']]}: saved results would mix",
                           location=doc, type="quizbook", subtype="quiz")
        seen[info["quiz"]] = doc


def visit_quiz_html(self: SphinxTranslator, node: quiz_node) -> None:
    level = getattr(self, "section_level", 1) + 1
    # Each quiz is mounted right after its markup, by the runtime itself after the first and
    # by a one-line script after the others (quizbook.sphinx.scripts): usable while the rest
    # of the page is still loading.
    self.body.append(quiz_html(node["bundle"], level, self.config.quizbook_hand_in))
    self.body.append(after_quiz(self))
    raise nodes.SkipNode


def visit_inline_html(self: SphinxTranslator, node: inline_html_node) -> None:
    self.body.append(node["html"])
    raise nodes.SkipNode


def setup(app: Sphinx) -> None:
    app.add_node(quiz_node, html=(visit_quiz_html, None))
    app.add_node(inline_html_node, html=(visit_inline_html, None))
    app.add_directive("quiz", QuizDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check)
