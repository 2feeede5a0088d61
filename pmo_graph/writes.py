"""Running one write: its body in a unit of work, the plugins' reactions, the webhook deliveries
staged, the audit chain extended and the events published, all in one transaction, run again
when the database ends it for a deadlock or a serialisation conflict."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DBAPIError

from pmo_graph.audit.chain import append_to_chain
from pmo_graph.db.integrity import sqlstate
from pmo_graph.db.locks import must_run_again
from pmo_graph.finish_write import finish_in_one_statement, finishes_in_one_statement
from pmo_graph.realtime.publish import publish_in_transaction
from pmo_graph.request.context import Context
from pmo_graph.request.transaction import Transaction
from pmo_graph.webhooks.outbox import stage_in_transaction

log = logging.getLogger("pmo_graph.mutations")


#: How many rounds of reactions to reactions a transaction may go through before it is a loop.
MAX_REACTION_EVENTS = 1000


async def react_in_transaction(transaction: Transaction) -> None:
    """Let active plugins react to the transaction's events before it commits.

    Reactions may write (their writes commit or roll back with the mutation) and emit further
    events, which get reactions in turn. A reaction that raises fails the whole mutation.
    """
    context = transaction.context
    registry = context.app.registry
    handled = 0
    while handled < len(context.events):
        if handled >= MAX_REACTION_EVENTS:
            raise RuntimeError("domain event reactions do not settle: a plugin loops")
        event = context.events[handled]
        handled += 1
        for _info, function, argnames in registry.implementations_for(
            "handle_event_in_transaction", context.enabled_tiers
        ):
            arguments = {"event": event, "transaction": transaction}
            result = function(**{k: v for k, v in arguments.items() if k in argnames})
            if inspect.isawaitable(result):
                await result
        await transaction.session.flush()


#: How many times a mutation runs when PostgreSQL ends it for a deadlock or a serialisation
#: failure before the error is answered (masked).
MAX_ATTEMPTS = 3


async def finish_in_transaction(transaction: Transaction) -> None:
    """What every write does after its body, before it commits: the plugins' in-transaction
    reactions, the webhook outbox, the audit chain and the staged notices (a mutation's and an
    after-commit reaction's alike): on PostgreSQL all but the reactions in one statement
    (``finish_write``)."""
    await react_in_transaction(transaction)
    if finishes_in_one_statement(transaction):
        await finish_in_one_statement(transaction)
        return
    await stage_in_transaction(transaction)
    # Last but one: it locks the organisation's chain until the commit.
    await append_to_chain(transaction.session, transaction.recorded)
    await publish_in_transaction(transaction)


async def _run_once(
    context: Context, action: str, body: Callable[[Transaction], Awaitable[Any]]
) -> Any:
    async with context.write() as session:
        transaction = Transaction(context=context, session=session, action=action)
        # Reads inside the body must not flush half-made changes: a row changed in several
        # steps gets one UPDATE, hence one new version, when the body flushes.
        with session.no_autoflush:
            thing = await body(transaction)
        if not transaction.audited:
            raise RuntimeError(f"mutation {action} wrote no audit event")
        await session.flush()
        await finish_in_transaction(transaction)
    return thing


async def run_in_transaction(
    context: Context, action: str, body: Callable[[Transaction], Awaitable[Any]]
) -> Any:
    """``body`` in one transaction, run again from the start (it rolled back whole) when the
    database ended it to break a deadlock or a serialisation conflict with another writer."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await _run_once(context, action, body)
        except DBAPIError as exc:
            if attempt == MAX_ATTEMPTS or not must_run_again(exc):
                raise
            log.info(
                "%s ran into another writer (%s); running it again",
                action,
                sqlstate(exc),
                extra={"request_id": context.request_id},
            )
    raise AssertionError("unreachable")
