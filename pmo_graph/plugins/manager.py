"""Loading plugins, calling their hooks one by one, and the registry of what they provide."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy

from pmo_graph.plugins import hookimpl, hookspecs
from pmo_graph.plugins.api import check_plugin_api
from pmo_graph.plugins.errors import PluginLoadError
from pmo_graph.plugins.manifest import plugin_hooks
from pmo_graph.plugins.tiers import TIER_KEY, InstalledTier, Tier, TierError, order_tiers

log = logging.getLogger("pmo_graph.plugins")

__all__ = ["PluginInfo", "PluginLoadError", "PluginRegistry", "load_plugins"]

ENTRY_POINT_GROUP = "pmo_graph"
CORE_PLUGIN_NAME = "core"


@dataclass(frozen=True)
class PluginInfo:
    """An installed plugin: its registered name, distribution and module."""

    name: str
    module: ModuleType
    distribution: str | None = None
    version: str | None = None

    @property
    def label(self) -> str:
        """How the plugin is named to users: its distribution, else its registered name."""
        return self.distribution or self.name


@dataclass
class PluginRegistry:
    """What the loaded plugins provide. Built once per app by ``load_plugins``."""

    manager: pluggy.PluginManager
    plugins: list[PluginInfo]
    tiers: dict[str, InstalledTier] = field(default_factory=dict)
    #: Tier keys in prerequisite order (a tier after every tier it requires).
    tier_order: list[str] = field(default_factory=list)

    def plugin(self, name: str) -> PluginInfo:
        """The plugin registered under ``name``."""
        for info in self.plugins:
            if info.name == name:
                return info
        raise KeyError(name)

    def tiers_of(self, plugin_name: str) -> list[str]:
        """Keys of the tiers a plugin provides."""
        return [k for k, t in self.tiers.items() if t.plugin == plugin_name]

    def owning_tier(
        self, info: PluginInfo, declared: str | None, what: str, cls_name: str
    ) -> str | None:
        """The tier a plugin's contribution (a standard, a measure …) belongs to.

        ``declared`` when given (it must be installed), else the plugin's only tier, else None
        (a plugin without tiers). A plugin with several tiers must declare it. ``what`` names
        the contribution in messages (``"standard RISKS_OWNED"``), ``cls_name`` its class.
        """
        provided = self.tiers_of(info.name)
        if declared is None and len(provided) > 1:
            raise PluginLoadError(
                f"plugin {info.label!r} provides several tiers; say which one {what} belongs to "
                f"with {cls_name}(tier=...)",
                plugin=info.name,
            )
        tier = declared if declared is not None else (provided[0] if provided else None)
        if tier is not None and tier not in self.tiers:
            raise PluginLoadError(
                f"plugin {info.label!r}: {what} names tier {tier!r}, which is not installed",
                plugin=info.name,
            )
        return tier

    def plugins_in_order(self) -> list[PluginInfo]:
        """The core, then plugins in tier-prerequisite order, then tierless plugins by name."""
        rank: dict[str, int] = {}
        for index, key in enumerate(self.tier_order):
            rank.setdefault(self.tiers[key].plugin, index)
        return sorted(
            self.plugins,
            key=lambda p: (
                p.name != CORE_PLUGIN_NAME,
                rank.get(p.name, len(self.tier_order)),
                p.name,
            ),
        )

    def results(self, hook_name: str, **kwargs: Any) -> list[tuple[PluginInfo, Any]]:
        """Call a start-up hook on every plugin, one at a time, in ``plugins_in_order``.

        A hook that raises stops start-up with a ``PluginLoadError`` that names the plugin.
        """
        return [
            (info, self.call_one(info, hook_name, **kwargs))
            for info in self.plugins_in_order()
            if self.implements(info, hook_name)
        ]

    def implements(self, info: PluginInfo, hook_name: str) -> bool:
        """Whether plugin ``info`` implements hook ``hook_name``."""
        caller = getattr(self.manager.hook, hook_name)
        return any(impl.plugin_name == info.name for impl in caller.get_hookimpls())

    def call_one(self, info: PluginInfo, hook_name: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of a start-up hook."""
        caller = getattr(self.manager.hook, hook_name)
        impls = [impl for impl in caller.get_hookimpls() if impl.plugin_name == info.name]
        if not impls:
            return None
        impl = impls[0]
        try:
            return impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        except Exception as exc:
            raise PluginLoadError(
                f"plugin {info.label!r} failed in hook {hook_name}: {exc!r}; "
                f"fix or uninstall {info.label!r}",
                plugin=info.name,
            ) from exc

    def implementations_for(
        self, hook_name: str, enabled_tiers: Iterable[str]
    ) -> list[tuple[PluginInfo, Callable[..., Any], list[str]]]:
        """Implementations of a runtime hook whose plugin is active for an organisation.

        A plugin that provides tiers is active when at least one of its tiers is enabled; a
        plugin without tiers is always active. Returns ``(plugin, function, argnames)`` triples
        in plugin order.
        """
        enabled = set(enabled_tiers)
        caller = getattr(self.manager.hook, hook_name)
        by_name = {impl.plugin_name: impl for impl in caller.get_hookimpls()}
        selected = []
        for info in self.plugins_in_order():
            impl = by_name.get(info.name)
            if impl is None:
                continue
            provided = self.tiers_of(info.name)
            if provided and not enabled.intersection(provided):
                continue
            selected.append((info, impl.function, list(impl.argnames)))
        return selected

    async def call_for_organisation(
        self, hook_name: str, enabled_tiers: Iterable[str], **kwargs: Any
    ) -> list[Any]:
        """Call a runtime hook on the plugins active for an organisation, isolating failures.

        One plugin's exception is logged and does not stop the others.
        """
        results = []
        for info, function, argnames in self.implementations_for(hook_name, enabled_tiers):
            try:
                value = function(**{k: v for k, v in kwargs.items() if k in argnames})
                if inspect.isawaitable(value):
                    value = await value
                results.append(value)
            except Exception:
                log.exception("plugin %s failed in hook %s", info.label, hook_name)
        return results


#: Which installed plugins to load: all (``True``), none (``False``) or these entry-point names.
EntryPointSelection = bool | Collection[str]


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
    from pmo_graph import __version__, core_plugin

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
