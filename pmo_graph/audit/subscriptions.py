"""The ``auditEvents`` subscription: the audit log as it is written (ADMIN), resumable."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.audit.models import AuditEvent
from pmo_graph.errors import BadUserInput
from pmo_graph.graphql.gates import PermissionGate
from pmo_graph.graphql.refs import AuditEventRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.realtime.bus import SlowConsumer
from pmo_graph.realtime.notices import AUDIT_RECORDED
from pmo_graph.realtime.subscriptions import listening, still_allowed
from pmo_graph.request.context import get_context

#: How many missed events one statement reads while catching up.
CATCH_UP_PAGE = 100


async def missed_events(
    info: Info[Any, Any], after_seq: int, before_seq: int | None = None
) -> AsyncIterator[AuditEvent]:
    """The organisation's audit events after position ``after_seq`` (and before ``before_seq``),
    in order, a page at a time. Before each page after the first the subscription's access is
    checked again, so that a token revoked or a role lost during a long catch-up reads at most
    one page more."""
    context = get_context(info)
    organisation = context.viewer.organisation_id
    while True:
        statement = (
            select(AuditEvent)
            .where(AuditEvent.organisation_id == organisation, AuditEvent.seq > after_seq)
            .order_by(AuditEvent.seq)
            .limit(CATCH_UP_PAGE)
        )
        if before_seq is not None:
            statement = statement.where(AuditEvent.seq < before_seq)
        page = await context.db.scalars(statement)
        for event in page:
            yield event
        if len(page) < CATCH_UP_PAGE:
            return
        after_seq = page[-1].seq
        await still_allowed(info)


async def _live(info: Info[Any, Any]) -> AsyncGenerator[AuditEvent]:
    """Each audit event as its notice arrives (the stream without ``afterSeq``)."""
    async with listening(info, {AUDIT_RECORDED}) as live:
        async for notice in live:
            event = await load_by_id(info, AuditEvent, notice.entity_pk)
            if event is not None:
                yield event


async def _from(info: Info[Any, Any], after_seq: int) -> AsyncGenerator[AuditEvent]:
    """Every audit event after ``after_seq``, once and in order, for as long as it is read.

    It listens, then reads what it missed from the log, then follows the notices; whatever the
    notices skip (a reconnecting listener misses those sent meanwhile) or outrun (the queue
    overflowed), it reads from the log too. So it is never dropped as a slow consumer.
    """
    last = after_seq
    while True:
        try:
            # Listen before reading the log: what commits meanwhile waits for the live part.
            async with listening(info, {AUDIT_RECORDED}) as live:
                await still_allowed(info)
                async for missed in missed_events(info, last):
                    last = missed.seq
                    yield missed
                async for notice in live:
                    event = await load_by_id(info, AuditEvent, notice.entity_pk)
                    if event is None or event.seq <= last:
                        continue  # read from the log already
                    async for missed in missed_events(info, last, before_seq=event.seq):
                        last = missed.seq  # notices that never came
                        yield missed
                    last = event.seq
                    yield event
        except SlowConsumer:
            continue  # the notices outran it: the log has them


@strawberry.type
class AuditSubscription:
    @strawberry.subscription(
        extensions=[PermissionGate("auditEvents")],
        description="Each audit event of your organisation as its mutation commits (ADMIN). "
        "With afterSeq, every event after that position, from the log and then live: each once, "
        "in order, none missed, and never dropped for falling behind.",
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
        if after_seq is not None and after_seq < 0:
            raise BadUserInput(
                "afterSeq is the seq of an audit event you received, 0 or more.",
                argument="afterSeq",
            )
        events = _live(info) if after_seq is None else _from(info, after_seq)
        async with contextlib.aclosing(events):  # stop listening when the operation ends
            async for event in events:
                yield event  # type: ignore[misc]
