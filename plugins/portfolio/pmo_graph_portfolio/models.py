"""Tables of the portfolio office (created by this plugin's own migration lineage)."""

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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.sdk import (
    Base,
    BigId,
    Money,
    TenantMixin,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    id_column,
)
from pmo_graph_portfolio.enums import (
    IssueSeverity,
    IssueStatus,
    RiskStatus,
    ScenarioChangeKind,
    ScenarioStatus,
)


def _enum(kind: type) -> Enum:
    return Enum(kind, native_enum=False, length=20, validate_strings=True)


class Risk(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A risk on a project's register."""

    __tablename__ = "risks"
    __table_args__ = (Index("ix_risks_project_id_status", "project_id", "status"),)

    id: Mapped[int] = id_column()
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    probability: Mapped[int] = mapped_column(Integer, nullable=False)
    impact: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[RiskStatus] = mapped_column(_enum(RiskStatus), nullable=False)
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    proximity: Mapped[date | None] = mapped_column(Date, nullable=True)


class BalanceTarget(TenantMixin, Base):
    """The share of a portfolio's budget a category should have."""

    __tablename__ = "balance_targets"
    __table_args__ = (UniqueConstraint("portfolio_id", "category"),)

    id: Mapped[int] = id_column()
    portfolio_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("portfolios.id", ondelete="CASCADE"), nullable=False
    )
    category: Mapped[str] = mapped_column(String(100), nullable=False)
    share: Mapped[float] = mapped_column(Float, nullable=False)


class Scenario(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A what-if reallocation within a portfolio, computed without writing until applied."""

    __tablename__ = "scenarios"

    id: Mapped[int] = id_column()
    portfolio_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("portfolios.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[ScenarioStatus] = mapped_column(_enum(ScenarioStatus), nullable=False)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ScenarioChange(TenantMixin, Base):
    """One change of a scenario, with the versions of what it touches when it was added."""

    __tablename__ = "scenario_changes"

    id: Mapped[int] = id_column()
    scenario_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("scenarios.id", ondelete="CASCADE"), index=True, nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[ScenarioChangeKind] = mapped_column(_enum(ScenarioChangeKind), nullable=False)
    from_project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), nullable=True
    )
    to_project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), nullable=True
    )
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    assignment_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("assignments.id", ondelete="CASCADE"), nullable=True
    )
    allocation: Mapped[float | None] = mapped_column(Float, nullable=True)
    days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Versions seen when the change was added: applying refuses if they moved on.
    from_project_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_project_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assignment_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Issue(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """An issue that may touch several projects and be escalated to a portfolio."""

    __tablename__ = "issues"

    id: Mapped[int] = id_column()
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    severity: Mapped[IssueSeverity] = mapped_column(_enum(IssueSeverity), nullable=False)
    status: Mapped[IssueStatus] = mapped_column(_enum(IssueStatus), nullable=False)
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    escalated_to_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("portfolios.id", ondelete="SET NULL"), index=True, nullable=True
    )
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class IssueProject(TenantMixin, Base):
    """That an issue touches a project."""

    __tablename__ = "issue_projects"
    __table_args__ = (UniqueConstraint("issue_id", "project_id"),)

    id: Mapped[int] = id_column()
    issue_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("issues.id", ondelete="CASCADE"), index=True, nullable=False
    )
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )


class Criterion(TenantMixin, Base):
    """A prioritisation criterion of a portfolio and its weight."""

    __tablename__ = "portfolio_criteria"
    __table_args__ = (UniqueConstraint("portfolio_id", "key"),)

    id: Mapped[int] = id_column()
    portfolio_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("portfolios.id", ondelete="CASCADE"), nullable=False
    )
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    weight: Mapped[float] = mapped_column(Float, nullable=False)


class ProjectScore(TenantMixin, Base):
    """A project's score against one criterion."""

    __tablename__ = "project_scores"
    __table_args__ = (UniqueConstraint("project_id", "criterion"),)

    id: Mapped[int] = id_column()
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )
    criterion: Mapped[str] = mapped_column(String(64), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
