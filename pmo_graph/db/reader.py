"""Serialised reads on a request's session, each in a short transaction of its own.

One ``AsyncSession`` serves a whole GraphQL request, and DataLoaders dispatch their batches
concurrently; an ``AsyncSession`` must not run two statements at once, so every read goes
through this lock.

After each read the transaction ends, so the connection goes back to the pool while resolvers
do their (often long) Python work: a request holds a connection only while a statement runs,
and many concurrent requests share a small pool. Loaded rows stay usable (the session does not
expire them on commit). PostgreSQL reads at READ COMMITTED, so one long transaction gave no
more consistency than this. Inside ``Context.write`` the transaction is held.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from pmo_graph.db.session import AUTOCOMMIT_READS

T = TypeVar("T")

AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


class Reader:
    """Runs statements on a session one at a time."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._lock = asyncio.Lock()
        #: Set while a write transaction is open on the session: reads must not end it.
        self.holding = False

    async def release(self) -> None:
        """End the read transaction, returning its connection to the pool (unless holding)."""
        if not self.holding and self.session.in_transaction():
            await self.session.commit()

    async def execute(self, statement: Executable) -> Result[Any]:
        """Execute a statement and return its buffered result."""
        async with self._lock:
            result = await self.session.execute(statement)
            await self.release()
            return result

    async def driver_value(self, sql: str, arguments: Sequence[Any]) -> Any:
        """The first column of the first row of ``sql``, in the driver's own parameter style
        (``$n`` on PostgreSQL): no SQL construct to build, and in autocommit, so no BEGIN and
        COMMIT around it (one statement reads consistently on its own), unless the engine
        says otherwise (``AUTOCOMMIT_READS``)."""
        async with self._lock:
            autocommit = self.session.get_bind().get_execution_options().get(AUTOCOMMIT_READS, True)
            connection = await self.session.connection(
                execution_options=AUTOCOMMIT if autocommit else None
            )
            try:
                result = await connection.exec_driver_sql(sql, tuple(arguments))
                return result.scalar_one()
            finally:
                await self.release()

    async def scalars(self, statement: Select[T]) -> Sequence[T]:
        """All first-column values of a SELECT."""
        async with self._lock:
            rows = (await self.session.scalars(statement)).all()
            await self.release()
            return rows

    async def scalar(self, statement: Select[T]) -> T | None:
        """The first column of the first row, or None."""
        async with self._lock:
            value = await self.session.scalar(statement)
            await self.release()
            return value
