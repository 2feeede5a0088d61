"""Applying a scenario: every change written in one transaction, or none."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from pmo_graph.sdk import (
    CONFLICT,
    FIRST_DATE,
    INVALID,
    LAST_DATE,
    Checks,
    Project,
    Transaction,
    add_days,
    lock_row,
    to_global_id,
    utcnow,
)
from pmo_graph_portfolio.enums import ScenarioChangeKind, ScenarioStatus
from pmo_graph_portfolio.models import Scenario, ScenarioChange
from pmo_graph_portfolio.scenarios.inputs import ApplyScenarioInput
from pmo_graph_portfolio.scenarios.state import replay_state, scenario_changes, simulated
from pmo_graph_portfolio.what_if import Booking, Plan, simulate
from pmo_graph_pso.models import Assignment, Milestone


async def apply_changes(tx: Transaction, input: ApplyScenarioInput) -> Scenario:
    """The body of ``applyScenario``: check the scenario still applies as it was made, then
    write every change and mark it APPLIED; a userError rolls everything back."""
    checks = Checks()
    scenario = await checks.reference(
        tx.session,
        tx.context.viewer.organisation_id,
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
    changes = await scenario_changes(tx.context, scenario.id)
    # Every project and assignment the changes name is locked (in ascending id) before
    # its version is compared, so none can change between the comparison and the
    # commit, whether this scenario then writes it or only relied on it.
    await _hold(tx, changes)
    await _check_versions(tx, checks, changes)
    checks.raise_if_any()
    projects, bookings, _ = await replay_state(tx.context, changes)
    plans = {pid: Plan(p.budget, p.start_date, p.end_date) for pid, p in projects.items()}
    after_plans, after_bookings, problems = simulate(plans, bookings, simulated(changes))
    for position, why in problems:
        checks.add(INVALID, f"Change {position + 1} {why}.", "changes", str(position))
    checks.raise_if_any()
    await _write(tx, projects, after_plans, bookings, after_bookings)
    for change in changes:
        if change.kind is ScenarioChangeKind.SHIFT_PROJECT and change.from_project_id:
            await _shift_milestones(tx, checks, change)
    checks.raise_if_any()  # rolls back what was written above
    await _record(tx, scenario, plans, after_plans)
    return scenario


async def _hold(tx: Transaction, changes: Sequence[ScenarioChange]) -> None:
    projects = {p for c in changes for p in (c.from_project_id, c.to_project_id) if p}
    for project_id in sorted(projects):
        await lock_row(tx.session, Project, project_id)
    for assignment_id in sorted({c.assignment_id for c in changes if c.assignment_id}):
        await lock_row(tx.session, Assignment, assignment_id)


async def _check_versions(
    tx: Transaction, checks: Checks, changes: Sequence[ScenarioChange]
) -> None:
    """CONFLICT for each project or assignment a change names that changed since it was added."""
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


async def _write(
    tx: Transaction,
    projects: dict[int, Project],
    after_plans: dict[int, Plan],
    bookings: dict[int, Booking],
    after_bookings: dict[int, Booking],
) -> None:
    """Write the replay's outcome: the projects' budgets and dates, the moved assignments."""
    for project_id, plan in after_plans.items():
        project = projects[project_id]
        project.budget, project.start_date, project.end_date = plan.budget, plan.start, plan.end
    for booking in after_bookings.values():
        if booking == bookings[booking.id]:
            continue
        assignment = await tx.session.get(Assignment, booking.id)
        assert assignment is not None
        assignment.project_id = booking.project_id
        assignment.allocation = booking.allocation
        assignment.start_date, assignment.end_date = booking.start_date, booking.end_date


async def _record(
    tx: Transaction, scenario: Scenario, plans: dict[int, Plan], after_plans: dict[int, Plan]
) -> None:
    """Mark the scenario APPLIED, audit it and announce every project it changed."""
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
