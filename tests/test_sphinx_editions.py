"""The real book in both editions: instructor text only in the instructor edition.

Sentences are taken from every `{instructor}` block of the lessons and from every
quiz's instructor-only fields; none may appear in any file the student build writes
(HTML, search index, notebooks, doctrees), and all of the `{instructor}` text appears
in the instructor edition, with an answer key after every quiz. Both build the whole
book (slow).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from quizbook import model
from quizbook.load import load_quiz
from tests.conftest import ROOT

FENCE = re.compile(r"^(:{3,})\{instructor\}[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)


def _phrases(text: str) -> list[str]:
    """Distinctive runs of six words from the plain (markup-free) sentences of a text."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if re.search(r"[*_`\[\]{}()<>&\\|#]", sentence):
            continue
        words = sentence.split()
        if len(words) >= 8:
            out.append(" ".join(words[1:7]))
    return out


def _visible_sources() -> str:
    """The Markdown students may see: every page with the instructor blocks cut out."""
    text = " ".join(FENCE.sub(" ", p.read_text("utf-8")) for p in ROOT.glob("*.md"))
    text += " ".join(FENCE.sub(" ", p.read_text("utf-8")) for p in (ROOT / "lessons").glob("*.md"))
    return " ".join(text.split())


def instructor_phrases() -> list[str]:
    phrases = []
    for lesson in sorted((ROOT / "lessons").glob("*.md")):
        for _, body in FENCE.findall(lesson.read_text("utf-8")):
            phrases += _phrases(body)
    return phrases


def quiz_secrets() -> list[str]:
    """Instructor notes, and the sealed feedback and explanations (never readable text)."""
    secrets = []
    for path in sorted((ROOT / "quizzes").glob("*.yml")):
        for q in load_quiz(path).questions:
            for text in (q.instructor_note, q.explanation):
                if text:
                    secrets += _phrases(text)
            if isinstance(q, model.SingleQuestion | model.MultipleQuestion):
                secrets += [p for o in q.options if o.feedback for p in _phrases(o.feedback)]
    return secrets


def _all_text(out: Path) -> str:
    chunks = []
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".txt", ".json", ".inv", ".ipynb",
                                              ".md", ".doctree", ".pickle", ""}:
            chunks.append(path.read_bytes().decode("utf-8", "replace"))
    text = html.unescape(" ".join(" ".join(chunks).split()))
    return text.translate(str.maketrans("‘’“”", "''\"\""))  # Sphinx's smart quotes


@pytest.mark.slow
def test_student_edition_holds_no_instructor_text(student_book_html: Path) -> None:
    phrases = instructor_phrases()
    secrets = quiz_secrets()
    assert len(phrases) >= 5 and len(secrets) >= 10
    visible = _visible_sources()
    everything = _all_text(student_book_html.parent.parent)
    leaked = [p for p in phrases + secrets if p in everything and p not in visible]
    assert not leaked, leaked[:5]


@pytest.mark.slow
def test_instructor_edition_shows_instructor_text_and_keys(instructor_book_html: Path) -> None:
    pages = " ".join(" ".join(p.read_text("utf-8").split())
                     for p in instructor_book_html.rglob("*.html"))
    pages = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", pages)).split())
    pages = pages.translate(str.maketrans("‘’“”", "''\"\""))  # Sphinx's smart quotes
    missing = [p for p in instructor_phrases() if p not in pages]
    assert not missing, missing[:5]
    for path in sorted((ROOT / "quizzes").glob("*.yml")):
        quiz = load_quiz(path)
        lesson = (instructor_book_html / "lessons" / f"{quiz.lesson}.html").read_text("utf-8")
        assert f'id="key-{quiz.id}"' in lesson
        for q in quiz.questions:
            assert f'id="key-{quiz.id}-{q.id}"' in lesson
            assert f'href="#{q.source}"' in lesson or f'#{q.source}"' in lesson, (quiz.id, q.id)
