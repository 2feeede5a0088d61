"""PgBouncer in front of the test PostgreSQL, started by the tests that need it
(``running_pgbouncer``)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from test_serve import _free_port

from helpers import APP_ROLE
from pmo_graph.testing import postgres_required

#: Server connections PgBouncer keeps for one user and database in the tests: fewer than the
#: app's pool, so that transactions must share them.
PGBOUNCER_SERVER_CONNECTIONS = 2


def _pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or next(
        (path for path in ("/usr/sbin/pgbouncer",) if os.access(path, os.X_OK)), None
    )


@contextmanager
def running_pgbouncer(
    database_url: str, pool_mode: str = "transaction"
) -> Iterator[tuple[str, int]]:
    """PgBouncer in ``pool_mode`` in front of the PostgreSQL of ``database_url``, with
    ``PGBOUNCER_SERVER_CONNECTIONS`` server connections per user and database; yields its
    host and port. Skips where PgBouncer is not installed, and fails instead when PostgreSQL
    tests are required (``.ci/run`` installs it)."""
    binary = _pgbouncer_binary()
    if binary is None:
        message = "PgBouncer is not installed (Debian: apt-get install pgbouncer)"
        if postgres_required():
            pytest.fail(message)
        pytest.skip(message)
    server = make_url(database_url)
    directory = Path(tempfile.mkdtemp(prefix="pmo-pgbouncer-"))
    port = _free_port()
    (directory / "users.txt").write_text(
        "".join(f'"{user}" ""\n' for user in (server.username or "postgres", APP_ROLE))
    )
    (directory / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={server.host or "127.0.0.1"} port={server.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "users.txt"}
pool_mode = {pool_mode}
default_pool_size = {PGBOUNCER_SERVER_CONNECTIONS}
max_client_conn = 200
logfile = {directory / "pgbouncer.log"}
"""
    )
    log = directory / "pgbouncer.log"
    # Quiet: it logs to the file only, so nothing fills a pipe nobody reads.
    command = [binary, "--quiet", str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(directory, "postgres")
        for path in directory.iterdir():
            shutil.chown(path, "postgres")
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                said = log.read_text() if log.exists() else "(no log)"
                pytest.fail(f"PgBouncer did not start: {said[-2000:]}")
            time.sleep(0.05)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)
