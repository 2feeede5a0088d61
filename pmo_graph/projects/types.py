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


@strawberry.type(
    name="Project",
    description="A project: the unit of change every tier reports on. It may sit in one "
    "portfolio and one programme.",
)
class Project(ModelNode):
    __model__ = models.Project

    code: str = strawberry.field(
        description="Short code, unique in the organisation, e.g. `FIN-042` (at most 40 "
        "characters, no spaces)."
    )
    name: str = strawberry.field(description="Its name (1-200 characters).")
    description: str | None = strawberry.field(
        description="What the project is for, in the office's words (null: none written)."
    )
    stage: ProjectStage = strawberry.field(description="Where it is in its life.")
    start_date: date | None = strawberry.field(
        description="The day it starts or started (null: not planned yet)."
    )
    end_date: date | None = strawberry.field(
        description="The day it is planned to end or ended, never before startDate (null: not "
        "planned yet)."
    )
    budget: Decimal | None = strawberry.field(
        description="Its approved budget: money in the organisation's currency, 0 to "
        "9999999999999.99 with at most two decimals (null: none set)."
    )
    category: str | None = strawberry.field(
        description="A label the office groups projects by, e.g. `Compliance` (at most 100 "
        "characters); portfolio balance compares categories. Null: none."
    )
    version: int = strawberry.field(
        description="Grows by one on every change; see expectedVersion."
    )
    created_at: datetime = strawberry.field(description="When the project was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the project last changed (UTC).")

    @strawberry.field(
        description="The project manager, who runs it day to day (null: none named). A "
        "PROJECT_MANAGER user may change the projects their person manages.",
        metadata=sql_one(PERSON_OF.format("manager_id")),
    )
    async def manager(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, PersonRow, root.manager_id)

    @strawberry.field(
        description="The sponsor, accountable for the project's business case (null: none "
        "named). While `pmo` is on, the director of the project's programme becomes its "
        "sponsor (unless the project is closed or cancelled).",
        metadata=sql_one(PERSON_OF.format("sponsor_id")),
    )
    async def sponsor(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, PersonRow, root.sponsor_id)

    @strawberry.field(
        description="The portfolio it belongs to (null: none; setProjectPortfolio changes it).",
        metadata=sql_one("{row}.id = {parent}.portfolio_id"),
    )
    async def portfolio(self, root: Row, info: Info[Any, Any]) -> PortfolioRef | None:
        return await load_by_id(info, PortfolioRow, root.portfolio_id)

    @strawberry.field(
        description="The programme it belongs to (null: none; setProjectProgramme changes it).",
        metadata=sql_one("{row}.id = {parent}.programme_id"),
    )
    async def programme(self, root: Row, info: Info[Any, Any]) -> ProgrammeRef | None:
        return await load_by_id(info, ProgrammeRow, root.programme_id)
