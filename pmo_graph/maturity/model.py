"""What plugins contribute to the maturity assessment: questions, evidence measures, and the
perspectives and levels they are about (after P3M3)."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from pmo_graph.enums import described_enum

if TYPE_CHECKING:
    from pmo_graph.request.context import Context


@described_enum(
    "The seven perspectives a P3O office's maturity is looked at from (after P3M3).",
    {
        "MANAGEMENT_CONTROL": "How work is directed and controlled: plans, stages, "
        "milestones and reporting.",
        "BENEFITS": "How benefits are defined, owned, measured and realised.",
        "FINANCIAL": "How budgets, costs and business cases are set and kept to.",
        "STAKEHOLDER_ENGAGEMENT": "How stakeholders are identified, engaged and kept informed.",
        "RISK": "How risks and issues are identified, assessed, owned and responded to.",
        "ORGANISATIONAL_GOVERNANCE": "How decisions, standards and assurance tie the work to "
        "the organisation's strategy.",
        "RESOURCE": "How people's capacity, skills and assignments are planned and used.",
    },
)
class Perspective(enum.Enum):
    MANAGEMENT_CONTROL = "MANAGEMENT_CONTROL"
    BENEFITS = "BENEFITS"
    FINANCIAL = "FINANCIAL"
    STAKEHOLDER_ENGAGEMENT = "STAKEHOLDER_ENGAGEMENT"
    RISK = "RISK"
    ORGANISATIONAL_GOVERNANCE = "ORGANISATIONAL_GOVERNANCE"
    RESOURCE = "RESOURCE"

    @property
    def label(self) -> str:
        """``Management control``, ``Organisational governance`` …"""
        return self.value.replace("_", " ").capitalize()


#: Level → its name: 1 Awareness, 2 Repeatable, 3 Defined, 4 Managed, 5 Optimised.
LEVEL_NAMES = {1: "Awareness", 2: "Repeatable", 3: "Defined", 4: "Managed", 5: "Optimised"}


@dataclass(frozen=True)
class Question:
    """A question of the self-assessment, answered with a score from 1 to 5.

    ``levels`` says what each score means, from 1 to 5 (exactly five texts). ``key`` is
    UPPER_SNAKE and unique across plugins. Questions are asked whatever tiers are on: they are
    how an office says where it stands before a tier's data can show it.
    """

    key: str
    perspective: Perspective
    text: str
    levels: tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Evidence:
    """What a measure found: a ``value`` from 0 (none of it) to 1 (all of it), and why."""

    value: float
    explanation: str


@dataclass(frozen=True)
class MeasureInput:
    """What a measure is given: the request (its session and loaders) and the day to judge on."""

    context: Context
    as_of: date


#: A measure computes its evidence for the viewer's organisation, or None when there is
#: nothing to measure (no active project, no benefit …): it then does not count.
Compute = Callable[[MeasureInput], Awaitable[Evidence | None]]


@dataclass(frozen=True)
class Measure:
    """Evidence of maturity computed from the organisation's own data.

    ``tier`` is the tier that must be on for the measure to count (its data only exists then); it
    defaults to the tier of the plugin that registers it. ``key`` is UPPER_SNAKE and unique.
    """

    key: str
    perspective: Perspective
    name: str
    compute: Compute
    tier: str | None = None
