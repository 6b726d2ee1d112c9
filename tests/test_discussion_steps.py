"""A discussion prompt that already gives its think-pair-share steps is not followed by a
second, bare list of the same steps; minutes that disagree with `:minutes:` are caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbook.sphinx.discussion import parse_minutes, stated_steps

STEPS = parse_minutes("think 3, pair 5, share 7")


def test_prompt_that_states_every_step() -> None:
    text = "Why?\n\n- **Think (3 min):** a\n- **Pair (5 min):** b\n- **Share (7 min):** c"
    assert stated_steps(text, STEPS) == (True, [])


def test_prompt_without_steps_gets_the_list() -> None:
    assert stated_steps("Why did Russia intervene?", STEPS) == (False, [])


def test_minutes_that_disagree_are_reported() -> None:
    text = "- **Think (4 min):** a\n- **Pair (5 min):** b\n- **Share (7 min):** c"
    stated, mismatches = stated_steps(text, STEPS)
    assert stated and mismatches == ["the prompt gives Think 4 minutes but :minutes: says 3"]


@pytest.mark.slow
def test_real_lessons_show_each_step_once(student_book_html: Path) -> None:
    for page in sorted((student_book_html / "lessons").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert "data-quizbook-discussion" in html, page.name
        assert html.count("Think (") == 1 and 'class="qb-steps' not in html, page.name
