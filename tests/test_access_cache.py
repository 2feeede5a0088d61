"""A process keeps who a token is and which tiers are on between requests (PostgreSQL), and
forgets it as soon as any replica revokes the token, changes the user's roles or switches a
tier, or at the latest after ``PMO_GRAPH_ACCESS_CACHE_SECONDS``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from test_cli import run

from helpers import started_apps
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import issue_token, revoke_token, token_digest
from pmo_graph.organisations.models import Organisation
from pmo_graph.realtime.bus import PostgresEventBus
from pmo_graph.realtime.notices import ACCESS_CHANGES, USER_ACCESS_CHANGED, Notice
from pmo_graph.realtime.publish import announce_access_change, announce_revocations
from pmo_graph.settings import Settings
from pmo_graph.testing import GraphQLClient, StatementCounter, TestOrganisation

pytestmark = pytest.mark.pmo_backends("postgresql")

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
VIEWER = "{ viewer { user { roles } } }"
SAMPLE_FIELD = "{ sampleNoteCount }"


def _reads_the_token(statements: list[str]) -> bool:
    return any("FROM api_tokens" in statement for statement in statements)


async def test_a_token_is_read_once_then_kept(
    org: TestOrganisation, pmo_state: AppState, count_statements: StatementCounter
) -> None:
    await org.admin.query(VIEWER)  # the first use also records last_used_at
    pmo_state.access.forget_organisation(org.id)
    count_statements.reset()
    await org.admin.query(VIEWER)
    read = list(count_statements.statements)
    count_statements.reset()
    await org.admin.query(VIEWER)
    kept = list(count_statements.statements)

    assert _reads_the_token(read)
    assert not _reads_the_token(kept)
    assert len(read) - len(kept) == 2  # the token with its user, and the enabled tiers


async def test_the_writer_sees_its_own_tier_switch_at_once(org: TestOrganisation) -> None:
    assert isinstance(await org.admin.query(SAMPLE_FIELD), dict)
    await org.admin.mutate(
        'mutation { disableTier(input: {key: "sample"}) { userErrors { code } } }'
    )
    (error,) = await org.admin.errors(SAMPLE_FIELD)
    assert error["extensions"] == {"code": "TIER_NOT_ENABLED", "tier": "sample"}


@pytest.fixture
async def replicas(
    pmo_settings: Settings, pmo_plugins: Any, pmo_load_entrypoints: Any
) -> AsyncIterator[list[Starlette]]:
    """Two more apps on the suite's database, as two server processes."""
    async with started_apps(pmo_settings, pmo_plugins, pmo_load_entrypoints) as apps:
        yield apps


@pytest.fixture
async def clients(replicas: list[Starlette]) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r")
            )
            for app in replicas
        ]


def _state(app: Starlette) -> AppState:
    state = app.state.pmo
    assert isinstance(state, AppState)
    return state


async def _heard(state: AppState, organisation_id: int, work: Awaitable[None]) -> Notice:
    """Run ``work`` (which commits an access change elsewhere) and return the notice once this
    process has heard it: by then its watchers, the access cache among them, have seen it."""
    listener = state.bus.listen(organisation_id, ACCESS_CHANGES)
    try:
        await work
        return await asyncio.wait_for(anext(listener), timeout=10)
    finally:
        listener.close()


async def test_a_token_revoked_on_another_replica_is_refused_once_the_notice_arrives(
    org: TestOrganisation, replicas: list[Starlette], clients: list[httpx.AsyncClient]
) -> None:
    here, there = _state(replicas[0]), _state(replicas[1])
    token = org.tokens[Role.VIEWER]
    viewer = GraphQLClient(clients[0], token)
    await viewer.query(VIEWER)
    assert here.access.get(token_digest(token)) is not None

    async def revoke() -> None:
        async with there.sessionmaker() as session:
            revoked = await revoke_token(session, token)
            notices = await announce_revocations(session, there.bus, revoked)
            await session.commit()
        await there.bus.committed(notices)

    await _heard(here, org.id, revoke())
    (error,) = await viewer.errors(VIEWER)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_tier_switched_on_another_replica_is_off_here_once_the_notice_arrives(
    make_org: MakeOrg, replicas: list[Starlette], clients: list[httpx.AsyncClient]
) -> None:
    org = await make_org(tiers=["sample"])
    here = _state(replicas[0])
    on_here = GraphQLClient(clients[0], org.tokens[Role.ADMIN])
    on_there = GraphQLClient(clients[1], org.tokens[Role.ADMIN])
    await on_here.query(SAMPLE_FIELD)

    async def switch() -> None:
        await on_there.mutate(
            'mutation { disableTier(input: {key: "sample"}) { userErrors { code } } }'
        )

    notice = await _heard(here, org.id, switch())
    assert notice.name == "tier.disabled"
    (error,) = await on_here.errors(SAMPLE_FIELD)
    assert error["extensions"] == {"code": "TIER_NOT_ENABLED", "tier": "sample"}


async def test_roles_changed_by_a_new_token_reach_the_users_other_tokens(
    org: TestOrganisation, replicas: list[Starlette], clients: list[httpx.AsyncClient]
) -> None:
    here, there = _state(replicas[0]), _state(replicas[1])
    viewer = GraphQLClient(clients[0], org.tokens[Role.VIEWER])
    before = await viewer.query(VIEWER)
    assert before["viewer"]["user"]["roles"] == ["VIEWER"]
    email = await _email_of(viewer)

    async def promote() -> None:
        # what `pmo-graph token create` does for an existing user
        async with there.sessionmaker() as session:
            organisation = await session.get(Organisation, org.id)
            assert organisation is not None
            issued = await issue_token(
                session, organisation, email=email, name="Promoted", roles=[Role.OFFICE]
            )
            assert issued.access_changed
            notices = await announce_access_change(session, there.bus, org.id, issued.user_id)
            await session.commit()
        await there.bus.committed(notices)

    await _heard(here, org.id, promote())
    after = await viewer.query(VIEWER)
    assert after["viewer"]["user"]["roles"] == ["OFFICE"]


async def _email_of(client: GraphQLClient) -> str:
    data = await client.query("{ viewer { user { email } } }")
    return str(data["viewer"]["user"]["email"])


async def test_a_change_nobody_announced_is_seen_once_the_kept_access_expires(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    now = [1000.0]
    before = pmo_state.access.clock
    pmo_state.access.clock = lambda: now[0]
    try:
        viewer = org.client(Role.VIEWER)
        await viewer.query(VIEWER)
        async with pmo_state.sessionmaker() as session:
            await revoke_token(session, viewer.token or "")  # behind the servers' backs
            await session.commit()
        assert "viewer" in await viewer.query(VIEWER)  # still kept
        now[0] += pmo_state.settings.access_cache_seconds
        (error,) = await viewer.errors(VIEWER)
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        pmo_state.access.clock = before


async def test_nothing_kept_before_the_listener_dropped_is_used_after_it(
    org: TestOrganisation, replicas: list[Starlette], clients: list[httpx.AsyncClient]
) -> None:
    here = _state(replicas[0])
    token = org.tokens[Role.VIEWER]
    await GraphQLClient(clients[0], token).query(VIEWER)
    assert here.access.get(token_digest(token)) is not None
    bus = here.bus
    assert isinstance(bus, PostgresEventBus)
    epoch = bus.epoch
    bus._connection.terminate()  # type: ignore[attr-defined]  # as when the database drops it
    while bus.epoch == epoch or not bus.hears_everything:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    # Notices committed while it was away were never heard: what was kept is not trusted.
    assert here.access.get(token_digest(token)) is None


async def test_a_read_that_began_before_a_change_does_not_keep_what_it_read(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    viewer = org.client(Role.VIEWER)
    await viewer.query(VIEWER)
    digest = token_digest(viewer.token or "")
    kept = pmo_state.access.get(digest)
    assert kept is not None
    began = pmo_state.access.begin_read()
    pmo_state.access.forget_organisation(org.id)  # a change arrives while the read runs
    pmo_state.access.put(digest, kept.viewer, kept.tiers, began)
    assert pmo_state.access.get(digest) is None


async def test_the_command_line_announces_new_roles_and_revocations(
    org: TestOrganisation, pmo_state: AppState, pmo_settings: Settings
) -> None:
    """``pmo-graph token create`` for an existing user and ``pmo-graph token revoke``, run in
    another process, reach this server's kept tokens through their notices."""
    env = {
        "PMO_GRAPH_DATABASE_URL": pmo_settings.database_url,
        "PMO_GRAPH_DATABASE_SCHEMA": pmo_settings.database_schema or "",
    }
    viewer = org.client(Role.VIEWER)
    assert (await viewer.query(VIEWER))["viewer"]["user"]["roles"] == ["VIEWER"]  # kept now
    email = await _email_of(viewer)
    create = ["token", "create", "--org", org.slug, "--email", email, "--name", "V"]

    async def promote() -> None:
        done = await asyncio.to_thread(run, [*create, "--role", "office"], env)
        assert done.returncode == 0, done.stderr

    notice = await _heard(pmo_state, org.id, promote())
    assert notice.name == USER_ACCESS_CHANGED
    assert (await viewer.query(VIEWER))["viewer"]["user"]["roles"] == ["OFFICE"]

    async def revoke() -> None:
        done = await asyncio.to_thread(run, ["token", "revoke", viewer.token or ""], env)
        assert done.returncode == 0, done.stderr

    await _heard(pmo_state, org.id, revoke())
    (error,) = await viewer.errors(VIEWER)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
