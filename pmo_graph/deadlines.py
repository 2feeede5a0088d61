"""Cooperative time limits for pure computations: ``checkpoint()`` in their loops.

A computation run by ``pmo_graph.computations.compute`` has a deadline; every call of
``checkpoint()`` in it raises ``TimeLimitReached`` once the deadline has passed, so the
computation ends itself at the limit, in a worker thread (which nothing else can stop) as in a
worker process (which is killed only if it does not). Outside such a run ``checkpoint()`` does
nothing, so the same functions run unchanged in tests and scripts.

This module imports nothing of pmo-graph's, so a worker process that runs a computation imports
next to nothing before it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()


class TimeLimitReached(Exception):
    """The running computation passed its deadline (raised by ``checkpoint()``)."""


def checkpoint() -> None:
    """Raise ``TimeLimitReached`` if the running computation is past its deadline.

    Cheap (a thread-local read and a clock read): call it every few thousand steps of a loop
    whose length depends on the data, so that a computation stops within milliseconds of its
    limit.
    """
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise TimeLimitReached


def within(
    seconds: float,
    function: Callable[..., T],
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
) -> T:
    """``function(*args, **kwargs)`` with a deadline ``seconds`` from now for ``checkpoint()``.

    What a worker thread or process runs; the previous deadline of the thread, if any, comes
    back afterwards.
    """
    before: float | None = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        return function(*args, **(kwargs or {}))
    finally:
        _local.deadline = before
