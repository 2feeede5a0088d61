"""A scenario's impact: what applying it would change, computed without writing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from pmo_graph.sdk import Context, ProjectRef, compute
from pmo_graph_portfolio.enums import ScenarioStatus
from pmo_graph_portfolio.models import Scenario
from pmo_graph_portfolio.scenarios.state import (
    capacities_of,
    overload_candidates,
    replay_state,
    scenario_changes,
    simulated,
)
from pmo_graph_portfolio.what_if import Plan, effect, overloaded_count


@strawberry.type(
    description="How a scenario would change one project: its budget and dates now and after "
    "every change of the scenario, applied in order to a copy."
)
class ProjectImpact:
    project: ProjectRef = strawberry.field(
        description="A project a change names (fromProject or toProject)."
    )
    budget_before: Decimal | None = strawberry.field(
        description="Its budget now (money, in the organisation's currency); null when it has none."
    )
    budget_after: Decimal | None = strawberry.field(
        description="Its budget after the changes; null when it has none and no change gives it "
        "money."
    )
    start_before: date | None = strawberry.field(
        description="Its start date now; null when not set."
    )
    start_after: date | None = strawberry.field(
        description="Its start date after the changes (a SHIFT_PROJECT moves it); null when "
        "not set."
    )
    end_before: date | None = strawberry.field(description="Its end date now; null when not set.")
    end_after: date | None = strawberry.field(
        description="Its end date after the changes; null when not set."
    )


@strawberry.type(
    description="What a scenario would change, computed from the data as it is at the moment of "
    "asking, without writing anything."
)
class ScenarioImpact:
    projects: list[ProjectImpact] = strawberry.field(
        description="The projects the changes name, by code; the project an assignment moves "
        "away from is not listed (its budget and dates do not change). [] for an APPLIED "
        "scenario."
    )
    overallocations_before: int = strawberry.field(
        description="How many people have a total allocation above their capacity on at least "
        "one day, at any time (no window), as the assignments stand."
    )
    overallocations_after: int = strawberry.field(
        description="The same after the changes; only the people the changes touch are "
        "recomputed (those with an assignment on a shifted project, and the person of each "
        "moved assignment). For an APPLIED scenario, the same as overallocationsBefore."
    )
    problems: list[str] = strawberry.field(
        description="One sentence for each change that could not apply as things stand now "
        '("Change 1 moves an assignment that was released."): such a change is left out of '
        "the figures after, and applyScenario refuses the scenario. For an APPLIED scenario, "
        "one sentence saying it changes nothing more. [] when every change applies."
    )


async def impact(context: Context, scenario: Scenario) -> ScenarioImpact:
    """What applying ``scenario`` would change; nothing is written. An applied scenario has
    nothing left to change. The replay and the sweeps run off the event loop."""
    if scenario.status is ScenarioStatus.APPLIED:
        everyone, limits = await overload_candidates(context)
        count = await compute(context, overloaded_count, everyone, limits)
        return ScenarioImpact(
            projects=[],
            overallocations_before=count,
            overallocations_after=count,
            problems=[
                f"The scenario was applied at {scenario.applied_at}; it changes nothing more."
            ],
        )
    changes = await scenario_changes(context, scenario.id)
    projects, bookings, affected = await replay_state(context, changes)
    before_plans = {pid: Plan(p.budget, p.start_date, p.end_date) for pid, p in projects.items()}
    everyone, limits = await overload_candidates(context)
    limits |= await capacities_of(context, affected)
    found = await compute(
        context, effect, before_plans, bookings, simulated(changes), everyone, limits, affected
    )
    rows = [
        ProjectImpact(
            project=project,
            budget_before=before_plans[pid].budget,
            budget_after=found.plans[pid].budget,
            start_before=before_plans[pid].start,
            start_after=found.plans[pid].start,
            end_before=before_plans[pid].end,
            end_after=found.plans[pid].end,
        )
        for pid, project in sorted(projects.items(), key=lambda item: item[1].code)
    ]
    return ScenarioImpact(
        projects=rows,
        overallocations_before=found.overloaded_before,
        overallocations_after=found.overloaded_after,
        problems=[f"Change {position + 1} {why}." for position, why in found.problems],
    )
