"""Editions: the `quizbook_edition` config value, the `{instructor}` directive and `{only}`.

What a student may see is decided once, while the page is parsed, by two directives:

- `{instructor}`: in the student edition its content is never parsed, so nothing in
  it (text, labels, glossary terms, index entries, quizzes, dependencies) reaches the
  doctree, the search index, the inventory or any output.
- `{only}`: the edition is a Sphinx tag, so `{only} instructor` works as Sphinx's own
  directive does, with one addition: content that no build of this edition can show
  (its expression is false, as Sphinx evaluates it, whatever the builder's tags) is
  never parsed either. Sphinx alone would parse it and drop it only when the page is
  written, after its labels, glossary terms and index entries had already reached
  `objects.inv` and the general index of the student book.

Every output (HTML, search index, notebooks, PDFs) is made from the doctree this
leaves, so none of them can hold what the edition hides.
"""

from __future__ import annotations

import itertools

import jinja2
import jinja2.nodes
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.directives.other import Only
from sphinx.util.docutils import SphinxDirective
from sphinx.util.tags import BooleanParser, Tags

EDITIONS = ("student", "instructor")
#: An `{only}` expression with more tag names than this is left to Sphinx alone.
MAX_FREE_TAGS = 8


def _edition_tag(app: Sphinx, config: Config) -> None:
    """The edition as a Sphinx tag (quizbook.sphinx.settings has validated it)."""
    app.tags.add(config.quizbook_edition)


def never_shown(expression: str, edition: str) -> bool:
    """Whether `{only} expression` is false in this edition for every builder.

    The edition tags are fixed (this edition's is set, the other's is not); every other
    tag name in the expression may be set or not by some builder or `-t` option, so
    Sphinx's own evaluator (`Tags.eval_condition`) is asked for each assignment. An
    expression Sphinx cannot read is left to Sphinx, which reports it.
    """
    try:
        parsed = BooleanParser(jinja2.Environment(), expression, state="variable") \
            .parse_expression()
    except jinja2.TemplateSyntaxError:
        return False
    names = [parsed, *parsed.find_all(jinja2.nodes.Name)]  # find_all skips the root
    free = sorted({n.name for n in names if isinstance(n, jinja2.nodes.Name)} - set(EDITIONS))
    if len(free) > MAX_FREE_TAGS:
        return False
    for chosen in itertools.product((False, True), repeat=len(free)):
        tags = Tags([edition, *(name for name, on in zip(free, chosen, strict=True) if on)])
        try:
            if tags.eval_condition(expression):
                return False
        except ValueError:
            return False
    return True


class EditionOnly(Only):
    """Sphinx's `{only}`, whose content is not parsed when no build of the edition shows it."""

    def run(self) -> list[nodes.Node]:
        if never_shown(self.arguments[0], self.config.quizbook_edition):
            return []
        return super().run()


class InstructorDirective(SphinxDirective):
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        if self.config.quizbook_edition != "instructor":
            return []
        box = nodes.container(classes=["qb-instructor", "admonition", "note"])
        self.set_source_info(box)
        box += nodes.rubric("", self.arguments[0] if self.arguments else "For the instructor")
        box += self.parse_content_to_nodes()
        return [box]


def setup(app: Sphinx) -> None:
    app.connect("config-inited", _edition_tag)
    app.add_directive("instructor", InstructorDirective)
    app.add_directive("only", EditionOnly, override=True)
