"""Random responses to the registered question types (quizbook.types), for the tests that
grade many responses (the JS/Python parity test): one generator per type, next to each other
so that a new type adds one function here rather than a branch in every test."""

from __future__ import annotations

import random
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
