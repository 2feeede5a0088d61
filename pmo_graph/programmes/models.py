"""The programmes table."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, TenantMixin, TimestampMixin, VersionedMixin, id_column
from pmo_graph.db.types import BigId


class Programme(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A programme: projects that share a vision and a director."""

    __tablename__ = "programmes"
    __table_args__ = (Index("ix_programmes_portfolio_id", "portfolio_id"),)

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    vision: Mapped[str | None] = mapped_column(Text, nullable=True)
    director_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    portfolio_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("portfolios.id", ondelete="SET NULL"), nullable=True
    )
