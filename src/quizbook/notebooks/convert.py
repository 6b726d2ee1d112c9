"""A lesson page (MyST Markdown) as a class notebook.

The reading paragraphs become Markdown cells, each discussion prompt a Markdown
cell followed by a notes box, and the `{quiz}` a code cell that shows the quiz as
ipywidgets from the embedded student bundle (no readable key). The student
edition leaves out `{instructor}` blocks; the instructor edition keeps them and
adds the answer key after the quiz. Output is deterministic: same lesson, same bytes.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nbformat as _nbformat
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from quizbook import model
from quizbook.load import load_quiz
from quizbook.notebooks.edition import EDITIONS, Edition
from quizbook.notebooks.quiz_cell import escape_md, quiz_cells, widget_import
from quizbook.sphinx.discussion import parse_minutes, stated_steps
from quizbook.sphinx.para import LABEL, para_number

DIRECTIVE = re.compile(r"^\{([A-Za-z][\w:-]*)\}\s*(.*)$")
OPTION = re.compile(r"^:([\w-]+):\s*(.*)$")
ROLE = re.compile(r"\{([A-Za-z][\w:-]*)\}`([^`]+)`")
TITLED = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.DOTALL)
TARGET = re.compile(r"^\(([^()\s]+)\)=\s*$")
#: A `<` that does not open a web autolink (`<https://...>`): raw HTML in lesson text.
_HTML_START = re.compile(r"<(?!(?:https?|mailto):[^<>\s]*>)")
_CODE_SPAN = re.compile(r"(`+[^`\n]*`+)")


def _inert_html(line: str) -> str:
    """Lesson text in a Markdown cell: raw HTML shows as text, as in the book (where the
    book's MyST config turns HTML syntax off). Code spans keep their `<`."""
    parts = _CODE_SPAN.split(line)
    return "".join(part if n % 2 else _HTML_START.sub("&lt;", part)
                   for n, part in enumerate(parts))
ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention",
               "danger", "error", "seealso", "admonition", "epigraph", "pull-quote",
               "sidebar", "topic", "margin", "dropdown"}

#: nbformat has partial type hints; use it untyped.
nbformat: Any = _nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class NotebookError(Exception):
    """A lesson that cannot become a notebook; the message names file, line and what is wrong."""


@dataclass
class _Cell:
    kind: Literal["markdown", "code"]
    source: str
    hidden: bool = False
    tags: list[str] = field(default_factory=list)
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)
    notebook_cell: Any = None  # a cell made elsewhere (the quiz), used as it is


def _parser() -> Any:
    return create_md_parser(MdParserConfig(enable_extensions={"colon_fence", "deflist"}),
                            RendererHTML)


class LessonConverter:
    def __init__(self, path: Path, edition: Edition, root: Path | None = None) -> None:
        if edition not in EDITIONS:
            raise NotebookError(f"unknown edition {edition!r}: use 'student' or 'instructor'")
        self.path = path
        self.root = root
        self.edition = edition
        self.lesson = path.stem
        self.cells: list[_Cell] = []
        self.discussions = 0
        self.quizzes: list[model.Quiz] = []
        self.md = _parser()

    # -- helpers -----------------------------------------------------------------------

    @property
    def shown(self) -> str:
        if self.root is not None:
            try:
                return str(self.path.relative_to(self.root))
            except ValueError:
                pass
        return str(self.path)

    def error(self, line: int, message: str) -> NotebookError:
        return NotebookError(f"{self.shown}:{line}: {message}")

    def add(self, kind: Literal["markdown", "code"], source: str, **extra: Any) -> None:
        source = source.strip("\n")
        if kind == "markdown" and not source.strip():
            return
        self.cells.append(_Cell(kind, source, **extra))

    def inline(self, text: str) -> str:
        """MyST roles and targets in plain Markdown text -> Jupyter Markdown."""

        def role(m: re.Match[str]) -> str:
            name, body = m.group(1), m.group(2)
            titled = TITLED.match(body)
            shown, target = (titled.group(1), titled.group(2)) if titled else (body, body)
            if name in ("ref", "numref"):
                if not titled and LABEL.match(target):
                    shown = f"¶ {para_number(target)}"
                return f"[{shown}](#{target})"
            if name == "term":
                return f"*{shown}*"
            if name == "math":
                return f"${body}$"
            if name == "doc":
                return f"“{Path(shown).name}” (a page of the book)" if not titled else shown
            return shown if name in ("abbr", "download") else body

        lines = []
        for line in text.split("\n"):
            target = TARGET.match(line)
            if target:
                lines.append(f'<a id="{html.escape(target.group(1))}"></a>')
            elif line.lstrip().startswith("%"):
                continue  # MyST comment
            else:
                lines.append(_inert_html(ROLE.sub(role, line)))
        return "\n".join(lines)

    # -- walking the page --------------------------------------------------------------

    def blocks(self, text: str, first_line: int) -> list[tuple[str, Any, int]]:
        """Top-level pieces: ("md", text, line) or ("directive", (name, arg, body), line)."""
        lines = text.split("\n")
        out: list[tuple[str, Any, int]] = []
        pending: list[str] = []
        pending_line = first_line
        pos = 0

        def flush() -> None:
            if "".join(pending).strip():
                out.append(("md", "\n".join(pending), pending_line))
            pending.clear()

        for tok in self.md.parse(text):
            if tok.level != 0 or tok.map is None:
                continue
            start, end = tok.map
            if tok.type == "front_matter":
                pos = max(pos, end)
                pending_line = first_line + end
                continue
            match = DIRECTIVE.match(tok.info.strip()) if tok.type in ("fence", "colon_fence") \
                else None
            heading = tok.type == "heading_open"
            if match or heading:
                if start > pos:
                    pending.extend(lines[pos:start])
                flush()
                pending_line = first_line + start
                pos = max(pos, start)
            if match:
                body_start = start + 1
                out.append(("directive", (match.group(1), match.group(2).strip(), tok.content,
                                          first_line + body_start), first_line + start))
                pos = end
                pending_line = first_line + end
            elif heading:
                pending.extend(lines[start:end])
                flush()
                pos = end
                pending_line = first_line + end
        if pos < len(lines):
            pending.extend(lines[pos:])
        flush()
        return out

    def convert(self, text: str, first_line: int = 1) -> None:
        for kind, value, line in self.blocks(text, first_line):
            if kind == "md":
                self.add("markdown", self.inline(value))
            else:
                self.directive(*value, line=line)

    @staticmethod
    def split_options(body: str) -> tuple[dict[str, str], str, int]:
        options: dict[str, str] = {}
        lines = body.split("\n")
        n = 0
        if lines and lines[0].strip() == "---":
            end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
            if end is not None:
                for raw in lines[1:end]:
                    key, _, value = raw.partition(":")
                    if key.strip():
                        options[key.strip()] = value.strip()
                n = end + 1
        else:
            while n < len(lines) and (m := OPTION.match(lines[n])):
                options[m.group(1)] = m.group(2).strip()
                n += 1
        return options, "\n".join(lines[n:]), n

    def directive(self, name: str, arg: str, body: str, body_line: int, *, line: int) -> None:
        options, content, skipped = self.split_options(body)
        content_line = body_line + skipped
        if name == "para":
            self.para(arg, content, content_line, line)
        elif name == "discussion":
            self.discussion(options, content, content_line, line)
        elif name == "instructor":
            if self.edition == "instructor":
                self.framed(arg or "For the instructor", content, content_line, instructor=True)
        elif name == "only":
            if self.only(arg):
                self.convert(content, content_line)
        elif name == "quiz":
            self.quiz(arg, line)
        elif name in ("figure", "image"):
            self.figure(arg, content, line)
        elif name in ADMONITIONS:
            title = arg if name in ("admonition", "dropdown", "topic", "sidebar") and arg \
                else name.replace("-", " ").capitalize()
            self.framed(title, content, content_line)
        elif name in ("code-block", "code", "sourcecode"):
            self.add("markdown", f"```{arg}\n{content}\n```")
        elif name in ("glossary", "toctree", "tableofcontents", "contents", "bibliography",
                      "quizbook-progress", "progress"):
            return  # navigation or book-wide material: the book has it
        else:
            # A figure drawn by the book (timeline, map) or another directive: keep its
            # description and text so nothing of the reading is lost.
            if options.get("alt"):
                self.add("markdown", f"*Figure (drawn in the book): {escape_md(options['alt'])}*")
            self.convert(content, content_line)

    def only(self, expression: str) -> bool:
        words = set(re.findall(r"[\w-]+", expression))
        if "instructor" in words:
            return ("not" in words) != (self.edition == "instructor")
        if "student" in words:
            return ("not" in words) != (self.edition == "student")
        return "latex" not in words or "html" in words

    def para(self, label: str, content: str, content_line: int, line: int) -> None:
        if not LABEL.match(label):
            raise self.error(line, f"para label {label!r} must match [a-z0-9-]+ (e.g. p46-1-2)")
        before = len(self.cells)
        self.convert(content, content_line)
        anchor = f'<a id="{label}"></a>**¶ {para_number(label)}** '
        if len(self.cells) > before and self.cells[before].kind == "markdown":
            self.cells[before].source = anchor + self.cells[before].source
        else:
            self.cells.insert(before, _Cell("markdown", anchor.strip()))

    def framed(self, title: str, content: str, content_line: int, *,
               instructor: bool = False) -> None:
        before = len(self.cells)
        self.convert(content, content_line)
        mark = "🎓 " if instructor else ""
        head = f"**{mark}{self.inline(title)}**"
        inner = self.cells[before:]
        del self.cells[before:]
        if not inner or inner[0].kind != "markdown":
            inner.insert(0, _Cell("markdown", ""))
        for cell in inner:
            if cell.kind == "markdown":
                text = f"{head}\n\n{cell.source}" if cell is inner[0] else cell.source
                cell.source = "\n".join(f"> {row}" if row else ">" for row in
                                        text.strip("\n").split("\n"))
            self.cells.append(cell)

    def discussion(self, options: dict[str, str], content: str, content_line: int,
                   line: int) -> None:
        try:
            steps = parse_minutes(options.get("minutes", "think 2, pair 3, share 5"))
        except ValueError as exc:
            raise self.error(line, f"discussion :minutes: {exc}") from None
        self.discussions += 1
        total = sum(m for _, m in steps)
        before = len(self.cells)
        self.convert(content, content_line)
        inner = self.cells[before:]
        del self.cells[before:]
        texts = [c.source for c in inner if c.kind == "markdown"]
        listing = "\n".join(f"{n}. {name}: {m} minute{'' if m == 1 else 's'}"
                            for n, (name, m) in enumerate(steps, 1))
        if stated_steps(content, steps)[0]:
            listing = ""  # the prompt already gives each step with its minutes
        self.add("markdown", (f"### Discussion ({total} minutes)\n\n" + "\n\n".join(texts)
                              + f"\n\n{listing}").rstrip() + "\n")
        for cell in inner:
            if cell.kind == "code":
                self.cells.append(cell)
        self.add("code", "# Your notes for this discussion: they are saved next to this "
                 f"notebook.\n{widget_import('notes_box')}\n\n"
                 f"notes_box({self.lesson!r}, {str(self.discussions)!r})",
                 tags=["quizbook-notes"])

    def quiz(self, arg: str, line: int) -> None:
        if not arg:
            raise self.error(line, "the quiz directive needs the path of a quiz file")
        path = (self.path.parent / arg).resolve()
        if not path.is_file():
            raise self.error(line, f"quiz file {arg} not found (looked for {path})")
        self.quizzes.append(load_quiz(path))
        for cell in quiz_cells(path, self.edition):
            self.cells.append(_Cell(cell.cell_type, cell.source, notebook_cell=cell))

    def figure(self, arg: str, content: str, line: int) -> None:
        options, caption, _ = self.split_options(content)
        path = (self.path.parent / arg).resolve()
        if not path.is_file():
            raise self.error(line, f"figure file {arg} not found (looked for {path})")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        name = path.name
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        alt = options.get("alt", caption.strip().split("\n")[0] if caption.strip() else name)
        text = f"![{alt}](attachment:{name})"
        if caption.strip():
            text += f"\n\n*{self.inline(caption.strip())}*"
        self.add("markdown", text, attachments={name: {mime: data}})


def lesson_notebook(path: Path, edition: Edition, root: Path | None = None) -> Any:
    """The notebook (nbformat 4.5) of one lesson page."""
    conv = LessonConverter(path, edition, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{conv.shown}: cannot read the lesson ({exc})") from None
    conv.convert(text)
    intro = ("*This notebook is a lesson of the course. Run each code cell with "
             "**Shift+Enter** (or **Run ▸ Run All Cells**). Your quiz answers and discussion "
             "notes are saved in files next to this notebook.*")
    if edition == "instructor":
        intro = ("> **Instructor edition**: this notebook shows the answer key and the "
                 "teaching notes. Hand students the student edition.\n\n" + intro)
    cells = conv.cells
    at = 1 if cells and cells[0].kind == "markdown" and cells[0].source.startswith("#") else 0
    cells.insert(at, _Cell("markdown", intro, tags=["quizbook-intro"]))
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 5
    nb.metadata = {"kernelspec": dict(KERNELSPEC),
                   "language_info": {"name": "python"},
                   "quizbook": {"lesson": conv.lesson, "edition": edition,
                                "quizzes": [q.id for q in conv.quizzes]}}
    for n, cell in enumerate(cells, 1):
        if cell.notebook_cell is not None:
            cell.notebook_cell.id = f"{conv.lesson[:40]}-{n}".replace(".", "-").replace("_", "-")
            nb.cells.append(cell.notebook_cell)
            continue
        meta: dict[str, Any] = {}
        if cell.tags:
            meta["tags"] = list(cell.tags)
        if cell.hidden:
            meta["jupyter"] = {"source_hidden": True}
        if cell.kind == "code":
            new = nbformat.v4.new_code_cell(cell.source, metadata=meta)
        else:
            new = nbformat.v4.new_markdown_cell(cell.source, metadata=meta)
            if cell.attachments:
                new.attachments = cell.attachments
        new.id = f"{conv.lesson[:40]}-{n}".replace(".", "-").replace("_", "-")
        nb.cells.append(new)
    nbformat.validate(nb)
    return nb


def notebook_text(nb: Any) -> str:
    return str(nbformat.writes(nb)) + "\n"
