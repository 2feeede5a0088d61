"""``python -m bench``: run the benchmark and print (and optionally record) the figures."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from bench.cases import CASES, Case
from bench.clients import CLIENT_CASES
from bench.database import prepare
from bench.measure import pg_stat_statements_ready
from bench.peers.registry import DEFAULT_PEERS, PEERS
from bench.report import client_table, goals, machine, peer_settings, tables
from bench.run import Bench, Timing, results_path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"


STARTED = time.monotonic()


def say(message: str) -> None:
    click.echo(f"[{time.monotonic() - STARTED:5.0f} s] {message}", err=True)


def choose(names: str) -> list[Case]:
    """The cases ``--cases`` names, in the benchmark's order."""
    asked = {n.strip() for n in names.split(",") if n.strip()}
    everything = [*CASES, *CLIENT_CASES]
    known = {c.name for c in everything} | {"all", "clients"}
    if asked - known:
        raise click.UsageError(f"unknown cases {', '.join(sorted(asked - known))}")
    return [
        c
        for c in everything
        if "all" in asked or c.name in asked or ("clients" in asked and c.client)
    ]


@click.command(help="Run pmo-graph and its peers on the same data and print the figures.")
@click.option("--size", type=click.Choice(["M", "L"]), default="M", show_default=True)
@click.option("--quick", is_flag=True, help="Short runs (M data: about ten minutes at most).")
@click.option(
    "--peers",
    default=",".join(DEFAULT_PEERS),
    show_default=True,
    help="Comma-separated peers to run, in order.",
)
@click.option(
    "--cases",
    default="all",
    show_default=True,
    help=f"Comma-separated cases: {', '.join(c.name for c in CASES)}, a real client document "
    "of bench/frontend/documents by name, 'clients' for all of those, 'all' for everything.",
)
@click.option("--reload", is_flag=True, help="Regenerate and reload the data.")
@click.option("--write", is_flag=True, help="Record the tables in docs/performance.md.")
@click.option(
    "--label",
    default="run",
    show_default=True,
    help="Names this run's copy of the data, so that runs side by side do not share one.",
)
def main(
    size: str, quick: bool, peers: str, cases: str, reload: bool, write: bool, label: str
) -> None:
    started = time.monotonic()
    names = [p.strip() for p in peers.split(",") if p.strip()]
    unknown = [n for n in names if n not in PEERS]
    if unknown:
        raise click.UsageError(f"unknown peers {', '.join(unknown)}; known: {', '.join(PEERS)}")
    chosen = choose(cases)
    instances = [PEERS[n]() for n in names]
    kinds = {p.kind for p in instances}
    if size == "L":
        kinds.discard("sqlite")  # L is for PostgreSQL only
        instances = [p for p in instances if p.kind != "sqlite"]
    say(f"preparing {size} data on {', '.join(sorted(kinds))}")
    databases = {kind: prepare(kind, size, reload, label) for kind in kinds}
    count = "postgresql" in databases and pg_stat_statements_ready(databases["postgresql"])
    if not count:
        say(
            "pg_stat_statements is not loaded: statement counts are skipped. Load it with "
            "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements' and restart "
            "PostgreSQL."
        )
    bench = Bench(databases, Timing.of(quick), count, say)
    query_cases = [c for c in chosen if not c.mutation]
    mutation_cases = [c for c in chosen if c.mutation]
    results = [bench.run_peer(peer, query_cases) for peer in instances]
    # Mutations last, on every peer: they change the data the queries read.
    for peer, result in zip(instances, results, strict=True):
        if mutation_cases:
            result.figures.update(bench.run_peer(peer, mutation_cases).figures)
    results_path().write_text(json.dumps([asdict(r) for r in results], indent=1))
    elapsed = time.monotonic() - started
    mode = "quick" if quick else "full"
    header = (
        f"Size {size}, {mode} run, {time.strftime('%Y-%m-%d')}, {elapsed:.0f} s: "
        f"`python -m bench --size {size}{' --quick' if quick else ''}`"
    )
    text = "\n".join(
        [
            header,
            "",
            *machine(),
            *peer_settings(results),
            "",
            tables(results),
            client_table(results),
            "Goals:",
            "",
            *(f"- {g}" for g in goals(results)),
            "",
        ]
    )
    click.echo(text)
    if write:
        page = DOC.read_text()
        before, rest = page.split(MARK_START, 1)
        _, after = rest.split(MARK_END, 1)
        DOC.write_text(f"{before}{MARK_START}\n{text}\n{MARK_END}{after}")
        say(f"recorded in {DOC}")
    sys.exit(0 if all(f.equal for r in results for f in r.figures.values()) else 1)


if __name__ == "__main__":
    main()
