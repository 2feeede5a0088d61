"""Every hook a pmo-graph plugin can implement.

Each hook is documented, with its exact signature, in ``docs/plugin_hooks.md``; a test fails when
one is missing there. Hooks are called with keyword arguments, so an implementation may accept
fewer arguments than the specification lists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.routing import BaseRoute

    from pmo_graph.auth.permissions import Permission
    from pmo_graph.events import DomainEvent, EventType
    from pmo_graph.graphql.user_error_codes import UserErrorCodeSpec
    from pmo_graph.maturity.model import Measure, Question
    from pmo_graph.organisations.models import Organisation
    from pmo_graph.plugins.lifecycle import PluginApp
    from pmo_graph.request.transaction import Transaction
    from pmo_graph.standards import Standard
    from pmo_graph.tiers import Tier

hookspec = pluggy.HookspecMarker("pmo_graph")


@hookspec
def register_tiers() -> Iterable[Tier]:
    """Return the tiers this plugin provides."""
    raise NotImplementedError


@hookspec
def register_migrations() -> Path | str | None:
    """Return the folder that holds this plugin's alembic revision files (its own lineage)."""
    raise NotImplementedError


@hookspec
def register_types() -> Iterable[type]:
    """Return strawberry types to add to the schema, including types other plugins may extend."""
    raise NotImplementedError


@hookspec
def register_type_extensions() -> Mapping[str, Iterable[type]]:
    """Return strawberry types whose fields are added to existing types, keyed by type name."""
    raise NotImplementedError


@hookspec
def register_query_fields() -> Iterable[type]:
    """Return strawberry types whose fields are added to the root ``Query`` type."""
    raise NotImplementedError


@hookspec
def register_mutation_fields() -> Iterable[type]:
    """Return strawberry types whose fields are added to the root ``Mutation`` type."""
    raise NotImplementedError


@hookspec
def register_permissions() -> Mapping[str, Permission]:
    """Return the permission of each action this plugin's mutations authorise, keyed by action."""
    raise NotImplementedError


@hookspec
def register_standards() -> Iterable[Standard]:
    """Return compliance standards; each applies while its tier is on."""
    raise NotImplementedError


@hookspec
def register_maturity_questions() -> Iterable[Question]:
    """Return questions of the maturity self-assessment; they are asked whatever tiers are on."""
    raise NotImplementedError


@hookspec
def register_maturity_measures() -> Iterable[Measure]:
    """Return evidence measures of maturity; each counts while its tier is on."""
    raise NotImplementedError


@hookspec
def register_routes() -> Iterable[BaseRoute]:
    """Return Starlette routes to mount beside ``/graphql``."""
    raise NotImplementedError


@hookspec
def register_event_types() -> Iterable[EventType]:
    """Return the domain events this plugin emits that integrations may subscribe to.

    Webhooks accept only registered event names; each one is delivered while its tier is on.
    """
    raise NotImplementedError


@hookspec
def register_user_error_codes() -> Iterable[UserErrorCodeSpec]:
    """Return the codes this plugin's mutations answer in ``UserError.code`` beyond the core's.

    Each becomes a value of the enum ``UserErrorCode``, with its description; a code registered
    by two plugins stops start-up.
    """
    raise NotImplementedError


@hookspec
def register_subscription_fields() -> Iterable[type]:
    """Return strawberry types whose fields are added to the root ``Subscription`` type.

    Write each field with ``pmo_graph.realtime.tier_subscription`` (gated like a query field)
    and feed it from ``pmo_graph.realtime.domain_events``.
    """
    raise NotImplementedError


@hookspec
def handle_event(event: DomainEvent, transaction: Transaction) -> Awaitable[None] | None:
    """React to a domain event after the transaction that caused it has committed.

    An implementation that names ``transaction`` gets a unit of work of its own for the event,
    committed after it returns and rolled back if it raises (``pmo_graph.reactions``).
    """
    raise NotImplementedError


@hookspec
def handle_event_in_transaction(
    event: DomainEvent, transaction: Transaction
) -> Awaitable[None] | None:
    """React to a domain event inside the transaction that caused it, before it commits."""
    raise NotImplementedError


@hookspec
def on_startup(app: PluginApp) -> Awaitable[None] | None:
    """Start what the plugin runs beside the server, once per process, before it serves.

    Called in plugin order after the plugins loaded; one that raises stops start-up.
    """
    raise NotImplementedError


@hookspec
def on_shutdown(app: PluginApp) -> Awaitable[None] | None:
    """Stop what ``on_startup`` started, once per process, when the server shuts down.

    Called in reverse plugin order; one that raises is logged and the others still run.
    """
    raise NotImplementedError


@hookspec
def seed_demo(
    session: AsyncSession, organisation: Organisation, rng: Random
) -> Awaitable[None] | None:
    """Add this plugin's demo data to the freshly seeded demo organisation."""
    raise NotImplementedError
