"""What a notebook needs beside it, and the lesson download that carries both.

A lesson notebook runs in any JupyterLab whose kernel has the Python packages
`anywidget` and `ipywidgets`, with one file beside it: `quizbook_widget.py`, which is
`quizbook/notebooks/widget.py` with the runtime (`quizbook.runtime.build.widget_module()`)
and its stylesheet written in. The book's download of a lesson is a zip holding the
notebook and that file, in a folder named after the lesson; `quizbook export` writes the
file once next to the notebooks. See docs/notebooks.md.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from quizbook.runtime.build import stylesheet, widget_module

HELPER_NAME = "quizbook_widget.py"
HELPER_SOURCE = Path(__file__).resolve().parent / "widget.py"
#: Every file in a lesson zip gets this date, so the same lesson gives the same bytes.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
HEADER = ("# quizbook_widget.py: the quiz and notes box of the course's lesson notebooks.\n"
          "# Keep this file next to the notebooks. Made by quizbook from\n"
          "# src/quizbook/notebooks/widget.py and src/quizbook/runtime/: edit those, not this.\n")


def helper_text() -> str:
    """The text of `quizbook_widget.py`: the widget module with the runtime written in."""
    source = HELPER_SOURCE.read_text(encoding="utf-8")
    for name, value in (("RUNTIME_JS", widget_module()), ("RUNTIME_CSS", stylesheet())):
        placeholder = f'{name} = ""\n'
        if source.count(placeholder) != 1:
            raise RuntimeError(f"{HELPER_SOURCE}: expected one line {placeholder.strip()!r}")
        source = source.replace(placeholder, f"{name} = {value!r}\n")
    return HEADER + source


def write_helper(folder: Path) -> Path:
    """Write `quizbook_widget.py` into `folder` (unless it already holds the same text)."""
    target = folder / HELPER_NAME
    text = helper_text()
    try:
        if target.read_text(encoding="utf-8") == text:
            return target
    except (OSError, UnicodeDecodeError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def lesson_zip(lesson: str, notebook_text: str) -> bytes:
    """`<lesson>/<lesson>.ipynb` and `<lesson>/quizbook_widget.py`, zipped reproducibly."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(((f"{lesson}.ipynb", notebook_text),
                                  (HELPER_NAME, helper_text()))):
            info = zipfile.ZipInfo(f"{lesson}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def write_lesson_zip(target: Path, lesson: str, notebook_text: str) -> bool:
    """Write the lesson zip unless the file already holds it (keeps mtimes for Sphinx)."""
    data = lesson_zip(lesson, notebook_text)
    try:
        if target.read_bytes() == data:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return True
