"""The demo organisation's two past self-assessments, six months apart, showing progress.

The core creates them with its own answers; each tier plugin adds answers to its questions with
``answer_demo_assessments`` from its ``seed_demo`` (called after the core's).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.maturity.models import MaturityAnswer, MaturityAssessment
from pmo_graph.organisations.models import Organisation

#: Days before the seeding day of the earlier and the later assessment.
DEMO_ASSESSMENT_AGES = (200, 20)

#: The core's questions: (score then, score now).
CORE_SCORES = {
    "PLANNING_AND_CONTROL": (2, 3),
    "BENEFITS_IDENTIFIED": (1, 3),
    "BUDGETS_AND_COSTS": (2, 3),
    "STAKEHOLDERS_ENGAGED": (1, 2),
    "RISKS_MANAGED": (2, 3),
    "GOVERNANCE_DECISIONS": (2, 3),
    "PEOPLE_ALLOCATED": (1, 3),
}


async def seed_demo_assessments(
    session: AsyncSession, organisation: Organisation, today: date | None = None
) -> None:
    """The two assessments, with the core's answers."""
    day = today or date.today()
    for age in DEMO_ASSESSMENT_AGES:
        session.add(
            MaturityAssessment(
                organisation_id=organisation.id, assessed_on=day - timedelta(days=age)
            )
        )
    await session.flush()
    await answer_demo_assessments(session, organisation, CORE_SCORES)


async def answer_demo_assessments(
    session: AsyncSession, organisation: Organisation, scores: Mapping[str, tuple[int, int]]
) -> None:
    """Add answers to the demo's earlier and later assessment: ``{key: (earlier, later)}``."""
    assessments = list(
        await session.scalars(
            select(MaturityAssessment)
            .where(MaturityAssessment.organisation_id == organisation.id)
            .order_by(MaturityAssessment.assessed_on, MaturityAssessment.id)
        )
    )
    if len(assessments) != len(DEMO_ASSESSMENT_AGES):
        return  # not the demo's assessments: leave them alone
    for index, assessment in enumerate(assessments):
        session.add_all(
            MaturityAnswer(
                organisation_id=organisation.id,
                assessment_id=assessment.id,
                question_key=key,
                score=pair[index],
            )
            for key, pair in scores.items()
        )
    await session.flush()
