"""Attack class 1a: HTML in any title, heading, caption, term or setting never runs.

A hostile copy of the course book gets a numbered payload (`hostile_html.payload`)
in every place that holds text outside the quiz files (those are attacked in
tests/test_injection.py): headings of lesson, intro, glossary and notebook pages,
front matter, `_config.yml` (title, author, copyright, project), `_toc.yml`
(part caption, entry title), glossary terms, figure captions and alt text,
admonition, table, code, dropdown, tab, card, rubric and topic titles, index
entries, definition terms, link text and titles, footnotes, the quiz title.
Both editions are built with `-W`: the payloads must not even cause a warning.

Then the payloads must be inert and visible as text in every page, including
the places that let them run before: the `<title>`, the theme's print-only
header, the sidebar, the navbar, prev/next links and the search results
(`search.html?q=...` matching a section heading). In Chromium (dialog, console
and request listeners) no page opens a dialog, sets the global, or asks another
host for anything.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
from lxml import etree

from tests.attacks.hostile_html import (
    EDITIONS,
    LIVE_JS,
    LIVE_XPATH,
    Build,
    Edition,
    add_page,
    append,
    build,
    copy_book,
    edit,
    markdown_cell,
    notebook,
    pages,
    payload,
)
from tests.browser_support import guarded_page

#: Where each numbered payload was planted.
PLACES = {
    1: "intro.md H1 (the book's home: sidebar home link on every page)",
    2: "intro.md H2",
    3: "lesson H1 (lessons/01-laboratory.md)",
    4: "lesson H2",
    5: "lesson H3",
    6: "glossary term",
    7: "front-matter title (lessons/02)",
    8: "front-matter html_meta description (lessons/02)",
    9: "_config.yml title (html_title)",
    10: "author in both configs",
    11: "copyright in both configs",
    12: "project in both configs",
    13: "_config_instructor.yml title",
    14: "_toc.yml part caption",
    15: "_toc.yml / _toc_instructor.yml entry title (sources)",
    16: "_toc_instructor.yml part caption",
    17: "figure caption",
    18: "figure alt text",
    19: "admonition title",
    20: "table caption",
    21: "code-block caption",
    22: "dropdown title",
    23: "tab label",
    24: "card title",
    25: "rubric",
    26: "topic title",
    27: "index entry",
    28: "definition-list term",
    29: "link text",
    30: "link title",
    31: "footnote",
    32: "Markdown image alt text",
    33: "notebook page H1 (.ipynb)",
    34: "notebook page H2",
    35: "notebook page text",
    36: "quiz title (quizzes/l1-laboratory.yml)",
    37: "instructor guide H1",
    38: "glossary page H1",
    39: "html_theme_options logo text (_config_instructor.yml)",
}
#: Shown as text somewhere in the edition's pages (the rest live in attributes or metadata).
SHOWN = {
    "student": set(PLACES) - {7, 8, 12, 13, 16, 18, 30, 32, 37, 39},
    "instructor": set(PLACES) - {7, 8, 9, 12, 14, 18, 30, 32},
}
#: A short section heading that `search.html?q=SEARCH` matches through the title index.
SEARCH_HEADING = "Map <img src=x onerror=alert(40)>"
SEARCH = "img src=x onerror=alert(40)"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
       '<rect width="20" height="20"/></svg>\n')


def _lesson_extras() -> str:
    p = payload
    return f"""
### Section {p(5)}

```{{figure}} attack.svg
:alt: Alt {p(18)}

Caption {p(17)}
```

```{{admonition}} Note {p(19)}
Body.
```

```{{list-table}} Table {p(20)}
* - a
  - b
```

```{{code-block}} python
:caption: Code {p(21)}
x = 1
```

```{{dropdown}} Dropdown {p(22)}
Hidden body.
```

::::{{tab-set}}
:::{{tab-item}} Tab {p(23)}
Tab body.
:::
::::

```{{card}} Card {p(24)}
Card body.
```

```{{rubric}} Rubric {p(25)}
```

```{{topic}} Topic {p(26)}
Topic body.
```

```{{index}} single: Index {p(27)}
```

Term {p(28)}
: Its definition.

A [link {p(29)}](https://example.org/ "Title {p(30)}") and a footnote[^attack].

![Alt {p(32)}](attack.svg)

[^attack]: Footnote {p(31)}

## {SEARCH_HEADING}

Words under the map heading.
"""


def plant(book: Path) -> None:
    p = payload
    edit(book / "intro.md", "# Russia and Iran in the Syrian war: reading a chapter critically",
         f"# Russia and Iran {p(1)}")
    edit(book / "intro.md", "## For students", f"## For students {p(2)}")
    lesson = book / "lessons" / "01-laboratory.md"
    edit(lesson, "# 46.1 Syria as a Live-Fire Laboratory", f"# 46.1 Syria {p(3)}")
    edit(lesson, "## The text", f"## The text {p(4)}")
    append(lesson, _lesson_extras())
    (book / "lessons" / "attack.svg").write_text(SVG, encoding="utf-8")
    second = book / "lessons" / "02-division-of-labor.md"
    second.write_text(f"---\ntitle: Front matter {p(7)}\nmyst:\n  html_meta:\n"
                      f"    description: Meta {p(8)}\n---\n"
                      + second.read_text(encoding="utf-8"), encoding="utf-8")
    glossary = book / "glossary.md"
    edit(glossary, "# Glossary", f"# Glossary {p(38)}")
    edit(glossary, "```{glossary}\n", f"```{{glossary}}\nTerm {p(6)}\n  A hostile term.\n\n")
    edit(book / "instructor-guide.md", "# Instructor guide", f"# Instructor guide {p(37)}")
    for name, title in (("_config.yml", 9), ("_config_instructor.yml", 13)):
        config = book / name
        text = config.read_text(encoding="utf-8")
        text = re.sub(r'^title: .*$', f"title: 'Book {p(title)}'", text, count=1,
                      flags=re.MULTILINE)
        text = re.sub(r'^author: .*$', f"author: 'Author {p(10)}'\nproject: 'Project {p(12)}'",
                      text, count=1, flags=re.MULTILINE)
        text = re.sub(r'^copyright: .*$', f"copyright: '2026 {p(11)}'", text, count=1,
                      flags=re.MULTILINE)
        if name == "_config_instructor.yml":  # the student navbar shows the title instead
            text = text.replace("    html_theme_options:\n", "    html_theme_options:\n"
                                f"      logo:\n        text: 'Logo {p(39)}'\n")
        config.write_text(text, encoding="utf-8")
    for name, caption in (("_toc.yml", 14), ("_toc_instructor.yml", 16)):
        toc = book / name
        text = toc.read_text(encoding="utf-8").replace("\n  - file", "\n    - file")
        text = text.replace("chapters:\n", f"parts:\n  - caption: 'Part {p(caption)}'\n"
                                           "    chapters:\n", 1)
        text = text.replace("- file: sources\n",
                            f"- file: sources\n      title: 'Sources {p(15)}'\n")
        toc.write_text(text, encoding="utf-8")
    (book / "attack-notebook.ipynb").write_text(notebook([
        markdown_cell(f"# Notebook {p(33)}\n\nText {p(35)}"),
        markdown_cell(f"## Notebook section {p(34)}\n\nMore text."),
    ]), encoding="utf-8")
    add_page(book, "attack-notebook")
    quiz = book / "quizzes" / "l1-laboratory.yml"
    edit(quiz, "title: 46.1 Syria as a live-fire laboratory",
         f"title: '46.1 Syria {p(36)}'")


@dataclass
class Site:
    book: Path
    builds: dict[Edition, Build]

    def html(self, edition: Edition) -> Path:
        return self.builds[edition].html


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("hostile-html")
    book = copy_book(root / "book")
    plant(book)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {e: pool.submit(build, book, e, root / e) for e in EDITIONS}
        builds = {e: f.result() for e, f in futures.items()}
    for result in builds.values():
        # -W: a payload in text may not even cause a warning.
        assert result.returncode == 0 and result.problems() == [], result.log[-4000:]
    return Site(book, builds)


def _parse(page: Path) -> Any:
    return lxml.html.parse(str(page)).getroot()


def visible_text(element: Any) -> str:
    """The text a reader sees (scripts and styles left out)."""
    copy = lxml.html.fromstring(etree.tostring(element))
    for node in copy.xpath("//script | //style | //template"):
        node.drop_tree()
    return str(copy.text_content())


def shown(n: int) -> str:
    return payload(n)


# -- built pages ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_no_payload_is_live_in_any_page(site: Site, edition: Edition) -> None:
    html = site.html(edition)
    found = [*pages(html), html / "index.html"]
    assert {"intro.html", "glossary.html", "attack-notebook.html", "search.html",
            "genindex.html"} <= {p.name for p in found}
    live = {}
    for page in found:
        doc = _parse(page)
        hits = [etree.tostring(e, encoding="unicode")[:120] for e in doc.xpath(LIVE_XPATH)]
        if hits:
            live[page.relative_to(html).as_posix()] = [
                PLACES.get(int(n), n) for h in hits
                for n in re.findall(r"(?:alert\(|=)(\d+)", h)] or hits
        # Data islands hold the payload as JSON that no payload can close early.
        for data in doc.xpath("//script[@type='application/json']"):
            json.loads(data.text)
    assert live == {}


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_payload_shows_as_text(site: Site, edition: Edition) -> None:
    text = "\n".join(visible_text(_parse(page)) for page in pages(site.html(edition)))
    missing = {n: PLACES[n] for n in sorted(SHOWN[edition]) if shown(n) not in text}
    assert missing == {}


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_title_print_header_sidebar_navbar_and_neighbours_escape_titles(
        site: Site, edition: Edition) -> None:
    html = site.html(edition)
    title_payload = 9 if edition == "student" else 13
    caption_payload = 14 if edition == "student" else 16
    lesson = _parse(html / "lessons" / "01-laboratory.html")
    title = lesson.findtext(".//title")
    assert title.startswith(f"46.1 Syria {shown(3)}") and shown(title_payload) in title
    # The theme's print-only header (was `{{ pagetitle }}`, unescaped).
    header = lesson.xpath("//div[@id='jb-print-docs-body']/h1")
    assert [h.text_content().strip() for h in header] == [f"46.1 Syria {shown(3)}"]
    for page in pages(html):
        doc = _parse(page)
        home = doc.xpath("//ul[contains(@class, 'bd-sidenav__home-link')]//a")
        assert [a.text_content().strip() for a in home] == [f"Russia and Iran {shown(1)}"], page
        brand = doc.xpath("//*[contains(@class, 'logo__title')]")
        expected = f"Book {shown(9)}" if edition == "student" else f"Logo {shown(39)}"
        assert [b.text_content().strip() for b in brand] == [expected]
        captions = [c.text_content().strip() for c in doc.xpath("//p[@class='caption']")]
        assert captions == [f"Part {shown(caption_payload)}"], page
        footer = " ".join(visible_text(f) for f in doc.xpath("//footer"))
        assert shown(10) in footer and shown(11) in footer
    prologue = _parse(html / "lessons" / "00-prologue.html")
    following = prologue.xpath("//a[contains(@class, 'right-next')]")
    assert shown(3) in following[0].text_content()
    # The index redirect page carries the book's title too.
    book_title = 9 if edition == "student" else 13
    assert _parse(html / "index.html").findtext(".//title") == f"Book {shown(book_title)}"
    meta = _parse(html / "lessons" / "02-division-of-labor.html").xpath(
        "//meta[@name='description']/@content")
    assert meta == [f"Meta {shown(8)}"]


@pytest.mark.slow
def test_search_index_escapes_displayed_titles(site: Site) -> None:
    index = (site.html("student") / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[len("Search.setIndex("):-1])
    for title in data["alltitles"]:
        assert "<" not in title and ">" not in title, title
    assert f"Map {SEARCH_HEADING[4:].replace('<', '&lt;').replace('>', '&gt;')}" \
        in data["alltitles"]
    for prefix, entries in data["objects"].items():
        assert "<" not in prefix and all("<" not in str(entry[4]) for entry in entries)


# -- the pages in Chromium ---------------------------------------------------------------


def _open(page: Any, url: str, dialogs: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    assert dialogs == [], url
    assert page.evaluate("typeof window.__pwned") == "undefined", url
    assert page.evaluate(LIVE_JS) == [], url


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("edition", EDITIONS)
def test_pages_run_no_payload_in_chromium(site: Site, edition: Edition, browser: Any,
                                          http_server: Any) -> None:
    html = site.html(edition)
    base = http_server(html)
    with guarded_page(browser) as (page, guard):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages(html):
            _open(page, base + quote(path.relative_to(html).as_posix()), dialogs)
        # The print-only header, as the printer sees it: the payload is its text.
        _open(page, base + "lessons/01-laboratory.html", dialogs)
        page.emulate_media(media="print")
        header = page.locator("#jb-print-docs-body h1")
        assert header.is_visible() and header.inner_text().strip() == f"46.1 Syria {shown(3)}"
        page.emulate_media(media="screen")
        guard.check()
        assert not guard.foreign


def _search(page: Any, base: str, query: str, dialogs: list[str]) -> list[str]:
    page.goto(f"{base}search.html?q={quote(query)}")
    page.wait_for_function("() => document.querySelector('#search-results')"
                           " && /Search finished|did not match/.test("
                           "document.querySelector('#search-results').innerText)")
    assert dialogs == [], query
    assert page.evaluate("typeof window.__pwned") == "undefined", query
    assert page.evaluate(LIVE_JS) == [], query
    return [str(t) for t in page.locator("#search-results li > a").all_inner_texts()]


@pytest.mark.slow
@pytest.mark.browser
def test_search_results_show_headings_as_text(site: Site, browser: Any,
                                              http_server: Any) -> None:
    base = http_server(site.html("student"))
    with guarded_page(browser) as (page, guard):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # Matches the section heading through the title index (displayed with innerHTML).
        results = _search(page, base, SEARCH, dialogs)
        assert any(r.endswith(SEARCH_HEADING) for r in results), results
        # Matches page titles through the word index.
        results = _search(page, base, "onerror", dialogs)
        assert f"46.1 Syria {shown(3)}" in results and f"Russia and Iran {shown(1)}" in results
        # The query itself is markup.
        _search(page, base, payload(41), dialogs)
        _search(page, base, '"><svg onload=alert(42)>', dialogs)
        guard.check()


# -- the lesson notebooks ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_lesson_notebooks_show_heading_payloads_as_text(site: Site, edition: Edition,
                                                        tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    from quizbook.notebooks import write_notebooks

    written = write_notebooks(site.book, tmp_path / edition, edition)
    lesson = next(p for p in written if p.name == "01-laboratory.ipynb")
    shown_text = ""
    for path in written:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            source = "".join(cell["source"])
            # As Jupyter renders a Markdown cell: raw HTML allowed.
            rendered = MarkdownIt("commonmark", {"html": True}).render(source)
            fragment = lxml.html.fragment_fromstring(rendered or "<p></p>",
                                                     create_parent="div")
            live = fragment.xpath(LIVE_XPATH.replace("//", ".//"))
            assert live == [], (path.name, source[:200])
            if path == lesson:
                shown_text += fragment.text_content()
    for n in (3, 4, 5, 17, 19):  # headings, figure caption, admonition title
        assert shown(n) in shown_text, PLACES[n]
