"""The declarative base shared by the core and every plugin, and the common column mixins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from pmo_graph.db.types import BigId, UTCDateTime, utcnow

#: Constraint names are fixed so that migrations can name what they drop, on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every table of the core and of plugins (one shared MetaData)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def id_column() -> Mapped[int]:
    """An auto-incrementing surrogate primary key."""
    return mapped_column(BigId, primary_key=True, autoincrement=True)


class TenantMixin:
    """A row that belongs to one organisation (the tenant)."""

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        return mapped_column(
            BigId, ForeignKey("organisations.id", ondelete="CASCADE"), index=True, nullable=False
        )


class TimestampMixin:
    """``created_at`` and ``updated_at`` in UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class VersionedMixin:
    """Optimistic concurrency: ``version`` starts at 1 and grows by one on every update.

    SQLAlchemy adds ``WHERE version = <old>`` to each UPDATE, so a concurrent writer that
    got there first makes the update fail instead of being silently overwritten.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:
        return {"version_id_col": cls.version}  # type: ignore[attr-defined]
