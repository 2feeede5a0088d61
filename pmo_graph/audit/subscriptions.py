"""The ``auditEvents`` subscription: the audit log as it is written (ADMIN), resumable."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.audit.models import AuditEvent
from pmo_graph.auth.permissions import authorize
from pmo_graph.graphql.context import Context, get_context
from pmo_graph.graphql.errors import BadUserInput
from pmo_graph.graphql.refs import AuditEventRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.realtime import AUDIT_RECORDED
from pmo_graph.realtime.subscriptions import check_still_valid, listening

#: How many missed events one statement reads while catching up.
CATCH_UP_PAGE = 100


async def missed_events(context: Context, after_seq: int) -> AsyncIterator[AuditEvent]:
    """The organisation's audit events after position ``after_seq``, in order, a page at a time."""
    organisation = context.viewer.organisation_id
    while True:
        page = await context.db.scalars(
            select(AuditEvent)
            .where(AuditEvent.organisation_id == organisation, AuditEvent.seq > after_seq)
            .order_by(AuditEvent.seq)
            .limit(CATCH_UP_PAGE)
        )
        for event in page:
            yield event
        if len(page) < CATCH_UP_PAGE:
            return
        after_seq = page[-1].seq


@strawberry.type
class AuditSubscription:
    @strawberry.subscription(
        description="Each audit event of your organisation as its mutation commits (ADMIN). "
        "With afterSeq, first the events after that position, from the log, then the live ones: "
        "each once, in order, none missed."
    )
    async def audit_events(
        self,
        info: Info[Any, Any],
        after_seq: Annotated[
            int | None,
            strawberry.argument(
                description="The seq of the last event you received; resume after it."
            ),
        ] = None,
    ) -> AsyncGenerator[AuditEventRef]:
        context = get_context(info)
        authorize(context, "auditEvents")
        if after_seq is not None and after_seq < 0:
            raise BadUserInput(
                "afterSeq is the seq of an audit event you received, 0 or more.",
                argument="afterSeq",
            )
        # The last event read from the log: a live one up to it was sent from there already.
        replayed = after_seq
        # Listen before reading the log: what commits meanwhile waits for the live part.
        async with listening(info, {AUDIT_RECORDED}) as live:
            if after_seq is not None:
                await check_still_valid(context)
                async for missed in missed_events(context, after_seq):
                    replayed = missed.seq
                    yield missed  # type: ignore[misc]
            async for notice in live:
                event = await load_by_id(info, AuditEvent, notice.entity_pk)
                if event is None or (replayed is not None and event.seq <= replayed):
                    continue
                yield event  # type: ignore[misc]
