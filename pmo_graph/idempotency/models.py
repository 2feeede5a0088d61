"""The idempotency_keys table: one row per token and key, kept for a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, id_column
from pmo_graph.db.types import UTCDateTime, utcnow


class IdempotencyKey(Base):
    """A mutation request sent with an ``Idempotency-Key``, and the answer it got.

    Keyed by the token (its digest, never the token) and the client's key, so that two clients
    cannot collide; ``request_hash`` tells a retry from another request under the same key.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = id_column()
    #: The SHA-256 of the bearer token that sent it.
    scope: Mapped[str] = mapped_column(String(64), nullable=False)
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    #: SHA-256 of the request body, keys sorted: the same request sent again.
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    #: ``running`` until the answer is stored, then ``done``.
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
