"""What server processes share through PostgreSQL every few seconds, off the request path.

Per-token budgets of query cost (``graphql.budget_sync``) and per-token subscription counts
(``realtime.token_counts``) are kept by each process for its requests, and reconciled with the
other processes every ``PMO_GRAPH_SYNC_SECONDS`` on the process's listening connection. A
request never waits for it; between two rounds a process answers from what it knows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger("pmo_graph.coordination")


class Participant(Protocol):
    """Something a process shares with the others: ``sync`` does one round."""

    async def sync(self) -> int: ...


class Coordination:
    """The background task that runs every participant's round every ``interval`` seconds."""

    def __init__(self, participants: Sequence[Participant], interval: float) -> None:
        self.participants = list(participants)
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the rounds."""
        self._task = asyncio.create_task(self._run(), name="pmo-graph-coordination")

    async def stop(self) -> None:
        """Stop the rounds (what was not shared yet stays this process's)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def round(self) -> None:
        """One round of every participant; one that fails is retried at the next round."""
        for participant in self.participants:
            try:
                await participant.sync()
            except ConnectionError as exc:
                log.warning("%s: %s; retrying", type(participant).__name__, exc)
            except Exception:
                # A PostgreSQL restart can leave the connection raising anything; the process
                # must keep sharing once it is back.
                log.exception("%s failed; retrying", type(participant).__name__)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.round()
