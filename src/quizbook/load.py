"""Read a quiz file into the model, reporting every problem as PATH:LINE:COL: field: message.

Authors meet this module more than any other, so its errors are plain words
pointing at a line, and all problems in a file are reported at once. Nothing
here raises anything but `QuizFileError` for bad content.
"""

from __future__ import annotations

import difflib
import functools
import io
import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quizbook import chars, files, model
from quizbook.yamlsafe import TooDeep, new_yaml

MAX_FILE_BYTES = 1_000_000
#: A YAML alias bomb is tiny on disk and enormous once expanded; count nodes first.
MAX_EXPANDED_NODES = 200_000


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.path}:{self.line}:{self.col}:{field} {self.message}"


class QuizFileError(Exception):
    """A quiz file could not be used; `problems` says every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_quiz(path: Path | str) -> model.Quiz:
    """Load and validate one quiz file or raise `QuizFileError`."""
    quiz, problems = check_quiz_file(path)
    if problems or quiz is None:
        raise QuizFileError(problems)
    return quiz


def check_quiz_file(path: Path | str) -> tuple[model.Quiz | None, list[Problem]]:
    """Validate one quiz file. Results are cached by path, size and modification time:
    a book build reads each quiz from several places (page, notebook, progress page)."""
    path = Path(path)
    try:
        stat = path.stat()
        key = (os.path.realpath(path), str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return _check_quiz_file(path)
    quiz, problems = _cached_check(key)
    return quiz, list(problems)


@functools.lru_cache(maxsize=256)
def _cached_check(key: tuple[str, str, int, int]) -> tuple[model.Quiz | None,
                                                            tuple[Problem, ...]]:
    quiz, problems = _check_quiz_file(Path(key[1]))
    return quiz, tuple(problems)


def _check_quiz_file(path: Path) -> tuple[model.Quiz | None, list[Problem]]:
    shown = str(path)
    try:
        raw = files.read_bytes(path, limit=MAX_FILE_BYTES, what="quiz file")
    except files.UnreadableFile as exc:
        return None, [Problem(shown, exc.line, exc.col, "", exc.message)]
    return parse_quiz_text(raw, shown)


def parse_quiz_text(raw: bytes, shown: str) -> tuple[model.Quiz | None, list[Problem]]:
    """Validate the bytes of a quiz file; `shown` is the name used in messages."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(shown, 1, 1, "", f"the file is larger than {MAX_FILE_BYTES:,} "
                                                "bytes; a quiz file should be far smaller")]
    try:
        text = files.decode_utf8(raw)
    except files.UnreadableFile as exc:
        return None, [Problem(shown, exc.line, exc.col, "", exc.message)]
    if not text.strip():
        return None, [Problem(shown, 1, 1, "", "the file is empty; a quiz needs id, lesson, "
                                               "title, objectives and questions")]
    tabs = [_tab_problem(shown, n, line) for n, line in enumerate(text.splitlines(), 1)
            if "\t" in line]
    if tabs:
        return None, tabs
    controls = _control_problems(shown, text)
    if controls:
        return None, controls
    data, problem = parse_yaml(text, shown)
    if problem is not None:
        return None, [problem]
    if not isinstance(data, CommentedMap):
        return None, [Problem(shown, 1, 1, "", "the file must be a mapping of fields (id, "
                                               "lesson, title, objectives, questions), not "
                                               f"a {_yaml_kind(data)}")]
    return _validate(data, shown)


def _tab_problem(shown: str, line_no: int, line: str) -> Problem:
    return Problem(shown, line_no, line.index("\t") + 1, "",
                   "tab character: YAML needs spaces for indentation; replace tabs with spaces")


def _control_problems(shown: str, text: str) -> list[Problem]:
    """Control characters, lone surrogates and bidi overrides typed into the file itself
    (escapes such as "\\0" in quoted text are caught by the model's text fields)."""
    out = []
    for line_no, line in enumerate(text.split("\n"), 1):
        found = chars.first_forbidden(line)
        if found is not None:
            out.append(Problem(shown, line_no, found[0] + 1, "",
                               f"{found[1]} in the file; remove it (write text only)"))
    return out


def _yaml_kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "piece of text"
    return type(value).__name__


#: What ruamel's constructor raises (besides YAMLError) on scalars it cannot build.
_CONSTRUCTOR_ERRORS = (ValueError, TypeError, OverflowError, IndexError, KeyError,
                       AttributeError)


def parse_yaml(text: str, shown: str) -> tuple[Any, Problem | None]:
    """A YAML document (ruamel round-trip containers, which know their lines) or the one
    problem that stops it being read: syntax, duplicate keys, nesting past 32 levels,
    aliases that expand enormously, scalars that cannot be built. Never raises."""
    yaml = new_yaml()
    root: Node | None = None
    try:
        root = yaml.compose(io.StringIO(text))
        if root is not None and _expanded_size(root, {}) > MAX_EXPANDED_NODES:
            return None, Problem(shown, 1, 1, "", "the YAML expands to too many values "
                                                  "(anchors and aliases repeated over and "
                                                  "over); write the values out plainly")
        # Construct from the composed tree: the file is parsed once, not twice.
        return (None if root is None else yaml.constructor.construct_document(root)), None
    except _CONSTRUCTOR_ERRORS as exc:
        # A scalar the YAML constructor cannot turn into a value (`!!int abc`, an empty
        # `!!float`, a timestamp with month 13, an integer of thousands of digits).
        line, col = _unreadable_scalar(root) if root is not None else (1, 1)
        why = ("a number with thousands of digits" if "digits" in str(exc) else str(exc)
               if isinstance(exc, ValueError) else "an empty or malformed `!!` tagged value")
        return None, Problem(shown, line, col, "", f"this value cannot be read ({why}); "
                                                   "write it as plain text or a short number")
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = exc.problem or "invalid YAML"
        if "duplicate key" in what or "found duplicate key" in str(exc):
            key = str(exc).split('"')[1] if '"' in str(exc) else ""
            return None, Problem(shown, line, col, key, "this key appears twice in the same "
                                                        "mapping; keep one")
        return None, Problem(shown, line, col, "", f"YAML syntax error: {what}")
    except YAMLError as exc:
        return None, Problem(shown, 1, 1, "", f"YAML error: {exc}")
    except TooDeep as exc:
        return None, Problem(shown, exc.line, exc.col, "", str(exc))
    except RecursionError:
        return None, Problem(shown, 1, 1, "", "the YAML is nested too deeply")


def _unreadable_scalar(root: Node) -> tuple[int, int]:
    """Line and column of the first scalar the YAML constructor refuses."""
    constructor = YAML(typ="rt").constructor
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            try:
                constructor.construct_object(node, deep=True)
            except (*_CONSTRUCTOR_ERRORS, YAMLError):
                return node.start_mark.line + 1, node.start_mark.column + 1
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            stack.extend(child for pair in reversed(node.value) for child in reversed(pair))
    return 1, 1


def _expanded_size(node: Node, memo: dict[int, int]) -> int:
    """How many nodes the document has once every alias is expanded (memoised: linear)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # guards against recursive aliases
    size = 1
    if isinstance(node, SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[key] = size
    return size


def plain(value: Any) -> Any:
    """ruamel's commented containers -> plain Python; `true:`/`false:` keys -> strings."""
    if isinstance(value, dict):
        return {_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _key(key: Any) -> Any:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key) if isinstance(key, str) else key


def _validate(data: CommentedMap, shown: str) -> tuple[model.Quiz | None, list[Problem]]:
    problems = list(_duplicate_id_problems(data, shown))
    reported = {p.message for p in problems}
    try:
        quiz = model.Quiz.model_validate(plain(data))
    except ValidationError as exc:
        for error in exc.errors():
            problem = _problem_from_error(data, shown, error)
            if problem.message not in reported:
                problems.append(problem)
        problems.extend(_reference_problems(data, shown))
        return None, sorted(set(problems))
    problems.extend(_reference_problems(data, shown))
    if problems:
        return None, sorted(set(problems))
    return quiz, []


def _position(data: Any, loc: Sequence[int | str]) -> tuple[int, int, str]:
    return position(data, loc, skip=model.QUESTION_TYPES)


def position(data: Any, loc: Sequence[int | str], skip: Collection[str] = ()
             ) -> tuple[int, int, str]:
    """Line, column and dotted field name of an error location (a pydantic `loc`) in the
    raw YAML; a missing key points at its parent. `skip`: names in `loc` that are not in
    the file (a discriminated union's tags)."""
    node, line, col, parts = data, 1, 1, []
    for segment in loc:
        if isinstance(node, CommentedMap) and segment in _keys_as_str(node):
            real_key = _keys_as_str(node)[segment]
            line, col = (v + 1 for v in node.lc.key(real_key))
            node = node[real_key]
            parts.append(f".{segment}")
        elif isinstance(node, CommentedSeq) and isinstance(segment, int) and \
                0 <= segment < len(node):
            line, col = (v + 1 for v in node.lc.item(segment))
            node = node[segment]
            parts.append(f"[{segment}]")
        elif isinstance(segment, str) and segment in skip:
            continue  # pydantic's tag for the discriminated union; not in the file
        else:
            parts.append(f".{segment}")
            break  # a missing key: point at its parent
    return line, col, "".join(parts).lstrip(".")


def _keys_as_str(node: CommentedMap) -> dict[Any, Any]:
    return {_key(k): k for k in node}


_ALL_FIELDS = sorted({name for cls in vars(model).values()
                      if isinstance(cls, type) and issubclass(cls, BaseModel)
                      for name in cls.model_fields} | {"type"})


def _problem_from_error(data: Any, shown: str, error: Any) -> Problem:
    loc = list(error["loc"])
    if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        loc.append("type")
    line, col, field = _position(data, loc)
    message = _plain_message(error, loc)
    if error["type"] == "extra_forbidden" and error.get("input") is None:
        # `{text: Yes, right.}` parses as text "Yes" plus a key "right." without a value.
        message = (f"unknown field `{loc[-1]}` without a value: a comma inside {{...}} ends "
                   "the text before it; put the text in quotes")
    return Problem(shown, line, col, field, message)


def error_message(error: Any, loc: list[int | str]) -> str:
    """A pydantic error in plain words for an author."""
    return _plain_message(error, loc)


def _plain_message(error: Any, loc: list[int | str]) -> str:
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f"required field `{last}` is missing"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(last), _ALL_FIELDS, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        if last in {"answer", "answers", "key", "correct_answer"}:
            hint = " (in choice questions mark the right options with `correct: true`)"
        return f"unknown field `{last}`{hint}"
    if kind == "string_pattern_mismatch":
        if last == "lesson":
            return "must be a lesson file name without .md (letters, digits, - _ .)"
        return ("must use only lowercase letters a-z, digits and hyphens, starting with a "
                "letter or digit (it becomes an HTML id)")
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        return f"`type` must be one of: {', '.join(model.QUESTION_TYPES)}"
    if kind in {"string_type"}:
        return "must be text"
    if kind in {"float_type", "float_parsing", "int_type", "int_parsing"}:
        if isinstance(error.get("input"), int) and not isinstance(error.get("input"), bool):
            # An integer too large for a float (YAML reads 400 digits as one int).
            return (f"must be a number between {_num(-model.MAX_NUMBER)} and "
                    f"{_num(model.MAX_NUMBER)}")
        return "must be a number"
    if kind in {"bool_type", "bool_parsing"}:
        return "must be true or false"
    if kind in {"list_type"}:
        return "must be a list"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return "must be a mapping of fields"
    if kind == "too_short":
        if ctx.get("min_length") == 1 and error.get("input") == "":
            return "must not be empty"
        return f"needs at least {ctx.get('min_length')} entries"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} entries"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    if kind == "greater_than":
        return f"must be greater than {_num(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"must be {_num(ctx.get('ge'))} or more"
    if kind == "less_than_equal":
        return f"must be {_num(ctx.get('le'))} or less"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def _num(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _duplicate_id_problems(data: CommentedMap, shown: str) -> Iterator[Problem]:
    """Duplicate ids, pointed at the second occurrence (pydantic can only name the list)."""
    lists: list[tuple[str, str, Any]] = [("objectives", "objective id", data.get("objectives")),
                                         ("questions", "question id", data.get("questions"))]
    questions = data.get("questions")
    if isinstance(questions, CommentedSeq):
        for n, q in enumerate(questions):
            if isinstance(q, CommentedMap):
                for key, what in (("options", "option id"), ("items", "item id"),
                                  ("pairs", "pair id")):
                    lists.append((f"questions[{n}].{key}", what, q.get(key)))
    for where, what, seq in lists:
        if not isinstance(seq, CommentedSeq):
            continue
        seen: set[str] = set()
        for n, entry in enumerate(seq):
            if isinstance(entry, CommentedMap) and isinstance(entry.get("id"), str):
                if entry["id"] in seen:
                    line, col = (v + 1 for v in entry.lc.key("id"))
                    yield Problem(shown, line, col, f"{where}[{n}].id",
                                  f"duplicate {what} {entry['id']!r}")
                seen.add(entry["id"])


def _reference_problems(data: CommentedMap, shown: str) -> Iterator[Problem]:
    """Each question's `objective` must name one of the quiz's objectives."""
    objectives, questions = data.get("objectives"), data.get("questions")
    if not isinstance(objectives, CommentedSeq) or not isinstance(questions, CommentedSeq):
        return
    defined = sorted(str(o["id"]) for o in objectives
                     if isinstance(o, CommentedMap) and "id" in o)
    for n, question in enumerate(questions):
        if not isinstance(question, CommentedMap):
            continue
        named = question.get("objective")
        if isinstance(named, str) and named not in defined:
            line, col, field = _position(data, ["questions", n, "objective"])
            yield Problem(shown, line, col, field,
                          f"objective {named!r} is not defined in `objectives` "
                          f"(defined: {', '.join(defined) or 'none'})")


def field_position(path: Path, loc: Sequence[int | str]) -> tuple[int, int]:
    """Line and column of a field in a quiz file that already validated (for book checks)."""
    try:
        data = new_yaml().load(files.read_text(path, limit=MAX_FILE_BYTES, what="quiz file"))
    except (files.UnreadableFile, YAMLError, TooDeep):
        return 1, 1
    line, col, _ = _position(data, loc)
    return line, col
