"""The attempt policy of each quiz in class mode, from `class-policy.yml` (optional) with defaults.

```yaml
default:                     # every quiz (each field optional)
  tries: 2                   # Checks a student may send (null: no limit)
  marks_before_close: false  # per-option/item/pair right-wrong marks while the quiz is open
  counts: first              # which attempt counts: first | best | last
  late_counts: false         # whether an attempt sent after the quiz closed may count
quizzes:
  l1-laboratory:             # a quiz id of the book
    tries: 3
    closes: 2026-05-04T10:50:00+02:00   # with a UTC offset; the instructor can also close it
```

Unlimited tries with per-option marks turn a quiz into trial and error, so marks
wait for the quiz to close unless the policy says otherwise. Problems are reported
as `PATH:LINE:COL: field: message`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from quizbook.load import Problem

POLICY_FILE = "class-policy.yml"
Counts = Literal["first", "best", "last"]


class PolicyFileError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    tries: int | None = Field(default=None, ge=1, le=100)
    marks_before_close: bool | None = None
    counts: Counts | None = None
    late_counts: bool | None = None
    closes: datetime | None = None

    @field_validator("closes")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give the closing time with its UTC offset, e.g. "
                             "2026-05-04T10:50:00+02:00")
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    default: _Fields = _Fields()
    quizzes: dict[str, _Fields] = Field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """The resolved policy of one quiz."""

    tries: int | None = 2
    marks_before_close: bool = False
    counts: Counts = "first"
    late_counts: bool = False
    closes: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {"tries": self.tries, "marks_before_close": self.marks_before_close,
                "counts": self.counts, "late_counts": self.late_counts,
                "closes": self.closes.isoformat() if self.closes else None}

    def sentences(self) -> list[str]:
        """The policy in words, for students."""
        tries = ("You can check your answers as often as you like." if self.tries is None
                 else "You can check your answers once." if self.tries == 1
                 else f"You can check your answers {self.tries} times.")
        counts = {"first": "Your first attempt counts.",
                  "best": "Your best attempt counts.",
                  "last": "Your last attempt counts."}[self.counts]
        marks = ("Right and wrong marks for each option are shown as soon as you check."
                 if self.marks_before_close else
                 "You see your score at once; right and wrong marks for each option and the "
                 "explanations come when the quiz closes.")
        late = ("Answers sent after the quiz closes are kept, marked late, and can count."
                if self.late_counts else
                "Answers sent after the quiz closes are kept and marked late; they do not "
                "count.")
        return [tries, counts, marks, late]


DEFAULT = Policy()


@dataclass(frozen=True)
class Policies:
    default: Policy
    quizzes: dict[str, Policy]
    source: Path | None = None

    def of(self, quiz_id: str) -> Policy:
        return self.quizzes.get(quiz_id, self.default)


def _merge(base: Policy, fields: _Fields) -> Policy:
    given = fields.model_dump(exclude_unset=True)
    return Policy(**{**base.__dict__, **given})


def _position(data: Any, loc: Sequence[int | str]) -> tuple[int, int, str]:
    node, line, col, parts = data, 1, 1, []
    for segment in loc:
        if isinstance(node, CommentedMap) and segment in node:
            line, col = (v + 1 for v in node.lc.key(segment))
            node = node[segment]
        elif isinstance(node, CommentedSeq) and isinstance(segment, int) and \
                0 <= segment < len(node):
            line, col = (v + 1 for v in node.lc.item(segment))
            node = node[segment]
        parts.append(str(segment))
    return line, col, ".".join(parts)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_policies(text: str, shown: str, quiz_ids: Iterable[str]) -> Policies:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        data = yaml.load(io.StringIO(text))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise PolicyFileError([Problem(shown, line, col, "", f"YAML error: "
                                       f"{getattr(exc, 'problem', None) or exc}")]) from None
    if data is None:
        return Policies(DEFAULT, {}, Path(shown))
    if not isinstance(data, CommentedMap):
        raise PolicyFileError([Problem(shown, 1, 1, "", "the policy file must be a mapping "
                                                        "with `default:` and `quizzes:`")])
    try:
        parsed = _File.model_validate(_plain(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            line, col, field = _position(data, list(error["loc"]))
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown field (fields: tries, marks_before_close, counts, " \
                          "late_counts, closes)"
            problems.append(Problem(shown, line, col, field, message))
        raise PolicyFileError(sorted(set(problems))) from None
    known = set(quiz_ids)
    unknown = [Problem(shown, *_position(data, ["quizzes", q])[:2], f"quizzes.{q}",
                       f"no quiz {q!r} in this book (quizzes: {', '.join(sorted(known))})")
               for q in parsed.quizzes if q not in known]
    if unknown:
        raise PolicyFileError(unknown)
    default = _merge(DEFAULT, parsed.default)
    return Policies(default, {q: _merge(default, f) for q, f in parsed.quizzes.items()},
                    Path(shown))


def load_policies(path: Path | None, quiz_ids: Iterable[str]) -> Policies:
    """The policies in `path`, or the defaults when there is no file."""
    if path is None or not path.is_file():
        return Policies(DEFAULT, {})
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError([Problem(str(path), 1, 1, "", f"cannot read the file ({exc})")]) \
            from None
    return parse_policies(text, str(path), quiz_ids)
