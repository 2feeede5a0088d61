"""Pooled PostgreSQL connections are pinged only after sitting unused
(``PING_AFTER_IDLE_SECONDS``): a dead one found by the ping is replaced unseen, and one that
died within the window fails as a disconnect once, after which the pool starts afresh."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from pmo_graph.app_state import AppState
from pmo_graph.db import session
from pmo_graph.db.session import create_engine
from pmo_graph.errors import database_unreachable

pytestmark = pytest.mark.pmo_backends("postgresql")


@pytest.fixture
async def engine(pmo_state: AppState) -> AsyncIterator[AsyncEngine]:
    """An engine of its own, one pooled connection, configured as the server's."""
    settings = pmo_state.settings.model_copy(update={"pool_size": 1, "pool_max_overflow": 0})
    engine = create_engine(settings)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _backend(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _kill(pmo_state: AppState, pid: int) -> None:
    async with pmo_state.engine.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


async def test_a_dead_idle_connection_is_replaced_before_it_is_handed_out(
    engine: AsyncEngine, pmo_state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = await _backend(engine)
    await _kill(pmo_state, dead)
    # as if it had sat unused for longer than the window
    monkeypatch.setattr(session, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert await _backend(engine) != dead  # no error reached the caller


async def test_a_connection_that_died_within_the_window_fails_once_then_the_pool_recovers(
    engine: AsyncEngine, pmo_state: AppState
) -> None:
    """A connection used a moment ago is handed out without a ping: killed meanwhile, its
    next statement fails (with pre-pinging it would have been replaced unseen)."""
    dead = await _backend(engine)
    await _kill(pmo_state, dead)
    with pytest.raises(DBAPIError) as failed:
        await _backend(engine)
    assert database_unreachable(failed.value)  # answered SERVER_BUSY, to be retried
    assert await _backend(engine) != dead
