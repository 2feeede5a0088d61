"""Milestones: baseline, forecast and actual dates, and how far each has slipped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import (
    INVALID,
    Checks,
    ModelNode,
    Project,
    ProjectRef,
    Transaction,
    UserError,
    authorize,
    diff,
    get_context,
    is_set,
    load_parent,
    load_project_for_write,
    parse_pk,
    run_mutation,
    snapshot,
    sql_list,
    sql_one,
    sql_value,
    tier_field,
    tier_mutation,
    to_global_id,
)
from pmo_graph_pso.loaders import milestones_of
from pmo_graph_pso.models import Milestone
from pmo_graph_pso.refs import MilestoneRef
from pmo_graph_pso.tier import KEY

Row = strawberry.Parent[Milestone]


def slip_days(milestone: Milestone) -> int:
    """Days between the baseline and the best date known: actual, else forecast, else baseline."""
    current = milestone.actual_date or milestone.forecast_date or milestone.baseline_date
    return (current - milestone.baseline_date).days


@strawberry.type(
    name="Milestone",
    description="A dated step of a project: the date agreed when it was planned (its baseline), "
    "the date now expected and the day it was reached, and how far it has slipped.",
)
class MilestoneType(ModelNode):
    __model__ = Milestone

    name: str = strawberry.field(
        description="What is reached, e.g. `Design signed off` (1 to 200 characters)."
    )
    baseline_date: date = strawberry.field(
        description="The date agreed when it was planned. It never changes, so slip is measured "
        "against it."
    )
    forecast_date: date | None = strawberry.field(
        description="The date now expected; null when no forecast was made."
    )
    actual_date: date | None = strawberry.field(
        description="The day it was reached; null while it has not been."
    )
    version: int = strawberry.field(
        description="Grows by one on every change; send it as expectedVersion to updateMilestone."
    )
    created_at: datetime = strawberry.field(description="When it was planned (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")

    @strawberry.field(
        description="(actualDate, else forecastDate, else baselineDate) minus baselineDate, in "
        "days: positive is late, negative early, 0 on plan or while there is no forecast.",
        metadata=sql_value(
            "coalesce({parent}.actual_date, {parent}.forecast_date, {parent}.baseline_date) "
            "- {parent}.baseline_date",
            # dates are ISO text on SQLite: the difference of their day numbers
            sqlite="CAST(julianday(coalesce({parent}.actual_date, {parent}.forecast_date, "
            "{parent}.baseline_date)) - julianday({parent}.baseline_date) AS INTEGER)",
        ),
    )
    def slip_days(self, root: Row) -> int:
        return slip_days(root)

    @strawberry.field(
        description="The project the milestone belongs to.",
        metadata=sql_one("{row}.id = {parent}.project_id"),
    )
    async def project(self, root: Row, info: Info[Any, Any]) -> ProjectRef:
        return await load_parent(info, Project, root.project_id)


@strawberry.type(description="The result of a mutation on a milestone.")
class MilestonePayload:
    milestone: MilestoneRef | None = strawberry.field(
        default=None,
        description="The milestone created or changed; null when userErrors say why not.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="A milestone to plan for a project; its baseline is fixed from then on."
)
class CreateMilestoneInput:
    project_id: strawberry.ID = strawberry.field(
        description="The project; NOT_FOUND when your organisation has no project with that id."
    )
    name: str = strawberry.field(
        description="What is reached, e.g. `Design signed off`: trimmed, 1 to 200 characters "
        "(else INVALID)."
    )
    baseline_date: date = strawberry.field(
        description="The date agreed now; it cannot be changed later, so slip is measured "
        "against it."
    )
    forecast_date: date | None = strawberry.field(
        default=None,
        description="The date expected, if it already differs from the baseline; leave out for "
        "none.",
    )


@strawberry.input(
    description="A change to a milestone: fields left out keep their value, null clears a date. "
    "Its baseline cannot be changed."
)
class UpdateMilestoneInput:
    milestone_id: strawberry.ID = strawberry.field(
        description="The milestone to change; NOT_FOUND when your organisation has no milestone "
        "with that id."
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version you read: if the milestone changed since, nothing is written "
        "and the userError is CONFLICT. Leave out to change it whatever its version.",
    )
    project_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The project you believe the milestone belongs to: INVALID when it belongs "
        "to another.",
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="A new name: trimmed, 1 to 200 characters; blank or null is INVALID.",
    )
    forecast_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="The date now expected; null clears the forecast."
    )
    actual_date: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="The day it was reached; null clears it (not reached after all).",
    )


def milestone_values(milestone: Milestone) -> dict[str, Any]:
    """The milestone's fields under their API names."""
    return {
        "name": milestone.name,
        "baselineDate": milestone.baseline_date,
        "forecastDate": milestone.forecast_date,
        "actualDate": milestone.actual_date,
    }


@strawberry.type
class MilestoneProjectFields:
    @tier_field(
        KEY,
        description="The project's milestones, by baseline date, then in the order they were "
        "planned.",
        metadata=sql_list("{row}.project_id = {parent}.id", "{row}.baseline_date, {row}.id"),
    )
    async def milestones(
        self, root: strawberry.Parent[Project], info: Info[Any, Any]
    ) -> list[MilestoneRef]:
        (found,) = await milestones_of(get_context(info), [root.id])
        return found


@strawberry.type
class MilestoneMutation:
    @tier_mutation(
        KEY,
        description="Plan a milestone of a project. ADMIN, OFFICE, PORTFOLIO_MANAGER and "
        "PROGRAMME_DIRECTOR may on any project, a PROJECT_MANAGER on the projects they manage; "
        "anyone else gets FORBIDDEN. userErrors: NOT_FOUND (projectId), INVALID (name).",
    )
    async def create_milestone(
        self, info: Info[Any, Any], input: CreateMilestoneInput
    ) -> MilestonePayload:
        authorize(get_context(info), "createMilestone")

        async def body(tx: Transaction) -> Milestone:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "createMilestone", gather=True
            )
            name = checks.text(input.name, "name", required=True, max_length=200)
            checks.raise_if_any()
            assert project is not None
            milestone = Milestone(
                organisation_id=project.organisation_id,
                project_id=project.id,
                name=name,
                baseline_date=input.baseline_date,
                forecast_date=input.forecast_date,
            )
            tx.session.add(milestone)
            await tx.session.flush()
            tx.audit(
                "Milestone",
                milestone.id,
                snapshot({"projectId": input.project_id, **milestone_values(milestone)}),
            )
            tx.emit("milestone.created", "Milestone", milestone.id, project=project.id)
            return milestone

        return await run_mutation(info, "createMilestone", MilestonePayload, body)

    @tier_mutation(
        KEY,
        description="Move a milestone's forecast, record the day it was reached, or rename it; "
        "its baseline never changes. The same roles as createMilestone, on the milestone's "
        "project. userErrors: NOT_FOUND (milestoneId); INVALID (projectId names another project, "
        "name blank or too long); CONFLICT (expectedVersion is stale).",
    )
    async def update_milestone(
        self, info: Info[Any, Any], input: UpdateMilestoneInput
    ) -> MilestonePayload:
        context = get_context(info)
        authorize(context, "updateMilestone")

        async def body(tx: Transaction) -> Milestone:
            checks = Checks()
            milestone = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Milestone,
                "Milestone",
                input.milestone_id,
                "milestoneId",
            )
            checks.raise_if_any()
            assert milestone is not None
            project = await tx.session.get(Project, milestone.project_id)
            assert project is not None
            authorize(
                context, "updateMilestone", project_manager_id=project.manager_id, on_project=True
            )
            if is_set(input.project_id) and (
                input.project_id is None or parse_pk(input.project_id, "Project") != project.id
            ):
                checks.add(
                    INVALID,
                    f"The milestone belongs to project {project.code} "
                    f"({to_global_id('Project', project.id)}), not to {input.project_id!r}.",
                    "projectId",
                )
            checks.version(input.expected_version, milestone.version, "milestone")
            before = milestone_values(milestone)
            if is_set(input.name):
                milestone.name = (
                    checks.text(input.name, "name", required=True, max_length=200) or milestone.name
                )
            if is_set(input.forecast_date):
                milestone.forecast_date = input.forecast_date
            if is_set(input.actual_date):
                milestone.actual_date = input.actual_date
            checks.raise_if_any()
            await tx.session.flush()
            changes = diff(before, milestone_values(milestone))
            tx.audit("Milestone", milestone.id, changes)
            tx.emit(
                "milestone.updated",
                "Milestone",
                milestone.id,
                project=project.id,
                changed=sorted(changes),
                slip_days=slip_days(milestone),
            )
            return milestone

        return await run_mutation(info, "updateMilestone", MilestonePayload, body)
