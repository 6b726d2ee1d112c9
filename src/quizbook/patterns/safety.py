"""Catastrophic backtracking: which portable patterns could freeze a browser or the gradebook.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from quizbook.patterns.syntax import (
    PYTHON_ONLY_FOLDS,
    Alt,
    Anchor,
    Chars,
    Node,
    Ranges,
    Repeat,
    Seq,
    complement,
    intersect,
    normal,
    parse,
)

#: Backtracking work may grow with the square of the answer's length, not faster.
MAX_POLYNOMIAL_DEGREE = 1

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
MAX_STEPS = 60_000


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
    extra += [(ord("i"), ord("i")), (ord("I"), ord("I"))] if intersect(
        ranges, PYTHON_ONLY_FOLDS) else []
    return normal([*ranges, *extra])


def _shape(node: Node, auto: _Automaton, fold: bool, expand: bool) -> _Shape:
    if isinstance(node, Chars):
        ranges = complement(node.ranges) if node.negated else node.ranges
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
    return bool(intersect(a, b))


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
    chars = [normal([r for p in loop for r in auto.sets[p]]) for loop in loops]
    # Tarjan emits components in reverse topological order: later loops come first.
    best = [0] * len(loops)
    for i in range(len(loops)):
        for j in range(i):
            if best[j] + 1 > best[i] and _hands_on(auto, successors, loops[i], loops[j],
                                                   intersect(chars[i], chars[j])):
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
