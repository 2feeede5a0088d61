"""Core statements run on the driver's connection: compiled once, executed by asyncpg.

A write's few statements cost the server more in SQLAlchemy's layers than in the driver: the
same five round trips of a raised risk took 2.2 ms of CPU through the ORM session, 1.1 ms as
Core statements on a SQLAlchemy connection and 0.3 ms on asyncpg directly (docs/performance.md,
"Mutations: the statements on the driver"). ``DriverStatement`` is a Core statement compiled
once for PostgreSQL's asyncpg dialect and run on the asyncpg connection under a session's
connection, in that session's transaction. It does what SQLAlchemy would have done around the
driver, and no more:

- the types' bind and result processors (enums, JSON, UTC timestamps, decimals), taken from
  SQLAlchemy's own types for this dialect;
- the engine's ``before_cursor_execute`` and ``after_cursor_execute`` events, when anything
  listens (statement counts, the tests' round trips);
- the driver's errors raised as SQLAlchemy's (``IntegrityError``, ``DBAPIError`` …), so that a
  unique violation, a deadlock or a lost connection are answered as on every other path, and a
  connection the database dropped is invalidated.

Only PostgreSQL with asyncpg runs statements here (``driver_of``); elsewhere the callers go
through the session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any] | None

#: The key of a statement's prepared form in its pooled connection's ``info``.
PREPARED = "pmo_graph.driver.prepared"


@dataclass(frozen=True)
class Driver:
    """A session's connection and the asyncpg connection under it, in its transaction."""

    connection: AsyncConnection
    asyncpg: Any
    dialect: Dialect
    #: What is kept with the pooled connection for as long as it lives (its prepared
    #: statements).
    info: dict[Any, Any]


async def driver_of(session: AsyncSession) -> Driver | None:
    """The asyncpg connection under ``session``'s connection, its transaction begun, or None
    when the session is not on asyncpg (SQLite) or SQLAlchemy's adapter is not the one this
    module knows.

    SQLAlchemy's asyncpg adapter sends ``BEGIN`` just before the first statement it runs; one
    run here first must begin it the same way, so that SQLAlchemy commits or rolls back the
    very transaction these statements ran in.
    """
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "asyncpg":
        return None
    fairy = await connection.get_raw_connection()
    adapter: Any = fairy.dbapi_connection
    start = getattr(adapter, "_start_transaction", None)
    if start is None or not hasattr(adapter, "_transaction"):
        return None
    if getattr(adapter, "_prepared_statement_cache", None) is None:
        return None  # statements may not be kept prepared (a pooler in transaction mode)
    if adapter._transaction is None and adapter.isolation_level != "autocommit":
        try:
            await start()
        except Exception as error:  # the adapter raised the DB-API form (a dropped connection)
            raise await sqlalchemy_error(connection, error, "BEGIN", ()) from error
    return Driver(connection, fairy.driver_connection, dialect, fairy.info)


async def sqlalchemy_error(
    connection: AsyncConnection, error: Exception, sql: str, parameters: Sequence[Any]
) -> Exception:
    """``error``, which the driver raised running ``sql``, as SQLAlchemy raises it
    (``IntegrityError``, ``OperationalError`` …), the connection invalidated if the database
    dropped it; an error that is not the database's comes back as it is."""
    dialect = connection.dialect
    adapter: Any = (await connection.get_raw_connection()).dbapi_connection
    dbapi_error: Exception = error
    try:
        adapter._handle_exception(error)
    except Exception as translated:  # the adapter raises the DB-API form of asyncpg's error
        dbapi_error = translated
    dbapi = dialect.loaded_dbapi
    if not isinstance(dbapi_error, dbapi.Error):
        return error
    dropped = dialect.is_disconnect(dbapi_error, adapter, None)
    if dropped:
        await connection.invalidate(dbapi_error)
    return sa_exc.DBAPIError.instance(
        sql, parameters, dbapi_error, dbapi.Error, dialect=dialect, connection_invalidated=dropped
    )


class DriverStatement:
    """One Core statement, compiled once, run on a ``Driver``: its parameters by name."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled: Any = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self._names: Sequence[str] = compiled.positiontup or ()
        self._defaults = {name: bind.value for name, bind in compiled.binds.items()}
        self._binds: dict[str, Processor] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        #: The result columns: each one's key and the objects it stands for (its Column).
        self.columns: list[tuple[str, tuple[Any, ...]]] = [
            (entry.keyname, entry.objects) for entry in compiled._result_columns
        ]
        self._types = [entry.type for entry in compiled._result_columns]
        self._keys = [key for key, _objects in self.columns]
        self._dialect = dialect
        self._results: list[Processor] | None = None
        # asyncpg's prepare() parses anew each time: each connection's is kept with it.
        self._prepared_key = (PREPARED, self.sql)

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        """The driver's positional parameters for ``values`` (by bind name)."""
        out = []
        for name in self._names:
            value = values[name] if name in values else self._defaults[name]
            process = self._binds[name]
            out.append(process(value) if process is not None else value)
        return out

    async def rows(self, driver: Driver, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every row the statement answers, each a dict by result column key."""
        parameters = self.parameters(values)
        sync = driver.connection.sync_connection
        assert sync is not None
        dispatch = sync.dispatch
        if dispatch.before_cursor_execute:
            dispatch.before_cursor_execute(sync, None, self.sql, parameters, None, False)
        try:
            prepared = driver.info.get(self._prepared_key)
            if prepared is None:
                prepared = await driver.asyncpg.prepare(self.sql)
                driver.info[self._prepared_key] = prepared
            records = await prepared.fetch(*parameters)
        except Exception as error:
            driver.info.pop(self._prepared_key, None)
            raise await sqlalchemy_error(driver.connection, error, self.sql, parameters) from error
        if dispatch.after_cursor_execute:
            dispatch.after_cursor_execute(sync, None, self.sql, parameters, None, False)
        if self._results is None:
            self._results = self._processors(prepared)
        processors = self._results
        keys = self._keys
        return [
            {
                key: (process(value) if process is not None else value)
                for key, process, value in zip(keys, processors, record, strict=True)
            }
            for record in records
        ]

    async def first(self, driver: Driver, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row, or None."""
        found = await self.rows(driver, values)
        return found[0] if found else None

    def _processors(self, prepared: Any) -> list[Processor]:
        attributes = prepared.get_attributes()
        if not self._types:  # a text() statement: its columns are known once it ran
            self._keys = [attribute.name for attribute in attributes]
            return [None for _ in attributes]
        oids = [attribute.type.oid for attribute in attributes]
        return [
            type_.dialect_impl(self._dialect).result_processor(self._dialect, oid)
            for type_, oid in zip(self._types, oids, strict=True)
        ]
