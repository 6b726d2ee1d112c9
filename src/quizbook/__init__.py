"""quizbook: teaching modules with offline, accessible, auto-graded quizzes for Jupyter Book 1."""

__version__ = "0.1.0"
