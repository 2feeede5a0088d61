"""The GraphQL types of scenarios: a scenario, its changes, the mutations' payload, and the
portfolio's list of them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import (
    Connection,
    ModelNode,
    Ordering,
    Portfolio,
    PortfolioRef,
    Project,
    ProjectRef,
    UserError,
    get_context,
    load_by_id,
    load_parent,
    page_args,
    paginate_children,
    tier_field,
    work_cost,
)
from pmo_graph_portfolio.enums import ScenarioChangeKind, ScenarioStatus
from pmo_graph_portfolio.models import Scenario, ScenarioChange
from pmo_graph_portfolio.refs import ScenarioRef
from pmo_graph_portfolio.scenarios.impact import ScenarioImpact, impact
from pmo_graph_portfolio.scenarios.limits import IMPACT_COST, MAX_SCENARIO_CHANGES, MAX_SHIFT_DAYS
from pmo_graph_portfolio.scenarios.state import scenario_changes
from pmo_graph_portfolio.tier import KEY
from pmo_graph_pso.models import Assignment
from pmo_graph_pso.refs import AssignmentRef


@strawberry.type(
    name="ScenarioChange",
    description="One change of a what-if scenario, as it was added; a scenario's changes apply "
    "in the order they were added. Which fields are set depends on its kind.",
)
class ScenarioChangeType(ModelNode):
    __model__ = ScenarioChange

    kind: ScenarioChangeKind = strawberry.field(
        description="What the change does; it decides which of the other fields are set."
    )
    amount: Decimal | None = strawberry.field(
        description="MOVE_BUDGET: the money moved, more than 0 (in the organisation's currency, "
        "two decimals); null for the other kinds."
    )
    allocation: float | None = strawberry.field(
        description="MOVE_ALLOCATION: the assignment's allocation on the new project, a fraction "
        "of a full-time person (more than 0, at most 1); null when it stays as it is, and for "
        "the other kinds."
    )
    days: int | None = strawberry.field(
        description="SHIFT_PROJECT: how many days later the project moves (negative: earlier), "
        f"not 0 and at most {MAX_SHIFT_DAYS} either way; null for the other kinds."
    )

    @strawberry.field(
        description="MOVE_BUDGET: the project that gives the money; SHIFT_PROJECT: the project "
        "shifted; null for MOVE_ALLOCATION."
    )
    async def from_project(
        self, root: strawberry.Parent[ScenarioChange], info: Info[Any, Any]
    ) -> ProjectRef | None:
        return await load_by_id(info, Project, root.from_project_id)

    @strawberry.field(
        description="MOVE_BUDGET: the project that receives the money; MOVE_ALLOCATION: the "
        "project the assignment moves to; null for SHIFT_PROJECT."
    )
    async def to_project(
        self, root: strawberry.Parent[ScenarioChange], info: Info[Any, Any]
    ) -> ProjectRef | None:
        return await load_by_id(info, Project, root.to_project_id)

    @strawberry.field(
        description="MOVE_ALLOCATION: the assignment moved (its person and dates stay); null "
        "for the other kinds."
    )
    async def assignment(
        self, root: strawberry.Parent[ScenarioChange], info: Info[Any, Any]
    ) -> AssignmentRef | None:
        return await load_by_id(info, Assignment, root.assignment_id)


@strawberry.type(
    name="Scenario",
    description="A what-if reallocation within one portfolio (robbing Peter to pay Paul): "
    "budget moved between projects, people moved, projects moved in time, its impact computed "
    "without writing until the portfolio applies it, all at once.",
)
class ScenarioType(ModelNode):
    __model__ = Scenario

    name: str = strawberry.field(description="What it tries: trimmed, 1 to 200 characters.")
    status: ScenarioStatus = strawberry.field(
        description="DRAFT until applyScenario makes it APPLIED."
    )
    applied_at: datetime | None = strawberry.field(
        description="When applyScenario wrote its changes (UTC); null while a DRAFT."
    )
    version: int = strawberry.field(
        description="1 when created, one more with each change added and when applied."
    )
    created_at: datetime = strawberry.field(description="When it was created (UTC).")

    @strawberry.field(
        description="The portfolio it reallocates within; it never changes. Every project and "
        "assignment of its changes was in it when the change was added."
    )
    async def portfolio(
        self, root: strawberry.Parent[Scenario], info: Info[Any, Any]
    ) -> PortfolioRef:
        return await load_parent(info, Portfolio, root.portfolio_id)

    @strawberry.field(
        description="Its changes, in the order they apply (the order they were added); at "
        f"most {MAX_SCENARIO_CHANGES}."
    )
    async def changes(
        self, root: strawberry.Parent[Scenario], info: Info[Any, Any]
    ) -> list[ScenarioChangeType]:
        return await scenario_changes(get_context(info), root.id)  # type: ignore[return-value]

    @strawberry.field(
        description="What applying it would change, computed each time from the data as it is "
        "now, without writing anything, off the event loop within PMO_GRAPH_COMPUTATION_SECONDS "
        f"(past it, the error COMPUTATION_TIME_LIMIT). Costs {IMPACT_COST} points of query cost.",
        metadata=work_cost(IMPACT_COST),
    )
    async def impact(
        self, root: strawberry.Parent[Scenario], info: Info[Any, Any]
    ) -> ScenarioImpact:
        return await impact(get_context(info), root)


@strawberry.type(description="The result of createScenario, addScenarioChange or applyScenario.")
class ScenarioPayload:
    scenario: ScenarioRef | None = strawberry.field(
        default=None,
        description="The scenario as the mutation left it; null when there are userErrors (then "
        "nothing was written).",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


#: Newest first.
SCENARIO_ORDER = Ordering((Scenario.id,), descending=True)


@strawberry.type
class ScenarioPortfolioFields:
    @tier_field(
        KEY, description="The portfolio's what-if scenarios, DRAFT and APPLIED, newest first."
    )
    async def scenarios(
        self,
        root: strawberry.Parent[Portfolio],
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ScenarioRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, width=1)
        return await paginate_children(  # type: ignore[return-value]
            context, Scenario, Scenario.portfolio_id, root.id, SCENARIO_ORDER, args
        )
