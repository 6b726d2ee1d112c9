"""The question-type registry: a question type that lives in one module.

A type module (`quizbook.types.<type>`) defines the type's pydantic model and a
`QuestionType` subclass with everything the rest of quizbook needs to know about it:
reference grading, what grading depends on, the student bundle's data (and its key-free
form for a class server), the answer key, the printed view, the LMS mappings (QTI 1.2 and
Moodle XML), the gradebook's wrong answers, the item analysis' parts and the lint rules.
The module registers the type with `register()` when it is imported; `model.py` imports it
to put its model in the `Question` union.

Everywhere else asks `spec_for(question)` (or `spec_named(type_name)`) before its own
branches for the seven built-in types, so a new type adds no branch anywhere. Its
behaviour in the page is two files of the runtime, `runtime/types/<type>.js` (its controls)
and `runtime/markers/<type>.js` (its grading, loaded when a quiz is first used), and its
markup one template, `sphinx/quiz_markup/types/<type>.html.j2` (docs/contracts.md, "Adding a
question type").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

if TYPE_CHECKING:
    from quizbook.export.lms import Mapping
    from quizbook.grade import Outcome
    from quizbook.model import Quiz
    from quizbook.types.base import QuestionBase

#: A lint finding's location in the file, its dotted field and its message.
Finding: TypeAlias = "tuple[list[int | str], str, str]"
#: `seal_text(name, markdown)`: seal a text (Markdown, made safe HTML) into the bundle.
SealText: TypeAlias = Callable[[str, "str | None"], None]


class QuestionType(ABC):
    """Everything quizbook knows about one question type, outside the page's runtime."""

    #: The quiz files' `type` (also the runtime's types/<name>.js and the markup template).
    name: ClassVar[str]
    #: The runtime needs answer normalisation (runtime/answers.js) for this type.
    typed_answers: ClassVar[bool] = False
    #: Its feedback keys name parts: a class server holds them back until marks show.
    feedback_per_part: ClassVar[bool] = False
    #: Canvas's question_type of its QTI items, and Moodle's question type.
    canvas_type: ClassVar[str]
    moodle_type: ClassVar[str]

    # --- grading --------------------------------------------------------------------
    @abstractmethod
    def grade(self, q: Any, response: Any) -> Outcome:
        """The reference grade (quizbook.grade.grade); the runtime must agree exactly."""

    @abstractmethod
    def grading_content(self, q: Any) -> dict[str, Any]:
        """The key, over ids (quizbook.grade.grading_content): wording excluded."""

    def layout_parts(self, q: Any) -> list[str]:
        """Ids of the parts whose shown order is shuffled (quizbook.grade.layout_seed)."""
        return []

    def feedback_text(self, q: Any, key: str) -> str | None:
        """The authored Markdown behind a feedback key of an Outcome."""
        return {"correct": q.feedback.correct, "incorrect": q.feedback.incorrect}.get(key)

    # --- the student bundle ---------------------------------------------------------
    @abstractmethod
    def bundle_fields(self, q: Any, salt: str, seal_text: SealText) -> dict[str, Any]:
        """The type's fields of the student bundle (no readable key); feedback is sealed
        with `seal_text`."""

    @abstractmethod
    def keyfree_fields(self, bq: dict[str, Any]) -> dict[str, Any]:
        """The fields a class server's key-free page keeps of the type's bundle fields."""

    @abstractmethod
    def check_response(self, q: Any, value: Any) -> str | None:
        """Why a (non-null) response sent to a class server has the wrong shape, or None."""

    # --- keys, print, exports -------------------------------------------------------
    @abstractmethod
    def key_parts(self, q: Any) -> list[tuple[str, str]]:
        """The key as (label, Markdown answer) lines, as a marker reads the handout."""

    def wrong_feedback(self, q: Any) -> list[tuple[str, str]]:
        """(what, Markdown feedback) for the instructor key's "why the wrong answers are
        wrong"."""
        return [("Feedback to a wrong answer", q.feedback.incorrect)] \
            if q.feedback.incorrect else []

    @abstractmethod
    def student_lines(self, q: Any, bq: dict[str, Any]) -> list[str]:
        """The question's parts as Markdown paragraphs for a view without the quiz markup
        (builders other than HTML); `bq` is its student bundle entry."""

    @abstractmethod
    def wrong_choices(self, q: Any, response: Any, outcome: Outcome) -> list[str]:
        """What a wrong response chose, in words (the gradebook's item statistics)."""

    @abstractmethod
    def parts(self, q: Any) -> list[tuple[str, str]]:
        """(part id, plain label) of each scored part (the class server's item analysis)."""

    @abstractmethod
    def write_qti(self, item: Any, presentation: Any, q: Any, quiz: Quiz,
                  mappings: list[Mapping]) -> None:
        """Fill a QTI item (quizbook.export.qti) and note how the mapping differs."""

    @abstractmethod
    def write_moodle(self, element: Any, q: Any, quiz: Quiz, mappings: list[Mapping]) -> None:
        """Fill a Moodle `<question>` (quizbook.export.moodle) and note the mapping."""

    def validate_moodle(self, element: Any) -> list[str]:
        """Problems of one exported `<question>` of this type (the export validator)."""
        return []

    # --- lint -----------------------------------------------------------------------
    def lint(self, q: Any, n: int) -> Iterator[Finding]:
        """Type-specific authoring advice for question number n (0-based)."""
        return iter(())

    @abstractmethod
    def shown_texts(self, q: Any) -> list[str]:
        """The type's texts a student can read (besides prompt, hint and explanation)."""

    @abstractmethod
    def answers(self, q: Any) -> list[tuple[str, list[str]]]:
        """(answer, the wrong choices shown beside it) a student must produce or pick."""


_REGISTRY: dict[str, QuestionType] = {}
_MODELS: dict[str, type[QuestionBase]] = {}


def register(model: type[QuestionBase], spec: QuestionType) -> None:
    """Make a type known (called by its module on import)."""
    if spec.name in _REGISTRY and _MODELS[spec.name] is not model:
        raise ValueError(f"question type {spec.name!r} is registered twice")
    _REGISTRY[spec.name] = spec
    _MODELS[spec.name] = model


def spec_named(name: str) -> QuestionType | None:
    return _REGISTRY.get(name)


def spec_for(question: Any) -> QuestionType | None:
    """The registered type of a question (model or bundle entry), or None for a built-in."""
    name = question.get("type") if isinstance(question, dict) else getattr(question, "type", None)
    return _REGISTRY.get(name) if isinstance(name, str) else None


def registered() -> dict[str, QuestionType]:
    """Every registered type. Type modules register when quizbook.model imports them, so
    this imports it first (a no-op once loaded, and safe while it is loading)."""
    import quizbook.model  # noqa: F401

    return dict(_REGISTRY)


def spec_of(question: Any) -> QuestionType:
    """The registered type of a question that is not one of the built-in seven."""
    spec = spec_for(question)
    if spec is None:
        name = question.get("type") if isinstance(question, dict) else question.type
        raise ValueError(f"unknown question type {name!r}")
    return spec
