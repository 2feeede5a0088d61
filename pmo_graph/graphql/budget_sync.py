"""Sharing the per-token budgets between server processes through PostgreSQL.

Every ``PMO_GRAPH_RATE_LIMIT_SYNC_SECONDS`` a process sends what each token spent on it since the
last time, and adopts the level the shared bucket is left at: what every process spent, less
what refilled. Requests never wait for it; between two syncs a process answers from its own
bucket, so N processes may together overspend a token's budget by what it spends on them in one
interval, and the overspend is then owed (the shared level goes below zero). It runs on the
process's coordination connection (the event listener's), so it takes no connection from the
pool, and no request's statements include it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg  # type: ignore[import-untyped]

from pmo_graph.graphql.budget import CostBudget
from pmo_graph.graphql.budget_store import SYNC
from pmo_graph.realtime.bus import PostgresEventBus

log = logging.getLogger("pmo_graph.budget")

#: A token used on this process within this many seconds is synced even when it spent nothing
#: here since the last sync, so that this process learns what it spent on the others.
RECENT_SECONDS = 60.0


class BudgetSync:
    """The background task that shares one process's buckets (``start``, ``sync``, ``stop``)."""

    def __init__(self, budget: CostBudget, bus: PostgresEventBus, interval: float) -> None:
        self.budget = budget
        self.bus = bus
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start syncing every ``interval`` seconds."""
        self._task = asyncio.create_task(self._run(), name="pmo-graph-budget-sync")

    async def stop(self) -> None:
        """Stop syncing (what was spent since the last sync stays this process's)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def sync(self) -> int:
        """Share what was spent here and adopt the shared levels now; how many tokens."""
        taken = self.budget.take_pending(RECENT_SECONDS)
        if not taken:
            return 0
        tokens = list(taken)
        try:
            rows = await self.bus.fetch(
                SYNC,
                tokens,
                [taken[token] for token in tokens],
                float(self.budget.capacity),
                float(self.budget.rate),
            )
        except BaseException:
            self.budget.give_back(taken)
            raise
        for row in rows:
            self.budget.adopt(int(row["token_id"]), float(row["level"]))
        return len(rows)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sync()
            except (OSError, ConnectionError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("could not share the rate-limit budgets (%s); retrying", exc)
            except Exception:
                # Whatever else the connection raises (a PostgreSQL restart can leave it in any
                # state), the budgets must keep being shared once it is back.
                log.exception("sharing the rate-limit budgets failed; retrying")
