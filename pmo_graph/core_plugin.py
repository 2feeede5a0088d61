"""The core's own contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.audit.queries import AuditQuery
from pmo_graph.audit.subscriptions import AuditSubscription
from pmo_graph.audit.types import AuditEvent
from pmo_graph.auth.permissions import CORE_PERMISSIONS, Permission
from pmo_graph.auth.types import User
from pmo_graph.demo.core import seed_core
from pmo_graph.event_catalogue import CORE_EVENT_TYPES
from pmo_graph.events import EventType
from pmo_graph.graphql.node_queries import NodeQuery
from pmo_graph.graphql.user_error_codes import CORE_USER_ERROR_CODES, UserErrorCodeSpec
from pmo_graph.installation.queries import InstallationQuery
from pmo_graph.maturity import core_model
from pmo_graph.maturity.demo import seed_demo_assessments
from pmo_graph.maturity.model import Measure, Question
from pmo_graph.maturity.mutations import MaturityMutation
from pmo_graph.maturity.queries import MaturityQuery
from pmo_graph.maturity.types import MaturityAssessmentType
from pmo_graph.organisations.models import Organisation as OrganisationRow
from pmo_graph.organisations.mutations import TiersMutation
from pmo_graph.organisations.queries import OrganisationQuery
from pmo_graph.organisations.types import Organisation, Viewer
from pmo_graph.people.mutations import PeopleMutation
from pmo_graph.people.queries import PeopleQuery
from pmo_graph.people.types import Person
from pmo_graph.plugins import hookimpl
from pmo_graph.portfolios.mutations import PortfoliosMutation
from pmo_graph.portfolios.queries import PortfoliosQuery
from pmo_graph.portfolios.types import Portfolio
from pmo_graph.programmes.mutations import ProgrammesMutation
from pmo_graph.programmes.queries import ProgrammesQuery
from pmo_graph.programmes.types import Programme
from pmo_graph.projects.mutations import ProjectsMutation
from pmo_graph.projects.queries import ProjectsQuery
from pmo_graph.projects.types import Project
from pmo_graph.standards_graphql import StandardsQuery
from pmo_graph.webhooks.mutations import WebhooksMutation
from pmo_graph.webhooks.queries import WebhooksQuery
from pmo_graph.webhooks.types import Webhook, WebhookDelivery


@hookimpl
def register_types() -> Iterable[type]:
    return [
        Organisation,
        Viewer,
        User,
        Person,
        Project,
        Portfolio,
        Programme,
        AuditEvent,
        MaturityAssessmentType,
        Webhook,
        WebhookDelivery,
    ]


@hookimpl
def register_query_fields() -> Iterable[type]:
    return [
        NodeQuery,
        OrganisationQuery,
        PeopleQuery,
        ProjectsQuery,
        PortfoliosQuery,
        ProgrammesQuery,
        AuditQuery,
        StandardsQuery,
        InstallationQuery,
        MaturityQuery,
        WebhooksQuery,
    ]


@hookimpl
def register_mutation_fields() -> Iterable[type]:
    return [
        PeopleMutation,
        ProjectsMutation,
        PortfoliosMutation,
        ProgrammesMutation,
        TiersMutation,
        MaturityMutation,
        WebhooksMutation,
    ]


@hookimpl
def register_subscription_fields() -> Iterable[type]:
    return [AuditSubscription]


@hookimpl
def register_permissions() -> Mapping[str, Permission]:
    return CORE_PERMISSIONS


@hookimpl
def register_event_types() -> Iterable[EventType]:
    return CORE_EVENT_TYPES


@hookimpl
def register_user_error_codes() -> Iterable[UserErrorCodeSpec]:
    return CORE_USER_ERROR_CODES


@hookimpl
def register_maturity_questions() -> Iterable[Question]:
    return core_model.QUESTIONS


@hookimpl
def register_maturity_measures() -> Iterable[Measure]:
    return core_model.MEASURES


@hookimpl
async def seed_demo(session: AsyncSession, organisation: OrganisationRow, rng: Random) -> None:
    await seed_core(session, organisation, rng)
    await seed_demo_assessments(session, organisation)
