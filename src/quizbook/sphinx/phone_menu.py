"""Make the site menu open on phones with the pinned theme pair (a documented workaround).

sphinx-book-theme 1.3.0 with pydata-sphinx-theme 0.17.1 (the pair pinned in
pyproject.toml) render two buttons with the class `primary-toggle`: the theme's
own header button, hidden in this layout, and sphinx-book-theme's, the one a
phone shows. pydata-sphinx-theme binds its "open the sidebar as a dialog"
handler to the first one only (`document.querySelector(".primary-toggle")`), so
on a phone the menu button shows its tooltip and nothing opens
(pydata/pydata-sphinx-theme#2451, executablebooks/sphinx-book-theme#988).

Pairs tried with jupyter-book 1.0.4 and Sphinx 7.4 (see tests/test_phone.py):
sphinx-book-theme 1.2.0 + pydata-sphinx-theme 0.16.1 opens the menu, but its
link colour fails axe's contrast check on striped table rows and it needs
Python 3.11; 1.1.4 + 0.15.4 loads icon fonts that file:// refuses (console
errors); 1.4.0 and pydata-sphinx-theme >= 0.18 need Sphinx 8. So the pair stays
and this script forwards a tap on the visible button to the one that has the
handler, only while the sidebar is off screen (phones and narrow windows).
Remove it when pydata-sphinx-theme fixes #2451 and the pin moves.
"""

from __future__ import annotations

from sphinx.application import Sphinx

SCRIPT = """document.addEventListener("click", function (event) {
  var pressed = event.target instanceof Element && event.target.closest(".primary-toggle");
  var bound = document.querySelector(".primary-toggle");
  var sidebar = document.getElementById("pst-primary-sidebar");
  if (!pressed || !bound || pressed === bound || !sidebar) return;
  if (getComputedStyle(sidebar).visibility !== "hidden") return;
  event.preventDefault();
  bound.click();
});"""


def _add_script(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.add_js_file(None, body=SCRIPT)


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _add_script)
