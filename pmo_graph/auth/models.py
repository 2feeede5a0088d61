"""Tables of users and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, TenantMixin, id_column
from pmo_graph.db.types import BigId, UTCDateTime, utcnow


class User(TenantMixin, Base):
    """Someone who calls the API. Linked to the organisation's ``Person`` with the same email."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("organisation_id", "email"),)

    id: Mapped[int] = id_column()
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: Role names (values of ``pmo_graph.auth.roles.Role``).
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ApiToken(TenantMixin, Base):
    """A bearer token. Only its SHA-256 digest is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    #: The first characters of the token, to recognise it in listings without revealing it.
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
