"""The results file students download (from the book or a notebook) and instructors collect.

Results are self-reported: a student's browser computed them. They are fine for
formative use and class discussion; graded quizzes belong in the LMS export.
This module refuses files that are malformed, truncated, oversized, of another
format, or whose scores are impossible (above the maximum, negative).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

FORMAT = "quizbook-results/1"
MAX_RESULTS_BYTES = 2_000_000

Name = Annotated[str, Field(max_length=200)]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)]
Score = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]


class _Model(BaseModel):
    # Extra keys are ignored so that newer runtimes can add fields; types are strict.
    model_config = ConfigDict(extra="ignore", frozen=True)


class QuestionResult(_Model):
    id: Id
    points: Score
    max: Score
    correct: bool
    attempts: int = Field(default=0, ge=0, le=100_000)
    response: Any = None

    @model_validator(mode="after")
    def _within_max(self) -> QuestionResult:
        if self.points > self.max + 1e-9:
            raise ValueError(f"points {self.points:g} exceed the maximum {self.max:g}")
        return self


class QuizResult(_Model):
    quiz: Id
    lesson: Name
    version: Annotated[str, Field(max_length=64)]
    score: Score
    max: Score
    attempts: int = Field(ge=0, le=100_000)
    first_attempt: datetime | None = None
    last_attempt: datetime | None = None
    questions: list[QuestionResult] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _consistent(self) -> QuizResult:
        if self.score > self.max + 1e-9:
            raise ValueError(f"score {self.score:g} exceeds the maximum {self.max:g}")
        if self.questions:
            total = sum(q.points for q in self.questions)
            if abs(total - self.score) > 1e-6:
                raise ValueError(f"score {self.score:g} is not the sum of the question "
                                 f"points ({total:g})")
        return self


class Results(_Model):
    format: Literal["quizbook-results/1"]
    student: Name
    exported_at: datetime
    source: Literal["book", "notebook"] = "book"
    quizzes: list[QuizResult] = Field(max_length=500)


class ResultsFileError(Exception):
    """A results file that cannot be used; the message names the file and the field."""


def parse_results(raw: bytes, shown: str) -> Results:
    if len(raw) > MAX_RESULTS_BYTES:
        raise ResultsFileError(f"{shown}: the file is larger than {MAX_RESULTS_BYTES:,} bytes; "
                               "it is not a quizbook results file")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ResultsFileError(f"{shown}: not UTF-8 text; not a quizbook results file") from None
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
        raise ResultsFileError(f"{shown}: not a quizbook results file (format "
                               f"{found!r}, expected {FORMAT!r})")
    try:
        return Results.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ResultsFileError(f"{shown}: {where}: {message}{more}") from None


def load_results(path: Path | str) -> Results:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_RESULTS_BYTES:
            raise ResultsFileError(f"{path}: the file is larger than {MAX_RESULTS_BYTES:,} "
                                   "bytes; it is not a quizbook results file")
        raw = path.read_bytes()
    except OSError as exc:
        raise ResultsFileError(f"{path}: cannot read the file ({exc.strerror})") from None
    return parse_results(raw, str(path))


def dump_results(results: Results) -> str:
    return json.dumps(results.model_dump(mode="json"), indent=2, ensure_ascii=False)
