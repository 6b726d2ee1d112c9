"""The results file students download (from the book or a notebook) and instructors collect.

Results are self-reported: a student's browser computed them, and a student can edit
them. So this module only decides whether a file is a well-formed results file
(known format, strict types, sane sizes, no control characters); what a result is
*worth* is decided by the gradebook, which grades every saved answer again
(`quizbook.export.gradebook`). Files that are malformed, truncated, oversized, of
another format, or whose numbers contradict each other are refused.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from quizbook import chars, files, model

FORMAT: Final = "quizbook-results/1"
MAX_RESULTS_BYTES = 2_000_000
#: The largest score (and quiz total) a results file may carry; `quizbook check` refuses
#: a quiz whose total is larger, so every honest result fits.
MAX_SCORE = model.MAX_QUIZ_POINTS
#: A typed answer longer than this was not typed into a quiz.
MAX_ANSWER_CHARS = 1_000
MAX_LIST = 50


def _iso_date(value: Any) -> Any:
    # Strict: a date is ISO-8601 text (or, from Python, a datetime), never a number of
    # seconds or a boolean.
    if not isinstance(value, str | datetime):
        raise ValueError("must be a date as ISO-8601 text (2025-03-01T10:00:00Z)")
    return value


Name = Annotated[str, Field(max_length=200), BeforeValidator(chars.check_one_line_before)]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)]
Score = Annotated[float, Field(ge=0, le=MAX_SCORE, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=100_000)]
Stamp = Annotated[datetime, Field(strict=False), BeforeValidator(_iso_date)]

_SHAPES = ("null, true/false, a text of at most 1,000 characters, a list of option ids, or a "
           "mapping of item ids to positions or right-hand ids")


def _short_key(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 100 and \
        chars.forbidden(value, allow_layout=False) is None


def _position(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000


def _response_shape(value: Any) -> Any:
    """A saved answer has one of the shapes the runtimes write (docs/contracts.md)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_ANSWER_CHARS:
            raise ValueError(f"an answer of {len(value):,} characters; at most "
                             f"{MAX_ANSWER_CHARS:,} are accepted")
        return chars.check(value)
    if isinstance(value, list):
        if len(value) <= MAX_LIST and all(_short_key(v) for v in value):
            return value
    elif isinstance(value, dict) and len(value) <= MAX_LIST and all(
            _short_key(k) and (_short_key(v) or _position(v)) for k, v in value.items()):
        return value
    raise ValueError(f"must be {_SHAPES}")


Response = Annotated[Any, AfterValidator(_response_shape)]


class _Model(BaseModel):
    # Extra keys are ignored so that newer runtimes can add fields; types are strict:
    # "11" is not a number, "yes" is not true.
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class QuestionResult(_Model):
    id: Id
    points: Score
    max: Score
    correct: bool
    attempts: Count = 0
    response: Response = None
    #: The question's revision when it was answered (quizbook.versions); absent in files
    #: made before issue 12.
    rev: Annotated[str, Field(pattern=r"^[0-9a-f]{1,64}$")] | None = None

    @model_validator(mode="after")
    def _within_max(self) -> QuestionResult:
        if self.points > self.max + 1e-9:
            raise ValueError(f"points {self.points:g} exceed the maximum {self.max:g}")
        return self


class QuizResult(_Model):
    quiz: Id
    lesson: Name
    version: Annotated[str, Field(max_length=64), BeforeValidator(chars.check_one_line_before)]
    score: Score
    max: Score
    attempts: Count
    first_attempt: Stamp | None = None
    last_attempt: Stamp | None = None
    questions: list[QuestionResult] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _consistent(self) -> QuizResult:
        if self.score > self.max + 1e-9:
            raise ValueError(f"score {self.score:g} exceeds the maximum {self.max:g}")
        # Always, even for an empty list: a score claimed without the answers behind it
        # is not one a runtime wrote.
        total = sum(q.points for q in self.questions)
        if abs(total - self.score) > 1e-6:
            raise ValueError(f"score {self.score:g} is not the sum of the question "
                             f"points ({total:g})")
        seen: set[str] = set()
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question {question.id!r} appears twice")
            seen.add(question.id)
        return self


class Results(_Model):
    format: Literal["quizbook-results/1"]
    student: Name
    #: Optional, as the student typed it (a student number or login).
    student_id: Name = ""
    exported_at: Stamp
    source: Literal["book", "notebook"] = "book"
    quizzes: list[QuizResult] = Field(max_length=500)


class ResultsFileError(Exception):
    """A results file that cannot be used; the message names the file and the field."""


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_results(raw: bytes, shown: str) -> Results:
    if len(raw) > MAX_RESULTS_BYTES:
        raise ResultsFileError(f"{shown}: the file is larger than {MAX_RESULTS_BYTES:,} bytes; "
                               "it is not a quizbook results file")
    try:
        text = files.decode_utf8(raw)
    except files.UnreadableFile:
        raise ResultsFileError(f"{shown}: not UTF-8 text; not a quizbook results file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{shown}:{exc.lineno}:{exc.colno}: not valid JSON "
                               f"({exc.msg}); the file may be truncated") from None
    except (ValueError, RecursionError) as exc:
        # Nesting thousands of levels deep, or integers of thousands of digits.
        why = ("nested too deeply" if isinstance(exc, RecursionError) else
               "a number with thousands of digits" if "digits" in str(exc) else str(exc))
        raise ResultsFileError(f"{shown}: not a quizbook results file (unreadable JSON: "
                               f"{why})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        shown_found = found if isinstance(found, str | None) else type(found).__name__
        raise ResultsFileError(f"{shown}: not a quizbook results file (format "
                               f"{shown_found!r}, expected {FORMAT!r})")
    try:
        return Results.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ResultsFileError(f"{shown}: {_where(first['loc'])}: {message}{more}") from None


def load_results(path: Path | str) -> Results:
    """Read and validate one results file (a regular file, size checked before reading)."""
    try:
        raw = files.read_bytes(path, limit=MAX_RESULTS_BYTES, what="results file")
    except files.UnreadableFile as exc:
        raise ResultsFileError(f"{path}: {exc.message}") from None
    return parse_results(raw, str(path))


def dump_results(results: Results) -> str:
    return json.dumps(results.model_dump(mode="json"), indent=2, ensure_ascii=False)
