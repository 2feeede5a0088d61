"""Hook implementations of the `portfolio` tier."""

from __future__ import annotations

from collections.abc import Iterable

from pmo_graph.plugins import Tier, hookimpl

TIER = Tier(
    key="portfolio",
    name="Portfolio office",
    level=2,
    requires=("pso",),
    description=(
        "Portfolio support: risk registers and portfolio risk balance, capacity vs demand of "
        "scarce people across the organisation, what-if reallocation scenarios, common issues, "
        "prioritisation."
    ),
)


@hookimpl
def register_tiers() -> Iterable[Tier]:
    return [TIER]
