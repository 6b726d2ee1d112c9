"""Fuzzing (hypothesis): no input makes the quiz loader, the graders or the results reader
crash or hang.

- `load.parse_quiz_text` gets arbitrary bytes, YAML-looking text made of YAML's own
  tokens, and structured mutations of a valid quiz (fields deleted, renamed,
  retyped, nested deeply; huge numbers, NaN/inf, long strings, unicode, anchors
  and aliases). It must return a quiz or problems naming the file, never raise.
- `grade.grade` gets arbitrary JSON-like responses (and responses shaped like real
  ones) for every question of the book: an outcome within 0..max, never an error.
  (The runtime's agreement with it, on generated and arbitrary JSON responses, is
  tests/test_js_grader_parity.py.)
- `results.parse_results` gets arbitrary bytes, arbitrary JSON and mutated results
  files: a `Results` or a `ResultsFileError`, nothing else.

Inputs that once crashed are kept below as explicit tests. Nothing here measures time:
wall-clock limits fail on a loaded machine; `make bench` (benchmarks/run.py) reports the
time to refuse the worst inputs instead.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from quizbook import model
from quizbook.bundle import bundle_json, make_bundle
from quizbook.grade import Outcome, grade, matching_rights
from quizbook.load import Problem, load_quiz, parse_quiz_text
from quizbook.results import Results, ResultsFileError, parse_results
from quizbook.yamlsafe import MAX_DEPTH
from tests.lanes import examples
from tests.test_results import good as good_results

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "all-types.yml"
VALID_QUIZ = FIXTURE.read_bytes()
SHOWN = "fuzz.yml"

FUZZ = settings(max_examples=examples(150), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                derandomize=False)

# -- strategies ------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(), st.integers(min_value=-(10**80), max_value=10**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", " ", "true", "null", "~", ".nan", "-.inf", "1e309", "0x1f", "0o17",
                     "2020-13-45", "<script>x</script>", "q1", "a", "lo1", "single",
                     "short_text", "r1", "\u0000", "\ufeff", "é\u0301", "\U0001f600", "*",
                     "&a", "{x: 1}", "[1, 2]"]),
    st.integers(min_value=0, max_value=60_000).map(lambda n: "x" * n),
)
json_like = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(
        st.text(max_size=12) | st.sampled_from(["id", "type", "text", "correct", "options"]),
        inner, max_size=6),
    max_leaves=40)

YAML_TOKENS = ["id: ", "lesson: ", "title: ", "objectives:", "questions:", "type: ", "single",
               "options:", "correct: ", "true", "false", "null", "~", "- ", "  ", "    ", "\n",
               "{", "}", "[", "]", ",", ": ", "? ", "&a ", "*a", "&b ", "*b", "<<: *a", "!!int ",
               "!!str ", "!!float ", "!!binary ", "!!timestamp ", "!!set ", "!!omap ",
               "!!python/object:os.system ", "!custom ", "|", ">-", "'", '"', "#", "%YAML 1.2\n",
               "---\n", "...\n", "1e309", ".nan", "-.inf", "0x", "123456789" * 600, "é", "\t",
               "\r", "\x85", "\u2028", "\ufeff", "\\u0000", "@", "`", "%"]
yaml_ish = st.lists(st.sampled_from(YAML_TOKENS) | st.text(max_size=8), max_size=60) \
    .map("".join)


def _dump_yaml(data: Any, flow: bool) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.allow_unicode = True
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _plain_quiz() -> Any:
    return YAML(typ="safe", pure=True).load(VALID_QUIZ.decode("utf-8"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


PATHS = _paths(_plain_quiz())

#: How deep the nesting and copying mutations may make the quiz: twice the loader's limit
#: (MAX_DEPTH), and shallow enough for ruamel to write the quiz out (its writer recurses,
#: a few frames a level, and stops with RecursionError some 300 levels down, which failed
#: this test in the strategy itself). Deeper input is refused in
#: test_pathological_yaml_is_refused and attacks/test_cli_files.
DEEPEST = 2 * MAX_DEPTH


def _depth(node: Any) -> int:
    if isinstance(node, dict):
        return 1 + max(map(_depth, node.values()), default=0)
    if isinstance(node, list):
        return 1 + max(map(_depth, node), default=0)
    return 0


@st.composite
def mutated_quizzes(draw: st.DrawFn) -> bytes:
    data = _plain_quiz()
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for segment in path[:-1]:
            parent = parent[segment]
        key = path[-1]
        op = draw(st.sampled_from(["delete", "rename", "retype", "nest", "copy", "text",
                                   "text"]))
        if op == "text" and isinstance(parent[key], str):
            # Keeps the quiz valid more often: odd text where text belongs.
            parent[key] = draw(st.text(min_size=1, max_size=300) | st.sampled_from(
                ["<script>x</script>", "{{ 7*7 }}", "${7*7}", "{raw}`html` `<b>x</b>`",
                 "é" * 4999, "\U0001f600 ", "a: b", "- x", "'", '"', "&a", "*a"]))
        elif op == "delete":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12) | st.sampled_from(
                ["promt", "type", "id", "options", "true", "false", "1", ""]))] = parent.pop(key)
        elif op == "nest":
            value = parent[key]
            for _ in range(min(draw(st.integers(1, DEEPEST)), DEEPEST - _depth(data))):
                value = draw(st.sampled_from([[value], {"x": value}]))
            parent[key] = value
        elif op == "copy" and 2 * _depth(data) <= DEEPEST:  # a copy at most doubles it
            parent[key] = copy.deepcopy(draw(st.sampled_from([data, parent])))
        else:
            parent[key] = draw(json_like)
    # Half the time block YAML, half flow (JSON-like) YAML; sometimes with anchors.
    text = _dump_yaml(data, flow=draw(st.booleans()))
    if draw(st.booleans()):
        text = text.replace("objective: lo1", "objective: &o lo1", 1) \
            .replace("objective: lo1", "objective: *o")
    return text.encode("utf-8")


def _check_parse(raw: bytes) -> None:
    quiz, problems = parse_quiz_text(raw, SHOWN)
    assert (quiz is None) == bool(problems)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.path == SHOWN and problem.line >= 1 and problem.col >= 1
        assert str(problem).startswith(f"{SHOWN}:{problem.line}:{problem.col}:")
        assert problem.message.strip()
    if quiz is not None:
        # A quiz that validates can be bundled and graded (the next steps of a build).
        bundle = make_bundle(quiz)
        assert json.loads(bundle_json(quiz)) == bundle
        for question in quiz.questions:
            assert not grade(question, None).answered


# -- the loader ------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2000))
@example(b"\xff\xfe")
@example(b"a: " + b"1" * 5000)
def test_loader_survives_arbitrary_bytes(raw: bytes) -> None:
    _check_parse(raw)


@FUZZ
@given(yaml_ish)
@example("a: !!int abc\n")
@example("!!float ")
@example("!!int ")
@example("x: 1\na: !!timestamp 2020-13-45\n")
def test_loader_survives_yaml_looking_text(text: str) -> None:
    _check_parse(text.encode("utf-8", errors="surrogatepass"))


@settings(FUZZ, max_examples=examples(250))
@given(mutated_quizzes())
def test_loader_survives_mutations_of_a_valid_quiz(raw: bytes) -> None:
    _check_parse(raw)


def test_the_unmutated_quiz_is_valid() -> None:
    """The mutation fuzzer starts from a quiz that loads (so it explores near-valid input)."""
    quiz, problems = parse_quiz_text(_dump_yaml(_plain_quiz(), flow=False).encode(), SHOWN)
    assert problems == [] and quiz is not None
    assert {q.type for q in quiz.questions} == set(model.QUESTION_TYPES)


# Inputs that crashed the loader before it was hardened (ValueError out of ruamel's
# constructor); each must now be one clear problem at the offending value.
@pytest.mark.parametrize(("text", "line", "col", "words"), [
    ("id: x\nlesson: " + "1" * 5000 + "\n", 2, 9, "thousands of digits"),
    ("id: x\nlesson: !!int abc\n", 2, 9, "cannot be read"),
    ("id: x\nlesson: !!float abc\n", 2, 9, "cannot be read"),
    ("id: x\nquestions: [a, !!timestamp 2020-13-45]\n", 2, 16, "month must be in 1..12"),
])
def test_values_the_yaml_constructor_refuses_are_problems(text: str, line: int, col: int,
                                                           words: str) -> None:
    quiz, problems = parse_quiz_text(text.encode(), SHOWN)
    assert quiz is None and len(problems) == 1
    assert str(problems[0]).startswith(f"{SHOWN}:{line}:{col}:"), problems
    assert words in problems[0].message


@pytest.mark.parametrize("text", [
    "[" * 50_000,
    "a:\n" + "".join(" " * n + "- \n" for n in range(0, 2000, 2)),
    "a: &a [*a]\n",
    "a: &a {b: *a}\nb: *a\n",
    "- &x " + "[" * 300 + "]" * 300 + "\n" + "- *x\n" * 5000,
    "k: '" + "é" * 300_000 + "'\n",
])
def test_pathological_yaml_is_refused(text: str) -> None:
    """How fast: `make bench` (refusal_s_*); here only that each is a clear problem."""
    _check_parse(text.encode("utf-8"))


# -- the graders -----------------------------------------------------------------------

@functools.cache
def book_quizzes() -> list[model.Quiz]:
    """The course book's quizzes, loaded when a test first needs them (not when pytest
    imports this module to collect it: every xdist worker collects every module)."""
    return [load_quiz(p) for p in sorted((ROOT / "quizzes").glob("*.yml"))]


@functools.cache
def book_questions() -> list[tuple[model.Question, dict[str, Any]]]:
    """Each question of the book with its bundled form."""
    return [(q, qb) for quiz in book_quizzes()
            for q, qb in zip(quiz.questions, make_bundle(quiz)["questions"], strict=True)]


def _ids(question: model.Question) -> list[str]:
    if isinstance(question, model.SingleQuestion | model.MultipleQuestion):
        return [o.id for o in question.options]
    if isinstance(question, model.OrderingQuestion):
        return [i.id for i in question.items]
    if isinstance(question, model.MatchingQuestion):
        return [p.id for p in question.pairs]
    return ["true", "false"]


@st.composite
def shaped_response(draw: st.DrawFn, question: model.Question) -> Any:
    """Responses that look like real ones: known ids with odd values, and near misses."""
    ids = [*_ids(question), "", "x", "__proto__", "constructor"]
    values: st.SearchStrategy[Any] = st.one_of(
        st.integers(-3, 15), st.integers(), st.booleans(), st.floats(), st.none(),
        st.sampled_from([f"r{n}" for n in range(0, 15)]), st.text(max_size=5))
    if isinstance(question, model.MatchingQuestion):
        values = values | st.sampled_from([r for r, _ in matching_rights(question)])
    return draw(st.one_of(
        st.sampled_from(ids), st.booleans(), st.none(),
        st.lists(st.sampled_from(ids), max_size=10),
        st.lists(st.sampled_from(ids) | st.integers(), max_size=5).map(tuple),
        st.dictionaries(st.sampled_from(ids), values, max_size=len(ids)),
        st.text(max_size=60),
        st.sampled_from(["2015", "1,000", "3,5", "1e309", "nan", "inf", "-0", "٢٠١٥", " 12 km",
                         "9" * 5000, "1" * 400 + ".5", ".", "+", "Khmeimim", "KHMÉIMIM."]),
        st.integers(min_value=0, max_value=200_000).map(lambda n: "a" * n + "!"),
    ))


def _sound(outcome: Outcome, question: model.Question) -> None:
    assert outcome.max_points == question.points
    assert 0 <= outcome.points <= outcome.max_points and math.isfinite(outcome.points)
    assert outcome.correct == (outcome.points == outcome.max_points)


@settings(FUZZ, max_examples=examples(400))
@given(st.data())
def test_graders_survive_any_response_to_any_book_question(data: st.DataObject) -> None:
    question, _ = data.draw(st.sampled_from(book_questions()), label="question")
    response = data.draw(json_like | shaped_response(question), label="response")
    _sound(grade(question, response), question)


def test_every_type_is_in_the_book() -> None:
    assert {q.type for q, _ in book_questions()} == set(model.QUESTION_TYPES)


# -- results files ---------------------------------------------------------------------


@st.composite
def mutated_results(draw: st.DrawFn) -> bytes:
    data = good_results()
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        parent = data
        for segment in path[:-1]:
            parent = parent[segment]
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_like)
    text = json.dumps(data, allow_nan=True)
    cut = draw(st.integers(0, len(text)))
    return (text[:cut] if draw(st.booleans()) else text).encode()


def _check_results(raw: bytes) -> None:
    try:
        results = parse_results(raw, "r.json")
    except ResultsFileError as exc:
        assert str(exc).startswith("r.json")
    else:
        assert isinstance(results, Results)
        for quiz in results.quizzes:
            assert 0 <= quiz.score <= quiz.max + 1e-9
            assert all(0 <= q.points <= q.max + 1e-9 for q in quiz.questions)


@FUZZ
@given(st.binary(max_size=2000) | json_like.map(lambda v: json.dumps(v).encode()))
@example(b"[" * 100_000)
@example(b'{"format": "quizbook-results/1", "student": ' + b"1" * 5000 + b"}")
def test_results_reader_survives_arbitrary_input(raw: bytes) -> None:
    _check_results(raw)


@settings(FUZZ, max_examples=examples(300))
@given(mutated_results())
def test_results_reader_survives_mutated_files(raw: bytes) -> None:
    _check_results(raw)


# Inputs that crashed parse_results before (RecursionError, ValueError out of json).
@pytest.mark.parametrize(("raw", "words"), [
    (b"[" * 100_000, "nested too deeply"),
    (b'{"format": "quizbook-results/1", "student": ' + b"1" * 5000 + b"}",
     "thousands of digits"),
])
def test_results_that_crashed_json_are_refused(raw: bytes, words: str) -> None:
    with pytest.raises(ResultsFileError) as info:
        parse_results(raw, "r.json")
    assert str(info.value).startswith("r.json: not a quizbook results file") and \
        words in str(info.value)


@pytest.mark.parametrize("text", ["!!float ", "!!int ", "id: x\nlesson: !!int\n",
                                  "id: x\nlesson: !!bool maybe\n"])
def test_empty_or_malformed_tags_are_problems(text: str) -> None:
    """Found by the fuzzer: ruamel raised IndexError/KeyError on these."""
    quiz, problems = parse_quiz_text(text.encode(), SHOWN)
    assert quiz is None and len(problems) == 1
    assert "cannot be read" in problems[0].message and "malformed" in problems[0].message


# -- the gradebook on results that parse but lie ----------------------------------------


def _book_results(student: str) -> dict[str, Any]:
    """A results file as the book writes it: every question of the first quiz answered."""
    quiz = book_quizzes()[0]
    rows = []
    for q, _qb in book_questions()[: len(quiz.questions)]:
        response = None
        o = grade(q, response)
        rows.append({"id": q.id, "points": o.points, "max": o.max_points,
                     "correct": o.correct, "attempts": 1, "response": response})
    return {"format": "quizbook-results/1", "student": student,
            "exported_at": "2026-11-24T10:00:00Z", "source": "book",
            "quizzes": [{"quiz": quiz.id, "lesson": quiz.lesson,
                         "version": make_bundle(quiz)["version"], "score": 0.0,
                         "max": quiz.max_points, "attempts": 1, "questions": rows}]}


def _gradebook_verdict(data: dict[str, Any], tmp_path: Path) -> str:
    from quizbook.export.gradebook import collect

    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    collected = collect([path], book_quizzes())
    return "\n".join(collected.skipped + collected.notes)


def test_gradebook_accepts_an_honest_file(tmp_path: Path) -> None:
    assert _gradebook_verdict(_book_results("Ada"), tmp_path) == ""


def test_gradebook_regrades_inflated_points(tmp_path: Path) -> None:
    """Points within the maximum but more than the saved answer is worth: the re-grade counts
    (tests/attacks/test_gradebook_forgery.py attacks this many more ways)."""
    data = _book_results("Mallory")
    entry = data["quizzes"][0]
    first = entry["questions"][0]
    first.update(points=first["max"], correct=True)
    entry["score"] = first["max"]
    assert f"the file claims {first['max']:g} points, its saved answers are worth 0; 0 counts" \
        in _gradebook_verdict(data, tmp_path)


def test_gradebook_refuses_a_question_listed_twice(tmp_path: Path) -> None:
    data = _book_results("Mallory")
    entry = data["quizzes"][0]
    entry["questions"].append(dict(entry["questions"][0]))
    assert f"quizzes.0: question {entry['questions'][0]['id']!r} appears twice" in \
        _gradebook_verdict(data, tmp_path)
