"""Item-writing checks, after Haladyna, Downing and Rodriguez (2002), "A review of
multiple-choice item-writing guidelines for classroom assessment".

A valid quiz can still be a poor one: these are the guideline checks that a
machine can make. Each finding names its rule so an author can look it up.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from quizbook import model
from quizbook.load import field_position
from quizbook.markup import plain_text
from quizbook.types import spec_of


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.field}: {self.message} [{self.rule}]"


Loc = list[int | str]
Check = Callable[[model.Quiz], Iterator[tuple[Loc, str, str]]]
CHOICE = (model.SingleQuestion, model.MultipleQuestion)

_ALL_NONE = re.compile(r"\b(all|none|both|neither) of the (above|options|answers)\b", re.I)
_NEGATIVE = re.compile(r"\b(not|except|never|least|cannot)\b", re.I)
_IMPERATIVE = {
    "arrange", "choose", "classify", "complete", "decide", "enter", "give", "identify",
    "indicate", "list", "match", "name", "order", "pick", "put", "rank", "select", "sort",
    "state", "type", "write", "estimate", "place", "read", "mark", "sequence",
}


def rules() -> dict[str, tuple[str, Check]]:
    """Rule code -> (short description, check)."""
    return {
        "option-feedback": ("every option and outcome has feedback", _feedback),
        "all-none-above": ('no "all of the above" / "none of the above" options', _all_none),
        "longest-correct": ("the correct option is not systematically the longest", _longest),
        "key-balance": ("correct positions are balanced across the quiz", _balance),
        "negative-stem": ("negatives in stems are emphasised (**not**, NOT)", _negatives),
        "option-count": ("choice items have 3 to 5 options", _option_count),
        "objective-coverage": ("every objective is assessed by at least two items", _coverage),
        "prompt-ending": ("prompts end with a question or a clear instruction", _prompt_end),
        "cross-item-cue": ("no item prints another item's answer (an accepted answer or the "
                           "key's text)", _cross_item_cues),
        "type-rules": ("the rules of registered question types (quizbook.types)",
                       _type_rules),
    }


def _type_rules(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    for n, q in enumerate(quiz.questions):
        if not isinstance(q, model.BuiltinQuestion):
            yield from spec_of(q).lint(q, n)


def lint_quiz(quiz: model.Quiz, path: Path) -> list[Finding]:
    findings = []
    for code, (_, check) in rules().items():
        for loc, field, message in check(quiz):
            line, col = field_position(path, loc)
            findings.append(Finding(str(path), line, col, field, code, message))
    return sorted(findings)


def _feedback(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    for n, q in enumerate(quiz.questions):
        if isinstance(q, CHOICE):
            for m, option in enumerate(q.options):
                if option.feedback is None:
                    yield (["questions", n, "options", m], f"questions[{n}].options[{m}]",
                           f"option {option.id!r} has no feedback: say why it is right or "
                           "wrong")
        elif isinstance(q, model.TrueFalseQuestion):
            for value in ("true", "false"):
                if getattr(q.feedback, value) is None:
                    yield (["questions", n], f"questions[{n}].feedback",
                           f"no feedback for the answer `{value}`")
        else:
            for outcome in ("correct", "incorrect"):
                if getattr(q.feedback, outcome) is None:
                    yield (["questions", n], f"questions[{n}].feedback",
                           f"no `{outcome}` feedback")


def _all_none(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    for n, q in enumerate(quiz.questions):
        if isinstance(q, CHOICE):
            for m, option in enumerate(q.options):
                if _ALL_NONE.search(plain_text(option.text)):
                    yield (["questions", n, "options", m], f"questions[{n}].options[{m}]",
                           "avoid 'all/none of the above': it tests test-taking, not the "
                           "reading")


def _longest(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    singles = [(n, q) for n, q in enumerate(quiz.questions)
               if isinstance(q, model.SingleQuestion)]
    longest = []
    for n, q in singles:
        lengths = sorted((len(plain_text(o.text)) for o in q.options), reverse=True)
        if len(plain_text(q.correct_option.text)) == lengths[0] > lengths[1]:
            longest.append(n)
    # Chance alone makes the key the longest in about 1 of k items; flag a pattern.
    if len(singles) >= 3 and len(longest) * 2 > len(singles):
        yield (["questions"], "questions",
               f"the correct option is the longest in {len(longest)} of {len(singles)} "
               f"single-choice items (questions {', '.join(str(i) for i in longest)}); "
               "test-wise students learn to pick the longest")


def _balance(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    positions = [next(i for i, o in enumerate(q.options) if o.correct)
                 for q in quiz.questions if isinstance(q, model.SingleQuestion)]
    if len(positions) < 4:
        return
    counts = Counter(positions)
    spot, most = counts.most_common(1)[0]
    if most * 2 > len(positions):
        yield (["questions"], "questions",
               f"the correct option is in position {spot + 1} in {most} of {len(positions)} "
               "single-choice items; spread the keys over the positions")


def _negatives(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    for n, q in enumerate(quiz.questions):
        emphasised = re.sub(r"(\*\*|__|\*|_)(.+?)\1", "", q.prompt)
        for match in _NEGATIVE.finditer(emphasised):
            word = match.group(0)
            if word != word.upper():
                yield (["questions", n, "prompt"], f"questions[{n}].prompt",
                       f"negative {word!r} in the stem: emphasise it (**{word}**) or "
                       "rephrase positively")
                break


def _option_count(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    for n, q in enumerate(quiz.questions):
        if isinstance(q, CHOICE) and not 3 <= len(q.options) <= 5:
            yield (["questions", n, "options"], f"questions[{n}].options",
                   f"{len(q.options)} options: three to five plausible options work best")


def _coverage(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    counts = Counter(q.objective for q in quiz.questions)
    for n, objective in enumerate(quiz.objectives):
        if counts[objective.id] < 2:
            yield (["objectives", n], f"objectives[{n}]",
                   f"objective {objective.id!r} is assessed by {counts[objective.id]} "
                   "item(s); use at least two")


def _prompt_end(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    for n, q in enumerate(quiz.questions):
        text = plain_text(q.prompt).rstrip()
        first = re.split(r"\W+", text.lower(), maxsplit=1)[0] if text else ""
        last_sentence = re.split(r"(?<=[.?!:])\s+", text)[-1].lower()
        last_first = re.split(r"\W+", last_sentence, maxsplit=1)[0] if last_sentence else ""
        if text.endswith(("?", ":")):
            continue
        if text.endswith(".") and (first in _IMPERATIVE or last_first in _IMPERATIVE):
            continue
        yield (["questions", n, "prompt"], f"questions[{n}].prompt",
               "end the prompt with a question mark or a clear instruction "
               "(e.g. 'Select the ...')")


def _words(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces, padded: for whole-word search."""
    decomposed = unicodedata.normalize("NFKD", plain_text(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " " + " ".join(re.sub(r"[^\w]+", " ", bare).split()) + " "


def _shown_texts(q: model.Question) -> list[str]:
    """Everything a student can read in an item, before or after answering it (not the
    instructor note)."""
    texts = [q.prompt, q.hint or "", q.explanation or ""]
    if not isinstance(q, model.BuiltinQuestion):
        return texts + spec_of(q).shown_texts(q)
    if isinstance(q, CHOICE):
        texts += [t for o in q.options for t in (o.text, o.feedback or "")]
    elif isinstance(q, model.TrueFalseQuestion):
        texts += [q.feedback.true or "", q.feedback.false or ""]
    else:
        texts += [q.feedback.correct or "", q.feedback.incorrect or ""]
    if isinstance(q, model.OrderingQuestion):
        texts += [i.text for i in q.items]
    if isinstance(q, model.MatchingQuestion):
        texts += [t for p in q.pairs for t in (p.left, p.right)] + list(q.distractors)
    return texts


def _answers(q: model.Question) -> list[tuple[str, list[str]]]:
    """(answer text, texts of the wrong options) for each answer a student must produce or pick.
    A key printed next to its own distractors gives nothing away, so those do not count."""
    if not isinstance(q, model.BuiltinQuestion):
        return spec_of(q).answers(q)
    if isinstance(q, CHOICE):
        wrong = [o.text for o in q.options if not o.correct]
        return [(o.text, wrong) for o in q.options if o.correct]
    if isinstance(q, model.ShortTextQuestion):
        return [(answer, []) for answer in q.accept]
    if isinstance(q, model.NumericQuestion) and q.answer is not None:
        if q.answer == int(q.answer):
            return [(str(int(q.answer)), []), (f"{int(q.answer):,}", [])]
        return [(f"{q.answer:g}", [])]
    return []


def _cross_item_cues(quiz: model.Quiz) -> Iterator[tuple[Loc, str, str]]:
    shown = [" ".join(_words(t) for t in _shown_texts(q)) for q in quiz.questions]
    for n, q in enumerate(quiz.questions):
        reported: set[str] = set()
        for answer, wrong in _answers(q):
            needle = _words(answer)
            if len(needle.strip()) < 3 or needle in reported:
                continue
            others = [m for m, text in enumerate(shown) if m != n and needle in text
                      and not any(_words(w) in text for w in wrong)]
            if others:
                reported.add(needle)
                where = ", ".join(f"{quiz.questions[m].id} (question {m + 1})" for m in others)
                yield (["questions", n], f"questions[{n}]",
                       f"the answer {answer.strip()!r} is printed in {where}: a student can "
                       "copy it from there; reword one of the items")
