"""The Sphinx extension's output, read as HTML: the DOM contract, no key, offline, editions.

The minimal test book (tests/books/minimal) built in this process (tests/inprocess.py:
Jupyter Book's own configuration, Sphinx without the `jupyter-book` subprocess), once per
edition for the module (`student`, `instructor`, zero warnings as `-W`), checked with lxml.
The quiz, discussion and answer-key markup is also compared with snapshots in
tests/snapshots/ (tests/fragments.py); after a change to the markup that is meant, write
them again and review the diff:

    QUIZBOOK_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_sphinx_build.py

Slow (`-m slow`): the other builders (text, LaTeX) and an incremental rebuild (each one
more build of the book), the course book (no page loads anything from another host), the
one `jupyter-book build` subprocess whose exit status and log are the point (a bad quiz
file), and the check that the in-process build writes, byte for byte, what
`jupyter-book build -W` writes (the session build of tests/conftest.py, which the browser
tests drive).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils.nodes import SkipNode
from lxml import html as lxml_html
from sphinx.config import Config

from quizbook import model
from quizbook.bundle import make_bundle
from quizbook.grade import matching_rights
from quizbook.load import load_quiz
from quizbook.sphinx.discussion import (
    depart_discussion_html,
    visit_discussion_html,
    visit_notes_html,
)
from quizbook.sphinx.nodes import discussion_node, notes_node
from quizbook.sphinx.render import bundle_script
from tests.browser_support import html_pages
from tests.conftest import JUPYTER_BOOK, MINIMAL_BOOK, ROOT
from tests.fragments import assert_snapshot
from tests.inprocess import build, copy_book

MINIMAL_QUIZ = MINIMAL_BOOK / "quizzes" / "m1-all-types.yml"
LESSON = "lessons/01-minimal.html"


@dataclass
class Editions:
    student: Path  # the student edition's html folder
    instructor: Path


def _clean_build(book: Path, config: Path | None = None) -> Path:
    built = build(book, config=config)
    assert (built.status, built.problems) == (0, []), built.warnings  # as -W
    return built.out


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Editions:
    """The minimal book, both editions, each built once for the module in its own copy."""
    tmp = tmp_path_factory.mktemp("minimal")
    student = _clean_build(copy_book(MINIMAL_BOOK, tmp / "student"))
    book = copy_book(MINIMAL_BOOK, tmp / "instructor")
    config = book / "_config_instructor.yml"
    config.write_text((book / "_config.yml").read_text("utf-8").replace(
        "quizbook_edition: student", "quizbook_edition: instructor"), encoding="utf-8")
    return Editions(student, _clean_build(book, config))


@pytest.fixture(scope="module")
def minimal_html(editions: Editions) -> Path:
    return editions.student


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


def test_dom_contract_of_every_question_type(minimal_html: Path) -> None:
    quiz = load_quiz(MINIMAL_QUIZ)
    doc = _doc(minimal_html / LESSON)
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


def test_no_readable_key_in_student_pages_or_search(minimal_html: Path) -> None:
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
    outputs = [*html_pages(minimal_html), minimal_html / "searchindex.js"]
    for path in outputs:
        text = path.read_text("utf-8")
        for secret in secrets:
            assert secret not in text, f"{secret!r} readable in {path.name}"
        assert '"correct"' not in text and "correct:" not in text
    assert not (minimal_html / "_sources").exists()
    page = (minimal_html / LESSON).read_text("utf-8")
    assert "btn-download" not in page and "_sources" not in page


def test_instructor_content_absent_from_every_student_output(minimal_html: Path) -> None:
    out = minimal_html.parent  # _build: everything the build wrote, doctrees included
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-INSTRUCTOR-TEXT" not in data, path
            assert b"p46-1-9" not in data, path


def test_paragraph_numbers_labels_and_refs(minimal_html: Path) -> None:
    doc = _doc(minimal_html / LESSON)
    [box] = css(doc, "#p46-1-1")
    assert "qb-para" in box.get("class")
    assert css(box, ".qb-para-num")[0].text_content() == "¶ 46.1.1"
    refs = [a for a in css(doc, "a") if a.get("href", "").endswith("#p46-1-1")
            and "¶ 46.1.1" in a.text_content()]
    assert len(refs) >= 2  # the number itself and the {ref}
    intro = _doc(minimal_html / "intro.html")
    assert css(intro, "#p0-1 .qb-para-num")[0].text_content() == "¶ 1"


def test_discussion_markup(minimal_html: Path) -> None:
    doc = _doc(minimal_html / LESSON)
    [disc] = css(doc, "[data-quizbook-discussion]")
    text = disc.text_content()
    assert "Think: 2 minutes" in text and "Share: 5 minutes" in text
    assert "air campaign rather than ground troops" in text
    [area] = css(disc, "textarea")
    assert area.get("data-quizbook-notes") == "quizbook:v1:notes:lessons/01-minimal:1"
    assert css(disc, f'label[for="{area.get("id")}"]')


def test_one_script_one_stylesheet_only_where_needed(minimal_html: Path) -> None:
    page = (minimal_html / LESSON).read_text("utf-8")
    scripts = re.findall(r'_static/(quizbook-[0-9a-f]{10}\.js)', page)
    assert len(scripts) == 1 and page.count("_static/quizbook.css") == 1
    # The lesson's script has its quiz's types, its notes box; not the progress table's code.
    text = (minimal_html / "_static" / scripts[0]).read_text("utf-8")
    assert "function mountDiscussion" in text and "function mountProgress" not in text
    progress = re.findall(r'_static/(quizbook-[0-9a-f]{10}\.js)',
                          (minimal_html / "progress.html").read_text("utf-8"))
    assert len(progress) == 1 and progress != scripts
    assert "function mountProgress" in (minimal_html / "_static" / progress[0]).read_text()
    search = (minimal_html / "search.html").read_text("utf-8")
    assert not re.search(r"_static/quizbook[^/\"]*\.js", search)
    # No inlined runtime: the page's own JSON and the one-line mount after the quiz only.
    assert "function sha256" not in page


def test_print_styles_are_linked_for_print_only(minimal_html: Path) -> None:
    """The print styles hold up neither the first paint nor the runtime script (issue 12 §3);
    the class-mode quiz code stays out of a book page's script."""
    page = (minimal_html / LESSON).read_text("utf-8")
    links = re.findall(r'<link [^>]*quizbook(?:-print)?\.css[^>]*>', page)
    assert len(links) == 2
    assert 'media="print"' not in links[0] and "_static/quizbook.css" in links[0]
    assert 'media="print"' in links[1] and "_static/quizbook-print.css" in links[1]
    static = minimal_html / "_static"
    assert "@media print" not in (static / "quizbook.css").read_text("utf-8")
    assert (static / "quizbook-print.css").read_text("utf-8").startswith("@media print{")
    [script] = re.findall(r'_static/(quizbook-[0-9a-f]{10}\.js)', page)
    assert "function mountClassQuiz" not in (static / script).read_text("utf-8")


def _assert_no_request_to_another_host(html_dir: Path) -> None:
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


def test_no_page_of_the_minimal_book_references_another_host(editions: Editions) -> None:
    _assert_no_request_to_another_host(editions.student)
    _assert_no_request_to_another_host(editions.instructor)


def test_no_page_of_the_course_book_references_another_host(student_book_html: Path) -> None:
    _assert_no_request_to_another_host(student_book_html)  # slow: the whole course book


def test_the_inprocess_build_writes_what_the_command_writes(minimal_book_html: Path,
                                                             editions: Editions) -> None:
    """`jupyter-book build -W` of the minimal book (the session build the browser tests use)
    and this module's in-process build write the same files, byte for byte: what the fast
    tests read is what the command makes. Slow: it needs the command's build."""
    def files(html: Path) -> dict[str, bytes]:
        return {p.relative_to(html).as_posix(): p.read_bytes()
                for p in sorted(html.rglob("*")) if p.is_file()}

    command, inprocess = files(minimal_book_html), files(editions.student)
    # `.buildinfo` is Sphinx's stamp for incremental builds, not content. Its `config:` hash
    # came out different in one CI run of 2026-11-30, with both builds' config values alike
    # and the pages identical; the cause was not found. The rest of the file must match.
    for built in (command, inprocess):
        built[".buildinfo"] = re.sub(rb"(?m)^config: [0-9a-f]+$", b"config: -",
                                     built[".buildinfo"])
    assert sorted(command) == sorted(inprocess)
    assert [name for name in command if command[name] != inprocess[name]] == []


# -- the template-made markup stays inert with hostile values ------------------------------------

HOSTILE = 'x"><script>window.__pwned=1</script><!--&amp;\''


def test_notes_box_and_discussion_escape_what_they_are_given() -> None:
    """The notes key comes from the page's name; whatever it holds stays one attribute value."""
    translator = SimpleNamespace(body=[])
    node = discussion_node("", notes_key=HOSTILE, number=3)
    visit_discussion_html(translator, node)  # type: ignore[arg-type]
    with pytest.raises(SkipNode):  # the notes box has no children to visit
        visit_notes_html(translator, notes_node("", notes_key=HOSTILE, number=3))  # type: ignore[arg-type]
    depart_discussion_html(translator, node)  # type: ignore[arg-type]
    markup = "".join(translator.body)
    [section] = lxml_html.fragments_fromstring(markup)
    assert section.get("aria-label") == "Discussion 3" and not section.xpath(".//script")
    [area] = css(section, "textarea")
    assert area.get("data-quizbook-notes") == HOSTILE and area.get("id") == "qb-notes-3"
    assert css(section, 'label[for="qb-notes-3"]')[0].text == \
        "Your notes (kept in this browser only)"
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_a_json_data_block_cannot_be_ended_by_its_data() -> None:
    data = {"prompt": HOSTILE, "list": ["</script>", "<!--", "&"]}
    markup = str(bundle_script(data))
    [script] = lxml_html.fragments_fromstring(markup)
    assert script.tag == "script" and script.get("type") == "application/json"
    assert script.get("data-quizbook-bundle") == "" and len(script) == 0
    assert json.loads(script.text) == data
    assert "</script>" not in markup[:-len("</script>")] and "<!--" not in markup


# -- snapshots of the markup (tests/fragments.py) -----------------------------------------------


def test_quiz_markup_matches_its_snapshot(minimal_html: Path) -> None:
    [quiz] = css(_doc(minimal_html / LESSON), "[data-quizbook-quiz]")
    assert_snapshot("minimal-quiz-student", quiz)


def test_discussion_markup_matches_its_snapshot(minimal_html: Path) -> None:
    [disc] = css(_doc(minimal_html / LESSON), "[data-quizbook-discussion]")
    assert_snapshot("minimal-discussion", disc)


def test_answer_key_markup_matches_its_snapshot(editions: Editions) -> None:
    [key] = css(_doc(editions.instructor / LESSON), "#key-m1-all-types")
    assert_snapshot("minimal-key-instructor", key)


def test_the_quiz_is_the_same_in_both_editions(editions: Editions) -> None:
    """The instructor edition adds the key beside the quiz; the quiz itself is the student's."""
    student, instructor = (css(_doc(html / LESSON), "[data-quizbook-quiz]")[0]
                           for html in (editions.student, editions.instructor))
    assert lxml_html.tostring(student) == lxml_html.tostring(instructor)
    assert not css(_doc(editions.student / LESSON), "#key-m1-all-types")


def test_an_inprocess_build_leaves_the_default_source_suffix_alone(editions: Editions) -> None:
    """Why tests/inprocess.py writes a conf.py with its own `source_suffix`: myst_nb adds ".md"
    to the dict it finds, and Sphinx's default is one dict shared by every build in the
    process. Had the builds above used the default, later in-process builds in this pytest
    process would look for a Markdown parser they never loaded."""
    assert Config.config_values["source_suffix"].default == {".rst": "restructuredtext"}


# -- other builders, an incremental build (each another build of the book) --------------------


@pytest.mark.slow
def test_text_builder_gets_a_readable_quiz_without_the_key(tmp_path: Path) -> None:
    built = build(copy_book(MINIMAL_BOOK, tmp_path / "book"), builder="text")
    assert (built.status, built.problems) == (0, []), built.warnings
    text = " ".join((built.out / "lessons" / "01-minimal.txt").read_text("utf-8").split())
    quiz = load_quiz(MINIMAL_QUIZ)
    for q in quiz.questions:
        assert q.prompt.replace("*", "") in text
    assert "30 September 2015" in text and "Naval support point" in text
    assert "Question 7" in text and "Your notes" not in text
    assert "That is when the uprising began" not in text and "Answer key" not in text


def test_instructor_edition_has_the_complete_key(editions: Editions) -> None:
    html_dir = editions.instructor
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
    """The `jupyter-book` command itself, as `make book` runs it: its exit status and log."""
    book = copy_book(MINIMAL_BOOK, tmp_path / "book")
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
    book = copy_book(MINIMAL_BOOK, tmp_path / "book")
    first = build(book)
    assert (first.status, first.problems) == (0, []), first.warnings
    assert first.read == {"intro", "lessons/01-minimal", "progress"}
    quiz = book / "quizzes" / "m1-all-types.yml"
    quiz.write_text(quiz.read_text("utf-8").replace("Every question type", "All question types"))
    again = build(book, freshenv=False)
    assert (again.status, again.problems) == (0, []), again.warnings
    # The lesson, and the progress page that lists every quiz; nothing else is re-read.
    assert again.read == {"lessons/01-minimal", "progress"}, again.log[-3000:]
    assert "Quiz: All question types" in again.page("lessons/01-minimal")
    assert "All question types" in again.page("progress")


@pytest.mark.slow
def test_latex_builder_gets_the_readable_quiz(tmp_path: Path) -> None:
    built = build(copy_book(MINIMAL_BOOK, tmp_path / "book"), builder="latex")
    assert (built.status, built.problems) == (0, []), built.warnings
    [tex] = [p for p in built.out.glob("*.tex")]
    text = tex.read_text("utf-8")
    assert r"\sphinxstylestrong{Question 7}" in text and "Naval support point" in text
    assert r"\P{} 46.1.1" in text
    assert "uprising" not in text and "Answer key" not in text and "textarea" not in text
