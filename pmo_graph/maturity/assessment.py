"""Reading past assessments: the history, and the latest answer to each question."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from pmo_graph.maturity.models import MaturityAnswer, MaturityAssessment
from pmo_graph.maturity.profile import AnswerResult
from pmo_graph.maturity.registry import InstalledQuestion
from pmo_graph.request.context import Context


@dataclass
class PastAssessment:
    """An assessment with its answers (only those to questions still installed)."""

    row: MaturityAssessment
    answers: list[AnswerResult] = field(default_factory=list)


async def assessments_until(
    context: Context, as_of: date, questions: Mapping[str, InstalledQuestion]
) -> list[PastAssessment]:
    """The organisation's assessments on or before ``as_of``, newest first (two statements)."""
    organisation_id = context.viewer.organisation_id
    rows = list(
        await context.db.scalars(
            select(MaturityAssessment)
            .where(
                MaturityAssessment.organisation_id == organisation_id,
                MaturityAssessment.assessed_on <= as_of,
            )
            .order_by(MaturityAssessment.assessed_on.desc(), MaturityAssessment.id.desc())
        )
    )
    if not rows:
        return []
    past = {row.id: PastAssessment(row) for row in rows}
    answers = await context.db.scalars(
        select(MaturityAnswer)
        .where(
            MaturityAnswer.organisation_id == organisation_id,
            MaturityAnswer.assessment_id.in_(list(past)),
        )
        .order_by(MaturityAnswer.id)
    )
    for answer in answers:
        installed = questions.get(answer.question_key)
        if installed is None:  # its plugin was uninstalled
            continue
        assessment = past[answer.assessment_id]
        assessment.answers.append(
            AnswerResult(installed.question, answer.score, assessment.row.assessed_on)
        )
    return list(past.values())
