"""Writing subscription fields: ``tier_subscription`` and ``domain_events``.

A subscription field is an async generator. It takes the committed domain events it wants from
``domain_events`` and yields what its payload type resolves, loading through the operation's
loaders like any query field, so it sees only the viewer's organisation::

    @strawberry.type
    class LessonSubscription:
        @tier_subscription("lessons", description="Lessons as they are recorded.")
        async def lesson_recorded(self, info: Info) -> AsyncGenerator[LessonRecorded]:
            async for notice in domain_events(info, {"lesson.recorded"}):
                yield LessonRecorded(lesson_pk=notice.entity_pk)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.extensions.field_extension import FieldExtension
from strawberry.types import Info

from pmo_graph.auth.models import ApiToken
from pmo_graph.db.base import Base
from pmo_graph.graphql.context import Context, get_context
from pmo_graph.graphql.errors import BadUserInput, NotFound, Unauthenticated
from pmo_graph.graphql.ids import parse_pk
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.graphql.tiers import TierDirective, TierGate
from pmo_graph.realtime.notices import ACCESS_CHANGES, Notice

REVOKED_MESSAGE = "The token of this subscription was revoked; subscribe again with a valid token."


async def check_still_valid(context: Context) -> None:
    """Raise ``UNAUTHENTICATED`` if the operation's token was revoked; reload the organisation's
    tiers."""
    viewer = context.viewer
    live = await context.db.scalar(
        select(ApiToken.id).where(ApiToken.id == viewer.token_id, ApiToken.revoked_at.is_(None))
    )
    if live is None:
        raise Unauthenticated(REVOKED_MESSAGE)
    await context.load_enabled_tiers()


@contextlib.asynccontextmanager
async def listening(
    info: Info[Any, Any],
    names: Collection[str],
    *,
    accept: Callable[[Notice], bool] | None = None,
) -> AsyncIterator[AsyncIterator[Notice]]:
    """Start listening for the events named ``names`` now; iterate the result for them.

    What commits between entering and iterating is kept for the iteration, so a subscription can
    read what it missed from the database in between (``auditEvents(afterSeq:)``) and lose
    nothing. The iteration is ``domain_events``'s, with its checks.
    """
    context = get_context(info)
    wanted = frozenset(names)
    listener = context.app.bus.listen(context.viewer.organisation_id, wanted | ACCESS_CHANGES)
    try:
        yield _checked(context, listener, wanted, accept)
    finally:
        listener.close()


async def domain_events(
    info: Info[Any, Any],
    names: Collection[str],
    *,
    accept: Callable[[Notice], bool] | None = None,
) -> AsyncIterator[Notice]:
    """The committed events named ``names`` of the viewer's organisation, as they happen.

    ``accept`` filters them further (say, by the portfolio in ``notice.data``). Before an event
    is yielded the token is checked again (a revoked token ends the subscription with
    ``UNAUTHENTICATED``) and the tiers are reloaded, an event of a tier that is off being
    skipped: before the first event, after a tier is switched or a token revoked anywhere in the
    organisation (those are notices too, so they arrive in order), and at least every
    ``PMO_GRAPH_SUBSCRIPTION_RECHECK_SECONDS``. The operation's loaders start afresh for each
    event, and rows by key (``load_by_id``) are read once per event and process for all of its
    subscribers (``notice.loads``).
    """
    async with listening(info, names, accept=accept) as events:
        async for notice in events:
            yield notice


async def _checked(
    context: Context,
    listener: AsyncIterator[Notice],
    wanted: frozenset[str],
    accept: Callable[[Notice], bool] | None,
) -> AsyncIterator[Notice]:
    recheck = context.app.settings.subscription_recheck_seconds
    checked_at: float | None = None
    async for notice in listener:
        if notice.name in ACCESS_CHANGES:
            checked_at = None
            if notice.name not in wanted:
                continue
        if accept is not None and not accept(notice):
            continue
        if checked_at is None or time.monotonic() - checked_at >= recheck:
            await check_still_valid(context)
            checked_at = time.monotonic()
        event_type = context.app.event_types.get(notice.name)
        tier = event_type.tier if event_type is not None else None
        if tier is not None and not context.tier_enabled(tier):
            continue
        context.loaders.share(notice.loads)
        yield notice


async def scope_argument(
    info: Info[Any, Any],
    value: strawberry.ID | None,
    model: type[Base],
    type_name: str,
    argument: str,
) -> int | None:
    """The key of the ``type_name`` a subscription is narrowed to by argument ``argument``.

    None when the argument is absent. A malformed id answers ``BAD_USER_INPUT``; an id that is
    not one of the viewer's organisation answers ``NOT_FOUND``, as ``node`` would.
    """
    if value is None:
        return None
    pk = parse_pk(value, type_name)
    if pk is None:
        raise BadUserInput(f"{value!r} is not the id of a {type_name}.", argument=argument)
    if await load_by_id(info, model, pk) is None:
        raise NotFound(f"No {type_name} has the id {value!r}.", argument=argument)
    return pk


def tier_subscription(
    tier: str,
    resolver: Callable[..., Any] | None = None,
    *,
    extensions: Sequence[FieldExtension] = (),
    directives: Sequence[object] = (),
    **kwargs: Any,
) -> Any:
    """``strawberry.subscription`` for a subscription that belongs to tier ``tier``.

    Subscribing while the tier is off answers ``TIER_NOT_ENABLED``; the field is marked
    ``@tier(key: ...)`` in the SDL.
    """
    return strawberry.subscription(
        resolver,  # type: ignore[arg-type]
        extensions=[TierGate(tier), *extensions],
        directives=[TierDirective(key=tier), *directives],
        **kwargs,
    )
