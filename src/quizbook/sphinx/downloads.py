"""`quizbook_hand_in`: the hand-in line shown beside every results download of the book.

A Sphinx config value (`_config.yml`, `sphinx: config: quizbook_hand_in: "..."`), checked
when the configuration is read: a value that is not one line of text at most
`quizbook.handin.MAX_CHARS` long stops the build with a message naming it.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from quizbook import handin


def _check(app: Sphinx, config: Config) -> None:
    why = handin.problem(getattr(config, handin.CONFIG_KEY))
    if why:
        raise ConfigError(f"_config.yml: sphinx.config.{handin.CONFIG_KEY}: {why}")


def setup(app: Sphinx) -> None:
    app.add_config_value(handin.CONFIG_KEY, "", "env", types=[str])
    app.connect("config-inited", _check)
