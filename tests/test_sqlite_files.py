"""A new SQLite file is switched to write-ahead logging once, before its first connections.

Each connection used to switch the file as it connected; two connecting at the same moment (at
start-up the webhook deliverer and a readiness check did) could both try, and one failed with
"database is locked".
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from pmo_graph.db.session import create_engine, prepare_sqlite_connection
from pmo_graph.settings import Settings

#: Each round is a new file; without the switch at engine creation about one round in ten
#: failed (measured on this machine).
ROUNDS = 200
#: Connections opening at the same moment in each round; the first begins a write.
CONNECTIONS = 3


def _connect(path: Path, writes: bool, start: threading.Barrier, failures: list[str]) -> None:
    try:
        start.wait()
        connection = sqlite3.connect(path, timeout=30)
        try:
            prepare_sqlite_connection(connection)
            if writes:
                connection.execute("BEGIN IMMEDIATE")
            connection.execute("SELECT 1").fetchall()
            if writes:
                connection.execute("COMMIT")
        finally:
            connection.close()
    except sqlite3.Error as exc:
        failures.append(repr(exc))


async def test_connections_to_a_new_file_at_the_same_moment_all_succeed(tmp_path: Path) -> None:
    failures: list[str] = []
    for round_ in range(ROUNDS):
        path = tmp_path / f"new-{round_}.sqlite3"
        engine = create_engine(Settings(database_url=f"sqlite+aiosqlite:///{path}"))
        start = threading.Barrier(CONNECTIONS)
        threads = [
            threading.Thread(target=_connect, args=(path, i == 0, start, failures))
            for i in range(CONNECTIONS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        await engine.dispose()
    assert failures == []


async def test_the_engine_switches_a_new_file_before_its_first_connection(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    engine = create_engine(Settings(database_url=f"sqlite+aiosqlite:///{path}"))
    try:
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        await engine.dispose()


async def test_an_in_memory_database_and_an_unopenable_path_are_left_to_their_connections(
    tmp_path: Path,
) -> None:
    for url in ("sqlite+aiosqlite://", f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/x.sqlite3"):
        engine = create_engine(Settings(database_url=url))
        await engine.dispose()
    engine = create_engine(Settings(database_url="sqlite+aiosqlite://"))
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
