"""Enumerations of the project domain."""

from __future__ import annotations

import enum

from pmo_graph.enums import described_enum


@described_enum(
    "Where a project is in its life, from proposal to closure.",
    {
        "PROPOSED": "Put forward, not yet approved: the stage a new project starts in.",
        "APPROVED": "Approved to go ahead (its business case accepted), work not yet started.",
        "ACTIVE": "Being delivered.",
        "ON_HOLD": "Paused by decision; expected to resume.",
        "CLOSED": "Finished and formally closed.",
        "CANCELLED": "Stopped before it finished.",
    },
)
class ProjectStage(enum.Enum):
    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"
    ACTIVE = "ACTIVE"
    ON_HOLD = "ON_HOLD"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"
