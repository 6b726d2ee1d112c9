"""A lesson's resolved doctree lowered to notebook cells.

The doctree is the one Sphinx writes the lesson's HTML page from, for the edition
being built: `{only}` has been evaluated by Sphinx and `{instructor}` left nothing in
the student edition. Whatever the page does not show is not in the doctree, so no
nesting (a list item, a quote, an admonition, a table, a dropdown, tabs) can carry
instructor text into a student notebook.

Block-level nodes become Markdown; the `{discussion}` notes box and the `{quiz}`
become code cells (the quiz through `quiz_cell.quiz_cells`, the only place that
decides what a quiz looks like in a notebook). Node types this module does not know
are lowered through their children, so no text of the page is lost.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat as _nbformat
from docutils import nodes
from lxml import etree

from quizbook.notebooks import markdown as md
from quizbook.notebooks.edition import Edition
from quizbook.notebooks.quiz_cell import quiz_cells, widget_import

#: nbformat has partial type hints; use it untyped.
nbformat: Any = _nbformat

#: Blocks that share a cell with the blocks next to them; every other block (a
#: directive's box, a figure, a discussion) gets a cell of its own.
PLAIN = (nodes.paragraph, nodes.bullet_list, nodes.enumerated_list, nodes.definition_list,
         nodes.block_quote, nodes.literal_block, nodes.doctest_block, nodes.table,
         nodes.line_block, nodes.field_list, nodes.transition, nodes.math_block,
         nodes.footnote, nodes.citation, nodes.Text)
#: Nodes the HTML writer does not show (or that only steer the build).
INVISIBLE = (nodes.Invisible, nodes.comment, nodes.substitution_definition, nodes.pending,
             nodes.raw, nodes.system_message, nodes.meta, nodes.decoration)
#: Boxes with a title, shown as a block quote.
BOXES = (nodes.Admonition, nodes.topic, nodes.sidebar)


class NotebookError(Exception):
    """A lesson that cannot become a notebook; the message names file, line and what is wrong."""


@dataclass
class Lesson:
    """What the lowering needs besides the doctree."""

    name: str  # the notebook's name: lessons/01-laboratory -> 01-laboratory
    edition: Edition
    srcdir: Path
    quiz_file: Callable[[str], Path | None]  # quiz id -> its file
    quizzes: list[str] = field(default_factory=list)  # filled: the quiz ids, in order


def _tag(node: nodes.Node) -> str:
    return type(node).__name__


def _classes(node: nodes.Node) -> list[str]:
    return list(node.get("classes", [])) if isinstance(node, nodes.Element) else []


class Lowering:
    """Lower one document. `cells()` returns nbformat cells (without ids)."""

    def __init__(self, document: nodes.document, lesson: Lesson) -> None:
        self.document = document
        self.lesson = lesson
        self.out: list[Any] = []
        self.blocks: list[str] = []  # Markdown blocks of the cell being filled
        self.plain = False  # the cell being filled holds only PLAIN blocks
        self.attachments: dict[str, dict[str, str]] = {}
        self.later: list[Any] = []  # code cells that follow the cell being filled
        self.carry: list[str] = []  # anchors (and labels) for the next paragraph
        self.anchored = self._anchored_ids()

    # -- cells ---------------------------------------------------------------------------

    def cells(self) -> list[Any]:
        self._body(self.document.children, 0)
        if self.carry:
            self.blocks.append(self._take_carry())
        self._flush()
        return self.out

    def _flush(self) -> None:
        source = "\n\n".join(b for b in self.blocks if b.strip()).strip("\n")
        if source.strip():
            cell = nbformat.v4.new_markdown_cell(source)
            if self.attachments:
                cell.attachments = dict(self.attachments)
            self.out.append(cell)
        self.out.extend(self.later)
        self.blocks, self.plain, self.attachments, self.later = [], False, {}, []

    def _body(self, children: list[nodes.Node], level: int) -> None:
        for child in children:
            if isinstance(child, nodes.section):
                self._section(child, level + 1)
            elif isinstance(child, nodes.title):
                continue  # the section's heading
            elif isinstance(child, INVISIBLE):
                self.block(child)  # nothing to show; a target's anchor goes to the next block
            elif isinstance(child, PLAIN):
                if not self.plain:
                    self._flush()
                self.blocks.append(self.block(child))
                self.plain = True
            else:
                self._flush()
                self.blocks.append(self.block(child))
                self._flush()

    def _section(self, section: nodes.section, level: int) -> None:
        self._flush()
        title = next((c for c in section.children if isinstance(c, nodes.title)), None)
        self._anchor(section)
        if title is not None:
            heading = "#" * min(max(level, 1), 6) + " " + self.inline(title).strip()
            anchors = "".join(self.carry)
            self.carry = []
            self.blocks.append(f"{anchors}\n\n{heading}" if anchors else heading)
            self._flush()
        self._body(section.children, level)
        self._flush()

    # -- anchors -------------------------------------------------------------------------

    def _anchored_ids(self) -> set[str]:
        """Ids a notebook link can point at: the paragraphs of the chapter (quiz sources),
        explicit targets, and whatever this page links to."""
        ids: set[str] = set()
        for node in self.document.findall(nodes.Element):
            if "qb-para" in _classes(node):
                ids.update(node["ids"])
            refid = node.get("refid")
            if isinstance(node, nodes.reference | nodes.footnote_reference) and refid:
                ids.add(refid)
            uri = node.get("refuri", "")
            if isinstance(node, nodes.reference) and uri.startswith("#"):
                ids.add(uri[1:])
            for name in node.get("names", []):
                if self.document.nametypes.get(name):  # explicit: `(name)=`, `:name:`
                    target = self.document.nameids.get(name)
                    if target:
                        ids.add(target)
        return ids

    def _anchor(self, node: nodes.Element) -> None:
        for name in node.get("ids", []):
            if name in self.anchored:
                self.carry.append(md.anchor(name))

    def _take_carry(self) -> str:
        prefix = "".join(self.carry)
        self.carry = []
        return prefix

    # -- blocks --------------------------------------------------------------------------

    def blocks_of(self, children: list[nodes.Node]) -> str:
        return "\n\n".join(b for b in (self.block(c) for c in children) if b.strip())

    def block(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Text):
            return self._paragraph_text(md.text(str(node)))
        if not isinstance(node, nodes.Element):
            return ""
        if isinstance(node, nodes.target):
            self._anchor(node)
            return ""
        if isinstance(node, INVISIBLE):
            return ""
        self._anchor(node)
        tag = _tag(node)
        classes = _classes(node)
        if isinstance(node, nodes.paragraph):
            return self._paragraph_text(self.inline(node).strip())
        if isinstance(node, nodes.bullet_list | nodes.enumerated_list):
            return self._list(node)
        if isinstance(node, nodes.block_quote):
            return md.quote(self.blocks_of(node.children))
        if isinstance(node, nodes.attribution):
            return self._paragraph_text("— " + self.inline(node).strip())
        if isinstance(node, nodes.literal_block | nodes.doctest_block):
            return self._carried_block(md.code_block(node.astext(), node.get("language", "")))
        if isinstance(node, nodes.math_block):
            return self._carried_block(f"$$\n{node.astext().strip()}\n$$")
        if isinstance(node, nodes.transition):
            return "---"
        if isinstance(node, nodes.table):
            return self._carried_block(self._table(node))
        if isinstance(node, nodes.definition_list):
            return self._definitions(node)
        if isinstance(node, nodes.field_list):
            return self._fields(node)
        if isinstance(node, nodes.line_block):
            return self._paragraph_text("<br>\n".join(self.inline(line).strip() for line in
                                                      node.findall(nodes.line)))
        if isinstance(node, nodes.footnote | nodes.citation):
            label = next((c.astext() for c in node.children if isinstance(c, nodes.label)), "")
            self.carry.append(f"\\[{md.text(label)}\\] ")
            return self.blocks_of([c for c in node.children if not isinstance(c, nodes.label)])
        if isinstance(node, nodes.rubric):
            return self._paragraph_text(md.emphasis(self.inline(node), "**"))
        if isinstance(node, nodes.title | nodes.caption):
            return self._paragraph_text(md.emphasis(self.inline(node), "**"))
        if isinstance(node, nodes.figure):
            return self._figure(node)
        if isinstance(node, nodes.image):
            return self._carried_block(self._image(node))
        if isinstance(node, BOXES):
            return self._box(node, self._admonition_title(node))
        if tag == "discussion_node":
            return self._discussion(node)
        if tag == "notes_node":
            self._notes(node)
            return ""
        if tag == "quiz_node":
            self._quiz(node)
            return ""
        if tag == "svg_figure_node":
            return self._svg_figure(node)
        if tag == "figure_caption_node":
            return self._paragraph_text(md.emphasis(self.inline(node), "*"))
        if tag == "figure_text_node":
            summary = md.emphasis(md.text(node.get("summary", "")), "**")
            return "\n\n".join(b for b in (summary, self.blocks_of(node.children)) if b)
        if tag == "dropdown_main":  # sphinx-design
            title = next((c for c in node.children if _tag(c) == "dropdown_title"), None)
            body = [c for c in node.children if c is not title]
            return self._box_of(self.inline(title).strip() if title is not None else "", body)
        if tag in ("sd_tab_input",):
            return ""
        if tag == "sd_tab_label":
            return self._paragraph_text(md.emphasis(self.inline(node), "**"))
        if isinstance(node, nodes.container):
            return self._container(node, classes)
        if isinstance(node, nodes.TextElement) or all(
                isinstance(c, nodes.Inline | nodes.Text) for c in node.children):
            return self._paragraph_text(self.inline(node).strip())
        return self.blocks_of(node.children)

    def _paragraph_text(self, text: str) -> str:
        prefix = self._take_carry()
        if not text and not prefix:
            return ""
        return prefix + md.guard_start(text) if text else prefix

    def _carried_block(self, block: str) -> str:
        prefix = self._take_carry()
        return f"{prefix}\n\n{block}" if prefix else block

    def _list(self, node: nodes.Element) -> str:
        items = [c for c in node.children if isinstance(c, nodes.list_item)]
        tight = all(sum(isinstance(g, nodes.paragraph) for g in item.children) <= 1
                    and all(isinstance(g, nodes.paragraph | nodes.bullet_list
                                       | nodes.enumerated_list) for g in item.children)
                    for item in items)
        out = []
        start = int(node.get("start", 1)) if isinstance(node, nodes.enumerated_list) else 1
        suffix = node.get("suffix", ".") if isinstance(node, nodes.enumerated_list) else ""
        for n, item in enumerate(items, start):
            self._anchor(item)
            marker = f"{n}{suffix if suffix in ('.', ')') else '.'} " \
                if isinstance(node, nodes.enumerated_list) else "- "
            parts = [self.block(c) for c in item.children]
            body = ("\n" if tight else "\n\n").join(p for p in parts if p.strip()) or ""
            out.append(md.indent(body, marker, " " * len(marker)))
        return ("\n" if tight else "\n\n").join(out)

    def _table(self, node: nodes.table) -> str:
        header: list[str] | None = None
        rows: list[list[str]] = []
        title = next((c for c in node.children if isinstance(c, nodes.title)), None)
        for group in node.findall(nodes.tgroup):
            for part in group.children:
                for row in (r for r in part.children if isinstance(r, nodes.row)):
                    cells = [self._cell(entry) for entry in row.children
                             if isinstance(entry, nodes.entry)]
                    if isinstance(part, nodes.thead) and header is None:
                        header = cells
                    else:
                        rows.append(cells)
        text = md.table(rows, header)
        if title is not None:
            text = md.emphasis(self.inline(title), "**") + "\n\n" + text
        return text

    def _cell(self, entry: nodes.entry) -> str:
        text = self.blocks_of(entry.children)
        return text.replace("\n\n", "<br><br>").replace("\n", " ")

    def _definitions(self, node: nodes.Element) -> str:
        out = []
        for item in node.findall(nodes.definition_list_item):
            self._anchor(item)
            terms = [c for c in item.children if isinstance(c, nodes.term | nodes.classifier)]
            for term_node in terms:
                self._anchor(term_node)
            term = " : ".join(self.inline(t).strip() for t in terms)
            out.append(self._paragraph_text(md.emphasis(term, "**")))
            for definition in (c for c in item.children if isinstance(c, nodes.definition)):
                out.append(self.blocks_of(definition.children))
        return "\n\n".join(o for o in out if o)

    def _fields(self, node: nodes.Element) -> str:
        out = []
        for item in node.findall(nodes.field):
            name = next((c for c in item.children if isinstance(c, nodes.field_name)), None)
            body = next((c for c in item.children if isinstance(c, nodes.field_body)), None)
            label = md.emphasis(self.inline(name), "**") + ": " if name is not None else ""
            self.carry.append(label)
            out.append(self.blocks_of(body.children) if body is not None else label)
        return "\n\n".join(o for o in out if o)

    def _admonition_title(self, node: nodes.Element) -> str:
        title = next((c for c in node.children if isinstance(c, nodes.title)), None)
        if title is not None:
            return self.inline(title).strip()
        names = {"seealso": "See also", "admonition": "Note"}
        return names.get(_tag(node), _tag(node).replace("_", " ").capitalize())

    def _box(self, node: nodes.Element, title: str) -> str:
        body = [c for c in node.children if not isinstance(c, nodes.title)]
        return self._box_of(title, body)

    def _box_of(self, title: str, body: list[nodes.Node]) -> str:
        """A directive's box (admonition, dropdown, instructor notes) as a block quote."""
        head = md.emphasis(title, "**") if title else ""
        inner = self.blocks_of(body)
        return md.quote("\n\n".join(p for p in (head, inner) if p))

    def _container(self, node: nodes.Element, classes: list[str]) -> str:
        if "qb-instructor" in classes:
            rubric = next((c for c in node.children if isinstance(c, nodes.rubric)), None)
            title = self.inline(rubric).strip() if rubric is not None else "For the instructor"
            return self._box_of(f"🎓 {title}", [c for c in node.children if c is not rubric])
        if "qb-key" in classes:
            parts = []
            for child in node.children:
                if isinstance(child, nodes.rubric):
                    parts.append("### " + self.inline(child).strip())
                else:
                    parts.append(self.block(child))
            return "\n\n".join(p for p in parts if p)
        if node.get("nb_element") == "cell_code":  # a code cell of a notebook page (myst-nb)
            self._code_cell(node)
            return ""
        if node.get("design_component") == "card-title":
            return self._paragraph_text(md.emphasis(self.inline(node), "**"))
        return self.blocks_of(node.children)

    # -- quizbook nodes ------------------------------------------------------------------

    def _discussion(self, node: nodes.Element) -> str:
        parts = []
        for child in node.children:
            if isinstance(child, nodes.rubric):
                parts.append("### " + self.inline(child).strip())
            else:
                parts.append(self.block(child))
        return "\n\n".join(p for p in parts if p)

    def _notes(self, node: nodes.Element) -> None:
        number = str(node.get("number", len(self.later) + 1))
        self.later.append(nbformat.v4.new_code_cell(
            "# Your notes for this discussion: they are saved next to this notebook.\n"
            f"{widget_import('notes_box')}\n\n"
            f"notes_box({self.lesson.name!r}, {number!r})",
            metadata={"tags": ["quizbook-notes"]}))

    def _quiz(self, node: nodes.Element) -> None:
        quiz_id = str(node["bundle"]["id"])
        path = self.lesson.quiz_file(quiz_id)
        if path is None:
            raise NotebookError(f"the quiz {quiz_id!r} has no quiz file the build knows of")
        self.lesson.quizzes.append(quiz_id)
        self.later.extend(quiz_cells(path, self.lesson.edition))

    def _code_cell(self, node: nodes.Element) -> None:
        source = next((c for c in node.findall(nodes.literal_block)), None)
        if source is None:
            return
        self.later.append(nbformat.v4.new_code_cell(source.astext()))

    # -- figures -------------------------------------------------------------------------

    def _figure(self, node: nodes.Element) -> str:
        parts = []
        for child in node.children:
            if isinstance(child, nodes.image):
                parts.append(self._carried_block(self._image(child)))
            elif isinstance(child, nodes.caption):
                parts.append(self._paragraph_text(md.emphasis(self.inline(child), "*")))
            else:
                parts.append(self.block(child))
        return "\n\n".join(p for p in parts if p)

    def _image(self, node: nodes.Element) -> str:
        uri = str(node.get("uri", ""))
        alt = md.text(str(node.get("alt", "")) or Path(uri).name)
        if md.is_safe_url(uri) and not uri.startswith("#"):
            return f"![{alt}]({uri})"
        candidates = node.get("candidates") or {}
        if not isinstance(candidates, dict):
            candidates = {}
        # `*` for a plain path; for `image.*` one file per type, any of which will do.
        rel = str(candidates.get("*") or next(iter(candidates.values()), uri))
        path = self.lesson.srcdir / rel
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise NotebookError(f"{rel}: cannot read the image ({exc.strerror})") from None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f"![{alt}](attachment:{self._attach(path.name, mime, data)})"

    def _attach(self, name: str, mime: str, data: bytes) -> str:
        key, n = name, 1
        while key in self.attachments:
            n += 1
            key = f"{n}-{name}"
        self.attachments[key] = {mime: base64.b64encode(data).decode("ascii")}
        return key

    def _svg_figure(self, node: nodes.Element) -> str:
        """A figure the book draws (timeline, map): the drawing, its caption, its text."""
        svg = str(node.get("svg", ""))
        alt = ""
        try:
            root = etree.fromstring(svg.encode("utf-8"))
            desc = root.find("{http://www.w3.org/2000/svg}desc")
            alt = desc.text or "" if desc is not None else ""
        except etree.XMLSyntaxError:
            svg = ""
        parts = []
        if svg:
            name = f"{(node.get('ids') or ['figure'])[0]}.svg"
            key = self._attach(name, "image/svg+xml", svg.encode("utf-8"))
            parts.append(self._carried_block(f"![{md.text(' '.join(alt.split()))}]"
                                             f"(attachment:{key})"))
        parts += [self.block(child) for child in node.children]
        return "\n\n".join(p for p in parts if p)

    # -- inline --------------------------------------------------------------------------

    def inline(self, node: nodes.Node) -> str:
        return "".join(self._inline(c) for c in node.children) \
            if isinstance(node, nodes.Element) else self._inline(node)

    def _inline(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Text):
            return md.text(str(node))
        if not isinstance(node, nodes.Element):
            return ""
        if isinstance(node, nodes.target):
            return "".join(md.anchor(i) for i in node.get("ids", []) if i in self.anchored)
        if isinstance(node, INVISIBLE):
            return ""
        tag = _tag(node)
        if tag == "inline_html_node":
            return md.html_text(str(node.get("html", "")))
        if isinstance(node, nodes.emphasis | nodes.title_reference):
            return md.emphasis(self.inline(node), "*")
        if isinstance(node, nodes.strong):
            return md.emphasis(self.inline(node), "**")
        if isinstance(node, nodes.literal):
            return md.code_span(node.astext())
        if isinstance(node, nodes.math):
            return f"${node.astext()}$"
        if isinstance(node, nodes.subscript):
            return f"<sub>{self.inline(node)}</sub>"
        if isinstance(node, nodes.superscript):
            return f"<sup>{self.inline(node)}</sup>"
        if isinstance(node, nodes.footnote_reference | nodes.citation_reference):
            label = f"\\[{md.text(node.astext())}\\]"
            refid = node.get("refid")
            return md.link(label, f"#{refid}") if refid else label
        if isinstance(node, nodes.reference):
            return self._reference(node)
        if isinstance(node, nodes.image):
            return self._image(node)
        return self.inline(node)

    def _reference(self, node: nodes.Element) -> str:
        label = self.inline(node)
        if "qb-para-num" in _classes(node):
            return md.emphasis(label, "**")  # the paragraph's own number
        refid = node.get("refid")
        if refid:
            return md.link(label, f"#{refid}")
        uri = str(node.get("refuri", ""))
        if uri.startswith("#"):
            return md.link(label, uri)
        if node.get("internal") or not md.is_safe_url(uri):
            # Another page of the book: the notebook stands alone, so say what it is.
            kinds = {c for n in node.findall(nodes.inline) for c in _classes(n)}
            if "std-term" in kinds:
                return md.emphasis(label, "*")
            if "std-doc" in kinds or "doc" in kinds:
                return f"“{label}” (a page of the book)"
            return label
        return md.link(label, uri)
