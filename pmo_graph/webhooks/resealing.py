"""Sealing the webhook secrets already stored: after keys were first set, or a new key put first."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.webhooks.models import Webhook
from pmo_graph.webhooks.sealing import SecretBox


async def seal_stored_secrets(
    session: AsyncSession, box: SecretBox, organisation_id: int | None = None
) -> int:
    """Seal every webhook's secret (of one organisation, if given), and its rotated secret
    while it has one, with ``box``'s first key; how many webhooks. Raises ``SealingError`` (and
    writes nothing, once the caller rolls back) if no keys are set or a sealed secret opens
    with none of them.

    The rows stay locked until the transaction ends, so a rotation at the same moment waits
    instead of being overwritten. The webhooks' versions stay as they are: the API never shows
    a secret, so no client's copy of a webhook is out of date.
    """
    statement = select(Webhook.id, Webhook.secret, Webhook.previous_secret)
    if organisation_id is not None:
        statement = statement.where(Webhook.organisation_id == organisation_id)
    rows = (await session.execute(statement.order_by(Webhook.id).with_for_update())).all()
    for webhook_id, secret, previous in rows:
        await session.execute(
            update(Webhook)
            .where(Webhook.id == webhook_id)
            .values(
                secret=box.reseal(secret),
                previous_secret=box.reseal(previous) if previous is not None else None,
            )
        )
    return len(rows)
