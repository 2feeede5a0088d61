"""The projects table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, TenantMixin, TimestampMixin, VersionedMixin, id_column
from pmo_graph.db.integrity import unique
from pmo_graph.db.types import BigId, Money
from pmo_graph.projects.enums import ProjectStage


class Project(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A project; ``code`` is unique within its organisation."""

    __tablename__ = "projects"
    __table_args__ = (
        unique(
            "organisation_id",
            "code",
            field="code",
            message="Another project of the organisation already has this code.",
        ),
        Index("ix_projects_portfolio_id", "portfolio_id"),
        Index("ix_projects_programme_id", "programme_id"),
        Index("ix_projects_manager_id", "manager_id"),
    )

    id: Mapped[int] = id_column()
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    stage: Mapped[ProjectStage] = mapped_column(
        Enum(ProjectStage, native_enum=False, length=20, validate_strings=True),
        nullable=False,
        default=ProjectStage.PROPOSED,
    )
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    budget: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    manager_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    sponsor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    portfolio_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("portfolios.id", ondelete="SET NULL"), nullable=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("programmes.id", ondelete="SET NULL"), nullable=True
    )
