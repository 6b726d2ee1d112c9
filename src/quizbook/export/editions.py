"""Build the student and instructor editions with Jupyter Book 1 (never a global install).

Each build writes to its own folder under the export's work directory, so the
student book in `_build/html` is never touched and the instructor build's
`.doctrees` and `jupyter_execute` (which hold instructor text) never reach an
output that is handed out.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from sphinx_external_toc.api import SiteMap
from sphinx_external_toc.parsing import MalformedError, parse_toc_yaml

Edition = Literal["student", "instructor"]
Builder = Literal["html", "singlehtml"]
BUILD_TIMEOUT = 1800


class BuildError(Exception):
    """A book build failed; the message says which and shows the end of the log."""


@dataclass(frozen=True)
class Built:
    edition: Edition
    builder: Builder
    output: Path  # the HTML folder (`_build/html` or `_build/singlehtml`)
    log: Path
    seconds: float


def jupyter_book_command() -> list[str]:
    """The Jupyter Book of this Python environment (the venv's), never one on PATH."""
    script = Path(sys.executable).parent / "jupyter-book"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; "
            "sys.exit(main())"]


def config_file(book: Path, edition: Edition) -> Path:
    """The Jupyter Book configuration of an edition (`_config.yml`, `_config_instructor.yml`)."""
    if edition == "student":
        return book / "_config.yml"
    config = book / "_config_instructor.yml"
    if not config.is_file():
        raise BuildError(f"{config}: missing; the instructor edition needs it (a copy of "
                         "_config.yml with `quizbook_edition: instructor`)")
    return config


def toc_file(book: Path, edition: Edition) -> Path:
    """The table of contents of an edition: `_toc_instructor.yml` (when the book has one)
    for the instructor edition, `_toc.yml` otherwise."""
    instructor = book / "_toc_instructor.yml"
    if edition == "instructor" and instructor.is_file():
        return instructor
    return book / "_toc.yml"


def read_toc(book: Path, edition: Edition) -> SiteMap:
    """The edition's table of contents, read by sphinx-external-toc's own loader (the one
    the build uses)."""
    path = toc_file(book, edition)
    try:
        return parse_toc_yaml(path)
    except OSError as exc:
        raise BuildError(f"{path}: cannot read the table of contents ({exc.strerror})") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BuildError(f"{path}: not a readable YAML file: {exc}") from None
    except MalformedError as exc:
        raise BuildError(f"{path}: {exc}") from None


def edition_config(book: Path, edition: Edition) -> list[str]:
    """Extra arguments for an edition: the instructor config and table of contents."""
    if edition == "student":
        return []
    args = ["--config", str(config_file(book, edition))]
    toc = toc_file(book, edition)
    if toc.name != "_toc.yml":
        args += ["--toc", str(toc)]
    return args


def config_with_extensions(book: Path, edition: Edition, extensions: Sequence[str],
                           target: Path, settings: Mapping[str, Any] | None = None) -> Path:
    """Write the edition's configuration with `extensions` added (and the Sphinx `settings`
    set) to `target`: a copy the build reads instead of the book's own file, which is
    never changed.

    Read with PyYAML, as Jupyter Book reads it (YAML 1.1: `off` is false; of two equal
    keys the last wins), and written as JSON (which is YAML), so every value means the
    same to the build.
    """
    try:
        source = config_file(book, edition)
    except BuildError:
        if (settings or {}).get("quizbook_edition") != edition:
            raise
        source = book / "_config.yml"  # a book without an instructor config: set below
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BuildError(f"{source}: cannot read the book configuration ({exc})") from None
    if not isinstance(data, dict):
        raise BuildError(f"{source}: the book configuration is not a mapping")
    sphinx = data.setdefault("sphinx", {})
    listed = (sphinx.get("config") or {}).get("extensions")
    if isinstance(listed, list):
        listed.extend(e for e in extensions if e not in listed)
    else:
        extra = sphinx.setdefault("extra_extensions", [])
        extra.extend(e for e in extensions if e not in extra)
    if settings:
        config = sphinx.get("config")
        if not isinstance(config, dict):
            config = sphinx["config"] = {}
        config.update(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n",
                      encoding="utf-8")
    return target


def build_command(book: Path, edition: Edition, builder: Builder, out: Path,
                  strict: bool = True, config: Path | None = None) -> list[str]:
    """The build command; `config` replaces the edition's configuration file."""
    cmd = [*jupyter_book_command(), "build", str(book), "--path-output", str(out),
           "--builder", builder, "--all"]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    if config is None:
        return cmd + edition_config(book, edition)
    cmd += ["--config", str(config)]
    toc = toc_file(book, edition)
    return cmd + (["--toc", str(toc)] if toc.name != "_toc.yml" else [])


def build_edition(book: Path, edition: Edition, builder: Builder, work: Path,
                  strict: bool = True, extensions: Sequence[str] = (),
                  settings: Mapping[str, Any] | None = None) -> Built:
    """Build one edition with one builder into `work/<edition>-<builder>/`.

    `extensions` are added to the Sphinx extensions, and `settings` to the Sphinx
    configuration, of this build only.
    """
    out = work / f"{edition}-{builder}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    log = work / f"build-{edition}-{builder}.log"
    config = (config_with_extensions(book, edition, extensions, out / "_config.yml", settings)
              if extensions or settings else None)
    cmd = build_command(book, edition, builder, out, strict, config)
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                              cwd=book)
    except subprocess.TimeoutExpired:
        raise BuildError(f"the {edition} edition ({builder}) did not finish in "
                         f"{BUILD_TIMEOUT} s") from None
    except OSError as exc:
        raise BuildError(f"cannot run Jupyter Book ({cmd[0]}): {exc.strerror}; install the "
                         "project with `make install`") from None
    log.write_text(f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}", encoding="utf-8")
    html = out / "_build" / builder
    if proc.returncode != 0 or not html.is_dir():
        problems = [line for line in (proc.stdout + proc.stderr).splitlines()
                    if "WARNING" in line or "ERROR" in line or "Error" in line]
        shown = "\n".join(problems[-20:]) or "\n".join(proc.stderr.splitlines()[-20:])
        raise BuildError(f"the {edition} edition ({builder}) failed to build; full log in "
                         f"{log}\n{_plain(shown)}")
    return Built(edition, builder, html, log, time.perf_counter() - start)


def _plain(text: str) -> str:
    """Build output without terminal colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


#: Build byproducts that must never be handed out (they hold instructor text or sources).
NEVER_PUBLISH = {".doctrees", "jupyter_execute", ".jupyter_cache", "_sources", ".buildinfo"}


def copy_site(html: Path, dest: Path) -> None:
    """Copy a built HTML folder, leaving out build byproducts."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(html, dest, ignore=shutil.ignore_patterns(*NEVER_PUBLISH))


def main_page(singlehtml: Path, book: Path, edition: Edition = "student") -> Path:
    """The single page of a `singlehtml` build (index.html only redirects to it): the root
    document of the edition's table of contents."""
    page = singlehtml / f"{read_toc(book, edition).root.docname}.html"
    if page.is_file():
        return page
    raise BuildError(f"{singlehtml}: the single-page build has no {page.name} (the root of "
                     f"{toc_file(book, edition).name})")
