"""The people table."""

from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, TenantMixin, TimestampMixin, VersionedMixin, id_column
from pmo_graph.db.integrity import unique


class Person(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A member of staff (who may or may not also be an API user); an email, once given, is
    unique within the organisation (stored lower-cased)."""

    __tablename__ = "people"
    __table_args__ = (
        Index("ix_people_organisation_id_name", "organisation_id", "name"),
        unique(
            "organisation_id",
            "email",
            field="email",
            message="Someone else in the organisation already has this email.",
        ),
    )

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
