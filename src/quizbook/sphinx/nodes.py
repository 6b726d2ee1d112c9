"""Format-neutral nodes.

Every quizbook node carries readable fallback children built from ordinary
docutils nodes. HTML builders render the node themselves (the visitors registered in
`quiz.py`, `discussion.py` and `progress.py`);
for every other builder `Fallback` replaces the node by its children, so LaTeX,
text and man pages get the questions and options as a plain list.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform


class quiz_node(nodes.General, nodes.Element):  # type: ignore[misc]
    """A quiz. Attributes: `bundle` (the student bundle dict)."""


class inline_html_node(nodes.Inline, nodes.TextElement):  # type: ignore[misc]
    """Inline Markdown already rendered to safe HTML (`html`); its text child is plain text."""


class discussion_node(nodes.General, nodes.Element):  # type: ignore[misc]
    """A think-pair-share discussion. Attributes: `notes_key`, `number`."""


class notes_node(nodes.General, nodes.Element):  # type: ignore[misc]
    """The notes box of a discussion (HTML only). Attributes: `notes_key`, `number`."""


class progress_node(nodes.General, nodes.Element):  # type: ignore[misc]
    """The "My progress" table; filled from the environment when the page is written."""


class Fallback(SphinxPostTransform):
    """For non-HTML builders: unwrap quizbook nodes into their readable children."""

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        if self.app.builder.format == "html":
            return
        for node in list(self.document.findall(notes_node)):
            node.parent.remove(node)
        for node in list(self.document.findall(inline_html_node)):
            node.replace_self(nodes.Text(node.astext()))
        for cls in (quiz_node, discussion_node, progress_node):
            for node in list(self.document.findall(cls)):
                box = nodes.container("", *node.children, classes=list(node["classes"]))
                node.replace_self(box)


def setup(app: Sphinx) -> None:
    app.add_post_transform(Fallback)
