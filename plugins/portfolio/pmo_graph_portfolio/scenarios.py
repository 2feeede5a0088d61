"""What-if reallocation: scenarios of budget moves, staff moves and shifted projects, their
impact computed without writing, and applying them all at once or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import func, or_, select
from strawberry.types import Info

from pmo_graph.sdk import (
    CONFLICT,
    FIRST_DATE,
    INVALID,
    LAST_DATE,
    MAX_MONEY,
    Checks,
    Connection,
    Context,
    ModelNode,
    Ordering,
    Portfolio,
    PortfolioRef,
    Project,
    ProjectRef,
    Transaction,
    UserError,
    add_days,
    authorize,
    compute,
    get_context,
    load_by_id,
    load_parent,
    lock_row,
    page_args,
    paginate_children,
    run_mutation,
    snapshot,
    tier_field,
    tier_mutation,
    to_global_id,
    utcnow,
    work_cost,
)
from pmo_graph_portfolio.enums import ScenarioChangeKind, ScenarioStatus
from pmo_graph_portfolio.models import Scenario, ScenarioChange
from pmo_graph_portfolio.refs import ScenarioRef
from pmo_graph_portfolio.scope import TIER
from pmo_graph_portfolio.what_if import (
    Booking,
    Change,
    Plan,
    effect,
    overloaded_count,
    simulate,
)
from pmo_graph_pso.loaders import DEFAULT_CAPACITY, capacities
from pmo_graph_pso.models import Assignment, Milestone, PersonCapacity
from pmo_graph_pso.refs import AssignmentRef

MAX_SHIFT_DAYS = 3650
#: Most changes one scenario holds: its impact replays them all.
MAX_SCENARIO_CHANGES = 100
#: What an impact is charged (``work_cost``): its changes replayed at most, over everyone's
#: bookings; about 50 points a change.
IMPACT_COST = 50 * MAX_SCENARIO_CHANGES


def _simulated(rows: list[ScenarioChange]) -> list[Change]:
    return [
        Change(
            kind=row.kind.name,
            from_project_id=row.from_project_id,
            to_project_id=row.to_project_id,
            amount=row.amount,
            assignment_id=row.assignment_id,
            allocation=row.allocation,
            days=row.days,
        )
        for row in rows
    ]


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
        return await _changes(get_context(info), root.id)  # type: ignore[return-value]

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


async def _changes(context: Context, scenario_id: int) -> list[ScenarioChange]:
    loader = context.loaders.children(
        ScenarioChange, ScenarioChange.scenario_id, order_by=(ScenarioChange.position,)
    )
    return await loader.load(scenario_id)


async def _state(
    context: Context, changes: list[ScenarioChange]
) -> tuple[dict[int, Project], dict[int, Booking], set[int]]:
    """The touched projects, the live bookings of the people the changes could affect, and those
    people."""
    organisation_id = context.viewer.organisation_id
    project_ids = {pid for c in changes for pid in (c.from_project_id, c.to_project_id) if pid}
    projects = {
        p.id: p for p in await context.loaders.by_id(Project).load_many(sorted(project_ids)) if p
    }
    shifted = [c.from_project_id for c in changes if c.kind is ScenarioChangeKind.SHIFT_PROJECT]
    moved = [c.assignment_id for c in changes if c.kind is ScenarioChangeKind.MOVE_ALLOCATION]
    affected = set(
        await context.db.scalars(
            select(Assignment.person_id).where(
                Assignment.organisation_id == organisation_id,
                Assignment.released_at.is_(None),
                or_(Assignment.project_id.in_(shifted), Assignment.id.in_(moved)),
            )
        )
    )
    rows = await context.db.scalars(
        select(Assignment).where(
            Assignment.organisation_id == organisation_id,
            Assignment.released_at.is_(None),
            Assignment.person_id.in_(affected),
        )
    )
    bookings = {a.id: _booking(a) for a in rows}
    return projects, bookings, affected


async def _everyone(context: Context) -> tuple[list[Booking], dict[int, float]]:
    """The bookings of everyone who could be over capacity, and their capacities: SQL keeps the
    people whose bookings could add up past their capacity."""
    capacity = func.coalesce(PersonCapacity.capacity, DEFAULT_CAPACITY)
    live = (
        Assignment.organisation_id == context.viewer.organisation_id,
        Assignment.released_at.is_(None),
    )
    candidates = (
        select(Assignment.person_id)
        .outerjoin(PersonCapacity, PersonCapacity.person_id == Assignment.person_id)
        .where(*live)
        .group_by(Assignment.person_id, PersonCapacity.capacity)
        .having(func.sum(Assignment.allocation) > capacity)
    )
    rows = list(
        await context.db.scalars(
            select(Assignment).where(*live, Assignment.person_id.in_(candidates))
        )
    )
    bookings = [_booking(a) for a in rows]
    return bookings, await _capacities(context, {a.person_id for a in rows})


def _booking(a: Assignment) -> Booking:
    return Booking(a.id, a.person_id, a.project_id, a.allocation, a.start_date, a.end_date)


async def _capacities(context: Context, person_ids: set[int]) -> dict[int, float]:
    ordered = sorted(person_ids)
    return dict(zip(ordered, await capacities(context, ordered), strict=True))


async def impact(context: Context, scenario: Scenario) -> ScenarioImpact:
    """What applying ``scenario`` would change; nothing is written. An applied scenario has
    nothing left to change. The replay and the sweeps run off the event loop."""
    if scenario.status is ScenarioStatus.APPLIED:
        everyone, limits = await _everyone(context)
        count = await compute(context, overloaded_count, everyone, limits)
        return ScenarioImpact(
            projects=[],
            overallocations_before=count,
            overallocations_after=count,
            problems=[
                f"The scenario was applied at {scenario.applied_at}; it changes nothing more."
            ],
        )
    changes = await _changes(context, scenario.id)
    projects, bookings, affected = await _state(context, changes)
    before_plans = {pid: Plan(p.budget, p.start_date, p.end_date) for pid, p in projects.items()}
    everyone, limits = await _everyone(context)
    limits |= await _capacities(context, affected)
    found = await compute(
        context, effect, before_plans, bookings, _simulated(changes), everyone, limits, affected
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


async def _in_portfolio(
    tx: Transaction, checks: Checks, scenario: Scenario, value: str | None, field: str
) -> Project | None:
    project = await checks.reference(
        tx.session, scenario.organisation_id, Project, "Project", value, field
    )
    if project is not None and project.portfolio_id != scenario.portfolio_id:
        checks.add(
            INVALID,
            f"Project {project.code} is not in the scenario's portfolio; a scenario reallocates "
            "within one portfolio.",
            field,
        )
    return project


#: Newest first.
SCENARIO_ORDER = Ordering((Scenario.id,), descending=True)


@strawberry.type
class ScenarioPortfolioFields:
    @tier_field(
        TIER, description="The portfolio's what-if scenarios, DRAFT and APPLIED, newest first."
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


async def _hold(tx: Transaction, changes: Sequence[ScenarioChange]) -> None:
    projects = {p for c in changes for p in (c.from_project_id, c.to_project_id) if p}
    for project_id in sorted(projects):
        await lock_row(tx.session, Project, project_id)
    for assignment_id in sorted({c.assignment_id for c in changes if c.assignment_id}):
        await lock_row(tx.session, Assignment, assignment_id)


@strawberry.type
class ScenarioMutation:
    @tier_mutation(
        TIER,
        description="Start a what-if scenario for a portfolio: a DRAFT at version 1, with no "
        "changes. For ADMIN, OFFICE and PORTFOLIO_MANAGER; anyone else gets the error "
        "FORBIDDEN. userErrors: NOT_FOUND on portfolioId; INVALID on name.",
    )
    async def create_scenario(
        self, info: Info[Any, Any], input: CreateScenarioInput
    ) -> ScenarioPayload:
        context = get_context(info)
        authorize(context, "createScenario")

        async def body(tx: Transaction) -> Scenario:
            checks = Checks()
            portfolio = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Portfolio,
                "Portfolio",
                input.portfolio_id,
                "portfolioId",
            )
            name = checks.text(input.name, "name", required=True, max_length=200)
            checks.raise_if_any()
            assert portfolio is not None
            scenario = Scenario(
                organisation_id=portfolio.organisation_id,
                portfolio_id=portfolio.id,
                name=name,
                status=ScenarioStatus.DRAFT,
            )
            tx.session.add(scenario)
            await tx.session.flush()
            tx.audit("Scenario", scenario.id, {"name": name, "portfolioId": input.portfolio_id})
            return scenario

        return await run_mutation(info, "createScenario", ScenarioPayload, body)

    @tier_mutation(
        TIER,
        description="Add a change to a DRAFT scenario; nothing but the change is written. It is "
        "simulated after the scenario's other changes on the data as it is now, and refused if "
        "any change could then not apply; the versions of the projects and the assignment it "
        "names are kept for applyScenario's CONFLICT check. For ADMIN, OFFICE and "
        "PORTFOLIO_MANAGER; anyone else gets the error FORBIDDEN. userErrors: NOT_FOUND on "
        "scenarioId (checked first; with it nothing else is reported), fromProjectId, "
        "toProjectId or assignmentId; INVALID on scenarioId (applied, or full), on a field the "
        "kind needs and lacks or does not take, and on fromProjectId, toProjectId, "
        "assignmentId, amount, allocation or days.",
    )
    async def add_scenario_change(
        self, info: Info[Any, Any], input: AddScenarioChangeInput
    ) -> ScenarioPayload:
        context = get_context(info)
        authorize(context, "addScenarioChange")

        async def body(tx: Transaction) -> Scenario:
            checks = Checks()
            scenario = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Scenario,
                "Scenario",
                input.scenario_id,
                "scenarioId",
            )
            checks.raise_if_any()
            assert scenario is not None
            if scenario.status is not ScenarioStatus.DRAFT:
                checks.add(INVALID, "The scenario was applied; start a new one.", "scenarioId")
                checks.raise_if_any()
            change = ScenarioChange(
                organisation_id=scenario.organisation_id, scenario_id=scenario.id, kind=input.kind
            )
            needs = {
                ScenarioChangeKind.MOVE_BUDGET: {"fromProjectId", "toProjectId", "amount"},
                ScenarioChangeKind.MOVE_ALLOCATION: {"assignmentId", "toProjectId"},
                ScenarioChangeKind.SHIFT_PROJECT: {"fromProjectId", "days"},
            }[input.kind]
            given = {
                "fromProjectId": input.from_project_id,
                "toProjectId": input.to_project_id,
                "amount": input.amount,
                "assignmentId": input.assignment_id,
                "allocation": input.allocation,
                "days": input.days,
            }
            for field in sorted(needs):
                if given[field] is None:
                    checks.add(INVALID, f"A {input.kind.value} change needs {field}.", field)
            extra = {k for k, v in given.items() if v is not None} - needs - {"allocation"}
            if (
                input.kind is not ScenarioChangeKind.MOVE_ALLOCATION
                and input.allocation is not None
            ):
                extra.add("allocation")
            for field in sorted(extra):
                checks.add(INVALID, f"A {input.kind.value} change takes no {field}.", field)
            checks.raise_if_any()
            if input.from_project_id is not None:
                source = await _in_portfolio(
                    tx, checks, scenario, input.from_project_id, "fromProjectId"
                )
                if source is not None:
                    change.from_project_id, change.from_project_version = source.id, source.version
            if input.to_project_id is not None:
                target = await _in_portfolio(
                    tx, checks, scenario, input.to_project_id, "toProjectId"
                )
                if target is not None:
                    change.to_project_id, change.to_project_version = target.id, target.version
            if input.kind is ScenarioChangeKind.MOVE_BUDGET and input.amount is not None:
                amount = checks.money(input.amount, "amount")
                if amount is not None and amount <= 0:
                    checks.add(INVALID, "amount must be more than 0.", "amount")
                if (
                    change.from_project_id is not None
                    and change.from_project_id == change.to_project_id
                ):
                    checks.add(
                        INVALID, "Move budget between two different projects.", "toProjectId"
                    )
                change.amount = amount
            if input.assignment_id is not None:
                assignment = await checks.reference(
                    tx.session,
                    scenario.organisation_id,
                    Assignment,
                    "Assignment",
                    input.assignment_id,
                    "assignmentId",
                )
                if assignment is not None:
                    home = await tx.session.get(Project, assignment.project_id)
                    if assignment.released_at is not None:
                        checks.add(INVALID, "The assignment was released.", "assignmentId")
                    elif home is None or home.portfolio_id != scenario.portfolio_id:
                        checks.add(
                            INVALID,
                            "The assignment's project is not in the scenario's portfolio.",
                            "assignmentId",
                        )
                    change.assignment_id, change.assignment_version = (
                        assignment.id,
                        assignment.version,
                    )
            if input.allocation is not None and not 0 < input.allocation <= 1:
                checks.add(INVALID, "allocation must be more than 0 and at most 1.", "allocation")
            change.allocation = input.allocation
            if input.days is not None:
                if input.days == 0 or abs(input.days) > MAX_SHIFT_DAYS:
                    checks.add(
                        INVALID,
                        f"days must be non-zero and at most {MAX_SHIFT_DAYS} either way.",
                        "days",
                    )
                change.days = input.days
            checks.raise_if_any()
            existing = await _changes(tx.context, scenario.id)
            if len(existing) >= MAX_SCENARIO_CHANGES:
                checks.add(
                    INVALID,
                    f"A scenario holds at most {MAX_SCENARIO_CHANGES} changes; start another "
                    "scenario for the rest.",
                    "scenarioId",
                )
                checks.raise_if_any()
            change.position = len(existing)
            projects, bookings, _ = await _state(tx.context, [*existing, change])
            plans = {pid: Plan(p.budget, p.start_date, p.end_date) for pid, p in projects.items()}
            _, _, problems = simulate(plans, bookings, _simulated([*existing, change]))
            for position, why in problems:
                if position == change.position:
                    field = {
                        ScenarioChangeKind.MOVE_BUDGET: "amount",
                        ScenarioChangeKind.MOVE_ALLOCATION: "assignmentId",
                        ScenarioChangeKind.SHIFT_PROJECT: "days",
                    }[input.kind]
                    checks.add(INVALID, f"This change {why}.", field)
                else:
                    checks.add(
                        INVALID,
                        f"Change {position + 1} of the scenario no longer applies: it {why}; "
                        "start a new scenario.",
                        "scenarioId",
                    )
            checks.raise_if_any()
            tx.session.add(change)
            scenario.updated_at = utcnow()
            await tx.session.flush()
            tx.audit(
                "Scenario",
                scenario.id,
                {
                    "change": snapshot(
                        {k: v for k, v in given.items() if v is not None} | {"kind": input.kind}
                    )
                },
            )
            return scenario

        return await run_mutation(info, "addScenarioChange", ScenarioPayload, body)

    @tier_mutation(
        TIER,
        description="The portfolio's decision: write every change of a DRAFT scenario in one "
        "transaction, or none. Budgets move; assignments move; a shifted project's dates, its "
        "assignments not released and the forecasts of its milestones not yet reached move "
        "(baselines stay, so the shift shows as slip). Emits project.updated for each project a "
        "change names. For ADMIN and PORTFOLIO_MANAGER; anyone else gets the error FORBIDDEN. "
        "userErrors: NOT_FOUND or INVALID (already applied) on scenarioId; CONFLICT on "
        "scenarioId when a project or assignment a change names changed since the change was "
        "added (make a new scenario); INVALID on changes.i when change i (from 0) cannot apply.",
    )
    async def apply_scenario(
        self, info: Info[Any, Any], input: ApplyScenarioInput
    ) -> ScenarioPayload:
        context = get_context(info)
        authorize(context, "applyScenario")

        async def body(tx: Transaction) -> Scenario:
            checks = Checks()
            scenario = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Scenario,
                "Scenario",
                input.scenario_id,
                "scenarioId",
            )
            checks.raise_if_any()
            assert scenario is not None
            if scenario.status is not ScenarioStatus.DRAFT:
                checks.add(INVALID, "The scenario was already applied.", "scenarioId")
                checks.raise_if_any()
            changes = await _changes(tx.context, scenario.id)
            # Every project and assignment the changes name is locked (in ascending id) before
            # its version is compared, so none can change between the comparison and the
            # commit, whether this scenario then writes it or only relied on it.
            await _hold(tx, changes)
            for change in changes:
                for project_id, seen in (
                    (change.from_project_id, change.from_project_version),
                    (change.to_project_id, change.to_project_version),
                ):
                    project = await tx.session.get(Project, project_id) if project_id else None
                    if project is not None and project.version != seen:
                        checks.add(
                            CONFLICT,
                            f"Project {project.code} changed since change {change.position + 1} "
                            "was added (version "
                            f"{seen} then, {project.version} now); review the scenario and make "
                            "a new one.",
                            "scenarioId",
                        )
                if change.assignment_id:
                    assignment = await tx.session.get(Assignment, change.assignment_id)
                    if assignment is None or assignment.version != change.assignment_version:
                        checks.add(
                            CONFLICT,
                            f"The assignment of change {change.position + 1} changed since it was "
                            "added; review the scenario and make a new one.",
                            "scenarioId",
                        )
            checks.raise_if_any()
            projects, bookings, _ = await _state(tx.context, changes)
            plans = {pid: Plan(p.budget, p.start_date, p.end_date) for pid, p in projects.items()}
            after_plans, after_bookings, problems = simulate(plans, bookings, _simulated(changes))
            for position, why in problems:
                checks.add(INVALID, f"Change {position + 1} {why}.", "changes", str(position))
            checks.raise_if_any()
            for project_id, plan in after_plans.items():
                project = projects[project_id]
                project.budget, project.start_date, project.end_date = (
                    plan.budget,
                    plan.start,
                    plan.end,
                )
            for booking in after_bookings.values():
                if booking == bookings[booking.id]:
                    continue
                assignment = await tx.session.get(Assignment, booking.id)
                assert assignment is not None
                assignment.project_id = booking.project_id
                assignment.allocation = booking.allocation
                assignment.start_date, assignment.end_date = booking.start_date, booking.end_date
            for change in changes:
                if change.kind is ScenarioChangeKind.SHIFT_PROJECT and change.from_project_id:
                    await _shift_milestones(tx, checks, change)
            checks.raise_if_any()  # rolls back what was written above
            scenario.status = ScenarioStatus.APPLIED
            scenario.applied_at = utcnow()
            await tx.session.flush()
            tx.audit(
                "Scenario",
                scenario.id,
                {
                    "status": {"from": "DRAFT", "to": "APPLIED"},
                    "projects": sorted(to_global_id("Project", pid) for pid in after_plans),
                },
            )
            for project_id, plan in after_plans.items():
                tx.emit(
                    "project.updated",
                    "Project",
                    project_id,
                    scenario=scenario.id,
                    changed=_changed_fields(plans[project_id], plan),
                )
            return scenario

        return await run_mutation(info, "applyScenario", ScenarioPayload, body)


def _changed_fields(before: Plan, after: Plan) -> list[str]:
    """The GraphQL names of the project fields a scenario changed, as ``project.updated``
    events carry them, so that other plugins can tell a moved project from a re-funded one."""
    fields = {"budget": before.budget != after.budget, "startDate": before.start != after.start}
    fields["endDate"] = before.end != after.end
    return sorted(name for name, changed in fields.items() if changed)


async def _shift_milestones(tx: Transaction, checks: Checks, change: ScenarioChange) -> None:
    """Move the forecasts of the shifted project's milestones not yet reached; baselines stay,
    so the shift shows as slip. A forecast the shift would take out of range is a userError."""
    milestones = await tx.session.scalars(
        select(Milestone).where(
            Milestone.project_id == change.from_project_id, Milestone.actual_date.is_(None)
        )
    )
    for milestone in milestones:
        forecast = add_days(milestone.forecast_date or milestone.baseline_date, change.days or 0)
        if forecast is None:
            checks.add(
                INVALID,
                f"Change {change.position + 1} moves the forecast of milestone "
                f"{milestone.name!r} outside {FIRST_DATE} to {LAST_DATE}, the dates pmo-graph "
                "accepts.",
                "changes",
                str(change.position),
            )
        else:
            milestone.forecast_date = forecast
