"""The application factory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from types import ModuleType

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Route, WebSocketRoute

from pmo_graph import migrations
from pmo_graph.app_state import AppState
from pmo_graph.assembly import Assembly, assemble
from pmo_graph.db.session import create_engine, create_sessionmaker, describe_url
from pmo_graph.graphiql.routes import asset_routes
from pmo_graph.graphql.view import GraphQLView
from pmo_graph.http.health import healthz, readyz
from pmo_graph.http.middleware import BodySizeLimit, RequestLog
from pmo_graph.http.negotiation import MediaTypeNegotiation
from pmo_graph.plugins.lifecycle import PluginApp, start_plugins, stop_plugins
from pmo_graph.plugins.manager import EntryPointSelection, PluginRegistry
from pmo_graph.settings import Settings

log = logging.getLogger("pmo_graph.app")


class NotMigrated(RuntimeError):
    """The database is behind the installed code; the message names the command to run."""


def not_migrated_message(settings: Settings, behind: Sequence[str]) -> str:
    """What to tell someone whose database is behind."""
    return (
        f"The database {describe_url(settings.database_url)} is not migrated "
        f"(behind: {', '.join(behind)}). Run 'pmo-graph db upgrade' first."
    )


async def prepare_database(settings: Settings, registry: PluginRegistry) -> None:
    """Migrate (when configured to) or refuse to run on a database that is behind."""
    if settings.should_auto_migrate:
        await asyncio.to_thread(migrations.upgrade, settings, registry)
        return
    expected = migrations.heads(settings, registry)
    at = await migrations.current_async(settings, registry)
    behind = migrations.pending(at, expected)
    if behind:
        raise NotMigrated(not_migrated_message(settings, behind))


def create_app(
    settings: Settings | None = None,
    extra_plugins: Sequence[ModuleType] = (),
    load_entrypoints: EntryPointSelection = True,
    prepare: bool = True,
    assembly: Assembly | None = None,
) -> Starlette:
    """Build the ASGI app: plugins, schema, routes and middleware.

    ``prepare`` runs ``prepare_database`` at start-up (migrate SQLite, refuse an unmigrated
    PostgreSQL); tests that migrate themselves pass ``False``. ``assembly`` reuses plugins
    already assembled (``pmo_graph.assembly.assemble``) instead of loading them again.
    """
    settings = settings or Settings()
    if assembly is None:
        assembly = assemble(settings, extra_plugins, load_entrypoints)
    registry = assembly.registry
    engine = create_engine(settings)
    state = AppState(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        registry=registry,
        built=assembly.built,
        permissions=assembly.permissions,
        standards=assembly.standards,
        maturity=assembly.maturity,
        skipped_plugins=assembly.skipped,
        event_types=assembly.event_types,
    )
    plugin_app = PluginApp(settings=settings, engine=engine, sessionmaker=state.sessionmaker)
    view = GraphQLView(state)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
    ]
    if settings.graphiql:
        routes.extend(asset_routes())
    routes.extend(assembly.routes)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if prepare:
            await prepare_database(settings, registry)
        app.state.migration_heads = migrations.heads(settings, registry)
        await state.bus.start()
        await state.webhooks.start()
        if state.coordination is not None:
            await state.coordination.start()
        try:
            started = await start_plugins(registry, plugin_app)
            try:
                yield
            finally:
                await stop_plugins(registry, started, plugin_app)
        finally:
            if state.coordination is not None:
                await state.coordination.stop()
            await state.webhooks.stop()
            await state.bus.stop()
            await state.computations.stop()
            await engine.dispose()

    middleware = [
        Middleware(RequestLog),
        # in front of every answer on /graphql, the body limit's 413 included
        Middleware(MediaTypeNegotiation, paths=("/graphql",)),
        Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
    ]
    if settings.cors_origin_list:
        middleware.insert(
            1,
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origin_list,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
                max_age=600,
            ),
        )
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.pmo = state
    return app


def create_app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory`` and multi-worker serving: settings from the environment."""
    from pmo_graph.http.collector import tune_collector
    from pmo_graph.log_config import configure_logging

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    tune_collector()
    return app
