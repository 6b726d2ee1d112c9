"""The `{para} LABEL` directive: a chapter paragraph with a visible number and a label.

How labels become numbers is the book's setting `quizbook_para_prefixes` (default `[p]`:
`p46-1-2` is ¶ 46.1.2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

LABEL = re.compile(r"^[a-z0-9-]+$")
NUMBERS = re.compile(r"^\d+(?:-\d+)*$")


def para_number(label: str, prefixes: Sequence[str] = ("p",)) -> str:
    """The visible number of a label: with prefixes ["p"], p46-1-2 -> "46.1.2"; with
    ["p0-", "p"], p0-3 -> "3" (the longest matching prefix wins). A label that is not a
    prefix followed by numbers joined by "-" stays as it is."""
    for prefix in sorted(prefixes, key=len, reverse=True):
        rest = label[len(prefix):]
        if label.startswith(prefix) and NUMBERS.match(rest):
            return rest.replace("-", ".")
    return label


class ParaDirective(SphinxDirective):
    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        label = self.arguments[0]
        if not LABEL.match(label):
            raise self.error(f"para label {label!r} must match [a-z0-9-]+ (e.g. p46-1-2)")
        number = f"¶ {para_number(label, self.config.quizbook_para_prefixes)}"
        box = nodes.container(classes=["qb-para"], ids=[label])
        self.set_source_info(box)
        content = self.parse_content_to_nodes()
        anchor = nodes.reference("", number, refid=label, classes=["qb-para-num"])
        if content and isinstance(content[0], nodes.paragraph):
            content[0].insert(0, [anchor, nodes.Text(" ")])
        else:
            box += nodes.paragraph("", "", anchor)
        box += content
        std = self.env.get_domain("std")
        std.note_hyperlink_target(label, self.env.docname, label, number)  # type: ignore[attr-defined]
        return [box]


def setup(app: Sphinx) -> None:
    app.add_directive("para", ParaDirective)
