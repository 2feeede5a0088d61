"""Running a mutation: one transaction, its audit event, its userErrors and its domain events."""

from __future__ import annotations

import enum
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from strawberry.types import Info

from pmo_graph.audit.chain import append_to_chain
from pmo_graph.audit.models import AuditEvent
from pmo_graph.db.base import Base
from pmo_graph.db.integrity import duplicate_of, is_unique_violation, sqlstate
from pmo_graph.db.locks import lock_scope, must_run_again
from pmo_graph.db.types import utcnow
from pmo_graph.events import DomainEvent
from pmo_graph.graphql.context import Context, get_context
from pmo_graph.graphql.payloads import (
    CONFLICT,
    DUPLICATE,
    INVALID,
    UserError,
    UserErrors,
    user_error,
)
from pmo_graph.graphql.user_error_codes import UnregisteredUserErrorCode
from pmo_graph.realtime.publish import publish_in_transaction
from pmo_graph.webhooks.outbox import stage_in_transaction

log = logging.getLogger("pmo_graph.mutations")

P = TypeVar("P")


def json_value(value: Any) -> Any:
    """A value as it is written in the audit log's JSON."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe copy of field values, for a created entity's audit event."""
    return {key: json_value(value) for key, value in values.items()}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: {"from": old, "to": new}}`` for the fields whose value changed."""
    return {
        key: {"from": json_value(before.get(key)), "to": json_value(value)}
        for key, value in after.items()
        if json_value(before.get(key)) != json_value(value)
    }


@dataclass
class Transaction:
    """What a mutation body writes with: the session, the audit log and the event queue."""

    context: Context
    session: AsyncSession
    action: str
    #: The audit events this transaction recorded, in order; they are linked into the chain and
    #: written (and get their ids) when the transaction is about to commit.
    recorded: list[AuditEvent] = field(default_factory=list)

    @property
    def audited(self) -> int:
        """How many audit events this transaction recorded."""
        return len(self.recorded)

    @property
    def organisation_id(self) -> int:
        """The organisation this transaction writes in: the viewer's."""
        return self.context.viewer.organisation_id

    @property
    def actor_user_id(self) -> int | None:
        """The user its audit events and domain events name as the actor (None: the system)."""
        return self.context.viewer.user_id

    def audit(self, entity_type: str, entity_pk: int, changes: Mapping[str, Any]) -> None:
        """Record this mutation's effect on one entity in the audit log (same transaction,
        written just before it commits)."""
        recorded = AuditEvent(
            organisation_id=self.organisation_id,
            at=utcnow(),
            actor_user_id=self.actor_user_id,
            action=self.action,
            entity_type=entity_type,
            entity_pk=str(entity_pk),
            changes=dict(changes),
            request_id=self.context.request_id,
        )
        self.recorded.append(recorded)

    async def lock_scope(self, scope: str) -> None:
        """Hold ``scope`` of the viewer's organisation until this transaction commits, for a
        rule over a set of rows that no one row stands for (its dependency graph, its tiers):
        taken before the rule is checked and before anything is written
        (``pmo_graph.db.locks.lock_scope``)."""
        await lock_scope(self.session, self.organisation_id, scope)

    def emit(self, name: str, entity_type: str, entity_pk: int, **data: Any) -> None:
        """Queue domain event ``name``; plugins receive it after commit."""
        self.context.emit(
            DomainEvent(
                name=name,
                organisation_id=self.organisation_id,
                entity_type=entity_type,
                entity_pk=entity_pk,
                actor_user_id=self.actor_user_id,
                data={k: json_value(v) for k, v in data.items()},
            )
        )


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
        await react_in_transaction(transaction)
        await stage_in_transaction(transaction)
        # Last but one: it locks the organisation's chain until the commit.
        await append_to_chain(session, transaction.recorded)
        await publish_in_transaction(transaction)
    return thing


async def _run_retrying(
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


def _registered(context: Context, action: str, errors: list[UserError]) -> list[UserError]:
    """``errors``, refused when one carries a code no plugin registered: that is a bug of the
    mutation, found by its tests here rather than at serialisation."""
    codes = context.app.built.user_error_codes
    for error in errors:
        if error.code not in codes:
            raise UnregisteredUserErrorCode(
                f"mutation {action} answered user error code {error.code!r}, which no plugin "
                "registered; return it from the hook register_user_error_codes "
                f"(registered: {', '.join(sorted(codes))})"
            )
    return errors


def _payload(payload_type: type[P], thing: Any, errors: list[UserError]) -> P:
    definition = payload_type.__strawberry_definition__  # type: ignore[attr-defined]
    names = [f.python_name for f in definition.fields if f.python_name != "user_errors"]
    return payload_type(**{names[0]: thing, "user_errors": errors})


async def run_mutation(
    info: Info[Any, Any],
    action: str,
    payload_type: type[P],
    body: Callable[[Transaction], Awaitable[Any]],
) -> P:
    """Run ``body`` in one write transaction and wrap what it returns in ``payload_type``.

    ``body`` raises ``UserErrors`` to roll back and answer them; it must call
    ``Transaction.audit`` at least once. A concurrent update of a versioned row answers
    ``CONFLICT``, a unique-constraint race ``DUPLICATE``; coded errors (``FORBIDDEN`` …) propagate.
    """
    context = get_context(info)
    try:
        thing = await _run_retrying(context, action, body)
    except UserErrors as exc:
        return _payload(payload_type, None, _registered(context, action, exc.errors))
    except StaleDataError:
        return _payload(
            payload_type,
            None,
            [
                user_error(
                    CONFLICT,
                    "Someone else changed this while you were saving; reload it and try again.",
                    "expectedVersion",
                )
            ],
        )
    except IntegrityError as exc:
        if is_unique_violation(exc):
            # Another request wrote the same value between this one's check and its write.
            duplicate = duplicate_of(exc, Base.metadata)
            error = user_error(
                DUPLICATE,
                duplicate.message or "Something with the same unique value already exists.",
                *((duplicate.field,) if duplicate.field else ()),
            )
        else:
            log.warning("integrity error in %s: %s", action, exc.orig)
            error = user_error(INVALID, "The input refers to something that no longer exists.")
        return _payload(payload_type, None, [error])
    return _payload(payload_type, thing, [])
