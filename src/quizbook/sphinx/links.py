"""No link, image or page setting in a book can run script, redirect, or load from elsewhere.

Checked on every page's doctree before anything is written, whatever made the
node (Markdown links and autolinks, `{button-link}`, `{image}`/`{figure}`
with `:target:`, cards, reStructuredText in `{eval-rst}`, notebooks):

* a link target with a script scheme (`javascript:`, `vbscript:`, `data:`,
  `file:`), in any case, with white space or control characters inside, or
  written with HTML entities, is an error and the link becomes plain text;
* an image from another host (or `file:`) is an error: the book loads nothing
  from elsewhere; `data:image/...` images are allowed (they load nothing);
* `html_meta` (front matter or the `{meta}` directive) may not set `http-equiv`
  (`refresh` redirects the page, `set-cookie` writes cookies);
* a page's file name cannot become a script link in the navigation.

Markdown links, autolinks and reference definitions with such a scheme never
become links (markdown-it refuses them and leaves the text); they are reported
as errors too, from the text they left, so that an author learns of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from quizbook.sphinx import refusals
from quizbook.sphinx.where import where

#: Schemes that run script or read local files when a browser follows or loads them.
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "livescript", "mocha"})
#: Images that load nothing from anywhere (the browser never runs script in an <img>).
INLINE_IMAGE = re.compile(r"^data:image/(png|gif|jpe?g|webp|svg\+xml)[;,]", re.IGNORECASE)
#: Node attributes that hold a URL (docutils, Sphinx, MyST, sphinx-design). A
#: `reftarget` is a URL or path only on download references; on other cross-references
#: it names a label or a term ("Data: ...") that Sphinx resolves inside the book.
URL_ATTRIBUTES = ("refuri", "uri", "original_uri", "href", "src")
#: What browsers ignore or strip in a URL before reading its scheme (WHATWG URL standard:
#: leading/trailing C0 controls and spaces, tabs and newlines anywhere); we drop every
#: control character and any white space, which also catches obfuscations browsers reject.
IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f\s\u200b-\u200f\u2028\u2029\ufeff]+")
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
#: What a page name may not hold: it becomes a URL in every page's navigation.
UNSAFE_DOCNAME = re.compile(r"[\x00-\x1f\x7f<>\"'`&\\:]")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in `url`, lower-case, or None for a relative URL.

    Entities (`&#106;avascript:`) and percent-escapes are decoded until nothing
    changes, and ignored characters removed, before the scheme is read.
    """
    text = url
    for _ in range(5):
        decoded = unquote(unescape(text))
        if decoded == text:
            break
        text = decoded
    match = SCHEME.match(IGNORED.sub("", text))
    return match.group(1).lower() if match else None


def is_script_url(url: str) -> bool:
    return url_scheme(url) in SCRIPT_SCHEMES


def _urls(node: nodes.Element) -> Iterator[tuple[str, str]]:
    names = (*URL_ATTRIBUTES, "reftarget") if isinstance(
        node, addnodes.download_reference) else URL_ATTRIBUTES
    for name in names:
        value = node.get(name)
        if isinstance(value, str) and value:
            yield name, value
    candidates = node.get("candidates")
    if isinstance(candidates, dict):
        for value in candidates.values():
            if isinstance(value, str):
                yield "candidates", value


def _image_refusal(uri: str) -> str | None:
    scheme = url_scheme(uri)
    if scheme is None and not IGNORED.sub("", uri).startswith("//"):
        return None
    if scheme == "data" and INLINE_IMAGE.match(IGNORED.sub("", unescape(uri))):
        return None
    if scheme in SCRIPT_SCHEMES:
        return f"an image may not use a {scheme}: URL"
    return ("the image is on another host; the book loads nothing from elsewhere "
            "(download it into the book and use its path)")


def _inert(node: nodes.Element) -> None:
    """Keep the words (and anchors) of a refused link or image, drop what made it live."""
    if isinstance(node, nodes.image):
        node.replace_self(nodes.inline("", node.get("alt", "")))
    else:
        node.replace_self(nodes.inline("", "", *node.children))


def check_links(app: Sphinx, doctree: nodes.document) -> None:
    reported: set[tuple[object, str]] = set()
    for node in list(doctree.findall(nodes.Element)):
        if node.parent is None and node is not doctree:
            continue  # removed with a refused parent
        problem = None
        for name, value in _urls(node):
            if isinstance(node, nodes.image) and name in ("uri", "candidates"):
                problem = _image_refusal(value)
            elif is_script_url(value):
                problem = (f"link target {value!r} uses the {url_scheme(value)}: scheme, "
                           "which can run script or read local files; link to a page "
                           "or an http(s) address instead")
            if problem:
                break
        if problem:
            location = where(node, app.env.docname)
            # A reStructuredText link is a reference and a target with the same URL.
            key = (getattr(location, "line", location), problem)
            if key not in reported:
                reported.add(key)
                refusals.refuse(app, problem, location, "link")
            _inert(node)


#: What a refused Markdown link leaves as text: `[text](URL`, `<URL>`, `[label]: URL`.
MARKDOWN_LINKS = (re.compile(r"\]\(\s*<?((?:[^\s()<>]|\([^\s()<>]*\))+)"),
                  re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^<>\s]*)>"),
                  re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE))
#: Text inside these is code or markup, not prose that was meant as a link.
NOT_PROSE = (nodes.literal, nodes.literal_block, nodes.raw, nodes.comment, nodes.math,
             nodes.math_block, nodes.doctest_block)
#: Quizzes and answer keys: their text comes from the quiz files, whose inline Markdown
#: quizbook.markup renders with script links as text (and `quizbook check` checks).
FROM_QUIZ_FILES = frozenset({"quizbook", "qb-key"})


def check_markdown_links(app: Sphinx, doctree: nodes.document) -> None:
    """Markdown links with a script scheme that markdown-it left as text: report them."""
    reported: set[tuple[object, str]] = set()
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or any(
                isinstance(a, NOT_PROSE) or (isinstance(a, nodes.Element) and
                                             FROM_QUIZ_FILES & set(a.get("classes", ())))
                for a in _ancestors(parent)):
            continue
        for pattern in MARKDOWN_LINKS:
            for match in pattern.finditer(str(text)):
                url = match.group(1)
                if not is_script_url(url):
                    continue
                location = where(parent, app.env.docname)
                key = (getattr(location, "line", location), url)
                if key in reported:
                    continue
                reported.add(key)
                refusals.refuse(app, f"Markdown link target {url!r} uses the "
                                f"{url_scheme(url)}: scheme, which can run script or read "
                                "local files; it is shown as text, not as a link",
                                location, "link")


def _ancestors(node: nodes.Node) -> Iterator[nodes.Node]:
    current: nodes.Node | None = node
    while current is not None:
        yield current
        current = current.parent


def _meta_nodes(doctree: nodes.document) -> Iterator[tuple[nodes.Element, nodes.Element]]:
    """(meta node, node to remove): plain meta nodes and the pending ones MyST makes."""
    for meta in doctree.findall(nodes.meta):
        yield meta, meta
    for pending in doctree.findall(nodes.pending):
        for meta in pending.details.get("nodes", ()):
            if isinstance(meta, nodes.meta):
                yield meta, pending


def _meta_location(app: Sphinx, meta: nodes.Element,
                   holder: nodes.Element) -> nodes.Node | tuple[str, int | None]:
    """The source line that sets the meta tag.

    MyST gives front-matter meta tags no line and `{eval-rst}` ones a line of
    the embedded text, so the page's source is searched for the `http-equiv`
    entry first.
    """
    equiv = str(meta.get("http-equiv", "")).lower()
    try:
        lines = Path(app.env.doc2path(app.env.docname)).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    for number, line in enumerate(lines, 1):
        if "http-equiv" in line.lower() and equiv in line.lower():
            return (app.env.docname, number)
    return where(meta if meta.line else holder, app.env.docname)


def check_meta(app: Sphinx, doctree: nodes.document) -> None:
    for meta, holder in list(_meta_nodes(doctree)):
        equiv = meta.get("http-equiv")
        if equiv is None:
            continue
        refusals.refuse(app, f"html_meta: http-equiv={equiv!r} is not allowed in a page (a "
                        "refresh sends readers elsewhere, a set-cookie writes cookies); remove "
                        "it from the page's front matter", _meta_location(app, meta, holder),
                        "meta")
        if holder.parent is not None:
            holder.parent.remove(holder)


def check_docnames(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """A page name becomes a URL in every page's navigation: it must be a plain path."""
    for docname in sorted(env.found_docs):
        if UNSAFE_DOCNAME.search(docname) or is_script_url(docname):
            refusals.refuse_book(
                app, f"page file name {docname!r} is not allowed: it becomes a link in every "
                "page; leave out control characters and < > \" ' ` & \\ :",
                str(env.doc2path(docname)), "docname")
            env.found_docs.discard(docname)
            if docname in docnames:
                docnames.remove(docname)


def setup(app: Sphinx) -> None:
    app.connect("env-before-read-docs", check_docnames)
    # Before Sphinx's image and download collectors (priority 500) see the nodes.
    app.connect("doctree-read", check_links, priority=290)
    app.connect("doctree-read", check_meta, priority=290)
    app.connect("doctree-read", check_markdown_links, priority=290)
