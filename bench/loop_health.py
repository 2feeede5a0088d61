"""``python -m bench.loop_health``: does the event loop stay free while selections compute?

Starts a real ``pmo-graph serve`` on a PostgreSQL database of its own, with an organisation
whose portfolio holds the worst selection the limits allow (36 candidates whose costs share no
divisor, so meet in the middle enumerates 2 x 2^18 subsets). Then, for each executor
(``PMO_GRAPH_COMPUTATION_EXECUTOR``): ``/healthz`` alone for a while (the baseline), then the
same while 8 clients send that selection continuously. Prints ``/healthz`` p50, p99 and max (ms)
and the selections answered a second. The goal: ``/healthz`` p99 under 50 ms under that load.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), nothing else.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import click
import httpx

from bench.report import machine

DATABASE = "pmo_loop_health"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
PMO_GRAPH = str(Path(sys.executable).with_name("pmo-graph"))
CLIENTS = 8
GOAL_P99_MS = 50.0
SELECT = (
    "query($f: ID!, $b: Decimal!) { node(id: $f) { ... on Portfolio "
    "{ selection(budget: $b) { totalScore } } } }"
)


@dataclass
class Figures:
    """What one phase measured."""

    latencies_ms: list[float]
    selections: int = 0
    refused: int = 0
    seconds: float = 0.0

    def line(self, label: str) -> str:
        ordered = sorted(self.latencies_ms)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        text = (
            f"{label}: /healthz p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, "
            f"max {ordered[-1]:.1f} ms ({len(ordered)} polls)"
        )
        if self.seconds:
            text += (
                f"; selections {self.selections / self.seconds:.2f}/s "
                f"({self.selections} answered, {self.refused} past the time limit)"
            )
        return text

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _environment(executor: str) -> dict[str, str]:
    return {
        **os.environ,
        "PMO_GRAPH_DATABASE_URL": URL,
        "PMO_GRAPH_COMPUTATION_EXECUTOR": executor,
        # Every selection costs 6,554 points: the token's budget would throttle the 8 clients
        # to two a second, and this measures the loop under the computations themselves.
        "PMO_GRAPH_RATE_LIMIT_CAPACITY": "0",
        "PMO_GRAPH_LOG_LEVEL": "WARNING",
    }


async def _fresh_database() -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await connection.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await connection.close()


def _run(*argv: str) -> str:
    done = subprocess.run(
        [PMO_GRAPH, *argv], env=_environment("process"), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise click.ClickException(f"pmo-graph {' '.join(argv)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(executor: str) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [PMO_GRAPH, "serve", "--port", str(port)], env=_environment(executor)
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise click.ClickException("pmo-graph serve did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _graphql(client: httpx.AsyncClient, document: str, **variables: object) -> dict:  # type: ignore[type-arg]
    answer = (
        await client.post("/graphql", json={"query": document, "variables": variables})
    ).json()
    if answer.get("errors"):
        raise click.ClickException(str(answer["errors"]))
    data: dict = answer["data"]  # type: ignore[type-arg]
    return data


async def _worst_selection(url: str, token: str) -> tuple[str, str]:
    """A portfolio with the worst selection the limits allow, and its budget."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        for tier in ("pso", "portfolio"):
            await _graphql(
                client,
                "mutation($k: String!) { enableTier(input: {key: $k}) { userErrors { code } } }",
                k=tier,
            )
        created = await _graphql(
            client,
            'mutation { createPortfolio(input: {name: "Worst"}) { portfolio { id } } }',
        )
        portfolio = created["createPortfolio"]["portfolio"]["id"]
        await _graphql(
            client,
            "mutation($f: ID!) { setPortfolioCriteria(input: {portfolioId: $f, "
            'criteria: [{key: "value", weight: 1}]}) { userErrors { code } } }',
            f=portfolio,
        )
        rng = random.Random(40)
        total = 0
        for index in range(36):
            cents = rng.randrange(1_000_000, 2_000_000) | 1
            total += cents
            project = await _graphql(
                client,
                "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
                i={
                    "code": f"W{index:02}",
                    "name": f"Worst {index}",
                    "stage": "PROPOSED",
                    "budget": f"{cents / 100:.2f}",
                },
            )
            pid = project["createProject"]["project"]["id"]
            await _graphql(
                client,
                "mutation($p: ID!, $f: ID) { setProjectPortfolio(input: "
                "{projectId: $p, portfolioId: $f}) { userErrors { code } } }",
                p=pid,
                f=portfolio,
            )
            await _graphql(
                client,
                "mutation($p: ID!, $s: Float!) { scoreProject(input: "
                '{projectId: $p, criterion: "value", score: $s}) { userErrors { code } } }',
                p=pid,
                s=round(rng.uniform(1, 10), 2),
            )
        return portfolio, f"{total / 200:.2f}"


async def _poll(url: str, until: float) -> list[float]:
    latencies = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            started = time.perf_counter()
            response = await client.get("/healthz")
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            await asyncio.sleep(0.02)
    return latencies


async def _phase(
    url: str, token: str, portfolio: str, budget: str, seconds: float, load: bool
) -> Figures:
    until = time.monotonic() + seconds
    figures = Figures([], seconds=seconds if load else 0.0)

    async def client() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
            while time.monotonic() < until:
                body = {"query": SELECT, "variables": {"f": portfolio, "b": budget}}
                answer = (await http.post("/graphql", json=body)).json()
                if answer.get("errors"):
                    figures.refused += 1
                else:
                    figures.selections += 1

    clients = [asyncio.create_task(client()) for _ in range(CLIENTS if load else 0)]
    figures.latencies_ms = await _poll(url, until)
    await asyncio.gather(*clients)
    return figures


@click.command(help=__doc__)
@click.option("--seconds", default=30.0, show_default=True, help="Length of each phase.")
@click.option("--executors", default="process,thread", show_default=True)
def main(seconds: float, executors: str) -> None:
    asyncio.run(_fresh_database())
    _run("db", "upgrade")
    _run("org", "create", "--slug", "bench", "--name", "Bench")
    token = _run(
        "token",
        "create",
        "--org",
        "bench",
        "--email",
        "a@bench.test",
        "--name",
        "A",
        "--role",
        "admin",
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    click.echo(f"loop health at {commit}, {seconds:g} s a phase, {CLIENTS} clients")
    for line in machine()[:2]:
        click.echo(line)
    portfolio = budget = ""
    for executor in executors.split(","):
        with _server(executor) as url:
            if not portfolio:
                portfolio, budget = asyncio.run(_worst_selection(url, token))
            asyncio.run(_phase(url, token, portfolio, budget, 3, load=True))  # warm up
            idle = asyncio.run(_phase(url, token, portfolio, budget, seconds, load=False))
            busy = asyncio.run(_phase(url, token, portfolio, budget, seconds, load=True))
        click.echo(idle.line(f"{executor}, no load"))
        click.echo(busy.line(f"{executor}, {CLIENTS} clients selecting"))
        verdict = "met" if busy.p99 < GOAL_P99_MS else "not met"
        click.echo(
            f"{executor}: p99 under load {busy.p99 / idle.p99:.1f}x the baseline; goal p99 "
            f"< {GOAL_P99_MS:g} ms: {verdict}"
        )


if __name__ == "__main__":
    main()
