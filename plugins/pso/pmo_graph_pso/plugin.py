"""Hook implementations of the `pso` tier: the project support office."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import (
    EventType,
    Measure,
    Organisation,
    Permission,
    Question,
    Standard,
    Tier,
    answer_demo_assessments,
    hookimpl,
)
from pmo_graph_pso import maturity
from pmo_graph_pso.compliance import STANDARDS, ComplianceProjectFields, ComplianceQuery
from pmo_graph_pso.demo import seed_pso
from pmo_graph_pso.events import EVENT_TYPES
from pmo_graph_pso.milestones import MilestoneMutation, MilestoneProjectFields, MilestoneType
from pmo_graph_pso.office import OfficeMutation, OfficeOrganisationFields
from pmo_graph_pso.permissions import PSO_PERMISSIONS
from pmo_graph_pso.staffing import (
    AssignmentType,
    PersonSkillType,
    StaffingMutation,
    StaffingPersonFields,
    StaffingProjectFields,
    StaffingQuery,
)
from pmo_graph_pso.status import StatusMutation, StatusProjectFields, StatusQuery, StatusReportType
from pmo_graph_pso.subscriptions import StatusReportSubmitted, StatusSubscription
from pmo_graph_pso.support import (
    SupportEngagementType,
    SupportMutation,
    SupportPersonFields,
    SupportProjectFields,
)
from pmo_graph_pso.templates import ProjectTemplateType, TemplateMutation, TemplateQuery

#: The plugin API versions this plugin works with (checked when it is loaded).
PLUGIN_API = ">=1.0,<2"

TIER = Tier(
    key="pso",
    name="Project support office",
    level=1,
    requires=(),
    description=(
        "Project support: status reporting, milestones, staffing, templates, compliance with "
        "standards, coaching and workshops."
    ),
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
        StatusReportType,
        MilestoneType,
        PersonSkillType,
        AssignmentType,
        ProjectTemplateType,
        SupportEngagementType,
        StatusReportSubmitted,
    ]


@hookimpl
def register_type_extensions() -> Mapping[str, Iterable[type]]:
    return {
        "Project": [
            StatusProjectFields,
            MilestoneProjectFields,
            StaffingProjectFields,
            ComplianceProjectFields,
            SupportProjectFields,
        ],
        "Person": [StaffingPersonFields, SupportPersonFields],
        "Organisation": [OfficeOrganisationFields],
    }


@hookimpl
def register_query_fields() -> Iterable[type]:
    return [StatusQuery, StaffingQuery, TemplateQuery, ComplianceQuery]


@hookimpl
def register_mutation_fields() -> Iterable[type]:
    return [
        StatusMutation,
        MilestoneMutation,
        StaffingMutation,
        TemplateMutation,
        SupportMutation,
        OfficeMutation,
    ]


@hookimpl
def register_subscription_fields() -> Iterable[type]:
    return [StatusSubscription]


@hookimpl
def register_permissions() -> Mapping[str, Permission]:
    return PSO_PERMISSIONS


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
async def seed_demo(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    await seed_pso(session, organisation, rng)
    await answer_demo_assessments(session, organisation, maturity.DEMO_SCORES)


@hookimpl
def register_event_types() -> Iterable[EventType]:
    return EVENT_TYPES
