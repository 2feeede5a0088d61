"""Each token's budget of query cost over time: a bucket that refills at a steady rate.

A request spends its cost from its token's bucket; one that costs more than is left is refused
with ``RATE_LIMITED`` and told how many seconds until enough has refilled. A process answers from
its own buckets, so a request never waits on another; on PostgreSQL ``budget_sync`` shares them
between processes every second (what each spent, and the level that leaves), so every replica
draws on one budget per token. The least recently used buckets are forgotten past
``MAX_BUCKETS``, a forgotten bucket starting full again (until the next sync says otherwise).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

#: How many tokens' buckets one process remembers.
MAX_BUCKETS = 100_000


@dataclass(frozen=True)
class Spend:
    """The outcome of asking for ``cost`` points: allowed or not, and the bucket after."""

    allowed: bool
    available: int
    #: Seconds until the bucket holds ``cost`` points (0 when allowed).
    retry_after: int


class CostBudget:
    """Token buckets of ``capacity`` points refilling at ``rate`` points a second."""

    def __init__(
        self, capacity: int, rate: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.rate = rate
        self.clock = clock
        self._buckets: OrderedDict[int, tuple[float, float]] = OrderedDict()
        #: Points spent here since the last sync, by token.
        self._pending: dict[int, float] = {}

    def _level(self, key: int, now: float) -> float:
        level, at = self._buckets.get(key, (float(self.capacity), now))
        return min(float(self.capacity), level + (now - at) * self.rate)

    def spend(self, key: int, cost: int) -> Spend:
        """Take ``cost`` points from bucket ``key`` if it holds them."""
        now = self.clock()
        level = self._level(key, now)
        if cost > level:
            missing = cost - level
            wait = math.inf if self.rate <= 0 else missing / self.rate
            self._remember(key, level, now)
            return Spend(False, max(0, int(level)), max(1, math.ceil(min(wait, 86_400))))
        self._remember(key, level - cost, now)
        self._pending[key] = self._pending.get(key, 0.0) + cost
        return Spend(True, int(level - cost), 0)

    def refund(self, key: int, cost: int) -> None:
        """Give back ``cost`` points spent from bucket ``key`` by work that did not happen."""
        now = self.clock()
        self._remember(key, min(float(self.capacity), self._level(key, now) + cost), now)
        self._pending[key] = self._pending.get(key, 0.0) - cost

    def take_pending(self, recent_seconds: float) -> dict[int, float]:
        """What each token spent here since the last call, for every token used in the last
        ``recent_seconds`` (0 for those that spent nothing: the sync tells them what others
        spent). Give it back with ``give_back`` if it could not be shared."""
        now = self.clock()
        taken = dict.fromkeys(
            (key for key, (_, at) in self._buckets.items() if now - at <= recent_seconds), 0.0
        )
        taken.update(self._pending)
        self._pending = {}
        return taken

    def give_back(self, taken: dict[int, float]) -> None:
        """Return what ``take_pending`` took, when the sync failed."""
        for key, spent in taken.items():
            if spent:
                self._pending[key] = self._pending.get(key, 0.0) + spent

    def adopt(self, key: int, level: float) -> None:
        """Set bucket ``key`` to the shared ``level`` (what every process left), less what was
        spent here while the sync ran."""
        shared = min(float(self.capacity), level) - self._pending.get(key, 0.0)
        self._remember(key, shared, self.clock())

    def _remember(self, key: int, level: float, now: float) -> None:
        self._buckets[key] = (level, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > MAX_BUCKETS:
            self._buckets.popitem(last=False)
