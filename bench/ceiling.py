"""``python -m bench.ceiling``: how many "raise a risk" mutations a second PostgreSQL itself allows
on this machine, with no Python server in the way, in four shapes of the same write.

pgbench (written in C, a few microseconds of its own per statement) plays a server that costs
nothing, with 8 clients (``--clients``) on one organisation of the benchmark's M data:

- ``limit``: the limit peer's one statement: the checks and the ``INSERT``, no audit event and no
  notice (``bench.peers.limit_app.RAISE_RISK``).
- ``present``: the statements pmo-graph sends for ``raiseRisk`` today, in its order, with the
  organisation's row locked from the lock to the commit: the project loaded, the risk inserted,
  the webhooks looked up, then under the lock the chain's head read, the audit event inserted
  and the notice sent (``audit.chain``).
- ``heads-row``: the same statements before the turn; then one ``UPDATE … RETURNING`` of a row
  per organisation takes the turn and reads the head (it waits for the row and sees the head it
  waited for), and one statement writes the audit event, moves the head and sends the notice.
- ``one-statement``: everything the product needs in one statement in autocommit, as a fast lane
  would send it: the risk, the audit event linked into the chain through a heads row
  (``UPDATE … RETURNING`` takes its turn on the row and sees the head it waited for), its SHA-256
  computed by the database, and the notice. The hashed text has the shape of pmo-graph's, not its
  exact bytes: it is there for what it costs.

For each: mutations a second, and the machine's CPU per mutation less pgbench's own (that is,
PostgreSQL's, with whatever else the machine runs). A server in Python adds its own CPU to
every mutation on the same two cores, and in ``present`` its time between the statements
under the lock too. Figures only: nothing passes or fails. See docs/performance.md.
"""

from __future__ import annotations

import asyncio
import re
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import click
import psutil

from bench.database import BenchDatabase, prepare
from bench.peers.limit_app import RAISE_RISK
from bench.report import machine

#: pgbench's variables for the limit's ``$n`` parameters, in order.
_LIMIT_VARIABLES = (":org", ":project", ":title", ":probability", ":impact")


def _limit_script() -> str:
    sql = RAISE_RISK
    for number, name in reversed(list(enumerate(_LIMIT_VARIABLES, start=1))):
        sql = sql.replace(f"${number}", name)
    return sql.strip() + ";\n"


#: What pmo-graph sends before it takes the chain's turn: the project, the risk, the webhooks.
BEFORE_THE_TURN = """
BEGIN;
SELECT id, code, name, organisation_id, version FROM projects
    WHERE id = :project AND organisation_id = :org;
INSERT INTO risks (organisation_id, project_id, title, probability, impact, status, version,
                   created_at, updated_at)
    VALUES (:org, :project, :title, :probability, :impact, 'OPEN', 1, now(), now())
    RETURNING id AS risk \\gset
SELECT id, event_types FROM webhooks WHERE organisation_id = :org AND active IS true;
"""

PRESENT = (
    BEFORE_THE_TURN
    + """
SELECT id FROM organisations WHERE id = :org FOR NO KEY UPDATE;
SELECT seq AS head, hash AS previous FROM audit_events
    WHERE organisation_id = :org ORDER BY seq DESC LIMIT 1 \\gset
INSERT INTO audit_events (organisation_id, at, actor_user_id, action, entity_type, entity_pk,
                          changes, request_id, seq, previous_hash, hash)
    VALUES (:org, now(), NULL, 'risk.raised', 'Risk', :risk, '{}', NULL, :head + 1, :previous,
            encode(sha256(convert_to(:previous || 'risk.raised', 'UTF8')), 'hex'))
    RETURNING id;
SELECT pg_notify('pmo_bench_ceiling', '[{"name":"risk.raised"}]');
COMMIT;
"""
)

HEADS_ROW = (
    BEFORE_THE_TURN
    + """
UPDATE ceiling_heads SET seq = seq + 1 WHERE organisation_id = :org
    RETURNING seq AS head, hash AS previous \\gset
WITH audit AS (
    INSERT INTO audit_events (organisation_id, at, actor_user_id, action, entity_type,
                              entity_pk, changes, request_id, seq, previous_hash, hash)
    VALUES (:org, now(), NULL, 'risk.raised', 'Risk', :risk, '{}', NULL, :head, :previous,
            encode(sha256(convert_to(:previous || 'risk.raised', 'UTF8')), 'hex'))
    RETURNING hash
),
head AS (
    UPDATE ceiling_heads SET previous = :previous, hash = (SELECT hash FROM audit)
    WHERE organisation_id = :org
)
SELECT pg_notify('pmo_bench_ceiling', '[{"name":"risk.raised"}]');
COMMIT;
"""
)

# The hashed content is built with format(): a colon before a letter inside the script would
# be taken by pgbench for one of its variables.
ONE_STATEMENT = """
WITH project AS (
    SELECT p.id, p.organisation_id FROM projects p
    WHERE p.id = :project AND p.organisation_id = :org
),
risk AS (
    INSERT INTO risks (organisation_id, project_id, title, probability, impact, status, version,
                       created_at, updated_at)
    SELECT project.organisation_id, project.id, :title, :probability, :impact, 'OPEN', 1,
           now(), now()
    FROM project
    RETURNING id, organisation_id, title, probability, impact
),
content AS (
    SELECT risk.*, json_build_object('title', risk.title, 'probability', risk.probability,
                                     'impact', risk.impact)::text AS changes
    FROM risk
),
head AS (
    UPDATE ceiling_heads h
    SET seq = h.seq + 1, previous = h.hash,
        hash = encode(sha256(convert_to(format(
            '{"action"%1$s"risk.raised","at"%1$s"%2$s","changes"%1$s%3$s,"entity"%1$s["Risk","%4$s"],'
            '"organisation"%1$s%5$s,"previous"%1$s"%6$s","request"%1$snull,"seq"%1$s%7$s}',
            chr(58), now(), c.changes, c.id, c.organisation_id, h.hash, h.seq + 1
        ), 'UTF8')), 'hex')
    FROM content c
    WHERE h.organisation_id = c.organisation_id
    RETURNING h.organisation_id, h.seq, h.previous, h.hash
),
audit AS (
    INSERT INTO audit_events (organisation_id, at, actor_user_id, action, entity_type, entity_pk,
                              changes, request_id, seq, previous_hash, hash)
    SELECT head.organisation_id, now(), NULL, 'risk.raised', 'Risk', c.id::text, c.changes::json,
           NULL, head.seq, head.previous, head.hash
    FROM head, content c
    RETURNING seq
)
SELECT pg_notify('pmo_bench_ceiling',
                 (SELECT json_build_object('name', 'risk.raised', 'id', id)::text FROM risk)),
       (SELECT json_build_object('title', title, 'score', probability * impact) FROM risk)::text,
       (SELECT seq FROM audit);
"""

#: The heads rows the one-statement shape links through.
HEADS = """
CREATE TABLE ceiling_heads (
    organisation_id bigint PRIMARY KEY, seq bigint NOT NULL, previous text NOT NULL,
    hash text NOT NULL
);
INSERT INTO ceiling_heads SELECT id, 0, '', '' FROM organisations;
"""

#: Before each shape: the heads rows point at each chain's last event, whoever wrote it.
SYNC_HEADS = """
UPDATE ceiling_heads h SET seq = a.seq, previous = a.previous_hash, hash = a.hash
FROM audit_events a
WHERE a.organisation_id = h.organisation_id
  AND a.seq = (SELECT max(seq) FROM audit_events WHERE organisation_id = h.organisation_id);
"""

#: The present shape reads the chain's head: every organisation's chain gets a first event.
GENESIS = """
INSERT INTO audit_events (organisation_id, at, action, entity_type, entity_pk, changes, seq,
                          previous_hash, hash)
SELECT o.id, now(), 'bench.genesis', 'Organisation', o.id::text, '{}', 1, repeat('0', 64),
       repeat('0', 64)
FROM organisations o
WHERE NOT EXISTS (SELECT FROM audit_events a WHERE a.organisation_id = o.id);
"""


@dataclass(frozen=True)
class Shape:
    key: str
    title: str
    script: str


SHAPES = (
    Shape("limit", "the limit's one statement: no audit event, no notice", _limit_script()),
    Shape("present", "pmo-graph's statements today, the chain locked to the commit", PRESENT),
    Shape(
        "heads-row",
        "the same, the chain's turn taken and its head read by one UPDATE of a heads row, "
        "the event, the new head and the notice in one statement",
        HEADS_ROW,
    ),
    Shape(
        "one-statement",
        "one statement: the risk, the chained audit event, the notice",
        ONE_STATEMENT,
    ),
)


@dataclass(frozen=True)
class Measured:
    shape: Shape
    mutations: int
    per_second: float
    machine_cpu_ms: float
    pgbench_cpu_ms: float

    @property
    def database_cpu_ms(self) -> float:
        return self.machine_cpu_ms - self.pgbench_cpu_ms


async def _execute(database: BenchDatabase, sql: str) -> None:
    connection = await asyncpg.connect(database.dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


#: Events out of place: numbered out of turn, or not linked to the hash of the one before.
BROKEN_LINKS = """
SELECT count(*) FROM (
    SELECT seq, previous_hash,
           row_number() OVER w AS turn, lag(hash) OVER w AS before
    FROM audit_events WHERE organisation_id = $1
    WINDOW w AS (ORDER BY seq)
) e
WHERE seq <> turn OR (seq > 1 AND previous_hash <> before)
"""


async def _broken_links(database: BenchDatabase) -> int:
    """How many audit events of the organisation are out of turn or unlinked: a shape that let
    two writers take the same head would fork the chain."""
    connection = await asyncpg.connect(database.dsn)
    try:
        return int(await connection.fetchval(BROKEN_LINKS, database.data.organisation_id))
    finally:
        await connection.close()


def _busy_seconds() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _measure(
    database: BenchDatabase,
    shape: Shape,
    organisation: int,
    projects: tuple[int, int],
    clients: int,
    seconds: float,
    directory: Path,
) -> Measured:
    script = directory / f"{shape.key}.sql"
    script.write_text(f"\\set project random({projects[0]}, {projects[1]})\n{shape.script}")
    command = [
        "pgbench",
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(int(seconds)),
        "-D",
        f"org={organisation}",
        "-D",
        "title=Bench risk",
        "-D",
        "probability=3",
        "-D",
        "impact=4",
        "-f",
        str(script),
        database.dsn,
    ]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = _busy_seconds()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    busy = _busy_seconds() - busy
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or "aborted" in done.stderr:
        raise click.ClickException(f"pgbench failed on {shape.key}:\n{done.stderr.strip()}")
    processed = re.search(r"number of transactions actually processed: (\d+)", done.stdout)
    rate = re.search(r"tps = ([0-9.]+)", done.stdout)
    if processed is None or rate is None or int(processed.group(1)) == 0:
        raise click.ClickException(f"pgbench printed no figures for {shape.key}:\n{done.stdout}")
    mutations = int(processed.group(1))
    own = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return Measured(
        shape, mutations, float(rate.group(1)), busy * 1000 / mutations, own * 1000 / mutations
    )


def table(results: list[Measured], clients: int) -> list[str]:
    """The figures as a Markdown table, with each shape's rate against the limit's."""
    limit = next((r.per_second for r in results if r.shape.key == "limit"), None)
    lines = [
        f"| shape | mutations/s ({clients} clients) | vs the limit | database CPU ms/mutation |",
        "| --- | ---: | ---: | ---: |",
    ]
    for result in results:
        ratio = f"{result.per_second / limit:.2f}x" if limit else "n/a"
        lines.append(
            f"| {result.shape.key}: {result.shape.title} | {result.per_second:,.0f} | {ratio} "
            f"| {result.database_cpu_ms:.2f} |"
        )
    return lines


@click.command()
@click.option("--seconds", default=10.0, show_default=True, help="Seconds each shape runs.")
@click.option("--clients", default=8, show_default=True, help="Concurrent pgbench clients.")
def main(seconds: float, clients: int) -> None:
    """Mutations a second PostgreSQL allows on this machine, in four shapes (see the module)."""
    if shutil.which("pgbench") is None:
        raise click.ClickException("pgbench is not on PATH (it comes with PostgreSQL's client)")
    database = prepare("postgresql", "M", label="ceiling")
    asyncio.run(_execute(database, GENESIS + HEADS + "ANALYZE;"))
    organisation = database.data.organisation_id
    projects = (min(database.data.project_ids), max(database.data.project_ids))
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for shape in SHAPES:
            click.echo(f"{shape.key}: {seconds:.0f} s with {clients} clients", err=True)
            asyncio.run(_execute(database, SYNC_HEADS))
            results.append(
                _measure(database, shape, organisation, projects, clients, seconds, Path(directory))
            )
    broken = asyncio.run(_broken_links(database))
    if broken:
        raise click.ClickException(f"{broken} audit events out of turn or unlinked: a fork")
    click.echo("\n".join(machine()))
    click.echo(f"- `python -m bench.ceiling --seconds {seconds:g} --clients {clients}`\n")
    click.echo("\n".join(table(results, clients)))


if __name__ == "__main__":
    main()
