"""The `{discussion}` directive: a think-pair-share prompt with timed steps and a notes box."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from quizbook.sphinx.nodes import discussion_node, notes_node
from quizbook.sphinx.render import markup_templates

logger = logging.getLogger(__name__)
STEP = re.compile(r"^\s*([A-Za-z][A-Za-z -]*?)\s+(\d{1,3})\s*$")


def parse_minutes(text: str) -> list[tuple[str, int]]:
    """'think 3, pair 5, share 7' -> [('Think', 3), ('Pair', 5), ('Share', 7)]."""
    steps = []
    for part in text.split(","):
        match = STEP.match(part)
        if not match:
            raise ValueError(f"cannot read {part.strip()!r}: write steps as "
                             f"'think 3, pair 5, share 7' (name, then minutes)")
        steps.append((match.group(1).strip().capitalize(), int(match.group(2))))
    return steps


def stated_steps(content: str, steps: list[tuple[str, int]]) -> tuple[bool, list[str]]:
    """Does the prompt already give every step with its minutes ("**Think (3 min):** ...")?

    Returns (stated, mismatches). When every step is stated the directive adds no
    second, bare list of steps; a step whose minutes differ from `:minutes:` is a
    mismatch the author must fix.
    """
    found, mismatches = 0, []
    for name, minutes in steps:
        match = re.search(rf"\b{re.escape(name)}\b\W{{0,4}}\((\d+)\s*min", content, re.I)
        if match:
            found += 1
            if int(match.group(1)) != minutes:
                mismatches.append(f"the prompt gives {name} {match.group(1)} minutes but "
                                  f":minutes: says {minutes}")
    return found == len(steps), mismatches


class DiscussionDirective(SphinxDirective):
    has_content = True
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "minutes": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        try:
            steps = parse_minutes(self.options.get("minutes", "think 2, pair 3, share 5"))
        except ValueError as exc:
            raise self.error(f"discussion :minutes: {exc}") from None
        number = self.env.temp_data.get("quizbook_discussions", 0) + 1
        self.env.temp_data["quizbook_discussions"] = number
        key = f"quizbook:v1:notes:{self.env.docname}:{number}"
        node = discussion_node("", notes_key=key, number=number, classes=["qb-disc"])
        self.set_source_info(node)
        total = sum(m for _, m in steps)
        node += nodes.rubric("", f"Discussion ({total} minutes)")
        node += self.parse_content_to_nodes()
        stated, mismatches = stated_steps("\n".join(self.content), steps)
        for mismatch in mismatches:
            logger.warning(f"discussion: {mismatch}", location=node, type="quizbook",
                           subtype="discussion")
        if not stated:
            node += self._step_list(steps)
        node += notes_node("", notes_key=key, number=number)
        return [node]

    @staticmethod
    def _step_list(steps: list[tuple[str, int]]) -> nodes.enumerated_list:
        return nodes.enumerated_list(
            "", *(nodes.list_item("", nodes.paragraph("", f"{name}: {minutes} minute"
                                                      f"{'' if minutes == 1 else 's'}"))
                  for name, minutes in steps), classes=["qb-steps"])


def _markup() -> Any:
    """The macros of `quiz_markup/discussion.html.j2` (HTML-escaping by default)."""
    return markup_templates().get_template("discussion.html.j2").module


def visit_discussion_html(self: SphinxTranslator, node: discussion_node) -> None:
    self.body.append(str(_markup().section_open(node["number"])))


def depart_discussion_html(self: SphinxTranslator, node: discussion_node) -> None:
    self.body.append("</section>")


def visit_notes_html(self: SphinxTranslator, node: notes_node) -> None:
    self.body.append(str(_markup().notes(node["number"], node["notes_key"])))
    raise nodes.SkipNode


def setup(app: Sphinx) -> None:
    app.add_node(discussion_node, html=(visit_discussion_html, depart_discussion_html))
    app.add_node(notes_node, html=(visit_notes_html, None))
    app.add_directive("discussion", DiscussionDirective)
