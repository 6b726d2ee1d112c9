"""A book's quizbook settings: one validated object with a name, type, default and help each.

Every setting is a Sphinx config value `quizbook_<name>`, set under `sphinx: config:` in
a Jupyter Book's `_config.yml`. `Settings` (pydantic, strict) is the one definition:

- the Sphinx extension registers every field and validates the book's values when the
  configuration is read (`quizbook.sphinx.settings`, at `config-inited`): a wrong value
  is an error naming the `_config.yml` line and key, and the default is used instead;
- the `quizbook` command reads the same values from `_config.yml` (`read_settings`) and
  reports the same problems as `PATH:LINE:COL: sphinx.config.quizbook_<name>: message`;
- docs/configuration.md holds `settings_table()` (a test keeps them equal).

Types are strict, as in quiz files: `'false'` (a string) is not a boolean and `"2"` is
not a number. The engine holds no course policy: a course's folder names, paragraph
numbering and the like are settings with neutral defaults.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from quizbook import files
from quizbook.load import Problem
from quizbook.yamlsafe import TooDeep, new_yaml

#: Every setting is the Sphinx config value PREFIX + its field name.
PREFIX = "quizbook_"
#: A book folder: relative, `/`-separated, no `..`, nothing hidden.
FOLDER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
#: A paragraph-label prefix: the start of a `{para}` label (labels are `[a-z0-9-]+`).
PARA_PREFIX = re.compile(r"^[a-z0-9-]+$")
MAX_CONFIG_BYTES = 1_000_000


def _setting(default: Any, type_: str, help_: str, *, rebuild: str = "env",
             example: str = "") -> Any:
    """A field with what the docs table shows (`type_`), an example value for messages and
    what a change rebuilds in Sphinx (`rebuild`: "env" re-reads every page, "" nothing)."""
    return Field(default, description=help_,
                 json_schema_extra={"shown_type": type_, "rebuild": rebuild,
                                    "example": example})


class Settings(BaseModel):
    """The `quizbook_*` settings of a book, each with its default."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    edition: Literal["student", "instructor"] = _setting(
        "student", "`student` or `instructor`",
        "The edition this build makes. `instructor` shows `{instructor}` blocks, `{only} "
        "instructor` content and an answer key after every quiz; it is also a Sphinx tag.")
    lessons_dir: str = _setting(
        "lessons", "folder",
        "The folder of the lesson pages, relative to the book. A quiz's `lesson` names a page "
        "in it, `quizbook check` requires a quiz for each page in it, and each page directly "
        "in it gets a notebook.")
    quizzes_dir: str = _setting(
        "quizzes", "folder",
        "The folder of the quiz files (`*.yml`), relative to the book; `quizbook check`, "
        "`lint` and `export` read every quiz in it.")
    para_prefixes: list[str] = _setting(
        ["p"], "list of text",
        "How `{para}` labels are numbered: a label made of one of these prefixes and numbers "
        "joined by `-` is shown as the numbers joined by dots (`p46-1-2` → ¶ 46.1.2; the "
        "longest matching prefix wins, so `[p0-, p]` shows `p0-3` as ¶ 3). Any other label "
        "is shown as written.", example="[p0-, p]")
    notebook_links: bool = _setting(
        True, "bool",
        "Write each lesson page's notebook (a zip with `quizbook_widget.py`) and link it "
        "under the page title (needs `quizbook.notebooks.sphinx` in the extensions).")
    allow_raw: bool = _setting(
        False, "bool",
        "Allow raw HTML in pages: the `{raw}` directive, notebook outputs that are HTML or "
        "JavaScript, and markup in the theme options printed as HTML.")
    allowed_paths: list[str] = _setting(
        [], "list of paths",
        "Files outside the book's folder that pages may include or publish (relative to "
        "the book; a folder allows every file in it), e.g. `[../README.md]`.",
        example="[../README.md]")
    mathjax: str = _setting(
        "", "path",
        "A local MathJax 3 copy, relative to the book: the folder of the npm package "
        "(`node_modules/mathjax` after `npm install mathjax@3`). Pages with math then load "
        "MathJax from the book's own `_mathjax/` folder. Empty: no script loads MathJax "
        "from another host; math shows as its TeX source unless `mathjax_path` names a "
        "local copy.")
    index_redirect: bool = _setting(
        True, "bool",
        "When the root page is not `index`, replace the one-line `index.html` redirect of "
        "sphinx-external-toc by a complete page (title, language, no favicon request). A "
        "book's own `index.html` is never replaced.")
    hand_in: str = _setting(
        "", "text",
        "The hand-in line shown beside every results download (book and notebooks): one line "
        "of inline Markdown, at most 300 characters, e.g. where and when students hand their "
        "results file in. Empty: \"Hand this file in the way your instructor asks.\"",
        example="\"Upload it to the Moodle assignment 'Quiz 46' by Friday.\"")
    export_jobs: int = _setting(
        0, "int", "How many book builds `quizbook export` runs at a time; 0 means one per "
        "CPU core. `quizbook export --jobs N` overrides it.", rebuild="")

    @field_validator("lessons_dir", "quizzes_dir")
    @classmethod
    def _folder(cls, value: str) -> str:
        folder = value.strip().rstrip("/")
        if not FOLDER.match(folder) or ".." in folder.split("/"):
            raise ValueError(f"must be a folder inside the book, such as 'lessons' (letters, "
                             f"digits, '_', '-', '.', joined by '/'), not {value!r}")
        return folder

    @field_validator("para_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        for prefix in value:
            if not PARA_PREFIX.match(prefix):
                raise ValueError(f"each prefix is the start of a {{para}} label (a-z, 0-9 and "
                                 f"'-'), such as 'p'; not {prefix!r}")
        return value

    @field_validator("allowed_paths")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        if any(not v.strip() or "\0" in v for v in value):
            raise ValueError("must be a list of paths relative to the book's folder, e.g. "
                             "[../README.md]")
        return [v.strip() for v in value]

    @field_validator("hand_in")
    @classmethod
    def _hand_in(cls, value: str) -> str:
        from quizbook import handin  # imports quizbook.markup, which the core need not load

        why = handin.problem(value)
        if why:
            raise ValueError(why)
        return value

    @field_validator("mathjax")
    @classmethod
    def _mathjax(cls, value: str) -> str:
        if "\0" in value or "://" in value or value.strip().startswith("//"):
            raise ValueError("must be a folder on this machine (a local MathJax copy), "
                             f"never a URL; not {value!r}")
        return value.strip()

    @field_validator("export_jobs")
    @classmethod
    def _jobs(cls, value: int) -> int:
        if not 0 <= value <= 64:
            raise ValueError(f"must be 0 (one per CPU core) to 64, not {value}")
        return value


FIELDS = Settings.model_fields


def names() -> list[str]:
    """The Sphinx config names of every setting (`quizbook_edition`, ...)."""
    return [PREFIX + name for name in FIELDS]


def _extra(name: str, key: str) -> str:
    extra = FIELDS[name].json_schema_extra
    return str(extra.get(key, "")) if isinstance(extra, dict) else ""


def rebuild(name: str) -> str:
    """What a change of the setting makes Sphinx rebuild ("env": every page; "": nothing)."""
    return _extra(name, "rebuild")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, list):
        return "`[" + ", ".join(value) + "]`"
    return f"`{value}`"


def settings_table() -> str:
    """The Markdown table of every setting (docs/configuration.md)."""
    rows = ["| setting | type | default | what it does |", "|---|---|---|---|"]
    for name, info in FIELDS.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        rows.append(f"| `{PREFIX}{name}` | {extra.get('shown_type', '')} | "
                    f"{_shown(info.default)} | {info.description} |")
    return "\n".join(rows) + "\n"


@dataclass(frozen=True)
class SettingError:
    """A refused setting: its Sphinx name, the value given and why (with the value used)."""

    name: str
    value: Any
    message: str


def validate(values: Mapping[str, Any]) -> tuple[Settings, list[SettingError]]:
    """Validate `quizbook_*` values (Sphinx names; None or absent means "not set").

    Returns the settings, every refused value replaced by its default, and every
    problem at once; never raises.
    """
    given: dict[str, Any] = {}
    errors: list[SettingError] = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.removeprefix(PREFIX)
        if not key.startswith(PREFIX) or name not in FIELDS:
            close = difflib.get_close_matches(key, names(), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            errors.append(SettingError(key, value, f"unknown quizbook setting{hint}; the "
                                                   "settings are listed in "
                                                   "docs/configuration.md"))
            continue
        given[name] = value
    try:
        return Settings.model_validate(given), errors
    except ValidationError as exc:
        refused: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0])
            refused.setdefault(name, _message(name, error, given.get(name)))
    for name, message in refused.items():
        default = FIELDS[name].default
        errors.append(SettingError(PREFIX + name, given[name],
                                   f"{message}; using {_plain(default)}"))
    kept = {name: value for name, value in given.items() if name not in refused}
    return Settings.model_validate(kept), errors


def _plain(value: Any) -> str:
    return _shown(value).strip("`")


def _given(value: Any) -> str:
    return f"the string {value!r}" if isinstance(value, str) else repr(value)


def _message(name: str, error: Any, value: Any) -> str:
    kind: str = error["type"]
    if kind == "bool_type":
        return f"must be true or false (a YAML boolean, unquoted), not {_given(value)}"
    if kind == "literal_error":
        return f"must be one of {error['ctx']['expected']}, not {_given(value)}"
    if kind == "int_type":
        return f"must be a whole number, not {_given(value)}"
    if kind == "list_type":
        return f"must be a {_extra(name, 'shown_type')}, e.g. {_extra(name, 'example')}, " \
               f"not {_given(value)}"
    if kind == "string_type":
        where = f" (entry {error['loc'][1] + 1})" if len(error["loc"]) > 1 else ""
        return f"must be text{where}, not {error.get('input')!r}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


# -- the book's _config.yml, for the command line -----------------------------------------


def read_settings(root: Path, config: str = "_config.yml") -> tuple[Settings, list[Problem]]:
    """The settings in a book's `_config.yml` (`sphinx: config: quizbook_*`), read as
    Jupyter Book reads the file (PyYAML), and the problems (`PATH:LINE:COL`) of every
    refused value. A missing or unreadable file gives the defaults and a problem."""
    path = Path(root) / config
    shown = str(path)
    try:
        text = files.read_text(path, limit=MAX_CONFIG_BYTES, what="book configuration")
        data = yaml.safe_load(text)
    except files.UnreadableFile as exc:
        return Settings(), [Problem(shown, exc.line, exc.col, "", exc.message)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return Settings(), [Problem(shown, line, col, "", f"not valid YAML: {exc}")]
    except RecursionError:
        return Settings(), [Problem(shown, 1, 1, "", "the YAML is nested too deeply")]
    section = _section(data)
    if section is None:
        return Settings(), []
    settings, errors = validate({k: v for k, v in section.items()
                                 if isinstance(k, str) and k.startswith(PREFIX)})
    # Placing the problems means a second, slower parse (ruamel's marks): only when there are any.
    positions = _positions(text) if errors else {}
    problems = [Problem(shown, *positions.get(e.name, (1, 1)), f"sphinx.config.{e.name}",
                        e.message) for e in errors]
    return settings, problems


def _section(data: Any) -> dict[Any, Any] | None:
    sphinx = data.get("sphinx") if isinstance(data, dict) else None
    config = sphinx.get("config") if isinstance(sphinx, dict) else None
    return config if isinstance(config, dict) else None


def _positions(text: str) -> dict[str, tuple[int, int]]:
    """Line and column of each key under `sphinx: config:` (best effort: ruamel's marks)."""
    try:
        data = new_yaml().load(text)
    except (YAMLError, TooDeep, RecursionError):
        return {}
    section = _section(data)
    if not isinstance(section, CommentedMap):
        return {}
    found = {}
    for key in section:
        line, col = section.lc.key(key)
        found[str(key)] = (line + 1, col + 1)
    return found
