"""The garbage collector of a serving process, tuned for requests that build large answers.

A query answered by the resolvers builds a tree of objects (rows, loaders' futures, the
result) that lives until its answer is sent. Under CPython's default thresholds (a young
collection every 700 net allocations of container objects) those objects survive young
collections, are promoted, and trigger full collections that traverse the whole heap, the
schema and every imported module included. Profiled with the compiled path off, collections
took about half the CPU of the benchmark's Q1 and Q4 (docs/performance.md, "The resolvers").

So a serving process, once its app is built, moves what start-up made into the permanent
generation (``gc.freeze``: never traversed again, and never collected, which is what
start-up's objects need) and collects young objects less often. Reference counting still frees
everything that forms no cycle at once; the thresholds only bound how much cyclic garbage
waits for a collection.
"""

from __future__ import annotations

import gc

#: Young collections every 50,000 net allocations (CPython: 700), the middle generation every
#: 20 of those (10), the oldest as CPython decides (10, and a quarter of it new).
THRESHOLDS = (50_000, 20, 10)


def tune_collector() -> None:
    """Freeze what the process has made so far and set ``THRESHOLDS``: for a server process
    whose app is built, before it serves (``pmo-graph serve``, ``create_app_from_env``)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
