"""The print layout in real Chromium (issue 16 §5): a lesson of the student book in print
media, with the export's print stylesheet as `quizbook export` injects it. Measures what the
PDF's text cannot show: one kind of blank per answer, where the blanks sit, what is hidden,
and that a figure's text version shows even when its <details> is closed (a browser's own
print of the page, where nothing opens it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quizbook.export.pdf import print_css
from tests.browser_support import guarded_page, quiz_pages

pytestmark = pytest.mark.browser

#: Playwright's add_style_tag waits for a load event that never comes without JavaScript.
ADD_STYLE = """(css) => {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
}"""
MEASURE = """() => {
  const box = (el) => el.getBoundingClientRect();
  const px = (value) => Math.round(parseFloat(value));
  const rows = Array.from(document.querySelectorAll('.quizbook .qb-row'));
  const blanks = rows.filter((row) => row.querySelector('select')).map((row) => {
    const before = getComputedStyle(row, '::before');
    return {width: px(before.width), border: before.borderBottomStyle,
            labelLeft: box(row.querySelector('label')).left, rowLeft: box(row).left,
            select: getComputedStyle(row.querySelector('select')).display};
  });
  const lines = rows.filter((row) => row.querySelector('input[type=text]')).map((row) => {
    const after = getComputedStyle(row, '::after');
    return {width: px(after.width), border: after.borderBottomStyle,
            input: getComputedStyle(row.querySelector('input')).display};
  });
  const shown = (selector) => Array.from(document.querySelectorAll(selector))
    .filter((el) => el.getClientRects().length > 0).length;
  const choices = Array.from(document.querySelectorAll('.qb-choices'))
    .map((list) => getComputedStyle(list).listStyleType);
  const strong = document.querySelector('.qb-prompt strong');
  return {blanks, lines, choices,
          hidden: {actions: shown('.qb-actions'), notes: shown('.qb-notes'),
                   notebook: shown('.qb-notebook-link'), status: shown('.qb-status'),
                   feedback: shown('.qb-fb'), nojs: shown('.qb-nojs')},
          figureText: shown('details.qb-figure-text li'),
          closedDetails: document.querySelectorAll('details.qb-figure-text:not([open])').length,
          strong: strong ? Number(getComputedStyle(strong).fontWeight) : null,
          prompt: strong ? Number(getComputedStyle(strong.closest('.qb-prompt')).fontWeight)
            : null};
}"""


def _pages(html: Path) -> list[Path]:
    return sorted(quiz_pages(html))


@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_every_answer_has_one_kind_of_blank_and_web_parts_are_hidden(
        student_book_html: Path, browser: Any, edition: str) -> None:
    seen = {"blanks": 0, "lines": 0, "choices": 0, "figures": 0, "strong": 0}
    widths: dict[str, set[int]] = {"blanks": set(), "lines": set()}
    for path in _pages(student_book_html):
        with guarded_page(browser, java_script_enabled=False) as (page, guard):
            page.goto(path.as_uri())  # as printed: no script
            on_screen = page.evaluate(MEASURE)["hidden"]
            assert on_screen["notebook"] and on_screen["nojs"], path.name  # not vacuous
            page.evaluate(ADD_STYLE, print_css(edition))
            page.emulate_media(media="print")
            got = page.evaluate(MEASURE)
            assert got["hidden"] == {"actions": 0, "notes": 0, "notebook": 0, "status": 0,
                                     "feedback": 0, "nojs": 0}, path.name
            for blank in got["blanks"]:  # before its item, drawn as a line, the select gone
                assert blank["border"] == "solid" and blank["select"] == "none", path.name
                assert blank["labelLeft"] > blank["rowLeft"] + blank["width"], path.name
                widths["blanks"].add(blank["width"])
            for line in got["lines"]:
                assert line["border"] == "solid" and line["input"] == "none", path.name
                widths["lines"].add(line["width"])
            assert set(got["choices"]) <= {"upper-alpha"}, path.name
            if got["closedDetails"]:
                seen["figures"] += got["figureText"]
            if got["strong"] is not None:
                assert got["prompt"] == 400 and got["strong"] >= 700, path.name
                seen["strong"] += 1
            seen["blanks"] += len(got["blanks"])
            seen["lines"] += len(got["lines"])
            seen["choices"] += len(got["choices"])
            guard.check()
    assert all(seen.values()), seen  # every kind was on some page
    # One width for every letter or position blank; typed answers get lines of one width
    # on pages of the same width.
    assert len(widths["blanks"]) == 1 and len(widths["lines"]) == 1, widths
