"""The ``Programme`` GraphQL type."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.graphql.compiled.specs import sql_connection, sql_one
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.pagination import Connection
from pmo_graph.graphql.refs import PersonRef, PortfolioRef, ProjectRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.people.models import Person as PersonRow
from pmo_graph.portfolios.models import Portfolio as PortfolioRow
from pmo_graph.programmes import models
from pmo_graph.projects.connections import projects_connection
from pmo_graph.projects.filters import (
    PROJECT_FILTER_ARGUMENT,
    PROJECT_FILTER_SQL,
    PROJECT_ORDER,
    ProjectFilter,
)
from pmo_graph.projects.models import Project as ProjectRow

Row = strawberry.Parent[models.Programme]


@strawberry.type(
    name="Programme",
    description="A programme: projects run together towards a common vision and its "
    "benefits, under one programme director.",
)
class Programme(ModelNode):
    __model__ = models.Programme

    name: str = strawberry.field(description="Its name (1-200 characters).")
    vision: str | None = strawberry.field(
        description="The future state it works towards, in the director's words (null: none "
        "written)."
    )
    version: int = strawberry.field(
        description="Grows by one on every change; see expectedVersion."
    )
    created_at: datetime = strawberry.field(description="When the programme was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the programme last changed (UTC).")

    @strawberry.field(
        description="The programme director (null: none named); while `pmo` is on, they "
        "sponsor its projects.",
        metadata=sql_one("{row}.id = {parent}.director_id"),
    )
    async def director(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, PersonRow, root.director_id)

    @strawberry.field(
        description="The portfolio it belongs to (null: none).",
        metadata=sql_one("{row}.id = {parent}.portfolio_id"),
    )
    async def portfolio(self, root: Row, info: Info[Any, Any]) -> PortfolioRef | None:
        return await load_by_id(info, PortfolioRow, root.portfolio_id)

    @strawberry.field(
        description="The projects in this programme, by code.",
        metadata=sql_connection(
            "{row}.programme_id = {parent}.id",
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
            parent=ProjectRow.programme_id,
            parent_id=root.id,
        )
