"""Lazy references to the composable core types.

Plugins extend these types, so nothing may name the core classes directly in an annotation:
each reference resolves, at schema build time, to the merged class in ``composed`` (the core
type plus every plugin's fields). Type checkers see what resolvers really return: the ORM row
class (strawberry maps rows to GraphQL types with ``is_type_of``).

A plugin refers to its own extensible types, or another plugin's, with ``composed_type``::

    if TYPE_CHECKING:
        from pmo_graph_pso.models import Milestone as MilestoneRef
    else:
        MilestoneRef = composed_type("Milestone")

(A string forward reference such as ``Annotated["Person", strawberry.lazy(...)]`` shared
between modules is unsafe: Python caches what the string evaluated to in the first module
that used it.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.types.lazy_type import LazyType

COMPOSED = "pmo_graph.graphql.composed"


def composed_type(name: str) -> Any:
    """A lazy reference to the composed GraphQL type ``name``."""
    return LazyType(name, COMPOSED)


if TYPE_CHECKING:
    from pmo_graph.audit.models import AuditEvent as AuditEventRef
    from pmo_graph.auth.models import User as UserRef
    from pmo_graph.organisations.models import Organisation as OrganisationRef
    from pmo_graph.people.models import Person as PersonRef
    from pmo_graph.portfolios.models import Portfolio as PortfolioRef
    from pmo_graph.programmes.models import Programme as ProgrammeRef
    from pmo_graph.projects.models import Project as ProjectRef
    from pmo_graph.webhooks.models import Webhook as WebhookRef
    from pmo_graph.webhooks.models import WebhookDelivery as WebhookDeliveryRef
else:
    AuditEventRef = composed_type("AuditEvent")
    OrganisationRef = composed_type("Organisation")
    PersonRef = composed_type("Person")
    PortfolioRef = composed_type("Portfolio")
    ProgrammeRef = composed_type("Programme")
    ProjectRef = composed_type("Project")
    UserRef = composed_type("User")
    WebhookRef = composed_type("Webhook")
    WebhookDeliveryRef = composed_type("WebhookDelivery")

__all__ = [
    "COMPOSED",
    "AuditEventRef",
    "OrganisationRef",
    "PersonRef",
    "PortfolioRef",
    "ProgrammeRef",
    "ProjectRef",
    "UserRef",
    "WebhookDeliveryRef",
    "WebhookRef",
    "composed_type",
]
