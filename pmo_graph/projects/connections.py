"""Project connections, at the root and under a portfolio or programme."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import InstrumentedAttribute
from strawberry.types import Info

from pmo_graph.graphql.pagination import Connection, page_args, paginate, paginate_children
from pmo_graph.projects.filters import PROJECT_ORDER, ProjectFilter, project_conditions
from pmo_graph.projects.models import Project
from pmo_graph.request.context import get_context


async def projects_connection(
    info: Info[Any, Any],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter: ProjectFilter | None,
    parent: InstrumentedAttribute[Any] | None = None,
    parent_id: int | None = None,
) -> Connection[Project]:
    """A page of projects, of the whole organisation or under one parent (batched)."""
    context = get_context(info)
    args = page_args(context, first=first, after=after, last=last, before=before, width=2)
    conditions, key = project_conditions(filter)
    if parent is None or parent_id is None:
        return await paginate(context, Project, PROJECT_ORDER, args, conditions)
    return await paginate_children(
        context, Project, parent, parent_id, PROJECT_ORDER, args, conditions, key
    )
