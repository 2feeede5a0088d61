"""A WebSocket follows its token: every operation sent over it is authenticated again, and a
running subscription ends once its token, role or tier no longer allows it, on both databases
and across replicas.

Changes are made the way the command line makes them (``pmo-graph token revoke``, ``pmo-graph
token create`` for an existing user): in a transaction of their own, announced with a bus of
their own, so on PostgreSQL the server hears a notice and on SQLite it hears nothing and must
read the token again. Where the server keeps tokens between operations (PostgreSQL), a test
waits for the notice before the next operation, as a client would only ever race it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from helpers import started_apps
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import issue_token, revoke_token
from pmo_graph.organisations.models import Organisation
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.realtime.bus import EventBus, create_event_bus
from pmo_graph.realtime.notices import ACCESS_CHANGES
from pmo_graph.realtime.publish import announce_access_change, announce_revocations
from pmo_graph.settings import Settings
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import (
    GraphQLClient,
    StatementCounter,
    TestOrganisation,
    access_statements,
    serving,
)

AUDIT = "subscription { auditEvents { action } }"
REPORTS = "subscription { statusReportSubmitted { project { code } } }"
SUMMARY = "{ statusSummary { green } }"
CREATE_PORTFOLIO = """mutation($name: String!) { createPortfolio(input: {name: $name}) {
  portfolio { id } userErrors { code } } }"""
DISABLE = """mutation($key: String!) { disableTier(input: {key: $key}) { userErrors { code } } }"""

Make = Callable[..., Awaitable[TestOrganisation]]


async def _answer(socket: GraphQLSocket, query: str, variables: Any = None) -> dict[str, Any]:
    """The first message answering a query or mutation sent over ``socket``."""
    return await socket.receive(await socket.subscribe(query, variables))


def _error_code(message: dict[str, Any]) -> str:
    """The code of an ``error`` message (an operation refused or a subscription ended)."""
    assert message["type"] == "error", message
    return str(message["payload"][0]["extensions"]["code"])


def _field_error_code(message: dict[str, Any]) -> str:
    """The code of the one field error of a ``next`` message (as over HTTP)."""
    assert message["type"] == "next", message
    (error,) = message["payload"]["errors"]
    return str(error["extensions"]["code"])


async def _portfolios_named(state: AppState, organisation_id: int, name: str) -> int:
    async with state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Portfolio)
            .where(Portfolio.organisation_id == organisation_id, Portfolio.name == name)
        )
    return int(count or 0)


async def _second_admin(state: AppState, org: TestOrganisation) -> str:
    """A token of another ADMIN of ``org``, to demote while ``org.admin`` keeps working."""
    async with state.sessionmaker() as session:
        organisation = await session.get(Organisation, org.id)
        assert organisation is not None
        issued = await issue_token(
            session,
            organisation,
            email=f"second-admin@{org.slug}.test",
            name="Second admin",
            roles=[Role.ADMIN],
        )
        await session.commit()
    return issued.token


async def _revoke(state: AppState, token: str, bus: EventBus) -> None:
    """Revoke ``token`` and announce it with ``bus`` in the same transaction, as
    ``pmo-graph token revoke`` does."""
    async with state.sessionmaker() as session:
        notices = await announce_revocations(session, bus, await revoke_token(session, token))
        await session.commit()
    if bus is state.bus:
        await bus.committed(notices)


async def _set_roles(
    state: AppState, org: TestOrganisation, email: str, roles: list[Role], bus: EventBus
) -> None:
    """Give an existing user ``roles`` and announce it, as ``pmo-graph token create`` does."""
    async with state.sessionmaker() as session:
        organisation = await session.get(Organisation, org.id)
        assert organisation is not None
        issued = await issue_token(session, organisation, email=email, name="Demoted", roles=roles)
        assert issued.access_changed
        notices = await announce_access_change(session, bus, org.id, issued.user_id)
        await session.commit()
    if bus is state.bus:
        await bus.committed(notices)


@asynccontextmanager
async def _told(state: AppState, organisation_id: int) -> AsyncIterator[None]:
    """Around an access change: on leaving, wait until ``state``'s process heard its notice,
    where that process keeps tokens between operations (on SQLite it reads them every time,
    and the command line tells it nothing)."""
    listener = state.bus.listen(organisation_id, ACCESS_CHANGES)
    try:
        yield
        if state.access.in_use:
            await asyncio.wait_for(anext(listener), timeout=10)
    finally:
        listener.close()


async def test_a_token_revoked_by_the_command_line_is_refused_at_the_next_operation(
    pmo_server_url: str, org: TestOrganisation, pmo_state: AppState
) -> None:
    token = org.tokens[Role.OFFICE]
    async with GraphQLSocket(pmo_server_url, token) as socket:
        assert (await socket.data(await socket.subscribe(SUMMARY)))["statusSummary"] is not None
        async with _told(pmo_state, org.id):
            await _revoke(pmo_state, token, create_event_bus(pmo_state.settings))
        refused = await _answer(socket, CREATE_PORTFOLIO, {"name": "After revocation"})
        closed = await socket.receive("after")
    assert _error_code(refused) == "UNAUTHENTICATED"
    assert await _portfolios_named(pmo_state, org.id, "After revocation") == 0
    # The same token would be refused at connection_init now: the socket is closed as then.
    assert (closed["type"], closed["code"]) == ("closed", 4403)


async def test_a_revoked_token_ends_every_subscription_of_the_socket_and_closes_it(
    pmo_server_url: str, org: TestOrganisation, pmo_state: AppState
) -> None:
    token = await _second_admin(pmo_state, org)
    async with GraphQLSocket(pmo_server_url, token) as socket:
        audit = await socket.subscribe(AUDIT)
        reports = await socket.subscribe(REPORTS)
        await org.admin.mutate(CREATE_PORTFOLIO, {"name": "Before"})
        assert (await socket.data(audit))["auditEvents"]["action"] == "createPortfolio"
        async with _told(pmo_state, org.id):
            await _revoke(pmo_state, token, create_event_bus(pmo_state.settings))
        if not pmo_state.access.in_use:
            # Nothing tells this server (SQLite): the subscription finds out at its next event.
            await org.admin.mutate(CREATE_PORTFOLIO, {"name": "Next event"})
        ended = [await socket.receive(audit), await socket.receive(reports)]
        closed = await socket.receive(audit)
    assert [_error_code(message) for message in ended] == ["UNAUTHENTICATED"] * 2
    assert (closed["type"], closed["code"]) == ("closed", 4403)


async def test_a_demoted_user_is_refused_at_the_next_operation_and_their_stream_ends(
    pmo_server_url: str, org: TestOrganisation, pmo_state: AppState
) -> None:
    token = await _second_admin(pmo_state, org)
    async with GraphQLSocket(pmo_server_url, token) as socket:
        audit = await socket.subscribe(AUDIT)
        await org.admin.mutate(CREATE_PORTFOLIO, {"name": "Seen"})
        assert (await socket.data(audit))["auditEvents"]["action"] == "createPortfolio"
        async with _told(pmo_state, org.id):
            await _set_roles(
                pmo_state,
                org,
                f"second-admin@{org.slug}.test",
                [Role.VIEWER],
                create_event_bus(pmo_state.settings),
            )
        refused = await _answer(socket, CREATE_PORTFOLIO, {"name": "As a viewer"})
        # An event the demoted user may no longer see: the stream ends instead (at the notice
        # on PostgreSQL, at this event on SQLite, which is told nothing).
        await org.admin.mutate(CREATE_PORTFOLIO, {"name": "Not for viewers"})
        ended = await socket.receive(audit)
        still_open = await _answer(socket, "{ viewer { user { roles } } }")
    assert _field_error_code(refused) == "FORBIDDEN"
    assert await _portfolios_named(pmo_state, org.id, "As a viewer") == 0
    assert _error_code(ended) == "FORBIDDEN"
    # A lost role ends what it no longer allows; the token is valid, so the socket stays open.
    assert still_open["payload"]["data"]["viewer"]["user"]["roles"] == ["VIEWER"]


@pytest.mark.pmo_backends("postgresql")
async def test_a_lost_role_ends_the_stream_at_the_notice_before_any_event(
    pmo_server_url: str, org: TestOrganisation, pmo_state: AppState
) -> None:
    token = await _second_admin(pmo_state, org)
    async with GraphQLSocket(pmo_server_url, token) as socket:
        audit = await socket.subscribe(AUDIT)
        await org.admin.mutate(CREATE_PORTFOLIO, {"name": "Seen"})
        assert (await socket.data(audit))["auditEvents"]["action"] == "createPortfolio"
        await _set_roles(
            pmo_state,
            org,
            f"second-admin@{org.slug}.test",
            [Role.OFFICE],
            create_event_bus(pmo_state.settings),
        )
        ended = await socket.receive(audit)
    assert _error_code(ended) == "FORBIDDEN"


async def test_a_tier_switched_off_refuses_its_fields_on_an_open_socket_and_ends_its_streams(
    pmo_server_url: str, make_org: Make, pmo_state: AppState
) -> None:
    org = await make_org(tiers=["pso"])
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.OFFICE]) as socket:
        reports = await socket.subscribe(REPORTS)
        assert (await socket.data(await socket.subscribe(SUMMARY)))["statusSummary"] is not None
        await org.admin.mutate(DISABLE, {"key": "pso"})
        # No event follows the switch: the stream ends at its notice.
        ended = await socket.receive(reports)
        refused = await _answer(socket, SUMMARY)
    assert _error_code(ended) == "TIER_NOT_ENABLED"
    assert ended["payload"][0]["extensions"]["tier"] == "pso"
    assert _field_error_code(refused) == "TIER_NOT_ENABLED"


async def test_an_operation_reads_the_token_only_when_the_process_does_not_keep_it(
    pmo_server_url: str,
    org: TestOrganisation,
    pmo_state: AppState,
    count_statements: StatementCounter,
    resolvers_only: None,
) -> None:
    """``{ __typename }`` through the resolvers reads nothing of its own, so what it costs is
    its authentication: nothing where the process keeps the token (PostgreSQL, warm), the
    token and the tiers where it does not (SQLite; PostgreSQL once the organisation's access
    changed)."""
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.VIEWER]) as socket:
        await socket.data(await socket.subscribe("{ __typename }"))
        count_statements.reset()
        await socket.data(await socket.subscribe("{ __typename }"))
        warm = count_statements.count
        pmo_state.access.forget_organisation(org.id)
        count_statements.reset()
        await socket.data(await socket.subscribe("{ __typename }"))
        cold = list(count_statements.statements)
    assert warm == access_statements(pmo_state)
    assert len(cold) == 2
    assert any("FROM api_tokens" in statement for statement in cold)


@pytest.mark.pmo_backends("postgresql")
async def test_a_change_through_one_replica_reaches_a_socket_held_by_another(
    pmo_settings: Settings, pmo_plugins: Any, pmo_load_entrypoints: Any, make_org: Make
) -> None:
    org = await make_org(tiers=["pso"])
    async with AsyncExitStack() as stack:
        a, b = await stack.enter_async_context(
            started_apps(pmo_settings, pmo_plugins, pmo_load_entrypoints)
        )
        here, there = a.state.pmo, b.state.pmo
        url_a = await stack.enter_async_context(serving(a))
        url_b = await stack.enter_async_context(serving(b))
        http_a = await stack.enter_async_context(httpx.AsyncClient(base_url=url_a))
        admin_on_a = GraphQLClient(http_a, org.tokens[Role.ADMIN])
        token = await _second_admin(here, org)
        socket = await stack.enter_async_context(GraphQLSocket(url_b, token))
        assert (await socket.data(await socket.subscribe(SUMMARY)))["statusSummary"] is not None

        async with _told(there, org.id):
            await admin_on_a.mutate(DISABLE, {"key": "pso"})
        tier_off = await _answer(socket, SUMMARY)

        async with _told(there, org.id):
            await _set_roles(here, org, f"second-admin@{org.slug}.test", [Role.VIEWER], here.bus)
        demoted = await _answer(socket, CREATE_PORTFOLIO, {"name": "Demoted on B"})

        async with _told(there, org.id):
            await _revoke(here, token, here.bus)
        revoked = await _answer(socket, "{ __typename }")
    assert _field_error_code(tier_off) == "TIER_NOT_ENABLED"
    assert _field_error_code(demoted) == "FORBIDDEN"
    assert await _portfolios_named(here, org.id, "Demoted on B") == 0
    assert _error_code(revoked) == "UNAUTHENTICATED"
