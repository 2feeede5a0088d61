"""A real client document's CPU, long enough to profile: ``python -m bench.client_profile NAME``.

As ``bench.mutation_profile`` for the mutation mix: runs ``pmo-graph serve`` on a copy of the M
data on PostgreSQL, sends the document of ``bench/frontend/documents`` (its variables and second
pages' cursors made as the bench makes them) with 8 clients for ``--seconds``, and prints the
server's CPU a request. With ``--py-spy FILE`` it records the server with py-spy meanwhile
(``--nonblocking``) as collapsed stacks, and prints where the busy samples end, by library.
"""

from __future__ import annotations

from pathlib import Path

import click

from bench import clients
from bench.database import STATE, prepare
from bench.measure import free_port, serving, throughput
from bench.peers.pmo_graph import PmoGraph
from bench.profile_samples import profile_run
from bench.run import Bench, Timing


@click.command(help=__doc__)
@click.argument("name")
@click.option("--seconds", default=20.0, show_default=True, help="How long the requests run.")
@click.option("--clients", "count", default=8, show_default=True)
@click.option("--py-spy", "py_spy", type=click.Path(path_type=Path), default=None)
@click.option("--label", default="profile", show_default=True, help="The data copy's name.")
def main(name: str, seconds: float, count: int, py_spy: Path | None, label: str) -> None:
    case = next(c for c in clients.CLIENT_CASES if c.name == name)
    database = prepare("postgresql", "M", False, label)
    peer = PmoGraph("postgresql")
    bench = Bench({"postgresql": database}, Timing.of(True), False, lambda _text: None)
    port = free_port()
    headers = peer.headers(database)
    with serving(
        peer.launch(database, port),
        port,
        bench._ready_probe(peer, database),
        str(STATE / "client_profile.log"),
    ) as usage:
        url = f"http://127.0.0.1:{port}"
        body = bench._bodies(peer, case, database, url, headers)
        throughput(url, headers, body, count, 2.0, offset=1)  # the fast lane learns each
        profile_run(
            usage.process,
            py_spy,
            seconds,
            lambda: throughput(url, headers, body, count, seconds),
            "request",
            count,
        )


if __name__ == "__main__":
    main()
