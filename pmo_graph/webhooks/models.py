"""The webhooks and webhook_deliveries tables: the registrations and their outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base, TenantMixin, TimestampMixin, VersionedMixin, id_column
from pmo_graph.db.types import BigId, UTCDateTime, utcnow
from pmo_graph.enums import described_enum


@described_enum(
    "Where a webhook delivery is.",
    {
        "PENDING": "Waiting for its next attempt (`nextAttemptAt`), or being sent now.",
        "DELIVERED": "The receiver answered an attempt with a 2xx status.",
        "FAILED": "Every attempt (PMO_GRAPH_WEBHOOK_MAX_ATTEMPTS) failed; "
        "redeliverWebhookDelivery sends it again.",
    },
)
class WebhookDeliveryStatus(enum.Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


class Webhook(TenantMixin, VersionedMixin, TimestampMixin, Base):
    """A URL that receives the organisation's events of the types it subscribed to."""

    __tablename__ = "webhooks"

    id: Mapped[int] = id_column()
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    #: Names of the event types it receives (``pmo_graph.events.EventType.name``).
    event_types: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    #: The HMAC key deliveries are signed with; shown to the ADMIN only when it is made.
    #: Stored sealed (``webhooks.sealing``) when ``PMO_GRAPH_SECRET_KEYS`` is set.
    secret: Mapped[str] = mapped_column(String(512), nullable=False)
    #: The secret before the last rotation, still signing beside the new one until
    #: ``previous_secret_expires_at`` (``rotateWebhookSecret(keepPreviousHours:)``).
    previous_secret: Mapped[str | None] = mapped_column(String(512), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: Deliveries in a row that failed for good (a delivered one sets it back to 0).
    failure_streak: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: When it was switched off for ``failure_streak`` (cleared when switched on again).
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class WebhookDelivery(TenantMixin, Base):
    """One event for one webhook: staged with the mutation, sent (and retried) after commit."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The deliverer's claim: due pending deliveries, oldest first.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        # A webhook's deliveries, newest first.
        Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
    )

    id: Mapped[int] = id_column()
    webhook_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False
    )
    #: Sent as ``PMO-Graph-Delivery`` and as ``deliveryId`` in the body; the same on every retry.
    delivery_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    event_name: Mapped[str] = mapped_column(String(100), nullable=False)
    #: The JSON body sent, exactly.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[WebhookDeliveryStatus] = mapped_column(
        Enum(WebhookDeliveryStatus, native_enum=False, length=16, validate_strings=True),
        nullable=False,
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: When the next attempt is due (PENDING); while an attempt runs, when its lease ends.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
