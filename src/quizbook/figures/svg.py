"""Draw the figures as inline SVG with lxml.

The SVG is self-contained: no external fonts, images or styles. It carries
`role="img"`, a `<title>` and a `<desc>`; every colour used for text has a contrast
ratio of at least 7:1 against the white background (WCAG AA needs 4.5:1).
"""

from __future__ import annotations

import itertools
import math
import textwrap

from lxml import etree

from quizbook.figures.data import PlaceMap, Timeline

Point = tuple[float, float]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Colours (contrast against #ffffff in brackets).
INK = "#1a1a1a"  # body text (17.4:1)
MUTED = "#4d4d4d"  # ticks, notes (8.5:1)
ACCENT = "#1f4e79"  # event dates and markers (8.6:1)
ROUTE = "#a4410e"  # land-bridge line, a graphic (6.0:1; 3:1 needed)
SEA = "#24527a"  # sea labels (8.0:1)
GRID = "#d9d9d9"  # graticule, decorative
COAST = "#4f7396"  # coastlines, a graphic (4.9:1)
BORDER = "#5c5c5c"  # land borders, a graphic (6.7:1)
SHAPE_FILL = {"circle": INK, "square": ACCENT, "diamond": "#7a3b00", "triangle": "#5b2a86"}


def _el(parent: etree._Element | None, tag: str, text: str | None = None, /,
        **attrs: str | float) -> etree._Element:
    values = {k.rstrip("_").replace("_", "-"): _fmt(v) for k, v in attrs.items()}
    node = (etree.SubElement(parent, f"{{{SVG_NS}}}{tag}", values) if parent is not None
            else etree.Element(f"{{{SVG_NS}}}{tag}", values, nsmap={None: SVG_NS}))
    if text is not None:
        node.text = text
    return node


def _fmt(value: str | float) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _root(width: float, height: float, uid: str, title: str, desc: str) -> etree._Element:
    svg = _el(None, "svg", viewBox=f"0 0 {_fmt(width)} {_fmt(height)}", width="100%",
              role="img", aria_labelledby=f"{uid}-title {uid}-desc", font_family=FONT,
              class_="qb-figure-svg", style=f"max-width:{_fmt(width)}px;height:auto")
    svg.set("id", uid)
    _el(svg, "title", title, id=f"{uid}-title")
    _el(svg, "desc", desc, id=f"{uid}-desc")
    _el(svg, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")
    return svg


def _serialise(svg: etree._Element) -> str:
    return str(etree.tostring(svg, encoding="unicode"))


def timeline_svg(timeline: Timeline, uid: str, title: str, desc: str) -> str:
    """A vertical timeline: years down the left, one labelled marker per event.

    Drawn 420 units wide so that on a 390 px phone (about 340 px of column) the
    13-14 px labels still render 12 px tall or more; wider screens show it at 420 px.
    """
    width, top, per_year, axis_x, text_x = 420.0, 28.0, 34.0, 50.0, 78.0
    line_h, wrap = 17.0, 44

    def y_of(position: float) -> float:
        return top + (position - timeline.start) * per_year

    svg = _root(width, 10.0, uid, title, desc)  # height fixed below
    axis_end = y_of(timeline.end)
    _el(svg, "line", x1=axis_x, y1=top, x2=axis_x, y2=axis_end, stroke=MUTED,
        stroke_width=2)
    for year in range(timeline.start, timeline.end + 1):
        y = y_of(year)
        _el(svg, "line", x1=axis_x - 6, y1=y, x2=axis_x, y2=y, stroke=MUTED, stroke_width=1.5)
        _el(svg, "text", str(year), x=axis_x - 12, y=y + 4.5, fill=MUTED, font_size=13,
            text_anchor="end")

    bottom = 0.0
    for event in timeline.events:
        y = y_of(event.position)
        first = max(y + 5.0, bottom + line_h + 6.0)
        group = _el(svg, "g", class_="qb-event")
        _el(group, "circle", cx=axis_x, cy=y, r=6, fill=ACCENT, stroke="#ffffff",
            stroke_width=1.5)
        _el(group, "polyline", points=f"{_fmt(axis_x + 7)},{_fmt(y)} {_fmt(text_x - 16)},{_fmt(y)}"
            f" {_fmt(text_x - 6)},{_fmt(first - 5)}", fill="none", stroke=ACCENT,
            stroke_width=1.2)
        text = _el(group, "text", x=text_x, y=first, fill=INK, font_size=14)
        date = _el(text, "tspan", event.display_date, fill=ACCENT, font_weight="bold")
        date.tail = None
        # The first line also holds the date: wrap as if it were indented by it.
        lead = " " * (len(event.display_date) + 3)
        lines = [line.strip() for line in textwrap.wrap(event.label, wrap, initial_indent=lead)]
        lines = [line for line in lines if line] or [event.label]
        label = _el(text, "tspan", " · " + lines[0])
        label.tail = None
        for extra in lines[1:]:
            _el(text, "tspan", extra, x=text_x, dy=line_h)
        bottom = first + line_h * (len(lines) - 1)
    height = max(axis_end, bottom) + 24.0
    svg.set("viewBox", f"0 0 {_fmt(width)} {_fmt(height)}")
    for rect in svg.iter(f"{{{SVG_NS}}}rect"):
        rect.set("height", _fmt(height))
        break
    return _serialise(svg)


def _marker(parent: etree._Element, shape: str, x: float, y: float) -> None:
    fill = SHAPE_FILL[shape]
    common: dict[str, str | float] = {"fill": fill, "stroke": "#ffffff", "stroke_width": 1.5}
    if shape == "circle":
        _el(parent, "circle", cx=x, cy=y, r=5.5, **common)
    elif shape == "square":
        _el(parent, "rect", x=x - 5.5, y=y - 5.5, width=11, height=11, **common)
    elif shape == "diamond":
        _el(parent, "polygon", points=f"{_fmt(x)},{_fmt(y - 7)} {_fmt(x + 7)},{_fmt(y)} "
            f"{_fmt(x)},{_fmt(y + 7)} {_fmt(x - 7)},{_fmt(y)}", **common)
    else:
        _el(parent, "polygon", points=f"{_fmt(x)},{_fmt(y - 7)} {_fmt(x + 7)},{_fmt(y + 6)} "
            f"{_fmt(x - 7)},{_fmt(y + 6)}", **common)


def _clip_segment(a: Point, b: Point, box: tuple[float, float, float, float]
                  ) -> tuple[Point, Point] | None:
    """Liang-Barsky: the part of segment a-b inside box (x0, y0, x1, y1), or None."""
    (x0, y0, x1, y1), (ax, ay), (bx, by) = box, a, b
    dx, dy = bx - ax, by - ay
    low, high = 0.0, 1.0
    for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return None
    return (ax + low * dx, ay + low * dy), (ax + high * dx, ay + high * dy)


def _clip_line(points: list[Point], box: tuple[float, float, float, float]) -> list[list[Point]]:
    """A polyline cut to the box: the runs of it that lie inside."""
    runs: list[list[Point]] = []
    for a, b in itertools.pairwise(points):
        part = _clip_segment(a, b, box)
        if part is None:
            continue
        if runs and runs[-1][-1] == part[0]:
            runs[-1].append(part[1])
        else:
            runs.append([part[0], part[1]])
    return runs


def map_svg(places: PlaceMap, uid: str, title: str, desc: str) -> str:
    """An equirectangular map: graticule, borders and coasts, places, routes (dashed),
    legend, notes."""
    scale, margin, top = 37.0, 40.0, 16.0
    (west, east), (south, north) = places.lon, places.lat
    plot_w, plot_h = (east - west) * scale, (north - south) * scale
    legend_y = top + plot_h + 42.0
    width, height = plot_w + 2 * margin, legend_y + (90.0 if places.lines else 70.0)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return margin + (lon - west) * scale, top + (north - lat) * scale

    svg = _root(width, height, uid, title, desc)
    grid = _el(svg, "g", class_="qb-graticule")
    _el(grid, "rect", x=margin, y=top, width=plot_w, height=plot_h, fill="none",
        stroke=MUTED, stroke_width=1)
    for lon in range(math.ceil(west), math.floor(east) + 1):
        if lon % 2:
            continue
        x, _ = xy(south, lon)
        _el(grid, "line", x1=x, y1=top, x2=x, y2=top + plot_h, stroke=GRID, stroke_width=1)
        _el(grid, "text", f"{lon}°E", x=x, y=top + plot_h + 16, fill=MUTED, font_size=12,
            text_anchor="middle")
    for lat in range(math.ceil(south), math.floor(north) + 1):
        _, y = xy(lat, west)
        _el(grid, "line", x1=margin, y1=y, x2=margin + plot_w, y2=y, stroke=GRID,
            stroke_width=1)
        _el(grid, "text", f"{lat}°N", x=margin - 4, y=y + 4, fill=MUTED, font_size=12,
            text_anchor="end")

    box = (margin, top, margin + plot_w, top + plot_h)
    if places.lines:
        drawn = _el(svg, "g", class_="qb-borders")
        for line in places.lines:
            projected = [xy(lat, lon) for lon, lat in line.points]
            for run in _clip_line(projected, box):
                style: dict[str, str | float] = (
                    {"stroke": BORDER, "stroke_width": 1.3, "stroke_dasharray": "5 3",
                     "class_": "qb-border"} if line.kind == "border"
                    else {"stroke": COAST, "stroke_width": 1.2, "class_": "qb-coast"})
                _el(drawn, "polyline", points=" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in run),
                    fill="none", stroke_linejoin="round", **style)
    for country in places.countries:
        x, y = xy(country.lat, country.lon)
        _el(svg, "text", country.name.upper(), x=x, y=y, fill=MUTED, font_size=12,
            letter_spacing="2", text_anchor="middle", class_="qb-country")

    for sea in places.seas:
        x, y = xy(sea.lat, sea.lon)
        attrs: dict[str, str | float] = {"x": x, "y": y, "fill": SEA, "font_size": 12,
                                         "font_style": "italic", "text_anchor": "middle"}
        if sea.rotate:
            attrs["transform"] = f"rotate({_fmt(sea.rotate)} {_fmt(x)} {_fmt(y)})"
        _el(svg, "text", sea.name, **attrs)

    for route in places.routes:
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in
                          (xy(places.place(s).lat, places.place(s).lon) for s in route.via))
        _el(svg, "polyline", points=points, fill="none", stroke=ROUTE, stroke_width=3,
            stroke_dasharray="9 6", stroke_linejoin="round", class_="qb-route")

    for place in places.places:
        x, y = xy(place.lat, place.lon)
        group = _el(svg, "g", class_="qb-place")
        _marker(group, places.kind(place.kind).shape, x, y)
        _el(group, "text", place.name, x=x + place.dx, y=y + place.dy, fill=INK, font_size=15,
            text_anchor=place.anchor, stroke="#ffffff", stroke_width=3.5,
            paint_order="stroke", stroke_linejoin="round")

    legend = _el(svg, "g", class_="qb-legend")
    x = margin
    for route in places.routes:
        _el(legend, "line", x1=x, y1=legend_y, x2=x + 34, y2=legend_y, stroke=ROUTE,
            stroke_width=3, stroke_dasharray="9 6")
        _el(legend, "text", route.name, x=x + 42, y=legend_y + 5, fill=INK, font_size=14)
        x += 42 + 7.6 * len(route.name) + 24
    used = [k for k in places.kinds if any(p.kind == k.id for p in places.places)]
    row_y = legend_y + 28
    x = margin
    for kind in used:
        _marker(legend, kind.shape, x + 6, row_y - 4)
        _el(legend, "text", kind.label, x=x + 18, y=row_y + 1, fill=INK, font_size=14)
        x += 18 + 7.6 * len(kind.label) + 24
    if places.lines:
        _el(legend, "line", x1=x, y1=row_y - 4, x2=x + 30, y2=row_y - 4, stroke=BORDER,
            stroke_width=1.3, stroke_dasharray="5 3")
        _el(legend, "text", "Border", x=x + 38, y=row_y + 1, fill=INK, font_size=14)
    _el(svg, "text", places.note, x=margin, y=row_y + 28, fill=MUTED, font_size=13)
    if places.borders_source:
        _el(svg, "text", "Borders and coasts: " + places.borders_source.split(";")[0],
            x=margin, y=row_y + 48, fill=MUTED, font_size=12)
    return _serialise(svg)
