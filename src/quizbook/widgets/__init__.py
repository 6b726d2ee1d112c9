"""The lesson quiz and discussion notes as ipywidgets, for class notebooks.

`show_quiz(bundle)` shows a quiz from its student bundle (no readable key) and
grades with `quizbook.bundle.bundle_grade`; `notes_box(lesson, key)` shows a
notes area saved next to the notebook. See docs/notebooks.md.
"""

from __future__ import annotations

from quizbook.widgets.notes import NotesBox, notes_box
from quizbook.widgets.quiz import BundleError, QuestionView, QuizWidget, show_quiz

__all__ = ["BundleError", "NotesBox", "QuestionView", "QuizWidget", "notes_box", "show_quiz"]
