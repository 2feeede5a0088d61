"""``PMO_GRAPH_LISTENER_DATABASE_URL``: the long-lived listening connection goes where it says,
and notices written through the pool's URL arrive over it (PgBouncer in transaction mode for
the pool, PostgreSQL itself for the listener; docs/operations.md#connections-to-postgresql)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg  # type: ignore[import-untyped]
import pytest
from pydantic import ValidationError

from pmo_graph.db.session import create_engine, create_sessionmaker
from pmo_graph.realtime.bus import PostgresEventBus, listener_dsn
from pmo_graph.realtime.notices import Notice
from pmo_graph.settings import Settings
from pmo_graph.testing import postgres_schema

pytestmark = pytest.mark.pmo_backends("postgresql")


@pytest.fixture
def postgres_settings(pmo_backend: str) -> Iterator[Settings]:
    """A fresh schema (``pmo_backend`` fails the run, rather than skip, where PostgreSQL is
    required and missing)."""
    assert pmo_backend == "postgresql"
    with postgres_schema("pmo_listener") as settings:
        yield settings


def _with_application_name(url: str, name: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


async def _connections_named(dsn: str, name: str) -> list[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT query FROM pg_stat_activity WHERE application_name = $1", name
        )
    finally:
        await connection.close()
    return [row["query"] for row in rows]


async def _listen_and_notify(settings: Settings, name: str) -> tuple[list[str], Notice]:
    bus = PostgresEventBus(settings, queue_size=10)
    engine = create_engine(settings)  # the pool: the database URL, not the listener's
    await bus.start()
    try:
        assert bus.hears_everything
        listening = await _connections_named(listener_dsn(settings.database_url), name)
        listener = bus.listen(7, {"statusReport.submitted"})
        sent = Notice(7, "statusReport.submitted", "StatusReport", 42, {"overall": "GREEN"})
        async with create_sessionmaker(engine)() as session, session.begin():
            await bus.stage(session, [sent])
        received = await asyncio.wait_for(anext(aiter(listener)), timeout=10)
        return listening, received
    finally:
        await bus.stop()
        await engine.dispose()


def test_the_listener_connects_to_its_own_url_and_hears_notices_sent_through_the_pool(
    postgres_settings: Settings,
) -> None:
    name = f"pmo-listener-{uuid.uuid4().hex[:8]}"
    settings = postgres_settings.model_copy(
        update={
            "listener_database_url": _with_application_name(postgres_settings.database_url, name)
        }
    )
    listening, received = asyncio.run(_listen_and_notify(settings, name))
    # One connection carries that name, and it is the one holding LISTEN.
    assert len(listening) == 1
    assert listening[0].startswith("LISTEN")
    assert (received.organisation_id, received.name, received.entity_pk) == (
        7,
        "statusReport.submitted",
        42,
    )
    assert received.data == {"overall": "GREEN"}


def test_without_its_own_url_the_listener_uses_the_pool_url(
    postgres_settings: Settings,
) -> None:
    assert PostgresEventBus(postgres_settings, 10).dsn == listener_dsn(
        postgres_settings.database_url
    )
    assert postgres_settings.listener_url == postgres_settings.database_url


def test_a_listener_url_is_refused_for_sqlite_and_must_be_postgresql() -> None:
    with pytest.raises(ValidationError, match="applies to PostgreSQL only"):
        Settings(
            database_url="sqlite+aiosqlite:///./x.sqlite3",
            listener_database_url="postgresql://postgres@127.0.0.1/test",
        )
    with pytest.raises(ValidationError, match="must be a PostgreSQL URL"):
        Settings(
            database_url="postgresql+asyncpg://postgres@127.0.0.1/test",
            listener_database_url="mysql://root@127.0.0.1/test",
        )
