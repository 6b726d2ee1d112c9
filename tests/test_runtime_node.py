"""The runtime's interfaces under node, on the module the build makes (no browser needed).

- RemoteGrader against the class server's contract, with a fake `fetch`: the request it
  sends, the graded questions it returns, and what it refuses.
- The build: both shapes hold the same files; the book's script leaks no global and
  carries no class-mode code; every question type of the model has a runtime file.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.load import load_quiz
from quizbook.runtime import build
from tests.conftest import ROOT
from tests.test_js_grader_parity import responses

RUNNER = """
import { pathToFileURL } from "node:url";
const runtime = await import(pathToFileURL(process.argv[2]).href);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const cases = JSON.parse(input);
const out = [];
for (const c of cases) {
  const sent = [];
  const fakeFetch = async (url, init) => {
    sent.push({ url, method: init.method, headers: init.headers, credentials: init.credentials,
                body: JSON.parse(init.body) });
    if (c.throws) throw new TypeError("Failed to fetch");
    return { ok: c.status < 400, status: c.status,
             json: async () => { if (c.notJson) throw new SyntaxError("bad"); return c.reply; } };
  };
  const replies = [];
  const grader = new runtime.RemoteGrader(c.base, {
    fetch: fakeFetch, onReply: (r) => replies.push(r) });
  try {
    const graded = await grader.check({ id: "l1-x", version: "abc123", questions: [] },
                                      { q1: "b" }, "3f1c...id");
    out.push({ graded, sent, replies });
  } catch (error) {
    out.push({ error: error.message, kind: error.constructor.name, sent, replies });
  }
}
process.stdout.write(JSON.stringify(out));
"""

GRADED = {"outcome": {"points": 1, "max": 1, "correct": True, "answered": True,
                      "parts": {"b": True}},
          "feedback": {"b": "Yes (¶ 1)."}, "explanation": "<em>Because</em>."}
REPLY = {"questions": {"q1": GRADED}, "score": 1, "max": 1, "late": False, "attempt": 2,
         "attempts_left": None}


def run_node(tmp_path: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the runtime", pytrace=False)
    module = tmp_path / "runtime.mjs"
    module.write_text(build.widget_module(class_mode=True), encoding="utf-8")
    runner = tmp_path / "runner.mjs"
    runner.write_text(RUNNER, encoding="utf-8")
    proc = subprocess.run([node, str(runner), str(module)], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    return result


def test_remote_grader_posts_the_contract_and_returns_what_the_server_graded(
        tmp_path: Path) -> None:
    hidden = {"questions": {"q1": {"outcome": {"points": 0, "max": 1, "correct": False,
                                               "answered": True}}},
              "score": 0, "max": 1, "late": True, "attempt": 3, "attempts_left": 0}
    [full, policy, other_base] = run_node(tmp_path, [
        {"base": "https://class.example.org/", "status": 200, "reply": REPLY},
        {"base": "", "status": 200, "reply": hidden},
        {"base": "https://host/prefix//", "status": 200, "reply": REPLY},
    ])
    [request] = full["sent"]
    assert request == {
        "url": "https://class.example.org/api/quizzes/l1-x/check", "method": "POST",
        "headers": {"Content-Type": "application/json", "Accept": "application/json"},
        "credentials": "same-origin",
        "body": {"attempt_id": "3f1c...id", "version": "abc123", "responses": {"q1": "b"}}}
    assert full["graded"] == {"q1": GRADED}
    assert full["replies"] == [REPLY]  # the host sees late / attempts left
    # A policy that hides parts and feedback: empty, not missing.
    assert policy["graded"] == {"q1": {"outcome": {"points": 0, "max": 1, "correct": False,
                                                   "answered": True, "parts": {}},
                                       "feedback": {}, "explanation": None}}
    assert policy["sent"][0]["url"] == "/api/quizzes/l1-x/check"
    assert other_base["sent"][0]["url"] == "https://host/prefix/api/quizzes/l1-x/check"


BAD_REPLIES = [
    {"questions": []},
    {"questions": {"q1": {"outcome": {"points": 2, "max": 1, "correct": True,
                                      "answered": True}}}},
    {"questions": {"q1": {"outcome": {"points": -1, "max": 1, "correct": False,
                                      "answered": True}}}},
    {"questions": {"q1": {"outcome": {"points": "1", "max": 1, "correct": True,
                                      "answered": True}}}},
    {"questions": {"q1": {"outcome": {"points": 1, "max": 1, "correct": "yes",
                                      "answered": True}}}},
    {"questions": {"q1": {**GRADED, "feedback": {"b": 3}}}},
    {"questions": {"q1": {**GRADED, "explanation": ["x"]}}},
    {"questions": {"q1": {**GRADED, "outcome": {**GRADED["outcome"], "parts": {"b": 1}}}}},
    None,
]


def test_remote_grader_refuses_what_it_cannot_show(tmp_path: Path) -> None:
    cases = [{"base": "", "status": 200, "reply": reply} for reply in BAD_REPLIES]
    cases += [{"base": "", "status": 409, "reply": {"error": "This quiz is closed."}},
              {"base": "", "status": 500, "notJson": True},
              {"base": "", "status": 200, "notJson": True},
              {"base": "", "throws": True}]
    results = run_node(tmp_path, cases)
    unreadable = "The class server sent a reply this page cannot read."
    assert [r["error"] for r in results] == [unreadable] * len(BAD_REPLIES) + [
        "The class server refused the answers (HTTP 409). This quiz is closed.",
        "The class server refused the answers (HTTP 500).",
        unreadable,
        "The class server cannot be reached: your answers are still here; check again when "
        "you are back online."]
    assert {r["kind"] for r in results} == {"GradingError"}
    assert all(r["replies"] == [] for r in results)  # the host hears only of good replies


def test_both_shapes_hold_the_same_files_and_the_book_leaks_nothing(tmp_path: Path) -> None:
    book = build.source_files(build.BOOK_HOST)
    widget = build.source_files(build.WIDGET_HOST)
    assert book[:-1] == [*widget[:-1], build.RUNTIME / "discussion.js",
                         build.RUNTIME / "progress.js", build.RUNTIME / "parts.js"]
    assert book[-1].name == "book.js"
    assert [p.stem for p in build.question_type_files()] == sorted(model.QUESTION_TYPES)
    assert (build.RUNTIME / "remote.js") in build.source_files(build.BOOK_HOST, class_mode=True)
    assert "class RemoteGrader" not in build.classic_script()
    node = shutil.which("node")
    assert node is not None
    probe = tmp_path / "probe.js"
    # The classic script in a bare global scope: it defines no global of its own.
    probe.write_text(
        "const before = new Set(Object.getOwnPropertyNames(globalThis));\n"
        "globalThis.document = { readyState: 'loading', addEventListener() {} };\n"
        "globalThis.performance = { mark() {} };\n"
        f"{build.classic_script()}\n"
        "const added = Object.getOwnPropertyNames(globalThis)"
        ".filter((n) => !before.has(n) && n !== 'document');\n"
        "process.stdout.write(JSON.stringify(added));\n", encoding="utf-8")
    proc = subprocess.run([node, str(probe)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_minified_and_readable_builds_agree(tmp_path: Path) -> None:
    """rjsmin only strips comments and white space: both run the same (parity runs the
    minified one)."""
    node = shutil.which("node")
    assert node is not None
    for minify in (True, False):
        module = tmp_path / f"m{minify}.mjs"
        module.write_text(build.widget_module(minify=minify), encoding="utf-8")
        proc = subprocess.run(
            [node, "--input-type=module", "-e",
             f"import * as m from {json.dumps(module.as_uri())};"
             "process.stdout.write(JSON.stringify([m.formatPoints(0.125), m.sha256Hex('abc'),"
             "m.normaliseAnswer(' Khméimim. ', false, true), m.parseNumber('1,000 km', 'km'),"
             "Object.keys(m.QUESTION_TYPES).sort()]))"],
            capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == [
            "0.13", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "khmeimim", 1000, sorted(model.QUESTION_TYPES)]


def test_a_page_gets_only_the_code_it_needs() -> None:
    """Issue 12 §3: per question type present, notes and progress code only where they are,
    class-mode code only in class mode."""
    names = [p.relative_to(build.RUNTIME).as_posix() for p in build.source_files(
        build.BOOK_HOST, types=["single", "matching"], discussion=True, progress=False)]
    assert names == ["basics.js", "grading.js", "types/matching.js", "types/single.js",
                     "records.js", "scores.js", "storage.js", "who.js", "quiz.js",
                     "discussion.js", "parts.js", "book.js"]
    # Marking (hashes, answer rules, the types' markers): a part of its own, per page types,
    # loaded when a quiz is first used or graded.
    marking = build.marking_part(types=["single", "matching"])
    core = build.classic_script(types=["single", "matching"], discussion=True, progress=False)
    for name in ("function sha256(", "function gradeAll(", 'registerMarker("single"',
                 'registerMarker("matching"', "function gradeShares("):
        assert name in marking and name not in core
    assert 'registerMarker("cloze"' not in marking and "function parseNumber(" not in marking
    assert 'dispatchEvent(new CustomEvent("quizbook:marking",{detail:MARKING}))' in marking
    assert "function parseNumber(" in build.marking_part(types=["numeric"])
    # Downloads, names, switching student: a part of their own, loaded when first needed.
    part = build.downloads_part()
    for name in ("function downloadQuiz", "function connectStudent", "function resultsFileName",
                 "function switchBrowserStudent", "function showSaveWarning"):
        assert name in part and name not in build.classic_script(
            types=["single"], discussion=True, progress=False)
    assert 'dispatchEvent(new CustomEvent("quizbook:downloads",{detail:DOWNLOADS}))' in part
    typed = build.source_files(build.BOOK_HOST, types=["numeric"], discussion=False,
                               progress=True)
    assert build.RUNTIME / "answers.js" in typed
    # The progress table grades every quiz of the book: every type.
    progress = build.source_files(build.BOOK_HOST, types=[], discussion=False, progress=True)
    assert set(build.question_type_files()) | set(build.marking_files()) <= set(progress)
    small = build.classic_script(types=["single"], discussion=False, progress=False)
    assert "registerQuestionType(\"matching\"" not in small
    assert "function mountProgress" not in small and "function mountDiscussion" not in small
    assert "class RemoteGrader" not in small and len(small) < len(build.classic_script())


RECORDS = """
import { pathToFileURL } from "node:url";
const m = await import(pathToFileURL(process.argv[2]).href);
const when = new Date(2026, 2, 1, 23, 59);
const names = ["Ada Lovelace", "  Zoë O'Brien-Ngata ", "李雷", "../../etc/passwd", "", "!!!",
               "A".repeat(80)];
const files = names.map((n) => m.resultsFileName(n, "l1-laboratory", when));
const bundle = { id: "q", version: "n".repeat(16), questions: [
  { id: "q1", rev: "r1new" }, { id: "q2", rev: "r2" }, { id: "q7", rev: "r7" }],
  legacy: { version: "o".repeat(12), rights: { q7: { r1: "r3", r3: "r1" } } } };
const record = (extra) => ({ v: 1, attempts: 1, first: "2026-01-01T00:00:00Z",
  last: "2026-01-01T00:00:00Z", outcomes: {},
  responses: { q1: "a", q2: "", q7: { m1: "r1", m2: "r2" } },
  ...extra });
const cases = [record({ version: "o".repeat(12) }), record({ version: "x".repeat(12) }),
  record({ version: "y".repeat(16), revs: { q1: "r1old", q2: "r2", q7: "r7" } }),
  record({ version: "y".repeat(16) }), record({ version: "n".repeat(16) })];
const carried = cases.map((r) => ({ verdict: m.carryOver(r, bundle), q7: r.responses.q7,
  version: r.version, revs: r.revs, times: r.times }));
process.stdout.write(JSON.stringify({ files, carried }));
"""


def test_results_file_names_and_carrying_records_over(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None
    module = tmp_path / "runtime.mjs"
    module.write_text(build.widget_module(), encoding="utf-8")
    runner = tmp_path / "records.mjs"
    runner.write_text(RECORDS, encoding="utf-8")
    proc = subprocess.run([node, str(runner), str(module)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["files"] == [
        "results-ada-lovelace-l1-laboratory-2026-03-01.json",
        "results-zoe-o-brien-ngata-l1-laboratory-2026-03-01.json",
        "results-李雷-l1-laboratory-2026-03-01.json",
        "results-etc-passwd-l1-laboratory-2026-03-01.json",
        "results-student-l1-laboratory-2026-03-01.json",
        "results-student-l1-laboratory-2026-03-01.json",
        f"results-{'a' * 40}-l1-laboratory-2026-03-01.json"]
    legacy, other_legacy, changed, bare, same = out["carried"]
    revs = {"q1": "r1new", "q2": "r2", "q7": "r7"}
    assert legacy == {"verdict": {"changed": [], "unsure": False},
                      "q7": {"m1": "r3", "m2": "r2"}, "version": "n" * 16, "revs": revs,
                      "times": {"q1": "2026-01-01T00:00:00Z", "q7": "2026-01-01T00:00:00Z"}}
    assert other_legacy["verdict"] == {"changed": [], "unsure": True}
    assert other_legacy["q7"] == {"m1": "r3", "m2": "r2"}
    assert changed["verdict"] == {"changed": ["q1"], "unsure": False}
    assert changed["q7"] == {"m1": "r1", "m2": "r2"}  # this scheme: nothing renumbered
    assert bare["verdict"] == {"changed": [], "unsure": True}
    assert same["verdict"] == {"changed": [], "unsure": False} and same["revs"] == revs


PART = """
class FakeElement {
  constructor(tag) {
    this.tag = tag; this.children = []; this.attributes = {}; this.textContent = "";
  }
  appendChild(child) { this.children.push(child); return child; }
  setAttribute(name, value) { this.attributes[name] = value; }
  get firstChild() { return this.children[0]; }
  after(element) { this.next = element; }
  querySelector(selector) { return selector === ".qb-status" ? status : null; }
}
const status = new FakeElement("p");
const downloads = [];
let part = null;
globalThis.document = new EventTarget();
document.addEventListener("quizbook:downloads", (event) => { part = event.detail; });
const root = Object.assign(new FakeElement("section"), { ownerDocument: {
  createElement: (tag) => new FakeElement(tag), activeElement: null } });
await import(process.argv[2]);
const said = [];
const bundle = { id: "l1", lesson: "01", version: "v".repeat(16),
  questions: [{ id: "q1", rev: "r1", points: 1 }, { id: "q2", rev: "r2", points: 2 }] };
const record = { v: 1, version: bundle.version, attempts: 2, first: "2026-01-01T00:00:00Z",
  last: "2026-01-02T00:00:00Z", responses: { q1: "b", q2: ["a"] },
  outcomes: { q1: { points: 1, max: 1, correct: true, attempts: 1 },
              q2: { points: 2, max: 2, correct: true, attempts: 2 } } };
let reloaded = 0;
const host = {
  store: { student: () => ({ name: "Ada Lovelace", id: "s1" }), saveStudent: () => true },
  grader: { regrade: async (b, responses) => ({
    q1: { outcome: { points: 1, max: 1, correct: true, answered: true, parts: {} } },
    q2: { outcome: { points: 0.5, max: 2, correct: false, answered: true, parts: {} } } }) },
  source: "book", reload: () => { reloaded++; },
  download: (where, name, results) => downloads.push({ name, results }),
};
const quiz = { root, host, bundle, record, maxPoints: 3, say: (text) => said.push(text) };
await part.downloadQuiz(quiz);
part.panelOf(quiz).switchStudent();
part.showSaveWarning(root, false);
process.stdout.write(JSON.stringify({ exports: Object.keys(part).sort(), downloads, said,
  reloaded, warning: status.next && status.next.children[0].textContent }));
"""


def test_the_downloads_part_works_on_its_own(tmp_path: Path) -> None:
    """The part runs in its own scope: everything it uses must be in it (a name of the page's
    core would be undefined there). Run alone under node with a stand-in page."""
    node = shutil.which("node")
    assert node is not None
    part = tmp_path / "part.js"
    part.write_text(build.downloads_part(), encoding="utf-8")
    runner = tmp_path / "part-runner.mjs"
    runner.write_text(PART, encoding="utf-8")
    proc = subprocess.run([node, str(runner), part.as_uri()], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["exports"] == ["browserDownload", "downloadQuiz", "panelOf", "showSaveWarning"]
    [download] = out["downloads"]
    assert re.fullmatch(r"results-ada-lovelace-l1-\d{4}-\d\d-\d\d\.json", download["name"])
    results = download["results"]
    assert (results["student"], results["student_id"], results["source"]) == \
        ("Ada Lovelace", "s1", "book")
    [quiz] = results["quizzes"]
    assert quiz["score"] == 1.5 and quiz["max"] == 3 and quiz["version"] == "v" * 16
    assert [(q["id"], q["rev"], q["points"], q["attempts"]) for q in quiz["questions"]] == \
        [("q1", "r1", 1, 1), ("q2", "r2", 0.5, 2)]
    assert out["said"] == [f"Downloaded {download['name']}. Hand it in as the line below the "
                           "button says."]
    assert out["reloaded"] == 1  # nothing saved and no name: switching has nothing to keep
    assert out["warning"].startswith("Your answers could not be saved in this browser")


MARKING = """
import { pathToFileURL } from "node:url";
const [, , partUrl, moduleUrl] = process.argv;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const jobs = JSON.parse(input);
let marking = null;
globalThis.document = new EventTarget();
document.addEventListener("quizbook:marking", (event) => { marking = event.detail; });
const before = new Set(Object.getOwnPropertyNames(globalThis));
await import(partUrl);
const leaked = Object.getOwnPropertyNames(globalThis).filter((n) => !before.has(n));
const runtime = await import(moduleUrl);
const out = jobs.map((job) => ({ part: marking.gradeAll(job.bundle, job.responses),
  module: runtime.gradeAll(job.bundle, job.responses) }));
process.stdout.write(JSON.stringify({ exports: Object.keys(marking), leaked, out }));
"""


def test_the_marking_part_works_on_its_own_and_marks_like_the_module(tmp_path: Path) -> None:
    """The marking part a book page loads when a quiz is first used runs in its own scope
    (only what it carries), defines no global, and marks every question of the book's quizzes
    exactly as the notebook module does (which the parity test holds to Python's grader):
    here for a page with all types, with each response drawn at random."""
    node = shutil.which("node")
    assert node is not None
    rng = random.Random(12)
    jobs = []
    quizzes = [load_quiz(p) for p in sorted((ROOT / "quizzes").glob("*.yml"))]
    for quiz in quizzes:
        bundle = make_bundle(quiz)
        drawn = {q.id: responses(rng, q, qb)
                 for q, qb in zip(quiz.questions, bundle["questions"], strict=True)}
        for _ in range(6):
            jobs.append({"bundle": bundle, "responses": {
                qid: rng.choice(choices) for qid, choices in drawn.items()}})
        jobs.append({"bundle": bundle, "responses": {}})
    types = sorted({q.type for quiz in quizzes for q in quiz.questions})
    part = tmp_path / "marking.js"
    part.write_text(build.marking_part(types=types), encoding="utf-8")
    module = tmp_path / "module.mjs"
    module.write_text(build.widget_module(), encoding="utf-8")
    runner = tmp_path / "marking-runner.mjs"
    runner.write_text(MARKING, encoding="utf-8")
    proc = subprocess.run([node, str(runner), part.as_uri(), module.as_uri()],
                          input=json.dumps(jobs), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["exports"] == ["gradeAll"] and out["leaked"] == []
    assert all(job["part"] == job["module"] for job in out["out"])
    marked = [job["part"] for job in out["out"]]
    assert sum(len(m) for m in marked) == sum(len(j["responses"]) for j in jobs) > 50
    assert any(g["outcome"]["correct"] for m in marked for g in m.values())
    assert any(g["explanation"] for m in marked for g in m.values())
