"""Which lane this run is, and how many examples hypothesis draws in it.

The fast lane (`make test-fast`, `-m "not slow and not browser"`) draws a tenth of each
property test's examples (at least `FAST_LANE_MIN`); `make test` draws them all. The
properties and their strategies are the same in both lanes, and hypothesis draws new
inputs on every run (and replays the failures it saved), so the fast lane trades depth
per run for speed, not coverage: the whole suite still runs the full counts.

`tests/conftest.py` calls `select` once per process, before any test module is imported
(pytest-xdist workers each run it), so module-level `examples(...)` calls see the lane.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

FAST_LANE_PROFILE = "fast-lane"
FAST_LANE_SHARE = 10  # one in ten of the full count
FAST_LANE_MIN = 10

#: hypothesis's own default is 100: a property without its own count gets the share too.
settings.register_profile(FAST_LANE_PROFILE, max_examples=100 // FAST_LANE_SHARE)

_fast = False


def is_fast_lane(config: pytest.Config) -> bool:
    """True when the run deselects the slow tests (`-m "not slow ..."`)."""
    expression = " ".join(str(config.getoption("markexpr", "") or "").split())
    return "not slow" in expression


def select(config: pytest.Config) -> None:
    """Load the fast-lane profile for a fast-lane run, unless `--hypothesis-profile` chose one."""
    global _fast
    if is_fast_lane(config) and not config.getoption("hypothesis_profile", None):
        settings.load_profile(FAST_LANE_PROFILE)
        _fast = True


def examples(full: int) -> int:
    """`full` in the whole suite; a tenth of it (at least FAST_LANE_MIN) in the fast lane."""
    return max(FAST_LANE_MIN, full // FAST_LANE_SHARE) if _fast else full
