"""Sphinx extension: `{quiz}`, `{discussion}`, `{instructor}` and `{para}` directives.

List `quizbook.sphinx` in the book's extensions. Each feature registers itself;
directives emit format-neutral nodes, HTML gets the interactive quiz and every
other builder a readable list (see `nodes.py`).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from quizbook import __version__
from quizbook.sphinx import (
    assets,
    discussion,
    downloads,
    index_page,
    inert,
    instructor,
    links,
    mathjax,
    nodes,
    para,
    paths,
    phone_menu,
    progress,
    quiz,
    refusals,
    safety,
    settings,
)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension(settings.__name__)  # the quizbook_* settings, validated first
    nodes.setup(app)
    instructor.setup(app)
    para.setup(app)
    quiz.setup(app)
    discussion.setup(app)
    progress.setup(app)
    downloads.setup(app)  # the hand-in line beside every download
    assets.setup(app)
    mathjax.setup(app)
    index_page.setup(app)
    safety.setup(app)
    phone_menu.setup(app)  # theme workaround: the menu button on phones
    inert.setup(app)
    links.setup(app)
    paths.setup(app)
    refusals.setup(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
