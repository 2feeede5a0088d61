"""The benchmark's queries (bench/cases.py) cost a fixed number of SQL statements, whatever the
size of the organisation or the page: no N+1 may come back unnoticed (issue 8)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from types import ModuleType

import httpx
import pytest
from bench_world import build_bench_world
from sqlalchemy.ext.asyncio import AsyncSession

from bench.cases import Q1, Q2, Q3, Q4
from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.db import session as db_session_module
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.sdk import to_global_id
from pmo_graph.settings import Settings
from pmo_graph.testing import (
    GraphQLClient,
    StatementCounter,
    TestOrganisation,
    access_statements,
    round_trips_of,
    transaction_control,
)

#: These pin the resolvers' batching; the compiled path has its own counts.
pytestmark = pytest.mark.usefixtures("resolvers_only")

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
TODAY = date(2026, 11, 1)

#: Per query, the statements of one request after authentication has warmed up, besides the
#: token and the enabled tiers (``access_statements``): one per level of the selection.
EXPECTED = {
    # the portfolio; its page of projects; latest reports; risks; their owners;
    # assignments; their people; contributions; their benefits; the benefits' measurement
    # sums and latest values (one statement)
    "Q1": 10,
    # the project; manager and sponsor (people), portfolio, programme, director;
    # latest report; reports page; milestones; risks; owners; assignments; people;
    # contributions; benefits; measurement sums and latest (one) - loaders share what they can
    "Q2": 14,
    # the page of projects
    "Q3": 1,
    # portfolios; programmes; projects; risks; owners
    "Q4": 5,
}


QUERIES = [("Q1", Q1), ("Q2", Q2), ("Q3", Q3), ("Q4", Q4)]


async def _bench_org(
    make_org: MakeOrg, session: AsyncSession, size: int, document: str
) -> tuple[TestOrganisation, dict[str, str]]:
    """An organisation shaped like the benchmark's, its token warmed up, and the variables of
    ``document`` on it."""
    org = await make_org(tiers=["pso", "portfolio", "pmo"])
    keys = await build_bench_world(session, org.id, size)
    variables = {
        "portfolio": to_global_id("Portfolio", keys["portfolio"]),
        "project": to_global_id("Project", keys["project"]),
    }
    await org.admin.query("{ viewer { user { id } } }")  # first use of a token records last_used_at
    return org, {k: v for k, v in variables.items() if f"${k}" in document}


@pytest.mark.parametrize(("name", "document"), QUERIES)
async def test_benchmark_queries_cost_the_same_statements_at_any_size(
    make_org: MakeOrg,
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
    name: str,
    document: str,
) -> None:
    counts = []
    for size in (2, 12):
        org, used = await _bench_org(make_org, db_session, size, document)
        count_statements.reset()
        await org.admin.query(document, used)
        counts.append(count_statements.count)
    expected = access_statements(pmo_state) + EXPECTED[name]
    assert counts == [expected, expected], count_statements.statements


@pytest.mark.pmo_backends("postgresql")
@pytest.mark.parametrize(("name", "document"), QUERIES)
async def test_the_resolvers_read_without_a_transaction_per_statement(
    make_org: MakeOrg,
    db_session: AsyncSession,
    pmo_state: AppState,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    document: str,
) -> None:
    """On PostgreSQL (pooled by session) a query's reads go over the wire as its statements
    alone: in autocommit, no ``BEGIN`` and ``COMMIT`` around each (issue 22: 3-18 statements,
    each in its own transaction). Row security still holds: the organisation stays set on the
    connection (``scope_connections``)."""
    org, used = await _bench_org(make_org, db_session, 2, document)
    # A connection idle for a second is pinged (BEGIN, ";", ROLLBACK) before it is handed
    # out: the pool's doing, not the query's.
    monkeypatch.setattr(db_session_module, "PING_AFTER_IDLE_SECONDS", float("inf"))
    with round_trips_of(pmo_state.engine) as sent:
        await org.admin.query(document, used)
    assert transaction_control(sent.statements) == [], sent.statements
    assert len(sent.statements) == EXPECTED[name], sent.statements


#: Behind PgBouncer in transaction mode a read needs a transaction to carry the organisation
#: (``scope_transactions``), so none runs in autocommit; reads queued one behind the other
#: (the loaders' batches dispatched together) share one. Per query, the transactions, against
#: one per statement before (``EXPECTED``).
TRANSACTIONS_POOLED_BY_TRANSACTION = {"Q1": 4, "Q2": 3, "Q3": 1, "Q4": 5}


@pytest.mark.pmo_backends("postgresql")
@pytest.mark.parametrize(("name", "document"), QUERIES)
async def test_pooled_by_transaction_the_reads_dispatched_together_share_a_transaction(
    make_org: MakeOrg,
    db_session: AsyncSession,
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    document: str,
) -> None:
    org, used = await _bench_org(make_org, db_session, 2, document)
    settings = pmo_settings.model_copy(
        update={"database_pooling": "transaction", "compiled_queries": False}
    )
    monkeypatch.setattr(db_session_module, "PING_AFTER_IDLE_SECONDS", float("inf"))
    app = create_app(
        settings, extra_plugins=pmo_plugins, load_entrypoints=pmo_load_entrypoints, prepare=False
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        client = GraphQLClient(http, org.admin.token)
        await client.query("{ viewer { user { id } } }")  # this process learns the token
        with round_trips_of(app.state.pmo.engine) as sent:
            await client.query(document, used)
    control = transaction_control(sent.statements)
    begun = TRANSACTIONS_POOLED_BY_TRANSACTION[name]
    assert control == ["BEGIN;", "COMMIT;"] * begun, (len(control), sent.statements)
    # each transaction sets the organisation once (set_config), then its reads
    assert len(sent.statements) == 3 * begun + EXPECTED[name], sent.statements
