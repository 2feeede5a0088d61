"""The ``AuditEvent`` GraphQL type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from pmo_graph.audit import models
from pmo_graph.auth.models import User as UserRow
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.refs import UserRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.ids import to_global_id

#: The permission action that reads audit events, wherever they are reached.
READ_AUDIT_LOG = "auditLog"

Row = strawberry.Parent[models.AuditEvent]


@strawberry.type(name="AuditEvent", description="One successful mutation, as recorded.")
class AuditEvent(ModelNode):
    __model__ = models.AuditEvent
    __read_permission__ = READ_AUDIT_LOG

    at: datetime = strawberry.field(description="When the mutation committed (UTC).")
    seq: int = strawberry.field(
        description="Its position in your organisation's log: 1, 2, 3 … in the order the "
        "mutations committed, with no gaps. auditEvents(afterSeq:) resumes after it."
    )
    action: str = strawberry.field(description="The mutation, e.g. `updateProject`.")

    @strawberry.field(description="Who did it (null if the user was since deleted).")
    async def actor(self, root: Row, info: Info[Any, Any]) -> UserRef | None:
        return await load_by_id(info, UserRow, root.actor_user_id)

    @strawberry.field(description="Global ID of the entity the mutation changed.")
    def entity_id(self, root: Row) -> strawberry.ID:
        return strawberry.ID(to_global_id(root.entity_type, root.entity_pk))

    @strawberry.field(description="Created values, or `{field: {from, to}}` for an update.")
    def changes(self, root: Row) -> JSON:
        return JSON(root.changes)
