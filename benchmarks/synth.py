"""Generate a synthetic book of N lessons x M questions (all seven types) for scale tests.

The generated book uses the real `_config.yml` of this repository, so it measures
the same extensions, theme and runtime the real book ships.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
TYPES = ("single", "multiple", "true_false", "short_text", "numeric", "ordering", "matching")


def _question(lesson: int, n: int) -> dict[str, object]:
    kind = TYPES[n % len(TYPES)]
    base: dict[str, object] = {
        "id": f"q{n}", "type": kind, "objective": f"lo{n % 2 + 1}", "source": f"p{lesson}-{n % 4}",
        "prompt": f"Question {n} of lesson {lesson}: which statement fits paragraph {n % 4}?",
        "explanation": f"Paragraph {n % 4} of lesson {lesson} says so.",
        "instructor_note": f"Note for question {n}.",
    }
    if kind in ("single", "multiple"):
        base["options"] = [
            {"id": o, "text": f"Option {o} for question {n}", "feedback": f"Because {o}.",
             "correct": (o == "abcd"[n % 4]) or (kind == "multiple" and o == "abcd"[(n + 1) % 4])}
            for o in "abcd"]
    elif kind == "true_false":
        base["answer"] = n % 2 == 0
        base["feedback"] = {"true": "See the paragraph.", "false": "See the paragraph."}
    elif kind == "short_text":
        base["accept"] = [f"answer{n}", f"reply{n}"]
        base["feedback"] = {"correct": "Yes.", "incorrect": "No."}
    elif kind == "numeric":
        base["answer"] = 2000 + n
        base["tolerance"] = 0
        base["feedback"] = {"correct": "Yes.", "incorrect": "No."}
    elif kind == "ordering":
        base["items"] = [{"id": f"i{k}", "text": f"Event {k} of question {n}"} for k in range(4)]
        base["feedback"] = {"correct": "Yes.", "incorrect": "No."}
    else:
        base["pairs"] = [{"id": f"m{k}", "left": f"Place {k} ({n})", "right": f"Role {k} ({n})"}
                         for k in range(4)]
        base["distractors"] = [f"Decoy ({n})"]
        base["feedback"] = {"correct": "Yes.", "incorrect": "No."}
    return base


def make_book(dest: Path, lessons: int, questions: int, *, with_quizzes: bool = True) -> Path:
    """Write a book into `dest` (created) and return it."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "_config.yml", dest / "_config.yml")
    (dest / "lessons").mkdir(exist_ok=True)
    (dest / "quizzes").mkdir(exist_ok=True)
    (dest / "intro.md").write_text("# Synthetic book\n\nFor benchmarks.\n", encoding="utf-8")
    (dest / "progress.md").write_text("# My progress\n\n```{quiz-progress}\n```\n",
                                      encoding="utf-8")
    yaml = YAML()
    chapters = []
    for lesson in range(lessons):
        name = f"{lesson:02d}-lesson"
        chapters.append({"file": f"lessons/{name}"})
        paragraphs = "\n".join(
            f":::{{para}} p{lesson}-{k}\nParagraph {k} of lesson {lesson}. " + "Text. " * 60
            + "\n:::\n" for k in range(4))
        extra = ""
        if with_quizzes:
            extra = (":::{discussion}\n:minutes: think 2, pair 3, share 5\n"
                     f"What does lesson {lesson} leave out?\n:::\n\n"
                     f"```{{quiz}} ../quizzes/{name}.yml\n```\n")
        (dest / "lessons" / f"{name}.md").write_text(
            f"# Lesson {lesson}\n\n{paragraphs}\n{extra}", encoding="utf-8")
        quiz = {"id": f"l{lesson}-quiz", "lesson": name, "title": f"Lesson {lesson}",
                "objectives": [{"id": "lo1", "text": "Recall."}, {"id": "lo2", "text": "Explain."}],
                "questions": [_question(lesson, n) for n in range(questions)]}
        with (dest / "quizzes" / f"{name}.yml").open("w", encoding="utf-8") as handle:
            yaml.dump(quiz, handle)
    chapters.append({"file": "progress"})
    with (dest / "_toc.yml").open("w", encoding="utf-8") as handle:
        yaml.dump({"format": "jb-book", "root": "intro", "chapters": chapters}, handle)
    return dest
