"""Snapshots of HTML fragments (a quiz, a discussion, an answer key) under tests/snapshots/.

`assert_snapshot(name, element)` compares the element's markup with
`tests/snapshots/<name>.html` and fails with a diff when they differ. After a change to the
markup that is meant, write the snapshots again and review the diff in git:

    QUIZBOOK_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_sphinx_build.py

A missing snapshot fails too (and is written when the variable is set), so a test cannot
pass by having nothing to compare with.

What a snapshot holds: the element as lxml serializes it, one tag a line (a line break
before every `<` that follows a `>`: the white space between two tags is not compared).
JSON data blocks (`<script type="application/json">`) are left out: the bundle is all
salts, checks and sealed feedback that change with any edit of the quiz, and the tests
compare it with `make_bundle` as data instead.
"""

from __future__ import annotations

import copy
import difflib
import os
from pathlib import Path

import pytest
from lxml import html as lxml_html

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = "QUIZBOOK_UPDATE_SNAPSHOTS"
DATA_BLOCK = "(JSON data: compared as data, not as text)"


def serialize(element: lxml_html.HtmlElement) -> str:
    """The element's markup, one tag a line, JSON data blocks replaced by a placeholder."""
    element = copy.deepcopy(element)
    element.tail = None
    for script in element.xpath(".//script[@type='application/json']"):
        script.text = DATA_BLOCK
    text = lxml_html.tostring(element, encoding="unicode")
    return "\n".join(line.rstrip() for line in text.replace("><", ">\n<").splitlines()) + "\n"


def assert_snapshot(name: str, element: lxml_html.HtmlElement) -> None:
    path = SNAPSHOTS / f"{name}.html"
    actual = serialize(element)
    if os.environ.get(UPDATE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path}: run with {UPDATE}=1 to write it, then review it",
                    pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                            actual.splitlines(keepends=True),
                                            f"{path.name} (snapshot)", f"{path.name} (built)"))
        pytest.fail(f"{name}: the built markup differs from {path} (if the change is "
                    f"meant, run with {UPDATE}=1 and review the diff):\n{diff}", pytrace=False)
