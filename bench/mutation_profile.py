"""The mutation mix's CPU, long enough to profile: ``python -m bench.mutation_profile``.

``python -m bench --quick`` times each case for two seconds, too short to attach a sampling
profiler to. This runs ``pmo-graph serve`` on a fresh copy of the M data, sends the mix of
``bench/cases.py`` with 8 clients for ``--seconds``, and prints the server's CPU a mutation
(user and system apart). With ``--py-spy FILE`` it records the server with py-spy meanwhile
(``--nonblocking``: the server is not paused, so the figures stay comparable) as collapsed
stacks, and prints where the busy samples end, by library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bench.cases import CASES
from bench.database import STATE, prepare
from bench.measure import answers, free_port, serving, throughput
from bench.peers.pmo_graph import PmoGraph
from bench.profile_samples import profile_run


#: The library of a frame as py-spy names it, ``function (library/module.py:line)``.
@click.command(help=__doc__)
@click.option("--seconds", default=20.0, show_default=True, help="How long the mix runs.")
@click.option("--clients", default=8, show_default=True)
@click.option("--py-spy", "py_spy", type=click.Path(path_type=Path), default=None)
@click.option("--label", default="profile", show_default=True, help="The data copy's name.")
def main(seconds: float, clients: int, py_spy: Path | None, label: str) -> None:
    case = next(c for c in CASES if c.mutation)
    database = prepare("postgresql", "M", False, label)
    peer = PmoGraph("postgresql")
    port = free_port()
    headers = peer.headers(database)

    def body(i: int) -> dict[str, Any]:
        return peer.body(case, case.make(database.data, i))

    with serving(
        peer.launch(database, port),
        port,
        lambda url: answers(url, headers, body(0)),
        str(STATE / "mutation_profile.log"),
    ) as usage:
        url = f"http://127.0.0.1:{port}"
        throughput(url, headers, body, clients, 2.0, offset=1)  # warm every pooled connection
        profile_run(
            usage.process,
            py_spy,
            seconds,
            lambda: throughput(url, headers, body, clients, seconds, offset=100_000),
            "mutation",
            clients,
        )


if __name__ == "__main__":
    main()
