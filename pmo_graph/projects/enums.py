"""Enumerations of the project domain."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Where a project is in its life.")
class ProjectStage(enum.Enum):
    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"
    ACTIVE = "ACTIVE"
    ON_HOLD = "ON_HOLD"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"
