"""Measuring one server: latency with one client, throughput with many, CPU and memory, and the
SQL statements each request costs (from PostgreSQL's pg_stat_statements)."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg  # type: ignore[import-untyped]
import httpx
import orjson
import psutil

from bench.database import POSTGRES, BenchDatabase
from bench.peers import Launch

#: Statements that are not work: transaction control and session settings.
NOT_WORK = (
    r"^\s*(begin|commit|rollback|savepoint|release|set |show |discard|reset|start transaction)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Usage:
    """CPU seconds and the largest resident memory seen of a server process (and children)."""

    process: psutil.Process
    peak_rss: int = 0

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def sample(self) -> None:
        rss = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            with suppress(psutil.NoSuchProcess):
                rss += proc.memory_info().rss
        self.peak_rss = max(self.peak_rss, rss)


@contextmanager
def serving(
    launch: Launch, port: int, ready: Callable[[str], bool], log_path: str
) -> Iterator[Usage]:
    """Start the server, wait until ``ready(url)``, yield its usage tracker, stop it."""
    env = {**os.environ, **launch.env}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            launch.argv, env=env, cwd=launch.cwd, stdout=log, stderr=subprocess.STDOUT
        )
    usage = Usage(psutil.Process(process.pid))
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            usage.sample()
            time.sleep(0.2)

    thread = threading.Thread(target=sampler, daemon=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while not ready(url):
            if process.poll() is not None:
                raise RuntimeError(f"{launch.argv[0]} exited {process.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{launch.argv[0]} never became ready; see {log_path}")
            time.sleep(0.3)
        thread.start()
        yield usage
    finally:
        stop.set()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def answers(url: str, headers: dict[str, str], body: dict[str, Any]) -> bool:
    """Whether the server answers ``body`` with a 200 (a readiness probe)."""
    try:
        return (
            httpx.post(url + "/graphql", json=body, headers=headers, timeout=5).status_code == 200
        )
    except httpx.HTTPError:
        return False


@dataclass
class Latency:
    p50_ms: float
    p99_ms: float
    #: How many requests the server answered, the untimed warm-up included.
    requests: int


#: The load generator: aiohttp, whose client costs a fraction of httpx's per request. With
#: httpx the client spent about 2 ms of CPU on each 60 KB answer, more than the fastest servers
#: did, and on two cores it, not the server, bounded their throughput.
JSON_HEADERS = {"Content-Type": "application/json"}


async def _post(session: aiohttp.ClientSession, body: dict[str, Any]) -> None:
    async with session.post("/graphql", data=orjson.dumps(body), headers=JSON_HEADERS) as answer:
        await answer.read()
        answer.raise_for_status()


def _session(url: str, headers: dict[str, str], clients: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base_url=url,
        headers=headers,
        connector=aiohttp.TCPConnector(limit=clients),
        timeout=aiohttp.ClientTimeout(total=300),
    )


async def _latency(
    url: str,
    headers: dict[str, str],
    bodies: Callable[[int], dict[str, Any]],
    seconds: float,
    at_most: int,
    at_least: int,
    warm_up: bool,
) -> list[float]:
    times: list[float] = []
    async with _session(url, headers, 1) as session:
        if warm_up:
            await _post(session, bodies(0))
        deadline = time.perf_counter() + seconds
        i = 1
        while len(times) < at_most and (time.perf_counter() < deadline or len(times) < at_least):
            start = time.perf_counter()
            await _post(session, bodies(i))
            times.append(time.perf_counter() - start)
            i += 1
    return times


def latency(
    url: str,
    headers: dict[str, str],
    bodies: Callable[[int], dict[str, Any]],
    seconds: float,
    at_most: int,
    at_least: int = 5,
    warm_up: bool = True,
) -> Latency:
    """One client, one request after the other, for ``seconds`` (but at least ``at_least``
    requests) or ``at_most`` requests; first one untimed request when ``warm_up``."""
    times = sorted(asyncio.run(_latency(url, headers, bodies, seconds, at_most, at_least, warm_up)))
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return Latency(statistics.median(times) * 1000, p99 * 1000, len(times) + int(warm_up))


async def _throughput(
    url: str,
    headers: dict[str, str],
    bodies: Callable[[int], dict[str, Any]],
    clients: int,
    seconds: float,
    offset: int,
) -> int:
    done = 0
    counter = iter(range(offset, 10**9))
    async with _session(url, headers, clients) as session:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                await _post(session, bodies(next(counter)))
                done += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
    return done


def throughput(
    url: str,
    headers: dict[str, str],
    bodies: Callable[[int], dict[str, Any]],
    clients: int,
    seconds: float,
    offset: int = 10_000,
) -> tuple[float, int]:
    """Requests per second with ``clients`` concurrent clients; and how many were made."""
    start = time.perf_counter()
    done = asyncio.run(_throughput(url, headers, bodies, clients, seconds, offset))
    return done / (time.perf_counter() - start), done


async def _pg(database: BenchDatabase, query: str, *args: Any) -> Any:
    connection = await asyncpg.connect(f"postgresql://{POSTGRES}/{database.name}")
    try:
        return await connection.fetchval(query, *args)
    finally:
        await connection.close()


def pg_stat_statements_ready(database: BenchDatabase) -> bool:
    """Whether pg_stat_statements is loaded, creating the extension in the database if so."""
    loaded = asyncio.run(_pg(database, "SHOW shared_preload_libraries"))
    if "pg_stat_statements" not in (loaded or ""):
        return False
    asyncio.run(_pg(database, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
    return True


def reset_statements(database: BenchDatabase) -> None:
    """Forget the statements of this database only, so that concurrent runs do not interfere."""
    query = (
        "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = $1), 0)"
        "::text"
    )
    asyncio.run(_pg(database, query, database.name))


def count_statements(database: BenchDatabase) -> tuple[int, int]:
    """Statements run in the database since the last reset, transaction control excluded, and
    the functions PostgreSQL's JIT compiled for them (0 where every connection has ``jit``
    off)."""
    query = (
        # As text: a result type asyncpg must look up would cost statements counted here.
        "SELECT coalesce(sum(calls), 0) || ' ' || coalesce(sum(jit_functions), 0) "
        "FROM pg_stat_statements WHERE dbid = "
        "(SELECT oid FROM pg_database WHERE datname = $1) "
        "AND query NOT ILIKE '%pg_stat_statements%' AND query !~* $2"
    )
    statements, jit_functions = asyncio.run(_pg(database, query, database.name, NOT_WORK)).split()
    return int(statements), int(jit_functions)
