"""The deliverer's reads and writes: finding due deliveries, claiming them, recording outcomes.

A claim is a short transaction that takes due deliveries with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (so several replicas never claim the same one; on SQLite the process's writers queue
on ``BEGIN IMMEDIATE``) and leases them: ``attempts`` grows by one and ``next_attempt_at`` moves
past the attempt's timeout, so that a delivery whose process died mid-attempt is claimed again
once its lease ends. The outcome is recorded only if the lease is still this attempt's.

Row-level security hides every tenant row from a connection without an organisation, so the
organisations with due deliveries are found first (on PostgreSQL through the function
``pmo_webhook_due_organisations``, which sees only their ids), then each is claimed with its
organisation set on the connection.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_graph.audit.chain import add_to_chain
from pmo_graph.audit.models import AuditEvent
from pmo_graph.db.row_security import current_organisation
from pmo_graph.db.types import UTCDateTime, utcnow
from pmo_graph.webhooks.models import Webhook, WebhookDelivery, WebhookDeliveryStatus

log = logging.getLogger("pmo_graph.webhooks")

#: The PostgreSQL function (migration 0005) that lists organisations with due deliveries.
DUE_ORGANISATIONS_FUNCTION = "pmo_webhook_due_organisations"
#: How long past an attempt's timeout its lease lasts.
LEASE_MARGIN = timedelta(seconds=30)
#: The longest ``last_error`` kept.
MAX_ERROR_LENGTH = 500

PENDING = WebhookDeliveryStatus.PENDING


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery leased for one attempt, with what sending it needs."""

    id: int
    organisation_id: int
    webhook_id: int
    delivery_id: str
    event_name: str
    payload: dict[str, Any]
    #: The number of this attempt (1 for the first).
    attempt: int
    url: str
    secret: str
    #: The rotated secret, while it still signs beside ``secret``.
    previous_secret: str | None = None
    #: The webhook's deliveries in a row that failed for good, as claimed.
    failure_streak: int = 0


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a status code, or an error before any answer."""

    status_code: int | None
    error: str | None = None
    #: Seconds the receiver asked to wait (``Retry-After`` on 429 or 503).
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        """Whether the receiver accepted it (a 2xx answer)."""
        return self.status_code is not None and 200 <= self.status_code < 300


@asynccontextmanager
async def organisation_transaction(
    sessionmaker: async_sessionmaker[AsyncSession], organisation_id: int | None
) -> AsyncIterator[AsyncSession]:
    """A transaction whose connection is bound to ``organisation_id`` (row-level security)."""
    token = current_organisation.set(organisation_id)
    try:
        async with sessionmaker() as session, session.begin():
            yield session
    finally:
        current_organisation.reset(token)


def _due(now: datetime) -> list[Any]:
    return [
        WebhookDelivery.status == PENDING,
        WebhookDelivery.next_attempt_at <= now,
        Webhook.active.is_(True),
    ]


async def due_organisations(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime, postgres: bool
) -> list[int]:
    """The organisations with deliveries due at ``now`` to active webhooks, in random order."""
    async with organisation_transaction(sessionmaker, None) as session:
        if postgres:
            rows = await session.scalars(
                text(f"SELECT * FROM {DUE_ORGANISATIONS_FUNCTION}(:now)").bindparams(
                    bindparam("now", now, type_=UTCDateTime)
                )
            )
        else:
            rows = await session.scalars(
                select(WebhookDelivery.organisation_id)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                .where(*_due(now))
                .distinct()
            )
        found = [int(row) for row in rows]
    random.shuffle(found)
    return found


async def claim(
    sessionmaker: async_sessionmaker[AsyncSession],
    organisation_id: int,
    now: datetime,
    limit: int,
    busy: Iterable[int],
    lease: timedelta,
) -> list[ClaimedDelivery]:
    """Lease up to ``limit`` due deliveries of one organisation, at most one per webhook and
    none of the webhooks in ``busy`` (this process is sending to them already)."""
    busy = set(busy)
    claimed: list[ClaimedDelivery] = []
    async with organisation_transaction(sessionmaker, organisation_id) as session:
        conditions = [WebhookDelivery.organisation_id == organisation_id, *_due(now)]
        if busy:
            conditions.append(WebhookDelivery.webhook_id.not_in(busy))
        webhook_ids = await session.scalars(
            select(WebhookDelivery.webhook_id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(*conditions)
            .group_by(WebhookDelivery.webhook_id)
            .order_by(func.min(WebhookDelivery.next_attempt_at))
            .limit(limit)
        )
        for webhook_id in list(webhook_ids):
            row = (
                await session.execute(
                    select(
                        WebhookDelivery,
                        Webhook.url,
                        Webhook.secret,
                        Webhook.previous_secret,
                        Webhook.previous_secret_expires_at,
                        Webhook.failure_streak,
                    )
                    .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                    .where(*conditions, WebhookDelivery.webhook_id == webhook_id)
                    .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                    .limit(1)
                    .with_for_update(of=WebhookDelivery, skip_locked=True)
                )
            ).first()
            if row is None:
                continue  # another replica holds it
            delivery, url, secret, previous, previous_until, streak = row
            if previous_until is None or previous_until <= utcnow():
                previous = None
            claimed.append(
                ClaimedDelivery(
                    id=delivery.id,
                    organisation_id=organisation_id,
                    webhook_id=webhook_id,
                    delivery_id=delivery.delivery_id,
                    event_name=delivery.event_name,
                    payload=dict(delivery.payload),
                    attempt=delivery.attempts + 1,
                    url=url,
                    secret=secret,
                    previous_secret=previous,
                    failure_streak=streak,
                )
            )
        if claimed:
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([c.id for c in claimed]))
                .values(
                    attempts=WebhookDelivery.attempts + 1,
                    next_attempt_at=now + lease,
                    last_attempt_at=now,
                )
                .execution_options(synchronize_session=False)
            )
    return claimed


#: Finished deliveries past their retention removed at most per recorded outcome, so that the
#: first prune of a long backlog stays a short transaction (the next outcomes take the rest).
PRUNE_BATCH = 500


async def record(
    sessionmaker: async_sessionmaker[AsyncSession],
    delivery: ClaimedDelivery,
    outcome: Outcome,
    retry_at: datetime | None,
    keep_since: datetime | None = None,
    disable_after: int = 0,
) -> bool:
    """Record an attempt's outcome: delivered, due again at ``retry_at``, or failed for good
    (``retry_at`` None). False when the lease was no longer this attempt's (nothing written).

    With ``keep_since``, the organisation's delivered and failed deliveries created before it
    are deleted in the same transaction (``PRUNE_BATCH`` at most): the outbox keeps
    ``PMO_GRAPH_WEBHOOK_RETENTION_DAYS`` of history, pruned as new deliveries finish.

    A delivery failed for good adds one to its webhook's ``failure_streak``; at
    ``disable_after`` (when not 0) the webhook is switched off and the audit log says why. A
    delivered one sets the streak back to 0."""
    now = utcnow()
    values: dict[str, Any] = {
        "last_status_code": outcome.status_code,
        "last_error": outcome.error[:MAX_ERROR_LENGTH] if outcome.error else None,
    }
    if outcome.delivered:
        values.update(status=WebhookDeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=now)
    elif retry_at is None:
        values.update(status=WebhookDeliveryStatus.FAILED, next_attempt_at=now)
    else:
        values.update(next_attempt_at=retry_at)
    async with organisation_transaction(sessionmaker, delivery.organisation_id) as session:
        result = await session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery.id,
                WebhookDelivery.status == PENDING,
                WebhookDelivery.attempts == delivery.attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        recorded = bool(getattr(result, "rowcount", 0))
        if recorded and retry_at is None:
            await _count_streak(session, delivery, outcome.delivered, disable_after)
        if keep_since is not None:
            await session.execute(_prune(delivery.organisation_id, keep_since))
    return recorded


async def _count_streak(
    session: AsyncSession, delivery: ClaimedDelivery, delivered: bool, disable_after: int
) -> None:
    if delivered:
        if delivery.failure_streak:
            await session.execute(
                update(Webhook).where(Webhook.id == delivery.webhook_id).values(failure_streak=0)
            )
        return
    streak = (
        await session.execute(
            update(Webhook)
            .where(Webhook.id == delivery.webhook_id)
            .values(failure_streak=Webhook.failure_streak + 1)
            .returning(Webhook.failure_streak, Webhook.active)
        )
    ).first()
    if streak is None or not disable_after or not streak[1] or streak[0] < disable_after:
        return
    now = utcnow()
    await session.execute(
        update(Webhook)
        .where(Webhook.id == delivery.webhook_id)
        .values(active=False, disabled_at=now, version=Webhook.version + 1)
    )
    event = AuditEvent(
        organisation_id=delivery.organisation_id,
        at=now,
        actor_user_id=None,
        action="disableFailingWebhook",
        entity_type="Webhook",
        entity_pk=str(delivery.webhook_id),
        changes={
            "active": [True, False],
            "reason": f"{streak[0]} deliveries in a row failed (PMO_GRAPH_WEBHOOK_DISABLE_AFTER).",
        },
    )
    add_to_chain(session, event)
    await session.flush()
    log.warning(
        "webhook %s switched off after %s failed deliveries in a row",
        delivery.webhook_id,
        streak[0],
    )


def _prune(organisation_id: int, keep_since: datetime) -> Any:
    expired = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.organisation_id == organisation_id,
            WebhookDelivery.status != PENDING,
            WebhookDelivery.created_at < keep_since,
        )
        .order_by(WebhookDelivery.id)
        .limit(PRUNE_BATCH)
    )
    return (
        delete(WebhookDelivery)
        .where(WebhookDelivery.id.in_(expired.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )


def lease_length(timeout_seconds: float) -> timedelta:
    """How long a claimed delivery stays with the process that claimed it."""
    return timedelta(seconds=timeout_seconds) + LEASE_MARGIN
