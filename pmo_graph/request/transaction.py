"""The unit of work: what a write's body writes with (session, audit log, event queue), and the
JSON form of the values its audit events record."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.audit.models import AuditEvent
from pmo_graph.db.locks import lock_scope
from pmo_graph.db.types import utcnow
from pmo_graph.events import DomainEvent
from pmo_graph.request.context import Context
from pmo_graph.request.rows import Rows


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

    @cached_property
    def rows(self) -> Rows:
        """Loads and inserts of Core statements, on the driver's connection on PostgreSQL, in
        this transaction: for a body that only reads rows and inserts new ones
        (``pmo_graph.request.rows``)."""
        return Rows(self)

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
