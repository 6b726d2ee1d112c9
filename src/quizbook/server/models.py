"""The class database (SQLAlchemy 2 declarative models; Alembic migrations in `migrations/`).

Tables:
- `settings`: the class's own secrets and code (cookie signing key, class code,
  instructor token), made once so that a restart keeps sessions and URLs.
- `students`: who joined (or is on the roster). `uid` is what a session cookie
  names, so a deleted student's cookie can never reach a later student's row.
- `quiz_states`: per quiz, when it was closed for answers (the dashboard of part 2
  opens and closes quizzes; the policy file can give a closing time).
- `attempts`: one row per Check a student sent, keyed by the client's attempt id
  (exactly once), with the reply that was sent back.
- `answers`: one row per question of an attempt (response, points, right/wrong):
  what the live answer distributions, the item analysis and the peer-instruction
  rounds read.
- `rounds`: peer-instruction votes on one question (vote 1, vote 2): when each opened
  and closed, when the key was revealed and when the results were put on the projector.
  A vote is an attempt with `round_id` set (and one answer): it is kept like every
  other answer but never counts as a try or for the grade.

Times are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAME_CHARS = 80
NUMBER_CHARS = 40
CODE_CHARS = 16
ID_CHARS = 64
EMAIL_CHARS = 254

#: Constraint names fixed by convention, so migrations name them the same on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the class database stores aware UTC times")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect
                             ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Student(Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_CHARS))
    #: The name compared case- and space-insensitively: one student per name.
    name_key: Mapped[str] = mapped_column(String(NAME_CHARS), unique=True)
    number: Mapped[str | None] = mapped_column(String(NUMBER_CHARS))
    #: The personal join code (roster slips, or shown after a self-join for rejoining).
    code: Mapped[str] = mapped_column(String(CODE_CHARS), unique=True)
    on_roster: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None for a roster entry nobody has claimed yet.
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: From the roster only (never typed by a student): the address the LMS knows.
    email: Mapped[str | None] = mapped_column(String(EMAIL_CHARS))
    #: From a roster exported by the LMS: its own ids for this student (Canvas: `id`,
    #: `sis_user_id`, `sis_login_id`, `section`), so grades go back to the right row.
    lms: Mapped[Any] = mapped_column(JSON, nullable=True)

    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True)


class QuizState(Base):
    __tablename__ = "quiz_states"

    quiz_id: Mapped[str] = mapped_column(String(ID_CHARS), primary_key=True)
    #: When the quiz stopped taking answers on time (None: open).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Round(Base):
    """One peer-instruction vote on one question (number 1, then 2 after discussion)."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("quiz_id", "question_id", "number",
                         name="uq_rounds_quiz_question_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String(ID_CHARS))
    question_id: Mapped[str] = mapped_column(String(ID_CHARS))
    number: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None while the vote is open.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the instructor revealed the key (projector and students see it from then on).
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the instructor put this vote's results on the projector (only once closed).
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("student_id", "quiz_id", "number",
                         name="uq_attempts_student_quiz_number"),
        Index("ix_attempts_quiz_received", "quiz_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The client-generated attempt id: a resent attempt finds its first copy.
    attempt_uid: Mapped[str] = mapped_column(String(ID_CHARS), unique=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[str] = mapped_column(String(ID_CHARS))
    quiz_version: Mapped[str] = mapped_column(String(ID_CHARS))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per student and quiz
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    #: sha256 of the canonical request (version + responses): a resend must match it.
    request_digest: Mapped[str] = mapped_column(String(64))
    #: The JSON reply sent for this attempt (a resend gets exactly this).
    reply: Mapped[Any] = mapped_column(JSON)
    #: Set for a peer-instruction vote (not a try, never counted for the grade).
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), index=True)

    student: Mapped[Student] = relationship(back_populates="attempts")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Answer.id")


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id", name="uq_answers_attempt_question"),
        Index("ix_answers_quiz_question", "quiz_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(String(ID_CHARS))
    question_id: Mapped[str] = mapped_column(String(ID_CHARS))
    response: Mapped[Any] = mapped_column(JSON)
    answered: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    correct: Mapped[bool] = mapped_column(Boolean)
    #: Per part (option, item, pair) right or wrong, as the grader said.
    parts: Mapped[Any] = mapped_column(JSON)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


__all__ = ["Answer", "Attempt", "Base", "QuizState", "Round", "Setting", "Student", "utcnow"]
