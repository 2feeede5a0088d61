"""Hook implementations of the `pmo` tier."""

from __future__ import annotations

from collections.abc import Iterable

from pmo_graph.plugins import Tier, hookimpl

TIER = Tier(
    key="pmo",
    name="Programme management office",
    level=3,
    requires=("portfolio",),
    description=(
        "Programme management: sponsorship of every project by the programme director, benefits "
        "management, the programme's common beat (tranches, cross-project dependencies, critical "
        "path)."
    ),
)


@hookimpl
def register_tiers() -> Iterable[Tier]:
    return [TIER]
