"""The per-token cap on subscriptions counted over every server process, through PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest

from helpers import started_apps
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.realtime.token_counts import TokenCounts
from pmo_graph.settings import Settings
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import TestOrganisation, serving

pytestmark = pytest.mark.pmo_backends("postgresql")

Make = Callable[..., Awaitable[TestOrganisation]]
REPORTS = "subscription { statusReportSubmitted { project { code } } }"
CAP = 3


@pytest.fixture
async def two_servers(
    pmo_settings: Settings, pmo_plugins: Any, pmo_load_entrypoints: Any
) -> AsyncIterator[list[tuple[str, AppState]]]:
    """Two apps on the suite's database, each on a socket of its own, as two processes are."""
    settings = pmo_settings.model_copy(
        update={"max_subscriptions_per_token": CAP, "sync_seconds": 60}  # rounds by hand
    )
    async with (
        started_apps(settings, pmo_plugins, pmo_load_entrypoints) as apps,
        AsyncExitStack() as stack,
    ):
        yield [(await stack.enter_async_context(serving(app)), app.state.pmo) for app in apps]


def _counts(state: AppState) -> TokenCounts:
    assert state.token_counts is not None
    return state.token_counts


async def _held_here(state: AppState, count: int) -> None:
    """Until the process runs ``count`` subscriptions of its one token (subscribing is
    asynchronous)."""
    async with asyncio.timeout(10):
        while True:
            tokens = state.connections.tokens()
            if tokens and state.connections.operations_of(tokens[0]) == count:
                return
            await asyncio.sleep(0.01)


async def test_a_token_holds_the_cap_over_both_processes(
    two_servers: list[tuple[str, AppState]], make_org: Make
) -> None:
    org = await make_org(tiers=["pso"])
    token = org.tokens[Role.ADMIN]
    (first_url, first), (second_url, second) = two_servers
    async with GraphQLSocket(first_url, token) as here, GraphQLSocket(second_url, token) as there:
        for _ in range(2):
            await here.subscribe(REPORTS)
        await _held_here(first, 2)
        await _counts(first).sync()
        assert await _counts(second).sync() == 1  # it learns the 2 held on the first process
        await there.subscribe(REPORTS)
        await _held_here(second, 1)
        refused = await there.receive(await there.subscribe(REPORTS))
        assert refused["type"] == "error", refused
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        assert "3 subscriptions" in refused["payload"][0]["message"]
        # The first process's subscriptions end; once both have shared that, there is room.
        await here.complete("1")
        await here.complete("2")
        await _held_here(first, 0)
        await _counts(first).sync()
        assert await _counts(second).sync() == 0
        await there.subscribe(REPORTS)
        await _held_here(second, 2)


async def test_a_process_that_stops_sharing_is_forgotten(
    two_servers: list[tuple[str, AppState]], make_org: Make
) -> None:
    """A process that died leaves its rows; they count no more once they are stale."""
    org = await make_org(tiers=["pso"])
    token = org.tokens[Role.ADMIN]
    (first_url, first), (second_url, second) = two_servers
    async with GraphQLSocket(first_url, token) as here, GraphQLSocket(second_url, token):
        for _ in range(CAP):
            await here.subscribe(REPORTS)
        await _held_here(first, CAP)
        await _counts(first).sync()
        assert await _counts(second).sync() == 1
        _counts(second).stale_after = 0.0  # as if the first had stopped sharing long ago
        await asyncio.sleep(0.01)
        assert await _counts(second).sync() == 0


async def test_a_process_without_subscriptions_skips_the_round(
    two_servers: list[tuple[str, AppState]], make_org: Make
) -> None:
    """Nothing of its own to write or drop: an idle process does not touch the database (a
    round would fail here, its coordination connection being away)."""
    (url, first), _ = two_servers
    org = await make_org(tiers=["pso"])
    async with GraphQLSocket(url, org.tokens[Role.ADMIN]) as socket:
        await socket.subscribe(REPORTS)
        await _held_here(first, 1)
        await _counts(first).sync()  # writes its row
    async with asyncio.timeout(10):
        while first.connections.tokens():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await _counts(first).sync()  # drops its row: the last round with a statement
    bus = first.bus
    connection, bus._connection = bus._connection, None  # type: ignore[attr-defined]
    try:
        assert await _counts(first).sync() == 0
    finally:
        bus._connection = connection  # type: ignore[attr-defined]
