"""Tables of the programme management office (created by this plugin's own migration lineage)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
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
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind


def _enum(kind: type) -> Enum:
    return Enum(kind, native_enum=False, length=20, validate_strings=True)


class Benefit(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A measurable improvement a programme seeks (or a dis-benefit it tolerates)."""

    __tablename__ = "benefits"

    id: Mapped[int] = id_column()
    programme_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programmes.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[BenefitKind] = mapped_column(_enum(BenefitKind), nullable=False)
    category: Mapped[BenefitCategory] = mapped_column(_enum(BenefitCategory), nullable=False)
    measure: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str | None] = mapped_column(String(50), nullable=True)
    baseline: Mapped[float] = mapped_column(Float, nullable=False)
    target: Mapped[float] = mapped_column(Float, nullable=False)
    target_date: Mapped[date] = mapped_column(Date, nullable=False)
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )


class BenefitMeasurement(TenantMixin, Base):
    """A measured value of a benefit on a day."""

    __tablename__ = "benefit_measurements"
    # A benefit's latest measurement (realisation, status) is read by this index.
    __table_args__ = (
        Index("ix_benefit_measurements_benefit_id_measured_on", "benefit_id", "measured_on", "id"),
    )

    id: Mapped[int] = id_column()
    benefit_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("benefits.id", ondelete="CASCADE"), index=True, nullable=False
    )
    measured_on: Mapped[date] = mapped_column(Date, nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class BenefitContribution(TenantMixin, Base):
    """The share of a benefit a project delivers."""

    __tablename__ = "benefit_contributions"
    __table_args__ = (UniqueConstraint("benefit_id", "project_id"),)

    id: Mapped[int] = id_column()
    benefit_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("benefits.id", ondelete="CASCADE"), index=True, nullable=False
    )
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )
    share: Mapped[float] = mapped_column(Float, nullable=False)


class Objective(TenantMixin, Base):
    """A strategic objective of a programme, which benefits serve."""

    __tablename__ = "objectives"

    id: Mapped[int] = id_column()
    programme_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programmes.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)


class BenefitObjective(TenantMixin, Base):
    """That a benefit serves an objective."""

    __tablename__ = "benefit_objectives"
    __table_args__ = (
        unique(
            "benefit_id",
            "objective_id",
            field="objectiveId",
            message="The benefit already serves this objective.",
        ),
    )

    id: Mapped[int] = id_column()
    benefit_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("benefits.id", ondelete="CASCADE"), index=True, nullable=False
    )
    objective_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("objectives.id", ondelete="CASCADE"), index=True, nullable=False
    )


class Tranche(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A stage of a programme's common beat: milestones due within it should fall in it."""

    __tablename__ = "tranches"

    id: Mapped[int] = id_column()
    programme_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programmes.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)


class MilestoneTranche(TenantMixin, Base):
    """Which tranche a milestone belongs to."""

    __tablename__ = "milestone_tranches"

    milestone_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("milestones.id", ondelete="CASCADE"), primary_key=True
    )
    tranche_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tranches.id", ondelete="CASCADE"), index=True, nullable=False
    )


class Dependency(TenantMixin, Base):
    """A milestone (the successor) that cannot happen before another (the predecessor) + lag."""

    __tablename__ = "milestone_dependencies"
    __table_args__ = (
        unique(
            "predecessor_id",
            "successor_id",
            field="successorId",
            message="The successor already waits for this predecessor.",
        ),
    )

    id: Mapped[int] = id_column()
    programme_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programmes.id", ondelete="CASCADE"), index=True, nullable=False
    )
    predecessor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("milestones.id", ondelete="CASCADE"), index=True, nullable=False
    )
    successor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("milestones.id", ondelete="CASCADE"), index=True, nullable=False
    )
    lag_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ProgrammeBeat(TenantMixin, Base):
    """Whether a programme was in step when last checked (to notice it falling out of step)."""

    __tablename__ = "programme_beats"

    programme_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    in_step: Mapped[bool] = mapped_column(Boolean, nullable=False)
