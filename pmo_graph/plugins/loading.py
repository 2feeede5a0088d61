"""Loading the plugins: the core, the installed ones (entry points) and extras, validated
before any is used, into a ``PluginRegistry``."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from importlib.metadata import entry_points
from types import ModuleType

import pluggy

from pmo_graph import __version__, core_plugin
from pmo_graph.plugins import hookimpl, hookspecs
from pmo_graph.plugins.api import check_plugin_api
from pmo_graph.plugins.core_imports import warn_core_imports
from pmo_graph.plugins.errors import PluginLoadError
from pmo_graph.plugins.manager import (
    CORE_PLUGIN_NAME,
    ENTRY_POINT_GROUP,
    EntryPointSelection,
    PluginInfo,
    PluginRegistry,
)
from pmo_graph.plugins.manifest import plugin_hooks
from pmo_graph.tiers import TIER_KEY, InstalledTier, Tier, TierError, order_tiers

log = logging.getLogger("pmo_graph.plugins")


def _selected(selection: EntryPointSelection, name: str) -> bool:
    if isinstance(selection, bool):
        return selection
    return name in selection


def _entry_point_plugins(
    selection: EntryPointSelection, excluded: Collection[str]
) -> list[PluginInfo]:
    plugins = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if not _selected(selection, ep.name) or ep.name in excluded:
            continue
        dist = ep.dist.name if ep.dist is not None else None
        try:
            module = ep.load()
        except Exception as exc:
            raise PluginLoadError(
                f"plugin {dist or ep.name!r} (entry point {ep.name!r} = {ep.value!r}) failed to "
                f"import: {exc!r}; fix it or uninstall it (pip uninstall {dist or ep.name})",
                plugin=ep.name,
            ) from exc
        if not isinstance(module, ModuleType):
            raise PluginLoadError(
                f"plugin {dist or ep.name!r}: entry point {ep.name!r} must name a module, "
                f"not {type(module).__name__}",
                plugin=ep.name,
            )
        version = ep.dist.version if ep.dist is not None else None
        plugins.append(PluginInfo(name=ep.name, module=module, distribution=dist, version=version))
    if not isinstance(selection, bool):
        missing = sorted(set(selection) - {p.name for p in plugins} - set(excluded))
        if missing:
            raise PluginLoadError(
                f"no installed plugin has the entry point {', '.join(map(repr, missing))} "
                f"(group {ENTRY_POINT_GROUP!r}); install it first (pip install -e <its folder>)"
            )
    return plugins


def load_plugins(
    extra_plugins: Sequence[ModuleType] = (),
    *,
    load_entrypoints: EntryPointSelection = True,
    excluded: Collection[str] = (),
) -> PluginRegistry:
    """Load the core, the installed plugins (entry-point group ``pmo_graph``) and ``extra_plugins``.

    ``load_entrypoints`` selects the installed plugins: all, none, or those entry-point names;
    ``excluded`` names plugins to leave out (the ones an operator chose to skip). Every plugin is
    imported and validated, its plugin API range included, before any is used, so a broken
    plugin stops start-up with a ``PluginLoadError`` naming it and nothing is half-loaded.
    """
    candidates = [
        PluginInfo(
            name=CORE_PLUGIN_NAME, module=core_plugin, distribution="pmo-graph", version=__version__
        )
    ]
    candidates.extend(_entry_point_plugins(load_entrypoints, excluded))
    candidates.extend(
        PluginInfo(name=module.__name__, module=module)
        for module in extra_plugins
        if module.__name__ not in excluded
    )

    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)
    seen: set[str] = set()
    for info in candidates:
        if info.name in seen:
            raise PluginLoadError(
                f"two plugins are registered under the name {info.name!r}", plugin=info.name
            )
        seen.add(info.name)
        if info.name != CORE_PLUGIN_NAME:
            check_plugin_api(info)
            warn_core_imports(info.module, info.label)
        hooks = plugin_hooks(manager, info.module, hookimpl, plugin=info.name, label=info.label)
        try:
            manager.register(hooks, name=info.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise PluginLoadError(
                f"plugin {info.label!r} is invalid: {exc}", plugin=info.name
            ) from exc
    _refuse_unknown_hooks(manager, candidates)

    registry = PluginRegistry(manager=manager, plugins=candidates)
    registry.tiers = _collect_tiers(registry)
    try:
        registry.tier_order = order_tiers(
            registry.tiers, {info.name: info.label for info in candidates}
        )
    except TierError as exc:
        raise PluginLoadError(str(exc), plugin=exc.plugin) from exc
    return registry


def _refuse_unknown_hooks(manager: pluggy.PluginManager, plugins: list[PluginInfo]) -> None:
    labels = {info.name: info.label for info in plugins}
    for name, caller in vars(manager.hook).items():
        if name.startswith("_") or caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            raise PluginLoadError(
                f"plugin {labels.get(impl.plugin_name, impl.plugin_name)!r} implements an unknown "
                f"hook {name!r}; check its name against docs/plugin_hooks.md",
                plugin=impl.plugin_name,
            )


def _collect_tiers(registry: PluginRegistry) -> dict[str, InstalledTier]:
    tiers: dict[str, InstalledTier] = {}
    for info, provided in registry.results("register_tiers"):
        for tier in provided or ():
            if not isinstance(tier, Tier):
                raise PluginLoadError(
                    f"plugin {info.label!r}: register_tiers must return Tier objects, "
                    f"got {type(tier).__name__}",
                    plugin=info.name,
                )
            if not TIER_KEY.match(tier.key):
                raise PluginLoadError(
                    f"plugin {info.label!r}: tier key {tier.key!r} must be lower-case letters, "
                    "digits and underscores, starting with a letter",
                    plugin=info.name,
                )
            if tier.key in tiers:
                other = registry.plugin(tiers[tier.key].plugin).label
                raise PluginLoadError(
                    f"tier {tier.key!r} is provided by both {other!r} and {info.label!r}; "
                    "uninstall one of them",
                    plugin=info.name,
                )
            tiers[tier.key] = InstalledTier(tier=tier, plugin=info.name)
    return tiers
