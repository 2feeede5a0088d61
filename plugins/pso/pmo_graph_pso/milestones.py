"""Milestones: baseline, forecast and actual dates, and how far each has slipped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.graphql.compiled.specs import sql_list, sql_one, sql_value
from pmo_graph.graphql.context import get_context
from pmo_graph.graphql.ids import parse_pk, to_global_id
from pmo_graph.graphql.mutations import Transaction, diff, run_mutation, snapshot
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.payloads import INVALID, UserError
from pmo_graph.graphql.refs import ProjectRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.graphql.tiers import tier_field, tier_mutation
from pmo_graph.graphql.validation import Checks, is_set
from pmo_graph.projects.models import Project
from pmo_graph.projects.mutations import load_project_for_write
from pmo_graph_pso.loaders import milestones_of
from pmo_graph_pso.models import Milestone
from pmo_graph_pso.refs import MilestoneRef
from pmo_graph_pso.scope import TIER

Row = strawberry.Parent[Milestone]


def slip_days(milestone: Milestone) -> int:
    """Days between the baseline and the best date known: actual, else forecast, else baseline."""
    current = milestone.actual_date or milestone.forecast_date or milestone.baseline_date
    return (current - milestone.baseline_date).days


@strawberry.type(name="Milestone", description="A dated step of a project.")
class MilestoneType(ModelNode):
    __model__ = Milestone

    name: str
    baseline_date: date = strawberry.field(description="The date agreed when it was planned.")
    forecast_date: date | None = strawberry.field(description="The date now expected.")
    actual_date: date | None = strawberry.field(description="The date it was reached.")
    version: int
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="(actualDate, else forecastDate, else baselineDate) minus baselineDate, in "
        "days: positive is late, negative early.",
        metadata=sql_value(
            "coalesce({parent}.actual_date, {parent}.forecast_date, {parent}.baseline_date) "
            "- {parent}.baseline_date"
        ),
    )
    def slip_days(self, root: Row) -> int:
        return slip_days(root)

    @strawberry.field(metadata=sql_one("{row}.id = {parent}.project_id"))
    async def project(self, root: Row, info: Info[Any, Any]) -> ProjectRef | None:
        return await load_by_id(info, Project, root.project_id)


@strawberry.type(description="The result of a mutation on a milestone.")
class MilestonePayload:
    milestone: MilestoneRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateMilestoneInput:
    project_id: strawberry.ID
    name: str
    baseline_date: date
    forecast_date: date | None = None


@strawberry.input(description="Fields left out keep their value; null clears a date.")
class UpdateMilestoneInput:
    milestone_id: strawberry.ID
    expected_version: int | None = strawberry.UNSET
    project_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The project you believe the milestone belongs to: refused when it does not.",
    )
    name: str | None = strawberry.UNSET
    forecast_date: date | None = strawberry.UNSET
    actual_date: date | None = strawberry.UNSET


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
        TIER,
        description="The project's milestones, by baseline date.",
        metadata=sql_list("{row}.project_id = {parent}.id", "{row}.baseline_date, {row}.id"),
    )
    async def milestones(
        self, root: strawberry.Parent[Project], info: Info[Any, Any]
    ) -> list[MilestoneRef]:
        (found,) = await milestones_of(get_context(info), [root.id])
        return found


@strawberry.type
class MilestoneMutation:
    @tier_mutation(TIER, description="Add a milestone to a project.")
    async def create_milestone(
        self, info: Info[Any, Any], input: CreateMilestoneInput
    ) -> MilestonePayload:
        authorize(get_context(info), "createMilestone")

        async def body(tx: Transaction) -> Milestone:
            checks = Checks()
            project = await load_project_for_write(tx, checks, input.project_id, "createMilestone")
            name = checks.text(input.name, "name", required=True, max_length=200)
            checks.raise_if_any()
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

    @tier_mutation(TIER, description="Move a milestone's forecast, record it reached, rename it.")
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
