"""``submitMaturityAssessment``: the office scores itself, question by question."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.types import utcnow
from pmo_graph.graphql.mutations import run_mutation
from pmo_graph.graphql.payloads import DUPLICATE, INVALID, NOT_FOUND, UserError
from pmo_graph.graphql.validation import Checks
from pmo_graph.maturity.models import MaturityAnswer, MaturityAssessment
from pmo_graph.maturity.registry import maturity_of
from pmo_graph.maturity.types import MaturityAssessmentType
from pmo_graph.request.context import get_context
from pmo_graph.request.transaction import Transaction

MAX_ANSWERS = 500


@strawberry.input(description="A question's key and the score the office gives itself (1 to 5).")
class MaturityAnswerInput:
    question_key: str = strawberry.field(
        description="The question's key (`maturity { questions { key } }` lists them; NOT_FOUND "
        "for another, DUPLICATE when the input answers it twice)."
    )
    score: int = strawberry.field(
        description="From 1 (Awareness) to 5 (Optimised), as the question's `levels` describe "
        "them (INVALID otherwise)."
    )


@strawberry.input(description="A self-assessment: scores for some or all of the questions.")
class SubmitMaturityAssessmentInput:
    answers: list[MaturityAnswerInput] = strawberry.field(
        description="One score per question, 1 to 500 of them; questions left out keep their "
        "earlier answers."
    )
    assessed_on: date | None = strawberry.field(
        default=None,
        description="The day it speaks for: today (UTC) when left out or null, never a day to "
        "come (INVALID).",
    )


@strawberry.type(description="The result of submitMaturityAssessment.")
class MaturityAssessmentPayload:
    maturity_assessment: MaturityAssessmentType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @strawberry.field(
        description="The same assessment as `maturityAssessment`.",
        deprecation_reason="Use maturityAssessment: a payload's field is named after its type.",
    )
    def assessment(self) -> MaturityAssessmentType | None:
        """The same assessment, under the name it had before the payload followed the rule."""
        return self.maturity_assessment


def _check_answers(
    checks: Checks, answers: list[MaturityAnswerInput], known: set[str]
) -> dict[str, int]:
    if not answers:
        checks.add(INVALID, "Answer at least one question.", "answers")
    if len(answers) > MAX_ANSWERS:
        checks.add(INVALID, f"At most {MAX_ANSWERS} answers at a time.", "answers")
    scores: dict[str, int] = {}
    for index, answer in enumerate(answers):
        key = answer.question_key.strip()
        at = ("answers", str(index))
        if key not in known:
            checks.add(
                NOT_FOUND,
                f"No question has the key {key!r}; maturity {{ questions {{ key }} }} lists them.",
                *at,
                "questionKey",
            )
        elif key in scores:
            checks.add(DUPLICATE, f"Question {key} is answered twice.", *at, "questionKey")
        if not 1 <= answer.score <= 5:
            checks.add(INVALID, "A score is from 1 to 5.", *at, "score")
        scores.setdefault(key, answer.score)
    return scores


@strawberry.type
class MaturityMutation:
    @strawberry.mutation(
        description="Submit a self-assessment (ADMIN, OFFICE; others FORBIDDEN). It is kept "
        "with its day and its author; maturity(asOf) counts each question's latest answer. "
        "userErrors: INVALID (no answers or more than 500, a score outside 1-5, a day to "
        "come), NOT_FOUND (an unknown questionKey), DUPLICATE (a question answered twice)."
    )
    async def submit_maturity_assessment(
        self, info: Info[Any, Any], input: SubmitMaturityAssessmentInput
    ) -> MaturityAssessmentPayload:
        context = get_context(info)
        authorize(context, "submitMaturityAssessment")

        async def body(tx: Transaction) -> MaturityAssessment:
            checks = Checks()
            scores = _check_answers(checks, input.answers, set(maturity_of(context.app).questions))
            today = utcnow().date()
            day = input.assessed_on or today
            if day > today:
                checks.add(INVALID, "An assessment cannot speak for a day to come.", "assessedOn")
            checks.raise_if_any()
            organisation_id = context.viewer.organisation_id
            assessment = MaturityAssessment(
                organisation_id=organisation_id,
                assessed_on=day,
                submitted_by_id=context.viewer.user_id,
            )
            tx.session.add(assessment)
            await tx.session.flush()
            tx.session.add_all(
                MaturityAnswer(
                    organisation_id=organisation_id,
                    assessment_id=assessment.id,
                    question_key=key,
                    score=score,
                )
                for key, score in scores.items()
            )
            await tx.session.flush()
            tx.audit(
                "MaturityAssessment",
                assessment.id,
                {"assessedOn": day.isoformat(), "answers": dict(sorted(scores.items()))},
            )
            tx.emit("maturity.assessed", "MaturityAssessment", assessment.id, answers=len(scores))
            return assessment

        return await run_mutation(info, "submitMaturityAssessment", MaturityAssessmentPayload, body)
