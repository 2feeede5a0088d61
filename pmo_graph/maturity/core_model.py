"""The core's own questions (one per perspective) and its evidence measure (budgets set)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from pmo_graph.maturity.model import Evidence, Measure, MeasureInput, Perspective, Question
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project


def share(part: int, whole: int, what: str) -> Evidence | None:
    """``part`` of ``whole`` as evidence, explained as ``"3 of 4 {what}"``; None when whole is 0."""
    if whole == 0:
        return None
    return Evidence(part / whole, f"{part} of {whole} {what}")


QUESTIONS = [
    Question(
        key="PLANNING_AND_CONTROL",
        perspective=Perspective.MANAGEMENT_CONTROL,
        text="How are projects planned, tracked and brought back on course?",
        levels=(
            "Each project manager does it their own way; plans are seldom kept up to date.",
            "Projects plan and report in similar ways because people copy what worked before.",
            "The office defines one way to plan, track and report, and every project follows it.",
            "Progress against the plans is measured and the measures steer decisions.",
            "The way projects are controlled is improved from what the measures show.",
        ),
    ),
    Question(
        key="BENEFITS_IDENTIFIED",
        perspective=Perspective.BENEFITS,
        text="How are the benefits a project should bring identified and followed?",
        levels=(
            "Benefits are mentioned in business cases and not looked at again.",
            "Some projects name measurable benefits and check them at the end.",
            "Every project names its benefits, their owners and how they will be measured.",
            "Benefits are measured as they come and drive decisions on the projects.",
            "What is learned from realised benefits shapes the next business cases.",
        ),
    ),
    Question(
        key="BUDGETS_AND_COSTS",
        perspective=Perspective.FINANCIAL,
        text="How are project budgets set and costs followed?",
        levels=(
            "Budgets are rough figures; costs are known only at year end.",
            "Projects set budgets and track costs, each in its own way.",
            "Budgets are set, approved and tracked the same way on every project.",
            "Forecasts of cost are compared with budgets and acted on every month.",
            "Estimating improves from how past forecasts compared with actual costs.",
        ),
    ),
    Question(
        key="STAKEHOLDERS_ENGAGED",
        perspective=Perspective.STAKEHOLDER_ENGAGEMENT,
        text="How are the people a project affects identified and kept engaged?",
        levels=(
            "Stakeholders hear about a project when it reaches them.",
            "Projects list their stakeholders and inform them when it matters.",
            "Every project has a stakeholder plan made the same way.",
            "Engagement is measured (feedback, attendance) and plans adjusted.",
            "Engagement practice is refined from what worked across projects.",
        ),
    ),
    Question(
        key="RISKS_MANAGED",
        perspective=Perspective.RISK,
        text="How are risks identified, owned and managed?",
        levels=(
            "Risks are talked about when they turn into problems.",
            "Projects keep risk registers, each in its own way.",
            "Every project assesses and owns its risks the same way, reviewed regularly.",
            "Risk exposure is measured across projects and balanced by the portfolio.",
            "Risk practice is improved from how past risks actually played out.",
        ),
    ),
    Question(
        key="GOVERNANCE_DECISIONS",
        perspective=Perspective.ORGANISATIONAL_GOVERNANCE,
        text="How are projects started, reviewed and stopped?",
        levels=(
            "Projects start when someone senior wants them; few are stopped.",
            "Larger projects need approval; reviews happen when there is trouble.",
            "Every project passes defined gates with a named sponsor and manager.",
            "Gate decisions use measures across the portfolio, and weak projects are stopped.",
            "The governance itself is reviewed and improved.",
        ),
    ),
    Question(
        key="PEOPLE_ALLOCATED",
        perspective=Perspective.RESOURCE,
        text="How are people allocated to projects?",
        levels=(
            "Whoever is free is asked; many are on too much at once.",
            "Managers agree allocations project by project.",
            "Allocations are recorded centrally against skills and capacity.",
            "Capacity and demand are compared across the organisation ahead of time.",
            "Allocation practice improves from how past plans met reality.",
        ),
    ),
]


async def _budgets_set(measure: MeasureInput) -> Evidence | None:
    organisation_id = measure.context.viewer.organisation_id
    row: Sequence[Any] = (
        await measure.context.db.execute(
            select(func.count(), func.count(Project.budget)).where(
                Project.organisation_id == organisation_id,
                Project.stage == ProjectStage.ACTIVE,
            )
        )
    ).one()
    return share(int(row[1]), int(row[0]), "active projects have a budget")


MEASURES = [
    Measure(
        key="BUDGETS_SET",
        perspective=Perspective.FINANCIAL,
        name="Active projects with a budget",
        compute=_budgets_set,
    ),
]
