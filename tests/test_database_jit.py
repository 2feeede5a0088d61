"""PostgreSQL's JIT compilation on pmo-graph's connections (``PMO_GRAPH_DATABASE_JIT``).

The compiled reads are planned as costly (the benchmark's deep query at about 175,000, over
PostgreSQL's ``jit_above_cost`` of 100,000) yet run in milliseconds, and compiling them to
machine code took longer than it saved. So pmo-graph's own connections plan without JIT,
with either kind of pooling and at no statement of its own, unless the setting asks for the
server's choice.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from helpers import application_role_engine
from pgbouncer_process import running_pgbouncer
from pmo_graph.app_state import AppState
from pmo_graph.db.session import create_engine
from pmo_graph.settings import Settings

pytestmark = pytest.mark.pmo_backends("postgresql")

#: Planned at 125,000: above PostgreSQL's default ``jit_above_cost``, so JIT would compile it.
COSTLY = "EXPLAIN SELECT sum(i) FROM generate_series(1, 10000000) AS i"


async def _compiles(connection: AsyncConnection) -> bool:
    """Whether the server would compile a costly statement on ``connection`` with JIT."""
    plan = (await connection.execute(text(COSTLY))).scalars().all()
    return any(line.startswith("JIT:") for line in plan)


async def test_the_servers_own_connections_plan_without_jit(pmo_state: AppState) -> None:
    async with pmo_state.engine.connect() as connection:
        assert await connection.scalar(text("SHOW jit")) == "off"
        assert not await _compiles(connection)


@pytest.mark.parametrize("pooling", ["session", "transaction"])
async def test_jit_is_left_to_the_server_only_when_asked_for(
    pmo_state: AppState, pooling: str
) -> None:
    async with (
        application_role_engine(pmo_state, database_pooling=pooling, database_jit=True) as engine,
        engine.connect() as connection,
    ):
        # PostgreSQL's default; this test needs it to tell the two settings apart.
        assert await connection.scalar(text("SHOW jit")) == "on"
        assert await _compiles(connection)
    async with (
        application_role_engine(pmo_state, database_pooling=pooling) as engine,
        engine.connect() as connection,
    ):
        assert await connection.scalar(text("SHOW jit")) == "off"
        assert not await _compiles(connection)


async def test_with_transaction_pooling_jit_is_off_for_the_transaction_only(
    pmo_state: AppState,
) -> None:
    """Behind PgBouncer in transaction mode the next transaction on a server connection may be
    another program's: it finds the server's setting, not pmo-graph's."""
    async with (
        application_role_engine(pmo_state, database_pooling="transaction") as engine,
        engine.connect() as connection,
    ):
        assert await connection.scalar(text("SHOW jit")) == "off"
        await connection.commit()
        raw = await connection.get_raw_connection()
        assert await raw.driver_connection.fetchval("SHOW jit") == "on"  # type: ignore[union-attr]


async def test_behind_pgbouncer_in_session_mode_jit_is_off_without_a_startup_parameter(
    pmo_state: AppState,
) -> None:
    """PgBouncer refuses a startup parameter it does not know, as ``jit`` is: a connection
    turns it off with a statement when it opens."""
    with running_pgbouncer(pmo_state.settings.database_url, pool_mode="session") as (host, port):
        url = make_url(pmo_state.settings.database_url).set(host=host, port=port)
        engine = create_engine(Settings(database_url=url.render_as_string(hide_password=False)))
        try:
            async with engine.connect() as connection:
                assert await connection.scalar(text("SHOW jit")) == "off"
                await connection.rollback()  # the setting outlives a rolled-back transaction
                assert await connection.scalar(text("SHOW jit")) == "off"
        finally:
            await engine.dispose()


def test_the_jit_setting_is_refused_with_sqlite() -> None:
    with pytest.raises(ValidationError, match="database_jit applies to PostgreSQL"):
        Settings(database_url="sqlite+aiosqlite:///x.sqlite3", database_jit=True)
    assert Settings(database_url="sqlite+aiosqlite:///x.sqlite3").database_jit is False
