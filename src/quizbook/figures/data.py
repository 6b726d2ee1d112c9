"""Load and validate the figure data files: a timeline, a map of places, its borders.

The file formats are pydantic models (strict, unknown keys refused), read with the quiz
loader's YAML reader and position machinery (`quizbook.load`): every problem in a file is
reported at once, each as `PATH:LINE:COL: field: message`, in one `FigureDataError`.
Checks that compare fields (a date inside the timeline's years, a place inside the map,
a route through known places) run once the file has the right shape.

Nothing here is about one course: the map's kinds of place, the confidence levels a
timeline accepts and the lesson pages events point to are the data file's own.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from quizbook import chars, files
from quizbook.load import Problem, error_message, parse_yaml, plain, position

MAX_FIGURE_BYTES = 1_000_000
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SHAPES = ("circle", "square", "diamond", "triangle")
#: The kinds of place a map without `kinds:` has: every place is a plain circle.
DEFAULT_KINDS = {"place": ("Place", "circle")}
MAX_LABEL = 120


class FigureDataError(ValueError):
    """Every problem in a figure data file (`problems`), one `PATH:LINE:COL: field: message`
    line each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# -- the file formats -----------------------------------------------------------------------

def _date_text(value: Any) -> Any:
    """YAML reads 2015-09-30 as a date and 2011 as a number: both are dates here."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _real_date(value: str) -> str:
    match = DATE.match(value)
    if match is None:
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None:
        try:
            dt.date(year or 1, month, day or 1)
        except ValueError as exc:
            raise ValueError(f"not a real date ({exc}): {value!r}") from None
    return value


Text = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(chars.check)]
Name = Annotated[str, Field(min_length=1, max_length=200),
                 AfterValidator(chars.check_one_line)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Degrees = Annotated[float, Field(ge=-360, le=360)]
DateText = Annotated[str, BeforeValidator(_date_text), AfterValidator(_real_date)]
#: A page name, as a quiz's `lesson` is (a file name without its extension).
PageName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)]


def _low_high(value: list[float]) -> list[float]:
    if value[0] >= value[1]:
        raise ValueError(f"expected [low, high] with low < high, got {value}")
    return value


def _lon_lat(value: list[float]) -> list[float]:
    if not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
        raise ValueError(f"expected [longitude, latitude] in degrees, got {value}")
    return value


Pair = Annotated[list[float], Field(min_length=2, max_length=2), AfterValidator(_low_high)]
Point = Annotated[list[float], Field(min_length=2, max_length=2), AfterValidator(_lon_lat)]


class _Strict(BaseModel):
    # As quiz files: unknown keys are errors, "1" is not a number, `.nan` is refused.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True,
                              str_strip_whitespace=True, allow_inf_nan=False)


class EventFields(_Strict):
    date: DateText
    label: Annotated[Name, Field(max_length=MAX_LABEL)]
    confidence: Name | None = None
    lesson: PageName | None = None


class TimelineFile(_Strict):
    title: Name
    start: int
    end: int
    #: When given, every event states one of these confidence levels.
    allowed_confidence: Annotated[list[Name], Field(min_length=1)] | None = None
    events: Annotated[list[EventFields], Field(min_length=1)]


class KindFields(_Strict):
    label: Name
    shape: Literal["circle", "square", "diamond", "triangle"]


class LabelFields(_Strict):
    dx: float = 8.0
    dy: float = 4.0
    anchor: Literal["start", "middle", "end"] = "start"


class PlaceFields(_Strict):
    id: Id
    name: Name
    lat: Degrees
    lon: Degrees
    kind: Id = "place"
    note: Text | None = None
    label: LabelFields = LabelFields()


class RouteFields(_Strict):
    id: Id
    name: Name
    via: Annotated[list[Id], Field(min_length=2)]


class SeaFields(_Strict):
    name: Name
    lat: Degrees
    lon: Degrees
    rotate: Degrees = 0.0


class CountryFields(_Strict):
    name: Name
    lat: Degrees
    lon: Degrees


class BoundsFields(_Strict):
    lon: Pair
    lat: Pair


class PlacesFile(_Strict):
    title: Name
    bounds: BoundsFields
    note: Text
    kinds: dict[Id, KindFields] | None = None
    places: Annotated[list[PlaceFields], Field(min_length=1)]
    routes: list[RouteFields] = []
    seas: list[SeaFields] = []
    countries: list[CountryFields] = []
    #: A borders file next to this one.
    borders: Name | None = None


class LineFields(_Strict):
    kind: Literal["border", "coast"]
    countries: Annotated[list[Name], Field(min_length=1)]
    points: Annotated[list[Point], Field(min_length=1)]


class BordersFile(_Strict):
    source: Text
    lines: Annotated[list[LineFields], Field(min_length=1)]


# -- what the drawing code gets -------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    date: str
    year: int
    month: int | None
    day: int | None
    label: str
    confidence: str | None
    lesson: str | None

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


# -- reading ---------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)
#: A problem found by comparing fields: where (a pydantic-style location) and why.
Finding = tuple[tuple[int | str, ...], str]


def _read(path: Path, schema: type[M]) -> tuple[M, Any]:
    """The file validated against `schema`, and its raw YAML (for positions); raises
    FigureDataError with every problem in the file."""
    shown = str(path)
    try:  # quizbook.files: regular files only, size checked before reading
        text = files.read_text(path, limit=MAX_FIGURE_BYTES, what="figure data file")
    except files.UnreadableFile as exc:
        message = "file not found" if not path.exists() and not path.is_symlink() \
            else exc.message
        raise FigureDataError([Problem(shown, exc.line, exc.col, "", message)]) from None
    data, problem = parse_yaml(text, shown)
    if problem is not None:
        raise FigureDataError([problem])
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "empty" if data is None \
            else f"a {type(data).__name__}"
        raise FigureDataError([Problem(shown, 1, 1, "", f"expected a mapping of fields, "
                                                        f"got {kind}")])
    try:
        return schema.model_validate(plain(data)), data
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = list(error["loc"])
            line, col, name = position(data, loc)
            problems.append(Problem(shown, line, col, name, _message(error, loc)))
        raise FigureDataError(sorted(set(problems))) from None


def _fields() -> list[str]:
    models = (TimelineFile, EventFields, PlacesFile, PlaceFields, LabelFields, KindFields,
              RouteFields, SeaFields, CountryFields, BoundsFields, BordersFile, LineFields)
    return sorted({name for model in models for name in model.model_fields})


def _message(error: Any, loc: list[int | str]) -> str:
    """The quiz loader's plain words, with this format's own field names and choices."""
    kind = error["type"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _fields(), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"unknown field `{loc[-1]}`{hint}"
    if kind == "literal_error":
        choices = str(error["ctx"]["expected"]).replace("'", "")
        return f"expected one of {choices}, got {error.get('input')!r}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"must be a whole number, got {error.get('input')!r}"
    return error_message(error, loc)


def _check(path: Path, data: Any, findings: Iterator[Finding]) -> None:
    problems = []
    for loc, message in findings:
        line, col, name = position(data, loc)
        problems.append(Problem(str(path), line, col, name, message))
    if problems:
        raise FigureDataError(sorted(set(problems)))


def load_timeline(path: Path | str) -> Timeline:
    """Read and validate a timeline file. Raises FigureDataError."""
    path = Path(path)
    parsed, data = _read(path, TimelineFile)
    _check(path, data, _timeline_findings(parsed))
    events = []
    for fields in parsed.events:
        match = DATE.match(fields.date)
        assert match is not None  # DateText checked the form
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        events.append(Event(fields.date, year, month, day, fields.label, fields.confidence,
                            fields.lesson))
    return Timeline(parsed.title, parsed.start, parsed.end,
                    tuple(sorted(events, key=lambda e: e.position)))


def _timeline_findings(parsed: TimelineFile) -> Iterator[Finding]:
    if parsed.end <= parsed.start:
        yield ("end",), f"must be after start ({parsed.start}), got {parsed.end}"
    allowed = parsed.allowed_confidence
    for n, event in enumerate(parsed.events):
        year = int(event.date[:4])
        if not parsed.start <= year <= parsed.end:
            yield (("events", n, "date"), f"{event.date} is outside the timeline's range "
                                          f"{parsed.start}–{parsed.end}")
        if allowed is not None and event.confidence not in allowed:
            where = ("events", n, "confidence") if event.confidence else ("events", n)
            yield where, (f"this timeline accepts only confidence {', '.join(allowed)} "
                          f"(allowed_confidence), got {event.confidence or 'none'}")


def load_places(path: Path | str) -> PlaceMap:
    """Read and validate a places file (and the borders file it names). Raises
    FigureDataError."""
    path = Path(path)
    parsed, data = _read(path, PlacesFile)
    kinds = ([Kind(k, label, shape) for k, (label, shape) in DEFAULT_KINDS.items()]
             if parsed.kinds is None else
             [Kind(k, v.label, v.shape) for k, v in parsed.kinds.items()])
    _check(path, data, _places_findings(parsed, {k.id for k in kinds}))
    source, lines = load_borders(path.parent / parsed.borders) if parsed.borders else ("", ())
    return PlaceMap(
        parsed.title, (parsed.bounds.lon[0], parsed.bounds.lon[1]),
        (parsed.bounds.lat[0], parsed.bounds.lat[1]), parsed.note, tuple(kinds),
        tuple(Place(p.id, p.name, p.lat, p.lon, p.kind, p.note or "", p.label.dx, p.label.dy,
                    p.label.anchor) for p in parsed.places),
        tuple(Route(r.id, r.name, tuple(r.via)) for r in parsed.routes),
        tuple(Sea(s.name, s.lat, s.lon, s.rotate) for s in parsed.seas),
        lines, source, tuple(CountryLabel(c.name, c.lat, c.lon) for c in parsed.countries))


def _places_findings(parsed: PlacesFile, kinds: set[str]) -> Iterator[Finding]:
    (west, east), (south, north) = parsed.bounds.lon, parsed.bounds.lat
    seen: set[str] = set()
    for n, place in enumerate(parsed.places):
        if place.id in seen:
            yield ("places", n, "id"), f"duplicate place id {place.id!r}"
        seen.add(place.id)
        if not south <= place.lat <= north:
            yield (("places", n, "lat"), f"{place.lat} is outside the map's bounds "
                                         f"{south}–{north}")
        if not west <= place.lon <= east:
            yield (("places", n, "lon"), f"{place.lon} is outside the map's bounds "
                                         f"{west}–{east}")
        if place.kind not in kinds:
            yield (("places", n, "kind"), f"expected one of {', '.join(sorted(kinds))} (the "
                                          f"map's kinds), got {place.kind!r}")
    for n, route in enumerate(parsed.routes):
        for m, stop in enumerate(route.via):
            if stop not in seen:
                yield (("routes", n, "via", m), f"unknown place id {stop!r}; known: "
                                                f"{', '.join(sorted(seen))}")


def load_borders(path: Path | str) -> tuple[str, tuple[BorderLine, ...]]:
    """Read a borders file (`source`, `lines`); returns the source note and the lines.
    Raises FigureDataError."""
    path = Path(path)
    parsed, data = _read(path, BordersFile)
    _check(path, data, _borders_findings(parsed))
    return parsed.source, tuple(
        BorderLine(line.kind, tuple(line.countries),
                   tuple((point[0], point[1]) for point in line.points))
        for line in parsed.lines)


def _borders_findings(parsed: BordersFile) -> Iterator[Finding]:
    for n, line in enumerate(parsed.lines):
        wanted = 2 if line.kind == "border" else 1
        if len(line.countries) != wanted:
            yield (("lines", n, "countries"), f"a {line.kind} names "
                                              f"{'two countries' if wanted == 2 else 'one'}, "
                                              f"got {len(line.countries)}")
        if len(line.points) < 2:
            yield ("lines", n, "points"), "a line needs two points"
