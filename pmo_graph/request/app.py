"""What a request may use of the app it runs in: the ``App`` protocol of ``Context.app``.

The server's ``AppState`` holds much more (the schema, the fast lane, caches, the webhook
deliverer); below the server layer nothing names it. A layer that needs more of the app than
this declares a protocol of its own that extends ``App`` (``pmo_graph.graphql.app``), and
``pmo_graph.app_state`` proves to the type checker that ``AppState`` satisfies every one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pmo_graph.auth.roles import Role
from pmo_graph.events import DomainEvent, EventType
from pmo_graph.request.viewer import Viewer
from pmo_graph.settings import Settings
from pmo_graph.tiers import InstalledTier


class PluginLabel(Protocol):
    """An installed plugin, as a request names it."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...


class Registry(Protocol):
    """The loaded plugins and their tiers, as requests use them."""

    @property
    def tiers(self) -> Mapping[str, InstalledTier]: ...

    @property
    def tier_order(self) -> Sequence[str]: ...

    def plugin(self, name: str) -> PluginLabel: ...

    def implementations_for(
        self, hook_name: str, enabled_tiers: Iterable[str]
    ) -> Sequence[tuple[PluginLabel, Callable[..., Any], Sequence[str]]]:
        """Implementations of a runtime hook whose plugin is active for an organisation."""
        ...

    async def call_for_organisation(
        self, hook_name: str, enabled_tiers: Iterable[str], **kwargs: Any
    ) -> list[Any]:
        """Call a runtime hook on the plugins active for an organisation."""
        ...


class PermissionRule(Protocol):
    """Who may perform one action (``pmo_graph.auth.permissions.Permission``)."""

    @property
    def roles(self) -> frozenset[Role]: ...

    @property
    def own_project(self) -> frozenset[Role]: ...

    def allows(self, viewer: Viewer, project_manager_id: int | None = None) -> bool: ...

    def might_allow(self, viewer: Viewer) -> bool: ...


class App(Protocol):
    """What every request reads of its app (``Context.app``)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def engine(self) -> AsyncEngine: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def permissions(self) -> Mapping[str, PermissionRule]: ...

    @property
    def event_types(self) -> Mapping[str, EventType]: ...

    @property
    def type_tiers(self) -> dict[str, str]: ...

    #: Sessions for requests: they read, and write only through ``Context.write``.
    request_sessionmaker: async_sessionmaker[AsyncSession]

    async def dispatch_event(
        self, event: DomainEvent, enabled_tiers: Iterable[str], request_id: str | None = None
    ) -> None:
        """Deliver a committed domain event to the plugins active for its organisation."""
        ...
