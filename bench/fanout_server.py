"""The server side of ``python -m bench.fanout``: a migrated PostgreSQL schema, one
``pmo-graph serve --demo`` process on it (started, read for its token, stopped), its CPU time,
and the statements PostgreSQL ran (``pg_stat_statements``, when it is loaded)."""

from __future__ import annotations

import asyncio
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import asyncpg  # type: ignore[import-untyped]
import httpx
import psutil

from bench.measure import NOT_WORK, Usage, free_port
from pmo_graph.realtime.bus import listener_dsn
from pmo_graph.testing import POSTGRES_URL_VARIABLE, postgres_schema

#: Seconds the server has to migrate, seed the demo and print its token, then to be ready.
START_SECONDS = 120.0
#: Seconds a stopping server has to finish before it is killed.
STOP_SECONDS = 20.0


class ServerFailed(RuntimeError):
    """The server did not start, or stopped on its own."""


@contextmanager
def migrated_schema(database_url: str) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL schema brought to every lineage's head by ``pmo-graph db upgrade``;
    yields the server environment that points at it. The schema is dropped however the block
    ends."""
    os.environ[POSTGRES_URL_VARIABLE] = database_url  # postgres_schema reads it
    with postgres_schema("pmo_fanout") as settings:
        env = {
            "PMO_GRAPH_DATABASE_URL": settings.database_url,
            "PMO_GRAPH_DATABASE_SCHEMA": settings.database_schema or "",
        }
        upgraded = subprocess.run(
            [sys.executable, "-m", "pmo_graph", "db", "upgrade"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if upgraded.returncode != 0:
            raise ServerFailed(f"pmo-graph db upgrade failed:\n{upgraded.stderr}")
        yield env


@dataclass
class Server:
    """One running ``pmo-graph serve --demo``."""

    url: str
    token: str
    process: subprocess.Popen[str]
    log: Path

    @property
    def usage(self) -> Usage:
        """The process's CPU time (``Usage.cpu_seconds``)."""
        return Usage(psutil.Process(self.process.pid))

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the server logged (for an error message)."""
        with suppress(OSError):
            return "\n".join(self.log.read_text().splitlines()[-lines:])
        return ""


def _drain(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Forward the server's stdout line by line (so the pipe never fills), None at its end."""
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


def _demo_token(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> str:
    """The token ``serve --demo`` prints (``  token:    pmo_…``)."""
    deadline = time.monotonic() + START_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise ServerFailed(f"serve exited with {process.wait()} before printing a token")
        if line.strip().startswith("token:"):
            return line.split()[1]
    raise ServerFailed("serve printed no token")


def _wait_ready(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"serve exited with {process.returncode}")
        with suppress(httpx.HTTPError):
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise ServerFailed("the server never became ready")


@contextmanager
def serving(env: Mapping[str, str], log_dir: Path, name: str) -> Iterator[Server]:
    """``pmo-graph serve --demo`` (one process, one worker) on a free port with ``env`` over
    this process's environment; stopped (SIGTERM, then SIGKILL) however the block ends."""
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "pmo_graph", "serve", "--demo", "--port", str(port)],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        lines: queue.Queue[str | None] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True).start()
        url = f"http://127.0.0.1:{port}"
        server = Server(url, "", process, log)
        try:
            server.token = _demo_token(process, lines)
            _wait_ready(url, process)
        except ServerFailed as exc:
            raise ServerFailed(f"{exc}; its log ({log}) ends:\n{server.log_tail()}") from exc
        yield server
        if process.poll() is not None:
            raise ServerFailed(
                f"the server stopped on its own ({process.returncode}); its log ends:\n"
                + server.log_tail()
            )
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def log_directory() -> Path:
    """A directory for the servers' logs (the caller removes it after a run that succeeded)."""
    return Path(tempfile.mkdtemp(prefix="pmo-fanout-"))


# --- PostgreSQL ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    """What the benchmark reads from the PostgreSQL server itself."""

    dsn: str
    version: str
    #: ``pg_stat_statements`` is in ``shared_preload_libraries`` and created in the database.
    statements: bool

    async def calls(self) -> int | None:
        """Statements the database has run so far (transaction control excluded), or None when
        ``pg_stat_statements`` is not available. Differences of two readings are what one
        phase cost: nothing is reset, so other users' statistics are left alone."""
        if not self.statements:
            return None
        connection = await asyncpg.connect(self.dsn)
        try:
            value = await connection.fetchval(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = "
                "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND query NOT ILIKE '%pg_stat_statements%' AND query !~* $1",
                NOT_WORK,
            )
        finally:
            await connection.close()
        return int(value)


async def _inspect(dsn: str) -> Postgres:
    connection = await asyncpg.connect(dsn)
    try:
        version = await connection.fetchval("SHOW server_version")
        preload = await connection.fetchval("SHOW shared_preload_libraries") or ""
        created = await connection.fetchval(
            "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'"
        )
    finally:
        await connection.close()
    return Postgres(dsn, str(version), "pg_stat_statements" in preload and created is not None)


def inspect_postgres(database_url: str) -> Postgres:
    """The server's version, and whether statements can be counted (never restarts it, never
    creates the extension)."""
    return asyncio.run(_inspect(listener_dsn(database_url)))
