"""PostgreSQL restarted under load: 8 clients read and write through a real ``pmo-graph serve``
for a minute, retrying every write with its ``Idempotency-Key``; the server is restarted in the
middle. No acknowledged write may be lost or duplicated, and a subscriber connected before the
restart still receives an event committed after it (the server's listening connection reconnects).
An audit subscriber that resumes by ``seq`` (``auditEvents(afterSeq:)``, subscribing again after the
error the outage gives it, as docs/api.md tells clients to) receives every audit event of the run
once and in order. (A notice lost while the stream stays open is filled from the log too; that is
shown without a restart in test_audit_resume.py.)

Prints one figure line: writes acknowledged, lost (must be 0), duplicated (must be 0), requests
refused while the database was away, and the seconds from the restart to the first write
acknowledged after it. Needs permission to restart the local cluster (``pg_ctlcluster``):
``.ci/run`` grants it with PMO_GRAPH_TEST_RESTART_POSTGRES=1.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
import pytest_asyncio
from test_scale_out import _report_on_new_project
from test_serve import _free_port, _serve, _token, _wait_ready

from pmo_graph.app_state import AppState
from pmo_graph.realtime.bus import listener_dsn
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import postgres_schema

pytestmark = pytest.mark.pmo_backends("postgresql")

CLIENTS = 8
SECONDS = float(os.environ.get("PMO_GRAPH_TEST_RESTART_SECONDS", "60"))
RESTART_AT = SECONDS / 4
CREATE = """mutation($name: String!) { createPortfolio(input: {name: $name}) {
  portfolio { id name } userErrors { code } } }"""
READ = "{ portfolios(first: 5) { totalCount nodes { name } } }"
REPORTS = "subscription { statusReportSubmitted { project { code } } }"
AUDIT_FROM = "subscription($after: Int) { auditEvents(afterSeq: $after) { seq } }"
HEAD = "{ auditLog(first: 1) { nodes { seq } } }"


@dataclass
class Figures:
    acknowledged: list[str] = field(default_factory=list)
    refused: int = 0
    restarted_at: float | None = None
    #: What the subscriber connected before the restart received after it.
    event_after_restart: dict[str, Any] = field(default_factory=dict)
    #: The first and the last refusal after the restart began: the outage the clients saw.
    down_at: float | None = None
    last_refusal_at: float | None = None
    #: The seqs the resuming audit subscriber received, in order, and the log's first and last.
    audit_seqs: list[int] = field(default_factory=list)
    audit_from: int = 0
    audit_head: int = 0
    #: How many times it subscribed (once, plus once after each error).
    audit_subscriptions: int = 0

    def refuse(self) -> None:
        self.refused += 1
        if self.restarted_at is not None:
            now = time.monotonic()
            self.down_at = self.down_at or now
            self.last_refusal_at = now

    def acknowledge(self, name: str) -> None:
        self.acknowledged.append(name)

    @property
    def recovery(self) -> float:
        """Seconds from the first refusal to the last (0 when nothing was refused)."""
        if self.down_at is None or self.last_refusal_at is None:
            return 0.0
        return self.last_refusal_at - self.down_at


def _restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )


async def _write(client: httpx.AsyncClient, name: str, figures: Figures, until: float) -> None:
    """Create portfolio ``name``, retrying with one key until it is acknowledged."""
    key = str(uuid.uuid4())
    body = {"query": CREATE, "variables": {"name": name}}
    while time.monotonic() < until:
        try:
            response = await client.post("/graphql", json=body, headers={"Idempotency-Key": key})
            answer = response.json()
        except (httpx.TransportError, ValueError):
            figures.refuse()
            await asyncio.sleep(0.2)
            continue
        payload = (answer.get("data") or {}).get("createPortfolio")
        if response.status_code == 200 and payload and payload["portfolio"]:
            figures.acknowledge(name)
            return
        figures.refuse()
        await asyncio.sleep(0.2)
    raise AssertionError(f"write {name} was never acknowledged")


async def _client(url: str, token: str, number: int, figures: Figures, deadline: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        count = 0
        while time.monotonic() < deadline:
            count += 1
            if count % 2:
                await _write(client, f"restart-{number}-{count}", figures, deadline + 60)
            else:
                try:
                    await client.post("/graphql", json={"query": READ})
                except httpx.TransportError:
                    figures.refuse()
                    await asyncio.sleep(0.2)


async def _head(url: str, token: str) -> int:
    """The seq of the organisation's newest audit event, asked until the server answers."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        for _ in range(60):
            try:
                answer = (await client.post("/graphql", json={"query": HEAD})).json()
                nodes = answer["data"]["auditLog"]["nodes"]
                return int(nodes[0]["seq"]) if nodes else 0  # the demo is seeded, not mutated
            except (httpx.TransportError, KeyError, TypeError):
                await asyncio.sleep(0.5)
    raise AssertionError("the server never answered auditLog")


async def _follow_audit(url: str, token: str, figures: Figures, done: asyncio.Event) -> None:
    """Receive the audit stream from ``figures.audit_from`` on, as a client that resumes by seq
    would: after an error or a closed socket, subscribe again after the last seq received."""
    last = figures.audit_from
    while not (done.is_set() and last >= figures.audit_head):
        try:
            async with GraphQLSocket(url, token) as socket:
                figures.audit_subscriptions += 1
                subscription = await socket.subscribe(AUDIT_FROM, {"after": last})
                while not (done.is_set() and last >= figures.audit_head):
                    try:
                        message = await socket.receive(subscription, wait=1)
                    except TimeoutError:
                        continue
                    if message["type"] != "next":
                        break  # an error or a closed socket: resume
                    last = int(message["payload"]["data"]["auditEvents"]["seq"])
                    figures.audit_seqs.append(last)
        except Exception:  # the server refusing while the database is away: try again
            await asyncio.sleep(0.5)


async def _load(url: str, token: str) -> Figures:
    figures = Figures()
    figures.audit_from = await _head(url, token)
    deadline = time.monotonic() + SECONDS

    async def restart_later() -> None:
        await asyncio.sleep(RESTART_AT)
        figures.restarted_at = time.monotonic()
        await asyncio.to_thread(_restart_postgres)

    caught_up = asyncio.Event()
    follower = asyncio.create_task(_follow_audit(url, token, figures, caught_up))
    # A subscriber connected before the restart: the server's listening connection is cut with
    # the others, and an event committed afterwards must still reach it.
    async with GraphQLSocket(url, token) as socket:
        subscription = await socket.subscribe(REPORTS)
        await asyncio.gather(
            restart_later(), *(_client(url, token, n, figures, deadline) for n in range(CLIENTS))
        )
        await _report_on_new_project(url, token, "AFTER-RESTART")
        message = await socket.receive(subscription, wait=30)
    figures.event_after_restart = message
    figures.audit_head = await _head(url, token)
    caught_up.set()
    await asyncio.wait_for(follower, timeout=120)
    return figures


async def _stored_names(env: dict[str, str]) -> list[str]:
    connection = await asyncpg.connect(listener_dsn(env["PMO_GRAPH_DATABASE_URL"]))
    try:
        schema = env.get("PMO_GRAPH_DATABASE_SCHEMA") or "public"
        rows = await connection.fetch(
            f'SELECT name FROM "{schema}".portfolios WHERE name LIKE $1', "restart-%"
        )
        return [row["name"] for row in rows]
    finally:
        await connection.close()


@pytest.fixture
def database_env(pmo_backend: str) -> Iterator[dict[str, str]]:
    """A schema of its own on the test server, for the server under load."""
    with postgres_schema("pmo_restart") as settings:
        yield {
            "PMO_GRAPH_DATABASE_URL": settings.database_url,
            "PMO_GRAPH_DATABASE_SCHEMA": settings.database_schema or "",
        }


@pytest.fixture
def restart_allowed() -> None:
    if os.environ.get("PMO_GRAPH_TEST_RESTART_POSTGRES") != "1":
        pytest.skip("restarts the PostgreSQL cluster: set PMO_GRAPH_TEST_RESTART_POSTGRES=1")


async def _cluster_started_at(pmo_state: AppState) -> Any:
    connection = await asyncpg.connect(listener_dsn(pmo_state.settings.database_url))
    try:
        return await connection.fetchval("SELECT pg_postmaster_start_time()")
    finally:
        await connection.close()


@pytest_asyncio.fixture
async def suite_app_recovers(pmo_state: AppState) -> AsyncIterator[None]:
    """Hands the suite's own app back to the tests after it as it was before the restart.

    The test itself is synchronous, so the suite's event loop sleeps through the restart: its
    app's pooled connections and its listening connection are all dead when the loop wakes, and
    the listener reconnects only then. A statement-count test that ran while it reconnected would
    see its token read again (nothing is kept while the bus may miss notices: ``AccessCache``).
    So after a restart the pool is emptied and the listener is waited for here, not there.
    """
    started_at = await _cluster_started_at(pmo_state)
    bus = pmo_state.bus
    epoch = bus.epoch
    yield
    if await _cluster_started_at(pmo_state) == started_at:
        return  # the test stopped before restarting anything
    await pmo_state.engine.dispose()
    async with asyncio.timeout(60):
        while bus.epoch == epoch or not bus.hears_everything:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def test_postgresql_restart_loses_and_duplicates_no_acknowledged_write(
    restart_allowed: None,
    suite_app_recovers: None,
    database_env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = _serve(database_env, port, tmp_path / "restart.log")
    try:
        token = _token(process)
        _wait_ready(url)
        figures = asyncio.run(_load(url, token))
        stored = asyncio.run(_stored_names(database_env))
    finally:
        process.terminate()
        process.wait(timeout=60)
    acknowledged = set(figures.acknowledged)
    lost = len(acknowledged - set(stored))
    duplicated = len(stored) - len(set(stored))
    unasked = len(set(stored) - acknowledged)
    assert figures.restarted_at is not None
    recovery = figures.recovery
    expected_seqs = list(range(figures.audit_from + 1, figures.audit_head + 1))
    with capsys.disabled():
        print(
            f"\nPostgreSQL restarted under load ({CLIENTS} clients, {SECONDS:.0f} s): "
            f"{len(acknowledged)} writes acknowledged, lost {lost}, duplicated {duplicated}, "
            f"{figures.refused} requests refused or retried, recovered in {recovery:.1f} s; "
            f"a subscriber connected before the restart received the event after it: "
            f"{'yes' if figures.event_after_restart.get('type') == 'next' else 'no'}; "
            f"an audit subscriber resuming by seq received {len(figures.audit_seqs)} events "
            f"({figures.audit_subscriptions} subscriptions), each once and in order: "
            f"{'yes' if figures.audit_seqs == expected_seqs else 'no'}"
        )
    assert lost == 0
    assert duplicated == 0
    assert unasked == 0
    assert recovery < 30
    after = figures.event_after_restart
    assert after["type"] == "next", after
    assert after["payload"]["data"]["statusReportSubmitted"]["project"]["code"] == "AFTER-RESTART"
    assert len(expected_seqs) > len(acknowledged)  # every write, and the report after the restart
    assert figures.audit_seqs == expected_seqs
