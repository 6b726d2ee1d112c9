"""A Jupyter Book built in the test process: the same Sphinx configuration as `jupyter-book
build`, without the subprocess (and its few seconds of imports) per build.

`jupyter-book build BOOK -W -n --keep-going` turns `_config.yml` into Sphinx settings with
`jupyter_book.config.get_final_config` and runs Sphinx with them as overrides and no
`conf.py` (jupyter_book.sphinx.build_sphinx). `build` does the same through
`sphinx.testing.util.SphinxTestApp`, which needs a `conf.py` in the source folder: it writes
one holding only `source_suffix` (`CONF_PY`, and why), so build in a copy of a book
(`copy_book`), never in tests/books itself.

What stays a `jupyter-book` subprocess is what the command line itself does: its exit
status and log (tests/test_sphinx_build.py keeps one such test, tests/test_raw_disabled.py
another), and the session builds of tests/conftest.py that other tests share.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_book.config import get_final_config
from jupyter_book.pdf import update_latex_documents
from sphinx.testing.util import SphinxTestApp

#: The whole conf.py of an in-process build. Jupyter Book's own build has no conf.py, so
#: Sphinx starts from its default `source_suffix`, one dict object shared by every build in
#: the process; myst_nb (and myst_parser) add ".md" to that dict. In a pytest process that
#: makes later in-process builds read ".md" with a parser they may not have loaded ("Source
#: parser for markdown not registered"). A fresh dict per build, the same value Sphinx's
#: default starts with, keeps each build to its own extensions
#: (test_an_inprocess_build_leaves_the_default_source_suffix_alone checks it).
CONF_PY = """\
# Written by tests/inprocess.py: every other setting comes from _config.yml.
source_suffix = {".rst": "restructuredtext"}
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Built:
    """An in-process build: its output folder, its exit status, its log."""

    out: Path  # the builder's output folder (`_build/html` as the CLI writes it)
    status: int  # what `jupyter-book build` would exit with
    warnings: str  # the warning stream: `PATH:LINE: WARNING: ...` / `ERROR: ...` lines
    log: str  # the status stream ("reading sources...")
    read: set[str] = field(default_factory=set)  # the pages Sphinx read (not from the env)

    @property
    def problems(self) -> list[str]:
        """The warning and error lines of the log, as the CLI prints them."""
        return [line for line in _ANSI.sub("", self.warnings).splitlines()
                if ": WARNING: " in line or ": ERROR: " in line]

    def page(self, name: str) -> str:
        return (self.out / f"{name}.html").read_text(encoding="utf-8")


def copy_book(source: Path, dest: Path) -> Path:
    """A copy of the book at `source` in `dest`, ready for `build` (and for editing)."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("_build"))
    return dest


def build(book: Path, *, config: Path | None = None, toc: Path | None = None,
          builder: str = "html", strict: bool = True, out: Path | None = None,
          freshenv: bool = True, overrides: dict[str, Any] | None = None,
          before_build: Callable[[SphinxTestApp], None] | None = None) -> Built:
    """Build `book` (a copy: see the module docstring) as
    `jupyter-book build BOOK [--config CONFIG] [--toc TOC] -n --keep-going [-W]`
    with `builder` ("html", "text", "latex"), into `out` (default `BOOK/_build`).

    `strict` is `-W`: any warning makes the status 1, after every warning is reported.
    """
    config = config or book / "_config.yml"
    toc = toc or book / "_toc.yml"
    sphinx_config, meta = get_final_config(
        user_yaml=config if config.exists() else None,
        cli_config={"external_toc_path": toc.as_posix(), "latex_individualpages": False,
                    "nitpicky": True, **(overrides or {})},
        sourcedir=book, use_external_toc=True)
    (book / "conf.py").write_text(CONF_PY, encoding="utf-8")
    out = out or book / "_build"
    status, warnings = io.StringIO(), io.StringIO()
    app = SphinxTestApp(builder, srcdir=book, builddir=out, freshenv=freshenv,
                        confoverrides=sphinx_config, status=status, warning=warnings,
                        warningiserror=strict, keep_going=True)
    read: set[str] = set()
    try:
        # As jupyter_book.sphinx.build_sphinx: the book's title on the LaTeX document.
        app.config.latex_documents = update_latex_documents(
            app.config.latex_documents, meta["latex_doc_overrides"])
        app.connect("env-before-read-docs",
                    lambda _app, _env, docnames: read.update(docnames))
        if before_build:
            before_build(app)
        app.build()
    finally:
        app.cleanup()
    return Built(Path(app.outdir), app.statuscode, warnings.getvalue(), status.getvalue(), read)
