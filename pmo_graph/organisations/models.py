"""Tables of organisations and their enabled tiers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, id_column
from pmo_graph.db.types import BigId, UTCDateTime, utcnow


class Organisation(Base):
    """A tenant: every row of tenant data belongs to exactly one organisation."""

    __tablename__ = "organisations"
    #: The compiled path scopes this table by its own key (``compiler._tenant_column``).
    __tenant_column__ = "id"

    id: Mapped[int] = id_column()
    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class OrganisationTier(Base):
    """Whether a tier is on for an organisation. Disabling keeps the row (and all tier data)."""

    __tablename__ = "organisation_tiers"
    __table_args__ = (UniqueConstraint("organisation_id", "tier_key"),)

    id: Mapped[int] = id_column()
    organisation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False
    )
    tier_key: Mapped[str] = mapped_column(String(64), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    changed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )
