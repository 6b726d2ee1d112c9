"""A YAML reader (ruamel, round-trip) that refuses deep nesting as soon as it sees it.

The YAML parser recurses once per nesting level, and ruamel's scanner keeps every
open flow collection as a possible key, so `[` repeated 50,000 times took seconds
(quadratic work) before failing with RecursionError. Nothing a quiz or a figure needs
is nested more than a handful of levels. The tokenizer used here counts the levels it
has open (flow brackets and block indentation, exactly as YAML does) after every
token and stops at the first token past `MAX_DEPTH`: the worst input is refused after
reading a few dozen tokens, before any deep structure is built.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scanner import RoundTripScanner

#: Quiz files nest about six levels (quiz > questions > question > options > option).
MAX_DEPTH = 32


class TooDeep(Exception):
    """Nesting past MAX_DEPTH; `line`/`col` (1-based) are where the limit was passed."""

    def __init__(self, line: int, col: int) -> None:
        super().__init__(f"the YAML is nested more than {MAX_DEPTH} levels deep; a quiz needs "
                         "far fewer")
        self.line, self.col = line, col


class DepthLimitedScanner(RoundTripScanner):
    def fetch_more_tokens(self) -> Any:
        result = super().fetch_more_tokens()
        if self.flow_level + len(self.indents) > MAX_DEPTH:
            mark = self.reader.get_mark()
            raise TooDeep(mark.line + 1, mark.column + 1)
        return result


def new_yaml() -> YAML:
    """A round-trip YAML reader with duplicate keys refused and nesting limited."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.Scanner = DepthLimitedScanner
    return yaml
