"""The portable pattern subset: its grammar (see the package docstring), parsed by hand.

`parse(pattern)` gives a small tree (character sets as code-point ranges, sequences,
alternatives, repeats, anchors) or a PatternError that says, in an author's words, what
is outside the subset and why.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

MAX_PATTERN_CHARS = 300
MAX_COUNT = 1000
MAX_CODE_POINT = 0x10FFFF

Ranges = tuple[tuple[int, int], ...]

# JavaScript's \s (WhiteSpace + LineTerminator) and the line terminators `.` excludes.
JS_SPACE: Ranges = ((0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680),
                    (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F),
                    (0x3000, 0x3000), (0xFEFF, 0xFEFF))
JS_LINE_TERMINATORS: Ranges = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
# The two letters whose case folding differs: Python's re equates them with i/I,
# JavaScript's simple case folding equates them with nothing else.
_DOTTED_I, _DOTLESS_I = 0x130, 0x131
PYTHON_ONLY_FOLDS: Ranges = ((_DOTTED_I, _DOTLESS_I),)

SPECIAL = set("^$\\.*+?()[]{}|/")
_CLASS_ESCAPES = SPECIAL | {"-"}
_CONTROL_ESCAPES = {"t": 0x09, "n": 0x0A, "r": 0x0D, "f": 0x0C, "v": 0x0B}
_REFUSED_ESCAPES = {
    "d": "`\\d` means any Unicode digit in Python but only 0-9 in browsers; write [0-9]",
    "D": "`\\D` differs between Python and browsers; write [^0-9]",
    "w": "`\\w` means any Unicode letter in Python but only A-Z, a-z, 0-9 and _ in browsers; "
         "write the characters you mean, e.g. [A-Za-z0-9_]",
    "W": "`\\W` differs between Python and browsers; write [^A-Za-z0-9_]",
    "b": "`\\b` (word boundary) differs between Python and browsers; the pattern already "
         "matches the whole answer",
    "B": "`\\B` differs between Python and browsers",
    "A": "`\\A` works in Python only; the pattern is matched against the whole answer "
         "(use ^ if you must)",
    "Z": "`\\Z` works in Python only; the pattern is matched against the whole answer "
         "(use $ if you must)",
    "z": "`\\z` is not a regex escape in Python or browsers",
    "G": "`\\G` is not supported by Python or browsers",
    "p": "Unicode property classes (\\p{...}) work in browsers but not in Python's re",
    "P": "Unicode property classes (\\P{...}) work in browsers but not in Python's re",
    "k": "named back-references (\\k<name>) are not in the portable subset",
    "N": "`\\N{...}` works in Python only",
    "c": "control escapes (\\cX) are not in the portable subset",
    "0": "`\\0` and octal escapes are not in the portable subset; write \\x00-style escapes "
         "only for visible characters",
    "a": "`\\a` works in Python only",
    "e": "`\\e` is not a portable escape",
}


class PatternError(ValueError):
    """A pattern outside the portable subset; `index` is where (0-based) in the pattern."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message, self.index = message, index


# -- the parsed pattern ---------------------------------------------------------------------


@dataclass(frozen=True)
class Chars:
    """One character from a set: ranges of code points, possibly negated."""

    ranges: Ranges
    negated: bool = False


@dataclass(frozen=True)
class Anchor:
    start: bool


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class Repeat:
    body: Node
    low: int
    high: int | None  # None: unbounded
    lazy: bool


Node = Chars | Anchor | Seq | Alt | Repeat


def normal(ranges: list[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def complement(ranges: Ranges) -> Ranges:
    out, start = [], 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= MAX_CODE_POINT:
        out.append((start, MAX_CODE_POINT))
    return tuple(out)


def minus(ranges: Ranges, remove: Ranges) -> Ranges:
    return intersect(ranges, complement(remove))


def intersect(a: Ranges, b: Ranges) -> Ranges:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def fail(self, message: str, at: int | None = None) -> PatternError:
        return PatternError(message, self.at if at is None else at)

    def peek(self, ahead: int = 0) -> str:
        at = self.at + ahead
        return self.text[at] if at < len(self.text) else ""

    def parse(self) -> Node:
        node = self.alternation()
        if self.at < len(self.text):
            ch = self.peek()
            if ch == ")":
                raise self.fail("`)` without a matching `(`; write \\) for the character")
            raise self.fail(f"unexpected `{ch}`")  # pragma: no cover - alternation stops at )
        return node

    def alternation(self) -> Node:
        options = [self.branch()]
        while self.peek() == "|":
            self.at += 1
            options.append(self.branch())
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def branch(self) -> Node:
        items: list[Node] = []
        while self.at < len(self.text) and self.peek() not in "|)":
            start = self.at
            atom = self.atom()
            quantified = self.quantifier(atom, start)
            items.append(quantified)
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def atom(self) -> Node:
        ch = self.peek()
        if ch in "*+?":
            raise self.fail(f"`{ch}` has nothing to repeat; write \\{ch} for the character")
        if ch == "{":
            if re.match(r"\{\d*,?\d*\}", self.text[self.at:]):
                raise self.fail(f"`{self.text[self.at:].split('}')[0]}}}` has nothing to "
                                "repeat")
            raise self.fail("a `{` that does not start a repeat count; write \\{ for the "
                            "character")
        if ch == "}":
            raise self.fail("a `}` without a repeat count; write \\} for the character")
        if ch == "]":
            raise self.fail("a `]` without `[`; write \\] for the character")
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.escape(in_class=False)
        self.at += 1
        if ch == ".":
            return Chars(JS_LINE_TERMINATORS, negated=True)
        if ch in "^$":
            return Anchor(start=ch == "^")
        return Chars(((ord(ch), ord(ch)),))

    def group(self) -> Node:
        start = self.at
        self.at += 1
        if self.peek() == "?":
            if self.peek(1) != ":":
                raise self.fail(_group_refusal(self.text[self.at:self.at + 3]), start)
            self.at += 2
        node = self.alternation()
        if self.peek() != ")":
            raise self.fail("`(` is never closed; add `)` (or write \\( for the character)",
                            start)
        self.at += 1
        return node

    def quantifier(self, atom: Node, start: int) -> Node:
        ch = self.peek()
        if not ch or ch not in "*+?{":
            return atom
        at = self.at
        if ch == "{":
            match = re.match(r"\{(\d*)(,?)(\d*)\}", self.text[self.at:])
            if match is None:
                raise self.fail("a `{` that does not start a repeat count; write \\{ for the "
                                "character")
            low_text, comma, high_text = match.groups()
            if not low_text:
                raise self.fail(f"`{match.group()}` means {{0{comma}{high_text}}} in Python "
                                f"but is an error in browsers; write {{0{comma}{high_text}}}")
            low = int(low_text)
            high = int(high_text) if high_text else (None if comma else low)
            if low > MAX_COUNT or (high is not None and high > MAX_COUNT):
                raise self.fail(f"repeat counts above {MAX_COUNT} are not accepted")
            if high is not None and high < low:
                raise self.fail(f"`{match.group()}`: the larger count must come second")
            self.at += len(match.group())
        else:
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
            self.at += 1
        if isinstance(atom, Anchor):
            raise self.fail("`^` and `$` cannot be repeated", at)
        lazy = self.peek() == "?"
        if lazy:
            self.at += 1
        if self.peek() == "+":
            raise self.fail("possessive quantifiers (`*+`, `++`, `?+`) work in Python 3.11+ "
                            "only, not in browsers")
        if self.peek() and self.peek() in "*?{" and (
                self.peek() != "{" or re.match(r"\{\d*,?\d*\}", self.text[self.at:])):
            raise self.fail("a repeat of a repeat (like `a**` or `a{2}{3}`); put the "
                                "inner part in (?:...) first")
        if (high is None or high > 1) and _nullable(atom):
            raise self.fail("this repeats a part that can match nothing (like `(a?)*`); "
                            "make the repeated part match at least one character", start)
        return Repeat(atom, low, high, lazy)

    def escape(self, *, in_class: bool) -> Node:
        start = self.at
        self.at += 1
        ch = self.peek()
        if not ch:
            raise self.fail("a `\\` at the end of the pattern escapes nothing", start)
        self.at += 1
        if ch in _CONTROL_ESCAPES:
            return _char(_CONTROL_ESCAPES[ch])
        if ch in "sS":
            return Chars(JS_SPACE, negated=ch == "S")
        if ch in "xu":
            digits = 2 if ch == "x" else 4
            hexa = self.text[self.at:self.at + digits]
            if ch == "u" and self.peek() == "{":
                raise self.fail("`\\u{...}` works in browsers only; write \\uXXXX (four hex "
                                "digits)", start)
            if len(hexa) != digits or not re.fullmatch(r"[0-9A-Fa-f]+", hexa):
                raise self.fail(f"`\\{ch}` needs exactly {digits} hex digits", start)
            self.at += digits
            value = int(hexa, 16)
            if 0xD800 <= value <= 0xDFFF:
                raise self.fail("surrogate code points (\\uD800-\\uDFFF) are not characters; "
                                "write the character itself", start)
            return _char(value)
        if ch.isdigit():
            if ch == "0":
                raise self.fail(_REFUSED_ESCAPES["0"], start)
            raise self.fail("back-references (\\1, \\2, ...) are not in the portable subset "
                            "(and can take exponential time)", start)
        if ch in _REFUSED_ESCAPES:
            raise self.fail(_REFUSED_ESCAPES[ch], start)
        if ch in SPECIAL or (in_class and ch == "-"):
            return _char(ord(ch))
        if ch.isascii() and ch.isalpha():
            raise self.fail(f"`\\{ch}` is not a portable escape", start)
        where = "" if in_class else " (and - inside [...])"
        raise self.fail(f"`\\{ch}`: escape only the special characters ^ $ \\ . * + ? ( ) [ ] "
                        f"{{ }} | /{where}; write {ch} without the backslash", start)

    def char_class(self) -> Node:
        start = self.at
        self.at += 1
        negated = self.peek() == "^"
        if negated:
            self.at += 1
        ranges: list[tuple[int, int]] = []
        if self.peek() == "]":
            raise self.fail("an empty class `[]` or `[^]` means different things in Python "
                            "and browsers; write \\] for the character", start)
        while True:
            ch = self.peek()
            if not ch:
                raise self.fail("`[` is never closed; add `]` (or write \\[ for the "
                                "character)", start)
            if ch == "]":
                self.at += 1
                break
            if ch == "[":
                raise self.fail("write \\[ for a `[` inside a class (Python reads `[[` as the "
                                "start of a nested set)")
            pair = self.text[self.at:self.at + 2]
            if pair in {"&&", "||", "~~", "--"}:
                raise self.fail(f"`{pair}` inside a class is a set operation in browsers' v "
                                "mode and in future Pythons; escape the characters")
            item_at = self.at
            low = self.class_atom()
            if self.text[self.at:self.at + 2] == "--":
                raise self.fail("`--` inside a class is a set operation in browsers' v mode and "
                                "in future Pythons; escape the characters")
            if self.peek() == "-" and self.peek(1) not in {"]", ""}:
                self.at += 1
                high = self.class_atom()
                if isinstance(low, Chars) and isinstance(high, Chars) and \
                        not low.negated and not high.negated and len(low.ranges) == 1 and \
                        len(high.ranges) == 1 and low.ranges[0][0] == low.ranges[0][1] and \
                        high.ranges[0][0] == high.ranges[0][1]:
                    lo, hi = low.ranges[0][0], high.ranges[0][0]
                    if lo > hi:
                        raise self.fail("a range with its ends reversed; write the lower "
                                        "character first", item_at)
                    ranges.append((lo, hi))
                    continue
                raise self.fail("a range must go from one character to another (not from "
                                "or to \\s, \\S)", item_at)
            if low.negated:
                ranges.extend(complement(low.ranges))
            else:
                ranges.extend(low.ranges)
        return Chars(normal(ranges), negated)

    def class_atom(self) -> Chars:
        if self.peek() == "\\":
            node = self.escape(in_class=True)
            assert isinstance(node, Chars)
            return node
        ch = self.peek()
        self.at += 1
        return _char(ord(ch))


def _char(code: int) -> Chars:
    return Chars(((code, code),))


def _group_refusal(head: str) -> str:
    if head.startswith("?P<") or head.startswith("?P="):
        return "named groups (?P<name>...) work in Python only; use (?:...)"
    if head.startswith("?<=") or head.startswith("?<!"):
        return "lookbehind is not in the portable subset (Python needs a fixed width)"
    if head.startswith("?<"):
        return "named groups (?<name>...) are written differently in Python; use (?:...)"
    if head.startswith("?=") or head.startswith("?!"):
        return "lookahead is not in the portable subset"
    if head.startswith("?>"):
        return "atomic groups (?>...) work in Python 3.11+ only, not in browsers"
    if head.startswith("?#"):
        return "comments (?#...) work in Python only"
    return ("inline flags such as (?i) work differently in Python and browsers; use "
            "`case_sensitive:` instead")


def _nullable(node: Node) -> bool:
    if isinstance(node, Chars):
        return False
    if isinstance(node, Anchor):
        return True
    if isinstance(node, Seq):
        return all(_nullable(item) for item in node.items)
    if isinstance(node, Alt):
        return any(_nullable(option) for option in node.options)
    return node.low == 0 or _nullable(node.body)


@functools.lru_cache(maxsize=512)
def parse(pattern: str) -> Node:
    """The parsed pattern, or PatternError saying what is outside the portable subset."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(f"a pattern of {len(pattern)} characters; at most "
                           f"{MAX_PATTERN_CHARS} are accepted", MAX_PATTERN_CHARS)
    return _Parser(pattern).parse()
