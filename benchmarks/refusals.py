"""`make bench`: the time to refuse the worst inputs found while attacking the project.

Each case is refused (the benchmark checks that it is, and with the expected words) and
timed: the median of several runs, target < 0.5 s each. Tests assert only *what* is
refused (tests/attacks/); how fast belongs here, where a loaded machine cannot fail CI.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from quizbook.export.gradebook import collect
from quizbook.load import _check_quiz_file, parse_quiz_text
from quizbook.patterns import problem, syntax
from quizbook.results import ResultsFileError, parse_results

TARGET_S = 0.5
ROOT = Path(__file__).resolve().parent.parent


def _quiz_refused(text: str, words: str) -> Callable[[], None]:
    raw = text.encode("utf-8")

    def run() -> None:
        quiz, problems = parse_quiz_text(raw, "bench.yml")
        assert quiz is None and any(words in p.message for p in problems), problems
    return run


def _pattern_refused(pattern: str, words: str) -> Callable[[], None]:
    def run() -> None:
        syntax.parse.cache_clear()  # measure parsing too, not the cache
        why = problem(pattern, case_sensitive=False)
        assert why is not None and words in why, why
    return run


def _results_refused(raw: bytes, words: str) -> Callable[[], None]:
    def run() -> None:
        try:
            parse_results(raw, "bench.json")
        except ResultsFileError as exc:
            assert words in str(exc), exc
        else:
            raise AssertionError("not refused")
    return run


def _file_refused(path: Path, words: str) -> Callable[[], None]:
    def run() -> None:
        _, problems = _check_quiz_file(path)  # not the cached entry point: time the reading
        assert problems and words in problems[0].message, problems
    return run


def cases(work: Path) -> dict[str, Callable[[], None]]:
    huge = work / "huge.yml"
    with huge.open("wb") as handle:
        handle.truncate(3_000_000_000)
    fifo = work / "fifo.yml"
    os.mkfifo(fifo)
    zero = work / "zero.yml"
    zero.symlink_to("/dev/zero")
    forged = work / "forged.json"
    with forged.open("wb") as handle:
        handle.truncate(3_000_000_000)
    block = "a:\n" + "".join(" " * n + "- \n" for n in range(0, 2000, 2))
    return {
        "yaml_flow_50000": _quiz_refused("[" * 50_000, "nested more than"),
        "yaml_mappings_20000": _quiz_refused("{a: " * 20_000, "nested more than"),
        "yaml_block_1000": _quiz_refused(block, "larger than"),
        "yaml_block_400": _quiz_refused("a:\n" + "".join(" " * n + "- \n"
                                                         for n in range(0, 800, 2)),
                                        "nested more than"),
        "yaml_alias_bomb": _quiz_refused(
            "a: &a [" + ", ".join(["x"] * 10) + "]\n" + "".join(
                f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 10) + "]\n"
                for n in range(6)), "expands to too many"),
        "quiz_3gb_sparse": _file_refused(huge, "larger than"),
        "quiz_fifo": _file_refused(fifo, "named pipe"),
        "quiz_dev_zero": _file_refused(zero, "character device"),
        "pattern_(a+)+$": _pattern_refused("(a+)+$", "exponential"),
        "pattern_100_dots_starred": _pattern_refused(
            "(?:" + "|".join(["."] * 100) + ")*", "too complex"),
        "pattern_150_dot_stars": _pattern_refused(".*" * 150, "too complex"),
        "pattern_nested_counts": _pattern_refused("(?:a{1,16}){1,16}", "exponential"),
        "pattern_100_dot_star_letters": _pattern_refused(".*a" * 100, "too complex"),
        "results_nesting_100000": _results_refused(b"[" * 100_000, "nested too deeply"),
        "results_5000_digits": _results_refused(
            b'{"format": "quizbook-results/1", "student": ' + b"1" * 5000 + b"}",
            "thousands of digits"),
        "results_3gb_sparse": lambda: _gradebook_skips(forged, "larger than"),
    }


def _gradebook_skips(path: Path, words: str) -> None:
    collected = collect([path], [])
    assert collected.skipped and words in collected.skipped[0], collected.skipped


def run(emit: Callable[[str, float | int | str, str], None], repeats: int = 5) -> None:
    with tempfile.TemporaryDirectory(prefix="quizbook-refusals-") as tmp:
        for name, refuse in cases(Path(tmp)).items():
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                refuse()
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            verdict = "ok" if median < TARGET_S else "SLOW"
            emit(f"refusal_s_{name}", median,
                 f"s(median of {repeats};target<{TARGET_S};{verdict})")


if __name__ == "__main__":
    def show(name: str, value: float | int | str, unit: str) -> None:
        print(f"{name} {value:.4f} {unit}" if isinstance(value, float) else
              f"{name} {value} {unit}", flush=True)

    run(show)
