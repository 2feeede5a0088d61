"""Enumerations of the portfolio office."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Where a risk stands.")
class RiskStatus(enum.Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    OCCURRED = "OCCURRED"


@strawberry.enum(description="A risk's rating from its score: LOW ≤ 4, MEDIUM 5-12, HIGH ≥ 15.")
class RiskRating(enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


@strawberry.enum(description="The length of a utilisation period.")
class Granularity(enum.Enum):
    WEEK = "WEEK"
    MONTH = "MONTH"


@strawberry.enum(description="What a scenario change does.")
class ScenarioChangeKind(enum.Enum):
    MOVE_BUDGET = "MOVE_BUDGET"
    MOVE_ALLOCATION = "MOVE_ALLOCATION"
    SHIFT_PROJECT = "SHIFT_PROJECT"


@strawberry.enum(description="Whether a scenario is still a what-if or has been applied.")
class ScenarioStatus(enum.Enum):
    DRAFT = "DRAFT"
    APPLIED = "APPLIED"


@strawberry.enum(description="How serious an issue is.")
class IssueSeverity(enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


@strawberry.enum(description="Whether an issue is being dealt with or resolved.")
class IssueStatus(enum.Enum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


def rating(score: int) -> RiskRating:
    """LOW for a score up to 4, MEDIUM from 5 to 12, HIGH from 15 (13 and 14 cannot occur)."""
    if score <= 4:
        return RiskRating.LOW
    if score <= 12:
        return RiskRating.MEDIUM
    return RiskRating.HIGH
