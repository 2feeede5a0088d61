"""The audit_events table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, TenantMixin, id_column
from pmo_graph.db.types import BigId, UTCDateTime, utcnow


class AuditEvent(TenantMixin, Base):
    """One successful mutation of one entity. Rows are only ever inserted (the database refuses
    UPDATE and DELETE), and each is chained to the one before by its hash (``audit.chain``)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "organisation_id", "entity_type", "entity_pk"),
        UniqueConstraint("organisation_id", "seq"),
    )

    id: Mapped[int] = id_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(
        # No ON DELETE action: a user with audit events stays (the record cannot change).
        BigId,
        ForeignKey("users.id"),
        nullable=True,
    )
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    #: GraphQL type name of the entity, e.g. ``Project``.
    entity_type: Mapped[str] = mapped_column(String(100), nullable=False)
    entity_pk: Mapped[str] = mapped_column(String(100), nullable=False)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: 1, 2, 3 … within the organisation: the event's place in the chain.
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    #: The hash of the event before (``audit.chain.GENESIS`` for the first).
    previous_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    #: SHA-256 (hex) of this event's content and ``previous_hash``.
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
