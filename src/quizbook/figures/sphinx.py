"""Sphinx extension `quizbook.figures.sphinx`: the `{timeline}` and `{placemap}` directives.

    ```{timeline} ../data/timeline.yml
    :alt: One or two sentences saying what the figure shows.
    ```

Each renders, for HTML, a `<figure>` with the inline SVG (role="img", <title>, <desc>),
a visible caption and a text version (a `<details>` list of the events or places).
Other builders (LaTeX, text) get the caption and the list only. The data file is
registered as a dependency, so editing it rebuilds the page. Bad data is reported
as build errors, one per problem, each naming the file, line, column and field. A timeline
event's `lesson` links to that page of the book's lessons folder (`quizbook_lessons_dir`).
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from quizbook import __version__
from quizbook.figures.data import FigureDataError, load_places, load_timeline
from quizbook.figures.svg import map_svg, timeline_svg

logger = logging.getLogger(__name__)


class svg_figure_node(nodes.General, nodes.Element):  # type: ignore[misc]
    """A figure. Attributes: `svg` (markup), `kind`. Children: caption, text version."""


class figure_caption_node(nodes.General, nodes.TextElement):  # type: ignore[misc]
    """The visible caption."""


class figure_text_node(nodes.General, nodes.Element):  # type: ignore[misc]
    """The text version. Attribute: `summary`. Children: a bullet list."""


class _FigureDirective(SphinxDirective):
    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "alt": directives.unchanged_required,
        "caption": directives.unchanged_required,
        "name": directives.unchanged_required,
    }
    kind = ""

    def run(self) -> list[nodes.Node]:
        alt = " ".join(self.options.get("alt", "").split())
        if not alt:
            raise self.error(f"the {{{self.name}}} directive needs an :alt: text that says "
                             "what the figure shows")
        _rel, abspath = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(abspath)
        serial = self.env.new_serialno(f"quizbook-figure-{self.kind}")
        uid = f"qb-{self.kind}-{self.env.docname.replace('/', '-')}-{serial}"
        try:
            caption, svg, summary, items = self.draw(Path(abspath), uid, alt)
        except FigureDataError as exc:
            for problem in exc.problems:
                logger.error(f"{self.name} data: {problem}", location=(self.env.docname,
                                                                        self.lineno),
                             type="quizbook", subtype="figure")
            return [nodes.paragraph("", f"The figure from {self.arguments[0]} could not be "
                                        "drawn: see the build log.")]
        figure = svg_figure_node(svg=svg, kind=self.kind, classes=["qb-figure",
                                                                   f"qb-figure-{self.kind}"])
        figure["ids"] = [uid + "-figure"]
        if "name" in self.options:
            self.add_name(figure)
        self.set_source_info(figure)
        figure += figure_caption_node("", self.options.get("caption", caption))
        text = figure_text_node(summary=summary)
        bullets = nodes.bullet_list()
        for item in items:
            bullets += nodes.list_item("", item)
        text += bullets
        figure += text
        return [figure]

    @abstractmethod
    def draw(self, path: Path, uid: str, alt: str
             ) -> tuple[str, str, str, list[nodes.paragraph]]:
        """SVG markup, title, description and the text alternative for one data file."""


def _lesson_ref(lesson: str, lessons_dir: str) -> Any:
    ref = addnodes.pending_xref("", refdomain="std", reftype="doc",
                                reftarget=f"/{lessons_dir}/{lesson}", refexplicit=False,
                                refwarn=True)
    ref += nodes.inline("", lesson)
    return ref


class TimelineDirective(_FigureDirective):
    kind = "timeline"

    def draw(self, path: Path, uid: str, alt: str
             ) -> tuple[str, str, str, list[nodes.paragraph]]:
        timeline = load_timeline(path)
        svg = timeline_svg(timeline, uid, timeline.title, alt)
        items = []
        for event in timeline.events:
            para = nodes.paragraph()
            para += nodes.strong("", event.display_date)
            para += nodes.Text(f": {event.label}")
            if event.lesson:
                para += nodes.Text(" (see ")
                para += _lesson_ref(event.lesson, self.config.quizbook_lessons_dir)
                para += nodes.Text(")")
            items.append(para)
        return timeline.title, svg, "Text version: the events on this timeline", items


class PlaceMapDirective(_FigureDirective):
    kind = "placemap"

    def draw(self, path: Path, uid: str, alt: str
             ) -> tuple[str, str, str, list[nodes.paragraph]]:
        places = load_places(path)
        svg = map_svg(places, uid, places.title, alt)
        items = []
        for place in places.places:
            para = nodes.paragraph()
            para += nodes.strong("", place.name)
            lat = f"{place.lat:.2f}° N, {place.lon:.2f}° E"
            kind = places.kind(place.kind).label.lower()
            note = f": {place.note}" if place.note else ""
            para += nodes.Text(f" ({kind}, about {lat}){note}")
            items.append(para)
        for route in places.routes:
            para = nodes.paragraph()
            para += nodes.strong("", route.name)
            para += nodes.Text(": " + " – ".join(places.place(s).name for s in route.via))
            items.append(para)
        if places.lines:
            pairs = sorted("–".join(pair) for pair in places.borders)
            para = nodes.paragraph()
            para += nodes.strong("", "Borders drawn")
            para += nodes.Text(": " + ", ".join(pairs) + f". Source: {places.borders_source}.")
            items.append(para)
        note = nodes.paragraph("", places.note)
        items.append(note)
        return places.title, svg, "Text version: the places on this map", items


# HTML ---------------------------------------------------------------------------------

def visit_figure_html(self: SphinxTranslator, node: svg_figure_node) -> None:
    self.body.append(self.starttag(node, "figure"))
    self.body.append(node["svg"])


def depart_figure_html(self: SphinxTranslator, node: svg_figure_node) -> None:
    self.body.append("</figure>\n")


def visit_caption_html(self: SphinxTranslator, node: figure_caption_node) -> None:
    self.body.append(self.starttag(node, "figcaption", CLASS="qb-figure-caption"))


def depart_caption_html(self: SphinxTranslator, node: figure_caption_node) -> None:
    self.body.append("</figcaption>\n")


def visit_text_html(self: SphinxTranslator, node: figure_text_node) -> None:
    self.body.append(self.starttag(node, "details", CLASS="qb-figure-text"))
    self.body.append(f"<summary>{self.encode(node['summary'])}</summary>\n")


def depart_text_html(self: SphinxTranslator, node: figure_text_node) -> None:
    self.body.append("</details>\n")


class FigureFallback(SphinxPostTransform):
    """For non-HTML builders: caption and text version as ordinary paragraphs and lists."""

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        if self.app.builder.format == "html":
            return
        for caption in list(self.document.findall(figure_caption_node)):
            caption.replace_self(nodes.paragraph("", "", nodes.strong("", caption.astext())))
        for text in list(self.document.findall(figure_text_node)):
            box = nodes.container("", nodes.paragraph("", text["summary"]), *text.children)
            text.replace_self(box)
        for figure in list(self.document.findall(svg_figure_node)):
            box = nodes.container("", *figure.children, classes=list(figure["classes"]))
            box["ids"] = list(figure["ids"])
            figure.replace_self(box)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("quizbook.sphinx.settings")  # quizbook_lessons_dir
    app.add_node(svg_figure_node, html=(visit_figure_html, depart_figure_html))
    app.add_node(figure_caption_node, html=(visit_caption_html, depart_caption_html))
    app.add_node(figure_text_node, html=(visit_text_html, depart_text_html))
    app.add_directive("timeline", TimelineDirective)
    app.add_directive("placemap", PlaceMapDirective)
    app.add_post_transform(FigureFallback)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
