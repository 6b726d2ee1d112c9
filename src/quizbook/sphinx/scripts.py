"""The runtime script of each page: only the code the page needs, and quizzes usable early.

A page gets the runtime (quizbook.runtime.build.classic_script) with the question types its
quizzes use, the notes boxes' code if it has a discussion, the progress table's if it has
one, and the class server's grader only in a class build. Each combination is one file,
`_static/quizbook-<digest>.js`, shared by every page that needs the same.

On a page with quizzes the script is a plain classic `<script>` right after the first quiz
(it runs while the page is still being read and mounts that quiz at once), and each further
quiz is followed by a one-line script that announces it (`quizbook:mount`): every quiz is
usable as soon as its own markup is parsed, not when the whole page is. Other pages load
it with `defer` in the head.

Two parts of the runtime a page with quizzes loads only when first needed, each one more
file next to the script: the marking of its question types (`quizbook.runtime.build.
marking_part`, `_static/quizbook-marking-<digest>.js`), when a quiz is first focused,
touched or graded; and what a quiz needs only when a student downloads results, names
themselves, switches student or cannot save (`downloads_part`,
`_static/quizbook-downloads-<digest>.js`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from docutils import nodes
from markupsafe import Markup
from sphinx.util.osutil import relative_uri

from quizbook.runtime.build import classic_script, downloads_part, marking_part
from quizbook.sphinx.nodes import discussion_node, progress_node, quiz_node
from quizbook.sphinx.render import markup_templates

#: After each quiz but the first: the runtime mounts the element before this script.
MOUNT = ('<script>document.currentScript.dispatchEvent('
         'new Event("quizbook:mount",{bubbles:true}))</script>')
#: The class build's extension (quizbook.server.classbuild): its pages grade on the server.
CLASS_BUILD = "quizbook.server.classbuild"


@dataclass(frozen=True)
class PageNeeds:
    types: tuple[str, ...]
    quizzes: int
    discussion: bool
    progress: bool
    class_mode: bool

    @property
    def any(self) -> bool:
        return bool(self.quizzes or self.discussion or self.progress)


def page_needs(doctree: nodes.document, app: Any) -> PageNeeds:
    quizzes = list(doctree.findall(quiz_node))
    types = sorted({q["type"] for node in quizzes for q in node["bundle"]["questions"]})
    return PageNeeds(tuple(types), len(quizzes), any(doctree.findall(discussion_node)),
                     any(doctree.findall(progress_node)), CLASS_BUILD in app.extensions)


@cache
def _script(needs: PageNeeds) -> tuple[str, str]:
    text = classic_script(types=needs.types, discussion=needs.discussion,
                          progress=needs.progress, class_mode=needs.class_mode)
    return f"quizbook-{hashlib.sha256(text.encode()).hexdigest()[:10]}.js", text


def _named(kind: str, text: str) -> tuple[str, str]:
    return f"quizbook-{kind}-{hashlib.sha256(text.encode()).hexdigest()[:10]}.js", text


@cache
def _downloads() -> tuple[str, str]:
    return _named("downloads", downloads_part())


@cache
def _marking(types: tuple[str, ...]) -> tuple[str, str]:
    return _named("marking", marking_part(types=types))


def _write(app: Any, name: str, text: str) -> str:
    target = Path(app.outdir) / "_static" / name
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return name


def ensure_script(app: Any, needs: PageNeeds) -> str:
    """The page's script, written to `_static/` of the output if it is not there yet;
    its file name."""
    return _write(app, *_script(needs))


def after_quiz(translator: Any) -> Markup:
    """After the page's first quiz the runtime's `<script>`, after the others `MOUNT`."""
    if getattr(translator, "_quizbook_script_written", False):
        return Markup(MOUNT)
    translator._quizbook_script_written = True
    builder = translator.builder
    needs = page_needs(translator.document, builder.app)
    name = ensure_script(builder.app, needs)
    # The parts are next to the script: named relative to it.
    marking = _write(builder.app, *_marking(needs.types))
    downloads = _write(builder.app, *_downloads())
    here = builder.get_target_uri(builder.current_docname)
    src = relative_uri(here, f"_static/{name}")
    return Markup(markup_templates().get_template("runtime_script.html.j2").render(
        src=src, quizzes=needs.quizzes, marking=marking, downloads=downloads))
