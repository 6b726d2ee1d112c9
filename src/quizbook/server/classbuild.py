"""The class build: the student edition whose quizzes carry key-free bundles.

`build_class_edition(book)` runs Jupyter Book on the book with a generated config
(the book's `_config.yml` plus this module as a Sphinx extension) into
`BOOK/_build/class/`; the server serves `BOOK/_build/class/_build/html`.

As a Sphinx extension (`quizbook.server.classbuild`), this module:
- swaps each quiz's bundle for its key-free form just before the page is written
  (`doctree-resolved`: the cached doctrees keep theirs, nothing else changes), and
  tells the runtime where the grading API is, relative to the page;
- turns the lesson notebook downloads off (a notebook grades offline, so it
  carries the key);
- refuses the instructor edition.
The server scans the result for key material before serving it (`keyscan`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizbook.server.keyfree import KeyfreeError, keyfree_bundle

#: Under the book: the class build's own work folder (its doctrees never mix with the
#: student edition's) and the HTML the server serves.
CLASS_DIR = Path("_build") / "class"
HTML_DIR = CLASS_DIR / "_build" / "html"
EXTENSION = "quizbook.server.classbuild"
BUILD_TIMEOUT = 1800


class ClassBuildError(Exception):
    """The class build failed; the message says why and where the log is."""


@dataclass(frozen=True)
class ClassBuild:
    html: Path
    log: Path


def html_dir(book: Path) -> Path:
    return book / HTML_DIR


def api_path(docname: str) -> str:
    """The server's API folder relative to a page: pages live under /book/, the API at /api/."""
    return "../" * (docname.count("/") + 1) + "api/"


# --- Sphinx extension -----------------------------------------------------------------


def _config_inited(app: Any, config: Any) -> None:
    from sphinx.errors import ExtensionError

    if getattr(config, "quizbook_edition", "student") != "student":
        raise ExtensionError("the class build is the student edition: the instructor "
                             "edition shows the answer key on every page")
    if hasattr(config, "quizbook_notebook_links"):
        config.quizbook_notebook_links = False


def _swap_bundles(app: Any, doctree: Any, docname: str) -> None:
    from docutils import nodes
    from sphinx.errors import ExtensionError

    for node in doctree.findall(nodes.Element):
        bundle = node.attributes.get("bundle")
        if isinstance(bundle, dict) and "questions" in bundle:
            try:
                node["bundle"] = keyfree_bundle(bundle, api_path(docname))
            except KeyfreeError as exc:
                raise ExtensionError(f"{docname}: {exc}") from None


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("doctree-resolved", _swap_bundles)
    return {"version": "0.1.0", "parallel_read_safe": True, "parallel_write_safe": True}


# --- the build ------------------------------------------------------------------------


def class_config(book: Path) -> dict[str, Any]:
    """The book's `_config.yml` with the class build switched on."""
    from ruamel.yaml import YAML

    source = book / "_config.yml"
    try:
        loaded = YAML(typ="safe").load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ClassBuildError(f"{source}: cannot read the book's config ({exc.strerror})") \
            from None
    config: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    sphinx = config.setdefault("sphinx", {})
    settings = sphinx.setdefault("config", {})
    extensions = settings.get("extensions")
    if isinstance(extensions, list):
        if EXTENSION not in extensions:
            extensions.append(EXTENSION)
    else:
        extra = sphinx.setdefault("extra_extensions", [])
        extra.append(EXTENSION)
    settings["quizbook_edition"] = "student"
    return config


def build_class_edition(book: Path, *, strict: bool = True) -> ClassBuild:
    """Build the class edition into BOOK/_build/class (cleanly: stale pages never linger)."""
    from ruamel.yaml import YAML

    from quizbook.export.editions import jupyter_book_command

    book = book.resolve()
    work = book / CLASS_DIR
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    config_file = work / "_config_class.yml"
    with config_file.open("w", encoding="utf-8") as handle:
        YAML(typ="safe").dump(class_config(book), handle)
    log = work / "build.log"
    cmd = [*jupyter_book_command(), "build", str(book), "--path-output", str(work),
           "--config", str(config_file), "--all"]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                              cwd=book)
    except subprocess.TimeoutExpired:
        raise ClassBuildError(f"the class build did not finish in {BUILD_TIMEOUT} s") from None
    log.write_text(f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}", encoding="utf-8")
    html = book / HTML_DIR
    if proc.returncode != 0 or not (html / "index.html").is_file():
        lines = [line for line in (proc.stdout + proc.stderr).splitlines()
                 if "WARNING" in line or "ERROR" in line or "Error" in line]
        shown = "\n".join(lines[-15:]) or "\n".join(proc.stderr.splitlines()[-15:])
        shown = re.sub(r"\x1b\[[0-9;]*m", "", shown)
        raise ClassBuildError(f"the class build failed; full log in {log}\n{shown}")
    return ClassBuild(html, log)
