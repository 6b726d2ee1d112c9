"""The book's own `quizbook_*` settings, checked strictly and reported at their line.

Sphinx only warns when a config value has the wrong type and then uses it
anyway: `quizbook_allow_raw: 'false'` (a string) would be truthy and turn raw
HTML back on. These checks log an error that names the `_config.yml` line (a
`-W` build fails) and fall back to the safe value, so a wrong setting can never
loosen the book. They never raise: Jupyter Book prints a traceback for
exceptions from a build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from sphinx.application import Sphinx

from quizbook.sphinx import refusals


def _config_entry(path: Path, key: str) -> tuple[Any, int, int] | None:
    """(value, line, column) of `sphinx.config.<key>` in a Jupyter Book config file."""
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
        config = data["sphinx"]["config"]
        line, column = config.lc.key(key)
        return config[key], line + 1, column + 1
    except (OSError, UnicodeDecodeError, YAMLError, KeyError, TypeError, AttributeError):
        return None


def config_location(app: Sphinx, key: str, value: Any) -> str:
    """Where the book sets `key` to `value`: `PATH:LINE:COL`, or the likeliest file.

    Jupyter Book turns `_config.yml` (or the `--config` file) into Sphinx
    settings and does not say which file it read, so the book's config files
    are searched for the key holding that value.
    """
    root = Path(app.srcdir)
    found: list[str] = []
    for path in sorted(root.glob("_config*.yml")) + sorted(root.glob("_config*.yaml")):
        entry = _config_entry(path, key)
        if entry is None:
            continue
        setting, line, column = entry
        where = f"{path}:{line}:{column}"
        if type(setting) is type(value) and setting == value:
            return where
        found.append(where)
    return found[0] if found else str(root / "_config.yml")


def report(app: Sphinx, key: str, value: Any, message: str) -> None:
    """Log `PATH:LINE:COL: ERROR: sphinx.config.KEY: message` (a `-W` build fails)."""
    refusals.refuse_book(app, f"sphinx.config.{key}: {message}",
                         config_location(app, key, value), "config")


def strict_bool(app: Sphinx, key: str, safe: bool) -> bool:
    """The boolean setting `key`; anything but a real boolean is an error and gives `safe`.

    The setting must be registered with default None and no type, or Sphinx turns a
    string into a bool before this sees it. None (not set) gives `safe` silently.
    """
    value = getattr(app.config, key)
    if isinstance(value, bool):
        return value
    if value is None:
        setattr(app.config, key, safe)
        return safe
    shown = f"the string {value!r}" if isinstance(value, str) else f"{value!r}"
    report(app, key, value, f"must be true or false (a YAML boolean, unquoted), not {shown}; "
                            f"using {str(safe).lower()}")
    setattr(app.config, key, safe)
    return safe
