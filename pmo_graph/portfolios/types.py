"""The ``Portfolio`` GraphQL type."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.graphql.compiled.specs import sql_connection, sql_one
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.pagination import Connection, page_args, paginate_children
from pmo_graph.graphql.refs import PersonRef, ProgrammeRef, ProjectRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.people.models import Person as PersonRow
from pmo_graph.portfolios import models
from pmo_graph.programmes.models import Programme as ProgrammeRow
from pmo_graph.programmes.ordering import PROGRAMME_ORDER
from pmo_graph.projects.connections import projects_connection
from pmo_graph.projects.filters import (
    PROJECT_FILTER_ARGUMENT,
    PROJECT_FILTER_SQL,
    PROJECT_ORDER,
    ProjectFilter,
)
from pmo_graph.projects.models import Project as ProjectRow
from pmo_graph.request.context import get_context

Row = strawberry.Parent[models.Portfolio]


@strawberry.type(
    name="Portfolio",
    description="A portfolio: the projects and programmes an organisation invests in, "
    "prioritised and balanced as a whole by its portfolio manager.",
)
class Portfolio(ModelNode):
    __model__ = models.Portfolio

    name: str = strawberry.field(description="Its name (1-200 characters).")
    description: str | None = strawberry.field(
        description="What it is for, in the office's words (null: none written)."
    )
    version: int = strawberry.field(
        description="Grows by one on every change; see expectedVersion."
    )
    created_at: datetime = strawberry.field(description="When the portfolio was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the portfolio last changed (UTC).")

    @strawberry.field(
        description="The portfolio manager (null: none named).",
        metadata=sql_one("{row}.id = {parent}.manager_id"),
    )
    async def manager(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, PersonRow, root.manager_id)

    @strawberry.field(
        description="The projects in this portfolio, by code.",
        metadata=sql_connection(
            "{row}.portfolio_id = {parent}.id",
            PROJECT_ORDER.sql_template(),
            conditions=PROJECT_FILTER_SQL,
        ),
    )
    async def projects(
        self,
        root: Row,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[ProjectFilter | None, PROJECT_FILTER_ARGUMENT] = None,
    ) -> Connection[ProjectRef]:
        return await projects_connection(
            info,
            first=first,
            after=after,
            last=last,
            before=before,
            filter=filter,
            parent=ProjectRow.portfolio_id,
            parent_id=root.id,
        )

    @strawberry.field(
        description="The programmes in this portfolio, by name.",
        metadata=sql_connection("{row}.portfolio_id = {parent}.id", PROGRAMME_ORDER.sql_template()),
    )
    async def programmes(
        self,
        root: Row,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ProgrammeRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=2)
        return await paginate_children(
            context, ProgrammeRow, ProgrammeRow.portfolio_id, root.id, PROGRAMME_ORDER, args
        )
