"""The `{para} LABEL` directive: a chapter paragraph with a visible number and a label."""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

LABEL = re.compile(r"^[a-z0-9-]+$")
NUMBERED = re.compile(r"^p(\d+(?:-\d+)*)$")


def para_number(label: str) -> str:
    """p46-1-2 -> "46.1.2"; p0-3 (the prologue) -> "3"; any other label stays as it is."""
    match = NUMBERED.match(label)
    if not match:
        return label
    parts = match.group(1).split("-")
    if parts[0] == "0" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


class ParaDirective(SphinxDirective):
    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        label = self.arguments[0]
        if not LABEL.match(label):
            raise self.error(f"para label {label!r} must match [a-z0-9-]+ (e.g. p46-1-2)")
        number = f"¶ {para_number(label)}"
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
