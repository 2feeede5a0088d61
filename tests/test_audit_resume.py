"""``auditEvents(afterSeq:)``: a subscriber that was away catches up from the log, then goes on
live, receiving every event once and in order (over a real WebSocket, on both databases; one test
drives the subscription in the process, to stop it between two pages of the catch-up)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from test_subscriptions import _portfolio, _recorded, _wait_for_listeners

from pmo_graph.audit import subscriptions as audit_subscriptions
from pmo_graph.audit.subscriptions import CATCH_UP_PAGE
from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import authenticate, revoke_token, token_digest
from pmo_graph.db.row_security import current_organisation
from pmo_graph.errors import Unauthenticated
from pmo_graph.realtime.notices import AUDIT_RECORDED, Notice
from pmo_graph.realtime.publish import announce_revocations
from pmo_graph.realtime.subscriptions import REVOKED_MESSAGE
from pmo_graph.request.context import Context
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import TestOrganisation

RESUME = "subscription($after: Int) { auditEvents(afterSeq: $after) { seq action entityId } }"
LOG = "query($first: Int) { auditLog(first: $first) { nodes { seq action entityId } } }"


async def _head(org: TestOrganisation) -> int:
    nodes = (await org.admin.query(LOG, {"first": 1}))["auditLog"]["nodes"]
    return int(nodes[0]["seq"]) if nodes else 0


async def _events(socket: GraphQLSocket, subscription: str, count: int) -> list[dict[str, Any]]:
    return [(await socket.data(subscription))["auditEvents"] for _ in range(count)]


async def test_the_log_numbers_each_organisations_events_without_gaps(
    org: TestOrganisation,
) -> None:
    before = await _head(org)
    for name in ("One", "Two", "Three"):
        await _portfolio(org, name)
    nodes = (await org.admin.query(LOG, {"first": 3}))["auditLog"]["nodes"]
    assert [n["seq"] for n in nodes] == [before + 3, before + 2, before + 1]


async def test_resuming_replays_what_was_missed_then_goes_on_live(
    pmo_server_url: str, org: TestOrganisation
) -> None:
    seen = await _head(org)  # the last event this subscriber received before it went away
    missed = [await _portfolio(org, name) for name in ("Missed 1", "Missed 2")]
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        subscription = await socket.subscribe(RESUME, {"after": seen})
        replayed = await _events(socket, subscription, 2)
        live = await _portfolio(org, "Live")
        (after,) = await _events(socket, subscription, 1)
    assert [e["seq"] for e in replayed] == [seen + 1, seen + 2]
    assert [e["entityId"] for e in replayed] == missed
    assert (after["seq"], after["entityId"], after["action"]) == (seen + 3, live, "createPortfolio")


async def test_events_committed_while_catching_up_arrive_once_and_in_order(
    pmo_server_url: str, org: TestOrganisation
) -> None:
    """More missed events than one page of the catch-up, and writes racing it: whichever way
    they interleave, the subscriber gets every seq once, consecutively."""
    seen = await _head(org)
    backlog = CATCH_UP_PAGE + 20
    for number in range(backlog):
        await _portfolio(org, f"Backlog {number}")
    racing = 6
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        subscription = await socket.subscribe(RESUME, {"after": seen})
        writes = asyncio.gather(*(_portfolio(org, f"Racing {n}") for n in range(racing)))
        events = await _events(socket, subscription, backlog + racing)
        await writes
        # Nothing more is owed: the next event is the one caused now, not a repeat.
        canary = await _portfolio(org, "Canary")
        (next_event,) = await _events(socket, subscription, 1)
    assert [e["seq"] for e in events] == list(range(seen + 1, seen + backlog + racing + 1))
    assert next_event["entityId"] == canary


async def test_a_subscriber_that_falls_behind_reads_the_rest_from_the_log(
    pmo_server_url: str, org: TestOrganisation, pmo_state: Any
) -> None:
    """Live events overflow its queue (two places here) while the log is read: with afterSeq it
    is not dropped as SLOW_CONSUMER but reads on from the log, and nothing is lost or repeated."""
    seen = await _head(org)
    for name in ("Missed 1", "Missed 2", "Missed 3"):
        await _portfolio(org, name)
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        before = pmo_state.bus.listener_count
        pmo_state.bus.queue_size = 2
        try:
            subscription = await socket.subscribe(RESUME, {"after": seen})
            await _wait_for_listeners(pmo_state, before + 1)
        finally:
            pmo_state.bus.queue_size = pmo_state.settings.subscription_queue_size
        (latest,) = await _recorded(pmo_state, org.id)
        pmo_state.bus.fan_out([replace(latest) for _ in range(3)])  # one more than fits
        replayed = await _events(socket, subscription, 3)
        live = await _portfolio(org, "After the overflow")
        (event,) = await _events(socket, subscription, 1)
    assert [e["seq"] for e in replayed] == [seen + 1, seen + 2, seen + 3]
    assert (event["seq"], event["entityId"]) == (seen + 4, live)


async def test_events_whose_notices_were_lost_are_read_from_the_log(
    pmo_server_url: str, org: TestOrganisation, pmo_state: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listener that reconnects misses the notices sent meanwhile: here two are dropped on
    the way. The next one that arrives shows the gap in seq, and the gap is read from the log."""
    seen = await _head(org)
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        before = pmo_state.bus.listener_count
        subscription = await socket.subscribe(RESUME, {"after": seen})
        await _wait_for_listeners(pmo_state, before + 1)
        deliver = pmo_state.bus.fan_out
        lost: list[Notice] = []

        def losing_two(notices: list[Notice]) -> None:
            kept: list[Notice] = []
            for notice in notices:
                if notice.name == AUDIT_RECORDED and len(lost) < 2:
                    lost.append(notice)
                else:
                    kept.append(notice)
            deliver(kept)

        monkeypatch.setattr(pmo_state.bus, "fan_out", losing_two)
        created = [await _portfolio(org, name) for name in ("Lost 1", "Lost 2", "Arrives")]
        events = await _events(socket, subscription, 3)
    assert len(lost) == 2
    assert [e["seq"] for e in events] == [seen + 1, seen + 2, seen + 3]
    assert [e["entityId"] for e in events] == created


async def test_a_token_revoked_while_catching_up_ends_the_stream_within_a_page(
    org: TestOrganisation, pmo_state: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The subscription runs in this process and is read one event at a time, so that the
    revocation falls between two pages of the catch-up for certain (over a socket the server
    may read the whole log ahead of its reader). Pages of three here."""
    monkeypatch.setattr(audit_subscriptions, "CATCH_UP_PAGE", 3)
    seen = await _head(org)
    for number in range(8):
        await _portfolio(org, f"Backlog {number}")
    token = org.tokens[Role.ADMIN]
    async with pmo_state.request_sessionmaker() as session:
        viewer = await authenticate(session, token)
        assert viewer is not None
        current_organisation.set(viewer.organisation_id)
        context = Context(
            app=pmo_state,
            session=session,
            viewer_or_none=viewer,
            token_digest=token_digest(token),
        )
        await context.load_enabled_tiers()
        stream = await pmo_state.built.schema.subscribe(
            RESUME, variable_values={"after": seen}, context_value=context
        )
        try:
            first = await anext(stream)
            async with pmo_state.sessionmaker() as revoking:
                notices = await announce_revocations(
                    revoking, pmo_state.bus, await revoke_token(revoking, token)
                )
                await revoking.commit()
            await pmo_state.bus.committed(notices)
            rest_of_the_page = [await anext(stream) for _ in range(2)]
            refused = await anext(stream)
        finally:
            await stream.aclose()
    seqs = [r.data["auditEvents"]["seq"] for r in (first, *rest_of_the_page)]
    assert seqs == [seen + 1, seen + 2, seen + 3]  # the page read before the revocation
    assert refused.data is None
    (error,) = refused.errors
    # (over a socket the view adds the code; here the error is as the resolver raised it)
    assert isinstance(error.original_error, Unauthenticated)
    assert error.message == REVOKED_MESSAGE


async def test_a_negative_seq_is_bad_input(pmo_server_url: str, org: TestOrganisation) -> None:
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        message = await socket.receive(await socket.subscribe(RESUME, {"after": -1}))
    assert message["type"] == "error", message
    (error,) = message["payload"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "afterSeq"


async def test_resuming_is_for_admins_only(pmo_server_url: str, org: TestOrganisation) -> None:
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.OFFICE]) as socket:
        message = await socket.receive(await socket.subscribe(RESUME, {"after": 0}))
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
