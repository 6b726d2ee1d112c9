"""Editions: the `quizbook_edition` config value and the `{instructor}` directive.

In the student edition the directive's content is never parsed, so nothing in it
(text, labels, quizzes, dependencies) reaches the doctree, the search index or
any output. The edition is also a Sphinx tag, so `{only} instructor` works.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util.docutils import SphinxDirective

EDITIONS = ("student", "instructor")


def _edition_tag(app: Sphinx, config: Config) -> None:
    edition = config.quizbook_edition
    if edition not in EDITIONS:
        raise ConfigError(f"quizbook_edition must be one of {', '.join(EDITIONS)}, "
                          f"not {edition!r}")
    app.tags.add(edition)


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
    app.add_config_value("quizbook_edition", "student", "env", types=[str])
    app.connect("config-inited", _edition_tag)
    app.add_directive("instructor", InstructorDirective)
