"""The quiz authoring format, as pydantic models.

This module is the truth about what a quiz file may contain. It knows nothing
about YAML, files, Sphinx or widgets: `load.py` turns a file into these models
and maps validation errors back to lines.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from quizbook import chars

#: Ids become HTML ids and localStorage keys, so only a safe alphabet is allowed.
SAFE_ID = r"^[a-z0-9][a-z0-9-]*$"
SafeId = Annotated[str, Field(pattern=SAFE_ID, max_length=64)]
#: Control characters (NUL, ESC...), lone surrogates and bidi overrides are refused in every
#: text: they break the XML, CSV and PDF outputs or make text read differently than it is.
Text = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(chars.check)]
OneLine = Annotated[str, AfterValidator(chars.check_one_line)]
QUESTION_TYPES = ("single", "multiple", "true_false", "short_text", "numeric", "ordering",
                  "matching")


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a quiz file must never pass silently."""

    # strict: "1" is not a number and 1 is not text; YAML already gives real types.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} {item!r}")
        seen.add(item)


class Objective(Strict):
    id: SafeId
    text: Text


class Option(Strict):
    id: SafeId
    text: Text
    correct: bool
    feedback: Text | None = None


class RightWrongFeedback(Strict):
    correct: Text | None = None
    incorrect: Text | None = None


class TrueFalseFeedback(Strict):
    # YAML `true:`/`false:` keys arrive as booleans; the loader stringifies keys.
    true: Text | None = None
    false: Text | None = None


class QuestionBase(Strict):
    id: SafeId
    objective: SafeId
    source: SafeId
    points: float = Field(default=1, gt=0, le=100)
    prompt: Text
    hint: Text | None = None
    explanation: Text | None = None
    instructor_note: Text | None = None


class SingleQuestion(QuestionBase):
    type: Literal["single"]
    options: list[Option] = Field(min_length=2, max_length=8)

    @model_validator(mode="after")
    def _exactly_one_correct(self) -> SingleQuestion:
        _unique([o.id for o in self.options], "option id")
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
        _unique([o.id for o in self.options], "option id")
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
    accept: list[Annotated[OneLine, Field(min_length=1, max_length=200)]] = Field(min_length=1)
    pattern: OneLine | None = None
    case_sensitive: bool = False
    normalize: bool = True
    feedback: RightWrongFeedback = RightWrongFeedback()

    @field_validator("pattern")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
            # The browser runs the same pattern as a JavaScript RegExp: refuse the
            # Python-only syntax that would behave differently there.
            for python_only in ("(?P<", "(?P=", "(?i", "(?m", "(?s", "(?x", "(?a", "(?#",
                                "\\A", "\\Z"):
                if python_only in value:
                    raise ValueError(f"`{python_only}` works in Python but not in browsers; "
                                     "use portable regex syntax")
        return value


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    answer: float | None = None
    tolerance: float = Field(default=0, ge=0)
    range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    unit: Annotated[OneLine, Field(max_length=20)] | None = None
    feedback: RightWrongFeedback = RightWrongFeedback()

    @model_validator(mode="after")
    def _answer_or_range(self) -> NumericQuestion:
        if (self.answer is None) == (self.range is None):
            raise ValueError("give either `answer` (with optional `tolerance`) or `range`")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("`range` must be [low, high] with low <= high")
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
        _unique([i.id for i in self.items], "item id")
        _unique([i.text for i in self.items], "item text")
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
        _unique([p.id for p in self.pairs], "pair id")
        _unique([p.left for p in self.pairs], "left text")
        _unique([p.right for p in self.pairs] + list(self.distractors), "right text")
        return self


Question = Annotated[
    SingleQuestion | MultipleQuestion | TrueFalseQuestion | ShortTextQuestion | NumericQuestion
    | OrderingQuestion | MatchingQuestion,
    Field(discriminator="type"),
]


class Quiz(Strict):
    id: SafeId
    lesson: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)]
    title: Text
    pass_mark: float = Field(default=0.7, ge=0, le=1)
    objectives: list[Objective] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _cross_references(self) -> Quiz:
        _unique([o.id for o in self.objectives], "objective id")
        _unique([q.id for q in self.questions], "question id")
        return self

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)

    def objective(self, objective_id: str) -> Objective | None:
        return next((o for o in self.objectives if o.id == objective_id), None)
