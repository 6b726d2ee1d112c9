"""The key never reaches the browser in class mode: key-free bundles, a key-recovery attack,
and every byte of real class builds, on disk and as served over HTTP."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from quizbook import model
from quizbook.answers import normalise_answer
from quizbook.book import open_book
from quizbook.bundle import make_bundle
from quizbook.load import load_quiz
from quizbook.runtime.build import widget_module
from quizbook.seal import digest, unseal
from quizbook.server.app import ServerConfig, ServerSetupError, open_classroom
from quizbook.server.classbuild import html_dir
from quizbook.server.keyfree import KeyfreeError, is_keyfree, keyfree_bundle, page_version
from quizbook.server.keyscan import bundle_problems, key_markers, scan_bytes, scan_folder
from quizbook.sphinx.render import quiz_html
from quizbook.types.cloze import ClozeQuestion
from tests.helpers import right_response
from tests.server.conftest import MINIMAL, ROOT, TOKEN, HttpStudent, Server, csrf_of

ALL_TYPES = ROOT / "tests" / "fixtures" / "all-types.yml"


def recover_key(bundle: dict[str, Any], guesses: dict[str, str]) -> dict[str, Any]:
    """What a student who reads the page's script can work out: the right answer of each
    question, from the bundle alone (and, for typed answers, a dictionary of guesses)."""
    found: dict[str, Any] = {}
    for q in bundle["questions"]:
        salt, qid = q.get("salt"), q["id"]
        if not salt:
            continue

        def opt(option: dict[str, Any], salt: str = salt, qid: str = qid) -> bool:
            return option.get("check") == digest(salt, qid, f"opt:{option['id']}:1")

        kind = q["type"]
        if kind in ("single", "multiple", "true_false") and all("check" in o
                                                                for o in q["options"]):
            right = [o["id"] for o in q["options"] if opt(o)]
            found[qid] = (right[0] if kind == "single" else right == ["true"]
                          if kind == "true_false" else right)
        elif kind == "short_text" and q.get("accept"):
            guess = guesses.get(qid, "")
            flags = {"case_sensitive": q["case_sensitive"], "normalize": q["normalize"]}
            if digest(salt, qid, "ans:" + normalise_answer(guess, **flags)) in q["accept"]:
                found[qid] = guess
        elif kind == "numeric" and "range" in q.get("sealed", {}):
            found[qid] = json.loads(reveal(q, "range") or "null")
        elif kind == "ordering" and all("check" in i for i in q["items"]):
            n = len(q["items"])
            found[qid] = {i["id"]: p for i in q["items"] for p in range(1, n + 1)
                          if i["check"] == digest(salt, qid, f"pos:{i['id']}:{p}")}
        elif kind == "matching" and all("check" in left for left in q["lefts"]):
            found[qid] = {left["id"]: r["id"] for left in q["lefts"] for r in q["rights"]
                          if left["check"] == digest(salt, qid, f"pair:{left['id']}:{r['id']}")}
        elif kind == "cloze" and all("check" in b or "accept" in b for b in q["blanks"]):
            blanks: dict[str, str] = {}
            for blank in q["blanks"]:
                bid = blank["id"]
                if "accept" in blank:
                    guess = guesses.get(f"{qid}:{bid}", "")
                    if digest(salt, qid, f"ans:{bid}:{normalise_answer(guess)}") \
                            in blank["accept"]:
                        blanks[bid] = guess
                else:
                    for c in blank["choices"]:
                        if blank["check"] == digest(salt, qid, f"blank:{bid}:{c['id']}"):
                            blanks[bid] = c["id"]
            found[qid] = blanks
        for name in q.get("sealed", {}):
            found[f"{qid}:{name}"] = reveal(q, name)
    return found


def reveal(q: dict[str, Any], name: str) -> str | None:
    """Unseal one text of a bundled question, as a script reading the page would."""
    sealed = q.get("sealed", {}).get(name)
    return None if sealed is None else unseal(q.get("salt", ""), q["id"], name, sealed)


RIGHT_ANSWERS_RUNNER = """
import { pathToFileURL } from "node:url";
const runtime = await import(pathToFileURL(process.argv[2]).href);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const job = JSON.parse(input);
const out = job.map((c) => {
  try { return runtime.gradeQuestion(c.q, c.response).correct; }
  catch (error) { return "error"; }
});
process.stdout.write(JSON.stringify(out));
"""


def expected_key(quiz: model.Quiz) -> dict[str, Any]:
    key = {}
    for q in quiz.questions:
        if isinstance(q, model.NumericQuestion):
            key[q.id] = list(q.bounds)
        else:
            key[q.id] = right_response(q)
    return key


def test_the_attack_recovers_the_whole_key_from_an_offline_bundle() -> None:
    quiz = load_quiz(ALL_TYPES)
    guesses = {q.id: q.accept[0] for q in quiz.questions
               if isinstance(q, model.ShortTextQuestion)}
    guesses |= {f"{q.id}:{b.id}": b.accept[0] for q in quiz.questions
                if isinstance(q, ClozeQuestion) for b in q.blanks if b.accept is not None}
    found = recover_key(make_bundle(quiz), guesses)
    assert {q.id: found[q.id] for q in quiz.questions} == expected_key(quiz)
    assert any(name.endswith(":explanation") for name in found)


def test_the_attack_recovers_nothing_from_a_keyfree_bundle() -> None:
    quiz = load_quiz(ALL_TYPES)
    guesses = {q.id: q.accept[0] for q in quiz.questions
               if isinstance(q, model.ShortTextQuestion)}
    guesses |= {f"{q.id}:{b.id}": b.accept[0] for q in quiz.questions
                if isinstance(q, ClozeQuestion) for b in q.blanks if b.accept is not None}
    served = keyfree_bundle(make_bundle(quiz))
    assert recover_key(served, guesses) == {}
    # Nor can the page's own offline grader (the runtime, under node) mark a right answer
    # right with it.
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the browser runtime's grader", pytrace=False)
    with tempfile.TemporaryDirectory() as folder:
        module, runner = Path(folder) / "runtime.mjs", Path(folder) / "runner.mjs"
        module.write_text(widget_module(), encoding="utf-8")
        runner.write_text(RIGHT_ANSWERS_RUNNER, encoding="utf-8")
        job = [{"q": question, "response": right_response(next(
            q for q in quiz.questions if q.id == question["id"]))}
            for question in served["questions"]]
        proc = subprocess.run([node, str(runner), str(module)], input=json.dumps(job),
                              capture_output=True, text=True, timeout=300, check=True)
    assert True not in json.loads(proc.stdout)


def test_keyfree_bundles_keep_only_what_a_page_shows() -> None:
    quiz = load_quiz(ALL_TYPES)
    full = make_bundle(quiz)
    served = keyfree_bundle(full, "../../api/")
    assert is_keyfree(served) and not is_keyfree(full)
    assert served["api"] == "../../api/"
    # The page's version is made of what it shows (the quiz's own version, made of ids and
    # keys only, could be brute-forced into the key): the same wherever the page lives.
    assert served["version"] == page_version(served) == keyfree_bundle(full)["version"]
    assert served["version"] != full["version"] and full["version"] not in json.dumps(served)
    assert served["grader"] == "remote"
    text = json.dumps(served)
    for banned in ('"check"', '"accept"', '"sealed"', '"salt"', '"case_sensitive"'):
        assert banned not in text
    by_id = {q["id"]: q for q in served["questions"]}
    assert set(by_id["q-single"]) == {"id", "type", "points", "objective", "source", "prompt",
                                      "hint", "options"}
    assert by_id["q-single"]["options"][0] == {"id": "a", "text": "Iran"}
    assert "unit" in by_id["q-numeric"]
    # The order shown stays the bundle's (shuffled, never the key's).
    assert [i["id"] for i in by_id["q-order"]["items"]] == \
        [i["id"] for i in next(q for q in full["questions"] if q["id"] == "q-order")["items"]]


def test_the_page_markup_is_the_same_with_a_keyfree_bundle() -> None:
    full = make_bundle(load_quiz(ALL_TYPES))
    without_script = re.compile(r"<script type=\"application/json\" data-quizbook-bundle>"
                                r".*?</script>", re.S)
    assert without_script.sub("", quiz_html(keyfree_bundle(full), 2)) == \
        without_script.sub("", quiz_html(full, 2))


def test_a_question_type_without_a_keyfree_form_stops_the_build() -> None:
    bundle = make_bundle(load_quiz(ALL_TYPES))
    bundle["questions"][0] = {**bundle["questions"][0], "type": "essay"}
    with pytest.raises(KeyfreeError, match="type 'essay' has no key-free form"):
        keyfree_bundle(bundle)
    assert not is_keyfree({**keyfree_bundle(make_bundle(load_quiz(ALL_TYPES))),
                           "extra": "field"})


def test_the_scanner_finds_key_material() -> None:
    quiz = load_quiz(ALL_TYPES)
    full = make_bundle(quiz)
    markers = key_markers([quiz])
    page = f"<p>x</p><script>var b = {json.dumps(full)};</script>".encode()
    assert len(scan_bytes(page, markers)) > 20
    assert scan_bytes(json.dumps(keyfree_bundle(full)).encode(), markers) == []
    embedded = quiz_html(full, 2).encode()
    assert list(bundle_problems(embedded)) == ["bundle 1 (sample-all-types) is not key-free"]
    assert list(bundle_problems(quiz_html(keyfree_bundle(full), 2).encode())) == []


# --- real builds (slow) ---------------------------------------------------------------


@pytest.mark.slow
def test_the_server_refuses_a_build_that_carries_the_key(minimal_book_html: Path,
                                                         tmp_path: Path) -> None:
    config = ServerConfig(book=MINIMAL, html=minimal_book_html,
                          db_url=f"sqlite:///{tmp_path / 'c.db'}", token=TOKEN)
    with pytest.raises(ServerSetupError, match="carries answer keys; it is not a class build"):
        open_classroom(config)


@pytest.mark.slow
def test_the_minimal_class_build_has_no_key_material(minimal_class_book: Path) -> None:
    html = html_dir(minimal_class_book)
    quizzes = open_book(minimal_class_book).quizzes()
    assert scan_folder(html, quizzes) == []
    page = (html / "lessons" / "01-minimal.html").read_text(encoding="utf-8")
    assert page.count("data-quizbook-bundle") == 1
    assert not list(html.rglob("*.ipynb")), "class builds ship no notebooks (they grade)"


@pytest.mark.slow
def test_every_byte_the_server_sends_is_key_free(course_class_book: Path,
                                                 serve: Callable[..., Server],
                                                 tmp_path: Path) -> None:
    """The course book's class build, served by a real server: every file of the build,
    fetched over HTTP both compressed and not, plus the server's own pages and API."""
    book = course_class_book
    html = html_dir(book)
    quizzes = open_book(book).quizzes()
    markers = key_markers(quizzes)
    assert len(markers) > 100
    assert scan_folder(html, quizzes) == []
    server = serve(book, f"sqlite:///{tmp_path / 'class.db'}")
    versions = {q.id: keyfree_bundle(make_bundle(q))["version"] for q in quizzes}
    pupil = HttpStudent(server, versions)
    assert pupil.join("Ada").status_code == 200
    urls = ["/join", "/class", "/api/me", "/class.css", "/healthz"]
    urls += [f"/api/quizzes/{q.id}/answers" for q in quizzes]
    urls += ["/book/" + p.relative_to(html).as_posix() for p in sorted(html.rglob("*"))
             if p.is_file() and not p.name.startswith(".") and p.suffix != ".gz"]
    checked = 0
    bundles = 0
    for url in urls:
        for encoding in ("gzip", "identity"):
            with pupil.client.stream("GET", url, headers={"accept-encoding": encoding}) as r:
                assert r.status_code == 200, url
                raw = b"".join(r.iter_raw())
                if r.headers.get("content-encoding") == "gzip":
                    raw = gzip.decompress(raw)
            assert scan_bytes(raw, markers) == [], url
            assert list(bundle_problems(raw)) == [], url
            bundles += raw.count(b"data-quizbook-bundle>")
            checked += len(raw)
    assert bundles == 2 * len(quizzes)  # each lesson's quiz, in both encodings
    assert checked > 1_000_000
    # The key-recovery attack on what a lesson page carries finds nothing.
    page = pupil.client.get("/book/lessons/01-laboratory.html").text
    served = json.loads(re.search(r"data-quizbook-bundle>(.*?)</script>", page, re.S)
                        .group(1))  # type: ignore[union-attr]
    assert recover_key(served, {}) == {}
    pupil.close()


@pytest.mark.slow
def test_join_page_csrf_and_token_stay_off_a_projected_page(course_class_book: Path,
                                                            serve: Callable[..., Server],
                                                            tmp_path: Path) -> None:
    server = serve(course_class_book, f"sqlite:///{tmp_path / 'class.db'}")
    assert server.lines[0].startswith("Students: http://127.0.0.1:")
    assert server.lines[1] == f"Instructor: {server.base}/instructor?token={TOKEN}"
    assert re.fullmatch(r"Class code: [A-Z2-9]{6}", server.lines[2])
    with httpx.Client(base_url=server.base) as client:
        page = client.get("/join").text
        assert TOKEN not in page and csrf_of(page)
