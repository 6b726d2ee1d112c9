"""The optional class server (`quizbook serve`): see docs/class-server.md.

It reuses the core: it serves a class build of the book whose bundles carry no key
(`keyfree`), grades with the reference grader (`quizbook.grade`) on the quiz files,
and stores every attempt with SQLAlchemy (SQLite or PostgreSQL, Alembic migrations).

This package's modules import Starlette and SQLAlchemy lazily from here: importing
`quizbook.server.keyfree` (used by the class build) pulls in no web framework.
"""
