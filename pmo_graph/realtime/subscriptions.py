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

A subscription for some roles only declares it as a gate,
``extensions=[PermissionGate("action")]`` (``pmo_graph.graphql.gates``), rather than calling
``authorize`` in its body: its gates are checked again while it runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from typing import Any, cast

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.types import Info

from pmo_graph.db.base import Base
from pmo_graph.errors import BadUserInput, NotFound, Unauthenticated
from pmo_graph.graphql.authentication import authenticate_token
from pmo_graph.graphql.gates import field_gates
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.graphql.tiers import TierDirective, TierGate
from pmo_graph.ids import parse_pk
from pmo_graph.realtime.notices import ACCESS_CHANGES, Notice
from pmo_graph.realtime.publish import BusApp
from pmo_graph.request.context import get_context
from pmo_graph.request.shared_loads import SharedLoads

REVOKED_MESSAGE = (
    "The token of this connection was revoked; connect again with a valid token (create one "
    "with 'pmo-graph token create')."
)


async def still_allowed(info: Info[Any, Any], shared: SharedLoads | None = None) -> None:
    """Authenticate the subscription's token again and check its field's gates (its tier, its
    roles: ``gates``) against what it allows now; raise the coded error of the first that
    refuses (``UNAUTHENTICATED`` for a revoked token, ``FORBIDDEN``, ``TIER_NOT_ENABLED``).

    ``shared`` are the loads of the event about to be delivered, so that its subscribers with
    one token read that token once (where the process does not keep it: SQLite).
    """
    context = get_context(info)
    await authenticate_token(context, shared)
    if context.viewer_or_none is None:
        raise Unauthenticated(REVOKED_MESSAGE)
    for gate in field_gates(info):
        gate.check(context)


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
    listener = cast(BusApp, context.app).bus.listen(
        context.viewer.organisation_id, wanted | ACCESS_CHANGES
    )
    try:
        yield _checked(info, listener, wanted, accept)
    finally:
        listener.close()


async def domain_events(
    info: Info[Any, Any],
    names: Collection[str],
    *,
    accept: Callable[[Notice], bool] | None = None,
) -> AsyncIterator[Notice]:
    """The committed events named ``names`` of the viewer's organisation, as they happen.

    ``accept`` filters them further (say, by the portfolio in ``notice.data``). The
    subscription's access is checked again (``still_allowed``) before each event it yields and
    at every access change of the organisation (a token revoked, a user's roles changed, a tier
    switched: notices on the same ordered stream, so they arrive before any later event): a
    token revoked ends it with ``UNAUTHENTICATED``, a lost role or tier with the code of the
    field's gate. That costs no statement while the process keeps the token (PostgreSQL, until
    such a change), and one read of the token per event otherwise. An event of a tier that is
    off is skipped. The operation's loaders start afresh for each event, and rows by key
    (``load_by_id``) are read once per event and process for all of its subscribers
    (``notice.loads``).
    """
    async with listening(info, names, accept=accept) as events:
        async for notice in events:
            yield notice


async def _checked(
    info: Info[Any, Any],
    listener: AsyncIterator[Notice],
    wanted: frozenset[str],
    accept: Callable[[Notice], bool] | None,
) -> AsyncIterator[Notice]:
    context = get_context(info)
    async for notice in listener:
        if notice.name in ACCESS_CHANGES:
            await still_allowed(info, notice.loads)  # at the change, before any later event
            if notice.name not in wanted or (accept is not None and not accept(notice)):
                continue
        elif accept is not None and not accept(notice):
            continue
        else:
            await still_allowed(info, notice.loads)
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
