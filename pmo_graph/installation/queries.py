"""The ``plugins`` root field: what is installed, for the organisation's ADMINs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, cast

import strawberry
from strawberry.types import Info

from pmo_graph import PLUGIN_API_VERSION
from pmo_graph.auth.permissions import authorize
from pmo_graph.installation.inventory import PluginEntry, inventory
from pmo_graph.organisations.types import Tier, installed_tiers
from pmo_graph.plugins.manager import PluginRegistry, SkippedPlugin
from pmo_graph.request.app import App
from pmo_graph.request.context import get_context


class InstalledApp(App, Protocol):
    """The app as the installation field reads it: its plugins, loaded and skipped."""

    @property
    def registry(self) -> PluginRegistry: ...

    @property
    def skipped_plugins(self) -> Sequence[SkippedPlugin]: ...


@strawberry.type(
    name="Plugin", description="An installed plugin: what it provides and how it is doing."
)
class Plugin:
    name: str = strawberry.field(description="Its registered (entry-point) name, e.g. `pso`.")
    distribution: str = strawberry.field(
        description="The distribution it is installed as, e.g. `pmo-graph-pso`."
    )
    version: str | None = strawberry.field(description="The installed version, if known.")
    tiers: list[Tier] = strawberry.field(description="The tiers it provides.")
    hooks: list[str] = strawberry.field(description="The hooks it implements, by name.")
    plugin_api: str | None = strawberry.field(
        description="The plugin API versions it declares it supports, e.g. `>=1.0,<2`; "
        "for the core, the version it provides."
    )
    loaded: bool = strawberry.field(
        description="False when it failed to load and the server was started without it."
    )
    problem: str | None = strawberry.field(description="Why it failed to load, when it did.")


@strawberry.type(name="Installation", description="The server's plugins and plugin API.")
class Installation:
    plugin_api_version: str = strawberry.field(
        description="The plugin API version this server provides."
    )
    plugins: list[Plugin] = strawberry.field(
        description="The core first, then plugins in load order, then any that were skipped."
    )


def _plugin(entry: PluginEntry, tiers: dict[str, Tier]) -> Plugin:
    return Plugin(
        name=entry.name,
        distribution=entry.label,
        version=entry.version,
        tiers=[tiers[t.key] for t in entry.tiers],
        hooks=list(entry.hooks),
        plugin_api=entry.plugin_api,
        loaded=entry.loaded,
        problem=entry.problem,
    )


@strawberry.type
class InstallationQuery:
    @strawberry.field(description="The installed plugins, their versions and hooks (ADMIN).")
    def installation(self, info: Info[Any, Any]) -> Installation:
        context = get_context(info)
        authorize(context, "installation")
        state = cast(InstalledApp, context.app)
        tiers = {t.key: t for t in installed_tiers(context)}
        return Installation(
            plugin_api_version=PLUGIN_API_VERSION,
            plugins=[
                _plugin(entry, tiers) for entry in inventory(state.registry, state.skipped_plugins)
            ],
        )
