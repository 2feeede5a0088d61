"""What the portfolio office adds to the maturity assessment: questions on risk balance and
priorities, and evidence from risk registers and people's bookings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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
from pmo_graph_portfolio.enums import RiskRating, RiskStatus, rating
from pmo_graph_portfolio.load import EPSILON
from pmo_graph_portfolio.models import Risk
from pmo_graph_pso.models import Assignment, PersonCapacity

QUESTIONS = [
    Question(
        key="PORTFOLIO_RISK_BALANCE",
        perspective=Perspective.RISK,
        text="How is risk looked at across the portfolio, not only project by project?",
        levels=(
            "Nobody looks at risk beyond single projects.",
            "Large risks are escalated when a project cannot handle them.",
            "Every register is visible to the portfolio, and common risks are managed there.",
            "The portfolio's exposure is measured and kept within agreed limits.",
            "Risk appetite and limits are tuned from how exposure turned out.",
        ),
    ),
    Question(
        key="PORTFOLIO_PRIORITIES",
        perspective=Perspective.ORGANISATIONAL_GOVERNANCE,
        text="How does the organisation decide which projects go ahead and which stop?",
        levels=(
            "Whoever argues hardest gets the project.",
            "A board approves projects one at a time.",
            "Projects are scored on agreed criteria and funded in that order within a budget.",
            "The portfolio is rebalanced as scores, risks and capacity change.",
            "The criteria are reviewed against the value projects actually delivered.",
        ),
    ),
]


async def _registers_assessed(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    has_risk = exists().where(Risk.project_id == Project.id)
    row: Sequence[Any] = (
        await context.db.execute(
            select(func.count(), func.count().filter(has_risk)).where(
                Project.organisation_id == context.viewer.organisation_id,
                Project.stage == ProjectStage.ACTIVE,
            )
        )
    ).one()
    return share(int(row[1]), int(row[0]), "active projects have at least one risk recorded")


async def _high_risks_owned(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    rows: Sequence[Any] = (
        await context.db.execute(
            select(Risk.probability, Risk.impact, Risk.owner_id).where(
                Risk.organisation_id == context.viewer.organisation_id,
                Risk.status == RiskStatus.OPEN,
            )
        )
    ).all()
    high = [owner for p, i, owner in rows if rating(p * i) is RiskRating.HIGH]
    owned = sum(1 for owner in high if owner is not None)
    return share(owned, len(high), "open HIGH risks have an owner")


async def _people_within_capacity(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    organisation_id = context.viewer.organisation_id
    rows: Sequence[Any] = (
        await context.db.execute(
            select(Assignment.person_id, func.sum(Assignment.allocation), PersonCapacity.capacity)
            .outerjoin(
                PersonCapacity,
                (PersonCapacity.person_id == Assignment.person_id)
                & (PersonCapacity.organisation_id == organisation_id),
            )
            .where(
                Assignment.organisation_id == organisation_id,
                Assignment.released_at.is_(None),
                Assignment.start_date <= measure.as_of,
                Assignment.end_date >= measure.as_of,
            )
            .group_by(Assignment.person_id, PersonCapacity.capacity)
        )
    ).all()
    booked: dict[int, tuple[float, float]] = defaultdict(lambda: (0.0, 1.0))
    for person_id, total, capacity in rows:
        booked[person_id] = (float(total), 1.0 if capacity is None else float(capacity))
    within = sum(1 for total, capacity in booked.values() if total <= capacity + EPSILON)
    return share(within, len(booked), f"people booked on {measure.as_of} are within their capacity")


#: The demo's answers to these questions: (six months ago, lately).
DEMO_SCORES = {"PORTFOLIO_RISK_BALANCE": (1, 3), "PORTFOLIO_PRIORITIES": (2, 3)}

MEASURES = [
    Measure(
        key="RISK_REGISTERS_ASSESSED",
        perspective=Perspective.RISK,
        name="Active projects with an assessed risk register",
        compute=_registers_assessed,
    ),
    Measure(
        key="HIGH_RISKS_OWNED",
        perspective=Perspective.RISK,
        name="Open HIGH risks with an owner",
        compute=_high_risks_owned,
    ),
    Measure(
        key="PEOPLE_WITHIN_CAPACITY",
        perspective=Perspective.RESOURCE,
        name="People booked within their capacity",
        compute=_people_within_capacity,
    ),
]
