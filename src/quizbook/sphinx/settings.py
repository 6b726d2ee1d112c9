"""The book's `quizbook_*` settings in Sphinx: registered once, validated when the config is read.

Every field of `quizbook.config.Settings` is a Sphinx config value `quizbook_<name>`,
registered with default None and no type: Jupyter Book hands `_config.yml` to Sphinx as
command-line overrides, and Sphinx turns a string given for a bool setting into True
(`'false'` included) or splits one given for a list on commas. Here the raw values are
validated strictly (`quizbook.config.validate`) before anything uses them; a refused
value is an error naming its `_config.yml` line and key (a `-W` build fails, and the
build exits 1 even without it) and the default is used. From then on every
`app.config.quizbook_<name>` holds a valid value.

Each quizbook extension calls `app.setup_extension("quizbook.sphinx.settings")`, so the
settings exist whichever of them a book lists.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from quizbook import __version__
from quizbook.config import FIELDS, PREFIX, Settings, names, rebuild, validate
from quizbook.sphinx import book_config


def _validate(app: Sphinx, config: Config) -> None:
    settings, errors = validate({name: config[name] for name in names()})
    for error in errors:
        book_config.report(app, error.name, error.value, error.message)
    for name in FIELDS:
        value = getattr(settings, name)
        config[PREFIX + name] = list(value) if isinstance(value, list) else value


def settings(app: Sphinx) -> Settings:
    """The book's settings, as validated (and as later handlers may have set them)."""
    return Settings.model_construct(**{name: app.config[PREFIX + name] for name in FIELDS})


def setup(app: Sphinx) -> dict[str, Any]:
    for name in FIELDS:
        app.add_config_value(PREFIX + name, None, rebuild(name))  # type: ignore[arg-type]
    # First of all config-inited handlers: every other one reads validated values.
    app.connect("config-inited", _validate, priority=10)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
