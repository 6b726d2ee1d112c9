"""Random responses to the registered question types (quizbook.types), for the tests that
grade many responses (the JS/Python parity test): one generator per type, next to each other
so that a new type adds one function here rather than a branch in every test."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable
from typing import Any

from quizbook.types import spec_of
from quizbook.types.cloze import Cloze, ClozeQuestion

SPACES = [" ", "\u00a0", "\t", "\u3000", "\x1c", "\ufeff", "\u200b"]


def _typed(rng: random.Random, accept: list[str]) -> str:
    text = rng.choice(accept)
    kind = rng.randrange(8)
    if kind == 0:
        return text.upper()
    if kind == 1:
        return rng.choice(SPACES) + text + rng.choice(SPACES) + rng.choice([".", "!", ""])
    if kind == 2:
        return "".join(c + ("\u0301" if rng.random() < 0.3 else "") for c in text)
    if kind == 3:
        return text[:-1]
    if kind == 4:
        return rng.choice(["", " ", "\u00a0", "proxy", "Beirut, Lebanon", "Bey-routh", "x"])
    return text


def cloze_response(rng: random.Random, q: ClozeQuestion) -> Any:
    spec = spec_of(q)
    assert isinstance(spec, Cloze)
    response: dict[str, Any] = {}
    for blank in q.blanks:
        if rng.random() < 0.15:
            continue
        if blank.accept is not None:
            value: Any = _typed(rng, blank.accept)
        else:
            ids = [cid for cid, _, _ in spec.choices(q, blank)]
            value = spec.right_choice(q, blank) if rng.random() < 0.5 else rng.choice(ids)
        if rng.random() < 0.05:
            value = rng.choice(["", "c99", 1, None, True, ["c1"], " "])
        response[blank.id] = value
    if rng.random() < 0.05:
        response["zz"] = "c1"
    return response


GENERATORS: dict[str, Callable[[random.Random, Any], Any]] = {"cloze": cloze_response}


def random_response(rng: random.Random, q: Any) -> Any:
    """A random response to a question of a registered type."""
    return GENERATORS[q.type](rng, q)


# --- the LMS exports: what Canvas and Moodle would score (tests/test_export_lms.py) ------


def cloze_lms_cases(q: ClozeQuestion) -> list[tuple[dict[str, str], dict[str, set[str]]]]:
    """(book response, QTI responses) pairs: all right, each blank wrong alone, all wrong.
    Canvas maps a typed answer to the ident of the accepted answer it equals."""
    spec = spec_of(q)
    assert isinstance(spec, Cloze)

    def value(blank: Any, right: bool) -> str:
        if blank.accept is not None:
            return blank.accept[-1] if right else "zzz-wrong"
        ids = [cid for cid, _, _ in spec.choices(q, blank)]
        key = spec.right_choice(q, blank)
        return key if right else next(i for i in ids if i != key)

    def qti(n: int, blank: Any, right: bool) -> set[str]:
        accepted = blank.accept if blank.accept is not None else [blank.answer]
        return {f"blank{n}-{len(accepted) if blank.accept is not None else 1}"} if right \
            else {"none"}

    patterns = [[True] * len(q.blanks), [False] * len(q.blanks)]
    patterns += [[m != k for m in range(len(q.blanks))] for k in range(len(q.blanks))]
    cases = []
    for rights in patterns:
        book = {b.id: value(b, r) for b, r in zip(q.blanks, rights, strict=True)}
        lms = {f"response_blank{n}": qti(n, b, r)
               for n, (b, r) in enumerate(zip(q.blanks, rights, strict=True), 1)}
        cases.append((book, lms))
    return cases


_EMBEDDED = re.compile(r"\{(\d+):(SHORTANSWER|MULTICHOICE):((?:\\.|[^}\\])*)\}")


def _alternatives(body: str) -> list[tuple[bool, str]]:
    out = []
    for alt in re.split(r"(?<!\\)~", body):
        alt = re.split(r"(?<!\\)#", alt)[0]
        right = alt.startswith("=")
        out.append((right, html.unescape(re.sub(r"\\(.)", r"\1", alt.lstrip("=")))))
    return out


def cloze_moodle_score(element: Any, q: ClozeQuestion, response: dict[str, str]) -> float:
    """Moodle's multianswer: each embedded blank scores its weight when right (short answers
    case-insensitively, exact otherwise; a drop-down by the text chosen)."""
    spec = spec_of(q)
    assert isinstance(spec, Cloze)
    embedded = _EMBEDDED.findall(element.findtext("questiontext/text") or "")
    assert len(embedded) == len(q.blanks)
    earned = total = 0.0
    for blank, (weight, kind, body) in zip(q.blanks, embedded, strict=True):
        total += float(weight)
        rights = [text for right, text in _alternatives(body) if right]
        given = response.get(blank.id, "")
        if kind == "MULTICHOICE":
            assert blank.accept is None
            given = dict((cid, text) for cid, text, _ in spec.choices(q, blank)).get(given, "")
            earned += float(weight) if given in rights else 0.0
        else:
            earned += float(weight) if given.strip().lower() in {r.lower() for r in rights} \
                else 0.0
    return q.points * earned / total


LMS_CASES: dict[str, Callable[[Any], list[tuple[Any, dict[str, set[str]]]]]] = {
    "cloze": cloze_lms_cases}
MOODLE_SCORES: dict[str, Callable[[Any, Any, Any], float]] = {"cloze": cloze_moodle_score}


# --- answering in a real page (tests/browser_support.answer_quiz) ------------------------


def cloze_answer_in_page(fieldset: Any, q: ClozeQuestion, correct: bool) -> None:
    """Fill every blank rightly, or every blank wrongly."""
    spec = spec_of(q)
    assert isinstance(spec, Cloze)
    for blank in q.blanks:
        if blank.accept is not None:
            fieldset.locator(f'input[data-item-id="{blank.id}"]').fill(
                blank.accept[0] if correct else "zz no such answer zz")
        else:
            key = spec.right_choice(q, blank)
            wrong = next(cid for cid, _, _ in spec.choices(q, blank) if cid != key)
            fieldset.locator(f'select[data-item-id="{blank.id}"]').select_option(
                key if correct else wrong)


ANSWER_IN_PAGE: dict[str, Callable[[Any, Any, bool], None]] = {"cloze": cloze_answer_in_page}


# --- right and wrong answers (tests/helpers.right_response / wrong_response) -------------


def cloze_right(q: ClozeQuestion) -> dict[str, str]:
    spec = spec_of(q)
    assert isinstance(spec, Cloze)
    return {b.id: b.accept[0] if b.accept is not None else spec.right_choice(q, b)
            for b in q.blanks}


def cloze_wrong(q: ClozeQuestion) -> dict[str, str]:
    spec = spec_of(q)
    assert isinstance(spec, Cloze)
    return {b.id: "zz-wrong" if b.accept is not None else next(
        c for c, _, _ in spec.choices(q, b) if c != spec.right_choice(q, b)) for b in q.blanks}


RIGHT: dict[str, Callable[[Any], Any]] = {"cloze": cloze_right}
WRONG: dict[str, Callable[[Any], Any]] = {"cloze": cloze_wrong}


# --- the answer-key PDF (tests/test_print_layout.py) -------------------------------------


def cloze_key_text(q: ClozeQuestion) -> list[str]:
    """What the answer-key PDF shows for a cloze: one line per blank, as `key_parts` says."""
    from quizbook.markup import plain_text

    return [f"{label} {plain_text(answer)}" for label, answer in spec_of(q).key_parts(q)]


KEY_TEXT: dict[str, Callable[[Any], list[str]]] = {"cloze": cloze_key_text}
