"""The per-request context: session, viewer, enabled tiers, loaders and the write transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.db.reader import Reader
from pmo_graph.db.session import IMMEDIATE
from pmo_graph.errors import TierNotEnabled, Unauthenticated
from pmo_graph.events import DomainEvent
from pmo_graph.organisations.models import OrganisationTier
from pmo_graph.request.app import App
from pmo_graph.request.loaders import Loaders
from pmo_graph.request.viewer import Viewer

if TYPE_CHECKING:
    from strawberry.types import Info

__all__ = ["Context", "Viewer", "get_context", "read_enabled_tiers"]


@dataclass
class Context:
    """What every resolver reaches through ``info.context``."""

    app: App
    session: AsyncSession
    request: Any = None
    response: Any = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    viewer_or_none: Viewer | None = None
    #: Set when a bearer token was sent but is unknown or revoked.
    auth_error: str | None = None
    #: The digest of the bearer token sent (``token_digest``): a WebSocket authenticates it
    #: again for every operation and a subscription before every event.
    token_digest: str | None = None
    enabled_tiers: frozenset[str] = frozenset()
    events: list[DomainEvent] = field(default_factory=list)
    #: What the schema extensions work out once per request and share (``operation_inputs``).
    memo: dict[str, Any] = field(default_factory=dict)
    #: The ``connection_init`` payload of a WebSocket connection (strawberry sets it).
    connection_params: dict[str, Any] | None = None
    #: Work to do once the current write transaction has committed (publishing its events,
    #: waking the webhook deliverer); dropped when it rolls back.
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.db = Reader(self.session)
        self.loaders = Loaders(self.db, self.organisation_id)

    def for_operation(self) -> Context:
        """A context for one operation of a WebSocket connection: a session and loaders of its
        own (operations run concurrently) and the connection's token, without a viewer: the
        operation authenticates the token again (``authenticate_token``), since what it allowed
        at ``connection_init`` may have changed since."""
        return Context(
            app=self.app,
            session=self.app.request_sessionmaker(),
            request=self.request,
            token_digest=self.token_digest,
        )

    @property
    def organisation_id(self) -> int | None:
        return self.viewer_or_none.organisation_id if self.viewer_or_none else None

    @property
    def viewer(self) -> Viewer:
        """The authenticated user; ``UNAUTHENTICATED`` when there is none."""
        if self.viewer_or_none is None:
            raise Unauthenticated(
                self.auth_error or "Send a bearer token: Authorization: Bearer <token>."
            )
        return self.viewer_or_none

    def tier_enabled(self, key: str) -> bool:
        """Whether the viewer's organisation has switched tier ``key`` on."""
        return key in self.enabled_tiers

    def require_tier(self, key: str) -> None:
        """Raise ``TIER_NOT_ENABLED`` unless tier ``key`` is on."""
        if key not in self.enabled_tiers:
            raise TierNotEnabled(key)

    async def load_enabled_tiers(self) -> None:
        """Read which installed tiers the viewer's organisation has on."""
        if self.viewer_or_none is None:
            return
        self.enabled_tiers = await read_enabled_tiers(
            self.db, self.viewer_or_none.organisation_id, self.app.registry.tiers
        )

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: commits when the block ends, rolls back when it raises.

        Loaders are cleared afterwards so later fields read the committed state, and the domain
        events the block emitted are delivered to plugins after commit.
        """
        session = self.session
        if session.in_transaction():
            await session.commit()  # end the read transaction; a write starts fresh
        await session.connection(execution_options=IMMEDIATE)
        self.events = []
        self.after_commit = []
        self.db.holding = True
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            self.events = []
            self.after_commit = []
            raise
        finally:
            self.db.holding = False
            self.loaders.clear()
        events, self.events = self.events, []
        after_commit, self.after_commit = self.after_commit, []
        for work in after_commit:
            await work()
        for event in events:
            await self.app.dispatch_event(event, self.enabled_tiers, self.request_id)

    def emit(self, event: DomainEvent) -> None:
        """Queue a domain event; it is delivered only if the current transaction commits."""
        self.events.append(event)


async def read_enabled_tiers(
    db: Reader, organisation_id: int, installed: Collection[str]
) -> frozenset[str]:
    """Which of the ``installed`` tiers organisation ``organisation_id`` has on."""
    rows = await db.scalars(
        select(OrganisationTier.tier_key).where(
            OrganisationTier.organisation_id == organisation_id,
            OrganisationTier.enabled.is_(True),
        )
    )
    return frozenset(rows) & frozenset(installed)


def get_context(info: Info[Any, Any]) -> Context:
    """The typed request context of a resolver."""
    context = info.context
    assert isinstance(context, Context)
    return context
