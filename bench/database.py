"""The benchmark's databases: a PostgreSQL database and a SQLite file per size, migrated by
pmo-graph and loaded once by ``bench.data`` (reused by later runs until ``--reload``).

Every run works on a fresh copy of the loaded data (a PostgreSQL database made from it as a
template, a copy of the SQLite file), because the mutation mix writes rows: without the copy,
the next run's queries would read different data.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from bench.data import Loaded, load, new_token
from pmo_graph import migrations
from pmo_graph.db.session import create_engine, create_sessionmaker
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.settings import Settings

HERE = Path(__file__).resolve().parent
STATE = HERE / ".data"
#: The server the benchmark's PostgreSQL databases live on (one database per size).
POSTGRES = "postgres@127.0.0.1:5432"
#: Every peer gets a connection pool of this size.
POOL_SIZE = 10
#: PostgreSQL's ``jit`` on every peer's connections: pmo-graph's own default
#: (``database_jit``, off), so that no peer pays (or saves) what the others do not.
JIT = "on" if Settings.model_fields["database_jit"].default else "off"


@dataclass(frozen=True)
class BenchDatabase:
    """One database of the benchmark, loaded with one size of data."""

    kind: str  # "postgresql" or "sqlite"
    size: str
    data: Loaded
    #: The run's copy (True) or the loaded original (False).
    copy: bool = True
    #: Names the copy (``pmo_bench_m_<label>``), so that separate runs need not share one.
    label: str = "run"

    @property
    def base_name(self) -> str:
        return f"pmo_bench_{self.size.lower()}"

    @property
    def name(self) -> str:
        return f"{self.base_name}_{self.label}" if self.copy else self.base_name

    @property
    def url(self) -> str:
        """The SQLAlchemy URL pmo-graph uses."""
        if self.kind == "postgresql":
            return f"postgresql+asyncpg://{POSTGRES}/{self.name}"
        return f"sqlite+aiosqlite:///{STATE / (self.name + '.sqlite3')}"

    @property
    def dsn(self) -> str:
        """A plain libpq URL (PostgreSQL only), for peers that are not pmo-graph."""
        return f"postgresql://{POSTGRES}/{self.name}"


def _state_file(kind: str, size: str) -> Path:
    return STATE / f"{kind}-{size.lower()}.json"


async def _recreate_postgres_database(name: str, template: str | None = None) -> None:
    connection = await asyncpg.connect(f"postgresql://{POSTGRES}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        source = f' TEMPLATE "{template}"' if template else ""
        await connection.execute(f'CREATE DATABASE "{name}"{source}')
    finally:
        await connection.close()


async def _analyze(name: str) -> None:
    connection = await asyncpg.connect(f"postgresql://{POSTGRES}/{name}")
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def fresh_copy(original: BenchDatabase, label: str = "run") -> BenchDatabase:
    """A new copy of the loaded data for one run (the previous run's copy is replaced), with a
    token of its own: the loaded PostgreSQL database is one per size on the server, so another
    checkout's ``--reload`` replaces it, and the token this checkout's state file keeps with
    it."""
    copy = BenchDatabase(original.kind, original.size, original.data, copy=True, label=label)
    if original.kind == "postgresql":
        asyncio.run(_recreate_postgres_database(copy.name, template=original.base_name))
    else:
        source = STATE / (original.base_name + ".sqlite3")
        target = STATE / (copy.name + ".sqlite3")
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        shutil.copyfile(source, target)
    token = asyncio.run(_new_token(Settings(database_url=copy.url, pool_size=1), copy.data))
    return replace(copy, data=replace(copy.data, token=token))


async def _new_token(settings: Settings, data: Loaded) -> str:
    engine = create_engine(settings)
    try:
        return await new_token(create_sessionmaker(engine), data.organisation_id)
    finally:
        await engine.dispose()


async def _load(settings: Settings, size: str) -> Loaded:
    engine = create_engine(settings)
    try:
        return await load(create_sessionmaker(engine), size)
    finally:
        await engine.dispose()


def prepare(kind: str, size: str, reload: bool = False, label: str = "run") -> BenchDatabase:
    """A fresh copy of database ``kind`` with ``size`` data, loaded now or by an earlier run."""
    STATE.mkdir(exist_ok=True)
    state = _state_file(kind, size)
    registry = load_plugins(load_entrypoints={"pso", "portfolio", "pmo"})
    if state.exists() and not reload:
        loaded = Loaded(**json.loads(state.read_text()))
        original = BenchDatabase(kind, size, loaded, copy=False)
        # Data loaded by an older pmo-graph is brought to the current schema first.
        migrations.upgrade(Settings(database_url=original.url, pool_size=POOL_SIZE), registry)
        return fresh_copy(original, label)
    database = BenchDatabase(kind, size, Loaded(0, "", [], [], []), copy=False)
    if kind == "postgresql":
        asyncio.run(_recreate_postgres_database(database.name))
    else:
        path = STATE / (database.name + ".sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    settings = Settings(database_url=database.url, pool_size=POOL_SIZE)
    migrations.upgrade(settings, registry)
    loaded = asyncio.run(_load(settings, size))
    if kind == "postgresql":
        # Planner statistics, as autovacuum would gather them on a live database; copies made
        # from this one as a template keep them.
        asyncio.run(_analyze(database.name))
    if kind == "sqlite":
        # A clean file to copy: checkpoint the write-ahead log into it.
        import sqlite3

        with sqlite3.connect(STATE / (database.base_name + ".sqlite3")) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    state.write_text(json.dumps(asdict(loaded)))
    return fresh_copy(BenchDatabase(kind, size, loaded, copy=False), label)
