"""Root query fields for projects."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.graphql.compiled.specs import sql_connection
from pmo_graph.graphql.pagination import Connection
from pmo_graph.graphql.refs import ProjectRef
from pmo_graph.projects.connections import projects_connection
from pmo_graph.projects.filters import (
    PROJECT_FILTER_ARGUMENT,
    PROJECT_FILTER_SQL,
    PROJECT_ORDER,
    ProjectFilter,
)


@strawberry.type
class ProjectsQuery:
    @strawberry.field(
        description="Projects of the organisation, by code.",
        metadata=sql_connection(None, PROJECT_ORDER.sql_template(), conditions=PROJECT_FILTER_SQL),
    )
    async def projects(
        self,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[ProjectFilter | None, PROJECT_FILTER_ARGUMENT] = None,
    ) -> Connection[ProjectRef]:
        return await projects_connection(
            info, first=first, after=after, last=last, before=before, filter=filter
        )
