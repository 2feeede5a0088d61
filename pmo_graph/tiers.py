"""Tiers: the capability levels a plugin provides and an organisation switches on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

TIER_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class Tier:
    """A capability tier. ``requires`` lists the keys of tiers that must be on first.

    ``readiness`` names the maturity perspectives (``MANAGEMENT_CONTROL``, ``RISK`` …, see
    ``pmo_graph.maturity.Perspective``) that must reach this tier's ``level`` before the tier is
    recommended; without any, the overall level must.
    """

    key: str
    name: str
    level: int
    description: str
    requires: tuple[str, ...] = field(default_factory=tuple)
    readiness: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class InstalledTier:
    """A tier together with the plugin that provides it."""

    tier: Tier
    plugin: str


class TierError(ValueError):
    """The installed tiers contradict each other (duplicate key, unknown prerequisite, cycle).

    ``plugin`` names the plugin to blame when one is (a missing prerequisite), else None.
    """

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin


def order_tiers(
    tiers: Mapping[str, InstalledTier], labels: Mapping[str, str] | None = None
) -> list[str]:
    """Tier keys with every tier after the tiers it requires (then by level, then by key).

    ``labels`` maps plugin names to how users know them (their distributions), for messages.
    Raises ``TierError`` for an unknown prerequisite or a cycle.
    """
    for installed in tiers.values():
        for required in installed.tier.requires:
            if required not in tiers:
                label = (labels or {}).get(installed.plugin, installed.plugin)
                raise TierError(
                    f"tier {installed.tier.key!r} (plugin {label!r}) requires tier "
                    f"{required!r}, which no installed plugin provides; install the plugin that "
                    f"provides {required!r} or uninstall {label!r}",
                    plugin=installed.plugin,
                )
    ordered: list[str] = []
    placed: set[str] = set()
    remaining = sorted(tiers.values(), key=lambda t: (t.tier.level, t.tier.key))
    while remaining:
        ready = [t for t in remaining if set(t.tier.requires) <= placed]
        if not ready:
            cycle = ", ".join(t.tier.key for t in remaining)
            raise TierError(f"the prerequisites of tiers {cycle} form a cycle")
        for installed in ready:
            ordered.append(installed.tier.key)
            placed.add(installed.tier.key)
        remaining = [t for t in remaining if t.tier.key not in placed]
    return ordered


def missing_prerequisites(
    key: str, tiers: Mapping[str, InstalledTier], enabled: Iterable[str]
) -> list[str]:
    """Prerequisites of tier ``key`` that are not in ``enabled``."""
    on = set(enabled)
    return [required for required in tiers[key].tier.requires if required not in on]


def enabled_dependants(
    key: str, tiers: Mapping[str, InstalledTier], enabled: Iterable[str]
) -> list[str]:
    """Enabled tiers that require tier ``key``."""
    on = set(enabled)
    return sorted(k for k, t in tiers.items() if k in on and key in t.tier.requires)
