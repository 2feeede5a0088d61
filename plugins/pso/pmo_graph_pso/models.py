"""Tables of the project support office (created by this plugin's own migration lineage)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.sdk import (
    Base,
    BigId,
    TenantMixin,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    id_column,
    unique,
    utcnow,
)
from pmo_graph_pso.enums import Rag, SupportKind

RAG = Enum(Rag, native_enum=False, length=8, validate_strings=True)


class PsoSettings(Base):
    """Per organisation: how often projects must report."""

    __tablename__ = "pso_settings"

    organisation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    reporting_cadence_days: Mapped[int] = mapped_column(Integer, nullable=False, default=14)


class StatusReport(TenantMixin, Base):
    """A project's status at the end of a period. Never changed once submitted."""

    __tablename__ = "status_reports"
    __table_args__ = (
        unique(
            "project_id",
            "period_ending",
            field="periodEnding",
            message="The project already has a report for this period.",
        ),
        Index("ix_status_reports_project_id_period_ending", "project_id", "period_ending"),
    )

    id: Mapped[int] = id_column()
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
    )
    period_ending: Mapped[date] = mapped_column(Date, nullable=False)
    overall: Mapped[Rag] = mapped_column(RAG, nullable=False)
    schedule: Mapped[Rag | None] = mapped_column(RAG, nullable=True)
    cost: Mapped[Rag | None] = mapped_column(RAG, nullable=True)
    scope: Mapped[Rag | None] = mapped_column(RAG, nullable=True)
    resources: Mapped[Rag | None] = mapped_column(RAG, nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Milestone(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A dated step of a project, with its baseline kept for measuring slip."""

    __tablename__ = "milestones"

    id: Mapped[int] = id_column()
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    baseline_date: Mapped[date] = mapped_column(Date, nullable=False)
    forecast_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    actual_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class PersonSkill(TenantMixin, Base):
    """A skill a person has, at a level from 1 (aware) to 5 (expert)."""

    __tablename__ = "person_skills"
    __table_args__ = (
        unique(
            "person_id",
            "skill_key",
            field="skill",
            message="The person already has this skill; change its level instead.",
        ),
        Index("ix_person_skills_organisation_id_skill_key", "organisation_id", "skill_key"),
    )

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    )
    skill: Mapped[str] = mapped_column(String(100), nullable=False)
    #: ``skill`` folded to lower case: skills match regardless of case.
    skill_key: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False)


class PersonCapacity(TenantMixin, Base):
    """How much of a full-time person someone is available for (1.0 when no row)."""

    __tablename__ = "person_capacities"

    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    capacity: Mapped[float] = mapped_column(Float, nullable=False)


class Assignment(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A person working a fraction of their time on a project between two dates (inclusive)."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_person_id_start_date", "person_id", "start_date"),)

    id: Mapped[int] = id_column()
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    )
    role: Mapped[str] = mapped_column(String(100), nullable=False)
    allocation: Mapped[float] = mapped_column(Float, nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    #: Set by releaseAssignment: the assignment no longer counts anywhere, but is kept.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProjectTemplate(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A reusable project shape: its milestones, offset from the start date."""

    __tablename__ = "project_templates"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class TemplateMilestone(TenantMixin, Base):
    """A milestone of a template, ``offset_days`` after the project's start."""

    __tablename__ = "project_template_milestones"

    id: Mapped[int] = id_column()
    template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("project_templates.id", ondelete="CASCADE"), index=True, nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    offset_days: Mapped[int] = mapped_column(Integer, nullable=False)


class SupportEngagement(TenantMixin, Base):
    """Coaching, a workshop, guidance or an assurance review the office gave someone."""

    __tablename__ = "support_engagements"

    id: Mapped[int] = id_column()
    kind: Mapped[SupportKind] = mapped_column(
        Enum(SupportKind, native_enum=False, length=20, validate_strings=True), nullable=False
    )
    project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=True
    )
    recipient_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="CASCADE"), index=True, nullable=False
    )
    facilitator_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    #: The day it took place (``date`` in the API).
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2, asdecimal=True), nullable=False)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
