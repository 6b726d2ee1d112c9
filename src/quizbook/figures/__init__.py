"""Build-time figures: a timeline and a schematic map, drawn as accessible SVG.

Pure Python (lxml), no network, no plotting library. `data` loads and validates the
YAML data files with file/line/field errors; `svg` draws; `sphinx` is the Sphinx
extension (`quizbook.figures.sphinx`) with the `{timeline}` and `{placemap}` directives.
"""

from __future__ import annotations

from quizbook.figures.data import (
    Event,
    FigureDataError,
    Place,
    PlaceMap,
    Route,
    Sea,
    Timeline,
    load_places,
    load_timeline,
)
from quizbook.figures.svg import map_svg, timeline_svg

__all__ = [
    "Event",
    "FigureDataError",
    "Place",
    "PlaceMap",
    "Route",
    "Sea",
    "Timeline",
    "load_places",
    "load_timeline",
    "map_svg",
    "timeline_svg",
]
