"""Math without another host: MathJax from the book's own copy, or the TeX source as it is.

Sphinx loads MathJax from a CDN by default, on every page with math. A quizbook page
loads nothing from another host, so:

- with `quizbook_mathjax` set (the folder of the npm package `mathjax@3`), the parts of
  MathJax a page needs (the TeX-to-SVG component, its lazily loaded TeX extensions, the
  menu and accessibility modules, the licence) are copied into the HTML output's own
  `_mathjax/` folder, once the book has any math, and pages with math load it from there.
  SVG output needs no font files, so it renders from `file://` too. The folder is not
  `_static/`: Jupyter Book adds every script in `_static/` to every page.
- without it, a `mathjax_path` on this machine (a relative path) is the book's own copy
  and stays; a remote one is never loaded: math is written as its TeX source
  (`\\(x^2\\)`), by Sphinx's MathJax markup without the script.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.ext import mathjax as sphinx_mathjax

from quizbook.sphinx import book_config

#: Where the copy goes in the HTML output (beside `_static/`, never inside it).
FOLDER = "_mathjax"
#: The component pages load, and what it loads later (paths inside the npm package).
COMPONENT = "es5/tex-svg.js"
PARTS = (COMPONENT, "es5/input/tex/extensions", "es5/ui", "es5/a11y", "LICENSE")
#: Sphinx's MathJax markup under another name: the page gets no script.
TEX_SOURCE = "quizbook-tex-source"


def _remote(path: str) -> bool:
    return "://" in path or path.lstrip().startswith("//")


def package_folder(app: Sphinx) -> Path | None:
    """The MathJax package the book names (`quizbook_mathjax`), or None."""
    local: str = app.config.quizbook_mathjax
    return (Path(app.srcdir) / local).resolve() if local else None


def _choose(app: Sphinx, config: Config) -> None:
    folder = package_folder(app)
    if folder is not None:
        if (folder / COMPONENT).is_file():
            # Relative to `_static/`, as Sphinx reads mathjax_path.
            config.mathjax_path = f"../{FOLDER}/{Path(COMPONENT).name}"
            if config.html_math_renderer is None:
                config.html_math_renderer = "mathjax"
            return
        book_config.report(app, "quizbook_mathjax", config.quizbook_mathjax,
                           f"{folder} holds no MathJax 3 ({COMPONENT} is missing): install it "
                           "with `npm install mathjax@3` and name the package folder, e.g. "
                           "node_modules/mathjax; math is shown as TeX source")
        config.quizbook_mathjax = ""
    if _remote(str(config.mathjax_path or "")) and config.html_math_renderer in (None,
                                                                                "mathjax"):
        config.html_math_renderer = TEX_SOURCE


def _copy(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Copy MathJax into the output once the book has math (before pages are written, so
    Sphinx can add the file's checksum to its URL)."""
    folder = package_folder(app)
    if folder is None or app.builder.format != "html":
        return []
    domain: Any = env.get_domain("math")
    if not any(domain.has_equations(docname) for docname in env.found_docs):
        return []
    target = Path(app.outdir) / FOLDER
    for part in PARTS:
        source, copy = folder / part, target / Path(part).relative_to(
            "es5" if part.startswith("es5/") else ".")
        if source.is_dir():
            shutil.copytree(source, copy, dirs_exist_ok=True)
        elif not copy.is_file() or not filecmp.cmp(source, copy, shallow=True):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    return []


def setup(app: Sphinx) -> None:
    app.setup_extension("sphinx.ext.mathjax")  # its markup and settings are reused here
    app.add_html_math_renderer(TEX_SOURCE, (sphinx_mathjax.html_visit_math, None),
                               (sphinx_mathjax.html_visit_displaymath, None))
    app.connect("config-inited", _choose, priority=20)  # after quizbook.sphinx.settings
    app.connect("env-updated", _copy)
