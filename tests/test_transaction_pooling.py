"""Behind PgBouncer in transaction mode (``PMO_GRAPH_DATABASE_POOLING=transaction``), each
transaction may run on another server connection, and the next transaction on a server
connection may be another process's. So the organisation that row-level security reads is set
in every transaction and ends with it (``row_security.scope_transactions``).

PgBouncer is not part of the suite; these tests give one connection transaction after
transaction, as PgBouncer may, and check what each transaction sees through the policies.
That the server works this way end to end (writes, reads through the resolvers, the kept plans
and the fast lane, which do not read in autocommit then) is in test_served_as_app_role.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import pytest_asyncio
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from helpers import add_projects, application_role_engine
from pmo_graph.app_state import AppState
from pmo_graph.db.row_security import current_organisation
from pmo_graph.projects.models import Project
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation, statements_of

pytestmark = pytest.mark.pmo_backends("postgresql")


@dataclass
class Pooled:
    """Two organisations with projects, and one connection as the application role with
    transaction pooling, to hand from transaction to transaction."""

    mine: TestOrganisation
    theirs: TestOrganisation
    engine: AsyncEngine
    connection: AsyncConnection


@pytest_asyncio.fixture
async def pooled(
    pmo_state: AppState,
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
) -> AsyncIterator[Pooled]:
    mine, theirs = await make_org(), await make_org()
    await add_projects(db_session, mine.id, 2, with_relations=False, prefix="MINE")
    await add_projects(db_session, theirs.id, 1, with_relations=False, prefix="THEIRS")
    await db_session.commit()
    async with (
        application_role_engine(pmo_state, database_pooling="transaction") as engine,
        engine.connect() as connection,
    ):
        yield Pooled(mine, theirs, engine, connection)


async def _seen(connection: AsyncConnection, organisation: int | None) -> list[str]:
    """The project codes one transaction on ``connection`` sees, serving ``organisation``."""
    token = current_organisation.set(organisation)
    try:
        codes = (await connection.scalars(select(Project.code).order_by(Project.code))).all()
        await connection.commit()
        return list(codes)
    finally:
        current_organisation.reset(token)


async def test_the_organisation_of_a_transaction_ends_with_it(pooled: Pooled) -> None:
    connection = pooled.connection
    assert await _seen(connection, pooled.mine.id) == ["MINE-0000", "MINE-0001"]
    # the next transaction on the same server connection, as PgBouncer may hand it on
    assert await _seen(connection, None) == []
    assert await _seen(connection, pooled.theirs.id) == ["THEIRS-0000"]
    assert await _seen(connection, pooled.mine.id) == ["MINE-0000", "MINE-0001"]
    # what the next transaction finds, whoever's it is and whatever it sets itself: nothing
    raw = await connection.get_raw_connection()
    left = await raw.driver_connection.fetchval(  # type: ignore[union-attr]
        "SELECT current_setting('pmo.organisation_id', true)"
    )
    assert left in ("", None)


async def test_a_transaction_sets_its_organisation_over_one_a_session_left_behind(
    pooled: Pooled,
) -> None:
    """A server connection may come from a process that pools by session and keeps the
    organisation on it: a transaction scoped by itself sees only its own, or none."""
    connection = pooled.connection
    raw = await connection.get_raw_connection()
    await raw.driver_connection.execute(  # type: ignore[union-attr]
        f"SELECT set_config('pmo.organisation_id', '{pooled.theirs.id}', false)"
    )
    assert await _seen(connection, pooled.mine.id) == ["MINE-0000", "MINE-0001"]
    assert await _seen(connection, None) == []


async def test_a_transaction_sets_its_organisation_once_and_again_when_it_changes(
    pooled: Pooled,
) -> None:
    connection = pooled.connection
    token = current_organisation.set(pooled.mine.id)
    try:
        with statements_of(pooled.engine) as counter:
            for _ in range(3):
                assert len((await connection.scalars(select(Project.code))).all()) == 2
            current_organisation.set(pooled.theirs.id)  # within the same transaction
            assert (await connection.scalars(select(Project.code))).all() == ["THEIRS-0000"]
            await connection.commit()
    finally:
        current_organisation.reset(token)
    set_config = [statement for statement in counter.statements if "set_config" in statement]
    assert len(set_config) == 2, counter.statements  # once for mine, once for theirs
    assert counter.count == 2 + 4  # and the four reads


async def test_a_rollback_to_a_savepoint_does_not_leave_the_organisation_before_it(
    pooled: Pooled,
) -> None:
    """An organisation set after a savepoint goes with a rollback to it, and the one before
    comes back: the next statement sets the wanted one again."""
    connection = pooled.connection
    token = current_organisation.set(pooled.mine.id)
    try:
        async with connection.begin():
            savepoint = await connection.begin_nested()
            current_organisation.set(pooled.theirs.id)
            assert (await connection.scalars(select(Project.code))).all() == ["THEIRS-0000"]
            await savepoint.rollback()
            assert (await connection.scalars(select(Project.code))).all() == ["THEIRS-0000"]
    finally:
        current_organisation.reset(token)


def test_the_pooling_settings_are_refused_with_sqlite_or_unknown() -> None:
    with pytest.raises(ValidationError, match="PgBouncer"):
        Settings(database_url="sqlite+aiosqlite:///x.sqlite3", database_pooling="transaction")
    with pytest.raises(ValidationError, match="database_pooling"):
        Settings(database_pooling="statement")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="database_statement_cache"):
        Settings(database_url="sqlite+aiosqlite:///x.sqlite3", database_statement_cache=False)
