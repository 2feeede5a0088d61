"""The audit log is append-only and hash-chained: the database refuses UPDATE and DELETE, every
event links to the one before, tampering is found by ``pmo-graph audit verify``."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from test_cli import run

from helpers import gid
from pmo_graph.app_state import AppState
from pmo_graph.audit.chain import GENESIS, append_to_chain, event_hash, verify
from pmo_graph.audit.models import AuditEvent
from pmo_graph.auth.roles import Role
from pmo_graph.db.types import utcnow
from pmo_graph.settings import Settings
from pmo_graph.testing import StatementCounter, TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
CREATE = """mutation($name: String!) { createPortfolio(input: {name: $name}) {
  portfolio { id } userErrors { code } } }"""
SQLITE_TRIGGER = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END"
)


async def _events(session: AsyncSession, organisation_id: int) -> list[AuditEvent]:
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation_id)
        .order_by(AuditEvent.seq)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def _create(org: TestOrganisation, count: int, concurrently: bool = False) -> None:
    calls = [org.admin.mutate(CREATE, {"name": f"Portfolio {i}"}) for i in range(count)]
    if concurrently:
        await asyncio.gather(*calls)
    else:
        for call in calls:
            await call


async def test_every_event_links_to_the_one_before(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    org = await make_org()
    await _create(org, 4)
    events = await _events(db_session, org.id)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].previous_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.hash
    for event, previous in zip(events, [GENESIS, *(e.hash for e in events)], strict=False):
        assert event.hash == event_hash(event, previous)
    (report,) = await verify(db_session, org.slug)
    assert (report.events, report.head_seq, report.broken) == (4, 4, None)
    assert report.head_hash == events[-1].hash


async def test_concurrent_mutations_take_turns_and_never_fork_the_chain(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    org = await make_org()
    await _create(org, 12, concurrently=True)
    events = await _events(db_session, org.id)
    assert [e.seq for e in events] == list(range(1, 13))
    (report,) = await verify(db_session, org.slug)
    assert report.broken is None


async def test_events_written_together_are_numbered_in_turn_each_with_its_own_row(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    first, second = await make_org(), await make_org()
    await _create(first, 1)
    events = [
        AuditEvent(
            organisation_id=organisation.id,
            at=utcnow(),
            actor_user_id=None,
            action=f"test{i}",
            entity_type="Test",
            entity_pk=str(i),
            changes={"i": i},
            request_id=None,
        )
        for i, organisation in enumerate([first, second, first])
    ]
    await append_to_chain(db_session, events)
    await db_session.commit()

    assert [e.seq for e in events] == [2, 1, 3]
    for written in events:
        row = await db_session.get(AuditEvent, written.id)
        assert row is not None
        assert (row.organisation_id, row.seq, row.action, row.hash) == (
            written.organisation_id,
            written.seq,
            written.action,
            written.hash,
        )
    for organisation, count in ((first, 3), (second, 1)):
        (report,) = await verify(db_session, organisation.slug)
        assert (report.events, report.broken) == (count, None)


async def test_a_mutation_locks_its_chain_only_after_its_other_work(
    org: TestOrganisation, count_statements: StatementCounter, pmo_backend: str
) -> None:
    # The lock holds until the commit and concurrent mutations of the organisation wait for it.
    # On PostgreSQL it is taken inside the last statement (pmo_graph_finish_write: the
    # deliveries, then the lock, the chain's head, the audit event and the notices); on SQLite
    # the write transaction holds the database's lock, and the head and the event come last.
    count_statements.reset()
    await org.admin.mutate(CREATE, {"name": "Locked late"})
    statements = [" ".join(s.split()).upper() for s in count_statements.statements]
    if pmo_backend == "postgresql":
        last = "SELECT STAGED, IDS, SEQS, PREVIOUS, HASHES FROM PMO_GRAPH_FINISH_WRITE("
        assert statements[-1].startswith(last)
        assert any(s.startswith("INSERT INTO PORTFOLIOS") for s in statements[:-1])
        return
    head = next(
        i
        for i, s in enumerate(statements)
        if s.startswith("SELECT AUDIT_EVENTS.SEQ, AUDIT_EVENTS.HASH")
    )
    assert any(s.startswith("INSERT INTO PORTFOLIOS") for s in statements[:head])
    assert statements[head + 1 :] == [statements[head + 1]]
    assert statements[head + 1].startswith("INSERT INTO AUDIT_EVENTS")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'forged' WHERE organisation_id = :org",
        "DELETE FROM audit_events WHERE organisation_id = :org",
    ],
)
async def test_the_database_refuses_to_change_or_remove_an_event(
    make_org: MakeOrg, db_session: AsyncSession, statement: str
) -> None:
    org = await make_org()
    await _create(org, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        await db_session.execute(text(statement), {"org": org.id})
    await db_session.rollback()
    assert len(await _events(db_session, org.id)) == 2


@pytest.mark.pmo_backends("postgresql")
async def test_postgresql_refuses_truncate(make_org: MakeOrg, db_session: AsyncSession) -> None:
    org = await make_org()
    await _create(org, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        await db_session.execute(text("TRUNCATE audit_events"))
    await db_session.rollback()


async def _forge(session: AsyncSession, backend: str, organisation_id: int, seq: int) -> None:
    """Change one event behind the trigger's back, as the table's owner could."""
    forge = text(
        "UPDATE audit_events SET entity_pk = 'forged' WHERE organisation_id = :org AND seq = :seq"
    )
    if backend == "postgresql":
        await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        await session.execute(forge, {"org": organisation_id, "seq": seq})
        await session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    else:
        await session.execute(text("DROP TRIGGER audit_events_no_update"))
        await session.execute(forge, {"org": organisation_id, "seq": seq})
        await session.execute(text(SQLITE_TRIGGER))
    await session.commit()


async def test_a_changed_event_is_found_by_verify_and_by_the_cli(
    make_org: MakeOrg, db_session: AsyncSession, pmo_backend: str, pmo_state: AppState
) -> None:
    org = await make_org()
    await _create(org, 3)
    await _forge(db_session, pmo_backend, org.id, 2)

    (report,) = await verify(db_session, org.slug)
    assert report.broken is not None
    assert (report.broken.seq, report.broken.reason) == (2, "it was changed after it was written")

    result = _cli(["audit", "verify", "--org", org.slug], pmo_state.settings)
    assert result.returncode == 1, result.stderr
    assert f"{org.slug}: BROKEN at event 2" in result.stdout


async def test_the_cli_prints_each_intact_chain_and_its_head(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    org = await make_org()
    await _create(org, 2)
    events = await _events(db_session, org.id)
    result = _cli(["audit", "verify", "--org", org.slug], pmo_state.settings)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{org.slug}: 2 events, chain intact; head 2 {events[-1].hash}\n"
    unknown = _cli(["audit", "verify", "--org", "no-such-org"], pmo_state.settings)
    assert unknown.returncode == 1
    assert "no organisation has the slug 'no-such-org'" in unknown.stderr


def _cli(args: list[str], settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {"PMO_GRAPH_DATABASE_URL": settings.database_url}
    if settings.database_schema:
        env["PMO_GRAPH_DATABASE_SCHEMA"] = settings.database_schema
    return run(args, env)


async def test_a_mutation_with_several_audit_events_links_each_to_the_one_before(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    # A project joining a programme whose director then sponsors it (the pmo tier's reaction in
    # the transaction): two audit events of one transaction, linked in turn by the one
    # statement that ends the write on PostgreSQL, and by the steps on SQLite.
    director = gid("Person", org.person_ids[Role.PROGRAMME_DIRECTOR])
    programme = await org.admin.mutate(
        'mutation($d: ID) { createProgramme(input: {name: "Led", directorId: $d}) '
        "{ programme { id } userErrors { code } } }",
        {"d": director},
    )
    project = await org.admin.mutate(
        'mutation { createProject(input: {code: "TWO-1", name: "Two"}) '
        "{ project { id } userErrors { code } } }"
    )
    await org.admin.mutate(
        "mutation($p: ID!, $v: ID) { setProjectProgramme(input: {projectId: $p, programmeId: $v})"
        " { userErrors { code } } }",
        {"p": project["project"]["id"], "v": programme["programme"]["id"]},
    )
    events = await _events(db_session, org.id)
    last_request = [e for e in events if e.request_id == events[-1].request_id]
    assert len(last_request) == 2
    assert last_request[0].action == "setProjectProgramme"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for event, previous in zip(events, [GENESIS, *(e.hash for e in events)], strict=False):
        assert event.hash == event_hash(event, previous)
    (report,) = await verify(db_session, org.slug)
    assert report.broken is None
