"""What one app instance holds: settings, database, plugins and schema (no tenant data)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pmo_graph.auth.access_cache import AccessCache
from pmo_graph.auth.permissions import Permission
from pmo_graph.computations import Computations
from pmo_graph.coordination import Coordination
from pmo_graph.db.session import create_sessionmaker
from pmo_graph.events import DomainEvent, EventType
from pmo_graph.graphql.budget import CostBudget
from pmo_graph.graphql.budget_sync import BudgetSync
from pmo_graph.graphql.compiled.fast_lane import FastLane
from pmo_graph.graphql.compiled.plans import PlanCache
from pmo_graph.graphql.persisted.resolver import PersistedDocuments
from pmo_graph.graphql.schema import BuiltSchema
from pmo_graph.graphql.user_error_codes import UserErrorCodeSpec
from pmo_graph.idempotency.keys import IdempotencyKeys
from pmo_graph.maturity.registry import MaturityModel
from pmo_graph.plugins.manager import PluginRegistry
from pmo_graph.reactions import dispatch_after_commit
from pmo_graph.realtime.bus import EventBus, PostgresEventBus, create_event_bus
from pmo_graph.realtime.connections import Connections
from pmo_graph.realtime.token_counts import TokenCounts
from pmo_graph.settings import Settings
from pmo_graph.standards import InstalledStandard
from pmo_graph.webhooks.deliverer import WebhookDeliverer
from pmo_graph.webhooks.sealing import SecretBox

if TYPE_CHECKING:
    from pmo_graph.plugins.manager import SkippedPlugin

log = logging.getLogger("pmo_graph.events")


@dataclass
class AppState:
    """Shared by every request of one app; nothing here is specific to an organisation."""

    settings: Settings
    engine: AsyncEngine
    #: Sessions for set-up and background work (SQLite: every transaction may write).
    sessionmaker: async_sessionmaker[AsyncSession]
    registry: PluginRegistry
    built: BuiltSchema
    permissions: dict[str, Permission] = field(default_factory=dict)
    standards: dict[str, InstalledStandard] = field(default_factory=dict)
    #: Every plugin's maturity questions and evidence measures.
    maturity: MaturityModel = field(default_factory=lambda: MaturityModel({}, {}))
    #: Plugins left out at start-up because they failed to load (``skip_broken_plugins``).
    skipped_plugins: list[SkippedPlugin] = field(default_factory=list)
    #: Every installed plugin's event types by name (``register_event_types``).
    event_types: dict[str, EventType] = field(default_factory=dict)

    def __post_init__(self) -> None:
        #: Sessions for GraphQL requests: they read, and write only through ``Context.write``.
        self.request_sessionmaker = create_sessionmaker(self.engine, reading=True)
        #: Whether compilable queries are answered by one statement (PostgreSQL only); from
        #: the settings, switched off by tests that pin the resolvers' statements.
        self.compiled_queries = self.settings.compiled_queries
        #: Compiled statements by document and the shape of its variables.
        self.compiled_plans = PlanCache()
        #: Documents the compiled path answered, answered again without the pipeline.
        self.fast_lane = FastLane(self)
        #: Documents requests name instead of sending them (APQ, or the trusted manifest).
        self.persisted = PersistedDocuments(self.settings)
        #: CPU-bound computations, run off the event loop (``computations.compute``).
        self.computations = Computations(
            self.settings, [info.module.__name__ for info in self.registry.plugins]
        )
        #: Mutation requests sent with an Idempotency-Key, and their answers.
        self.idempotency = IdempotencyKeys(
            self.sessionmaker, timedelta(hours=self.settings.idempotency_key_hours)
        )
        #: Committed events, fanned out to this process's subscribers.
        self.bus: EventBus = create_event_bus(self.settings)
        #: Tokens' viewers and tiers, kept between requests (forgotten on access notices).
        self.access = AccessCache(self.bus, self.settings.access_cache_seconds)
        #: This process's WebSocket connections by token (the per-token subscription cap).
        self.connections = Connections()
        #: Sends the webhook deliveries this process's transactions staged, and due retries.
        self.webhooks = WebhookDeliverer(self.settings)
        #: Seals webhook signing secrets before they are stored (``PMO_GRAPH_SECRET_KEYS``).
        self.secrets = SecretBox.of(self.settings)
        #: Each token's budget of query cost (None when PMO_GRAPH_RATE_LIMIT_CAPACITY is 0).
        self.budget = (
            CostBudget(self.settings.rate_limit_capacity, self.settings.rate_limit_restore)
            if self.settings.rate_limit_capacity
            else None
        )
        #: What processes share every few seconds: budgets, subscription counts (PostgreSQL;
        #: SQLite serves one process). Each part is kept for tests to run a round by hand.
        self.budget_sync: BudgetSync | None = None
        self.token_counts: TokenCounts | None = None
        self.coordination: Coordination | None = None
        if isinstance(self.bus, PostgresEventBus):
            if self.budget is not None:
                self.budget_sync = BudgetSync(self.budget, self.bus)
            self.token_counts = TokenCounts(self.connections, self.bus, self.settings.sync_seconds)
            self.coordination = Coordination(
                [p for p in (self.budget_sync, self.token_counts) if p is not None],
                self.settings.sync_seconds,
            )

    @property
    def user_error_codes(self) -> dict[str, UserErrorCodeSpec]:
        """Every plugin's user error codes by name."""
        return self.built.user_error_codes

    @property
    def type_tiers(self) -> dict[str, str]:
        """GraphQL type name → the tier that owns it."""
        return self.built.type_tiers

    async def dispatch_event(
        self, event: DomainEvent, enabled_tiers: Iterable[str], request_id: str | None = None
    ) -> None:
        """Deliver a committed domain event to the plugins active for its organisation
        (``handle_event``; a reaction that asks for a transaction gets one of its own)."""
        log.debug("event %s %s:%s", event.name, event.entity_type, event.entity_pk)
        await dispatch_after_commit(self, event, enabled_tiers, request_id=request_id)
