"""The book on disk: where lessons and quizzes are, and whether they refer to each other rightly.

The folders are the book's settings `quizbook_lessons_dir` and `quizbook_quizzes_dir`
(default `lessons/` and `quizzes/`), read from its `_config.yml` (quizbook.config); a
setting the book gets wrong is one of the problems `check_book` reports.

Cross-references checked: every lesson has a quiz, every quiz names an existing
lesson, every question's `source` is a paragraph label of that lesson (or the
`:name:` of a block on it, such as a dated note), quiz ids are unique in the book,
and every lesson page is in each table of contents (`_toc.yml`,
`_toc_instructor.yml`): with `only_build_toc_files` a page missing from the TOC
would silently be left out of the book.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from quizbook import chars, files, model
from quizbook.config import Settings, read_settings
from quizbook.load import (
    MAX_FILE_BYTES,
    Problem,
    QuizFileError,
    check_quiz_file,
    field_position,
)

#: `:::{para} p46-1-2` or ```` ```{para} p46-1-2 ````: the anchors quiz `source` fields name.
#: A lesson page is a few dozen kilobytes; a far larger "lesson" is not one.
MAX_LESSON_BYTES = 2_000_000
PARA_LABEL = re.compile(r"^\s*(?::{3,}|`{3,})\{para\}\s+([a-z0-9][a-z0-9-]*)\s*$", re.MULTILINE)
#: The `lesson:` line of a quiz file, read even when the file does not load.
LESSON_LINE = re.compile(r"""^lesson:\s*['"]?([A-Za-z0-9_.-]+)""", re.MULTILINE)
#: The tables of contents a lesson page must be listed in (those present in the book).
TOC_FILES = ("_toc.yml", "_toc_instructor.yml")
#: `:name: since-46-3` on a directive (e.g. a "Since this chapter was written" admonition):
#: items about the module's own dated notes name the note as their source.
NAME_OPTION = re.compile(r"^\s*:name:\s+([a-z0-9][a-z0-9-]*)\s*$", re.MULTILINE)


@dataclass
class Book:
    root: Path
    settings: Settings = field(default_factory=Settings)
    lessons: dict[str, Path] = field(default_factory=dict)  # lesson name -> <lessons_dir>/<name>.md
    quiz_files: list[Path] = field(default_factory=list)
    #: Problems in the book's quizbook settings (`_config.yml`), reported by check_book.
    setting_problems: list[Problem] = field(default_factory=list)

    @property
    def lessons_dir(self) -> Path:
        return self.root / self.settings.lessons_dir

    @property
    def quizzes_dir(self) -> Path:
        return self.root / self.settings.quizzes_dir

    def lesson_page(self, lesson: str) -> str:
        """A lesson's page as messages and tables of contents name it: `lessons/<lesson>`."""
        return f"{self.settings.lessons_dir}/{lesson}"

    def labels(self, lesson: str) -> list[str]:
        """The paragraph labels of a lesson; raises files.UnreadableFile (FIFO, folder,
        not UTF-8, too large...)."""
        path = self.lessons.get(lesson)
        if path is None:
            return []
        text = read_lesson(path)
        return PARA_LABEL.findall(text) + NAME_OPTION.findall(text)

    def quizzes(self) -> list[model.Quiz]:
        """All quizzes, in lesson order; raises QuizFileError listing every problem."""
        problems: list[Problem] = []
        quizzes: list[model.Quiz] = []
        for path in self.quiz_files:
            quiz, found = check_quiz_file(path)
            problems.extend(found)
            if quiz is not None:
                quizzes.append(quiz)
        if problems:
            raise QuizFileError(problems)
        order = list(self.lessons)
        return sorted(quizzes, key=lambda q: (order.index(q.lesson) if q.lesson in order
                                              else len(order), q.id))


def read_lesson(path: Path) -> str:
    return files.read_text(path, limit=MAX_LESSON_BYTES, what="lesson page")


def lesson_problems(path: Path) -> list[Problem]:
    """Why a lesson page cannot be used: unreadable, or holding control characters, lone
    surrogates or bidi overrides (they break the XML, PDF and notebook outputs)."""
    try:
        text = read_lesson(path)
    except files.UnreadableFile as exc:
        return [Problem(str(path), exc.line, exc.col, "", exc.message)]
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        found = chars.first_forbidden(line)
        if found is not None:
            problems.append(Problem(str(path), number, found[0] + 1, "",
                                    f"{found[1]} in the page; remove it (write text only)"))
    return problems


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding `_config.yml` and the quiz folder it
    names (`quizbook_quizzes_dir`, default `quizzes/`)."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / "_config.yml").is_file() and \
                (folder / read_settings(folder)[0].quizzes_dir).is_dir():
            return folder
    return None


def open_book(root: Path) -> Book:
    root = root.resolve()
    settings, problems = read_settings(root)
    problems = [replace(p, path=str(_near(Path(p.path)))) for p in problems]
    book = Book(root=root, settings=settings, setting_problems=problems)
    if book.lessons_dir.is_dir():
        book.lessons = {p.stem: _near(p) for p in sorted(book.lessons_dir.glob("*.md"))}
    if book.quizzes_dir.is_dir():
        book.quiz_files = [_near(p) for p in sorted([*book.quizzes_dir.glob("*.yml"),
                                                     *book.quizzes_dir.glob("*.yaml")])]
    return book


def _near(path: Path) -> Path:
    """The path relative to the working folder when inside it: shorter messages."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def check_book(book: Book, only: list[Path] | None = None) -> list[Problem]:
    """Validate quiz files and their cross-references (all of them, or just `only`)."""
    files = only if only is not None else book.quiz_files
    problems: list[Problem] = []
    loaded: list[tuple[Path, model.Quiz]] = []
    claimed: set[str] = set()  # lessons named by quiz files that failed to load
    for path in files:
        quiz, found = check_quiz_file(path)
        problems.extend(found)
        if quiz is not None:
            loaded.append((path, quiz))
        else:
            claimed |= _lesson_named_in(path)
    for path, quiz in loaded:
        problems.extend(_reference_problems(book, path, quiz))
    if only is None:
        problems.extend(book.setting_problems)
        problems.extend(_book_problems(book, loaded, claimed))
        problems.extend(toc_problems(book))
    return sorted(set(problems))


def _lesson_named_in(path: Path) -> set[str]:
    """The lesson a quiz file names, read from its text: its load errors are reported
    already, and 'this lesson has no quiz' on top of them would mislead."""
    try:  # through quizbook.files: the file may be a FIFO or /dev/zero (why it failed)
        raw = files.read_bytes(path, limit=MAX_FILE_BYTES, what="quiz file")
    except files.UnreadableFile:
        return set()
    return set(LESSON_LINE.findall(raw.decode("utf-8", errors="replace")))


def toc_files(root: Path) -> list[Path]:
    return [root / name for name in TOC_FILES if (root / name).is_file()]


def toc_entries(toc: Path) -> set[str]:
    """Every `file:` of a Jupyter Book table of contents (root, chapters, parts, sections),
    without its extension; raises ValueError if the file is not a readable TOC."""
    try:
        data = YAML(typ="safe").load(toc.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise ValueError(f"cannot read it ({exc.__class__.__name__})") from None
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"root", "file"} and isinstance(value, str):
                    found.add(re.sub(r"\.(md|ipynb|rst)$", "", value.strip().lstrip("./")))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return found


def toc_problems(book: Book) -> Iterator[Problem]:
    """A lesson page missing from a TOC: the book would build without it, silently."""
    for toc in toc_files(book.root):
        try:
            entries = toc_entries(toc)
        except ValueError as exc:
            yield Problem(_shown_toc(book, toc), 1, 1, "toc", f"table of contents: {exc}")
            continue
        for lesson, lesson_path in book.lessons.items():
            if book.lesson_page(lesson) not in entries:
                yield Problem(str(lesson_path), 1, 1, "toc",
                              f"lesson {lesson!r} is not in {toc.name}, so the book leaves it "
                              f"out: add `- file: {book.lesson_page(lesson)}` to its chapters")


def _shown_toc(book: Book, toc: Path) -> str:
    return str(_near(toc))


def _shown(book: Book, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(book.root))
    except ValueError:
        return str(path)


def _reference_problems(book: Book, path: Path, quiz: model.Quiz) -> Iterator[Problem]:
    shown = str(path)
    if quiz.lesson not in book.lessons:
        line, col = field_position(path, ["lesson"])
        yield Problem(shown, line, col, "lesson",
                      f"no lesson page {book.lesson_page(quiz.lesson)}.md "
                      f"(lessons: {', '.join(book.lessons) or 'none'})")
        return
    try:
        labels = set(book.labels(quiz.lesson))
    except files.UnreadableFile:
        yield from lesson_problems(book.lessons[quiz.lesson])
        return
    for n, question in enumerate(quiz.questions):
        if question.source not in labels:
            line, col = field_position(path, ["questions", n, "source"])
            yield Problem(shown, line, col, f"questions[{n}].source",
                          f"no paragraph labelled {question.source!r} in "
                          f"{book.lesson_page(quiz.lesson)}.md (label paragraphs with "
                          f":::{{para}} {question.source}, a note with "
                          f":name: {question.source})")


def _book_problems(book: Book, loaded: list[tuple[Path, model.Quiz]],
                   claimed: set[str] | None = None) -> Iterator[Problem]:
    seen: dict[str, Path] = {}
    for path, quiz in loaded:
        if quiz.id in seen:
            line, col = field_position(path, ["id"])
            yield Problem(str(path), line, col, "id",
                          f"quiz id {quiz.id!r} is also used by {_shown(book, seen[quiz.id])}")
        seen.setdefault(quiz.id, path)
    with_quiz = {quiz.lesson for _, quiz in loaded} | (claimed or set())
    for lesson_path in book.lessons.values():
        yield from lesson_problems(lesson_path)
    for lesson, lesson_path in book.lessons.items():
        if lesson not in with_quiz:
            yield Problem(str(lesson_path), 1, 1, "",
                          f"lesson {lesson!r} has no quiz (no file in "
                          f"{book.settings.quizzes_dir}/ has "
                          f"`lesson: {lesson}`)")
