"""Enumerations of the portfolio office."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Where a risk stands on its project's register.")
class RiskStatus(enum.Enum):
    OPEN = strawberry.enum_value(
        "OPEN",
        description="It may still happen: counted in its portfolio's risk profile, and an OPEN "
        "HIGH risk needs an owner (standard RISKS_OWNED). Every new risk is OPEN.",
    )
    CLOSED = strawberry.enum_value(
        "CLOSED",
        description="It can no longer happen; kept on the register for the record, no longer "
        "counted in the risk profile.",
    )
    OCCURRED = strawberry.enum_value(
        "OCCURRED",
        description="It happened: now an issue to manage (raise one with raiseIssue); kept on "
        "the register, no longer counted in the risk profile.",
    )


@strawberry.enum(
    description="A risk's rating, from its score (probability times impact): LOW 1 to 4, MEDIUM 5 "
    "to 12, HIGH 15 to 25 (13 and 14 cannot occur)."
)
class RiskRating(enum.Enum):
    LOW = strawberry.enum_value("LOW", description="A score of 1 to 4.")
    MEDIUM = strawberry.enum_value("MEDIUM", description="A score of 5 to 12.")
    HIGH = strawberry.enum_value(
        "HIGH",
        description="A score of 15 to 25; while OPEN it needs an owner (standard RISKS_OWNED).",
    )


@strawberry.enum(
    description="The length of the periods `utilisation` reports, clipped to the dates asked for."
)
class Granularity(enum.Enum):
    WEEK = strawberry.enum_value("WEEK", description="Calendar weeks, Monday to Sunday.")
    MONTH = strawberry.enum_value("MONTH", description="Calendar months.")


@strawberry.enum(
    description="What a scenario change does; each kind needs its own fields of "
    "AddScenarioChangeInput and refuses the others."
)
class ScenarioChangeKind(enum.Enum):
    MOVE_BUDGET = strawberry.enum_value(
        "MOVE_BUDGET",
        description="Take an amount of money from one project's budget and add it to another's "
        "(fromProjectId, toProjectId, amount).",
    )
    MOVE_ALLOCATION = strawberry.enum_value(
        "MOVE_ALLOCATION",
        description="Move a person's assignment to another project, optionally with a new "
        "allocation; its person and dates stay (assignmentId, toProjectId, allocation).",
    )
    SHIFT_PROJECT = strawberry.enum_value(
        "SHIFT_PROJECT",
        description="Move a project in time by whole days: its start and end dates, its "
        "assignments not released and the forecasts of its milestones not yet reached; "
        "baselines stay, so the shift shows as slip (fromProjectId, days).",
    )


@strawberry.enum(description="Whether a scenario is still a what-if or has been applied.")
class ScenarioStatus(enum.Enum):
    DRAFT = strawberry.enum_value(
        "DRAFT",
        description="A what-if: changes may be added and nothing has been written to the "
        "projects. Every new scenario is a DRAFT.",
    )
    APPLIED = strawberry.enum_value(
        "APPLIED",
        description="Its changes were written, all in one transaction (at appliedAt); it takes "
        "no more changes and cannot be applied again.",
    )


@strawberry.enum(
    description="How serious an issue is, as whoever raises it judges; it is recorded, not "
    "computed, and orders nothing."
)
class IssueSeverity(enum.Enum):
    LOW = strawberry.enum_value("LOW", description="Minor: the projects it touches can absorb it.")
    MEDIUM = strawberry.enum_value(
        "MEDIUM", description="Noticeable: it affects the cost, time or quality of a project."
    )
    HIGH = strawberry.enum_value(
        "HIGH", description="Serious: it threatens a project's tolerances."
    )
    CRITICAL = strawberry.enum_value(
        "CRITICAL", description="The most serious: it needs action now."
    )


@strawberry.enum(description="Whether an issue is being dealt with or resolved.")
class IssueStatus(enum.Enum):
    OPEN = strawberry.enum_value(
        "OPEN",
        description="Being dealt with: it may be linked to more projects and escalated, and "
        "counts in the portfolios' common issues. Every new issue is OPEN.",
    )
    RESOLVED = strawberry.enum_value(
        "RESOLVED",
        description="Dealt with (see resolution and resolvedAt): it can no longer be linked, "
        "escalated or resolved again, and no mutation reopens it.",
    )


def rating(score: int) -> RiskRating:
    """LOW for a score up to 4, MEDIUM from 5 to 12, HIGH from 15 (13 and 14 cannot occur)."""
    if score <= 4:
        return RiskRating.LOW
    if score <= 12:
        return RiskRating.MEDIUM
    return RiskRating.HIGH
