"""Injection: hostile text in quizzes, lessons and student notes stays inert text everywhere.

One hostile copy of the book is made (session fixture): every text field of every
quiz (title, objectives, prompt, options, feedback, hint, explanation, instructor
note, ordering items, matching sides and distractors), a paragraph of every lesson
and every discussion prompt get a payload of `<script>`, an `<img onerror>`, a
Markdown `javascript:` link (quiz text only: in a lesson it is refused at build), an
`<a href="javascript:">`, template tricks (`{{ 7*7 }}`, `${7*7}`) and a MyST role
written into quiz text. The copy is exported
once (both editions, PDFs, QTI, Moodle XML, notebooks) and its student book is built.

Then: in Chromium every lesson of both editions is loaded, every quiz is answered
wrong and right (so option feedback, verdicts and explanations render), hostile
notes are typed and the page reloaded; `window.__pwned` must stay undefined and no
payload element may exist in the DOM, while the payload is visible as text. The
PDFs, LMS files, notebooks and the gradebook are checked the same way (the notebook quiz is
the book's markup and runtime: tests/test_notebooks.py proves it).

Headings, titles, captions, settings, links and paths are attacked in tests/attacks/.
Every test here uses the exported hostile book, so all of them are slow.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree
from markdown_it import MarkdownIt
from pypdf import PdfReader
from ruamel.yaml import YAML

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.export import editions
from quizbook.export.gradebook import make_gradebook
from quizbook.export.pipeline import Options, export
from quizbook.grade import grade
from tests.browser_support import answer_quiz, book_quizzes, check, guarded_page, quiz_pages
from tests.helpers import right_response, wrong_response

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
SKIP = {"_build", ".venv", "node_modules", ".git", "tests", ".pytest_cache", ".mypy_cache",
        ".ruff_cache", ".hypothesis", "src", "docs", ".ci", "types", "benchmarks"}

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
MD_LINK = "[click](javascript:window.__pwned=1)"
A_LINK = '<a href="javascript:window.__pwned=1">link</a>'
TEMPLATES = "{{ 7*7 }} ${7*7}"
ROLE = "{raw}`html` `<b>raw</b>`"
#: Quiz text is inline Markdown (markdown-it, HTML off): a MyST role is only text there.
QUIZ_PAYLOAD = f"{SCRIPT} {IMG} {MD_LINK} {A_LINK} {TEMPLATES} {ROLE}"
#: Lesson text is MyST: an unknown role would (rightly) fail the -W build, so no role here,
#: and a Markdown `javascript:` link is refused at build (tests/attacks/test_links.py).
LESSON_PAYLOAD = f"{SCRIPT} {IMG} {A_LINK} {TEMPLATES}"
#: What must show as text wherever a payload went (smart quotes may change the `"`).
VISIBLE = SCRIPT

#: Finds anything a payload could have turned into in a DOM or an HTML fragment.
LIVE_XPATH = ("//script[not(@type='application/json') and contains(., '__pwned')] | "
              "//img[@src='x'] | //*[@onerror] | "
              "//*[@*[starts-with(name(), 'on') and contains(., '__pwned')]] | "
              "//a[starts-with(normalize-space(@href), 'javascript')] | "
              "//*[local-name()='b'][.='raw']")
LIVE_JS = """() => {
  const found = [];
  for (const s of document.scripts) if (s.type !== 'application/json' &&
      s.textContent.includes('__pwned')) found.push('script');
  document.querySelectorAll('img[src="x"], [onerror], [onclick*="__pwned"]').forEach(
      (e) => found.push(e.outerHTML.slice(0, 80)));
  document.querySelectorAll('a[href]').forEach((a) => {
    const href = a.getAttribute('href').trim().toLowerCase();
    if (href.startsWith('javascript')) found.push(a.outerHTML);
  });
  return found;
}"""


@dataclass
class Hostile:
    book: Path
    student_html: Path
    export: Path
    quizzes: dict[str, model.Quiz]


def _plant_quiz(path: Path) -> None:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    data = yaml.load(path.read_text(encoding="utf-8"))

    def spike(value: Any) -> str:
        return f"{value} {QUIZ_PAYLOAD}"

    data["title"] = spike(data["title"])
    for objective in data["objectives"]:
        objective["text"] = spike(objective["text"])
    for q in data["questions"]:
        for key in ("prompt", "hint", "explanation", "instructor_note"):
            q[key] = spike(q.get(key) or key)
        for option in q.get("options") or []:
            option["text"] = spike(option["text"])
            option["feedback"] = spike(option.get("feedback") or "See")
        for item in q.get("items") or []:
            item["text"] = spike(item["text"])
        for pair in q.get("pairs") or []:
            pair["left"], pair["right"] = spike(pair["left"]), spike(pair["right"])
        if q["type"] == "cloze":
            # `{{ }}` marks a blank in a passage (a stray one is refused by the loader), so
            # the passage gets the payload without the template braces.
            q["passage"] = f"{q['passage']} {QUIZ_PAYLOAD.replace(TEMPLATES, '${7*7}')}"
            for blank in q["blanks"]:
                blank["feedback"] = spike(blank.get("feedback") or "See")
                if blank.get("distractors"):
                    blank["distractors"] = [f"{d} {SCRIPT}" for d in blank["distractors"]]
        if q["type"] == "matching":
            q["distractors"] = [spike(d) for d in q.get("distractors") or []] or \
                [spike("Nobody")]
        if q["type"] != "single" and q["type"] != "multiple":
            keys = ("true", "false") if q["type"] == "true_false" else ("correct", "incorrect")
            q["feedback"] = {k: spike((q.get("feedback") or {}).get(k) or k) for k in keys}
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def _plant_lesson(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # A paragraph of the reading, and the first line of every discussion prompt.
    text = re.sub(r"^(:{3,}\{para\}[^\n]*\n)", rf"\1Para payload: {LESSON_PAYLOAD}\n\n",
                  text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^(:{3,}\{discussion\}[^\n]*\n(?::[a-z]+:[^\n]*\n)*)",
                  lambda m: f"{m.group(1)}Discussion payload: {LESSON_PAYLOAD}\n\n", text,
                  flags=re.MULTILINE)
    path.write_text(text + f"\nLesson payload: {LESSON_PAYLOAD}\n", encoding="utf-8")


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    book = tmp_path_factory.mktemp("hostile") / "book"
    shutil.copytree(ROOT, book, ignore=lambda d, names: [n for n in names if n in SKIP]
                    if Path(d) == ROOT else [])
    for path in sorted((book / "quizzes").glob("*.yml")):
        _plant_quiz(path)
    lessons = sorted((book / "lessons").glob("*.md"))
    for path in lessons:
        _plant_lesson(path)
    assert sum(p.read_text("utf-8").count("Discussion payload") for p in lessons) >= len(lessons)
    out = book / "_build" / "export"
    # strict: the payloads must not even cause a Sphinx warning.
    export(Options(book=book, out=out, edition="all", pdf=True, strict=True), say=lambda _: None)
    student = editions.build_edition(book, "student", "html", book / "_build" / ".inj-work",
                                     strict=True).output
    return Hostile(book, student, out, book_quizzes(book))


def test_every_quiz_field_was_planted(hostile: Hostile) -> None:
    for quiz in hostile.quizzes.values():
        assert QUIZ_PAYLOAD in quiz.title
        for q in quiz.questions:
            assert QUIZ_PAYLOAD in q.prompt and QUIZ_PAYLOAD in (q.explanation or "")
            assert QUIZ_PAYLOAD in (q.hint or "") and QUIZ_PAYLOAD in (q.instructor_note or "")
    types = {q.type for quiz in hostile.quizzes.values() for q in quiz.questions}
    assert types == set(model.QUESTION_TYPES)


# -- the book: static HTML ------------------------------------------------------------


def _pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_no_payload_element_in_any_built_page(hostile: Hostile, edition: str) -> None:
    html = hostile.student_html if edition == "student" else hostile.export / "instructor/html"
    pages = _pages(html)
    lessons = [p for p in pages if "lessons" in p.parts]
    assert len(lessons) == 5
    for page in pages:
        doc = lxml.html.parse(str(page)).getroot()
        live = [etree.tostring(e)[:100] if isinstance(e, etree._Element) else e
                for e in doc.xpath(LIVE_XPATH)]
        assert live == [], page
        # The bundle script cannot be closed early by a payload.
        for script in doc.xpath("//script[@data-quizbook-bundle]"):
            json.loads(script.text)
    for page in lessons:
        text = lxml.html.parse(str(page)).getroot().text_content()
        # Quiz prompt, lesson paragraph and discussion: all three show the payload as text.
        assert text.count(VISIBLE) >= 3, page
        assert "49" not in re.findall(r"\{\{ ?(\S+) ?\}\}", text)


def test_instructor_key_shows_payloads_as_text(hostile: Hostile) -> None:
    lessons = [p for p in _pages(hostile.export / "instructor/html") if "lessons" in p.parts]
    notes = 0
    for page in lessons:
        doc = lxml.html.parse(str(page)).getroot()
        for key in doc.xpath("//div[contains(@class, 'qb-key')]"):
            notes += key.text_content().count(VISIBLE)
            assert not key.xpath(LIVE_XPATH.replace("//", ".//"))
    questions = sum(len(q.questions) for q in hostile.quizzes.values())
    assert notes >= 3 * questions  # prompt, explanation, instructor note at least


# -- the book in Chromium ---------------------------------------------------------------


def _exercise_page(page: Any, quizzes: list[model.Quiz]) -> None:
    for quiz in quizzes:
        answer_quiz(page, quiz, correct=False)
        check(page, quiz.id)
        answer_quiz(page, quiz, correct=True)
        check(page, quiz.id)
        root = page.locator(f'[data-quizbook-quiz="{quiz.id}"]')
        for hint in root.locator("details.qb-hint").all():
            hint.locator("summary").click()
        # The explanation and option feedback are unsealed and in the page now, as text.
        expl = root.locator(".qb-expl").all_inner_texts()
        assert len(expl) == len(quiz.questions)
        assert all(VISIBLE in t for t in expl)
        assert any(VISIBLE in t for t in root.locator(".qb-ofb").all_inner_texts())


@pytest.mark.browser
@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_nothing_runs_in_the_browser(hostile: Hostile, browser: Any, edition: str) -> None:
    html = hostile.student_html if edition == "student" else hostile.export / "instructor/html"
    pages = quiz_pages(html)
    assert len(pages) == 5
    with guarded_page(browser) as (page, guard):
        page.add_init_script("window.addEventListener('error', () => {});")
        for path, ids in sorted(pages.items()):
            page.goto(path.as_uri())
            _exercise_page(page, [hostile.quizzes[i] for i in ids])
            notes = page.locator("textarea[data-quizbook-notes]")
            assert notes.count() >= 1
            notes.first.fill(f"My notes {IMG} {SCRIPT}")
            page.reload()
            assert notes.first.input_value() == f"My notes {IMG} {SCRIPT}"
            # Reloaded: saved answers, feedback and explanations render again.
            assert page.locator(".qb-expl").count() > 0
            assert page.evaluate("typeof window.__pwned") == "undefined", path
            assert page.evaluate(LIVE_JS) == [], path
            body = page.locator("body").inner_text()
            assert body.count(VISIBLE) >= 3, path
        page.goto((html / "progress.html").as_uri())
        assert page.locator("[data-progress-quiz]").count() == 5
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate(LIVE_JS) == []
        guard.check()


# -- PDFs, notebooks, LMS files -------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("pdf", ["student/pdf/quizbook-student.pdf",
                                 "instructor/pdf/quizbook-instructor.pdf"])
def test_pdfs_show_payloads_as_text(hostile: Hostile, pdf: str) -> None:
    path = hostile.export / pdf
    text = _squash("".join(page.extract_text() for page in PdfReader(path).pages))
    # Quiz prompts (one per question) and lesson paragraphs: the payload printed as text.
    questions = sum(len(q.questions) for q in hostile.quizzes.values())
    assert text.count(_squash(SCRIPT)) >= questions + 5
    raw = path.read_bytes()
    assert b"/JavaScript" not in raw and b"/JS " not in raw and b"/JS(" not in raw


def _rendered_markdown(source: str) -> Any:
    """A Markdown cell as a notebook front-end renders it: raw HTML allowed."""
    html = MarkdownIt("commonmark", {"html": True}).render(source)
    return lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")


@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_notebooks_hold_payloads_as_text(hostile: Hostile, edition: str) -> None:
    notebooks = sorted((hostile.export / edition / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == 5
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        shown = 0
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            source = "".join(cell["source"])
            fragment = _rendered_markdown(source)
            assert fragment.xpath(LIVE_XPATH.replace("//", ".//")) == [], source[:300]
            shown += fragment.text_content().count(VISIBLE)
        assert shown >= 3, path  # quiz title, a lesson paragraph, a discussion


HTML_TEXT = ".//{*}mattext[@texttype='text/html']"


def _check_html_field(text: str | None) -> int:
    """An HTML field of an LMS file, as Canvas/Moodle render it: no live markup."""
    fragment = lxml.html.fragment_fromstring(text or "<p></p>", create_parent="div")
    assert fragment.xpath(LIVE_XPATH.replace("//", ".//")) == [], text
    return int(fragment.text_content().count(VISIBLE))


def test_qti_escapes_payloads_inside_html(hostile: Hostile) -> None:
    package = hostile.export / "instructor/lms/quizbook-qti.zip"
    shown = fields = 0
    with zipfile.ZipFile(package) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            root = etree.fromstring(archive.read(name))
            for mattext in root.iterfind(HTML_TEXT):
                fields += 1
                shown += _check_html_field(mattext.text)
                if mattext.text and VISIBLE in lxml.html.fragment_fromstring(
                        mattext.text, create_parent="div").text_content():
                    assert "&lt;script&gt;" in mattext.text and "<script" not in mattext.text
            for mattext in root.iterfind(".//{*}mattext"):
                if mattext.get("texttype") != "text/html":
                    assert "<script" not in (mattext.text or "") or \
                        mattext.get("texttype") == "text/plain"
    questions = sum(len(q.questions) for q in hostile.quizzes.values())
    assert fields > questions and shown >= 2 * questions


def test_moodle_escapes_payloads_inside_html(hostile: Hostile) -> None:
    root = etree.parse(str(hostile.export / "instructor/lms/quizbook-moodle.xml")).getroot()
    shown = fields = 0
    for holder in root.iter():
        if holder.get("format") == "html":
            text = holder.findtext("text")
            fields += 1
            shown += _check_html_field(text)
            if text and VISIBLE in lxml.html.fragment_fromstring(
                    text, create_parent="div").text_content():
                assert "&lt;script&gt;" in text and "<script" not in text
    questions = sum(len(q.questions) for q in hostile.quizzes.values())
    assert fields > questions and shown >= 2 * questions
    for tag in root.iter("tag"):
        assert "<script" not in "".join(tag.itertext())


# -- the gradebook ---------------------------------------------------------------------


def test_gradebook_keeps_hostile_students_and_answers_inert(hostile: Hostile,
                                                           tmp_path: Path) -> None:
    quizzes = list(hostile.quizzes.values())
    names = [f"{SCRIPT}Eve", "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "@SUM(A1)", "-2+3"]
    files = []
    for n, name in enumerate(names):
        entries = []
        for quiz in quizzes:
            bundle = make_bundle(quiz)
            rows = []
            for q in quiz.questions:
                response = wrong_response(q) if n % 2 else right_response(q)
                if isinstance(q, model.ShortTextQuestion | model.NumericQuestion):
                    response = f"{IMG} {SCRIPT}"
                o = grade(q, response)
                rows.append({"id": q.id, "points": o.points, "max": o.max_points,
                             "correct": o.correct, "attempts": 1, "response": response})
            entries.append({"quiz": quiz.id, "lesson": quiz.lesson, "version": bundle["version"],
                            "score": sum(r["points"] for r in rows),
                            "max": sum(r["max"] for r in rows), "attempts": 1,
                            "questions": rows})
        path = tmp_path / f"r{n}.json"
        path.write_text(json.dumps({"format": "quizbook-results/1", "student": name,
                                    "exported_at": "2026-11-24T10:00:00Z", "source": "book",
                                    "quizzes": entries}), encoding="utf-8")
        files.append(path)
    out = tmp_path / "gb"
    make_gradebook(files, quizzes, out)
    page = (out / "item-analysis.html").read_text(encoding="utf-8")
    doc = lxml.html.fromstring(page)
    assert doc.xpath(LIVE_XPATH) == [] and not doc.xpath("//script")
    # Wrong answers (option texts with the payload) are listed as text.
    assert VISIBLE in doc.text_content()
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells
               if not re.fullmatch(r"-?\d+(\.\d+)?", cell))
    assert f"{SCRIPT}Eve" in cells and "'=HYPERLINK(\"http://x\",\"y\")" in cells
