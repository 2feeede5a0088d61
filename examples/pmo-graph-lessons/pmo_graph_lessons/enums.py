"""Enumerations of the lessons-learned log."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="What a lesson is about, for finding lessons of the same kind.")
class LessonCategory(enum.Enum):
    PLANNING = "PLANNING"
    ESTIMATING = "ESTIMATING"
    STAKEHOLDERS = "STAKEHOLDERS"
    SUPPLIERS = "SUPPLIERS"
    TECHNICAL = "TECHNICAL"
    GOVERNANCE = "GOVERNANCE"
    RESOURCING = "RESOURCING"
    OTHER = "OTHER"


@strawberry.enum(
    description=(
        "Where a lessons review stands: OPEN (the project closed and no lesson has been recorded "
        "since), COMPLETED (a lesson was recorded after it closed) or WITHDRAWN (the project was "
        "reopened first)."
    )
)
class LessonReviewStatus(enum.Enum):
    OPEN = "OPEN"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"
