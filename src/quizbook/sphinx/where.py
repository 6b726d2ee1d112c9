"""Where a problem is: the nearest node that knows its source line, or at least the page."""

from __future__ import annotations

from docutils import nodes


def where(node: nodes.Node, docname: str) -> nodes.Node | tuple[str, int | None]:
    """A Sphinx log `location` for `node`: itself or an ancestor with a line, else the page.

    Nodes made by extensions (notebook outputs, resolved references) often have
    no line; the error must still name the file.
    """
    current: nodes.Node | None = node
    while current is not None:
        if current.source and current.line:
            return current
        current = current.parent
    return (docname, None)
