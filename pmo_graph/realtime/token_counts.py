"""Each token's subscriptions counted over every server process, through PostgreSQL.

Every round (``pmo_graph.coordination``) a process writes how many subscriptions each token holds
on it, and reads how many the same tokens hold on the other processes; the per-token cap
(``PMO_GRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN``) counts both. A process that stops writing (it died)
is forgotten after ``STALE_ROUNDS`` rounds. Between two rounds a process knows the others' counts
as of the last one, so processes may together admit one round's worth of new subscriptions over
the cap.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base
from pmo_graph.db.types import BigId, UTCDateTime
from pmo_graph.realtime.bus import PostgresEventBus
from pmo_graph.realtime.connections import Connections

#: Rounds after which a process's counts are taken for those of a process that died.
STALE_ROUNDS = 5


class SubscriptionCount(Base):
    """How many subscriptions a token holds on one server process."""

    __tablename__ = "subscription_counts"

    process_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True
    )
    subscriptions: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


#: $1 this process, $2 its tokens, $3 their subscriptions here, $4 seconds after which a row is
#: stale: write this process's counts (dropping its tokens that hold none now, and stale rows),
#: and read what the other processes hold of the same tokens.
SYNC = """
WITH mine AS (
    SELECT counted.token_id, counted.subscriptions
    FROM unnest($2::bigint[], $3::int[]) AS counted(token_id, subscriptions)
    JOIN api_tokens ON api_tokens.id = counted.token_id
    WHERE counted.subscriptions > 0
), written AS (
    INSERT INTO subscription_counts (process_id, token_id, subscriptions, updated_at)
    SELECT $1, token_id, subscriptions, now() FROM mine
    ON CONFLICT (process_id, token_id)
    DO UPDATE SET subscriptions = EXCLUDED.subscriptions, updated_at = now()
), dropped AS (
    DELETE FROM subscription_counts
    WHERE (process_id = $1 AND token_id NOT IN (SELECT token_id FROM mine))
       OR updated_at < now() - make_interval(secs => $4)
)
SELECT token_id, sum(subscriptions)::int AS subscriptions
FROM subscription_counts
WHERE process_id <> $1
  AND token_id = ANY($2::bigint[])
  AND updated_at >= now() - make_interval(secs => $4)
GROUP BY token_id
"""


class TokenCounts:
    """Shares this process's per-token subscription counts and learns the others'."""

    def __init__(self, connections: Connections, bus: PostgresEventBus, interval: float) -> None:
        self.connections = connections
        self.bus = bus
        self.stale_after = interval * STALE_ROUNDS
        #: This process, as the table knows it.
        self.process_id = uuid.uuid4().hex
        #: Whether the last round wrote rows of this process (the next one must drop them).
        self._holding = False

    async def sync(self) -> int:
        """One round; how many of this process's tokens hold subscriptions elsewhere."""
        tokens = self.connections.tokens()
        if not tokens and not self._holding:
            return 0  # nothing of ours to write or drop, and no cap of ours to check
        rows = await self.bus.fetch(
            SYNC,
            self.process_id,
            tokens,
            [self.connections.operations_of(token) for token in tokens],
            self.stale_after,
        )
        self._holding = bool(tokens)
        elsewhere = {int(row["token_id"]): int(row["subscriptions"]) for row in rows}
        self.connections.learn_elsewhere(elsewhere)
        return len(elsewhere)
