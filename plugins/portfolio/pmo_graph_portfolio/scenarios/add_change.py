"""Adding a change to a DRAFT scenario: its fields checked for its kind, the projects and the
assignment it names checked against the scenario's portfolio, the change replayed after the
scenario's others, and only then recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pmo_graph.sdk import INVALID, Checks, Project, Transaction, snapshot, utcnow
from pmo_graph_portfolio.enums import ScenarioChangeKind, ScenarioStatus
from pmo_graph_portfolio.models import Scenario, ScenarioChange
from pmo_graph_portfolio.scenarios.inputs import AddScenarioChangeInput
from pmo_graph_portfolio.scenarios.limits import MAX_SCENARIO_CHANGES, MAX_SHIFT_DAYS
from pmo_graph_portfolio.scenarios.state import replay_state, scenario_changes, simulated
from pmo_graph_portfolio.what_if import Plan, simulate
from pmo_graph_pso.models import Assignment

#: The inputs each kind of change needs (``allocation`` is optional for MOVE_ALLOCATION).
NEEDS = {
    ScenarioChangeKind.MOVE_BUDGET: {"fromProjectId", "toProjectId", "amount"},
    ScenarioChangeKind.MOVE_ALLOCATION: {"assignmentId", "toProjectId"},
    ScenarioChangeKind.SHIFT_PROJECT: {"fromProjectId", "days"},
}
#: The input a problem of the change itself is reported on, by kind.
BLAMED = {
    ScenarioChangeKind.MOVE_BUDGET: "amount",
    ScenarioChangeKind.MOVE_ALLOCATION: "assignmentId",
    ScenarioChangeKind.SHIFT_PROJECT: "days",
}


async def add_change(tx: Transaction, input: AddScenarioChangeInput) -> Scenario:
    """The body of ``addScenarioChange``: every check, then the change written; a userError
    writes nothing."""
    checks = Checks()
    scenario = await _draft(tx, checks, input.scenario_id)
    change = ScenarioChange(
        organisation_id=scenario.organisation_id, scenario_id=scenario.id, kind=input.kind
    )
    given = _given(input)
    _check_fields(checks, input.kind, given)
    checks.raise_if_any()
    await _set_projects(tx, checks, scenario, input, change)
    if input.kind is ScenarioChangeKind.MOVE_BUDGET and input.amount is not None:
        _set_amount(checks, input.amount, change)
    if input.assignment_id is not None:
        await _set_assignment(tx, checks, scenario, input.assignment_id, change)
    _set_allocation(checks, input.allocation, change)
    _set_days(checks, input.days, change)
    checks.raise_if_any()
    existing = await _room_for_one_more(tx, checks, scenario)
    change.position = len(existing)
    await _check_it_applies(tx, checks, existing, change)
    checks.raise_if_any()
    await _record(tx, scenario, change, given)
    return scenario


async def _draft(tx: Transaction, checks: Checks, scenario_id: str) -> Scenario:
    """The scenario, a DRAFT; NOT_FOUND or INVALID (applied) stop here, before anything else."""
    scenario = await checks.reference(
        tx.session,
        tx.context.viewer.organisation_id,
        Scenario,
        "Scenario",
        scenario_id,
        "scenarioId",
    )
    checks.raise_if_any()
    assert scenario is not None
    if scenario.status is not ScenarioStatus.DRAFT:
        checks.add(INVALID, "The scenario was applied; start a new one.", "scenarioId")
        checks.raise_if_any()
    return scenario


def _given(input: AddScenarioChangeInput) -> dict[str, Any]:
    """The change's inputs by their GraphQL names (None: not given)."""
    return {
        "fromProjectId": input.from_project_id,
        "toProjectId": input.to_project_id,
        "amount": input.amount,
        "assignmentId": input.assignment_id,
        "allocation": input.allocation,
        "days": input.days,
    }


def _check_fields(checks: Checks, kind: ScenarioChangeKind, given: dict[str, Any]) -> None:
    """INVALID on each input the kind needs and lacks, and on each it does not take."""
    needs = NEEDS[kind]
    for field in sorted(needs):
        if given[field] is None:
            checks.add(INVALID, f"A {kind.value} change needs {field}.", field)
    extra = {k for k, v in given.items() if v is not None} - needs - {"allocation"}
    if kind is not ScenarioChangeKind.MOVE_ALLOCATION and given["allocation"] is not None:
        extra.add("allocation")
    for field in sorted(extra):
        checks.add(INVALID, f"A {kind.value} change takes no {field}.", field)


async def _set_projects(
    tx: Transaction,
    checks: Checks,
    scenario: Scenario,
    input: AddScenarioChangeInput,
    change: ScenarioChange,
) -> None:
    """The projects the change names, in the scenario's portfolio, with the versions seen."""
    if input.from_project_id is not None:
        source = await _in_portfolio(tx, checks, scenario, input.from_project_id, "fromProjectId")
        if source is not None:
            change.from_project_id, change.from_project_version = source.id, source.version
    if input.to_project_id is not None:
        target = await _in_portfolio(tx, checks, scenario, input.to_project_id, "toProjectId")
        if target is not None:
            change.to_project_id, change.to_project_version = target.id, target.version


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


def _set_amount(checks: Checks, value: Decimal, change: ScenarioChange) -> None:
    """MOVE_BUDGET's amount: money, more than 0, between two different projects."""
    amount = checks.money(value, "amount")
    if amount is not None and amount <= 0:
        checks.add(INVALID, "amount must be more than 0.", "amount")
    if change.from_project_id is not None and change.from_project_id == change.to_project_id:
        checks.add(INVALID, "Move budget between two different projects.", "toProjectId")
    change.amount = amount


async def _set_assignment(
    tx: Transaction, checks: Checks, scenario: Scenario, value: str, change: ScenarioChange
) -> None:
    """The assignment moved: not released, on a project of the scenario's portfolio."""
    assignment = await checks.reference(
        tx.session, scenario.organisation_id, Assignment, "Assignment", value, "assignmentId"
    )
    if assignment is None:
        return
    home = await tx.session.get(Project, assignment.project_id)
    if assignment.released_at is not None:
        checks.add(INVALID, "The assignment was released.", "assignmentId")
    elif home is None or home.portfolio_id != scenario.portfolio_id:
        checks.add(
            INVALID, "The assignment's project is not in the scenario's portfolio.", "assignmentId"
        )
    change.assignment_id, change.assignment_version = assignment.id, assignment.version


def _set_allocation(checks: Checks, allocation: float | None, change: ScenarioChange) -> None:
    if allocation is not None and not 0 < allocation <= 1:
        checks.add(INVALID, "allocation must be more than 0 and at most 1.", "allocation")
    change.allocation = allocation


def _set_days(checks: Checks, days: int | None, change: ScenarioChange) -> None:
    if days is None:
        return
    if days == 0 or abs(days) > MAX_SHIFT_DAYS:
        checks.add(
            INVALID, f"days must be non-zero and at most {MAX_SHIFT_DAYS} either way.", "days"
        )
    change.days = days


async def _room_for_one_more(
    tx: Transaction, checks: Checks, scenario: Scenario
) -> list[ScenarioChange]:
    """The scenario's changes so far; INVALID when it already holds the most it may."""
    existing = await scenario_changes(tx.context, scenario.id)
    if len(existing) >= MAX_SCENARIO_CHANGES:
        checks.add(
            INVALID,
            f"A scenario holds at most {MAX_SCENARIO_CHANGES} changes; start another "
            "scenario for the rest.",
            "scenarioId",
        )
        checks.raise_if_any()
    return existing


async def _check_it_applies(
    tx: Transaction, checks: Checks, existing: list[ScenarioChange], change: ScenarioChange
) -> None:
    """Replay the scenario with the change last, on the data as it is now: INVALID when the
    change, or an earlier one, could then not apply."""
    projects, bookings, _ = await replay_state(tx.context, [*existing, change])
    plans = {pid: Plan(p.budget, p.start_date, p.end_date) for pid, p in projects.items()}
    _, _, problems = simulate(plans, bookings, simulated([*existing, change]))
    for position, why in problems:
        if position == change.position:
            checks.add(INVALID, f"This change {why}.", BLAMED[change.kind])
        else:
            checks.add(
                INVALID,
                f"Change {position + 1} of the scenario no longer applies: it {why}; "
                "start a new scenario.",
                "scenarioId",
            )


async def _record(
    tx: Transaction, scenario: Scenario, change: ScenarioChange, given: dict[str, Any]
) -> None:
    """Write the change and audit it on the scenario."""
    tx.session.add(change)
    scenario.updated_at = utcnow()
    await tx.session.flush()
    tx.audit(
        "Scenario",
        scenario.id,
        {
            "change": snapshot(
                {k: v for k, v in given.items() if v is not None} | {"kind": change.kind}
            )
        },
    )
