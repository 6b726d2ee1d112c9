"""The build-time figures: well-formed, complete, accessible SVG; clear data errors;
and the Sphinx directives in a real (small) Sphinx build."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

from quizbook.figures import (
    FigureDataError,
    load_places,
    load_timeline,
    map_svg,
    timeline_svg,
)

ROOT = Path(__file__).resolve().parents[1]
TIMELINE = ROOT / "data" / "timeline.yml"
PLACES = ROOT / "data" / "places.yml"
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"))  # raises on malformed XML


def all_text(root: etree._Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_accessible(root: etree._Element, uid: str, title: str, desc: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{uid}-title {uid}-desc"
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}title").get("id") == f"{uid}-title"
    assert root.find(f"{SVG}desc").text == desc
    background = root.find(f"{SVG}rect")
    assert background.get("fill") == "#ffffff"
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    for node in [*texts, *root.iter(f"{SVG}tspan")]:
        fill = node.get("fill") or node.getparent().get("fill")
        assert fill and re.fullmatch(r"#[0-9a-f]{6}", fill), etree.tostring(node)
        assert contrast(fill, "#ffffff") >= 4.5, (fill, "".join(node.itertext()))
    raw = etree.tostring(root, encoding="unicode")
    for external in ("href", "url(", "@import", "@font-face", "http://fonts", "https://"):
        assert external not in raw.replace("http://www.w3.org/2000/svg", "")


def test_timeline_svg_is_well_formed_and_has_every_event() -> None:
    timeline = load_timeline(TIMELINE)
    root = parse(timeline_svg(timeline, "tl", timeline.title, "Alt text."))
    check_accessible(root, "tl", timeline.title, "Alt text.")
    text = all_text(root)
    assert len(timeline.events) == 11
    for event in timeline.events:
        assert event.display_date in text
        assert " ".join(event.label.split()[:3]) in text
    for year in range(timeline.start, timeline.end + 1):
        assert str(year) in text
    assert len(root.findall(f".//{SVG}g[@class='qb-event']")) == len(timeline.events)


def test_timeline_has_the_required_events() -> None:
    dates = {e.date for e in load_timeline(TIMELINE).events}
    assert {"2011", "2013-06-05", "2015-09-30", "2016-10-18", "2016-12-22", "2017-01-18",
            "2019-09-30", "2022-09-13", "2024-12-08", "2025-01-17", "2026-02-28"} <= dates
    # Iran's network was fighting for the government before Russia's air campaign began.
    events = load_timeline(TIMELINE).events
    qusayr = next(e for e in events if e.date == "2013-06-05")
    russia = next(e for e in events if e.date == "2015-09-30")
    assert qusayr.position < russia.position and "Qusayr" in qusayr.label


def test_map_svg_is_well_formed_and_has_every_place_and_the_land_bridge() -> None:
    places = load_places(PLACES)
    root = parse(map_svg(places, "pm", places.title, "Alt text."))
    check_accessible(root, "pm", places.title, "Alt text.")
    text = all_text(root)
    for place in places.places:
        assert place.name in text
    assert {p.id for p in places.places} >= {"aleppo", "homs", "damascus", "khmeimim", "tartus",
                                              "abu-kamal", "al-qaim", "baghdad", "tehran",
                                              "beirut", "al-tanf", "deir-ez-zor", "palmyra",
                                              "south-lebanon"}
    bridge = places.routes[0]
    # The corridor as reported: along the Euphrates to Deir ez-Zor, across the desert to
    # Palmyra, then to Damascus and southern Lebanon (not straight from Abu Kamal to Damascus).
    assert bridge.via == ("tehran", "baghdad", "al-qaim", "abu-kamal", "deir-ez-zor", "palmyra",
                          "damascus", "south-lebanon")
    route = root.find(f".//{SVG}polyline[@class='qb-route']")
    assert route is not None and route.get("stroke-dasharray")
    assert len(route.get("points").split()) == len(bridge.via)
    assert "Natural Earth" in text and "no position on disputed lines" in text
    for country in ("SYRIA", "IRAQ", "IRAN", "TURKEY", "JORDAN"):
        assert country in text


def test_map_draws_the_borders_that_matter_from_the_committed_boundary_data() -> None:
    places = load_places(PLACES)
    assert "Natural Earth" in places.borders_source and "public domain" in places.borders_source
    pairs = {frozenset(pair) for pair in places.borders}
    for pair in ({"Iraq", "Syria"}, {"Lebanon", "Syria"}, {"Iran", "Iraq"},
                 {"Jordan", "Syria"}, {"Syria", "Turkey"}):
        assert frozenset(pair) in pairs, pair
    root = parse(map_svg(places, "pm", places.title, "d"))
    border_lines = root.findall(f".//{SVG}polyline[@class='qb-border']")
    coasts = root.findall(f".//{SVG}polyline[@class='qb-coast']")
    assert border_lines and coasts
    # Every drawn point lies inside the plot (the lines are clipped, not drawn past the frame).
    frame = root.find(f".//{SVG}g[@class='qb-graticule']/{SVG}rect")
    x0, y0 = float(frame.get("x")), float(frame.get("y"))
    x1, y1 = x0 + float(frame.get("width")), y0 + float(frame.get("height"))
    for line in [*border_lines, *coasts]:
        for pair in line.get("points").split():
            x, y = (float(v) for v in pair.split(","))
            assert x0 - 0.1 <= x <= x1 + 0.1 and y0 - 0.1 <= y <= y1 + 0.1
    # The Iraq-Syria border passes between Abu Kamal (Syria) and al-Qaim (Iraq).
    iraq_syria = next(line for line in places.lines if set(line.countries) == {"Iraq", "Syria"})
    assert any(40.92 < lon < 41.09 and 34.3 < lat < 34.5 for lon, lat in iraq_syria.points)


def test_borders_file_is_small_and_documents_its_provenance() -> None:
    path = ROOT / "data" / "borders.yml"
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 20_000
    assert "world-atlas 2.0.2" in text and "make_borders.py" in text


def test_map_is_equirectangular_within_bounds() -> None:
    places = load_places(PLACES)
    root = parse(map_svg(places, "pm", places.title, "d"))
    markers = root.findall(f".//{SVG}g[@class='qb-place']")
    coords = {}
    for group, place in zip(markers, places.places, strict=True):
        shape = group[0]
        x = float(shape.get("cx") or float(shape.get("x", 0)) + 5.5)
        if shape.tag == f"{SVG}polygon":
            x = float(shape.get("points").split()[0].split(",")[0])
        coords[place.id] = x
    # West to east: Beirut < Damascus < Abu Kamal < al-Qaim < Baghdad < Tehran.
    order = ["beirut", "damascus", "abu-kamal", "al-qaim", "baghdad", "tehran"]
    assert [coords[p] for p in order] == sorted(coords[p] for p in order)


# --- bad data ------------------------------------------------------------------------

def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_TIMELINE = """\
title: T
start: 2011
end: 2026
allowed_confidence: [H]
events:
  - date: "2015-09-30"
    label: Strikes begin
    confidence: H
    lesson: 01-laboratory
  - date: "2016-12-22"
    label: Aleppo
    confidence: H
    lesson: 02-division-of-labor
"""


@pytest.mark.parametrize(("old", "new", "line", "col", "field", "words"), [
    ("confidence: H\n    lesson: 02", "confidence: M\n    lesson: 02", 12, 5,
     "events[1].confidence", "accepts only confidence H (allowed_confidence), got M"),
    ('"2016-12-22"', '"2016-13-22"', 10, 5, "events[1].date", "not a real date"),
    ('"2016-12-22"', '"Dec 2016"', 10, 5, "events[1].date", "YYYY-MM-DD"),
    ('"2016-12-22"', '"2030-01-01"', 10, 5, "events[1].date", "outside"),
    ("lesson: 02-division-of-labor", "lesson: Lesson Two", 13, 5, "events[1].lesson",
     "lesson file name"),
    ("    label: Aleppo\n", "", 10, 5, "events[1].label", "missing"),
    ("    label: Aleppo\n", "    label: Aleppo\n    colour: red\n", 12, 5, "events[1].colour",
     "unknown field"),
    ("end: 2026", "end: 2010", 3, 1, "end", "after start"),
    ("start: 2011", "start: twenty", 2, 1, "start", "whole number"),
])
def test_bad_timeline_names_file_line_and_field(tmp_path: Path, old: str, new: str, line: int,
                                                 col: int, field: str, words: str) -> None:
    assert old in GOOD_TIMELINE
    load_timeline(write(tmp_path, "ok.yml", GOOD_TIMELINE))
    path = write(tmp_path, "timeline.yml", GOOD_TIMELINE.replace(old, new, 1))
    with pytest.raises(FigureDataError) as info:
        load_timeline(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:{col}: {field}: "), message
    assert words in message.splitlines()[0]


def test_every_problem_in_a_figure_file_is_reported_at_once(tmp_path: Path) -> None:
    bad = (GOOD_TIMELINE.replace("start: 2011", "start: twenty")
           .replace('"2016-12-22"', '"Dec 2016"').replace("    label: Strikes begin\n", ""))
    path = write(tmp_path, "timeline.yml", bad)
    with pytest.raises(FigureDataError) as info:
        load_timeline(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2:1: start: must be a whole number, got 'twenty'",
        f"{path}:6:5: events[0].label: required field `label` is missing",
        f"{path}:9:5: events[1].date: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got "
        "'Dec 2016'"]
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)
    # Checks across fields are reported together too, once the file has its shape.
    outside = GOOD_TIMELINE.replace("end: 2026", "end: 2011")
    with pytest.raises(FigureDataError) as info:
        load_timeline(write(tmp_path, "timeline.yml", outside))
    assert [(p.line, p.field) for p in info.value.problems] == [
        (3, "end"), (6, "events[0].date"), (10, "events[1].date")]


def test_timeline_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FigureDataError, match=r"missing\.yml:1:1: file not found$"):
        load_timeline(tmp_path / "missing.yml")
    broken = write(tmp_path, "broken.yml", "title: [unclosed\nstart: 2011\n")
    with pytest.raises(FigureDataError, match=r"broken\.yml:2:6: YAML syntax error"):
        load_timeline(broken)
    with pytest.raises(FigureDataError, match=r"list\.yml:1:1: expected a mapping of fields, "
                                              r"got a list$"):
        load_timeline(write(tmp_path, "list.yml", "- 1\n- 2\n"))
    deep = write(tmp_path, "deep.yml", "title: " + "[" * 50_000)
    with pytest.raises(FigureDataError, match=r"deep\.yml:1:\d+: the YAML is nested more than "
                                              r"32 levels"):
        load_timeline(deep)


GOOD_PLACES = """\
title: P
bounds: {lon: [34, 53], lat: [31, 38]}
note: Schematic.
kinds: {city: {label: City, shape: circle}}
places:
  - {id: tehran, name: Tehran, lat: 35.69, lon: 51.39, kind: city}
  - {id: beirut, name: Beirut, lat: 33.89, lon: 35.50, kind: city}
routes:
  - id: bridge
    name: Land bridge
    via: [tehran, beirut]
"""


@pytest.mark.parametrize(("old", "new", "line", "col", "field", "words"), [
    ("via: [tehran, beirut]", "via: [tehran, baghdad]", 11, 19, "routes[0].via[1]",
     "unknown place id 'baghdad'"),
    ("lat: 33.89", "lat: 29.0", 7, 32, "places[1].lat", "outside the map's bounds"),
    ("kind: city}\n  - {id: beirut", "kind: village}\n  - {id: beirut", 6, 56, "places[0].kind",
     "expected one of city (the map's kinds), got 'village'"),
    ("id: beirut", "id: tehran", 7, 6, "places[1].id", "duplicate place id"),
    ("lon: [34, 53]", "lon: [53, 34]", 2, 10, "bounds.lon", "low < high"),
    ("note: Schematic.\n", "", 1, 1, "note", "missing"),
    ("note: Schematic.\n", "note: Schematic.\nborders: missing.yml\n", 1, 1, "",
     "file not found"),
    ("shape: circle", "shape: star", 4, 29, "kinds.city.shape",
     "expected one of circle, square, diamond or triangle, got 'star'"),
])
def test_bad_places_names_file_line_and_field(tmp_path: Path, old: str, new: str, line: int,
                                              col: int, field: str, words: str) -> None:
    assert old in GOOD_PLACES
    load_places(write(tmp_path, "ok.yml", GOOD_PLACES))
    path = write(tmp_path, "places.yml", GOOD_PLACES.replace(old, new, 1))
    with pytest.raises(FigureDataError) as info:
        load_places(path)
    message = str(info.value)
    shown = tmp_path / "missing.yml" if words == "file not found" else path
    assert message.startswith(f"{shown}:{line}:{col}: {field + ': ' if field else ''}"), message
    assert words in message


def test_a_map_without_kinds_has_one_neutral_kind(tmp_path: Path) -> None:
    plain = GOOD_PLACES.replace("kinds: {city: {label: City, shape: circle}}\n", "") \
        .replace(", kind: city}", "}")
    places = load_places(write(tmp_path, "places.yml", plain))
    assert [(k.id, k.label, k.shape) for k in places.kinds] == [("place", "Place", "circle")]
    assert {p.kind for p in places.places} == {"place"}


GOOD_BORDERS = """\
source: Test boundary data.
lines:
  - {kind: border, countries: [Iraq, Syria], points: [[41.0, 34.0], [41.0, 35.0]]}
  - {kind: coast, countries: [Syria], points: [[35.9, 34.9], [35.8, 35.5]]}
"""


@pytest.mark.parametrize(("old", "new", "line", "col", "field", "words"), [
    ("countries: [Iraq, Syria]", "countries: [Iraq]", 3, 20, "lines[0].countries",
     "a border names two countries"),
    ("kind: coast", "kind: river", 4, 6, "lines[1].kind", "expected one of border or coast"),
    ("[[41.0, 34.0], [41.0, 35.0]]", "[[41.0, 34.0]]", 3, 46, "lines[0].points",
     "a line needs two points"),
    ("[41.0, 35.0]", "[410.0, 35.0]", 3, 69, "lines[0].points[1]", "in degrees"),
    ("source: Test boundary data.\n", "", 1, 1, "source", "missing"),
])
def test_bad_borders_name_file_line_and_field(tmp_path: Path, old: str, new: str, line: int,
                                              col: int, field: str, words: str) -> None:
    assert old in GOOD_BORDERS
    places = GOOD_PLACES.replace("note: Schematic.\n", "note: Schematic.\nborders: b.yml\n")
    write(tmp_path, "b.yml", GOOD_BORDERS)
    assert len(load_places(write(tmp_path, "places.yml", places)).lines) == 2
    path = write(tmp_path, "b.yml", GOOD_BORDERS.replace(old, new, 1))
    with pytest.raises(FigureDataError) as info:
        load_places(tmp_path / "places.yml")
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:{col}: {field}: "), message
    assert words in message


# --- the directives in a real Sphinx build --------------------------------------------

CONF = """\
extensions = ["myst_parser", "quizbook.figures.sphinx"]
# A conf.py of its own: without it, myst_parser writes ".md" into Sphinx's shared
# default source_suffix dict, and every later in-process build (myst-nb) in the same
# pytest process then looks for a "markdown" parser that is not registered.
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build", "data"]
html_theme = "basic"
"""

INDEX = """\
# Figures

```{toctree}
lessons/00-prologue
lessons/01-laboratory
lessons/02-division-of-labor
lessons/03-strategic-victories
lessons/04-payback
```

```{timeline} data/timeline.yml
:alt: Timeline alt text.
```

```{placemap} data/places.yml
:alt: Map alt text.
```
"""


def make_project(tmp_path: Path, index: str = INDEX) -> Path:
    src = tmp_path / "src"
    (src / "data").mkdir(parents=True)
    (src / "lessons").mkdir()
    shutil.copy(TIMELINE, src / "data" / "timeline.yml")
    shutil.copy(PLACES, src / "data" / "places.yml")
    shutil.copy(ROOT / "data" / "borders.yml", src / "data" / "borders.yml")
    for lesson in ("00-prologue", "01-laboratory", "02-division-of-labor",
                   "03-strategic-victories", "04-payback"):
        (src / "lessons" / f"{lesson}.md").write_text(f"# Lesson {lesson}\n", encoding="utf-8")
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "index.md").write_text(index, encoding="utf-8")
    return src


def build(src: Path, builder: str = "html") -> tuple[Path, str, object]:
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    out = src.parent / "_build" / builder
    warnings = io.StringIO()
    with patch_docutils(str(src)), docutils_namespace():
        app = Sphinx(str(src), str(src), str(out), str(src.parent / "_build" / builder / ".dt"),
                     builder, status=None, warning=warnings, freshenv=True)
        app.build()
    return out, warnings.getvalue(), app


def test_directives_render_figure_caption_and_text_version(tmp_path: Path) -> None:
    src = make_project(tmp_path)
    out, warnings, app = build(src)
    assert warnings == ""
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("<figure") == 2 and html.count('role="img"') == 2
    assert "<figcaption" in html and "The chapter in time" in html
    assert html.count("<details") == 2 and "Text version: the places on this map" in html
    assert "Timeline alt text." in html and "Map alt text." in html
    # The text version links each event to its lesson.
    assert 'href="lessons/01-laboratory.html"' in html
    for place in ("Aleppo", "Abu Kamal", "al-Tanf", "Tehran"):
        assert html.count(place) >= 2  # in the SVG and in the text version
    deps = app.env.dependencies["index"]  # type: ignore[attr-defined]
    assert {Path(d).name for d in deps} >= {"timeline.yml", "places.yml"}


def test_text_builder_gets_caption_and_list_without_svg(tmp_path: Path) -> None:
    src = make_project(tmp_path)
    out, warnings, _ = build(src, "text")
    assert warnings == ""
    text = " ".join((out / "index.txt").read_text(encoding="utf-8").split())
    assert "<svg" not in text
    assert "**30 Sep 2015**: Russian air strikes in Syria begin (see Lesson 01-laboratory)" in text
    assert "**The chapter in time, 2011–2026**" in text
    assert ("Tehran – Baghdad – al-Qaim – Abu Kamal – Deir ez-Zor – Palmyra – Damascus – "
            "Southern Lebanon") in text
    assert "Borders drawn: Iraq–Syria" in text or "Iraq–Syria" in text
    assert "Natural Earth" in text


def test_bad_data_in_a_build_is_an_error_naming_file_line_and_field(tmp_path: Path) -> None:
    src = make_project(tmp_path)
    data = src / "data" / "timeline.yml"
    data.write_text(data.read_text(encoding="utf-8").replace("confidence: H", "confidence: L",
                                                               1), encoding="utf-8")
    _, warnings, _ = build(src)
    assert "ERROR" in warnings
    assert re.search(r"timeline data: .*timeline\.yml:\d+:\d+: events\[0\]\.confidence: "
                     r"this timeline accepts only confidence H", warnings), warnings
    assert "Traceback" not in warnings


def test_missing_alt_is_an_error(tmp_path: Path) -> None:
    src = make_project(tmp_path, INDEX.replace(":alt: Map alt text.\n", ""))
    _, warnings, _ = build(src)
    assert "needs an :alt: text" in warnings
