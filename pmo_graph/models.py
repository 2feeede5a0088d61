"""Imports every core table so that ``Base.metadata`` knows them all."""

from pmo_graph.audit.models import AuditEvent
from pmo_graph.auth.models import ApiToken, User
from pmo_graph.organisations.models import Organisation, OrganisationTier
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.models import Project

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Organisation",
    "OrganisationTier",
    "Person",
    "Portfolio",
    "Programme",
    "Project",
    "User",
]
