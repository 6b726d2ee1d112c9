"""Where a book sets a configuration value: `PATH:LINE:COL` in its `_config.yml`.

Refused settings (quizbook.sphinx.settings) and theme options (quizbook.sphinx.safety)
are reported at their line with `report`, which logs an error (a `-W` build fails, and
the build exits 1 even without it) and never raises: Jupyter Book prints a traceback
for exceptions from a build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from sphinx.application import Sphinx

from quizbook.sphinx import refusals


def _load(path: Path) -> Any:
    try:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError):
        return None


def _entry(data: Any, keys: tuple[str, ...]) -> tuple[Any, int, int] | None:
    """(value, line, column) of the entry at `keys` (e.g. sphinx, config, name)."""
    try:
        *parents, key = keys
        holder = data
        for parent in parents:
            holder = holder[parent]
        line, column = holder.lc.key(key)
        return holder[key], line + 1, column + 1
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def _likeness(data: Any, app: Sphinx) -> int:
    """How many of a config file's settings this build has: the file the build read wins."""
    score = 10 if isinstance(data, dict) and data.get("title") == app.config.html_title else 0
    try:
        settings = data["sphinx"]["config"].items()
    except (KeyError, TypeError, AttributeError):
        return score
    for name, setting in settings:
        if isinstance(setting, str | bool | int) and name in app.config and \
                app.config[name] == setting:
            score += 1
    return score


def config_location(app: Sphinx, key: str, value: Any,
                    keys: tuple[str, ...] | None = None) -> str:
    """Where the book sets `key` (at `keys`, default `sphinx.config.<key>`) to `value`:
    `PATH:LINE:COL`, or the likeliest file.

    Jupyter Book turns `_config.yml` (or the `--config` file) into Sphinx
    settings and does not say which file it read: of the book's config files
    that set the key to that value, the one most like this build's settings
    (its title, `quizbook_edition`, ...) is named.
    """
    root = Path(app.srcdir)
    candidates: list[tuple[int, int, str]] = []
    for order, path in enumerate(sorted(root.glob("_config*.yml"))
                                 + sorted(root.glob("_config*.yaml"))):
        data = _load(path)
        entry = _entry(data, keys or ("sphinx", "config", key))
        if entry is None:
            continue
        setting, line, column = entry
        same = type(setting) is type(value) and setting == value
        candidates.append((int(same) * 1000 + _likeness(data, app), -order,
                           f"{path}:{line}:{column}"))
    if not candidates:
        return str(root / "_config.yml")
    return max(candidates)[2]


def report(app: Sphinx, key: str, value: Any, message: str) -> None:
    """Log `PATH:LINE:COL: ERROR: sphinx.config.KEY: message` (a `-W` build fails)."""
    refusals.refuse_book(app, f"sphinx.config.{key}: {message}",
                         config_location(app, key, value), "config")
