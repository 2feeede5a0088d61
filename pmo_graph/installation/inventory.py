"""The inventory of installed plugins, for operators (CLI) and ADMINs (GraphQL)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmo_graph import PLUGIN_API_VERSION
from pmo_graph.plugins.api import supported_range
from pmo_graph.plugins.manager import CORE_PLUGIN_NAME, PluginRegistry, SkippedPlugin
from pmo_graph.tiers import Tier


@dataclass(frozen=True)
class PluginEntry:
    """One plugin as an operator sees it."""

    name: str
    label: str
    version: str | None
    tiers: tuple[Tier, ...]
    hooks: tuple[str, ...]
    #: The plugin API range a plugin supports; for the core, the version it provides.
    plugin_api: str | None
    loaded: bool = True
    problem: str | None = None


def hooks_implemented(registry: PluginRegistry, name: str) -> tuple[str, ...]:
    """Names of the hooks plugin ``name`` implements, sorted."""
    return tuple(
        sorted(
            hook
            for hook, caller in vars(registry.manager.hook).items()
            if not hook.startswith("_")
            and any(impl.plugin_name == name for impl in caller.get_hookimpls())
        )
    )


def inventory(registry: PluginRegistry, skipped: Sequence[SkippedPlugin] = ()) -> list[PluginEntry]:
    """The loaded plugins in load order, then the ones skipped at start-up."""
    entries = [
        PluginEntry(
            name=info.name,
            label=info.label,
            version=info.version,
            tiers=tuple(
                registry.tiers[key].tier
                for key in registry.tier_order
                if registry.tiers[key].plugin == info.name
            ),
            hooks=hooks_implemented(registry, info.name),
            plugin_api=(
                PLUGIN_API_VERSION if info.name == CORE_PLUGIN_NAME else supported_range(info)
            ),
        )
        for info in registry.plugins_in_order()
    ]
    entries.extend(
        PluginEntry(
            name=s.name,
            label=s.name,
            version=None,
            tiers=(),
            hooks=(),
            plugin_api=None,
            loaded=False,
            problem=s.reason,
        )
        for s in skipped
    )
    return entries


def describe_tiers(tiers: Sequence[Tier]) -> str:
    """``pso (level 1)``, ``portfolio (level 2, requires pso)``; ``-`` for none."""
    described = ", ".join(
        f"{t.key} (level {t.level}"
        + (f", requires {', '.join(t.requires)})" if t.requires else ")")
        for t in tiers
    )
    return described or "-"
