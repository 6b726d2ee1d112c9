"""Load and validate the figure data files (`data/timeline.yml`, `data/places.yml`).

Every problem is a `FigureDataError` that names the file, the line and the field,
so an author can fix the data without reading a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml.error import MarkedYAMLError, YAMLError

from quizbook import files
from quizbook.yamlsafe import TooDeep, new_yaml

T = TypeVar("T")
MAX_FIGURE_BYTES = 1_000_000

DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
LESSON = re.compile(r"^[0-9]{2}-[a-z0-9-]+$")
PLACE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SHAPES = ("circle", "square", "diamond", "triangle")
ANCHORS = ("start", "middle", "end")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class FigureDataError(ValueError):
    """A problem in a figure data file, located by file, line and field."""

    def __init__(self, path: Path | str, line: int, field: str, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        where = f"{self.path}:{line}" if line > 0 else self.path
        super().__init__(f"{where}: {field}: {message}")


@dataclass(frozen=True)
class Event:
    date: str
    year: int
    month: int | None
    day: int | None
    label: str
    confidence: str
    lesson: str

    @property
    def position(self) -> float:
        """The date as a fractional year (mid-year or mid-month when imprecise)."""
        if self.month is None:
            return self.year + 0.5
        if self.day is None:
            return self.year + (self.month - 0.5) / 12
        return self.year + (self.month - 1) / 12 + (self.day - 1) / 365

    @property
    def display_date(self) -> str:
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return f"{self.day} {MONTHS[self.month - 1]} {self.year}"


@dataclass(frozen=True)
class Timeline:
    title: str
    start: int
    end: int
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    shape: str


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    lat: float
    lon: float
    kind: str
    note: str
    dx: float
    dy: float
    anchor: str


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    via: tuple[str, ...]


@dataclass(frozen=True)
class Sea:
    name: str
    lat: float
    lon: float
    rotate: float


@dataclass(frozen=True)
class BorderLine:
    """A land border between two countries, or a stretch of one country's coast."""

    kind: str  # "border" | "coast"
    countries: tuple[str, ...]
    points: tuple[tuple[float, float], ...]  # (lon, lat)


@dataclass(frozen=True)
class CountryLabel:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class PlaceMap:
    title: str
    lon: tuple[float, float]
    lat: tuple[float, float]
    note: str
    kinds: tuple[Kind, ...]
    places: tuple[Place, ...]
    routes: tuple[Route, ...]
    seas: tuple[Sea, ...]
    lines: tuple[BorderLine, ...] = ()
    borders_source: str = ""
    countries: tuple[CountryLabel, ...] = ()

    @property
    def borders(self) -> list[tuple[str, ...]]:
        """The pairs of countries whose shared border is drawn, in the order first drawn."""
        pairs: list[tuple[str, ...]] = []
        for line in self.lines:
            if line.kind == "border" and line.countries not in pairs:
                pairs.append(line.countries)
        return pairs

    def place(self, place_id: str) -> Place:
        return next(p for p in self.places if p.id == place_id)

    def kind(self, kind_id: str) -> Kind:
        return next(k for k in self.kinds if k.id == kind_id)


class _Reader:
    """Typed access to a ruamel round-trip document, with line numbers in errors."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int, field: str, message: str) -> FigureDataError:
        return FigureDataError(self.path, line, field, message)

    @staticmethod
    def line_of(container: Any, key: str | int | None = None) -> int:
        lc = getattr(container, "lc", None)
        if lc is None:
            return 0
        try:
            if key is None:
                return int(lc.line) + 1
            if isinstance(key, int):
                return int(lc.item(key)[0]) + 1
            return int(lc.key(key)[0]) + 1
        except (KeyError, IndexError, TypeError, AttributeError):
            return int(lc.line) + 1

    def mapping(self, value: Any, field: str, line: int, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(line, field, f"expected a mapping, got {_kind(value)}")
        for key in value:
            if str(key) not in allowed:
                raise self.fail(self.line_of(value, key), f"{field}.{key}" if field else str(key),
                                f"unknown field; allowed: {', '.join(sorted(allowed))}")
        return value

    def get(self, m: dict[str, Any], key: str, field: str, conv: Callable[[Any], T],
            expected: str, default: T | None = None) -> T:
        name = f"{field}.{key}" if field else key
        if key not in m or m[key] is None:
            if default is not None:
                return default
            raise self.fail(self.line_of(m), name, f"missing required field ({expected})")
        try:
            return conv(m[key])
        except (TypeError, ValueError) as exc:
            detail = str(exc) or f"expected {expected}"
            raise self.fail(self.line_of(m, key), name,
                            f"{detail}, got {m[key]!r}") from None

    def seq(self, m: dict[str, Any], key: str, field: str, required: bool = True) -> list[Any]:
        name = f"{field}.{key}" if field else key
        value = m.get(key)
        if value is None:
            if required:
                raise self.fail(self.line_of(m), name, "missing required list")
            return []
        if not isinstance(value, list):
            raise self.fail(self.line_of(m, key), name, f"expected a list, got {_kind(value)}")
        if required and not value:
            raise self.fail(self.line_of(m, key), name, "the list is empty")
        return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected non-empty text")
    return value.strip()


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a whole number")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    return float(value)


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def conv(value: Any) -> str:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return str(value)
    return conv


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not DATE.match(value):
        raise ValueError("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _read(path: Path) -> Any:
    if not path.exists() and not path.is_symlink():
        raise FigureDataError(path, 0, "(file)", "file not found")
    try:  # quizbook.files: regular files only, size checked before reading
        text = files.read_text(path, limit=MAX_FIGURE_BYTES, what="figure data file")
    except files.UnreadableFile as exc:
        raise FigureDataError(path, exc.line, "(file)", exc.message) from None
    try:
        return new_yaml().load(text)
    except TooDeep as exc:
        raise FigureDataError(path, exc.line, "(yaml)", str(exc)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise FigureDataError(path, line, "(yaml)",
                              f"not valid YAML: {exc.problem or exc.context}") from None
    except YAMLError as exc:
        raise FigureDataError(path, 0, "(yaml)", f"not valid YAML: {exc}") from None


def load_timeline(path: Path | str) -> Timeline:
    """Read and validate a timeline file. Raises FigureDataError."""
    path = Path(path)
    r = _Reader(path)
    doc = r.mapping(_read(path), "", 1, {"title", "start", "end", "events"})
    title = r.get(doc, "title", "", _text, "text")
    start = r.get(doc, "start", "", _int, "a year")
    end = r.get(doc, "end", "", _int, "a year")
    if end <= start:
        raise r.fail(r.line_of(doc, "end"), "end", f"must be after start ({start}), got {end}")
    events: list[Event] = []
    raw_events = r.seq(doc, "events", "")
    for n, raw in enumerate(raw_events):
        field = f"events[{n}]"
        item = r.mapping(raw, field, r.line_of(raw_events, n),
                         {"date", "label", "confidence", "lesson"})
        date = r.get(item, "date", field, _date, "a date")
        match = DATE.match(date)
        assert match is not None  # _date checked the format
        year = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else None
        day = int(match.group(3)) if match.group(3) else None
        try:
            if month is not None:
                dt.date(year, month, day or 1)
        except ValueError as exc:
            raise r.fail(r.line_of(item, "date"), f"{field}.date",
                         f"not a real date ({exc}): {date!r}") from None
        if not start <= year <= end:
            raise r.fail(r.line_of(item, "date"), f"{field}.date",
                         f"{date} is outside the timeline's range {start}–{end}")
        confidence = r.get(item, "confidence", field, _text, "H")
        if confidence != "H":
            raise r.fail(r.line_of(item, "confidence"), f"{field}.confidence",
                         f"only high-confidence (H) facts belong on the timeline, got "
                         f"{confidence!r}")
        lesson = r.get(item, "lesson", field, _text, "a lesson id such as 01-laboratory")
        if not LESSON.match(lesson):
            raise r.fail(r.line_of(item, "lesson"), f"{field}.lesson",
                         f"expected a lesson id such as 01-laboratory, got {lesson!r}")
        label = r.get(item, "label", field, _text, "text")
        if len(label) > 120:
            raise r.fail(r.line_of(item, "label"), f"{field}.label",
                         f"keep labels to 120 characters (this one has {len(label)})")
        events.append(Event(date, year, month, day, label, confidence, lesson))
    ordered = sorted(events, key=lambda e: e.position)
    return Timeline(title, start, end, tuple(ordered))


def _pair(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("expected [low, high]")
    low, high = _number(value[0]), _number(value[1])
    if low >= high:
        raise ValueError("expected [low, high] with low < high")
    return (low, high)


DEFAULT_KINDS = {
    "city": ("City", "circle"),
    "base": ("Russian military base", "square"),
    "crossing": ("Border crossing", "diamond"),
    "garrison": ("US garrison", "triangle"),
}


def load_places(path: Path | str) -> PlaceMap:
    """Read and validate a places file. Raises FigureDataError."""
    path = Path(path)
    r = _Reader(path)
    doc = r.mapping(_read(path), "", 1, {"title", "bounds", "note", "kinds", "places", "routes",
                                         "seas", "borders", "countries"})
    title = r.get(doc, "title", "", _text, "text")
    note = r.get(doc, "note", "", _text, "text")
    bounds = r.mapping(doc.get("bounds"), "bounds", r.line_of(doc, "bounds"), {"lon", "lat"})
    lon = r.get(bounds, "lon", "bounds", _pair, "[west, east]")
    lat = r.get(bounds, "lat", "bounds", _pair, "[south, north]")

    kinds: list[Kind] = []
    raw_kinds = doc.get("kinds")
    if raw_kinds is None:
        kinds = [Kind(k, label, shape) for k, (label, shape) in DEFAULT_KINDS.items()]
    else:
        raw_kinds = r.mapping(raw_kinds, "kinds", r.line_of(doc, "kinds"),
                              set(str(k) for k in raw_kinds) if isinstance(raw_kinds, dict)
                              else set())
        for key in raw_kinds:
            field = f"kinds.{key}"
            item = r.mapping(raw_kinds[key], field, r.line_of(raw_kinds, key), {"label", "shape"})
            kinds.append(Kind(str(key), r.get(item, "label", field, _text, "text"),
                              r.get(item, "shape", field, _choice(SHAPES), "a shape")))
    kind_ids = {k.id for k in kinds}

    places: list[Place] = []
    raw_places = r.seq(doc, "places", "")
    for n, raw in enumerate(raw_places):
        field = f"places[{n}]"
        item = r.mapping(raw, field, r.line_of(raw_places, n),
                         {"id", "name", "lat", "lon", "kind", "note", "label"})
        pid = r.get(item, "id", field, _text, "an id")
        if not PLACE_ID.match(pid):
            raise r.fail(r.line_of(item, "id"), f"{field}.id",
                         f"ids use a-z, 0-9 and '-', got {pid!r}")
        if any(p.id == pid for p in places):
            raise r.fail(r.line_of(item, "id"), f"{field}.id", f"duplicate place id {pid!r}")
        plat = r.get(item, "lat", field, _number, "degrees north")
        plon = r.get(item, "lon", field, _number, "degrees east")
        if not lat[0] <= plat <= lat[1]:
            raise r.fail(r.line_of(item, "lat"), f"{field}.lat",
                         f"{plat} is outside the map's bounds {lat[0]}–{lat[1]}")
        if not lon[0] <= plon <= lon[1]:
            raise r.fail(r.line_of(item, "lon"), f"{field}.lon",
                         f"{plon} is outside the map's bounds {lon[0]}–{lon[1]}")
        kind = r.get(item, "kind", field, _choice(tuple(sorted(kind_ids))), "a kind")
        dx, dy, anchor = 8.0, 4.0, "start"
        if "label" in item:
            lab = r.mapping(item["label"], f"{field}.label", r.line_of(item, "label"),
                            {"dx", "dy", "anchor"})
            dx = r.get(lab, "dx", f"{field}.label", _number, "pixels", 8.0)
            dy = r.get(lab, "dy", f"{field}.label", _number, "pixels", 4.0)
            anchor = r.get(lab, "anchor", f"{field}.label", _choice(ANCHORS), "an anchor",
                           "start")
        places.append(Place(pid, r.get(item, "name", field, _text, "text"), plat, plon, kind,
                            r.get(item, "note", field, _text, "text", ""), dx, dy, anchor))
    ids = {p.id for p in places}

    routes: list[Route] = []
    raw_routes = r.seq(doc, "routes", "", required=False)
    for n, raw in enumerate(raw_routes):
        field = f"routes[{n}]"
        item = r.mapping(raw, field, r.line_of(raw_routes, n), {"id", "name", "via"})
        via_raw = r.seq(item, "via", field)
        for m, stop in enumerate(via_raw):
            if stop not in ids:
                raise r.fail(r.line_of(via_raw, m), f"{field}.via[{m}]",
                             f"unknown place id {stop!r}; known: {', '.join(sorted(ids))}")
        if len(via_raw) < 2:
            raise r.fail(r.line_of(item, "via"), f"{field}.via", "a route needs two places")
        routes.append(Route(r.get(item, "id", field, _text, "an id"),
                            r.get(item, "name", field, _text, "text"),
                            tuple(str(s) for s in via_raw)))

    seas: list[Sea] = []
    raw_seas = r.seq(doc, "seas", "", required=False)
    for n, raw in enumerate(raw_seas):
        field = f"seas[{n}]"
        item = r.mapping(raw, field, r.line_of(raw_seas, n), {"name", "lat", "lon", "rotate"})
        seas.append(Sea(r.get(item, "name", field, _text, "text"),
                        r.get(item, "lat", field, _number, "degrees north"),
                        r.get(item, "lon", field, _number, "degrees east"),
                        r.get(item, "rotate", field, _number, "degrees", 0.0)))
    countries: list[CountryLabel] = []
    raw_countries = r.seq(doc, "countries", "", required=False)
    for n, raw in enumerate(raw_countries):
        field = f"countries[{n}]"
        item = r.mapping(raw, field, r.line_of(raw_countries, n), {"name", "lat", "lon"})
        countries.append(CountryLabel(r.get(item, "name", field, _text, "text"),
                                      r.get(item, "lat", field, _number, "degrees north"),
                                      r.get(item, "lon", field, _number, "degrees east")))
    lines: tuple[BorderLine, ...] = ()
    source = ""
    if doc.get("borders") is not None:
        name = r.get(doc, "borders", "", _text, "a file name next to this one")
        source, lines = load_borders(path.parent / name)
    return PlaceMap(title, lon, lat, note, tuple(kinds), tuple(places), tuple(routes),
                    tuple(seas), lines, source, tuple(countries))


def _point(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("expected [longitude, latitude]")
    lon, lat = _number(value[0]), _number(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("expected [longitude, latitude] in degrees")
    return (lon, lat)


def load_borders(path: Path | str) -> tuple[str, tuple[BorderLine, ...]]:
    """Read a borders file (`source`, `lines`); returns the source note and the lines."""
    path = Path(path)
    r = _Reader(path)
    doc = r.mapping(_read(path), "", 1, {"source", "lines"})
    source = r.get(doc, "source", "", _text, "where the boundary data comes from")
    lines: list[BorderLine] = []
    raw_lines = r.seq(doc, "lines", "")
    for n, raw in enumerate(raw_lines):
        field = f"lines[{n}]"
        item = r.mapping(raw, field, r.line_of(raw_lines, n), {"kind", "countries", "points"})
        kind = r.get(item, "kind", field, _choice(("border", "coast")), "border or coast")
        names = tuple(_text(c) for c in r.seq(item, "countries", field))
        if len(names) != (2 if kind == "border" else 1):
            raise r.fail(r.line_of(item, "countries"), f"{field}.countries",
                         f"a {kind} names {'two countries' if kind == 'border' else 'one'}, "
                         f"got {len(names)}")
        raw_points = r.seq(item, "points", field)
        points = []
        for m, value in enumerate(raw_points):
            try:
                points.append(_point(value))
            except ValueError as exc:
                raise r.fail(r.line_of(item, "points"), f"{field}.points[{m}]",
                             f"{exc}, got {value!r}") from None
        if len(points) < 2:
            raise r.fail(r.line_of(item, "points"), f"{field}.points", "a line needs two points")
        lines.append(BorderLine(kind, names, tuple(points)))
    return source, tuple(lines)
