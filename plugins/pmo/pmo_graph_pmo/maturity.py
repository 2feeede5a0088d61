"""What the programme office adds to the maturity assessment: questions on benefits and
programme direction, and evidence from benefits, their measurements and the programmes' beat."""

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
    Programme,
    Project,
    ProjectStage,
    Question,
    compute,
    share,
)
from pmo_graph_pmo.beat import synchronise_all
from pmo_graph_pmo.beat_data import beat_data
from pmo_graph_pmo.models import Benefit, BenefitContribution, BenefitMeasurement

#: A benefit counts as measured lately when it has a measurement within this many days.
QUARTER_DAYS = 91

QUESTIONS = [
    Question(
        key="BENEFITS_REALISATION",
        perspective=Perspective.BENEFITS,
        text="How are programme benefits measured and realised?",
        levels=(
            "Benefits are claimed at the start and not measured.",
            "Some benefits are measured once a project ends.",
            "Every benefit has a baseline, a target, an owner and regular measurements.",
            "Forecasts of benefits steer the programme, and at-risk benefits are acted on.",
            "Benefit targets and measures improve from what past programmes realised.",
        ),
    ),
    Question(
        key="PROGRAMME_DIRECTION",
        perspective=Perspective.ORGANISATIONAL_GOVERNANCE,
        text="How are programmes directed and kept in step?",
        levels=(
            "Projects that belong together are run separately.",
            "A programme manager coordinates the projects informally.",
            "Each programme has a director who sponsors its projects, tranches and dependencies.",
            "The programme's beat is measured and slips across projects are resolved early.",
            "Programme direction improves from how past tranches went.",
        ),
    ),
]


async def _projects_linked(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    linked = exists().where(BenefitContribution.project_id == Project.id)
    row: Sequence[Any] = (
        await context.db.execute(
            select(func.count(), func.count().filter(linked)).where(
                Project.organisation_id == context.viewer.organisation_id,
                Project.stage == ProjectStage.ACTIVE,
                Project.programme_id.is_not(None),
            )
        )
    ).one()
    return share(int(row[1]), int(row[0]), "active projects of programmes contribute to a benefit")


async def _benefits_measured(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    since = measure.as_of - timedelta(days=QUARTER_DAYS - 1)
    recent = exists().where(
        BenefitMeasurement.benefit_id == Benefit.id,
        BenefitMeasurement.measured_on >= since,
        BenefitMeasurement.measured_on <= measure.as_of,
    )
    row: Sequence[Any] = (
        await context.db.execute(
            select(func.count(), func.count().filter(recent)).where(
                Benefit.organisation_id == context.viewer.organisation_id
            )
        )
    ).one()
    return share(
        int(row[1]),
        int(row[0]),
        f"benefits were measured in the {QUARTER_DAYS} days to {measure.as_of}",
    )


async def _programmes_in_step(measure: MeasureInput) -> Evidence | None:
    context = measure.context
    organisation_id = context.viewer.organisation_id
    programme_ids = list(
        await context.db.scalars(
            select(Programme.id).where(Programme.organisation_id == organisation_id)
        )
    )
    if not programme_ids:
        return None
    data = await beat_data(context.db, organisation_id, programme_ids, measure.as_of)
    beats = await compute(context, synchronise_all, [data[pid] for pid in programme_ids])
    in_step = sum(1 for beat in beats if beat.in_step)
    return share(in_step, len(programme_ids), "programmes are in step")


#: The demo's answers to these questions: (six months ago, lately).
DEMO_SCORES = {"BENEFITS_REALISATION": (1, 3), "PROGRAMME_DIRECTION": (1, 3)}

MEASURES = [
    Measure(
        key="PROGRAMME_PROJECTS_LINKED",
        perspective=Perspective.BENEFITS,
        name="Programme projects linked to a benefit",
        compute=_projects_linked,
    ),
    Measure(
        key="BENEFITS_MEASURED",
        perspective=Perspective.BENEFITS,
        name="Benefits measured in the last quarter",
        compute=_benefits_measured,
    ),
    Measure(
        key="PROGRAMMES_IN_STEP",
        perspective=Perspective.MANAGEMENT_CONTROL,
        name="Programmes in step",
        compute=_programmes_in_step,
    ),
]
