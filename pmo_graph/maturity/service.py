"""A maturity profile as of a day: answers and evidence combined, and the advice."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from pmo_graph.computations import compute
from pmo_graph.maturity.assessment import PastAssessment, assessments_until
from pmo_graph.maturity.evidence import measure_all
from pmo_graph.maturity.profile import (
    PerspectiveResult,
    Reason,
    Recommendation,
    levels,
    readiness,
    recommend,
)
from pmo_graph.maturity.registry import maturity_of
from pmo_graph.request.context import Context


@dataclass(frozen=True)
class Profile:
    """Everything ``maturity(asOf)`` answers."""

    as_of: date
    perspectives: list[PerspectiveResult]
    overall: int
    history: list[PastAssessment]
    recommendation: Recommendation


async def build_profile(
    context: Context, as_of: date, enabled: Collection[str] | None = None
) -> Profile:
    """The organisation's profile on ``as_of``; ``enabled`` defaults to its tiers that are on."""
    state = context.app
    on = set(context.enabled_tiers if enabled is None else enabled)
    history = await assessments_until(context, as_of, maturity_of(state).questions)
    evidence = await measure_all(context, maturity_of(state), as_of, on)
    results, overall = await compute(context, levels, [past.answers for past in history], evidence)
    registry = state.registry
    advice = recommend(registry.tiers, registry.tier_order, on, results, overall)
    return Profile(as_of, results, overall, history, advice)


async def not_ready_for(context: Context, key: str, as_of: date) -> list[Reason]:
    """What holds the organisation back from tier ``key``, judged with its tiers as they are."""
    profile = await build_profile(context, as_of)
    tier = context.app.registry.tiers[key]
    return [r for r in readiness(tier, profile.perspectives, profile.overall) if not r.met]
