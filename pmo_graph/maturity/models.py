"""The tables of self-assessments: one row per assessment, one per answer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, TenantMixin, id_column
from pmo_graph.db.types import BigId, UTCDateTime, utcnow

QUESTION_KEY_MAX = 64


class MaturityAssessment(TenantMixin, Base):
    """A self-assessment submitted on a day; rows are only ever inserted."""

    __tablename__ = "maturity_assessments"
    __table_args__ = (
        Index(
            "ix_maturity_assessments_organisation_id_assessed_on", "organisation_id", "assessed_on"
        ),
    )

    id: Mapped[int] = id_column()
    assessed_on: Mapped[date] = mapped_column(Date, nullable=False)
    submitted_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class MaturityAnswer(TenantMixin, Base):
    """The score (1 to 5) an assessment gave one question."""

    __tablename__ = "maturity_answers"
    __table_args__ = (UniqueConstraint("assessment_id", "question_key"),)

    id: Mapped[int] = id_column()
    assessment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("maturity_assessments.id", ondelete="CASCADE"), index=True, nullable=False
    )
    question_key: Mapped[str] = mapped_column(String(QUESTION_KEY_MAX), nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
