"""The inputs of the scenario mutations."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from pmo_graph.sdk import MAX_MONEY
from pmo_graph_portfolio.enums import ScenarioChangeKind
from pmo_graph_portfolio.scenarios.limits import MAX_SCENARIO_CHANGES, MAX_SHIFT_DAYS


@strawberry.input(description="A new what-if scenario for a portfolio.")
class CreateScenarioInput:
    portfolio_id: strawberry.ID = strawberry.field(
        description="The portfolio whose projects it reallocates, of your organisation."
    )
    name: str = strawberry.field(description="What it tries: trimmed, 1 to 200 characters.")


@strawberry.input(
    description="One change for a scenario. MOVE_BUDGET needs fromProjectId, toProjectId and "
    "amount; MOVE_ALLOCATION needs assignmentId and toProjectId, and may take allocation; "
    "SHIFT_PROJECT needs fromProjectId (the project) and days. Any other field is refused. "
    "Every project must be in the scenario's portfolio."
)
class AddScenarioChangeInput:
    scenario_id: strawberry.ID = strawberry.field(
        description=f"The scenario: a DRAFT holding fewer than {MAX_SCENARIO_CHANGES} changes."
    )
    kind: ScenarioChangeKind = strawberry.field(
        description="What the change does; it decides which of the fields below it needs."
    )
    from_project_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="MOVE_BUDGET: the project that gives the money; SHIFT_PROJECT: the project "
        "to shift.",
    )
    to_project_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="MOVE_BUDGET: the project that receives the money (not fromProjectId); "
        "MOVE_ALLOCATION: the project the assignment moves to.",
    )
    amount: Decimal | None = strawberry.field(
        default=None,
        description="MOVE_BUDGET: the money to move (in the organisation's currency): more than "
        f"0, at most two decimals, at most {MAX_MONEY}, and no more than the giving project "
        "would have left at that point of the scenario (a project without a budget has 0).",
    )
    assignment_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="MOVE_ALLOCATION: the assignment to move, not released, on a project of the "
        "scenario's portfolio.",
    )
    allocation: float | None = strawberry.field(
        default=None,
        description="MOVE_ALLOCATION only: the assignment's allocation on the new project, a "
        "fraction of a full-time person, more than 0 and at most 1; left out: unchanged.",
    )
    days: int | None = strawberry.field(
        default=None,
        description="SHIFT_PROJECT: how many days later (negative: earlier), not 0 and at most "
        f"{MAX_SHIFT_DAYS} either way; every date it moves must stay within 1900-01-01 to "
        "2999-12-31.",
    )


@strawberry.input(description="The scenario to apply.")
class ApplyScenarioInput:
    scenario_id: strawberry.ID = strawberry.field(description="The scenario, a DRAFT.")
