"""Hook implementations of the `pmo` tier: the programme management office."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import (
    DomainEvent,
    EventType,
    Measure,
    Organisation,
    Permission,
    Question,
    Standard,
    Tier,
    Transaction,
    UserErrorCodeSpec,
    answer_demo_assessments,
    hookimpl,
)
from pmo_graph_pmo import maturity
from pmo_graph_pmo.benefits import (
    BenefitContributionType,
    BenefitMutation,
    BenefitProgrammeFields,
    BenefitProjectFields,
    BenefitType,
    ObjectiveType,
)
from pmo_graph_pmo.demo import seed_pmo
from pmo_graph_pmo.events import EVENT_TYPES
from pmo_graph_pmo.permissions import PMO_PERMISSIONS
from pmo_graph_pmo.programme_beat import (
    BeatMilestoneFields,
    BeatMutation,
    BeatProgrammeFields,
    DependencyType,
    TrancheType,
)
from pmo_graph_pmo.rules import STANDARDS, react
from pmo_graph_pmo.subscriptions import (
    BenefitStatusChanged,
    ProgrammeOutOfStep,
    ProgrammeSubscription,
)
from pmo_graph_pmo.user_error_codes import USER_ERROR_CODES

#: The plugin API versions this plugin works with (checked when it is loaded).
PLUGIN_API = ">=1.0,<2"

TIER = Tier(
    key="pmo",
    name="Programme management office",
    level=3,
    requires=("portfolio",),
    description=(
        "Programme management: sponsorship of every project by the programme director, benefits "
        "management, the programme's common beat (tranches, cross-project dependencies, critical "
        "path)."
    ),
    readiness=("MANAGEMENT_CONTROL", "RISK", "BENEFITS", "ORGANISATIONAL_GOVERNANCE"),
)


@hookimpl
def register_tiers() -> Iterable[Tier]:
    return [TIER]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_types() -> Iterable[type]:
    return [
        BenefitType,
        BenefitContributionType,
        ObjectiveType,
        TrancheType,
        DependencyType,
        BenefitStatusChanged,
        ProgrammeOutOfStep,
    ]


@hookimpl
def register_type_extensions() -> Mapping[str, Iterable[type]]:
    return {
        "Programme": [BenefitProgrammeFields, BeatProgrammeFields],
        "Project": [BenefitProjectFields],
        "Milestone": [BeatMilestoneFields],
    }


@hookimpl
def register_mutation_fields() -> Iterable[type]:
    return [BenefitMutation, BeatMutation]


@hookimpl
def register_subscription_fields() -> Iterable[type]:
    return [ProgrammeSubscription]


@hookimpl
def register_permissions() -> Mapping[str, Permission]:
    return PMO_PERMISSIONS


@hookimpl
def register_maturity_questions() -> Iterable[Question]:
    return maturity.QUESTIONS


@hookimpl
def register_maturity_measures() -> Iterable[Measure]:
    return maturity.MEASURES


@hookimpl
def register_standards() -> Iterable[Standard]:
    return STANDARDS


@hookimpl
async def handle_event_in_transaction(event: DomainEvent, transaction: Transaction) -> None:
    await react(event, transaction)


@hookimpl
async def seed_demo(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    await seed_pmo(session, organisation, rng)
    await answer_demo_assessments(session, organisation, maturity.DEMO_SCORES)


@hookimpl
def register_event_types() -> Iterable[EventType]:
    return EVENT_TYPES


@hookimpl
def register_user_error_codes() -> Iterable[UserErrorCodeSpec]:
    return USER_ERROR_CODES
