"""Engines and sessions: one code path for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from pmo_graph.db.row_security import keep_setting, scope_connections, scope_transactions
from pmo_graph.db.sqlite_functions import register_functions
from pmo_graph.settings import Settings

#: Execution option choosing how a SQLite transaction begins: ``IMMEDIATE`` (the default) takes
#: the write lock up front, so writers queue on the busy timeout instead of one failing with
#: "database is locked" when it upgrades a read transaction; ``DEFERRED`` is for GraphQL request
#: sessions, which mostly read (their writes go through ``Context.write``, which asks for
#: ``IMMEDIATE``). PostgreSQL ignores it.
SQLITE_BEGIN = "pmo_graph_sqlite_begin"
IMMEDIATE = {SQLITE_BEGIN: "IMMEDIATE"}
DEFERRED = {SQLITE_BEGIN: "DEFERRED"}
#: Seconds a pooled PostgreSQL connection may sit unused and still be handed out unpinged.
PING_AFTER_IDLE_SECONDS = 1.0
LAST_USED = "pmo_graph_last_used"
#: Engine execution option: whether a ``Reader`` reads in autocommit (each statement alone, no
#: BEGIN and COMMIT). PostgreSQL pooled by session only: behind PgBouncer in transaction mode
#: the organisation travels in the transaction (``scope_transactions``), and SQLite's
#: transactions are begun by hand (``_configure_sqlite``).
AUTOCOMMIT_READS = "pmo_graph_autocommit_reads"


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


def _statement_name() -> str:
    return f"__pmo_graph_{uuid.uuid4().hex}__"


#: Driver options for a pooler that cannot follow prepared statements from one server
#: connection to the next (PgBouncer before 1.21 in transaction mode): asyncpg keeps none, and
#: names each one it must prepare uniquely, so that two never meet under one name.
_NO_STATEMENT_CACHE: dict[str, Any] = {
    "statement_cache_size": 0,
    "prepared_statement_cache_size": 0,
    "prepared_statement_name_func": _statement_name,
}


def create_engine(settings: Settings) -> AsyncEngine:
    """The process's engine, configured for the database in ``settings``."""
    url = normalise_url(settings.database_url)
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {}
    if url.startswith("sqlite"):
        connect_args["timeout"] = 30
        options["pool_pre_ping"] = True
    else:
        options["pool_size"] = settings.pool_size
        options["max_overflow"] = settings.pool_max_overflow
        options["pool_timeout"] = settings.pool_timeout
        if settings.database_schema and settings.database_pooling == "session":
            # Behind PgBouncer in transaction mode each transaction sets it instead.
            connect_args["server_settings"] = {"search_path": settings.database_schema}
        if not settings.database_statement_cache:
            connect_args.update(_NO_STATEMENT_CACHE)
    engine = create_async_engine(url, connect_args=connect_args, **options)
    if url.startswith("sqlite"):
        use_write_ahead_log(url)
        _configure_sqlite(engine)
    else:
        ping_idle_connections(engine)  # first: the organisation is set on a live connection
        if settings.database_pooling == "transaction":
            scope_transactions(engine, settings.database_schema, jit=settings.database_jit)
        else:
            scope_connections(engine)
            engine.sync_engine.update_execution_options(**{AUTOCOMMIT_READS: True})
            if not settings.database_jit:
                plan_without_jit(engine)
    return engine


def plan_without_jit(engine: AsyncEngine) -> None:
    """Turn PostgreSQL's JIT compilation off on every connection ``engine`` opens, for as long
    as it stays open (session pooling: a pooled connection is one server connection).

    A statement, not a startup parameter: PgBouncer refuses startup parameters it does not
    know, and ``jit`` is one. With transaction pooling ``scope_transactions`` sets it instead.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def jit_off(dbapi_connection: Any, _record: Any) -> None:
        keep_setting(dbapi_connection, "SET jit = off")


def ping_idle_connections(engine: AsyncEngine) -> None:
    """Check a pooled connection before handing it out, unless it was in use a moment ago.

    ``pool_pre_ping`` pings at every checkout, and asyncpg's ping is three round trips (BEGIN,
    an empty statement, ROLLBACK); a request checks out once per statement, so that tripled
    the round trips of a compiled query. A connection returned less than
    ``PING_AFTER_IDLE_SECONDS`` ago is taken as alive, as HikariCP does (``aliveBypassWindowMs``).
    If the database restarted within that window, the statement fails as a disconnect,
    SQLAlchemy discards every connection of the pool, and the request answers
    ``SERVER_BUSY`` (retry) or, on the compiled path, falls back to the resolvers on a fresh
    connection. A dead connection found by the ping is replaced before it is handed out.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info[LAST_USED] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[LAST_USED] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get(LAST_USED, float("-inf"))
        if idle < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc


def use_write_ahead_log(url: str) -> None:
    """Switch a SQLite database file to write-ahead logging, once, before any pooled connection.

    The mode is kept in the file. Each connection also asks for it (``prepare_sqlite_connection``),
    but a new file's first connections used to switch it themselves: two at the same moment
    (the webhook deliverer and a readiness check, at start-up) could both try, and one failed
    with "database is locked". In-memory databases have no file; a path that cannot be opened
    is left for the first connection to report.
    """
    parsed = make_url(url)
    database = parsed.database
    if (
        not database
        or database == ":memory:"
        or parsed.query.get("uri")
        or database.startswith("file:")
    ):
        return
    try:
        with contextlib.closing(sqlite3.connect(database, timeout=30)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error:
        return


def prepare_sqlite_connection(dbapi_connection: Any, _record: Any = None) -> None:
    """Set up a new SQLite connection: foreign keys on, write-ahead log, a 30-second busy wait,
    transaction control taken from the driver (so that ``SQLITE_BEGIN`` can choose), and the
    functions the compiled path calls (``sqlite_functions``)."""
    dbapi_connection.isolation_level = None
    register_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _configure_sqlite(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", prepare_sqlite_connection)

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
