"""When a failed delivery is tried again: exponential backoff with jitter."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

#: No wait between two attempts is longer than this.
MAX_DELAY_SECONDS = 6 * 3600.0
#: Each wait is the doubled base, spread by this fraction either way (so that deliveries that
#: failed together, when a receiver was down, do not all come back at the same moment).
JITTER = 0.2


def retry_delay(
    attempt: int,
    base_seconds: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 for the first).

    ``base_seconds`` * 2^(attempt - 1), give or take 20 %, at most six hours; at least what
    the receiver asked for with ``Retry-After`` (up to the same six hours).
    """
    rng = rng or random.Random()
    delay = min(base_seconds * 2.0 ** max(attempt - 1, 0), MAX_DELAY_SECONDS)
    delay *= rng.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, MAX_DELAY_SECONDS))
    return delay


def next_attempt_at(
    now: datetime,
    attempt: int,
    max_attempts: int,
    base_seconds: float,
    retry_after: float | None = None,
) -> datetime | None:
    """When to try again after failed attempt ``attempt``; None when it was the last one."""
    if attempt >= max_attempts:
        return None
    return now + timedelta(seconds=retry_delay(attempt, base_seconds, retry_after))
