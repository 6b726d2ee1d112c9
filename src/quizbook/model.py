"""The quiz authoring format, as pydantic models.

This module is the truth about what a quiz file may contain. It knows nothing
about YAML, files, Sphinx or widgets: `load.py` turns a file into these models
and maps validation errors back to lines.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from quizbook import patterns
from quizbook.answers import normalise_answer

# The base every type builds on (re-exported: the rest of quizbook imports it from here).
from quizbook.types.base import SAFE_ID as SAFE_ID
from quizbook.types.base import OneLine as OneLine
from quizbook.types.base import QuestionBase as QuestionBase
from quizbook.types.base import RightWrongFeedback as RightWrongFeedback
from quizbook.types.base import SafeId as SafeId
from quizbook.types.base import Strict as Strict
from quizbook.types.base import Text as Text
from quizbook.types.base import unique as unique

#: The largest quiz total: results files refuse larger scores (quizbook.results).
MAX_QUIZ_POINTS = 10_000
#: Numbers in numeric questions: beyond this doubles stop being exact and bounds overflow.
MAX_NUMBER = 1e15
Number = Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER)]
#: The seven types built into these modules; more types live one module each in
#: quizbook.types (imported at the end of this file, which adds them to QUESTION_TYPES).
BUILTIN_TYPES = ("single", "multiple", "true_false", "short_text", "numeric", "ordering",
                 "matching")
#: Optional cognitive level of an item (`quizbook stats` counts the mix per quiz).
LEVELS = ("recall", "analysis", "evaluation")


def _unit_key(word: str) -> str:
    return "".join(word.split()).lower()


class Objective(Strict):
    id: SafeId
    text: Text


class Option(Strict):
    id: SafeId
    text: Text
    correct: bool
    feedback: Text | None = None


class TrueFalseFeedback(Strict):
    # YAML `true:`/`false:` keys arrive as booleans; the loader stringifies keys.
    true: Text | None = None
    false: Text | None = None


class SingleQuestion(QuestionBase):
    type: Literal["single"]
    options: list[Option] = Field(min_length=2, max_length=8)

    @model_validator(mode="after")
    def _exactly_one_correct(self) -> SingleQuestion:
        unique([o.id for o in self.options], "option id")
        n = sum(o.correct for o in self.options)
        if n != 1:
            raise ValueError(f"a single-choice question needs exactly one correct option, "
                             f"found {n}")
        return self

    @property
    def correct_option(self) -> Option:
        return next(o for o in self.options if o.correct)


class MultipleQuestion(QuestionBase):
    type: Literal["multiple"]
    options: list[Option] = Field(min_length=2, max_length=8)

    @model_validator(mode="after")
    def _some_right_some_wrong(self) -> MultipleQuestion:
        unique([o.id for o in self.options], "option id")
        if not any(o.correct for o in self.options):
            raise ValueError("a multiple-choice question needs at least one correct option")
        if all(o.correct for o in self.options):
            # Otherwise "select everything" would earn full marks.
            raise ValueError("a multiple-choice question needs at least one incorrect option")
        return self


class TrueFalseQuestion(QuestionBase):
    type: Literal["true_false"]
    answer: bool
    feedback: TrueFalseFeedback = TrueFalseFeedback()


class ShortTextQuestion(QuestionBase):
    type: Literal["short_text"]
    # Declared before `accept`, whose check needs them (field order changes nothing else:
    # digests and versions are computed over sorted keys).
    case_sensitive: bool = False
    normalize: bool = True
    accept: list[Annotated[OneLine, Field(min_length=1, max_length=200)]] = Field(min_length=1)
    pattern: OneLine | None = None
    feedback: RightWrongFeedback = RightWrongFeedback()

    @field_validator("accept")
    @classmethod
    def _matchable(cls, value: list[str], info: ValidationInfo) -> list[str]:
        normalize = info.data.get("normalize", True)
        case_sensitive = info.data.get("case_sensitive", False)
        for n, answer in enumerate(value):
            if not normalise_answer(answer, case_sensitive=case_sensitive, normalize=normalize):
                raise ValueError(f"accept[{n}] {answer!r} is nothing once normalised (case, "
                                 "accents, punctuation and spaces are ignored): no answer "
                                 "could match it")
        return value

    @field_validator("pattern")
    @classmethod
    def _portable_regex(cls, value: str | None) -> str | None:
        # The browser and Python both run it: only the portable subset, and nothing that
        # can backtrack catastrophically (checked as if case-insensitive: that over-counts
        # the ways to match, so it is safe for both settings).
        if value is not None:
            why = patterns.problem(value, case_sensitive=False)
            if why:
                raise ValueError(why)
        return value


def _unit_word(value: str) -> str:
    # A unit is stripped off the end of a typed answer: a unit "5" would turn "15" into "1",
    # and one made only of signs and separators would eat part of the number.
    if any(ch.isdigit() for ch in value):
        raise ValueError(f"unit {value!r} holds a digit; a unit is a word or symbol such "
                         "as km, %, years")
    if not value.strip(".,+- "):
        raise ValueError(f"unit {value!r} is only signs or separators; a unit is a word or "
                         "symbol such as km, %, years")
    return value


UnitWord = Annotated[OneLine, Field(min_length=1, max_length=20), AfterValidator(_unit_word)]


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    answer: Number | None = None
    tolerance: Annotated[Number, Field(ge=0)] = 0
    range: Annotated[list[Number], Field(min_length=2, max_length=2)] | None = None
    # Shown beside the box ("in km") and accepted after the number.
    unit: UnitWord | None = None
    # More words accepted after the number (plurals, spellings: [day, days]); `era`: AD or
    # CE accepted before or after it. Both are excluded from model_dump (as `level` is), so
    # that adding them keeps the question's digest and saved progress; the bundle carries
    # them when set, which changes its version then.
    units: list[UnitWord] = Field(default_factory=list, max_length=10, exclude=True)
    era: bool = Field(default=False, exclude=True)
    feedback: RightWrongFeedback = RightWrongFeedback()

    @field_validator("units")
    @classmethod
    def _distinct_units(cls, value: list[str], info: ValidationInfo) -> list[str]:
        seen = {_unit_key(info.data["unit"])} if info.data.get("unit") else set()
        for word in value:
            if _unit_key(word) in seen:
                raise ValueError(f"unit {word!r} is listed twice (units compare without case "
                                 "or spaces, and `unit` is accepted already)")
            seen.add(_unit_key(word))
        return value

    @model_validator(mode="after")
    def _answer_or_range(self) -> NumericQuestion:
        if (self.answer is None) == (self.range is None):
            raise ValueError("give either `answer` (with optional `tolerance`) or `range`")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("`range` must be [low, high] with low <= high")
        if self.era and self.bounds[1] < 1:
            raise ValueError("`era: true` accepts years AD/CE, but every accepted answer is "
                             "below 1")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        if self.range is not None:
            return (self.range[0], self.range[1])
        assert self.answer is not None  # guaranteed by _answer_or_range
        return (self.answer - self.tolerance, self.answer + self.tolerance)


class OrderItem(Strict):
    id: SafeId
    text: Text


class OrderingQuestion(QuestionBase):
    type: Literal["ordering"]
    items: list[OrderItem] = Field(min_length=3, max_length=12)
    feedback: RightWrongFeedback = RightWrongFeedback()

    @model_validator(mode="after")
    def _distinct(self) -> OrderingQuestion:
        unique([i.id for i in self.items], "item id")
        unique([i.text for i in self.items], "item text")
        return self


class Pair(Strict):
    id: SafeId
    left: Text
    right: Text


class MatchingQuestion(QuestionBase):
    type: Literal["matching"]
    pairs: list[Pair] = Field(min_length=3, max_length=12)
    distractors: list[Text] = Field(default_factory=list, max_length=8)
    feedback: RightWrongFeedback = RightWrongFeedback()

    @model_validator(mode="after")
    def _distinct(self) -> MatchingQuestion:
        unique([p.id for p in self.pairs], "pair id")
        unique([p.left for p in self.pairs], "left text")
        unique([p.right for p in self.pairs] + list(self.distractors), "right text")
        return self


#: The built-in types' models: code that branches on them first hands any other question
#: to its registered type (`if not isinstance(q, BuiltinQuestion): spec_of(q)...`).
BuiltinQuestion = (SingleQuestion | MultipleQuestion | TrueFalseQuestion | ShortTextQuestion
                   | NumericQuestion | OrderingQuestion | MatchingQuestion)

# Registered types (quizbook.types): each module defines its model on QuestionBase and
# registers itself on import; list its model in `Question` below.
from quizbook.types import registered  # noqa: E402
from quizbook.types.cloze import ClozeQuestion  # noqa: E402

Question = Annotated[
    BuiltinQuestion | ClozeQuestion,
    Field(discriminator="type"),
]
QUESTION_TYPES = BUILTIN_TYPES + tuple(registered())


class Quiz(Strict):
    id: SafeId
    lesson: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)]
    title: Text
    pass_mark: float = Field(default=0.7, ge=0, le=1)
    objectives: list[Objective] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _cross_references(self) -> Quiz:
        unique([o.id for o in self.objectives], "objective id")
        unique([q.id for q in self.questions], "question id")
        if self.max_points > MAX_QUIZ_POINTS:
            raise ValueError(f"the questions add up to {self.max_points:g} points; a quiz may "
                             f"have at most {MAX_QUIZ_POINTS:,} (results files refuse more)")
        return self

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)

    def objective(self, objective_id: str) -> Objective | None:
        return next((o for o in self.objectives if o.id == objective_id), None)
