"""Serialised reads on a request's session.

One ``AsyncSession`` serves a whole GraphQL request, and DataLoaders dispatch their batches
concurrently; an ``AsyncSession`` must not run two statements at once, so every read goes
through this lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

T = TypeVar("T")


class Reader:
    """Runs statements on a session one at a time."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._lock = asyncio.Lock()

    async def execute(self, statement: Executable) -> Result[Any]:
        """Execute a statement and return its buffered result."""
        async with self._lock:
            return await self.session.execute(statement)

    async def scalars(self, statement: Select[T]) -> Sequence[T]:
        """All first-column values of a SELECT."""
        async with self._lock:
            return (await self.session.scalars(statement)).all()

    async def scalar(self, statement: Select[T]) -> T | None:
        """The first column of the first row, or None."""
        async with self._lock:
            return await self.session.scalar(statement)
