"""Everything an instructor exports: editions, PDFs, LMS packages, the archive, the gradebook.

An export is an ordered pipeline of single-purpose steps (`pipeline.py`); each
step is its own module and knows only the core (`quizbook.model`, `quizbook.book`,
`quizbook.results`) and its own output format:

- `editions`  build the student and instructor books with Jupyter Book 1
- `pdf`       print a single-page build to PDF with Chromium
- `qti`       QTI 1.2 package for Canvas (and other QTI 1.2 importers)
- `moodle`    Moodle XML question bank
- `archive`   the instructor zip
- `gradebook` class results -> gradebook CSV + item-analysis report
- `leak`      scan student outputs for instructor-only text
"""
