"""Shared helpers of the core's tests: fast data set-up and GraphQL documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from decimal import Decimal
from typing import Any

from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from graphql.execution.values import VariableValues, get_variable_values
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.db import row_security
from pmo_graph.db.session import create_engine
from pmo_graph.ids import to_global_id
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project
from pmo_graph.realtime.bus import PostgresEventBus
from pmo_graph.settings import Settings
from pmo_graph.testing import GraphQLClient

#: The PostgreSQL role the row-level security tests connect as.
APP_ROLE = "pmo_rls_app"


def parsed_operation(
    state: AppState, document: str, variables: dict[str, object] | None = None
) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode], VariableValues]:
    """The first operation of ``document``, its fragments by name and its variables coerced
    with the app's schema: what the cost calculators read."""
    schema = state.built.schema._schema
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    assert not isinstance(coerced, list), coerced
    return operation, fragments, coerced


def gid(type_name: str, pk: int) -> str:
    """The global ID of a row."""
    return to_global_id(type_name, pk)


async def add_people(session: AsyncSession, organisation_id: int, count: int) -> list[Person]:
    """``count`` people, committed."""
    people = [
        Person(organisation_id=organisation_id, name=f"Person {i:03d}", title="Analyst")
        for i in range(count)
    ]
    session.add_all(people)
    await session.commit()
    return people


async def add_projects(
    session: AsyncSession,
    organisation_id: int,
    count: int,
    *,
    with_relations: bool = True,
    prefix: str = "P",
) -> list[Project]:
    """``count`` projects, each with its own manager, sponsor, portfolio, programme and director."""
    projects = []
    for i in range(count):
        project = Project(
            organisation_id=organisation_id,
            code=f"{prefix}-{i:04d}",
            name=f"Project {i}",
            stage=ProjectStage.ACTIVE,
            budget=Decimal("1000.00"),
        )
        if with_relations:
            manager = Person(organisation_id=organisation_id, name=f"Manager {i}")
            sponsor = Person(organisation_id=organisation_id, name=f"Sponsor {i}")
            director = Person(organisation_id=organisation_id, name=f"Director {i}")
            portfolio = Portfolio(organisation_id=organisation_id, name=f"Portfolio {i}")
            session.add_all([manager, sponsor, director, portfolio])
            await session.flush()
            programme = Programme(
                organisation_id=organisation_id, name=f"Programme {i}", director_id=director.id
            )
            session.add(programme)
            await session.flush()
            project.manager_id = manager.id
            project.sponsor_id = sponsor.id
            project.portfolio_id = portfolio.id
            project.programme_id = programme.id
        session.add(project)
        projects.append(project)
    await session.commit()
    return projects


CREATE_PROJECT = """
mutation($input: CreateProjectInput!) {
  createProject(input: $input) {
    project { id code name version stage budget manager { name } }
    userErrors { field message code }
  }
}
"""

UPDATE_PROJECT = """
mutation($input: UpdateProjectInput!) {
  updateProject(input: $input) {
    project { id code name version stage budget description }
    userErrors { field message code }
  }
}
"""

CREATE_PERSON = """
mutation($input: CreatePersonInput!) {
  createPerson(input: $input) { person { id name email title version } userErrors { field message code } }
}
"""


async def application_role_settings(state: AppState) -> Settings:
    """PostgreSQL: ``state``'s settings, connected as ``APP_ROLE``, a role that owns no table and
    that ``row_security.apply`` has granted what serving needs (so the policies bind it)."""
    async with state.engine.begin() as connection:
        await connection.execute(
            text(
                f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
        )
        await connection.run_sync(row_security.apply, APP_ROLE)
    url = make_url(state.settings.database_url).set(username=APP_ROLE)
    return state.settings.model_copy(
        update={"database_url": url.render_as_string(hide_password=False)}
    )


@asynccontextmanager
async def application_role_engine(
    state: AppState, **settings_update: Any
) -> AsyncIterator[AsyncEngine]:
    """PostgreSQL: an engine on the test database connected as ``APP_ROLE`` (see
    ``application_role_settings``), with any further settings given."""
    settings = await application_role_settings(state)
    engine = create_engine(
        Settings(
            database_url=settings.database_url,
            database_schema=settings.database_schema,
            **settings_update,
        )
    )
    try:
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def started_apps(
    settings: Settings, plugins: Any, load_entrypoints: Any, count: int = 2
) -> AsyncIterator[list[Starlette]]:
    """``count`` apps on one database, started, as that many server processes are (each with
    its own listening connection, waited for on PostgreSQL). ``app.state.pmo`` is each one's
    ``AppState``."""
    async with AsyncExitStack() as stack:
        apps = []
        for _ in range(count):
            app = create_app(
                settings, extra_plugins=plugins, load_entrypoints=load_entrypoints, prepare=False
            )
            await stack.enter_async_context(app.router.lifespan_context(app))
            bus = app.state.pmo.bus
            if isinstance(bus, PostgresEventBus):
                await bus.listening.wait()
            apps.append(app)
        yield apps


FIELD_KINDS = """
query($name: String!) { __type(name: $name) { fields { name type { kind } } } }
"""


async def field_kinds(client: GraphQLClient, coordinates: set[str]) -> dict[str, str]:
    """The introspected kind of each field coordinate (``Type.field``): ``NON_NULL``, ``OBJECT``…,
    one ``__type`` query per type named."""
    kinds = {}
    for type_name in sorted({c.split(".")[0] for c in coordinates}):
        fields = (await client.query(FIELD_KINDS, {"name": type_name}))["__type"]["fields"]
        kinds.update({f"{type_name}.{f['name']}": f["type"]["kind"] for f in fields})
    return {c: kinds[c] for c in coordinates}
