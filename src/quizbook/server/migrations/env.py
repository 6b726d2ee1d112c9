"""Alembic environment for the class database.

`quizbook.server.db.Database.migrate` passes an open connection in
`config.attributes["connection"]`; the `alembic` command line can instead use
`-x url=...` (see docs/class-server.md, "Upgrading").
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from quizbook.server.db import normalise_url
from quizbook.server.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(connection=connection,  # type: ignore[arg-type]
                      target_metadata=target_metadata,
                      # SQLite changes columns by copying the table: batch mode does that.
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give the database: alembic -x url=sqlite:///_class/class.db upgrade head")
    engine = create_engine(normalise_url(url))
    with engine.begin() as opened:
        _run(opened)
