"""The GraphQL types of the maturity journey."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.models import User as UserRow
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.refs import UserRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.maturity import models
from pmo_graph.maturity.model import LEVEL_NAMES, Perspective
from pmo_graph.maturity.profile import (
    AnswerResult,
    MeasureResult,
    PerspectiveResult,
    Reason,
    Recommendation,
    RecommendedAction,
)
from pmo_graph.maturity.registry import InstalledQuestion, maturity_of
from pmo_graph.organisations.types import Tier, tier_by_key
from pmo_graph.request.context import get_context


@strawberry.type(name="MaturityQuestion", description="A question of the self-assessment.")
class MaturityQuestion:
    key: str = strawberry.field(
        description="Stable identifier, UPPER_SNAKE_CASE, e.g. `PLANNING_AND_CONTROL`: what an "
        "answer names."
    )
    perspective: Perspective = strawberry.field(description="The perspective it is about.")
    text: str = strawberry.field(description="The question, as the form shows it.")
    levels: list[str] = strawberry.field(
        description="What scores 1 to 5 mean, in that order (five texts)."
    )
    plugin: str = strawberry.field(description="The plugin (distribution) that asks it.")

    @classmethod
    def of(cls, installed: InstalledQuestion, plugin_label: str) -> MaturityQuestion:
        question = installed.question
        return cls(
            key=question.key,
            perspective=question.perspective,
            text=question.text,
            levels=list(question.levels),
            plugin=plugin_label,
        )


def question_type(info: Info[Any, Any], key: str) -> MaturityQuestion:
    """The installed question ``key`` as a GraphQL object."""
    state = get_context(info).app
    installed = maturity_of(state).questions[key]
    return MaturityQuestion.of(installed, state.registry.plugin(installed.plugin).label)


@strawberry.type(name="MaturityAnswer", description="The score an assessment gave a question.")
class MaturityAnswer:
    question_key: str = strawberry.field(description="The key of the question it answers.")
    score: int = strawberry.field(description="From 1 (Awareness) to 5 (Optimised).")
    assessed_on: date = strawberry.field(description="The day of the assessment it is from.")

    @strawberry.field(description="The question it answers.")
    def question(self, info: Info[Any, Any]) -> MaturityQuestion:
        return question_type(info, self.question_key)

    @classmethod
    def of(cls, answer: AnswerResult) -> MaturityAnswer:
        return cls(
            question_key=answer.question.key, score=answer.score, assessed_on=answer.assessed_on
        )


@strawberry.type(
    name="MaturityEvidence", description="What a measure found in the organisation's own data."
)
class MaturityEvidence:
    key: str = strawberry.field(
        description="The measure's stable identifier, UPPER_SNAKE_CASE, e.g. `BUDGETS_SET`."
    )
    perspective: Perspective = strawberry.field(description="The perspective it is evidence of.")
    name: str = strawberry.field(description="What it measures, in a few words.")
    value: float = strawberry.field(
        description="A fraction from 0 (none of it) to 1 (all of it), not a percentage."
    )
    explanation: str = strawberry.field(
        description="How the value came about, with the counts behind it."
    )
    tier: str | None = strawberry.field(description="The tier it belongs to (null: the core's).")

    @classmethod
    def of(cls, result: MeasureResult) -> MaturityEvidence:
        return cls(
            key=result.key,
            perspective=result.perspective,
            name=result.name,
            value=result.value,
            explanation=result.explanation,
            tier=result.tier,
        )


@strawberry.type(
    name="PerspectiveScore", description="An assessment's mean score on a perspective."
)
class PerspectiveScore:
    perspective: Perspective = strawberry.field(description="The perspective.")
    score: float = strawberry.field(description="The mean of its answers there, from 1 to 5.")


@strawberry.type(name="MaturityAssessment", description="A self-assessment, kept as submitted.")
class MaturityAssessmentType(ModelNode):
    __model__ = models.MaturityAssessment

    assessed_on: date = strawberry.field(description="The day it speaks for.")

    @strawberry.field(description="Who submitted it (null once their user is deleted).")
    async def submitted_by(
        self, root: strawberry.Parent[models.MaturityAssessment], info: Info[Any, Any]
    ) -> UserRef | None:
        return await load_by_id(info, UserRow, root.submitted_by_id)

    @strawberry.field(description="Its answers to questions still installed, in question order.")
    async def answers(
        self, root: strawberry.Parent[models.MaturityAssessment], info: Info[Any, Any]
    ) -> list[MaturityAnswer]:
        return await _answers(info, root)

    @strawberry.field(description="The mean score per perspective it answered.")
    async def perspective_scores(
        self, root: strawberry.Parent[models.MaturityAssessment], info: Info[Any, Any]
    ) -> list[PerspectiveScore]:
        answers = await _answers(info, root)
        questions = maturity_of(get_context(info).app).questions
        scores: dict[Perspective, list[int]] = {}
        for answer in answers:
            perspective = questions[answer.question_key].question.perspective
            scores.setdefault(perspective, []).append(answer.score)
        return [
            PerspectiveScore(perspective=p, score=round(sum(s) / len(s), 4))
            for p in Perspective
            if (s := scores.get(p))
        ]


async def _answers(info: Info[Any, Any], row: models.MaturityAssessment) -> list[MaturityAnswer]:
    context = get_context(info)
    questions = maturity_of(context.app).questions
    order = {key: index for index, key in enumerate(questions)}
    loader = context.loaders.children(models.MaturityAnswer, models.MaturityAnswer.assessment_id)
    rows = [a for a in await loader.load(row.id) if a.question_key in questions]
    return [
        MaturityAnswer(question_key=a.question_key, score=a.score, assessed_on=row.assessed_on)
        for a in sorted(rows, key=lambda a: order[a.question_key])
    ]


@strawberry.type(
    name="PerspectiveMaturity", description="A perspective's level and what it is made of."
)
class PerspectiveMaturity:
    perspective: Perspective = strawberry.field(description="The perspective.")
    level: int = strawberry.field(
        description="From 1 (Awareness) to 5 (Optimised): score rounded down, 1 without one."
    )
    level_name: str = strawberry.field(
        description="The level's name: Awareness, Repeatable, Defined, Managed or Optimised."
    )
    score: float | None = strawberry.field(
        description="The mean of answerScore and 1 + 3 * evidenceScore (those that exist)."
    )
    answer_score: float | None = strawberry.field(
        description="The mean of the latest answers to its questions (1 to 5)."
    )
    evidence_score: float | None = strawberry.field(
        description="The mean of its measures' values (0 to 1)."
    )
    answers: list[MaturityAnswer] = strawberry.field(description="The latest answers it counts.")
    evidence: list[MaturityEvidence] = strawberry.field(description="Weakest first.")

    @classmethod
    def of(cls, result: PerspectiveResult) -> PerspectiveMaturity:
        return cls(
            perspective=result.perspective,
            level=result.level,
            level_name=result.level_name,
            score=None if result.score is None else round(result.score, 4),
            answer_score=None if result.answer_score is None else round(result.answer_score, 4),
            evidence_score=None
            if result.evidence_score is None
            else round(result.evidence_score, 4),
            answers=[MaturityAnswer.of(a) for a in result.answers],
            evidence=[MaturityEvidence.of(e) for e in result.evidence],
        )


@strawberry.type(
    name="MaturityReason",
    description="A perspective (null: the overall level) against what a tier needs.",
)
class MaturityReason:
    perspective: Perspective | None = strawberry.field(
        description="The perspective (null: the overall level)."
    )
    level: int = strawberry.field(description="The office's level there, 1 to 5.")
    needed: int = strawberry.field(description="The level the tier needs there, 1 to 5.")
    met: bool = strawberry.field(description="Whether level reaches needed.")
    message: str = strawberry.field(description="The same, in a sentence for the office.")
    evidence: list[MaturityEvidence] = strawberry.field(description="Weakest first.")

    @classmethod
    def of(cls, reason: Reason) -> MaturityReason:
        return cls(
            perspective=reason.perspective,
            level=reason.level,
            needed=reason.needed,
            met=reason.met,
            message=reason.message,
            evidence=[MaturityEvidence.of(e) for e in reason.evidence],
        )


@strawberry.type(
    name="MaturityRecommendation", description="The tier to enable next, or stay, and why."
)
class MaturityRecommendation:
    action: RecommendedAction = strawberry.field(description="Enable `tier`, or stay.")
    message: str = strawberry.field(description="The advice, in a sentence for the office.")
    reasons: list[MaturityReason] = strawberry.field(
        description="What the tier needs, perspective by perspective; the unmet first."
    )
    tier_key: strawberry.Private[str | None]

    @strawberry.field(description="The tier considered next (null when every tier is on).")
    def tier(self, info: Info[Any, Any]) -> Tier | None:
        return None if self.tier_key is None else tier_by_key(get_context(info), self.tier_key)

    @classmethod
    def of(cls, recommendation: Recommendation) -> MaturityRecommendation:
        return cls(
            action=recommendation.action,
            message=recommendation.message,
            reasons=[MaturityReason.of(r) for r in recommendation.reasons],
            tier_key=recommendation.tier,
        )


@strawberry.type(name="MaturityProfile", description="Where the office stands, and what next.")
class MaturityProfile:
    as_of: date = strawberry.field(
        description="The day it is judged on: the `asOf` asked for, else today (UTC)."
    )
    overall: int = strawberry.field(
        description="The mean level of the perspectives that have a score, rounded down."
    )
    perspectives: list[PerspectiveMaturity] = strawberry.field(
        description="All seven, in a fixed order."
    )
    recommendation: MaturityRecommendation = strawberry.field(
        description="The tier to enable next, or to stay, and why."
    )
    history_rows: strawberry.Private[list[models.MaturityAssessment]]

    @strawberry.field(description="The assessments on or before asOf, newest first.")
    def history(self) -> list[MaturityAssessmentType]:
        return self.history_rows  # type: ignore[return-value]

    @strawberry.field(
        description="The overall level's name: Awareness, Repeatable, Defined, Managed or "
        "Optimised."
    )
    def overall_name(self) -> str:
        return LEVEL_NAMES[self.overall]

    @strawberry.field(description="Every question of the self-assessment, to build the form.")
    def questions(self, info: Info[Any, Any]) -> list[MaturityQuestion]:
        return [question_type(info, key) for key in maturity_of(get_context(info).app).questions]
