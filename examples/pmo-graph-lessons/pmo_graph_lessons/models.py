"""Tables of the lessons-learned log (created by this plugin's own migration lineage)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.sdk import (
    Base,
    BigId,
    TenantMixin,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    id_column,
)
from pmo_graph_lessons.enums import LessonCategory

TITLE_MAX = 200
TEXT_MAX = 20000


def search_key(title: str, *texts: str | None) -> str:
    """What ``lessons(search:)`` matches: the title and texts, case-folded in Python.

    Folding here rather than with SQL ``lower()``/``ILIKE`` makes the search case-insensitive for
    every script on both databases (SQLite's ``lower()`` only folds ASCII): ``ÜBER`` finds
    ``Überweisung`` and ``STRASSE`` finds ``Straße``. Parts are joined by a line break, which a
    search (a single stripped line) cannot span.
    """
    return "\n".join(part for part in (title, *texts) if part).casefold()


class Lesson(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """Something a project learned that the next project should know."""

    __tablename__ = "lessons"

    #: Increases with every lesson recorded: lists page newest first on it.
    id: Mapped[int] = id_column()
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX), nullable=False)
    what_happened: Mapped[str | None] = mapped_column(Text, nullable=True)
    recommendation: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[LessonCategory] = mapped_column(
        Enum(LessonCategory, native_enum=False, length=20, validate_strings=True),
        nullable=False,
        default=LessonCategory.OTHER,
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: ``search_key(title, what_happened, recommendation)``; never shown.
    search_key: Mapped[str] = mapped_column(Text, nullable=False)


class LessonReview(TenantMixin, TimestampMixin, Base):
    """A lessons review, opened when a project closes and completed by its next lesson.

    A project has one review per closing: reopened before a lesson was recorded, its open review
    is withdrawn; closed again, a new one opens. Only this plugin writes reviews, with
    conditional updates, so they carry no ``version``.
    """

    __tablename__ = "lesson_reviews"
    __table_args__ = (
        Index("ix_lesson_reviews_organisation_id_due_on", "organisation_id", "due_on"),
    )

    id: Mapped[int] = id_column()
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )
    #: The day the project closed (UTC).
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The lesson whose recording completed the review.
    completed_by_lesson_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("lessons.id", ondelete="SET NULL"), nullable=True
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
