"""The one student-facing quiz runtime (JavaScript + CSS), for the book and the notebooks.

See `quizbook.runtime.build` for how its two shapes are made and docs/contracts.md
("Runtime") for its hosts and its grading interface.
"""
