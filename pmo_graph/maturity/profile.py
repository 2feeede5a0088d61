"""How levels are computed: per perspective, overall, and the tier to enable next (pure).

Per perspective, from the latest answers on or before ``asOf`` and the evidence measured then:

- ``answerScore`` = the mean of the latest scores (1 to 5) of the perspective's questions;
- ``evidenceScore`` = the mean of its measures' values (0 to 1), read as a level by 1 + 3 * value:
  data can show a practice followed everywhere and measured (4, Managed) but not that it is being
  improved (5, Optimised), which only the answers can claim;
- the perspective's score = the mean of those of the two that exist, and its level = that score
  rounded down; a perspective with neither is at level 1 and has no score.

The overall level = the mean of the levels of the perspectives that have a score, rounded down
(1 when none has). A tier of level L is ready when every perspective in its ``readiness`` is at
level L or more (without any, when the overall level is). The tier recommended next is the
lowest-level tier that is off and whose prerequisites are on.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pmo_graph.deadlines import checkpoint
from pmo_graph.enums import described_enum
from pmo_graph.maturity.model import LEVEL_NAMES, Perspective, Question
from pmo_graph.tiers import InstalledTier

#: Allowance for floating-point sums, so that a score of 2.9999999 is level 3.
EPSILON = 1e-9


@described_enum(
    "What the recommendation says to do.",
    {
        "ENABLE_TIER": "Switch `tier` on: the office is ready for it.",
        "STAY": "Keep the tiers as they are: every tier is on, or the office is not yet ready "
        "for `tier` (its reasons say where it falls short).",
    },
)
class RecommendedAction(enum.Enum):
    ENABLE_TIER = "ENABLE_TIER"
    STAY = "STAY"


@dataclass(frozen=True)
class MeasureResult:
    """One measure's evidence for the organisation."""

    key: str
    perspective: Perspective
    name: str
    value: float
    explanation: str
    tier: str | None


@dataclass(frozen=True)
class AnswerResult:
    """The latest score given to a question, and the day of the assessment it is from."""

    question: Question
    score: int
    assessed_on: date


@dataclass(frozen=True)
class PerspectiveResult:
    """A perspective's level and what it is made of."""

    perspective: Perspective
    level: int
    score: float | None
    answer_score: float | None
    evidence_score: float | None
    answers: list[AnswerResult]
    evidence: list[MeasureResult]

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


@dataclass(frozen=True)
class Reason:
    """One perspective (or, with ``perspective`` None, the overall level) against what a tier
    needs: ``met`` when its level reaches ``needed``."""

    perspective: Perspective | None
    level: int
    needed: int
    met: bool
    evidence: list[MeasureResult]
    message: str


@dataclass(frozen=True)
class Recommendation:
    """Enable ``tier`` next, or stay; with the reasons."""

    action: RecommendedAction
    tier: str | None
    reasons: list[Reason]
    message: str


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def perspective_result(
    perspective: Perspective, answers: Sequence[AnswerResult], evidence: Sequence[MeasureResult]
) -> PerspectiveResult:
    """A perspective's level from its answers and evidence (see the module's docstring)."""
    answer_score = _mean([a.score for a in answers])
    evidence_score = _mean([e.value for e in evidence])
    parts = [s for s in (answer_score, evidence_level(evidence_score)) if s is not None]
    score = _mean(parts)
    level = 1 if score is None else max(1, min(5, math.floor(score + EPSILON)))
    return PerspectiveResult(
        perspective=perspective,
        level=level,
        score=score,
        answer_score=answer_score,
        evidence_score=evidence_score,
        answers=list(answers),
        evidence=sorted(evidence, key=lambda e: (e.value, e.key)),
    )


#: The level evidence of 1 (all of it) stands for: Managed. Optimised needs the answers.
EVIDENCE_CEILING = 4


def evidence_level(evidence_score: float | None) -> float | None:
    """An evidence score (0 to 1) read as a level: 1 + 3 * score, from 1 to 4."""
    return None if evidence_score is None else 1 + (EVIDENCE_CEILING - 1) * evidence_score


def perspectives(
    answers: Iterable[AnswerResult], evidence: Iterable[MeasureResult]
) -> list[PerspectiveResult]:
    """Every perspective's result, in the order of ``Perspective``."""
    by_answers: dict[Perspective, list[AnswerResult]] = {p: [] for p in Perspective}
    by_evidence: dict[Perspective, list[MeasureResult]] = {p: [] for p in Perspective}
    for answer in answers:
        by_answers[answer.question.perspective].append(answer)
    for found in evidence:
        by_evidence[found.perspective].append(found)
    return [perspective_result(p, by_answers[p], by_evidence[p]) for p in Perspective]


def levels(
    history: Sequence[Sequence[AnswerResult]], evidence: Sequence[MeasureResult]
) -> tuple[list[PerspectiveResult], int]:
    """Every perspective's result and the overall level, from the answers of each assessment
    (newest first: each question's newest answer counts) and the evidence; what
    ``maturity`` computes off the event loop."""
    latest: dict[str, AnswerResult] = {}
    for answers in history:
        checkpoint()
        for answer in answers:
            latest.setdefault(answer.question.key, answer)
    results = perspectives(latest.values(), evidence)
    return results, overall_level(results)


def overall_level(results: Sequence[PerspectiveResult]) -> int:
    """The mean level of the perspectives that have a score, rounded down; 1 when none has."""
    levels = [r.level for r in results if r.score is not None]
    if not levels:
        return 1
    return math.floor(sum(levels) / len(levels) + EPSILON)


def readiness(
    tier: InstalledTier, results: Sequence[PerspectiveResult], overall: int
) -> list[Reason]:
    """What tier ``tier`` needs, perspective by perspective, and whether each is met."""
    needed = tier.tier.level
    if not tier.tier.readiness:
        met = overall >= needed
        return [
            Reason(
                perspective=None,
                level=overall,
                needed=needed,
                met=met,
                evidence=[],
                message=f"The overall level is {overall} ({LEVEL_NAMES[overall]}); "
                f"{tier.tier.key} needs {needed} ({LEVEL_NAMES[needed]}).",
            )
        ]
    by_perspective = {r.perspective: r for r in results}
    reasons = []
    for name in tier.tier.readiness:
        result = by_perspective[Perspective(name)]
        reasons.append(_reason(result, needed, tier.tier.key))
    return sorted(
        reasons, key=lambda r: (r.met, r.level, r.perspective.value if r.perspective else "")
    )


def _reason(result: PerspectiveResult, needed: int, tier_key: str) -> Reason:
    met = result.level >= needed
    head = (
        f"{result.perspective.label} is at level {result.level} ({result.level_name}); "
        f"{tier_key} needs {needed} ({LEVEL_NAMES[needed]})"
    )
    if result.score is None:
        detail = (
            "no answers and no evidence yet; answer its questions with submitMaturityAssessment"
        )
    elif met:
        detail = "met"
    else:
        weakest = result.evidence[0] if result.evidence else None
        detail = (
            f"weakest evidence: {weakest.name}, {weakest.explanation}"
            if weakest is not None
            else f"answers average {result.answer_score:.2f}, and no evidence yet"
        )
    return Reason(
        perspective=result.perspective,
        level=result.level,
        needed=needed,
        met=met,
        evidence=list(result.evidence),
        message=f"{head}: {detail}.",
    )


def next_tier(
    tiers: Mapping[str, InstalledTier], order: Sequence[str], enabled: Collection[str]
) -> str | None:
    """The lowest-level tier that is off and whose prerequisites are on, or None."""
    candidates = [
        key
        for key in order
        if key not in enabled and all(r in enabled for r in tiers[key].tier.requires)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda key: (tiers[key].tier.level, order.index(key)))


def recommend(
    tiers: Mapping[str, InstalledTier],
    order: Sequence[str],
    enabled: Collection[str],
    results: Sequence[PerspectiveResult],
    overall: int,
) -> Recommendation:
    """The tier to enable next, or stay, with the perspectives behind the advice."""
    key = next_tier(tiers, order, enabled)
    if key is None:
        everything_on = all(k in enabled for k in tiers)
        return Recommendation(
            action=RecommendedAction.STAY,
            tier=None,
            reasons=[],
            message="Stay: every installed tier is on."
            if everything_on
            else "Stay: no tier that is off has its prerequisites on.",
        )
    tier = tiers[key]
    reasons = readiness(tier, results, overall)
    held_back = [r for r in reasons if not r.met]
    level = tier.tier.level
    if not held_back:
        return Recommendation(
            action=RecommendedAction.ENABLE_TIER,
            tier=key,
            reasons=reasons,
            message=f"Enable {key} ({tier.tier.name}): the office is ready for level {level} "
            f"({LEVEL_NAMES[level]}).",
        )
    names = ", ".join(
        r.perspective.label if r.perspective else "the overall level" for r in held_back
    )
    return Recommendation(
        action=RecommendedAction.STAY,
        tier=key,
        reasons=reasons,
        message=f"Stay: {key} ({tier.tier.name}) needs level {level} ({LEVEL_NAMES[level]}); "
        f"held back by {names}.",
    )
