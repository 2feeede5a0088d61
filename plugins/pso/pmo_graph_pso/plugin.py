"""The `pso` tier, the project support office: its manifest and the hooks that do work."""

from __future__ import annotations

from pathlib import Path
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import Manifest, Organisation, answer_demo_assessments, hookimpl
from pmo_graph_pso import maturity
from pmo_graph_pso.compliance import ComplianceProjectFields, ComplianceQuery
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
from pmo_graph_pso.standards import STANDARDS
from pmo_graph_pso.status import StatusMutation, StatusProjectFields, StatusQuery, StatusReportType
from pmo_graph_pso.subscriptions import StatusReportSubmitted, StatusSubscription
from pmo_graph_pso.support import (
    SupportEngagementType,
    SupportMutation,
    SupportPersonFields,
    SupportProjectFields,
)
from pmo_graph_pso.templates import ProjectTemplateType, TemplateMutation, TemplateQuery
from pmo_graph_pso.tier import TIER

#: The plugin API versions this plugin works with (checked when it is loaded).
PLUGIN_API = ">=1.3,<2"

MANIFEST = Manifest(
    tiers=[TIER],
    migrations=Path(__file__).parent / "migrations" / "versions",
    types=[
        StatusReportType,
        MilestoneType,
        PersonSkillType,
        AssignmentType,
        ProjectTemplateType,
        SupportEngagementType,
        StatusReportSubmitted,
    ],
    type_extensions={
        "Project": [
            StatusProjectFields,
            MilestoneProjectFields,
            StaffingProjectFields,
            ComplianceProjectFields,
            SupportProjectFields,
        ],
        "Person": [StaffingPersonFields, SupportPersonFields],
        "Organisation": [OfficeOrganisationFields],
    },
    query_fields=[StatusQuery, StaffingQuery, TemplateQuery, ComplianceQuery],
    mutation_fields=[
        StatusMutation,
        MilestoneMutation,
        StaffingMutation,
        TemplateMutation,
        SupportMutation,
        OfficeMutation,
    ],
    subscription_fields=[StatusSubscription],
    permissions=PSO_PERMISSIONS,
    maturity_questions=maturity.QUESTIONS,
    maturity_measures=maturity.MEASURES,
    standards=STANDARDS,
    event_types=EVENT_TYPES,
)


@hookimpl
async def seed_demo(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    await seed_pso(session, organisation, rng)
    await answer_demo_assessments(session, organisation, maturity.DEMO_SCORES)
