"""Hook implementations of the `pso` tier."""

from __future__ import annotations

from collections.abc import Iterable

from pmo_graph.plugins import Tier, hookimpl

TIER = Tier(
    key="pso",
    name="Project support office",
    level=1,
    requires=(),
    description=(
        "Project support: status reporting, milestones, staffing, templates, compliance with "
        "standards, coaching and workshops."
    ),
)


@hookimpl
def register_tiers() -> Iterable[Tier]:
    return [TIER]
