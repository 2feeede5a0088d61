"""What the project support office adds to the maturity assessment: questions on reporting
and staffing, and evidence from status reports, milestones and project ownership."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, func, select

from pmo_graph.sdk import (
    Evidence,
    Measure,
    MeasureInput,
    Perspective,
    Project,
    ProjectStage,
    Question,
    share,
)
from pmo_graph_pso.loaders import reporting_cadence
from pmo_graph_pso.models import Milestone, StatusReport

#: A milestone is on plan while its date (reached, else forecast) is this close to its baseline.
ON_PLAN_DAYS = 10

QUESTIONS = [
    Question(
        key="STATUS_REPORTING",
        perspective=Perspective.MANAGEMENT_CONTROL,
        text="How do projects report their status to the office?",
        levels=(
            "Status is asked for when someone needs it.",
            "Most projects report, each in its own format and rhythm.",
            "Every active project reports on the office's template and cadence.",
            "Reports are checked against plans and late or red projects are acted on.",
            "The reporting itself is trimmed and improved from how it is used.",
        ),
    ),
    Question(
        key="STAFFING_SUPPORT",
        perspective=Perspective.RESOURCE,
        text="How does the office supply and track the people projects need?",
        levels=(
            "Projects find their own people.",
            "The office keeps a list of who works where.",
            "Skills and assignments are recorded and staffing requests go through the office.",
            "The office matches skills to demand ahead of time and prevents over-booking.",
            "Staffing practice improves from how past assignments went.",
        ),
    ),
]


def _active(organisation_id: int) -> tuple[Any, ...]:
    return (Project.organisation_id == organisation_id, Project.stage == ProjectStage.ACTIVE)


async def _status_current(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    cadence = await reporting_cadence(context)
    current = exists().where(
        StatusReport.project_id == Project.id,
        StatusReport.period_ending <= measure.as_of,
        StatusReport.period_ending >= measure.as_of - timedelta(days=cadence),
    )
    row: Sequence[Any] = (
        await context.db.execute(
            select(func.count(), func.count().filter(current)).where(
                *_active(context.viewer.organisation_id)
            )
        )
    ).one()
    return share(
        int(row[1]),
        int(row[0]),
        f"active projects reported within the last {cadence} days",
    )


async def _managed_and_sponsored(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    owned = (Project.manager_id.is_not(None)) & (Project.sponsor_id.is_not(None))
    row: Sequence[Any] = (
        await context.db.execute(
            select(func.count(), func.count().filter(owned)).where(
                *_active(context.viewer.organisation_id)
            )
        )
    ).one()
    return share(int(row[1]), int(row[0]), "active projects have both a manager and a sponsor")


async def _milestones_on_plan(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    rows: Sequence[Any] = (
        await context.db.execute(
            select(Milestone.baseline_date, Milestone.forecast_date, Milestone.actual_date)
            .join(Project, Project.id == Milestone.project_id)
            .where(*_active(context.viewer.organisation_id))
        )
    ).all()
    on_plan = sum(
        1
        for baseline, forecast, actual in rows
        if abs(((actual or forecast or baseline) - baseline).days) <= ON_PLAN_DAYS
    )
    return share(
        on_plan,
        len(rows),
        f"milestones of active projects are within {ON_PLAN_DAYS} days of their baseline",
    )


#: The demo's answers to these questions: (six months ago, lately).
DEMO_SCORES = {"STATUS_REPORTING": (2, 4), "STAFFING_SUPPORT": (2, 3)}

MEASURES = [
    Measure(
        key="STATUS_REPORTS_CURRENT",
        perspective=Perspective.MANAGEMENT_CONTROL,
        name="Active projects with a current status report",
        compute=_status_current,
    ),
    Measure(
        key="PROJECTS_MANAGED_AND_SPONSORED",
        perspective=Perspective.ORGANISATIONAL_GOVERNANCE,
        name="Active projects with a manager and a sponsor",
        compute=_managed_and_sponsored,
    ),
    Measure(
        key="MILESTONES_ON_PLAN",
        perspective=Perspective.MANAGEMENT_CONTROL,
        name="Milestones within 10 days of their baseline",
        compute=_milestones_on_plan,
    ),
]
