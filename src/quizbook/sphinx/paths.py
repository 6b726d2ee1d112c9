"""Directives and references that read or publish files stay inside the book.

`{include}`, `{literalinclude}`, `{csv-table}` with `:file:` and `{raw}` with
`:file:` read a file into the page; `{image}`, `{figure}`, Markdown images,
`{download}` and Markdown links to local files copy a file into the published
site. Each path is checked before anything is read or copied: it must resolve
(symbolic links followed) inside the book's root folder, outside the build
output, with no hidden folder on the way (`.git`), and be a regular file. A
path outside is an error naming the page and line, unless `_config.yml` lists it:

    sphinx:
      config:
        quizbook_allowed_paths: [../README.md, ../shared/figures/]

Entries are relative to the book root; an entry that is a folder allows every
file inside it. `{csv-table}` and `{raw}` with `:url:` (a download at build
time) are always refused.

As a backstop for directives that read files on their own (third-party ones,
`{quiz}`, `{timeline}`), every file a page recorded as a dependency is checked
once the page is read; a page that read a file it may not is replaced by the
error, so the file's content never reaches the site.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from docutils.parsers.rst.directives.misc import Include as DocutilsInclude
from docutils.parsers.rst.directives.misc import Raw
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include as SphinxInclude
from sphinx.directives.patches import CSVTable
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from quizbook.sphinx import refusals
from quizbook.sphinx.where import where

CONFIG = "quizbook_allowed_paths"


@dataclass(frozen=True)
class Bounds:
    """Where a book may read files from."""

    root: Path
    build: tuple[Path, ...]
    allowed: tuple[Path, ...]
    generated: tuple[Path, ...]

    def refusal(self, path: Path) -> str | None:
        """Why the book may not read `path`, or None if it may."""
        real = Path(os.path.realpath(path))
        if _inside(real, self.allowed) or _inside(real, self.generated):
            return _not_regular(real)
        if not _inside(real, (self.root,)):
            return "leaves the book's folder"
        if _inside(real, self.build):
            return "is in the build output"
        hidden = [part for part in real.relative_to(self.root).parts if part.startswith(".")]
        if hidden:
            return f"is inside a hidden folder or file ({hidden[0]})"
        return _not_regular(real)


def _inside(path: Path, folders: Iterable[Path]) -> bool:
    return any(path == folder or path.is_relative_to(folder) for folder in folders)


def _not_regular(path: Path) -> str | None:
    """Special files (FIFOs, devices) hang or never end; a missing file is the reader's error."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop"
        return f"cannot be read ({exc.strerror})"
    return None if stat.S_ISREG(mode) else "is not a regular file"


def bounds(app: Sphinx) -> Bounds:
    root = Path(os.path.realpath(app.srcdir))
    build_dirs = {root / "_build", Path(app.outdir).parent, Path(app.doctreedir)}
    allowed = tuple(Path(os.path.realpath(root / entry)) for entry in app.config[CONFIG])
    generated = tuple(Path(os.path.realpath(folder)) for folder in generated_folders(app))
    return Bounds(root, tuple(Path(os.path.realpath(d)) for d in build_dirs), allowed,
                  generated)


def generated_folders(app: Sphinx) -> list[Path]:
    """Files this build writes and then links: myst-nb's cell outputs (images) and the
    lesson notebooks of this build's edition (`quizbook.notebooks.sphinx`). Another
    edition's notebooks, in the same build folder, stay refused."""
    edition = str(app.config["quizbook_edition"]) if "quizbook_edition" in app.config \
        else "student"
    return [Path(app.outdir).parent / "jupyter_execute",
            Path(app.doctreedir).parent / "quizbook-notebooks" / edition]


def refusal_message(what: str, shown: str, reason: str) -> str:
    return (f"{what}: {shown!r} {reason}; a book may only use files inside its own folder "
            f"(list the path in `{CONFIG}` in _config.yml to allow it)")


# -- directives that read a file --------------------------------------------------------


def _env(directive: Directive) -> BuildEnvironment:
    env: BuildEnvironment = directive.state.document.settings.env
    return env


def _check(directive: Directive, shown: str, path: Path, what: str) -> None:
    reason = bounds(_env(directive).app).refusal(path)
    if reason is not None:
        refusals.note(_env(directive))
        raise directive.error(refusal_message(what, shown, reason))


def _from_source_dir(directive: Directive, filename: str) -> Path:
    """A path as docutils resolves `:file:` options: relative to the file being parsed."""
    env = _env(directive)
    if filename.startswith(("/", os.sep)):
        return Path(env.srcdir, filename.lstrip("/" + os.sep))
    source = directive.state.document.current_source or env.doc2path(env.docname)
    return Path(os.path.dirname(os.path.abspath(source)), filename)


def _no_url(directive: Directive) -> None:
    if "url" in directive.options:
        refusals.note(_env(directive))
        raise directive.error(
            f"{directive.name}: :url: downloads a file from another host at build time; "
            "copy the file into the book and use :file: instead")


class GuardedInclude(SphinxDirective):
    """`{include}` whose path is checked first; then MyST's or Sphinx's own include runs.

    Not a subclass of docutils' Include on purpose: MyST replaces any Include
    subclass by its own reader before the directive's code runs.
    """

    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        **DocutilsInclude.option_spec,
        # MyST's Markdown-only options (myst_parser adds them to Include subclasses).
        "relative-images": directives.flag,
        "relative-docs": directives.path,
        "heading-offset": directives.nonnegative_int,
    }

    def run(self) -> Sequence[nodes.Node]:
        argument = "".join(line.strip() for line in self.arguments[0].splitlines())
        if argument.startswith("<") and argument.endswith(">"):
            # docutils' standard includes (`<isonum.txt>`): its own data folder only.
            standard = Path(os.path.realpath(DocutilsInclude.standard_include_path))
            target = Path(os.path.realpath(standard / argument[1:-1]))
            if not _inside(target, (standard,)):
                refusals.note(self.env)
                raise self.error(f"{self.name}: {argument!r} leaves docutils' standard "
                                 "include folder (name one of its files, e.g. <isonum.txt>)")
        else:
            _check(self, argument, Path(self.env.relfn2path(argument)[1]), self.name)
        return self._delegate()

    def _delegate(self) -> Sequence[nodes.Node]:
        from myst_parser.mocking import MockIncludeDirective, MockState

        if isinstance(self.state, MockState):
            include = MockIncludeDirective(
                self.state._renderer, name=self.name, klass=SphinxInclude,
                arguments=self.arguments, options=self.options, body=list(self.content),
                lineno=self.lineno)
            return include.run()
        return SphinxInclude(self.name, self.arguments, self.options, self.content,
                             self.lineno, self.content_offset, self.block_text, self.state,
                             self.state_machine).run()


class GuardedLiteralInclude(LiteralInclude):
    def run(self) -> list[nodes.Node]:
        for shown in (self.arguments[0], self.options.get("diff")):
            if shown:
                _check(self, shown, Path(self.env.relfn2path(shown)[1]), self.name)
        return super().run()


class GuardedCSVTable(CSVTable):
    def run(self) -> list[nodes.Node]:
        _no_url(self)
        if "file" in self.options:
            shown = self.options["file"]
            _check(self, shown, _from_source_dir(self, shown), f"{self.name} :file:")
        result: list[nodes.Node] = super().run()
        return result


class GuardedRaw(Raw):  # type: ignore[misc]
    """`{raw}` (only when a book opts in with `quizbook_allow_raw`) reads no outside file."""

    def run(self) -> list[nodes.Node]:
        if self.state.document.settings.raw_enabled:
            _no_url(self)
            if "file" in self.options:
                shown = self.options["file"]
                _check(self, shown, _from_source_dir(self, shown), f"{self.name} :file:")
        result: list[nodes.Node] = super().run()
        return result


# -- references that publish a file (images, downloads) ---------------------------------


def _is_local(uri: str) -> bool:
    return "://" not in uri and not uri.startswith(("data:", "//"))


def _unwrap(node: nodes.Element) -> None:
    """Replace a reference by its text: the words stay, the file is not published."""
    node.replace_self(nodes.inline("", "", *node.children) if node.children else [])


def check_published_files(app: Sphinx, doctree: nodes.document) -> None:
    """Images and downloads that would copy a file from outside the book: error + removed."""
    limits = bounds(app)
    docname = app.env.docname
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("uri", "")
        if not _is_local(uri):
            continue  # other hosts and data: URIs are links.py's
        path = Path(app.env.relfn2path(uri.split("*")[0] or ".", docname)[1])
        reason = limits.refusal(path)
        if reason is not None:
            refusals.refuse(app, refusal_message("image", uri, reason),
                            where(image, docname), "path")
            image.replace_self(nodes.inline("", image.get("alt", "")))
    for download in list(doctree.findall(addnodes.download_reference)):
        target = download.get("reftarget", "")
        if not _is_local(target):
            continue
        path = Path(app.env.relfn2path(target, docname)[1])
        reason = limits.refusal(path)
        if reason is not None:
            refusals.refuse(app, refusal_message("download", target, reason),
                            where(download, docname), "path")
            _unwrap(download)


def _dependencies(app: Sphinx, doctree: nodes.document) -> list[str]:
    recorded = list(getattr(doctree.settings.record_dependencies, "list", []))
    noted = sorted(app.env.dependencies.get(app.env.docname, ()))
    return [os.fspath(path) for path in recorded + noted]


def check_dependencies(app: Sphinx, doctree: nodes.document) -> None:
    """Backstop: a page that read a file it may not is replaced by the error."""
    limits = bounds(app)
    problems = []
    for dependency in _dependencies(app, doctree):
        path = Path(app.srcdir, dependency)  # absolute paths stay absolute
        reason = limits.refusal(path)
        if reason is not None and reason != "is not a regular file":
            problems.append(refusal_message("this page read a file", dependency, reason))
    if not problems:
        return
    for problem in dict.fromkeys(problems):
        refusals.refuse(app, problem, (app.env.docname, 1), "path")
    _replace_page(doctree, "This page was refused when the book was built: "
                  + "; ".join(dict.fromkeys(problems)))


def _replace_page(doctree: nodes.document, message: str) -> None:
    """Only the page's title (so the navigation still works) and the refusal remain."""
    first = next(iter(doctree.findall(nodes.section)), None)
    title = first[0] if first is not None and first.children and \
        isinstance(first[0], nodes.title) else None
    section = nodes.section("", ids=first["ids"] if first is not None else [],
                            names=first["names"] if first is not None else [])
    if title is not None:
        section += title.deepcopy()
    section += nodes.paragraph("", message, classes=["qb-refused"])
    doctree.children = []
    doctree += section


def setup(app: Sphinx) -> None:
    # `quizbook_allowed_paths` is validated by quizbook.sphinx.settings (a list of paths).
    app.add_directive("include", GuardedInclude, override=True)
    app.add_directive("literalinclude", GuardedLiteralInclude, override=True)
    app.add_directive("csv-table", GuardedCSVTable, override=True)
    app.add_directive("raw", GuardedRaw, override=True)
    # Before Sphinx's image and download collectors (priority 500) copy anything.
    app.connect("doctree-read", check_published_files, priority=300)
    app.connect("doctree-read", check_dependencies, priority=310)
