"""The registry of the loaded plugins and what they provide, and calling their hooks one by one.

Loading them is ``pmo_graph.plugins.loading``; ``load_plugins`` still resolves here, with a
``DeprecationWarning``, until pmo-graph 0.3.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from pmo_graph._deprecated import moved
from pmo_graph.plugins.errors import PluginLoadError
from pmo_graph.tiers import InstalledTier

log = logging.getLogger("pmo_graph.plugins")

__all__ = ["PluginInfo", "PluginLoadError", "PluginRegistry", "SkippedPlugin"]

ENTRY_POINT_GROUP = "pmo_graph"

#: Which installed plugins to load: all (``True``), none (``False``) or these entry-point names.
EntryPointSelection = bool | Collection[str]
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


@dataclass(frozen=True)
class SkippedPlugin:
    """A plugin left out because it failed to load, and why."""

    name: str
    reason: str


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


__getattr__ = moved(
    __name__,
    {
        "load_plugins": "pmo_graph.plugins.loading",
    },
)
