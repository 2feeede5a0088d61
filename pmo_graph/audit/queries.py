"""The ``auditLog`` root field."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.audit.models import AuditEvent
from pmo_graph.audit.types import READ_AUDIT_LOG
from pmo_graph.auth.permissions import authorize
from pmo_graph.graphql.node_queries import node_id_parts, not_an_id
from pmo_graph.graphql.pagination import Connection, Ordering, page_args, paginate
from pmo_graph.graphql.refs import AuditEventRef
from pmo_graph.request.context import get_context

AUDIT_ORDER = Ordering((AuditEvent.id,), descending=True)


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Every mutation of your organisation, newest first (ADMIN, OFFICE)."
    )
    async def audit_log(
        self,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        entity_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the events of this entity.")
        ] = None,
    ) -> Connection[AuditEventRef]:
        context = get_context(info)
        authorize(context, READ_AUDIT_LOG)
        args = page_args(context, first=first, after=after, width=1)
        conditions = []
        if entity_id is not None:
            entity = node_id_parts(info, entity_id)
            if entity is None:
                raise not_an_id(entity_id, "entityId")
            conditions = [
                AuditEvent.entity_type == entity.type_name,
                AuditEvent.entity_pk == entity.key,
            ]
        return await paginate(context, AuditEvent, AUDIT_ORDER, args, conditions)
