"""The ``Project`` GraphQL type."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.graphql.compiled.specs import sql_one
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.refs import PersonRef, PortfolioRef, ProgrammeRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.people.models import Person as PersonRow
from pmo_graph.portfolios.models import Portfolio as PortfolioRow
from pmo_graph.programmes.models import Programme as ProgrammeRow
from pmo_graph.projects import models
from pmo_graph.projects.enums import ProjectStage

Row = strawberry.Parent[models.Project]
#: The person a key column names, as a join template.
PERSON_OF = "{{row}}.id = {{parent}}.{}"


@strawberry.type(name="Project", description="A project: the unit of change every tier reports on.")
class Project(ModelNode):
    __model__ = models.Project

    code: str = strawberry.field(description="Short code, unique in the organisation.")
    name: str
    description: str | None
    stage: ProjectStage
    start_date: date | None
    end_date: date | None
    budget: Decimal | None = strawberry.field(description="Money, as a decimal string.")
    category: str | None = strawberry.field(description="Used for portfolio balance.")
    version: int = strawberry.field(
        description="Grows by one on every change; see expectedVersion."
    )
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="The project manager.", metadata=sql_one(PERSON_OF.format("manager_id"))
    )
    async def manager(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, PersonRow, root.manager_id)

    @strawberry.field(
        description="The sponsor (the programme director once `pmo` is on).",
        metadata=sql_one(PERSON_OF.format("sponsor_id")),
    )
    async def sponsor(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, PersonRow, root.sponsor_id)

    @strawberry.field(metadata=sql_one("{row}.id = {parent}.portfolio_id"))
    async def portfolio(self, root: Row, info: Info[Any, Any]) -> PortfolioRef | None:
        return await load_by_id(info, PortfolioRow, root.portfolio_id)

    @strawberry.field(metadata=sql_one("{row}.id = {parent}.programme_id"))
    async def programme(self, root: Row, info: Info[Any, Any]) -> ProgrammeRef | None:
        return await load_by_id(info, ProgrammeRow, root.programme_id)
