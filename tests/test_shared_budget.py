"""Per-token budgets shared by every server process through PostgreSQL: what a token spends on
one process is spent on all of them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from helpers import started_apps
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.graphql.budget_sync import BudgetSync
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation

pytestmark = pytest.mark.pmo_backends("postgresql")

Make = Callable[..., Awaitable[TestOrganisation]]
#: Costs 51 points (docs/security.md#query-cost): 50 nodes and their connection.
QUERY = "{ portfolios(first: 50) { nodes { name } } }"
CAPACITY = 120


@pytest.fixture
async def two_processes(
    pmo_settings: Settings, pmo_plugins: Any, pmo_load_entrypoints: Any
) -> AsyncIterator[list[tuple[httpx.AsyncClient, AppState]]]:
    """Two apps on the suite's database, as two server processes are, with a small budget
    that barely refills."""
    settings = pmo_settings.model_copy(
        update={
            "rate_limit_capacity": CAPACITY,
            "rate_limit_restore": 1,
            "sync_seconds": 60,  # the test runs the rounds by hand
        }
    )
    async with (
        started_apps(settings, pmo_plugins, pmo_load_entrypoints) as apps,
        AsyncExitStack() as stack,
    ):
        processes = []
        for app in apps:
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://pmo-graph.test"
            )
            await stack.enter_async_context(client)
            processes.append((client, app.state.pmo))
        yield processes


async def _ask(client: httpx.AsyncClient, token: str) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json()


def _sync(state: AppState) -> BudgetSync:
    assert state.budget_sync is not None
    return state.budget_sync


async def test_what_a_token_spends_on_one_process_counts_on_the_other(
    two_processes: list[tuple[httpx.AsyncClient, AppState]], make_org: Make
) -> None:
    org = await make_org()
    token = org.tokens[Role.VIEWER]
    (first, first_state), (second, second_state) = two_processes
    assert (await _ask(first, token))[0] == 200  # 120 - 51 = 69 left
    assert (await _ask(first, token))[0] == 200  # 18 left
    await _sync(first_state).sync()
    # The second process has not seen the token: its own bucket is full, so it answers once...
    status, body = await _ask(second, token)
    assert status == 200
    assert body["extensions"]["cost"]["requested"] == 51
    # ... and learns at its sync that the token has overspent: 18 - 51, owed.
    await _sync(second_state).sync()
    status, body = await _ask(second, token)
    assert status == 429
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert body["errors"][0]["extensions"]["available"] == 0
    # The first process learns it too at its next sync, though it spent nothing since.
    await _sync(first_state).sync()
    assert (await _ask(first, token))[0] == 429


async def test_each_token_has_its_own_shared_bucket(
    two_processes: list[tuple[httpx.AsyncClient, AppState]], make_org: Make
) -> None:
    org = await make_org()
    (first, first_state), (second, second_state) = two_processes
    for _ in range(2):
        assert (await _ask(first, org.tokens[Role.VIEWER]))[0] == 200
    await _sync(first_state).sync()
    await _sync(second_state).sync()
    assert (await _ask(second, org.tokens[Role.OFFICE]))[0] == 200
    assert (await _ask(second, org.tokens[Role.OFFICE]))[0] == 200


async def test_a_failed_sync_keeps_what_was_spent_for_the_next(
    two_processes: list[tuple[httpx.AsyncClient, AppState]], make_org: Make
) -> None:
    org = await make_org()
    token = org.tokens[Role.ADMIN]
    (first, first_state), (second, second_state) = two_processes
    assert (await _ask(first, token))[0] == 200
    assert (await _ask(first, token))[0] == 200
    bus = first_state.bus
    connection = bus._connection  # type: ignore[attr-defined]
    bus._connection = None  # type: ignore[attr-defined]  # as while it reconnects
    with pytest.raises(ConnectionError):
        await _sync(first_state).sync()
    bus._connection = connection  # type: ignore[attr-defined]
    await _sync(first_state).sync()  # the 102 points spent are shared now
    assert (await _ask(second, token))[0] == 200  # its own bucket first, as before
    await _sync(second_state).sync()
    assert (await _ask(second, token))[0] == 429


async def test_the_shared_budget_survives_its_connection_dying(
    two_processes: list[tuple[httpx.AsyncClient, AppState]], make_org: Make
) -> None:
    """The listening connection carries the sync: when it dies (a restart, a network cut) the
    sync fails and keeps what was spent, and the process reconnects and shares it."""
    org = await make_org()
    token = org.tokens[Role.OFFICE]
    (first, first_state), (second, second_state) = two_processes
    assert (await _ask(first, token))[0] == 200
    assert (await _ask(first, token))[0] == 200
    bus = first_state.bus
    dying = bus._connection  # type: ignore[attr-defined]
    dying.terminate()
    with pytest.raises(Exception, match=r"(?i)connection|closed|reopened"):
        await _sync(first_state).sync()
    # The first moment the new connection is offered, it must be usable: polled at every turn
    # of the loop, not every 50 ms, so that a connection offered while LISTEN still runs on it
    # is caught.
    async with asyncio.timeout(15):
        while bus._connection in (None, dying):  # type: ignore[attr-defined]  # noqa: ASYNC110
            await asyncio.sleep(0)
    await _sync(first_state).sync()
    assert (await _ask(second, token))[0] == 200
    await _sync(second_state).sync()
    assert (await _ask(second, token))[0] == 429
