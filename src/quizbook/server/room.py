"""The classroom: everything the app needs, prepared and checked once at start.

`open_classroom(config)` runs the migrations, makes (or reads) the class's secrets,
loads the book's quizzes and their policies and scans the build for key material;
the result is shared by every request (`request.app.state.classroom`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from quizbook.book import open_book
from quizbook.load import QuizFileError
from quizbook.server.db import Database, random_code
from quizbook.server.grading import Catalog
from quizbook.server.keyscan import scan_folder
from quizbook.server.live import Hub
from quizbook.server.models import QuizState, utcnow
from quizbook.server.policy import POLICY_FILE, Policies, load_policies
from quizbook.server.security import RateLimiter, token_tag

MIN_TOKEN_CHARS = 16
DEFAULT_RETENTION = ("Until your instructor deletes it; instructors are asked to delete a "
                     "class's data when the course ends.")


class ServerSetupError(Exception):
    """The server cannot start; the message says what to do."""


@dataclass
class ServerConfig:
    book: Path
    html: Path
    db_url: str
    token: str | None = None
    public_url: str | None = None
    secure_cookies: bool = False
    policy_file: Path | None = None
    retention: str = DEFAULT_RETENTION
    max_body: int = 256_000  # a 200-question quiz of 500-character answers fits
    check_burst: int = 30
    check_per_minute: float = 60.0
    join_burst: int = 10
    join_per_minute: float = 10.0
    scan_keys: bool = True
    #: Seconds the live pages wait to gather changes before one update (at least).
    live_interval: float = 0.5


@dataclass
class Classroom:
    config: ServerConfig
    db: Database
    catalog: Catalog
    policies: Policies
    book_title: str
    class_code: str
    secret: str
    token: str
    check_limits: RateLimiter
    join_limits: RateLimiter
    templates: Environment = field(repr=False)
    hub: Hub = field(default_factory=Hub, repr=False)

    #: One-time projector pairing codes (code -> expiry, time.monotonic()).
    pairings: dict[str, float] = field(default_factory=dict, repr=False)
    #: Results the live pages keep between updates (key -> (time.monotonic(), value)).
    memo: dict[str, tuple[float, Any]] = field(default_factory=dict, repr=False)

    @property
    def instructor_tag(self) -> str:
        """What an instructor's session cookie holds (proves the token, is not it)."""
        return token_tag(self.secret, self.token)

    @property
    def projector_tag(self) -> str:
        """What a paired projector's session cookie holds: the projector view, no more."""
        return token_tag(self.secret, "projector|" + self.token)

    @property
    def form_token(self) -> str:
        """The form token of the instructor's pages. One per class, not per session, so
        that a live update rendered once can carry working forms to every instructor
        screen; it only ever appears on instructor pages (and the Origin check stands)."""
        return token_tag(self.secret, "forms|" + self.token)


def templates() -> Environment:
    return Environment(loader=PackageLoader("quizbook.server", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def _book_title(book: Path) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        config = YAML(typ="safe").load((book / "_config.yml").read_text(encoding="utf-8"))
    except (OSError, YAMLError):
        return "The class book"
    title = config.get("title") if isinstance(config, dict) else None
    return str(title) if title else "The class book"


def open_classroom(config: ServerConfig, db: Database | None = None) -> Classroom:
    """Everything the app needs, checked: raises ServerSetupError with what to do."""
    if not (config.html / "index.html").is_file():
        raise ServerSetupError(f"{config.html}: no class build of the book here; run "
                               "`quizbook class build` (or `make class`) first")
    try:
        quizzes = open_book(config.book).quizzes()
    except QuizFileError as exc:
        raise ServerSetupError(f"the book's quiz files have problems:\n{exc}") from None
    if not quizzes:
        raise ServerSetupError(f"{config.book}: no quizzes in this book")
    policy_file = config.policy_file or config.book / POLICY_FILE
    policies = load_policies(policy_file, [q.id for q in quizzes])
    if config.scan_keys:
        findings = scan_folder(config.html, quizzes)
        if findings:
            shown = "\n".join(str(f) for f in findings[:10])
            raise ServerSetupError(f"{config.html} carries answer keys; it is not a class "
                                   f"build (run `quizbook class build`):\n{shown}")
    if config.token is not None and len(config.token) < MIN_TOKEN_CHARS:
        raise ServerSetupError(f"the instructor token must be at least {MIN_TOKEN_CHARS} "
                               "characters long (it is the instructor's password)")
    db = db or Database(config.db_url, create=True)
    db.migrate()
    secret = db.setting("session_secret", lambda: secrets.token_urlsafe(32))
    class_code = db.setting("class_code", lambda: random_code(6))
    token = config.token or db.setting("instructor_token", lambda: secrets.token_urlsafe(24))
    return Classroom(config, db, Catalog(quizzes), policies, _book_title(config.book),
                     class_code, secret, token,
                     RateLimiter(config.check_burst, config.check_per_minute),
                     RateLimiter(config.join_burst, config.join_per_minute), templates(),
                     Hub(config.live_interval))


def set_closed(db: Database, quiz_id: str, closed: bool) -> None:
    """Close a quiz for answers now (or reopen it). Blocking (through the writer)."""
    db.writer.call(lambda session: close_quiz(session, quiz_id, closed))


def close_quiz(session: Session, quiz_id: str, closed: bool) -> None:
    """The writer's job behind *Close now* / *Reopen*."""
    state = session.get(QuizState, quiz_id)
    now = utcnow()
    if state is None:
        state = QuizState(quiz_id=quiz_id)
        session.add(state)
    state.closed_at = now if closed else None
    state.changed_at = now
