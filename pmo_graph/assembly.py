"""Putting the plugins together: registry, schema, permissions, standards and routes.

Everything a plugin contributes at start-up is collected here (``pmo_graph.contributions``),
so one broken plugin is found before the server starts. By default it stops start-up; with
``skip_broken_plugins`` the plugin is left out (with every plugin that needs it) and logged on
one line instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TypeVar

from starlette.routing import BaseRoute

from pmo_graph import migrations
from pmo_graph.auth.permissions import Permission
from pmo_graph.contributions import (
    collect_event_types,
    collect_maturity_model,
    collect_permissions,
    collect_routes,
    collect_standards,
)
from pmo_graph.events import EventType
from pmo_graph.graphql.schema import BuiltSchema, build_schema
from pmo_graph.maturity.registry import MaturityModel
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.plugins.manager import (
    CORE_PLUGIN_NAME,
    EntryPointSelection,
    PluginLoadError,
    PluginRegistry,
    SkippedPlugin,
)
from pmo_graph.settings import Settings
from pmo_graph.standards import InstalledStandard

log = logging.getLogger("pmo_graph.plugins")

T = TypeVar("T")


@dataclass
class Assembly:
    """What the loaded plugins contribute, checked to fit together."""

    registry: PluginRegistry
    built: BuiltSchema
    permissions: dict[str, Permission]
    standards: dict[str, InstalledStandard]
    routes: list[BaseRoute]
    maturity: MaturityModel
    event_types: dict[str, EventType] = field(default_factory=dict)
    skipped: list[SkippedPlugin] = field(default_factory=list)


def _skipping(
    settings: Settings, attempt: Callable[[frozenset[str]], T]
) -> tuple[T, list[SkippedPlugin]]:
    """Run ``attempt`` without the plugins skipped so far until it succeeds.

    A failure that blames no plugin, or blames the core, always stops.
    """
    skipped: list[SkippedPlugin] = []
    while True:
        try:
            return attempt(frozenset(s.name for s in skipped)), skipped
        except PluginLoadError as exc:
            blamed = exc.plugin
            already = {s.name for s in skipped}
            if (
                not settings.skip_broken_plugins
                or blamed is None
                or blamed == CORE_PLUGIN_NAME
                or blamed in already
            ):
                raise
            log.warning("skipping broken plugin %r: %s", blamed, exc)
            skipped.append(SkippedPlugin(name=blamed, reason=str(exc)))


def load_registry(
    settings: Settings,
    extra_plugins: Sequence[ModuleType] = (),
    load_entrypoints: EntryPointSelection = True,
) -> PluginRegistry:
    """The plugin registry alone (no schema), skipping broken plugins when configured to."""
    registry, _ = _skipping(
        settings,
        lambda excluded: load_plugins(
            extra_plugins, load_entrypoints=load_entrypoints, excluded=excluded
        ),
    )
    return registry


def assemble(
    settings: Settings,
    extra_plugins: Sequence[ModuleType] = (),
    load_entrypoints: EntryPointSelection = True,
) -> Assembly:
    """Load the plugins and collect everything they contribute, checked to fit together.

    Raises ``PluginLoadError`` (a ``SchemaCompositionError`` for the schema) naming the plugin
    at fault, unless ``settings.skip_broken_plugins`` is on: then that plugin is left out.
    """

    def attempt(excluded: frozenset[str]) -> Assembly:
        registry = load_plugins(extra_plugins, load_entrypoints=load_entrypoints, excluded=excluded)
        migrations.lineages(registry)
        return Assembly(
            registry=registry,
            built=build_schema(registry, settings),
            permissions=collect_permissions(registry),
            standards=collect_standards(registry),
            routes=collect_routes(registry),
            maturity=collect_maturity_model(registry),
            event_types=collect_event_types(registry),
        )

    assembly, skipped = _skipping(settings, attempt)
    assembly.skipped = skipped
    return assembly
