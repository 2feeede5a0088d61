"""Serialised reads on a request's session, each in a short transaction of its own.

One ``AsyncSession`` serves a whole GraphQL request, and DataLoaders dispatch their batches
concurrently; an ``AsyncSession`` must not run two statements at once, so every read goes
through this lock.

After each read the connection goes back to the pool while resolvers do their (often long)
Python work: a request holds a connection only while a statement runs (or several, queued one
behind the other: they share the checkout), and many concurrent requests share a small pool.
Loaded rows stay usable (the session does not expire them). On PostgreSQL pooled by session a
read runs in autocommit, so no BEGIN and COMMIT travel around it; the organisation that row
security reads stays set on the connection (``row_security.scope_connections``). Elsewhere
(SQLite, and PgBouncer in transaction mode, where the organisation is set per transaction) a
read runs in a short transaction. PostgreSQL reads at READ COMMITTED, so one long transaction
gave no more consistency than this. Inside ``Context.write`` the transaction is held.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql import Executable

from pmo_graph.db.session import AUTOCOMMIT_READS, DEFERRED

T = TypeVar("T")

AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


class ReaderClosed(RuntimeError):
    """A read asked for after the request's session was closed."""


class Reader:
    """Runs statements on a session one at a time.

    A statement runs to its end even when the field that asked for it stops waiting (graphql-core
    cancels the fields beside one whose error nulls their parent): cancelled in the middle, it
    would leave its connection mid-protocol, and the pool would hand that broken connection to a
    later request. So each runs in a task of its own, shielded, and ``close`` waits for those
    still running before it closes the session.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._lock = asyncio.Lock()
        #: Set while a write transaction is open on the session: reads must not end it.
        self.holding = False
        self._running: set[asyncio.Task[Any]] = set()
        #: Reads waiting for the lock: while one waits, the read before it keeps the connection.
        self._waiting = 0
        #: Set by ``close``: a resolver that outlived its request reads nothing more.
        self.closed = False

    async def release(self) -> None:
        """End the read transaction, returning its connection to the pool (unless holding)."""
        if not self.holding and self.session.in_transaction():
            await self.session.commit()

    async def close(self) -> None:
        """Close the session once every statement still running has ended; no read starts
        after (it raises ``ReaderClosed``), and none runs while the session closes (the lock)."""
        self.closed = True
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        async with self._lock:
            await self.session.close()

    async def _failed(self) -> None:
        """After a read failed: end its transaction, so the request's other reads can run (on
        PostgreSQL a failed statement leaves its transaction able only to roll back). Inside a
        write the whole transaction fails anyway; it is rolled back by ``Context.write``."""
        if not self.holding and self.session.in_transaction():
            await self.session.rollback()

    async def _run(self, work: Callable[[], Awaitable[T]]) -> T:
        """``work`` under the lock, its read transaction ended after it, shielded from the
        caller's cancellation (see the class's doc)."""

        if self.closed:
            raise ReaderClosed("The request has ended; its session reads nothing more.")

        async def locked() -> T:
            self._waiting += 1
            try:
                await self._lock.acquire()
            finally:
                self._waiting -= 1
            try:
                await self._begin()
                result = await work()
            except Exception:
                await self._failed()
                raise
            else:
                if not self._waiting:
                    await self.release()
                return result
            finally:
                self._lock.release()

        task = asyncio.ensure_future(locked())
        self._running.add(task)
        task.add_done_callback(self._ended)
        return await asyncio.shield(task)

    async def _begin(self) -> None:
        """Check out the read's connection, in autocommit where the engine allows it
        (``AUTOCOMMIT_READS``); inside a held transaction, or one a read before left open for
        this one, nothing."""
        session = self.session
        if self.holding or session.in_transaction():
            return
        if session.get_bind().get_execution_options().get(AUTOCOMMIT_READS, False):
            await session.connection(execution_options=AUTOCOMMIT)

    def _ended(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a caller that stopped waiting will not

    async def execute(self, statement: Executable) -> Result[Any]:
        """Execute a statement and return its buffered result."""
        return await self._run(lambda: self.session.execute(statement))

    async def driver_value(self, sql: str, arguments: Sequence[Any]) -> Any:
        """The first column of the first row of ``sql``, in the driver's own parameter style
        (``$n`` on PostgreSQL): no SQL construct to build, and like every read in autocommit
        where the engine allows it (one statement reads consistently on its own)."""

        async def value() -> Any:
            connection = await self.session.connection()
            result = await connection.exec_driver_sql(sql, tuple(arguments))
            return result.scalar_one()

        return await self._run(value)

    async def scalars(self, statement: Select[T]) -> Sequence[T]:
        """All first-column values of a SELECT."""

        async def rows() -> Sequence[T]:
            return (await self.session.scalars(statement)).all()

        return await self._run(rows)

    async def scalar(self, statement: Select[T]) -> T | None:
        """The first column of the first row, or None."""
        return await self._run(lambda: self.session.scalar(statement))


def reading_engine(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` (the same pool) with the options a request's read has on its session:
    SQLite transactions begun deferred, and autocommit where the engine allows it
    (``AUTOCOMMIT_READS``)."""
    autocommit = engine.sync_engine.get_execution_options().get(AUTOCOMMIT_READS, False)
    return engine.execution_options(**DEFERRED, **(AUTOCOMMIT if autocommit else {}))


async def driver_value_alone(engine: AsyncEngine, sql: str, arguments: Sequence[Any]) -> Any:
    """As ``Reader.driver_value``, for a request whose only read it is: on a connection of
    ``engine`` (a ``reading_engine``) checked out for it, without a session, and shielded from
    the caller's cancellation as ``Reader`` shields its reads (see ``Reader``'s doc).

    The pool's checkout, the statement and the commit (nothing is sent in autocommit) fire the
    engine's events as a session's read does: row security's, and whatever counts statements."""

    async def value() -> Any:
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql(sql, tuple(arguments))
            found = result.scalar_one()
            await connection.commit()
        return found

    task = asyncio.ensure_future(value())
    task.add_done_callback(_retrieved)
    return await asyncio.shield(task)


def _retrieved(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: a caller that stopped waiting will not
