"""The Sphinx extension's output, read as HTML: the DOM contract, no key, offline, editions.

Real builds (the minimal test book and the real book), checked with lxml. The
browser tests drive the same pages.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.grade import matching_rights
from quizbook.load import load_quiz
from tests.browser_support import html_pages
from tests.conftest import JUPYTER_BOOK, MINIMAL_BOOK, ROOT, build_book

MINIMAL_QUIZ = MINIMAL_BOOK / "quizzes" / "m1-all-types.yml"
LESSON = "lessons/01-minimal.html"


def _doc(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_text("utf-8"))


def css(el: lxml_html.HtmlElement, selector: str) -> list[lxml_html.HtmlElement]:
    """A tiny CSS subset (tag, #id, .class, [attr], [attr="v"], descendant) via XPath."""
    xpath = "."
    for part in selector.split():
        m = re.fullmatch(r"([a-z0-9*]*)(#[\w-]+)?((?:\.[\w-]+)*)((?:\[[^\]]+\])*)", part)
        assert m, part
        tag, ident, classes, attrs = m.groups()
        cond = []
        if ident:
            cond.append(f"@id='{ident[1:]}'")
        for c in filter(None, classes.split(".")):
            cond.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {c} ')")
        for a in re.findall(r"\[([^\]]+)\]", attrs):
            name, _, value = a.partition("=")
            cond.append(f"@{name}={value}" if value else f"@{name}")
        xpath += f"//{tag or '*'}" + "".join(f"[{c}]" for c in cond)
    return el.xpath(xpath)


def test_dom_contract_of_every_question_type(minimal_book_html: Path) -> None:
    quiz = load_quiz(MINIMAL_QUIZ)
    doc = _doc(minimal_book_html / LESSON)
    [root] = css(doc, f'[data-quizbook-quiz="{quiz.id}"]')
    bundle = json.loads(css(root, "script[data-quizbook-bundle]")[0].text)
    assert bundle == json.loads(json.dumps(make_bundle(quiz)))
    for q in quiz.questions:
        [fs] = css(root, f'[data-question-id="{q.id}"]')
        assert fs.tag == "fieldset" and fs[0].tag == "legend"
        controls = fs.xpath(".//input|.//select|.//textarea")
        assert controls
        for c in controls:
            labels = css(fs, f'label[for="{c.get("id")}"]')
            assert len(labels) == 1 and labels[0].text_content().strip(), (q.id, c.get("id"))
        kinds = {c.get("type") or c.tag for c in controls}
        if isinstance(q, model.SingleQuestion):
            assert kinds == {"radio"} and len(controls) == len(q.options)
        elif isinstance(q, model.MultipleQuestion):
            assert kinds == {"checkbox"} and len(controls) == len(q.options)
        elif isinstance(q, model.TrueFalseQuestion):
            assert kinds == {"radio"}
            assert [css(fs, f'label[for="{c.get("id")}"]')[0].text_content()
                    for c in controls] == ["True", "False"]
        elif isinstance(q, model.ShortTextQuestion | model.NumericQuestion):
            assert kinds == {"text"} and len(controls) == 1
        elif isinstance(q, model.OrderingQuestion):
            assert kinds == {"select"}
            assert {c.get("data-item-id") for c in controls} == {i.id for i in q.items}
            for c in controls:
                assert [o.text for o in css(c, "option")][1:] == \
                    [str(n) for n in range(1, len(q.items) + 1)]
        else:
            assert isinstance(q, model.MatchingQuestion)
            assert kinds == {"select"}
            assert {c.get("data-item-id") for c in controls} == {p.id for p in q.pairs}
            texts = sorted(t for _, t in matching_rights(q))
            for c in controls:
                assert sorted(o.text for o in css(c, "option")[1:]) == texts
    assert len(css(root, 'button[data-quizbook-action="check"]')) == 1
    [score] = css(root, "[data-quizbook-score]")
    assert score.get("data-max") == f"{quiz.max_points:g}" and score.get("data-score") == "0"
    assert score.text_content() == f"0 / {quiz.max_points:g}"
    assert css(root, ".qb-fb[aria-live]")
    assert "Checking answers needs JavaScript" in root.text_content()


def test_no_readable_key_in_student_pages_or_search(minimal_book_html: Path) -> None:
    quiz = load_quiz(MINIMAL_QUIZ)
    secrets = []
    for q in quiz.questions:
        secrets += [q.explanation, q.instructor_note]
        if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
            secrets += [o.feedback for o in q.options]
        if isinstance(q, model.ShortTextQuestion):
            secrets += [a for a in q.accept if a != "Khmeimim"]  # Khmeimim is also an option
    secrets = [s for s in secrets if s]
    assert len(secrets) > 5
    outputs = [*html_pages(minimal_book_html), minimal_book_html / "searchindex.js"]
    for path in outputs:
        text = path.read_text("utf-8")
        for secret in secrets:
            assert secret not in text, f"{secret!r} readable in {path.name}"
        assert '"correct"' not in text and "correct:" not in text
    assert not (minimal_book_html / "_sources").exists()
    page = (minimal_book_html / LESSON).read_text("utf-8")
    assert "btn-download" not in page and "_sources" not in page


def test_instructor_content_absent_from_every_student_output(minimal_book_html: Path) -> None:
    out = minimal_book_html.parent.parent  # everything the build wrote, doctrees included
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-INSTRUCTOR-TEXT" not in data, path
            assert b"p46-1-9" not in data, path


def test_paragraph_numbers_labels_and_refs(minimal_book_html: Path) -> None:
    doc = _doc(minimal_book_html / LESSON)
    [box] = css(doc, "#p46-1-1")
    assert "qb-para" in box.get("class")
    assert css(box, ".qb-para-num")[0].text_content() == "¶ 46.1.1"
    refs = [a for a in css(doc, "a") if a.get("href", "").endswith("#p46-1-1")
            and "¶ 46.1.1" in a.text_content()]
    assert len(refs) >= 2  # the number itself and the {ref}
    intro = _doc(minimal_book_html / "intro.html")
    assert css(intro, "#p0-1 .qb-para-num")[0].text_content() == "¶ 1"


def test_discussion_markup(minimal_book_html: Path) -> None:
    doc = _doc(minimal_book_html / LESSON)
    [disc] = css(doc, "[data-quizbook-discussion]")
    text = disc.text_content()
    assert "Think: 2 minutes" in text and "Share: 5 minutes" in text
    assert "air campaign rather than ground troops" in text
    [area] = css(disc, "textarea")
    assert area.get("data-quizbook-notes") == "quizbook:v1:notes:lessons/01-minimal:1"
    assert css(disc, f'label[for="{area.get("id")}"]')


def test_one_script_one_stylesheet_only_where_needed(minimal_book_html: Path) -> None:
    page = (minimal_book_html / LESSON).read_text("utf-8")
    scripts = re.findall(r'_static/(quizbook-[0-9a-f]{10}\.js)', page)
    assert len(scripts) == 1 and page.count("_static/quizbook.css") == 1
    # The lesson's script has its quiz's types, its notes box; not the progress table's code.
    text = (minimal_book_html / "_static" / scripts[0]).read_text("utf-8")
    assert "function mountDiscussion" in text and "function mountProgress" not in text
    progress = re.findall(r'_static/(quizbook-[0-9a-f]{10}\.js)',
                          (minimal_book_html / "progress.html").read_text("utf-8"))
    assert len(progress) == 1 and progress != scripts
    assert "function mountProgress" in (minimal_book_html / "_static" / progress[0]).read_text()
    search = (minimal_book_html / "search.html").read_text("utf-8")
    assert not re.search(r"_static/quizbook[^/\"]*\.js", search)
    # No inlined runtime: the page's own JSON and the one-line mount after the quiz only.
    assert "function sha256" not in page


def test_print_styles_are_linked_for_print_only(minimal_book_html: Path) -> None:
    """The print styles hold up neither the first paint nor the runtime script (issue 12 §3);
    the class-mode quiz code stays out of a book page's script."""
    page = (minimal_book_html / LESSON).read_text("utf-8")
    links = re.findall(r'<link [^>]*quizbook(?:-print)?\.css[^>]*>', page)
    assert len(links) == 2
    assert 'media="print"' not in links[0] and "_static/quizbook.css" in links[0]
    assert 'media="print"' in links[1] and "_static/quizbook-print.css" in links[1]
    static = minimal_book_html / "_static"
    assert "@media print" not in (static / "quizbook.css").read_text("utf-8")
    assert (static / "quizbook-print.css").read_text("utf-8").startswith("@media print{")
    [script] = re.findall(r'_static/(quizbook-[0-9a-f]{10}\.js)', page)
    assert "function mountClassQuiz" not in (static / script).read_text("utf-8")


@pytest.mark.slow  # the build fixture is asked for by name: not seen at collection
@pytest.mark.parametrize("fixture", ["minimal_book_html", "student_book_html"])
def test_no_page_references_another_host(request: pytest.FixtureRequest, fixture: str) -> None:
    html_dir: Path = request.getfixturevalue(fixture)
    pages = html_pages(html_dir)
    assert len(pages) >= 3
    for path in pages:
        doc = _doc(path)
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("src", "href", "data"):
                value = el.get(attr) or ""
                if el.tag == "a" and attr == "href":
                    continue  # links a reader may follow are not requests
                assert not re.match(r"^(https?:)?//", value), \
                    f"{path.name}: <{el.tag} {attr}={value}>"
        text = path.read_text("utf-8")
        assert "thebe" not in text.lower() or "thebe" not in "".join(
            s.text or "" for s in css(doc, "script")).lower(), path.name
        assert "cdn." not in text and "require.js" not in text and "mathjax" not in text.lower(), \
            path.name


@pytest.mark.slow
def test_text_builder_gets_a_readable_quiz_without_the_key(tmp_path: Path) -> None:
    out = tmp_path / "text"
    proc = subprocess.run([str(JUPYTER_BOOK), "build", str(MINIMAL_BOOK), "--path-output", str(out),
                           "--builder", "custom", "--custom-builder", "text", "-W", "-n"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = " ".join((out / "_build" / "text" / "lessons" / "01-minimal.txt").read_text("utf-8")
                    .split())
    quiz = load_quiz(MINIMAL_QUIZ)
    for q in quiz.questions:
        assert q.prompt.replace("*", "") in text
    assert "30 September 2015" in text and "Naval support point" in text
    assert "Question 7" in text and "Your notes" not in text
    assert "That is when the uprising began" not in text and "Answer key" not in text


@pytest.mark.slow
def test_instructor_edition_has_the_complete_key(tmp_path: Path) -> None:
    config = (MINIMAL_BOOK / "_config.yml").read_text("utf-8")
    book = tmp_path / "book"
    shutil.copytree(MINIMAL_BOOK, book, ignore=shutil.ignore_patterns("_build"))
    (book / "_config_instructor.yml").write_text(
        config.replace("quizbook_edition: student", "quizbook_edition: instructor"))
    html_dir = build_book(book, tmp_path / "out", "--config", str(book / "_config_instructor.yml"))
    page = (html_dir / LESSON).read_text("utf-8")
    assert "SECRET-INSTRUCTOR-TEXT" in page and 'id="p46-1-9"' in page
    doc = _doc(html_dir / LESSON)
    [key] = css(doc, "#key-m1-all-types")
    text = key.text_content()
    quiz = load_quiz(MINIMAL_QUIZ)
    for q in quiz.questions:
        [item] = css(key, f"#key-m1-all-types-{q.id}")
        t = item.text_content()
        assert "Answer:" in t and "Objective:" in t and "Source:" in t
        link = css(item, "a[href]")
        assert any(a.get("href").endswith(f"#{q.source}") for a in link), q.id
    assert "Students often say 2011" in text  # instructor_note
    assert "The first strikes were flown on 30 September 2015." in text  # explanation
    assert "That is the end of the battle of Aleppo." in text  # why a wrong option is wrong
    assert "Khmeimim / Hmeimim" in text and "2015" in text


def test_instructor_config_differs_only_in_edition_and_title() -> None:
    def significant(path: Path) -> list[str]:
        return [line for line in path.read_text("utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("#")
                and not line.startswith("title:") and "quizbook_edition" not in line]

    assert significant(ROOT / "_config.yml") == significant(ROOT / "_config_instructor.yml")
    assert "quizbook_edition: instructor" in (ROOT / "_config_instructor.yml").read_text("utf-8")
    assert "quizbook_edition: student" in (ROOT / "_config.yml").read_text("utf-8")


@pytest.mark.slow
def test_bad_quiz_file_is_a_warning_naming_file_line_and_field(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(MINIMAL_BOOK, book, ignore=shutil.ignore_patterns("_build"))
    quiz = book / "quizzes" / "m1-all-types.yml"
    quiz.write_text(quiz.read_text("utf-8").replace("    type: numeric\n", "    type: numeric\n"
                                                    "    tolerance: -3\n", 1))
    # As `make book` runs it (-W --keep-going): every problem reported, then a failure.
    proc = subprocess.run([str(JUPYTER_BOOK), "build", str(book), "--path-output",
                           str(tmp_path / "o"), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert re.search(r"lessons/01-minimal\.md:\d+: WARNING: quizzes/m1-all-types\.yml:\d+:\d+: "
                     r"questions\[4\]\.tolerance: ", log), log[-3000:]
    assert "Traceback" not in log


@pytest.mark.slow
def test_editing_a_quiz_rebuilds_only_its_page(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(MINIMAL_BOOK, book, ignore=shutil.ignore_patterns("_build"))
    build_book(book, book)
    quiz = book / "quizzes" / "m1-all-types.yml"
    quiz.write_text(quiz.read_text("utf-8").replace("Every question type", "All question types"))
    proc = subprocess.run([str(JUPYTER_BOOK), "build", str(book), "-W", "-n"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    # The lesson, and the progress page that lists every quiz; nothing else is re-read.
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
    read = set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", log))
    assert read == {"lessons/01-minimal", "progress"}, log[-3000:]
    page = (book / "_build" / "html" / LESSON).read_text("utf-8")
    assert "Quiz: All question types" in page
    progress = (book / "_build" / "html" / "progress.html").read_text("utf-8")
    assert "All question types" in progress


@pytest.mark.slow
def test_latex_builder_gets_the_readable_quiz(tmp_path: Path) -> None:
    out = tmp_path / "latex"
    proc = subprocess.run([str(JUPYTER_BOOK), "build", str(MINIMAL_BOOK), "--path-output", str(out),
                           "--builder", "latex", "-W", "-n"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [tex] = [p for p in (out / "_build" / "latex").glob("*.tex")]
    text = tex.read_text("utf-8")
    assert r"\sphinxstylestrong{Question 7}" in text and "Naval support point" in text
    assert r"\P{} 46.1.1" in text
    assert "uprising" not in text and "Answer key" not in text and "textarea" not in text
