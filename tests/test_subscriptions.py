"""GraphQL subscriptions over a real WebSocket (graphql-transport-ws), on both databases.

"Receives nothing" is shown without waiting on a clock: after the event that must not arrive, a
canary event that must arrive is caused; events reach a subscriber in commit order, so the
first thing it receives has to be the canary.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import select, update
from test_cli import run

from helpers import started_apps
from pmo_graph.audit.models import AuditEvent
from pmo_graph.auth.models import ApiToken
from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import revoke_token, token_digest
from pmo_graph.db.types import utcnow
from pmo_graph.graphql.tiers import field_tier
from pmo_graph.ids import parse_pk, to_global_id
from pmo_graph.realtime.notices import Notice, notice_of_audit
from pmo_graph.realtime.publish import announce_revocations
from pmo_graph.realtime.websocket import IDLE_CLOSE_CODE
from pmo_graph.subscription_client import PROTOCOL, GraphQLSocket, SocketClosed
from pmo_graph.testing import GraphQLClient, TestOrganisation, access_statements, serving

AUDIT = "subscription { auditEvents { action entityId actor { email } } }"
REPORTS = """subscription($portfolio: ID, $programme: ID) {
  statusReportSubmitted(portfolioId: $portfolio, programmeId: $programme) {
    occurredAt actor { email } statusReport { overall periodEnding } project { code }
  } }"""
CREATE_PORTFOLIO = """mutation($name: String!) { createPortfolio(input: {name: $name}) {
  portfolio { id } userErrors { code } } }"""
CREATE_PROGRAMME = """mutation($name: String!) { createProgramme(input: {name: $name}) {
  programme { id } userErrors { code } } }"""
CREATE_PROJECT = """mutation($input: CreateProjectInput!) { createProject(input: $input) {
  project { id } userErrors { field message code } } }"""
SUBMIT = """mutation($project: ID!, $period: Date!) { submitStatusReport(input: {
  projectId: $project, periodEnding: $period, overall: GREEN}) {
  statusReport { id } userErrors { field message code } } }"""
SET_TIER = """mutation($key: String!) { %s(input: {key: $key}) { userErrors { code } } }"""

Make = Callable[..., Awaitable[TestOrganisation]]


async def _portfolio(org: TestOrganisation, name: str = "Realtime") -> str:
    return str((await org.admin.mutate(CREATE_PORTFOLIO, {"name": name}))["portfolio"]["id"])


async def _project(
    org: TestOrganisation, code: str, portfolio: str | None = None, programme: str | None = None
) -> str:
    payload = await org.admin.mutate(CREATE_PROJECT, {"input": {"code": code, "name": code}})
    project = str(payload["project"]["id"])
    for field, value in (("Portfolio", portfolio), ("Programme", programme)):
        if value is not None:
            await org.admin.mutate(
                f"mutation($p: ID!, $v: ID) {{ setProject{field}(input: "
                f"{{projectId: $p, {field.lower()}Id: $v}}) {{ userErrors {{ code }} }} }}",
                {"p": project, "v": value},
            )
    return project


async def _report(org: TestOrganisation, project: str, period: str = "2026-11-20") -> str:
    payload = await org.admin.mutate(SUBMIT, {"project": project, "period": period})
    return str(payload["statusReport"]["id"])


async def _set_tier(org: TestOrganisation, key: str, enabled: bool) -> None:
    await org.admin.mutate(SET_TIER % ("enableTier" if enabled else "disableTier"), {"key": key})


def _code(message: dict[str, Any]) -> str:
    """The code of the ``error`` message that ended a subscription."""
    assert message["type"] == "error", message
    return str(message["payload"][0]["extensions"]["code"])


async def test_an_admin_receives_audit_events_as_mutations_commit(
    pmo_server_url: str, org: TestOrganisation
) -> None:
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        subscription = await socket.subscribe(AUDIT)
        created = await _portfolio(org)
        data = await socket.data(subscription)
    assert data["auditEvents"]["action"] == "createPortfolio"
    assert data["auditEvents"]["entityId"] == created
    assert data["auditEvents"]["actor"]["email"].startswith("admin@")


async def test_audit_events_are_for_admins_only(pmo_server_url: str, org: TestOrganisation) -> None:
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.OFFICE]) as socket:
        message = await socket.receive(await socket.subscribe(AUDIT))
    assert _code(message) == "FORBIDDEN"


@pytest.mark.parametrize(
    "payload",
    [{}, {"authorization": "Bearer pmo_not-a-token"}, {"authorization": "Basic abc"}],
    ids=["no-token", "unknown-token", "not-bearer"],
)
async def test_a_connection_without_a_valid_token_is_refused(
    pmo_server_url: str, payload: dict[str, str]
) -> None:
    with pytest.raises(SocketClosed) as refused:
        async with GraphQLSocket(pmo_server_url, payload=payload):
            pass
    assert refused.value.code == 4403


async def test_the_token_may_also_come_bare(pmo_server_url: str, org: TestOrganisation) -> None:
    async with GraphQLSocket(pmo_server_url, payload={"token": org.tokens[Role.ADMIN]}) as socket:
        subscription = await socket.subscribe(AUDIT)
        await _portfolio(org)
        assert (await socket.data(subscription))["auditEvents"]["action"] == "createPortfolio"


async def test_graphiql_s_headers_pane_authenticates_its_subscriptions(
    pmo_server_url: str, org: TestOrganisation
) -> None:
    # GraphiQL 3 sends everything in its headers pane as the connection_init payload (its
    # fetcher spreads the headers into graphql-ws' connectionParams), under the header's name.
    pane = {"Authorization": f"Bearer {org.tokens[Role.ADMIN]}", "X-Trace": "from-the-pane"}
    async with GraphQLSocket(pmo_server_url, payload=pane) as socket:
        subscription = await socket.subscribe(AUDIT)
        await _portfolio(org)
        assert (await socket.data(subscription))["auditEvents"]["action"] == "createPortfolio"


async def test_a_status_report_reaches_its_portfolio_and_programme_subscribers_only(
    pmo_server_url: str, org: TestOrganisation
) -> None:
    portfolio = await _portfolio(org, "Watched")
    other_portfolio = await _portfolio(org, "Unwatched")
    programme = str((await org.admin.mutate(CREATE_PROGRAMME, {"name": "P"}))["programme"]["id"])
    watched = await _project(org, "W-1", portfolio, programme)
    unwatched = await _project(org, "U-1", other_portfolio)
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.VIEWER]) as socket:
        by_portfolio = await socket.subscribe(REPORTS, {"portfolio": portfolio})
        by_programme = await socket.subscribe(REPORTS, {"programme": programme})
        everything = await socket.subscribe(REPORTS)
        await _report(org, unwatched)
        await _report(org, watched)
        first = (await socket.data(by_portfolio))["statusReportSubmitted"]
        assert (await socket.data(by_programme))["statusReportSubmitted"] == first
        all_codes = [
            (await socket.data(everything))["statusReportSubmitted"]["project"]["code"]
            for _ in range(2)
        ]
    assert first["project"]["code"] == "W-1"
    assert first["statusReport"] == {"overall": "GREEN", "periodEnding": "2026-11-20"}
    assert first["actor"]["email"].startswith("admin@")
    assert all_codes == ["U-1", "W-1"]


async def test_a_subscription_argument_must_be_an_id_of_the_viewers_organisation(
    pmo_server_url: str, org: TestOrganisation, make_org: Make
) -> None:
    other = await make_org(tiers=["pso"])
    theirs = await _portfolio(other)
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        malformed = await socket.receive(await socket.subscribe(REPORTS, {"portfolio": "nope"}))
        foreign = await socket.receive(await socket.subscribe(REPORTS, {"portfolio": theirs}))
    assert _code(malformed) == "BAD_USER_INPUT"
    assert _code(foreign) == "NOT_FOUND"


async def test_a_subscription_argument_out_of_range_is_refused_by_the_input_check(
    pmo_server_url: str, org: TestOrganisation
) -> None:
    """The input check of every operation (docs/api.md, Scalars) ends a subscription too."""
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        refused = await socket.receive(await socket.subscribe(REPORTS, {"portfolio": "a\x00"}))
    assert _code(refused) == "BAD_USER_INPUT"
    (error,) = refused["payload"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "portfolioId"}
    assert "control character U+0000" in error["message"]


async def test_another_organisation_receives_nothing(
    pmo_server_url: str, org: TestOrganisation, make_org: Make
) -> None:
    other = await make_org(tiers=["pso"])
    project = await _project(org, "MINE")
    canary_project = await _project(other, "CANARY")
    async with GraphQLSocket(pmo_server_url, other.tokens[Role.ADMIN]) as socket:
        audit = await socket.subscribe(AUDIT)
        reports = await socket.subscribe(REPORTS)
        await _report(org, project)
        await _portfolio(org)
        await _report(other, canary_project)
        first_report = (await socket.data(reports))["statusReportSubmitted"]
        first_audit = (await socket.data(audit))["auditEvents"]
    assert first_report["project"]["code"] == "CANARY"
    assert first_audit["action"] == "submitStatusReport"
    assert first_audit["actor"]["email"] == f"admin@{other.slug}.test"


async def test_subscribing_while_the_tier_is_off_is_refused(
    pmo_server_url: str, make_org: Make
) -> None:
    core_only = await make_org(tiers=[])
    async with GraphQLSocket(pmo_server_url, core_only.tokens[Role.ADMIN]) as socket:
        message = await socket.receive(await socket.subscribe(REPORTS))
    assert _code(message) == "TIER_NOT_ENABLED"


async def test_a_tier_switched_off_ends_its_subscriptions_before_a_late_event(
    pmo_server_url: str, make_org: Make, pmo_state: Any
) -> None:
    """A report committed just as the tier went off (as a replica that had not yet seen the
    switch would commit it) reaches no subscriber: the switch, first on the stream, ended the
    subscription with TIER_NOT_ENABLED. Once the tier is back, subscribing again works."""
    org = await make_org(tiers=["pso"])
    project = await _project(org, "TIERED")
    report = await _report(org, project, "2026-11-01")
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        reports = await socket.subscribe(REPORTS)
        await _set_tier(org, "pso", False)
        late = Notice(
            organisation_id=org.id,
            name="status_report.submitted",
            entity_type="StatusReport",
            entity_pk=parse_pk(report, "StatusReport") or 0,
            data={"project": parse_pk(project, "Project")},
        )
        async with pmo_state.sessionmaker() as session:
            await pmo_state.bus.stage(session, [late])
            await session.commit()
        await pmo_state.bus.committed([late])
        ended = await socket.receive(reports)
        await _set_tier(org, "pso", True)
        again = await socket.subscribe(REPORTS)
        await _report(org, project, "2026-11-20")
        data = (await socket.data(again))["statusReportSubmitted"]
    assert _code(ended) == "TIER_NOT_ENABLED"
    assert data["statusReport"]["periodEnding"] == "2026-11-20"


async def test_a_revoked_token_ends_its_subscriptions(
    pmo_server_url: str, org: TestOrganisation, pmo_state: Any
) -> None:
    token = org.tokens[Role.OFFICE]
    async with GraphQLSocket(pmo_server_url, token) as socket:
        reports = await socket.subscribe(REPORTS)
        await _report(org, await _project(org, "BEFORE"))
        assert (await socket.data(reports))["statusReportSubmitted"]["project"]["code"] == "BEFORE"
        # What 'pmo-graph token revoke' does: revoke, and announce it in the same transaction.
        async with pmo_state.sessionmaker() as session:
            notices = await announce_revocations(
                session, pmo_state.bus, await revoke_token(session, token)
            )
            await session.commit()
        await pmo_state.bus.committed(notices)
        await _report(org, await _project(org, "AFTER"))
        message = await socket.receive(reports)
    assert _code(message) == "UNAUTHENTICATED"


@pytest.mark.pmo_backends("postgresql")
async def test_the_cli_revoking_a_token_ends_its_subscriptions_on_the_server(
    pmo_server_url: str, org: TestOrganisation, pmo_settings: Any
) -> None:
    token = org.tokens[Role.VIEWER]
    env = {
        "PMO_GRAPH_DATABASE_URL": pmo_settings.database_url,
        "PMO_GRAPH_DATABASE_SCHEMA": pmo_settings.database_schema,
    }
    async with GraphQLSocket(pmo_server_url, token) as socket:
        reports = await socket.subscribe(REPORTS)
        revoked = await asyncio.to_thread(run, ["token", "revoke", token], env)
        assert revoked.returncode == 0, revoked.stderr
        await _report(org, await _project(org, "AFTER-CLI"))
        message = await socket.receive(reports)
    assert _code(message) == "UNAUTHENTICATED"


async def test_a_token_revoked_behind_the_servers_back_ends_the_subscription_once_not_kept(
    pmo_server_url: str, make_org: Make, pmo_state: Any
) -> None:
    """A token revoked in SQL announces nothing. SQLite reads the token before every event,
    so the next one ends the subscription; PostgreSQL keeps it for
    PMO_GRAPH_ACCESS_CACHE_SECONDS, so an event within them is still delivered and the first
    one after them ends it."""
    now = [1000.0]
    before = pmo_state.access.clock
    pmo_state.access.clock = lambda: now[0]  # before the token is first read, so it is kept
    try:
        org = await make_org(tiers=["pso"])
        token = org.tokens[Role.PROJECT_MANAGER]
        project = await _project(org, "SQL-1")
        async with GraphQLSocket(pmo_server_url, token) as socket:
            reports = await socket.subscribe(REPORTS)
            await _report(org, project, "2026-11-06")
            first = await socket.data(reports)
            async with pmo_state.sessionmaker() as session:
                await session.execute(
                    update(ApiToken)
                    .where(ApiToken.digest == token_digest(token))
                    .values(revoked_at=utcnow())
                )
                await session.commit()
            kept = None
            if pmo_state.access.in_use:
                await _report(org, project, "2026-11-13")
                kept = await socket.data(reports)
                now[0] += pmo_state.settings.access_cache_seconds
            await _report(org, project, "2026-11-20")
            message = await socket.receive(reports)
    finally:
        pmo_state.access.clock = before
    assert first["statusReportSubmitted"]["project"]["code"] == "SQL-1"
    if kept is not None:
        assert kept["statusReportSubmitted"]["statusReport"]["periodEnding"] == "2026-11-13"
    assert _code(message) == "UNAUTHENTICATED"


async def test_a_connection_holds_a_limited_number_of_subscriptions(
    pmo_server_url: str, org: TestOrganisation, pmo_state: Any
) -> None:
    limit = pmo_state.settings.max_subscriptions_per_connection
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        for _ in range(limit):
            await socket.subscribe(AUDIT)
        refused = await socket.receive(await socket.subscribe(AUDIT))
        assert _code(refused) == "TOO_MANY_SUBSCRIPTIONS"
        await socket.complete("1")
        again = await socket.subscribe(AUDIT)
        await _portfolio(org)
        assert (await socket.data(again))["auditEvents"]["action"] == "createPortfolio"


async def test_a_token_holds_a_limited_number_of_subscriptions_over_its_connections(
    pmo_server_url: str, org: TestOrganisation, pmo_state: Any
) -> None:
    per_connection = pmo_state.settings.max_subscriptions_per_connection
    per_token = pmo_state.settings.max_subscriptions_per_token
    token = org.tokens[Role.ADMIN]
    sockets = [GraphQLSocket(pmo_server_url, token) for _ in range(per_token // per_connection)]
    extra = GraphQLSocket(pmo_server_url, token)
    other_user = GraphQLSocket(pmo_server_url, org.tokens[Role.OFFICE])
    try:
        for socket in [*sockets, extra, other_user]:
            await socket.__aenter__()
        before = pmo_state.bus.listener_count
        for socket in sockets:
            for _ in range(per_connection):
                await socket.subscribe(REPORTS)
        await _wait_for_listeners(pmo_state, before + per_token)
        refused = await extra.receive(await extra.subscribe(REPORTS))
        allowed = await other_user.subscribe(REPORTS)
        await _report(org, await _project(org, "LIMITS"))
        assert (await other_user.data(allowed))["statusReportSubmitted"]["project"]["code"] == (
            "LIMITS"
        )
    finally:
        for socket in [*sockets, extra, other_user]:
            await socket.__aexit__(None, None, None)
    assert _code(refused) == "TOO_MANY_SUBSCRIPTIONS"


async def _wait_for_listeners(pmo_state: Any, count: int) -> None:
    """Until the server has started that many listeners (subscribing is asynchronous)."""
    while pmo_state.bus.listener_count < count:  # noqa: ASYNC110 - the bus has no event for it
        await asyncio.sleep(0.01)


async def test_a_slow_consumer_is_dropped_and_the_others_carry_on(
    pmo_server_url: str, make_org: Make, pmo_state: Any
) -> None:
    """Switching the pmo tier on makes the director sponsor each project of the programme: one
    transaction, five audit events. A subscriber that may fall only two behind is dropped at
    once; one beside it, on the same connection, receives all five."""
    org = await make_org(tiers=["pso", "portfolio"])
    director = org.person_ids[Role.PROGRAMME_DIRECTOR]
    programme = await org.admin.mutate(
        'mutation($d: ID!) { createProgramme(input: {name: "G", directorId: $d}) '
        "{ programme { id } userErrors { code } } }",
        {"d": to_global_id("Person", director)},
    )
    for code in ("S-1", "S-2", "S-3", "S-4"):
        await _project(org, code, programme=programme["programme"]["id"])
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        before = pmo_state.bus.listener_count
        pmo_state.bus.queue_size = 2
        try:
            slow = await socket.subscribe(AUDIT)
            await _wait_for_listeners(pmo_state, before + 1)
        finally:
            pmo_state.bus.queue_size = pmo_state.settings.subscription_queue_size
        steady = await socket.subscribe(AUDIT)
        await _wait_for_listeners(pmo_state, before + 2)
        await _set_tier(org, "pmo", True)
        dropped = await socket.receive(slow)
        actions = [(await socket.data(steady))["auditEvents"]["action"] for _ in range(5)]
    assert _code(dropped) == "SLOW_CONSUMER"
    assert actions == ["enableTier"] * 5  # the switch, then four sponsorships it caused


async def test_idle_and_silent_connections_are_closed(
    pmo_settings: Any, pmo_plugins: Any, pmo_load_entrypoints: Any, org: TestOrganisation
) -> None:
    settings = pmo_settings.model_copy(
        update={"websocket_idle_seconds": 0.6, "websocket_init_seconds": 0.2}
    )
    async with (
        started_apps(settings, pmo_plugins, pmo_load_entrypoints, count=1) as (app,),
        serving(app) as url,
    ):
        async with GraphQLSocket(url, org.tokens[Role.ADMIN]) as idle:
            closed = await idle.receive("idle")  # nothing subscribed: closed when idle
        async with GraphQLSocket(url, org.tokens[Role.ADMIN]) as busy:
            subscription = await busy.subscribe(AUDIT)
            await asyncio.sleep(1.5)  # past the idle limit, but it holds a subscription
            async with httpx.AsyncClient(base_url=url) as http:
                # Through this app: on SQLite, its bus is its own.
                await GraphQLClient(http, org.tokens[Role.ADMIN]).mutate(
                    CREATE_PORTFOLIO, {"name": "Busy"}
                )
            assert (await busy.data(subscription))["auditEvents"]["action"] == "createPortfolio"
        async with websockets.connect(
            url.replace("http", "ws") + "/graphql", subprotocols=[PROTOCOL]
        ) as silent:
            with pytest.raises(websockets.ConnectionClosed) as never_initialised:
                await silent.recv()
    assert (closed["type"], closed["code"]) == ("closed", IDLE_CLOSE_CODE)
    assert never_initialised.value.rcvd is not None
    assert never_initialised.value.rcvd.code == 4408


async def test_a_subscription_sent_over_http_is_refused_with_a_pointer_to_the_websocket(
    org: TestOrganisation,
) -> None:
    result = await org.admin.execute(AUDIT)
    assert result["_status"] == 400
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "WebSocket" in result["errors"][0]["message"]


async def test_statements_per_event_delivered(
    pmo_server_url: str, org: TestOrganisation, pmo_state: Any, count_statements: Any
) -> None:
    """Exact statements per event for two subscribers of it with one token: the payload's row
    is read once for both, and so is the token, which each checks before every event: nothing
    while the process keeps it (PostgreSQL), the token and the tiers otherwise (SQLite); after
    an access change the change's notice reads it once (and the event after it, on SQLite)."""
    token = org.tokens[Role.ADMIN]
    async with (
        GraphQLSocket(pmo_server_url, token) as first,
        GraphQLSocket(pmo_server_url, token) as second,
    ):
        subscriptions = [
            (socket, await socket.subscribe("subscription { auditEvents { action } }"))
            for socket in (first, second)
        ]
        await _portfolio(org)
        for socket, subscription in subscriptions:
            await socket.data(subscription)
        (recorded,) = await _recorded(pmo_state, org.id)
        switched = Notice(org.id, "tier.enabled", "Organisation", org.id, {"tier": "pso"})
        counted = []
        for with_switch in (False, False, True):
            # A fresh notice each time, as each commit brings (its loads are its own).
            notices = [*([replace(switched)] if with_switch else []), replace(recorded)]
            count_statements.reset()
            pmo_state.bus.fan_out(notices)
            for socket, subscription in subscriptions:
                assert (await socket.data(subscription))["auditEvents"]["action"] == (
                    "createPortfolio"
                )
            counted.append(count_statements.count)
    per_event = 1 + access_statements(pmo_state)
    assert counted == [per_event, per_event, per_event + 2]


async def _recorded(pmo_state: Any, organisation_id: int) -> list[Notice]:
    """The notice of the organisation's latest audit event."""
    async with pmo_state.sessionmaker() as session:
        event = await session.scalar(
            select(AuditEvent)
            .where(AuditEvent.organisation_id == organisation_id)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    return [notice_of_audit(event)]


async def test_every_tiered_subscription_is_refused_while_its_tier_is_off(
    pmo_server_url: str, make_org: Make, pmo_state: Any
) -> None:
    """Read from the schema, so a plugin's new subscription is covered without a case."""
    schema = pmo_state.built.schema
    subscription_type = schema._schema.subscription_type
    assert subscription_type is not None
    tiered = {
        name: field_tier(schema.get_field_for_type(name, "Subscription"))
        for name in subscription_type.fields
    }
    tiered = {name: tier for name, tier in tiered.items() if tier is not None}
    assert len(tiered) >= 4
    core_only = await make_org(tiers=[])
    async with GraphQLSocket(pmo_server_url, core_only.tokens[Role.ADMIN]) as socket:
        refusals = {
            name: await socket.receive(
                await socket.subscribe(f"subscription {{ {name} {{ __typename }} }}")
            )
            for name in tiered
        }
    for name, message in refusals.items():
        assert _code(message) == "TIER_NOT_ENABLED", name
        assert message["payload"][0]["extensions"]["tier"] == tiered[name], name
