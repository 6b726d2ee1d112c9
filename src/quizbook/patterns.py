"""Short-answer patterns: the portable subset, its checks, and its Python translation.

A `pattern` is run by two engines: the browser (`new RegExp("^(?:" + p + ")$", "u"|"iu")`
in static/quizbook.js) and Python (the reference grader, the notebooks, the gradebook).
They differ on much of regex syntax, so patterns are limited to a small grammar whose
meaning is the browser's and which this module parses itself (a recursive-descent
parser, not a regex over the regex):

    pattern  := branch ('|' branch)*
    branch   := (atom quantifier?)*
    atom     := char | '.' | class | '(' pattern ')' | '(?:' pattern ')' | '^' | '$'
              | '\\' special | '\\s' | '\\S' | '\\t' '\\n' '\\r' '\\f' '\\v'
              | '\\xHH' | '\\uHHHH'
    class    := '[' '^'? item+ ']'      item := char ('-' char)? | '\\s' | '\\S' | escape
    quantifier := ('*' | '+' | '?' | '{n}' | '{n,}' | '{n,m}') '?'?     (n, m <= 1000)
    special  := one of  ^ $ \\ . * + ? ( ) [ ] { } | /      (and '-' inside a class)

Anything else is refused at `quizbook check`, with the reason (`\\d`, `\\w`, `\\b`, `{,4}`,
possessive and atomic forms, lookaround, named groups, back-references, inline flags,
Unicode properties...). Patterns that can backtrack catastrophically are refused too
(`safety_problem`): the browser and the gradebook would freeze on a short answer.

Python does not run the author's text: `to_python` writes the parsed pattern out with
the browser's meaning spelled explicitly (`.` excludes \\r, \\u2028, \\u2029 as in
JavaScript; `\\s` is JavaScript's whitespace; case-insensitive matching follows
JavaScript's simple case folding, which differs from Python's on `İ` and `ı`).
tests/test_js_grader_parity.py proves the agreement over generated patterns and answers
by running the browser runtime under node.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_PATTERN_CHARS = 300
MAX_COUNT = 1000
MAX_CODE_POINT = 0x10FFFF
#: Backtracking work may grow with the square of the answer's length, not faster.
MAX_POLYNOMIAL_DEGREE = 1

Ranges = tuple[tuple[int, int], ...]

# JavaScript's \s (WhiteSpace + LineTerminator) and the line terminators `.` excludes.
JS_SPACE: Ranges = ((0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680),
                    (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F),
                    (0x3000, 0x3000), (0xFEFF, 0xFEFF))
JS_LINE_TERMINATORS: Ranges = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
# The two letters whose case folding differs: Python's re equates them with i/I,
# JavaScript's simple case folding equates them with nothing else.
_DOTTED_I, _DOTLESS_I = 0x130, 0x131
_PYTHON_ONLY_FOLDS: Ranges = ((_DOTTED_I, _DOTLESS_I),)

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


def _normal(ranges: list[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _complement(ranges: Ranges) -> Ranges:
    out, start = [], 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= MAX_CODE_POINT:
        out.append((start, MAX_CODE_POINT))
    return tuple(out)


def _minus(ranges: Ranges, remove: Ranges) -> Ranges:
    return _intersect(ranges, _complement(remove))


def _intersect(a: Ranges, b: Ranges) -> Ranges:
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
                ranges.extend(_complement(low.ranges))
            else:
                ranges.extend(low.ranges)
        return Chars(_normal(ranges), negated)

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


# -- catastrophic backtracking ---------------------------------------------------------------
#
# The pattern becomes a position automaton (Glushkov): one state per character position,
# with the number of distinct ways (through groups and loops) to go from one position to
# the next. A backtracking engine tries every path through it. It takes exponential time
# when some state can return to itself along two different paths reading the same text
# (EDA: found as a strongly connected component of the automaton squared holding both a
# "same state" pair and a "different states" pair), and polynomial time of degree k when
# k loops can hand the same text from one to the next (IDA chains).

MAX_POSITIONS = 400
#: Steps (pairs of moves compared) the exponential check may take before it gives up and
#: refuses the pattern as too complex: keeps `quizbook check` fast on absurd patterns.
MAX_STEPS = 150_000


class _TooComplex(Exception):
    pass


@dataclass
class _Automaton:
    sets: list[Ranges] = field(default_factory=list)  # position -> characters it reads
    follow: dict[tuple[int, int], int] = field(default_factory=dict)  # (p, q) -> ways

    def new_position(self, ranges: Ranges) -> int:
        if len(self.sets) >= MAX_POSITIONS:
            raise _TooComplex
        self.sets.append(ranges)
        return len(self.sets) - 1

    def link(self, lasts: dict[int, int], firsts: dict[int, int]) -> None:
        for p, a in lasts.items():
            for q, b in firsts.items():
                self.follow[(p, q)] = self.follow.get((p, q), 0) + a * b


@dataclass(frozen=True)
class _Shape:
    empty: int  # ways to match the empty text
    first: dict[int, int]
    last: dict[int, int]


def _add(*counts: dict[int, int], scale: tuple[int, ...] = ()) -> dict[int, int]:
    out: dict[int, int] = {}
    for n, count in enumerate(counts):
        factor = scale[n] if scale else 1
        for key, value in count.items():
            if factor:
                out[key] = out.get(key, 0) + value * factor
    return out


def _folded(ranges: Ranges) -> Ranges:
    """Ranges widened by every case variant (an over-approximation is safe here)."""
    extra: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if hi - lo > 5000:
            continue  # a wide set (like [^x]) meets nearly everything already
        for code in range(lo, hi + 1):
            ch = chr(code)
            for variant in {ch.lower(), ch.upper(), ch.casefold()}:
                if len(variant) == 1:
                    extra.append((ord(variant), ord(variant)))
    extra += [(ord("i"), ord("i")), (ord("I"), ord("I"))] if _intersect(
        ranges, _PYTHON_ONLY_FOLDS) else []
    return _normal([*ranges, *extra])


def _shape(node: Node, auto: _Automaton, fold: bool, expand: bool) -> _Shape:
    if isinstance(node, Chars):
        ranges = _complement(node.ranges) if node.negated else node.ranges
        p = auto.new_position(_folded(ranges) if fold else ranges)
        return _Shape(0, {p: 1}, {p: 1})
    if isinstance(node, Anchor):
        return _Shape(1, {}, {})
    if isinstance(node, Alt):
        shapes = [_shape(option, auto, fold, expand) for option in node.options]
        return _Shape(sum(s.empty for s in shapes), _add(*(s.first for s in shapes)),
                      _add(*(s.last for s in shapes)))
    if isinstance(node, Seq):
        result = _Shape(1, {}, {})
        for item in node.items:
            result = _concat(result, _shape(item, auto, fold, expand), auto)
        return result
    return _repeat(node, auto, fold, expand)


def _concat(a: _Shape, b: _Shape, auto: _Automaton) -> _Shape:
    auto.link(a.last, b.first)
    return _Shape(a.empty * b.empty, _add(a.first, b.first, scale=(1, a.empty)),
                  _add(b.last, a.last, scale=(1, b.empty)))


def _repeat(node: Repeat, auto: _Automaton, fold: bool, expand: bool) -> _Shape:
    high = node.high
    if high == 0:
        return _Shape(1, {}, {})
    if high == 1:
        body = _shape(node.body, auto, fold, expand)
        return _Shape(body.empty + (1 if node.low == 0 else 0), body.first, body.last)
    copies = node.low + (high - node.low if high is not None else 1)
    if expand and high is not None and copies <= 16:
        # Small counts are spelled out: a{3} is a a a, a{1,3} is a (a (a)?)?. (Only when
        # counting loops: an ambiguous body repeated 16 times is a loop for the other check.)
        result = _Shape(1, {}, {})
        for _ in range(node.low):
            result = _concat(result, _shape(node.body, auto, fold, expand), auto)
        optional = _Shape(1, {}, {})
        for _ in range(high - node.low):
            inner = _concat(_shape(node.body, auto, fold, expand), optional, auto)
            optional = _Shape(inner.empty + 1, inner.first, inner.last)
        return _concat(result, optional, auto)
    # Unbounded (or large) counts: a loop, which can only add paths (safe to over-count).
    body = _shape(node.body, auto, fold, expand)
    auto.link(body.last, body.first)
    return _Shape(1 if node.low == 0 else body.empty, body.first, body.last)


def _meet(a: Ranges, b: Ranges) -> bool:
    return bool(_intersect(a, b))


def _sccs(nodes: list[int], edges: dict[int, list[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[int, Iterator[int]]] = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(edges.get(w, ()))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                out.append(component)
    return out


def _exponential(auto: _Automaton, successors: dict[int, list[int]]) -> bool:
    n = len(auto.sets)

    def key(p: int, q: int) -> int:
        return p * n + q

    pair_edges: dict[int, list[int]] = {}
    parallel: set[tuple[int, int]] = set()
    todo = [key(p, p) for p in range(n)]
    seen = set(todo)
    meets: dict[tuple[int, int], bool] = {}
    steps = 0
    while todo:
        state = todo.pop()
        p, q = divmod(state, n)
        targets = []
        for p2 in successors.get(p, ()):
            steps += len(successors.get(q, ()))
            if steps > MAX_STEPS:
                raise _TooComplex
            for q2 in successors.get(q, ()):
                if p == q and p2 > q2:
                    continue  # (p2, q2) and (q2, p2) mirror each other from a diagonal pair
                met = meets.get((p2, q2))
                if met is None:
                    met = meets[(p2, q2)] = meets[(q2, p2)] = _meet(auto.sets[p2],
                                                                    auto.sets[q2])
                if not met:
                    continue
                target = key(p2, q2)
                targets.append(target)
                if p == q and p2 == q2 and auto.follow[(p, p2)] > 1:
                    parallel.add((state, target))
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        pair_edges[state] = targets
    for component in _sccs(sorted(seen), pair_edges):
        members = set(component)
        diagonal = [s for s in component if s // n == s % n]
        if not diagonal or (len(component) == 1 and not any(
                t == component[0] for t in pair_edges.get(component[0], ()))):
            continue
        if len(diagonal) < len(component):
            return True
        if any(a in members and b in members for a, b in parallel):
            return True
    return False


def _polynomial_degree(auto: _Automaton, successors: dict[int, list[int]]) -> int:
    """Longest chain of loops that can pass the same text along (0: linear time)."""
    n = len(auto.sets)
    components = _sccs(list(range(n)), successors)
    loops = [c for c in components
             if len(c) > 1 or any(q == c[0] for q in successors.get(c[0], ()))]
    chars = [_normal([r for p in loop for r in auto.sets[p]]) for loop in loops]
    # Tarjan emits components in reverse topological order: later loops come first.
    best = [0] * len(loops)
    for i in range(len(loops)):
        for j in range(i):
            if best[j] + 1 > best[i] and _hands_on(auto, successors, loops[i], loops[j],
                                                   _intersect(chars[i], chars[j])):
                best[i] = best[j] + 1
    return max(best, default=0)


def _hands_on(auto: _Automaton, successors: dict[int, list[int]], source: list[int],
              target: list[int], common: Ranges) -> bool:
    """Can text made only of `common` characters lead from the `source` loop into the
    `target` loop? (Necessary for the two loops to share a text: a safe over-estimate.)"""
    if not common:
        return False
    goal = set(target)
    todo = list(source)
    seen = set(todo)
    while todo:
        p = todo.pop()
        for q in successors.get(p, ()):
            if q in seen or not _meet(auto.sets[q], common):
                continue
            if q in goal:
                return True
            seen.add(q)
            todo.append(q)
    return False


def _automaton(node: Node, *, fold: bool, expand: bool) -> tuple[_Automaton, dict[int, list[int]]]:
    auto = _Automaton()
    shape = _shape(node, auto, fold, expand)
    start = auto.new_position(())  # reads nothing: only a way in
    auto.link({start: 1}, shape.first)
    successors: dict[int, list[int]] = {}
    for p, q in auto.follow:
        successors.setdefault(p, []).append(q)
    return auto, successors


def safety_problem(pattern: str, *, case_sensitive: bool) -> str | None:
    """Why a (parsed, portable) pattern could freeze a browser or the gradebook, or None."""
    node = parse(pattern)
    fold = not case_sensitive
    try:
        # Every repeat as a loop: ambiguity under a bounded repeat is exponential in the
        # count, so it is refused like ambiguity under a star.
        if _exponential(*_automaton(node, fold=fold, expand=False)):
            return ("the pattern can take exponential time on a short wrong answer (a "
                    "repeated part can match the same text in more than one way, as in "
                    "(a+)+ or (a|a)*); rewrite it so that each character can be matched only "
                    "one way")
        degree = _polynomial_degree(*_automaton(node, fold=fold, expand=True))
    except _TooComplex:
        return ("the pattern is too complex to check for slow matching; simplify it or use "
                "`accept` answers")
    if degree > MAX_POLYNOMIAL_DEGREE:
        return (f"the pattern's time can grow with the answer's length to the power "
                f"{degree + 1} ({degree + 1} open-ended parts such as .* can match the same "
                "text); use fewer .* or `accept` answers")
    return None


def problem(pattern: str, *, case_sensitive: bool) -> str | None:
    """Why `pattern` cannot be used (outside the portable subset, or unsafe), or None."""
    try:
        parse(pattern)
    except PatternError as exc:
        return f"{exc.message} (at character {exc.index + 1} of the pattern)"
    return safety_problem(pattern, case_sensitive=case_sensitive)


# -- the Python translation -----------------------------------------------------------------


def _class_text(ranges: Ranges) -> str:
    parts = []
    for lo, hi in ranges:
        parts.append(_code(lo) if lo == hi else f"{_code(lo)}-{_code(hi)}")
    return "".join(parts)


def _code(value: int) -> str:
    return f"\\U{value:08x}" if value > 0xFFFF else f"\\u{value:04x}"


def _python_chars(node: Chars, fold: bool) -> str:
    if not fold:
        body = _class_text(node.ranges)
        if not node.ranges:
            return "[^\\s\\S]" if not node.negated else "[\\s\\S]"
        return f"[^{body}]" if node.negated else f"[{body}]"
    # JavaScript's simple case folding, spelled for Python's re.IGNORECASE: the same, except
    # for İ and ı, which JavaScript matches only as themselves.
    plain = _minus(node.ranges, _PYTHON_ONLY_FOLDS)
    special = _intersect(node.ranges, _PYTHON_ONLY_FOLDS)
    if node.negated:
        main = f"[^{_class_text(plain)}]" if plain else "[\\s\\S]"
        options = [f"(?-i:(?![\\u0130\\u0131])){main}"]
        own = _minus(_PYTHON_ONLY_FOLDS, special)  # İ and ı match [^...] unless listed
        if own:
            options.append(f"(?-i:[{_class_text(own)}])")
        return "(?:" + "|".join(options) + ")"
    options = []
    if plain:
        options.append(f"(?-i:(?![\\u0130\\u0131]))[{_class_text(plain)}]")
    if special:
        options.append(f"(?-i:[{_class_text(special)}])")
    if not options:
        return "[^\\s\\S]"
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def _python(node: Node, fold: bool) -> str:
    if isinstance(node, Chars):
        return _python_chars(node, fold)
    if isinstance(node, Anchor):
        return "(?<![\\s\\S])" if node.start else "(?![\\s\\S])"
    if isinstance(node, Seq):
        return "".join(_python(item, fold) for item in node.items)
    if isinstance(node, Alt):
        return "(?:" + "|".join(_python(option, fold) for option in node.options) + ")"
    high = "" if node.high is None else str(node.high)
    count = f"{{{node.low},{high}}}"
    return f"(?:{_python(node.body, fold)}){count}{'?' if node.lazy else ''}"


@functools.lru_cache(maxsize=512)
def to_python(pattern: str, *, case_sensitive: bool) -> re.Pattern[str]:
    """The pattern as a compiled Python regex with the browser's meaning (PatternError if it
    is outside the portable subset). Use with `fullmatch`."""
    node = parse(pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(_python(node, not case_sensitive), flags)
