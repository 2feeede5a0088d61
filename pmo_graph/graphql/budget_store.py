"""The rate_limit_buckets table: each token's shared budget of query cost (PostgreSQL).

One row per token that spent: its level and when that was computed. Processes add what they
spent and read back the level in one statement (``SYNC``), refilling by the time passed, so the
row is the one budget every replica draws on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.db.base import Base
from pmo_graph.db.types import BigId, UTCDateTime


class RateLimitBucket(Base):
    """A token's budget of query cost, shared by every server process."""

    __tablename__ = "rate_limit_buckets"

    token_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True
    )
    #: Points left at ``updated_at`` (below 0 when processes together overspent).
    level: Mapped[float] = mapped_column(Float, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


#: $1 token ids, $2 points each spent since the last sync, $3 capacity, $4 points refilled a
#: second: the level of each bucket after refilling and spending. A token deleted meanwhile is
#: skipped (the join), so the sync never fails on it.
SYNC = """
INSERT INTO rate_limit_buckets AS bucket (token_id, level, updated_at)
SELECT spent.token_id, $3::float8 - spent.points, now()
FROM unnest($1::bigint[], $2::float8[]) AS spent(token_id, points)
JOIN api_tokens ON api_tokens.id = spent.token_id
ON CONFLICT (token_id) DO UPDATE SET
    level = LEAST(
        $3::float8,
        bucket.level + EXTRACT(EPOCH FROM now() - bucket.updated_at)::float8 * $4::float8
    ) - ($3::float8 - EXCLUDED.level),
    updated_at = now()
RETURNING token_id, level
"""
