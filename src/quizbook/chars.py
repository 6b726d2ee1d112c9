"""Characters no text of a quiz or a results file may hold.

Control characters break the outputs made from the text (XML refuses NUL, a CSV row
ends at a carriage return), lone surrogates cannot be written as UTF-8 at all, and
bidirectional overrides make a name or a prompt read differently from what it is
("Trojan Source"). Quiz text and results files are refused when they hold any.
"""

from __future__ import annotations

import unicodedata

#: Line breaks and tabs are fine inside multi-line text (prompts, explanations).
LAYOUT = frozenset("\t\n\r")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if not name and ch < " ":
        name = ("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT",
                "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
                "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US")[ord(ch)]
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def first_forbidden(text: str, *, allow_layout: bool = True) -> tuple[int, str] | None:
    """(index, what it is) of the first character `text` may not hold, or None."""
    for index, ch in enumerate(text):
        if allow_layout and ch in LAYOUT:
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            kind = "a control character"
        elif category == "Cs":
            kind = "a lone surrogate (not a character)"
        elif ch in BIDI_CONTROLS:
            kind = "a bidirectional override"
        else:
            continue
        return index, f"{kind} {describe(ch)}"
    return None


def forbidden(text: str, *, allow_layout: bool = True) -> str | None:
    """Why `text` cannot be used (naming the first bad character and where), or None."""
    found = first_forbidden(text, allow_layout=allow_layout)
    if found is None:
        return None
    return f"contains {found[1]} at character {found[0] + 1}; remove it"


def check(text: str) -> str:
    """A pydantic after-validator: `text` unchanged, or ValueError saying why not."""
    problem = forbidden(text)
    if problem:
        raise ValueError(problem)
    return text


def check_one_line(text: str) -> str:
    """As `check`, but tabs and line breaks are refused too (names, ids, units)."""
    problem = forbidden(text, allow_layout=False)
    if problem:
        raise ValueError(problem)
    return text


def check_one_line_before(value: object) -> object:
    """`check_one_line` as a pydantic before-validator: runs before pydantic's own string
    check, so a lone surrogate is named in these words rather than pydantic's."""
    return check_one_line(value) if isinstance(value, str) else value
