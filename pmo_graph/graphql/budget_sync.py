"""Sharing the per-token budgets between server processes through PostgreSQL.

Every round of ``pmo_graph.coordination`` (``PMO_GRAPH_SYNC_SECONDS``) a process sends what each
token spent on it since the last round, and adopts the level the shared bucket is left at: what
every process spent, less what refilled. Requests never wait for it; between two rounds a process
answers from its own bucket, so N processes may together overspend a token's budget by what it
spends on them in one interval, and the overspend is then owed (the shared level goes below
zero). It runs on the process's listening connection, so it takes no connection from the pool,
and no request's statements include it.
"""

from __future__ import annotations

from pmo_graph.graphql.budget import CostBudget
from pmo_graph.graphql.budget_store import SYNC
from pmo_graph.realtime.bus import PostgresEventBus

#: A token used on this process within this many seconds is synced even when it spent nothing
#: here since the last sync, so that this process learns what it spent on the others.
RECENT_SECONDS = 60.0


class BudgetSync:
    """Shares one process's buckets with the others (``sync``, called by ``Coordination``)."""

    def __init__(self, budget: CostBudget, bus: PostgresEventBus) -> None:
        self.budget = budget
        self.bus = bus

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
