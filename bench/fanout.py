"""``python -m bench.fanout``: how fast one server fans status reports out to many subscribers.

One ``pmo-graph serve --demo`` process on a fresh PostgreSQL schema; N subscriptions to
``statusReportSubmitted`` spread over C WebSockets; K reports submitted over HTTP one at a time
(latency), then K more back to back (throughput). Two configurations on the same data, the
server restarted between them: (a) the default, where the process keeps the token and tiers that
every subscriber checks before each event (``PMO_GRAPH_ACCESS_CACHE_SECONDS``, 10 s), and (b) the
baseline that reads them from the database before every event (``0``). Figures are printed with the
ratios b/a; nothing passes or fails on time, but a missing or wrong delivery is an error.
See docs/performance.md.
"""

from __future__ import annotations

import asyncio
import math
import os
import shlex
import shutil
import signal
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import click

from bench.fanout_clients import DeliveryError, Measured, Phase, SlowConsumers, measure
from bench.fanout_server import (
    Postgres,
    ServerFailed,
    inspect_postgres,
    log_directory,
    migrated_schema,
    serving,
)
from bench.report import machine
from pmo_graph.settings import Settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
MARK_START, MARK_END = "<!-- fanout:start -->", "<!-- fanout:end -->"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
QUICK = {"subscribers": 100, "events": 15}
DEFAULTS = {"subscribers": 200, "events": 30}


def say(message: str) -> None:
    click.echo(message, err=True)


@dataclass(frozen=True)
class Configuration:
    """One way of running the server, measured on the same data as the others."""

    key: str
    title: str
    #: ``PMO_GRAPH_ACCESS_CACHE_SECONDS``: how long the process keeps a token's access.
    access_cache_seconds: str


CONFIGURATIONS = (
    Configuration("a", "(a) token kept for 10 s (default)", "10"),
    Configuration("b", "(b) token read before every event (baseline)", "0"),
)


def _ms(seconds: Sequence[float]) -> list[float]:
    return sorted(s * 1000 for s in seconds)


def _p(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted ``values`` (nearest rank)."""
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


@dataclass(frozen=True)
class Figures:
    """What one configuration measured (milliseconds unless named otherwise)."""

    configuration: Configuration
    deliveries: int
    warm_ups: int
    span_seconds: float
    mutation_p50: float
    after_answer_p50: float
    after_answer_p99: float
    after_send_p50: float
    after_send_p99: float
    last_p50: float
    burst_per_second: float
    burst_seconds: float
    burst_mutation_p50: float
    server_cpu_sequential: float
    server_cpu_burst: float
    client_cpu: float
    statements: float | None

    @classmethod
    def of(cls, configuration: Configuration, measured: Measured) -> Figures:
        sequential, burst = measured.sequential, measured.burst
        pairs = [(e, t) for e in sequential.events for t in sequential.arrivals[e.code]]
        after_answer = _ms([t - e.acknowledged for e, t in pairs])
        after_send = _ms([t - e.sent for e, t in pairs])
        last = _ms([max(sequential.arrivals[e.code]) - e.sent for e in sequential.events])

        def mutation(phase: Phase) -> float:
            return statistics.median(_ms([e.acknowledged - e.sent for e in phase.events]))

        both = sequential.deliveries + burst.deliveries
        return cls(
            configuration=configuration,
            deliveries=sequential.deliveries,
            warm_ups=measured.warm_ups,
            span_seconds=measured.span,
            mutation_p50=mutation(sequential),
            after_answer_p50=_p(after_answer, 0.5),
            after_answer_p99=_p(after_answer, 0.99),
            after_send_p50=_p(after_send, 0.5),
            after_send_p99=_p(after_send, 0.99),
            last_p50=statistics.median(last),
            burst_per_second=burst.deliveries / burst.wall,
            burst_seconds=burst.wall,
            burst_mutation_p50=mutation(burst),
            server_cpu_sequential=1000 * sequential.server_cpu / sequential.deliveries,
            server_cpu_burst=1000 * burst.server_cpu / burst.deliveries,
            client_cpu=1000 * (sequential.client_cpu + burst.client_cpu) / both,
            statements=(
                sequential.statements / sequential.deliveries
                if sequential.statements is not None
                else None
            ),
        )


#: The table's rows: label, the figure, decimal places.
ROWS: tuple[tuple[str, Callable[[Figures], float | None], int], ...] = (
    ("report mutation p50, ms (sequential)", lambda f: f.mutation_p50, 1),
    ("delivery after the mutation's answer p50, ms", lambda f: f.after_answer_p50, 1),
    ("delivery after the mutation's answer p99, ms", lambda f: f.after_answer_p99, 1),
    ("delivery after sending the mutation p50, ms", lambda f: f.after_send_p50, 1),
    ("delivery after sending the mutation p99, ms", lambda f: f.after_send_p99, 1),
    ("last subscriber served after sending, p50 over events, ms", lambda f: f.last_p50, 1),
    ("burst: deliveries per second", lambda f: f.burst_per_second, 0),
    ("burst: seconds from first send to last delivery", lambda f: f.burst_seconds, 2),
    ("burst: report mutation p50, ms", lambda f: f.burst_mutation_p50, 1),
    ("server CPU ms per delivery (sequential)", lambda f: f.server_cpu_sequential, 3),
    ("server CPU ms per delivery (burst)", lambda f: f.server_cpu_burst, 3),
    ("bench clients' CPU ms per delivery (both phases)", lambda f: f.client_cpu, 3),
    ("SQL statements per delivery (sequential)", lambda f: f.statements, 2),
)


def _cell(value: float | None, places: int) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:,.{places}f}"


def table(default: Figures, baseline: Figures) -> str:
    """The figures of both configurations side by side, with the ratio baseline/default."""
    lines = [
        f"| figure | {default.configuration.title} | {baseline.configuration.title} | b/a |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, figure, places in ROWS:
        a, b = figure(default), figure(baseline)
        ratio = f"{b / a:.2f}x" if a and b is not None else "n/a"
        lines.append(f"| {label} | {_cell(a, places)} | {_cell(b, places)} | {ratio} |")
    return "\n".join(lines)


def _server_env(
    schema_env: dict[str, str], subscribers: int, connections: int, queue_size: int | None
) -> dict[str, str]:
    env = {
        **schema_env,
        "PMO_GRAPH_RATE_LIMIT_CAPACITY": "0",
        "PMO_GRAPH_LOG_LEVEL": "WARNING",
        "PMO_GRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION": str(math.ceil(subscribers / connections)),
        "PMO_GRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN": str(subscribers),
    }
    if queue_size is not None:
        env["PMO_GRAPH_SUBSCRIPTION_QUEUE_SIZE"] = str(queue_size)
    return env


def run(
    database_url: str,
    subscribers: int,
    connections: int,
    events: int,
    queue_size: int | None,
    postgres: Postgres,
) -> list[Figures]:
    """Both configurations on one fresh schema; the schema is dropped and every server stopped
    however the run ends."""
    logs = log_directory()
    say(f"server logs in {logs}")
    results = []
    with migrated_schema(database_url) as schema_env:
        env = _server_env(schema_env, subscribers, connections, queue_size)
        say(f"schema {schema_env['PMO_GRAPH_DATABASE_SCHEMA']} migrated")
        for configuration in CONFIGURATIONS:
            server_env = {
                **env,
                "PMO_GRAPH_ACCESS_CACHE_SECONDS": configuration.access_cache_seconds,
            }
            with serving(server_env, logs, configuration.key) as server:
                say(f"{configuration.title}: serving on {server.url}")
                usage = server.usage
                try:
                    measured = asyncio.run(
                        measure(
                            server.url,
                            server.token,
                            f"FAN{configuration.key.upper()}",
                            subscribers,
                            connections,
                            events,
                            usage.cpu_seconds,
                            postgres.calls,
                        )
                    )
                except SlowConsumers as exc:
                    exc.where = configuration.title
                    raise
            figures = Figures.of(configuration, measured)
            say(
                f"{configuration.title}: {figures.deliveries} + {figures.deliveries} deliveries, "
                f"all arrived ({figures.warm_ups} warm-up reports)"
            )
            results.append(figures)
    shutil.rmtree(logs, ignore_errors=True)  # kept only when the run failed
    return results


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@click.command(help="Measure subscription fan-out: latency, throughput and CPU per delivery.")
@click.option(
    "--database-url",
    default=lambda: os.environ.get("PMO_GRAPH_TEST_DATABASE_URL", DEFAULT_URL),
    show_default="$PMO_GRAPH_TEST_DATABASE_URL or " + DEFAULT_URL,
)
@click.option("--subscribers", type=click.IntRange(1), default=None, help="N (default 200).")
@click.option("--connections", type=click.IntRange(1), default=10, show_default=True)
@click.option("--events", type=click.IntRange(1), default=None, help="K per phase (default 30).")
@click.option("--quick", is_flag=True, help="N=100, K=15: under two minutes.")
@click.option(
    "--queue-size",
    type=click.IntRange(1),
    default=None,
    help="PMO_GRAPH_SUBSCRIPTION_QUEUE_SIZE for the server (default: the server's, 100).",
)
@click.option("--write", is_flag=True, help="Record the table in docs/performance.md.")
def main(
    database_url: str,
    subscribers: int | None,
    connections: int,
    events: int | None,
    quick: bool,
    queue_size: int | None,
    write: bool,
) -> None:
    # Stopped with SIGTERM, unwind like Ctrl-C does: stop the server, drop the schema.
    signal.signal(signal.SIGTERM, _terminated)
    started = time.monotonic()
    sizes = QUICK if quick else DEFAULTS
    n = subscribers if subscribers is not None else sizes["subscribers"]
    k = events if events is not None else sizes["events"]
    connections = min(connections, n)
    try:
        postgres = inspect_postgres(database_url)
    except (OSError, asyncpg.PostgresError) as exc:
        raise click.ClickException(f"cannot reach PostgreSQL at {database_url}: {exc}") from exc
    if not postgres.statements:
        say(
            "pg_stat_statements is not loaded in this database: statements per delivery are "
            "n/a (PostgreSQL is not restarted to load it)."
        )
    findings: list[str] = []
    default_queue = Settings.model_fields["subscription_queue_size"].default
    queue_note = (
        f"queue size {queue_size} (--queue-size)"
        if queue_size is not None
        else f"queue size {default_queue} (the default)"
    )
    try:
        results = run(database_url, n, connections, k, queue_size, postgres)
    except (ServerFailed, DeliveryError) as exc:
        if not isinstance(exc, SlowConsumers):
            raise click.ClickException(str(exc)) from exc
        # A finding, not a figure: say so, and measure again with room for the whole burst.
        before = queue_size or default_queue
        queue_size = max(2 * before, k + 100)
        findings.append(
            f"Finding: {exc} (PMO_GRAPH_SUBSCRIPTION_QUEUE_SIZE={before}); the whole run was "
            f"repeated with PMO_GRAPH_SUBSCRIPTION_QUEUE_SIZE={queue_size}, whose figures these "
            "are."
        )
        queue_note = f"queue size {queue_size} (raised for this run, see the finding below)"
        say(findings[-1])
        try:
            results = run(database_url, n, connections, k, queue_size, postgres)
        except (ServerFailed, DeliveryError) as again:
            raise click.ClickException(str(again)) from again
    default, baseline = results
    elapsed = time.monotonic() - started
    command = shlex.join(["python", "-m", "bench.fanout", *sys.argv[1:]])
    kept = float(default.configuration.access_cache_seconds)
    span = (
        f"{default.configuration.title[:3]} ran {default.span_seconds:.0f} s from its warm-up "
        "to its last delivery, "
        + (
            f"so the kept token expired {int(default.span_seconds // kept)} time(s) and was "
            "read again at the next event, as in service."
            if default.span_seconds >= kept
            else f"within the {kept:g} s a token is kept: it was not read during the phases."
        )
    )
    text = "\n".join(
        [
            f"{n} subscribers on {connections} WebSockets, {k} events per phase, "
            f"{time.strftime('%Y-%m-%d')}, {elapsed:.0f} s: `{command}`",
            "",
            *machine()[:2],
            f"- PostgreSQL {postgres.version} (pg_stat_statements "
            f"{'loaded' if postgres.statements else 'not loaded'}); websockets "
            f"{version('websockets')}, httpx {version('httpx')}; one server process, one "
            f"worker; {queue_note}",
            "",
            table(default, baseline),
            "",
            f"Every delivery arrived: {n} x {k} per phase and configuration, each subscriber "
            "receiving every report in the order sent, with the right project; none dropped. "
            + span,
            *findings,
            "",
        ]
    )
    click.echo(text)
    if write:
        page = DOC.read_text()
        if MARK_START not in page or MARK_END not in page:
            raise click.ClickException(f"{DOC} has no {MARK_START} … {MARK_END} block")
        before, rest = page.split(MARK_START, 1)
        _, after = rest.split(MARK_END, 1)
        DOC.write_text(f"{before}{MARK_START}\n{text}\n{MARK_END}{after}")
        say(f"recorded in {DOC}")


if __name__ == "__main__":
    main()
