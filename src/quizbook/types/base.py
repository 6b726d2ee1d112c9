"""What the model of every question type builds on: the strict base, the safe text and id
types, and the fields every question has.

Split from quizbook.model so that a question type's own module (quizbook.types.<type>) can
define its model without importing quizbook.model, whose `Question` union lists it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from quizbook import chars

#: Ids become HTML ids and localStorage keys, so only a safe alphabet is allowed.
SAFE_ID = r"^[a-z0-9][a-z0-9-]*$"
SafeId = Annotated[str, Field(pattern=SAFE_ID, max_length=64)]
#: Control characters (NUL, ESC...), lone surrogates and bidi overrides are refused in every
#: text: they break the XML, CSV and PDF outputs or make text read differently than it is.
Text = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(chars.check)]
OneLine = Annotated[str, AfterValidator(chars.check_one_line)]


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a quiz file must never pass silently."""

    # strict: "1" is not a number and 1 is not text; YAML already gives real types.
    # allow_inf_nan=False: `.inf` and `.nan` are refused in every number (they broke the
    # browser's grader and JSON).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True,
                              allow_inf_nan=False)


def unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} {item!r}")
        seen.add(item)


class RightWrongFeedback(Strict):
    correct: Text | None = None
    incorrect: Text | None = None


class QuestionBase(Strict):
    id: SafeId
    objective: SafeId
    source: SafeId
    points: float = Field(default=1, gt=0, le=100)
    prompt: Text
    # Authoring metadata for `quizbook stats`: excluded from model_dump so that labelling an
    # item never changes its digest (grade.question_seed), shuffles or saved progress.
    level: Literal["recall", "analysis", "evaluation"] | None = Field(default=None, exclude=True)
    hint: Text | None = None
    explanation: Text | None = None
    instructor_note: Text | None = None
