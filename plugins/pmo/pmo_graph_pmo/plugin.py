"""The `pmo` tier, the programme management office: its manifest and the hooks that do work."""

from __future__ import annotations

from pathlib import Path
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import (
    DomainEvent,
    Manifest,
    Organisation,
    Transaction,
    answer_demo_assessments,
    hookimpl,
)
from pmo_graph_pmo import maturity
from pmo_graph_pmo.benefit_mutations import BenefitMutation
from pmo_graph_pmo.benefit_programme import BenefitProgrammeFields, BenefitProjectFields
from pmo_graph_pmo.benefit_types import BenefitContributionType, BenefitType, ObjectiveType
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
from pmo_graph_pmo.rules import react
from pmo_graph_pmo.standards import STANDARDS
from pmo_graph_pmo.subscriptions import (
    BenefitStatusChanged,
    ProgrammeOutOfStep,
    ProgrammeSubscription,
)
from pmo_graph_pmo.tier import TIER
from pmo_graph_pmo.user_error_codes import USER_ERROR_CODES

#: The plugin API versions this plugin works with (checked when it is loaded).
PLUGIN_API = ">=1.2,<2"

MANIFEST = Manifest(
    tiers=[TIER],
    migrations=Path(__file__).parent / "migrations" / "versions",
    types=[
        BenefitType,
        BenefitContributionType,
        ObjectiveType,
        TrancheType,
        DependencyType,
        BenefitStatusChanged,
        ProgrammeOutOfStep,
    ],
    type_extensions={
        "Programme": [BenefitProgrammeFields, BeatProgrammeFields],
        "Project": [BenefitProjectFields],
        "Milestone": [BeatMilestoneFields],
    },
    mutation_fields=[BenefitMutation, BeatMutation],
    subscription_fields=[ProgrammeSubscription],
    permissions=PMO_PERMISSIONS,
    maturity_questions=maturity.QUESTIONS,
    maturity_measures=maturity.MEASURES,
    standards=STANDARDS,
    event_types=EVENT_TYPES,
    user_error_codes=USER_ERROR_CODES,
)


@hookimpl
async def handle_event_in_transaction(event: DomainEvent, transaction: Transaction) -> None:
    await react(event, transaction)


@hookimpl
async def seed_demo(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    await seed_pmo(session, organisation, rng)
    await answer_demo_assessments(session, organisation, maturity.DEMO_SCORES)
