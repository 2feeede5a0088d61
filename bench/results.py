"""What a run measured: figures per peer and case (plain data, nothing to import but the standard
library, so that the report and its tests need none of the load generator's packages)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field


@dataclass
class Figures:
    """What was measured of one peer on one case."""

    statements: float | None = None
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    rps_8: float = math.nan
    rps_32: float = math.nan
    #: Server CPU per request under load (the 8 and 32 client runs); NaN when neither ran.
    cpu_ms: float = math.nan
    #: Server CPU per request with one client (the latency run), measured on every case.
    cpu_ms_one_client: float = math.nan
    peak_rss_mb: float = math.nan
    equal: bool = True
    note: str = ""


@dataclass
class PeerResult:
    """One peer's figures, by case name."""

    name: str
    figures: dict[str, Figures] = field(default_factory=dict)
    error: str = ""
    #: How it was run where peers could differ (``NODE_ENV``, PostgreSQL's ``jit``).
    settings: dict[str, str] = field(default_factory=dict)
    #: Functions PostgreSQL compiled to machine code for its check requests (None: not counted).
    jit_functions: int | None = None


def per_request(counts: list[int], mutation: bool) -> float:
    """The statements a request costs, from each check request's own count: the median for a
    query (so that a token read again when the server's cache of it runs out, every few
    seconds, does not pass for the query's cost; of two counts, the lower), the mean for the
    mutation mix (one of each kind of mutation, each costing its own)."""
    return statistics.fmean(counts) if mutation else statistics.median_low(counts)
