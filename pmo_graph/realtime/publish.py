"""Publishing a write transaction's events: staged inside it, delivered once it commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, cast

from pmo_graph.auth.models import ApiToken
from pmo_graph.realtime.bus import EventBus
from pmo_graph.realtime.notices import TOKEN_REVOKED, USER_ACCESS_CHANGED, Notice, notices_of
from pmo_graph.request.app import App

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from pmo_graph.request.transaction import Transaction


class BusApp(App, Protocol):
    """The app as real time uses it: its event bus."""

    @property
    def bus(self) -> EventBus: ...


async def publish_in_transaction(transaction: Transaction) -> None:
    """Stage the transaction's domain and audit events for subscribers.

    Runs last inside the transaction, after plugins' reactions, so their events are included,
    and after the audit events were written, so they have their ids.
    On PostgreSQL the notices go out with ``NOTIFY``, which the database delivers to every
    replica only if the transaction commits; the in-process bus delivers them after commit.
    """
    context = transaction.context
    app = cast(BusApp, context.app)
    notices = notices_of(context.events, transaction.recorded)
    if not notices:
        return
    await app.bus.stage(transaction.session, notices)
    deliver_after_commit(transaction, notices)


def deliver_after_commit(transaction: Transaction, notices: Sequence[Notice]) -> None:
    """Hand ``notices`` (staged in ``transaction``) to this process's bus once it commits."""
    bus = cast(BusApp, transaction.context.app).bus

    async def deliver() -> None:
        await bus.committed(notices)

    transaction.context.after_commit.append(deliver)


async def announce_access_change(
    session: AsyncSession, bus: EventBus, organisation_id: int, user_id: int
) -> list[Notice]:
    """Inside the transaction that changes a user's roles, name or person: tell every replica,
    so they read the user's tokens again (``AccessCache``) and their subscriptions check again.
    Pass the returned notices to ``bus.committed`` after the commit."""
    notices = [
        Notice(
            organisation_id=organisation_id,
            name=USER_ACCESS_CHANGED,
            entity_type="User",
            entity_pk=user_id,
        )
    ]
    await bus.stage(session, notices)
    return notices


async def announce_revocations(
    session: AsyncSession, bus: EventBus, tokens: list[ApiToken]
) -> list[Notice]:
    """Inside the transaction that revokes ``tokens``: tell subscribers on every replica, so
    the subscriptions of a revoked token end at their next event. Pass the returned notices to
    ``bus.committed`` after the commit."""
    notices = [
        Notice(
            organisation_id=token.organisation_id,
            name=TOKEN_REVOKED,
            entity_type="ApiToken",
            entity_pk=token.id,
        )
        for token in tokens
    ]
    if notices:
        await bus.stage(session, notices)
    return notices
