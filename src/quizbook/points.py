"""Points as every part of quizbook shows them: one rule, in Python and in the runtime.

Rounded to two decimals with halves rounded up, without trailing zeros: 0.125 -> "0.13",
2.0 -> "2", 12345.678 -> "12345.68". These are the floating-point steps of the runtime's
`formatPoints` (`String(Math.round(points * 100) / 100)`), so a score reads the same in the
book, the notebook, the progress page and anything Python prints
(tests/test_js_grader_parity.py compares the two on many values).
"""

from __future__ import annotations

import math


def _js_round(value: float) -> float:
    """JavaScript's Math.round: the nearest integer, halves toward +infinity."""
    whole = math.floor(value)
    return float(whole + 1 if value - whole >= 0.5 else whole)


def _js_number_text(value: float) -> str:
    """JavaScript's String(number) for the values points can take."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def format_points(points: float) -> str:
    if not math.isfinite(points):
        return _js_number_text(points)
    return _js_number_text(_js_round(points * 100) / 100)
