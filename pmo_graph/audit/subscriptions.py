"""The ``auditEvents`` subscription: the audit log as it is written (ADMIN)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.audit.models import AuditEvent
from pmo_graph.auth.permissions import authorize
from pmo_graph.graphql.context import get_context
from pmo_graph.graphql.refs import AuditEventRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.realtime import AUDIT_RECORDED, domain_events


@strawberry.type
class AuditSubscription:
    @strawberry.subscription(
        description="Each audit event of your organisation as its mutation commits (ADMIN)."
    )
    async def audit_events(self, info: Info[Any, Any]) -> AsyncGenerator[AuditEventRef]:
        authorize(get_context(info), "auditEvents")
        async for notice in domain_events(info, {AUDIT_RECORDED}):
            event = await load_by_id(info, AuditEvent, notice.entity_pk)
            if event is not None:
                yield event
