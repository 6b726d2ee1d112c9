"""Attack class 1d: no link, image or page setting runs script, redirects or loads from elsewhere.

First the rule itself: `url_scheme` reads a URL the way a browser does, through
case, white space, control characters, entities and percent-escapes. Then a
hostile copy of the course book (both editions) puts script URLs in every
place that takes a link or a target (`{button-link}`, `{image}`/`{figure}`
`:target:`, `{card}` `:link:`, reStructuredText links and named targets,
`{download}`, Markdown links, autolinks, reference definitions, entity-encoded),
images from other hosts, and `html_meta` refreshes and cookies (front matter,
old top-level front matter, reStructuredText `meta`). Each is a build error at
its line; no page holds a script link, a foreign image or a redirect, and in
Chromium no page opens a dialog or asks another host for anything.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest

from quizbook.sphinx.links import is_script_url, url_scheme
from tests.attacks.hostile_html import (
    EDITIONS,
    LIVE_JS,
    Build,
    Edition,
    append,
    build,
    copy_book,
    pages,
)
from tests.browser_support import guarded_page

REFUSED_URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "\tjavascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
    "java\rscript:alert(1)", "\x00javascript:alert(1)", "\x01\x02javascript:alert(1)",
    "javascript\x0b:alert(1)", "\u200bjavascript:alert(1)", "\ufeffjavascript:alert(1)",
    "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "&#0000106;avascript:alert(1)",
    "javascript&colon;alert(1)", "javascript&#58;alert(1)", "jav&#x09;ascript:alert(1)",
    "&#x20;javascript:alert(1)", "&amp;#106;avascript:alert(1)", "%6A%61vascript:alert(1)",
    "vbscript:msgbox(1)", "VBScript:msgbox(1)", "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>", "file:///etc/passwd", "FILE://C:/x",
]
ALLOWED_URLS = [
    "https://example.org/x", "http://example.org", "mailto:someone@example.org",
    "lesson.html#data", "page.md", "#javascript", "../data/timeline.yml", "data.md",
    "javascript.md", "./javascript:x", "?q=javascript:x", "/lessons/01-laboratory",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_script_urls_are_recognised(url: str) -> None:
    assert is_script_url(url), url


@pytest.mark.parametrize("url", ALLOWED_URLS)
def test_ordinary_urls_are_not(url: str) -> None:
    assert not is_script_url(url), url


def test_the_scheme_is_the_one_a_browser_reads() -> None:
    assert url_scheme("  JaVa\tScRiPt:x") == "javascript"
    assert url_scheme("https://example.org") == "https"
    assert url_scheme("relative/path") is None


#: (Markdown appended to lessons/01-laboratory.md, expected message, line offset in block).
ATTEMPTS: list[tuple[str, str, int]] = [
    ("```{button-link} javascript:window.__pwned=1\nA button\n```",
     "link target 'javascript:window.__pwned=1' uses the javascript: scheme", 0),
    ("```{button-link} JaVaScRiPt:alert(2)\nA button\n```",
     "link target 'JaVaScRiPt:alert(2)' uses the javascript: scheme", 0),
    ("```{button-link} &#106;avascript:alert(3)\nA button\n```",
     "link target '&#106;avascript:alert(3)' uses the javascript: scheme", 0),
    ("```{button-link} vbscript:msgbox(4)\nA button\n```",
     "link target 'vbscript:msgbox(4)' uses the vbscript: scheme", 0),
    ("```{button-link} data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==\nA button\n```",
     "uses the data: scheme", 0),
    ("```{image} attack.svg\n:alt: A target\n:target: javascript:alert(6)\n```",
     "link target 'javascript:alert(6)' uses the javascript: scheme", 0),
    ("```{figure} attack.svg\n:alt: A figure\n:target: JAVASCRIPT:alert(7)\n\nIts caption.\n```",
     "link target 'JAVASCRIPT:alert(7)' uses the javascript: scheme", 0),
    ("```{card} A card\n:link: javascript:alert(8)\n\nCard body.\n```",
     "link target 'javascript:alert(8)' uses the javascript: scheme", 0),
    ("```{eval-rst}\nA `reST link <javascript:alert(9)>`_ here.\n```",
     "link target 'javascript:alert(9)' uses the javascript: scheme", 1),
    ("```{eval-rst}\nA `named`_ target.\n\n.. _named: vbscript:msgbox(10)\n```",
     "link target 'vbscript:msgbox(10)' uses the vbscript: scheme", 3),
    ("A {download}`download <javascript:alert(11)>`.",
     "link target 'javascript:alert(11)' uses the javascript: scheme", 0),
    ("A [Markdown link](javascript:alert(12)).",
     "Markdown link target 'javascript:alert(12)' uses the javascript: scheme", 0),
    ("An autolink <javascript:alert(13)>.",
     "Markdown link target 'javascript:alert(13)' uses the javascript: scheme", 0),
    ("A [reference][evil].\n\n[evil]: javascript:alert(14)",
     "Markdown link target 'javascript:alert(14)' uses the javascript: scheme", 2),
    ("An [entity link](&#106;avascript:alert(15)).",
     "Markdown link target 'javascript:alert(15)' uses the javascript: scheme", 0),
    ("A [data link](data:text/html,alert(16)).",
     "Markdown link target 'data:text/html,alert(16)' uses the data: scheme", 0),
    ("![A remote image](https://evil.example/tracker.png)",
     "the image is on another host", 0),
    ("```{image} //evil.example/tracker.png\n:alt: Protocol-relative\n```",
     "the image is on another host", 0),
    ("```{figure} http://127.0.0.1:9/tracker.png\n:alt: Another port\n\nCaption.\n```",
     "the image is on another host", 0),
    ("```{image} data:text/html,<script>alert(17)</script>\n:alt: Not an image\n```",
     "an image may not use a data: URL", 0),
]
#: Page -> (front matter or text, expected message, line of `http-equiv` in the file).
META = {
    "02-division-of-labor": ('---\nmyst:\n  html_meta:\n    "http-equiv=refresh": '
                             '"0; url=https://evil.example/"\n---\n',
                             "html_meta: http-equiv='refresh' is not allowed", 4),
    "03-strategic-victories": ('---\nhtml_meta:\n  "http-equiv=Set-Cookie": "id=1"\n---\n',
                               "html_meta: http-equiv='Set-Cookie' is not allowed", 3),
}
RST_META = ("```{eval-rst}\n.. meta::\n   :http-equiv=refresh: 0; url=javascript:alert(18)\n```",
            "html_meta: http-equiv='refresh' is not allowed")
INLINE_IMAGE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR"
                "4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==")


@dataclass
class Attack:
    book: Path
    builds: dict[Edition, Build] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    rst_meta_line: int = 0


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> Attack:
    root = tmp_path_factory.mktemp("hostile-links")
    book = copy_book(root / "book")
    result = Attack(book)
    lesson = book / "lessons" / "01-laboratory.md"
    (book / "lessons" / "attack.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>\n', encoding="utf-8")
    for block, _, offset in ATTEMPTS:
        result.lines.append(len(lesson.read_text(encoding="utf-8").splitlines()) + 2 + offset)
        append(lesson, block)
    append(lesson, f"![An inline image, allowed]({INLINE_IMAGE})")
    for name, (front, _, _) in META.items():
        page = book / "lessons" / f"{name}.md"
        page.write_text(front + page.read_text(encoding="utf-8"), encoding="utf-8")
    last = book / "lessons" / "04-payback.md"
    result.rst_meta_line = len(last.read_text(encoding="utf-8").splitlines()) + 4
    append(last, RST_META[0])
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {e: pool.submit(build, book, e, root / e, False) for e in EDITIONS}
        result.builds = {e: f.result() for e, f in futures.items()}
    return result


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_script_link_is_an_error_at_its_line(attack: Attack, edition: Edition) -> None:
    built = attack.builds[edition]
    assert built.returncode == 1, built.log[-3000:]
    problems = built.problems()
    lesson = attack.book / "lessons" / "01-laboratory.md"
    expected = [(lesson, line, message)
                for (_, message, _), line in zip(ATTEMPTS, attack.lines, strict=True)]
    expected += [(attack.book / "lessons" / f"{name}.md", line, message)
                 for name, (_, message, line) in META.items()]
    expected.append((attack.book / "lessons" / "04-payback.md", attack.rst_meta_line,
                     RST_META[1]))
    missing = [f"{path}:{line}: ERROR: {message}" for path, line, message in expected
               if not any(p.startswith(f"{path}:{line}: ERROR: ") and message in p
                          for p in problems)]
    assert missing == [], "\n".join(["MISSING:", *missing, "GOT:", *problems])
    # One error per link (a reStructuredText link is two nodes with the same URL).
    assert sum("javascript:alert(9)" in p for p in problems) == 1


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_no_page_has_a_script_link_foreign_image_or_redirect(attack: Attack,
                                                             edition: Edition) -> None:
    html = attack.builds[edition].html
    for page in pages(html):
        doc = lxml.html.parse(str(page)).getroot()
        for element in doc.iter():
            if not isinstance(element.tag, str):
                continue
            for name in ("href", "src", "action", "formaction", "data", "poster"):
                value = element.get(name)
                if value is None or (element.tag == "link" and value == "data:,"):
                    continue
                if element.tag == "img" and value.startswith("data:image/png;base64,"):
                    continue
                assert not is_script_url(value), (page, element.tag, value)
                if element.tag in ("img", "script", "link", "iframe", "source"):
                    assert "://" not in value and not value.startswith("//"), (page, value)
        assert not doc.xpath("//meta[@http-equiv]"), page
    lesson = lxml.html.parse(str(html / "lessons" / "01-laboratory.html")).getroot()
    text = lesson.text_content()
    # Refused Markdown links stay readable text; refused buttons and cards keep their words.
    for shown in ("[Markdown link](javascript:alert(12))", "<javascript:alert(13)>",
                  "[evil]: javascript:alert(14)", "A button", "Card body."):
        assert shown in text, shown
    # The inline (data:image) picture is allowed.
    assert lesson.xpath("//img[starts-with(@src, 'data:image/png;base64,')]")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("edition", EDITIONS)
def test_pages_follow_no_script_link_in_chromium(attack: Attack, edition: Edition,
                                                 browser: Any, http_server: Any) -> None:
    html = attack.builds[edition].html
    base = http_server(html)
    with guarded_page(browser) as (page, guard):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages(html):
            url = base + quote(path.relative_to(html).as_posix())
            page.goto(url)
            page.wait_for_load_state("load")
            assert page.url == url, "the page went elsewhere"
            assert dialogs == [] and page.evaluate("typeof window.__pwned") == "undefined"
            assert page.evaluate(LIVE_JS) == [], url
        # Every link left on the lesson page leads somewhere harmless.
        page.goto(base + "lessons/01-laboratory.html")
        for link in page.locator("article a[href]").all():
            href = link.get_attribute("href") or ""
            assert not is_script_url(href), href
        guard.check()
        assert guard.foreign == []
