"""The server as production runs it on PostgreSQL: connected as an application role that
row-level security binds (docs/security.md), answering over HTTP.

The rest of the suite serves as the tables' owner, which the policies do not bind, so a path
that forgot to set the organisation on its connection would pass there and fail here: writes,
a write rolled back by a userError on the same pool, reads through the resolvers and through
the kept plans and the fast lane, another organisation's ids, the audit log and its chain. Each
of it with both kinds of pooling (``PMO_GRAPH_DATABASE_POOLING``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import ModuleType

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from helpers import CREATE_PROJECT, UPDATE_PROJECT, application_role_settings, started_apps
from pmo_graph.app_state import AppState
from pmo_graph.audit.chain import verify
from pmo_graph.auth.roles import Role
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.testing import GraphQLClient, TestOrganisation

pytestmark = pytest.mark.pmo_backends("postgresql")

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
PROJECTS = "{ projects(first: 50) { totalCount nodes { code name } } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
AUDIT_LOG = "{ auditLog(first: 10) { nodes { action } } }"


@pytest_asyncio.fixture(scope="module", params=["session", "transaction"])
async def role_http(
    request: pytest.FixtureRequest,
    pmo_app: Starlette,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP to an app on the test database that connects as the application role, with each
    kind of pooling: the organisation kept on the connection, or set in every transaction (as
    behind PgBouncer in transaction mode)."""
    owner: AppState = pmo_app.state.pmo
    settings = (await application_role_settings(owner)).model_copy(
        update={"database_pooling": request.param}
    )
    async with started_apps(settings, pmo_plugins, pmo_load_entrypoints, count=1) as (app,):
        assert app.state.pmo.settings.database_url != owner.settings.database_url
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://role.test") as client:
            yield client


async def test_a_day_of_work_served_as_the_application_role(
    make_org: MakeOrg, role_http: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    mine, theirs = await make_org(), await make_org()  # organisations are made by the owner
    alice = GraphQLClient(role_http, mine.tokens[Role.ADMIN])
    bob = GraphQLClient(role_http, theirs.tokens[Role.ADMIN])

    created = (await alice.mutate(CREATE_PROJECT, {"input": {"code": "ROLE-1", "name": "One"}}))[
        "project"
    ]
    their_project = (
        await bob.mutate(CREATE_PROJECT, {"input": {"code": "ROLE-2", "name": "Two"}})
    )["project"]
    renamed = await alice.mutate(
        UPDATE_PROJECT,
        {"input": {"projectId": created["id"], "expectedVersion": 1, "name": "One, renamed"}},
    )
    assert renamed["project"]["version"] == 2

    stale = await alice.query(
        UPDATE_PROJECT,
        {"input": {"projectId": created["id"], "expectedVersion": 1, "name": "Lost"}},
    )
    assert [e["code"] for e in stale["updateProject"]["userErrors"]] == ["CONFLICT"]
    for _ in range(3):  # the resolvers, then the kept plan, then the fast lane
        projects = (await alice.query(PROJECTS))["projects"]
        assert projects == {"totalCount": 1, "nodes": [{"code": "ROLE-1", "name": "One, renamed"}]}
        assert (await bob.query(PROJECTS))["projects"]["totalCount"] == 1

    assert (await alice.query(NODE, {"id": their_project["id"]}))["node"] is None
    cross = await alice.query(
        UPDATE_PROJECT, {"input": {"projectId": their_project["id"], "name": "Taken"}}
    )
    assert [e["code"] for e in cross["updateProject"]["userErrors"]] == ["NOT_FOUND"]

    log = (await alice.query(AUDIT_LOG))["auditLog"]["nodes"]
    assert [event["action"] for event in log] == ["updateProject", "createProject"]
    (report,) = await verify(db_session, mine.slug)
    assert (report.events, report.broken) == (2, None)
