"""The `{quiz-progress}` directive: the "My progress" table of every lesson quiz.

The table lists the quizzes found in the whole book (filled when the page is
written, after every page was read), with their student bundles; the browser runtime
grades the saved answers again, fills in scores and pass/fail, and offers one download
with all results.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from quizbook.handin import hand_in_html
from quizbook.server.keyfree import keyfree_bundle
from quizbook.sphinx.nodes import progress_node
from quizbook.sphinx.quiz import all_quizzes
from quizbook.sphinx.render import bundle_script, markup_templates

#: The class build's extension: its progress page must not carry the offline bundles.
CLASS_BUILD = "quizbook.server.classbuild"

NOJS = "Your progress is read from this browser's storage, which needs JavaScript."


class ProgressDirective(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        docs: set[str] = getattr(self.env, "quizbook_progress_docs", set())
        docs.add(self.env.docname)
        self.env.quizbook_progress_docs = docs  # type: ignore[attr-defined]
        node = progress_node("", classes=["qb-progress"])
        self.set_source_info(node)
        node += nodes.paragraph("", "Quiz results are saved in the web browser that was used "
                                    "to answer them; open the HTML book in that browser to "
                                    "see them here.")
        return [node]


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
              removed: set[str]) -> list[str]:
    if not (added or changed or removed):
        return []
    return sorted(getattr(env, "quizbook_progress_docs", set()) - added - changed)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "quizbook_progress_docs", set()).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str],
           other: BuildEnvironment) -> None:
    mine: set[str] = getattr(env, "quizbook_progress_docs", set())
    mine |= getattr(other, "quizbook_progress_docs", set()) & docnames
    env.quizbook_progress_docs = mine  # type: ignore[attr-defined]


def progress_html(rows: list[dict[str, Any]], hand_in: str = "") -> str:
    """The table, with each quiz's student bundle: the runtime grades the saved answers again
    (a saved score is never shown) and builds the results file from them."""
    meta = [{k: r[k] for k in ("quiz", "lesson", "title", "max", "url", "bundle")}
            for r in rows]
    html = markup_templates().get_template("progress.html.j2").render(
        rows=rows, meta_script=bundle_script(meta, "data-quizbook-progress"), nojs_note=NOJS,
        hand_in=hand_in_html(hand_in))
    return html.strip()


def visit_progress_html(self: SphinxTranslator, node: progress_node) -> None:
    builder: Any = self.builder
    env = builder.env
    here = builder.current_docname
    # A class build's pages carry key-free bundles only (quizbook.server.classbuild).
    keyfree = CLASS_BUILD in builder.app.extensions
    rows = []
    for doc, info in all_quizzes(env):
        title = env.titles[doc].astext() if doc in env.titles else doc
        bundle = keyfree_bundle(info["bundle"]) if keyfree else info["bundle"]
        rows.append({**info, "bundle": bundle, "page": title,
                     "url": builder.get_relative_uri(here, doc)})
    self.body.append(progress_html(rows, builder.config.quizbook_hand_in))
    raise nodes.SkipNode


def setup(app: Sphinx) -> None:
    app.add_node(progress_node, html=(visit_progress_html, None))
    app.add_directive("quiz-progress", ProgressDirective)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
