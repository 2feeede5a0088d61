"""After-commit reactions: ``handle_event``, and the unit of work of a reaction that writes.

A ``handle_event`` implementation that names the argument ``transaction`` gets a transaction of
its own for each event, opened for it alone (the others get none): it commits after the hook
returns, like a mutation (reactions in the transaction, webhook deliveries, the audit chain,
subscribers' notices), and rolls back whole if the hook raises. Its audit events name no user
(the system acted, for the plugin) and carry the request id of the mutation that caused them;
its domain events are delivered after its commit, to ``handle_event`` in turn, down to
``MAX_REACTION_DEPTH``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pmo_graph.db.row_security import current_organisation
from pmo_graph.events import DomainEvent
from pmo_graph.request.app import App, PluginLabel
from pmo_graph.request.context import Context
from pmo_graph.request.transaction import Transaction
from pmo_graph.writes import finish_in_transaction

log = logging.getLogger("pmo_graph.plugins")

HOOK = "handle_event"


class ReactionApp(App, Protocol):
    """What a reaction needs of the app beyond a request's: sessions that may write."""

    #: Sessions for writes, one per reaction.
    sessionmaker: async_sessionmaker[AsyncSession]


#: How many rounds of after-commit reactions one mutation may set off: the mutation's events
#: are round 1, the events a reaction to them commits round 2, and so on. The events of a
#: reaction in the last round are committed and published but reach no ``handle_event``
#: (an error is logged): reactions that answer each other's events would otherwise never end.
MAX_REACTION_DEPTH = 5


class ReactionWroteNoAudit(RuntimeError):
    """A ``handle_event`` reaction wrote rows without recording them in the audit log."""


@dataclass
class ReactionContext(Context):
    """The context of an after-commit reaction: the event's organisation, no viewer."""

    reaction_organisation_id: int = 0

    @property
    def organisation_id(self) -> int | None:
        return self.reaction_organisation_id


@dataclass
class ReactionTransaction(Transaction):
    """The unit of work ``handle_event`` gets: in the event's organisation, acted by the system.

    Write with ``session``, record what you changed with ``audit`` (its events name no user),
    emit follow-up events with ``emit``; ``event`` is the event reacted to.
    """

    event: DomainEvent | None = None

    @property
    def organisation_id(self) -> int:
        assert self.event is not None
        return self.event.organisation_id

    @property
    def actor_user_id(self) -> int | None:
        return None


async def dispatch_after_commit(
    app: ReactionApp,
    event: DomainEvent,
    enabled_tiers: Iterable[str],
    *,
    request_id: str | None = None,
    depth: int = 1,
) -> None:
    """Deliver a committed event to the ``handle_event`` implementations active for its
    organisation, one plugin at a time; one that raises is logged and the others still run."""
    tiers = frozenset(enabled_tiers)
    if depth > MAX_REACTION_DEPTH:
        log.error(
            "event %s not delivered to handle_event: after-commit reactions went %d rounds deep "
            "(a plugin's reactions set each other off)",
            event.name,
            MAX_REACTION_DEPTH,
        )
        return
    for info, function, argnames in app.registry.implementations_for(HOOK, tiers):
        try:
            if "transaction" in argnames:
                await _react_in_own_transaction(
                    app, info, function, argnames, event, tiers, request_id, depth
                )
            else:
                value = function(**({"event": event} if "event" in argnames else {}))
                if inspect.isawaitable(value):
                    await value
        except Exception:
            log.exception("plugin %s failed in hook %s", info.label, HOOK)


async def _react_in_own_transaction(
    app: ReactionApp,
    info: PluginLabel,
    function: Callable[..., Any],
    argnames: Sequence[str],
    event: DomainEvent,
    enabled_tiers: frozenset[str],
    request_id: str | None,
    depth: int,
) -> None:
    session = app.sessionmaker()
    context = ReactionContext(
        app=app,
        session=session,
        enabled_tiers=enabled_tiers,
        reaction_organisation_id=event.organisation_id,
    )
    if request_id is not None:
        context.request_id = request_id
    context.db.holding = True  # reads through the context stay in the reaction's transaction
    transaction = ReactionTransaction(
        context=context, session=session, action=f"{info.name}:{HOOK}"[:100], event=event
    )
    flushed: list[bool] = []
    sqlalchemy_event.listen(session.sync_session, "after_flush", lambda *_: flushed.append(True))
    scope = current_organisation.set(event.organisation_id)
    try:
        arguments = {"event": event, "transaction": transaction}
        with session.no_autoflush:
            value = function(**{k: v for k, v in arguments.items() if k in argnames})
            if inspect.isawaitable(value):
                await value
        await session.flush()
        if flushed and not transaction.audited:
            raise ReactionWroteNoAudit(
                f"plugin {info.label!r} wrote in {HOOK} without transaction.audit(...); "
                "its writes were rolled back"
            )
        await finish_in_transaction(transaction)
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    finally:
        current_organisation.reset(scope)
        await session.close()
    for work in context.after_commit:
        await work()
    for emitted in context.events:
        await dispatch_after_commit(
            app, emitted, enabled_tiers, request_id=context.request_id, depth=depth + 1
        )
