"""The portfolios table."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, TenantMixin, TimestampMixin, VersionedMixin, id_column
from pmo_graph.db.types import BigId


class Portfolio(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A portfolio of projects."""

    __tablename__ = "portfolios"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    manager_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
