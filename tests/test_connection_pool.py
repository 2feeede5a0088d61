"""A request holds a database connection only while a statement runs, and when every connection
stays busy the answer is SERVER_BUSY (503, Retry-After), not an internal error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from types import ModuleType

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select
from starlette.applications import Starlette

from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.organisations.models import Organisation
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.request.context import Context
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation

pytestmark = pytest.mark.pmo_backends("postgresql")


@pytest_asyncio.fixture
async def one_connection_app(
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> AsyncIterator[Starlette]:
    """The app on the same database with a pool of one connection and a short wait for it."""
    settings = pmo_settings.model_copy(
        update={"pool_size": 1, "pool_max_overflow": 0, "pool_timeout": 0.5}
    )
    app = create_app(
        settings, extra_plugins=pmo_plugins, load_entrypoints=pmo_load_entrypoints, prepare=False
    )
    async with app.router.lifespan_context(app):
        yield app


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_reads_give_their_connection_back_between_statements(
    one_connection_app: Starlette, org: TestOrganisation
) -> None:
    state: AppState = one_connection_app.state.pmo
    async with state.request_sessionmaker() as session:
        context = Context(app=state, session=session)
        name = await context.db.scalar(select(Organisation.name).where(Organisation.id == org.id))
        assert name is not None
        assert not session.in_transaction()
        assert state.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_concurrent_requests_share_one_connection(
    one_connection_app: Starlette, org: TestOrganisation
) -> None:
    query = "{ viewer { organisation { slug } } projects { totalCount } people { totalCount } }"
    async with _client(one_connection_app) as client:
        responses = await asyncio.gather(
            *(
                client.post("/graphql", json={"query": query}, headers=org.admin.headers())
                for _ in range(12)
            )
        )
    assert [r.status_code for r in responses] == [200] * 12
    assert all(not r.json().get("errors") for r in responses)


async def test_when_every_connection_stays_busy_the_answer_is_server_busy(
    one_connection_app: Starlette, org: TestOrganisation
) -> None:
    state: AppState = one_connection_app.state.pmo
    # the only connection, held past the pool's timeout
    async with state.engine.connect(), _client(one_connection_app) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ projects { totalCount } }"},
            headers=org.admin.headers(),
        )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVER_BUSY"
    assert error["message"].startswith("The server is too busy to answer now")
