"""The peers by the names the command line takes, in the order they run."""

from __future__ import annotations

from collections.abc import Callable

from bench.peers import Peer
from bench.peers.limit import Limit
from bench.peers.naive import Naive
from bench.peers.pmo_graph import PmoGraph
from bench.peers.postgraphile_peer import V5, PostGraphile

PEERS: dict[str, Callable[[], Peer]] = {
    # The real client documents' reference: pmo-graph with the compiled path off, not timed.
    "pmo-graph-resolvers": lambda: PmoGraph("postgresql", compiled=False),
    "pmo-graph": lambda: PmoGraph("postgresql"),
    "pmo-graph-sqlite": lambda: PmoGraph("sqlite"),
    "limit": Limit,
    "postgraphile": PostGraphile,
    "postgraphile5": lambda: PostGraphile(V5),
    "naive": Naive,
    # Not one of the peers: run by name to see what transaction pooling costs.
    "pmo-graph-transaction-pooling": lambda: PmoGraph("postgresql", pooling="transaction"),
}

#: The peers a run has unless told otherwise: the benchmark's own.
DEFAULT_PEERS = [
    "pmo-graph-resolvers",
    "pmo-graph",
    "pmo-graph-sqlite",
    "limit",
    "postgraphile",
    "postgraphile5",
    "naive",
]
