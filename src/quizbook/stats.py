"""`quizbook stats`: the item mix of each quiz and of the book.

Counts items by cognitive level (the optional `level` field: recall, analysis,
evaluation; items without one are "unlabelled") and by question type, so an author
can see at a glance whether a quiz only tests recall.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field

from quizbook import model
from quizbook.load import check_quiz_file

UNLABELLED = "unlabelled"
COLUMNS = (*model.LEVELS, UNLABELLED)


@dataclass
class Mix:
    """The items of one quiz (or of several), counted by level and by type."""

    name: str
    levels: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)

    @property
    def items(self) -> int:
        return sum(self.levels.values())

    @property
    def higher_order(self) -> int:
        """Items that ask for analysis or evaluation."""
        return self.levels["analysis"] + self.levels["evaluation"]

    def add(self, other: Mix) -> None:
        self.levels.update(other.levels)
        self.types.update(other.types)


def quiz_mix(quiz: model.Quiz) -> Mix:
    mix = Mix(quiz.id)
    for question in quiz.questions:
        mix.levels[question.level or UNLABELLED] += 1
        mix.types[question.type] += 1
    return mix


def total_mix(mixes: list[Mix]) -> Mix:
    total = Mix("total")
    for mix in mixes:
        total.add(mix)
    return total


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def format_mixes(mixes: list[Mix]) -> str:
    """A plain-text table: one row per quiz, a total row, then the share of each level."""
    width = max([len(m.name) for m in mixes] + [len("total")])
    head = f"{'quiz':<{width}}  {'items':>5}  " + "  ".join(f"{c:>10}" for c in COLUMNS)
    rows = [head + "  types", "-" * (len(head) + 7)]
    total = total_mix(mixes)
    for mix in [*mixes, total]:
        counts = "  ".join(f"{mix.levels[c]:>10}" for c in COLUMNS)
        types = ", ".join(f"{t} {n}" for t, n in sorted(mix.types.items()))
        rows.append(f"{mix.name:<{width}}  {mix.items:>5}  {counts}  {types}")
    shares = "  ".join(f"{_share(total.levels[c], total.items):>10}" for c in COLUMNS)
    rows.append(f"{'share':<{width}}  {'':>5}  {shares}")
    rows.append(f"analysis or evaluation: {total.higher_order} of {total.items} items "
                f"({_share(total.higher_order, total.items)})")
    return "\n".join(rows)


def cmd_stats(args: argparse.Namespace) -> int:
    from quizbook.cli import EXIT_CONTENT, EXIT_OK, _files_to_read

    files = _files_to_read(args.paths, "count")
    if isinstance(files, int):
        return files
    mixes, invalid = [], False
    for path in files:
        quiz, problems = check_quiz_file(path)
        if quiz is None:
            invalid = True
            for problem in problems:
                print(problem, file=sys.stderr)
            continue
        mixes.append(quiz_mix(quiz))
    print(format_mixes(mixes))
    return EXIT_CONTENT if invalid else EXIT_OK


def add_stats_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    stats = sub.add_parser("stats", help="item mix per quiz and in total (levels and types)")
    stats.add_argument("paths", nargs="*", help="quiz files or folders (default: the whole book)")
    stats.set_defaults(func=cmd_stats)
