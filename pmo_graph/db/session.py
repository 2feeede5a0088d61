"""Engines and sessions: one code path for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from pmo_graph.db.row_security import scope_connections
from pmo_graph.settings import Settings

#: Execution option choosing how a SQLite transaction begins: ``IMMEDIATE`` (the default) takes
#: the write lock up front, so writers queue on the busy timeout instead of one failing with
#: "database is locked" when it upgrades a read transaction; ``DEFERRED`` is for GraphQL request
#: sessions, which mostly read (their writes go through ``Context.write``, which asks for
#: ``IMMEDIATE``). PostgreSQL ignores it.
SQLITE_BEGIN = "pmo_graph_sqlite_begin"
IMMEDIATE = {SQLITE_BEGIN: "IMMEDIATE"}
DEFERRED = {SQLITE_BEGIN: "DEFERRED"}


def normalise_url(url: str) -> str:
    """Add the async driver to a plain ``sqlite://`` or ``postgresql://`` URL."""
    parsed = make_url(url)
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in {
        "postgresql",
        "postgres",
        "postgresql+psycopg2",
        "postgresql+psycopg",
    }:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def describe_url(url: str) -> str:
    """The database URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def create_engine(settings: Settings) -> AsyncEngine:
    """The process's engine, configured for the database in ``settings``."""
    url = normalise_url(settings.database_url)
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        connect_args["timeout"] = 30
    else:
        options["pool_size"] = settings.pool_size
        options["max_overflow"] = settings.pool_max_overflow
        options["pool_timeout"] = settings.pool_timeout
        if settings.database_schema:
            connect_args["server_settings"] = {"search_path": settings.database_schema}
    engine = create_async_engine(url, connect_args=connect_args, **options)
    if url.startswith("sqlite"):
        _configure_sqlite(engine)
    else:
        scope_connections(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so we can choose BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql("BEGIN" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


def create_sessionmaker(
    engine: AsyncEngine, *, reading: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no implicit refresh).

    ``reading`` sessions begin SQLite transactions deferred (see ``SQLITE_BEGIN``).
    """
    bind = engine.execution_options(**DEFERRED) if reading else engine
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=True)
