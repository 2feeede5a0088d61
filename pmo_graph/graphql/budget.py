"""Each token's budget of query cost over time: a bucket that refills at a steady rate.

A request spends its cost from its token's bucket; one that costs more than is left is refused
with ``RATE_LIMITED`` and told how many seconds until enough has refilled. Buckets live in the
server process (each replica keeps its own; see docs/security.md) and the least recently used
are forgotten past ``MAX_BUCKETS``, a forgotten bucket starting full again.
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
            return Spend(False, int(level), max(1, math.ceil(min(wait, 86_400))))
        self._remember(key, level - cost, now)
        return Spend(True, int(level - cost), 0)

    def _remember(self, key: int, level: float, now: float) -> None:
        self._buckets[key] = (level, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > MAX_BUCKETS:
            self._buckets.popitem(last=False)
