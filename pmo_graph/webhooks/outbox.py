"""Staging deliveries: the outbox rows a write transaction adds for its events.

Written in the mutation's own transaction, so a delivery exists exactly when its event
committed; the deliverer sends it afterwards, and the mutation never waits for a receiver.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

import orjson
from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.db.types import utcnow
from pmo_graph.events import DomainEvent, EventType
from pmo_graph.ids import to_global_id
from pmo_graph.request.app import App
from pmo_graph.webhooks.models import Webhook, WebhookDelivery, WebhookDeliveryStatus

if TYPE_CHECKING:
    from pmo_graph.request.transaction import Transaction


class Nudges(Protocol):
    """What sends staged deliveries (``WebhookDeliverer``)."""

    async def nudge(self) -> None: ...


class OutboxApp(App, Protocol):
    """The app as the outbox uses it: the deliverer to wake after commit."""

    @property
    def webhooks(self) -> Nudges: ...


def deliverable(
    events: Sequence[DomainEvent],
    organisation_id: int,
    event_types: Mapping[str, EventType],
    enabled_tiers: frozenset[str],
) -> list[DomainEvent]:
    """The events an organisation's webhooks may receive: registered types, of tiers it has on."""
    found = []
    for event in events:
        event_type = event_types.get(event.name)
        if event_type is None or event.organisation_id != organisation_id:
            continue
        if event_type.tier is not None and event_type.tier not in enabled_tiers:
            continue
        found.append(event)
    return found


def delivery_body(event: DomainEvent, delivery_id: str) -> dict[str, Any]:
    """The JSON body a webhook receives for ``event`` (docs/api.md#the-body).

    ``data`` is the event's data as its code emitted it: numbers in it are database keys (the
    entity's global id is ``entity.id``).
    """
    return {
        "deliveryId": delivery_id,
        "event": event.name,
        "occurredAt": event.occurred_at.isoformat(),
        "organisation": to_global_id("Organisation", event.organisation_id),
        "entity": {
            "type": event.entity_type,
            "id": to_global_id(event.entity_type, event.entity_pk),
        },
        "actor": to_global_id("User", event.actor_user_id) if event.actor_user_id else None,
        "data": json_safe(event.data),
    }


def json_safe(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` as plain JSON values (dates as ISO strings, anything else unknown as text)."""
    value: dict[str, Any] = orjson.loads(orjson.dumps(dict(data), default=str))
    return value


# Built once: a statement object keeps its compiled form between executions (every mutation).
# FOR KEY SHARE: a webhook deleted by a transaction under way is waited for and then left out,
# and its deletion waits for the deliveries staged for it, instead of the mutation failing on
# the deliveries' foreign key. It does not hold back an update of the webhook.
_ACTIVE_WEBHOOKS = (
    select(Webhook.id, Webhook.event_types)
    .where(Webhook.organisation_id == bindparam("organisation"), Webhook.active.is_(True))
    .with_for_update(read=True, key_share=True)
)


async def stage_deliveries(
    session: AsyncSession,
    organisation_id: int,
    events: Sequence[DomainEvent],
    event_types: Mapping[str, EventType],
    enabled_tiers: frozenset[str],
) -> int:
    """Add one pending delivery per event and active webhook subscribed to it; how many.

    Costs nothing when no event may be delivered, one SELECT when the organisation has no active
    webhook, and one INSERT more when it has.
    """
    candidates = deliverable(events, organisation_id, event_types, enabled_tiers)
    if not candidates:
        return 0
    webhooks = (await session.execute(_ACTIVE_WEBHOOKS, {"organisation": organisation_id})).all()
    now = utcnow()
    rows = []
    for event in candidates:
        for webhook_id, subscribed in webhooks:
            if event.name not in subscribed:
                continue
            delivery_id = uuid.uuid4().hex
            rows.append(
                {
                    "organisation_id": organisation_id,
                    "webhook_id": webhook_id,
                    "delivery_id": delivery_id,
                    "event_name": event.name,
                    "payload": delivery_body(event, delivery_id),
                    "status": WebhookDeliveryStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    if rows:
        await session.execute(insert(WebhookDelivery), rows)
    return len(rows)


#: How every body ``delivery_body`` gives begins, before its delivery id is known.
_BODY_START = b'{"deliveryId":"",'


def bodies_after_the_delivery_id(
    organisation_id: int,
    events: Sequence[DomainEvent],
    event_types: Mapping[str, EventType],
    enabled_tiers: frozenset[str],
) -> tuple[list[str], list[str]]:
    """For each event an organisation's webhooks may receive: its name, and the JSON of its
    ``delivery_body`` after ``{"deliveryId":"<id>",``, for the database to stage one delivery
    per subscribed webhook, each with an id it makes (``pmo_graph_finish_write``)."""
    names, bodies = [], []
    for event in deliverable(events, organisation_id, event_types, enabled_tiers):
        encoded = orjson.dumps(delivery_body(event, ""))
        assert encoded.startswith(_BODY_START)  # the delivery id is the body's first key
        names.append(event.name)
        bodies.append(encoded[len(_BODY_START) :].decode())
    return names, bodies


def nudge_after_commit(transaction: Transaction) -> None:
    """Wake the deliverer once ``transaction`` commits: it staged deliveries."""
    context = transaction.context
    context.after_commit.append(cast(OutboxApp, context.app).webhooks.nudge)


async def stage_in_transaction(transaction: Transaction) -> None:
    """Stage the deliveries of a write transaction's events; wake the deliverer after commit.

    Called near the end of the transaction (``graphql.mutations.run_mutation``), once
    plugins' reactions have added their events.
    """
    context = transaction.context
    organisation_id = context.organisation_id
    if organisation_id is None or not context.events:
        return
    staged = await stage_deliveries(
        transaction.session,
        organisation_id,
        context.events,
        context.app.event_types,
        context.enabled_tiers,
    )
    if staged:
        nudge_after_commit(transaction)
