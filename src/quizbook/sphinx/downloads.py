"""`quizbook_hand_in`: the hand-in line shown beside every results download of the book.

The setting is one of the book's settings (`quizbook.config.Settings.hand_in`), registered
and validated with all of them by `quizbook.sphinx.settings`: a value that is not one line
of text at most `quizbook.handin.MAX_CHARS` long is an error naming its `_config.yml` line.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    app.setup_extension("quizbook.sphinx.settings")
