"""The server behind a real PgBouncer in transaction mode, connected as the application role that
row-level security binds, with ``PMO_GRAPH_DATABASE_POOLING=transaction`` and
``PMO_GRAPH_DATABASE_STATEMENT_CACHE=false`` (PgBouncer before 1.21 follows no prepared
statement) and its schema set per transaction (PgBouncer passes no ``search_path`` on).

PgBouncer keeps two server connections for the app's ten, so concurrent requests of several
organisations take turns on the same server connections, transaction by transaction: each must
see, write and audit only its own organisation's rows, whatever the transaction before it on
that server connection was.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import ModuleType
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from helpers import CREATE_PROJECT, UPDATE_PROJECT, application_role_settings, started_apps
from pgbouncer_process import PGBOUNCER_SERVER_CONNECTIONS, running_pgbouncer
from pmo_graph.app_state import AppState
from pmo_graph.audit.chain import verify
from pmo_graph.auth.roles import Role
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.testing import GraphQLClient, TestOrganisation

pytestmark = pytest.mark.pmo_backends("postgresql")

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
PROJECTS = "{ projects(first: 50) { totalCount nodes { code name } } }"
PROJECTS_PER_ORGANISATION = 6


@pytest_asyncio.fixture(scope="module")
async def bounced(
    pmo_app: Starlette,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    """HTTP to an app whose pool goes through PgBouncer as the application role (its
    listening connection goes to PostgreSQL itself, as docs/operations.md says)."""
    owner: AppState = pmo_app.state.pmo
    direct = await application_role_settings(owner)
    with running_pgbouncer(direct.database_url) as (host, port):
        through = make_url(direct.database_url).set(host=host, port=port)
        settings = direct.model_copy(
            update={
                "database_url": through.render_as_string(hide_password=False),
                "listener_database_url": direct.database_url,
                "database_pooling": "transaction",
                "database_statement_cache": False,
                "pool_size": 10,
            }
        )
        async with started_apps(settings, pmo_plugins, pmo_load_entrypoints, count=1) as (app,):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://pgb.test") as http:
                yield http, app.state.pmo


async def _a_day_of_work(client: GraphQLClient, prefix: str) -> list[dict[str, Any]]:
    """Projects created and renamed at once, a stale write refused, then the list read three
    times (the resolvers, the kept plan, the fast lane)."""
    created = await asyncio.gather(
        *(
            client.mutate(CREATE_PROJECT, {"input": {"code": f"{prefix}-{i}", "name": "New"}})
            for i in range(PROJECTS_PER_ORGANISATION)
        )
    )
    await asyncio.gather(
        *(
            client.mutate(
                UPDATE_PROJECT,
                {"input": {"projectId": p["project"]["id"], "expectedVersion": 1, "name": prefix}},
            )
            for p in created
        )
    )
    stale = await client.query(
        UPDATE_PROJECT,
        {"input": {"projectId": created[0]["project"]["id"], "expectedVersion": 1, "name": "x"}},
    )
    assert [e["code"] for e in stale["updateProject"]["userErrors"]] == ["CONFLICT"]
    seen = []
    for _ in range(3):
        seen.append((await client.query(PROJECTS))["projects"])
    return seen


async def test_organisations_at_work_at_once_through_pgbouncer_see_only_their_own(
    make_org: MakeOrg,
    bounced: tuple[httpx.AsyncClient, AppState],
    db_session: AsyncSession,
) -> None:
    http, state = bounced
    organisations = [await make_org() for _ in range(4)]
    clients = [GraphQLClient(http, org.tokens[Role.ADMIN]) for org in organisations]
    days = await asyncio.gather(
        *(_a_day_of_work(client, f"B{n}") for n, client in enumerate(clients))
    )
    for n, seen in enumerate(days):
        mine = [(f"B{n}-{i}", f"B{n}") for i in range(PROJECTS_PER_ORGANISATION)]
        for projects in seen:
            assert projects["totalCount"] == PROJECTS_PER_ORGANISATION
            assert sorted((p["code"], p["name"]) for p in projects["nodes"]) == mine
    for organisation in organisations:
        (report,) = await verify(db_session, organisation.slug)
        # each project created and renamed, and nothing of the stale write
        assert (report.events, report.broken) == (2 * PROJECTS_PER_ORGANISATION, None)
    # More of the app's connections were open at once than PgBouncer has server connections:
    # the transactions above shared them.
    assert state.engine.sync_engine.pool.checkedin() > PGBOUNCER_SERVER_CONNECTIONS  # type: ignore[attr-defined]
