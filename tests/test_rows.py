"""``Transaction.rows``: loads and inserts as Core statements, on asyncpg's connection on
PostgreSQL, in the write's own transaction, answering what the ORM would read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import bindparam, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import authenticate, token_digest
from pmo_graph.db.base import Base
from pmo_graph.db.integrity import duplicate_of, is_unique_violation
from pmo_graph.db.row_security import current_organisation
from pmo_graph.errors import database_unreachable
from pmo_graph.ids import parse_pk
from pmo_graph.people.models import Person
from pmo_graph.projects.models import Project
from pmo_graph.request.context import Context
from pmo_graph.request.transaction import Transaction
from pmo_graph.testing import TestOrganisation
from pmo_graph_portfolio.enums import RiskStatus
from pmo_graph_portfolio.models import Risk
from pmo_graph_pso.enums import Rag
from pmo_graph_pso.models import Assignment, StatusReport

MakeOrg = Callable[..., Awaitable[TestOrganisation]]


@asynccontextmanager
async def writing(state: AppState, org: TestOrganisation) -> AsyncIterator[Transaction]:
    """A write transaction of ``org``'s admin, as ``run_in_transaction`` opens one."""
    token = org.tokens[Role.ADMIN]
    async with state.request_sessionmaker() as session:
        viewer = await authenticate(session, token)
        assert viewer is not None
        current_organisation.set(viewer.organisation_id)
        context = Context(
            app=state, session=session, viewer_or_none=viewer, token_digest=token_digest(token)
        )
        async with context.write() as writing_session:
            yield Transaction(context=context, session=writing_session, action="test")


async def _project(org: TestOrganisation, code: str = "ROWS-1") -> int:
    made = await org.admin.mutate(
        f'mutation {{ createProject(input: {{code: "{code}", name: "Rows"}}) '
        "{ project { id } userErrors { code } } }"
    )
    pk = parse_pk(made["project"]["id"], "Project")
    assert pk is not None
    return pk


def _columns(row: Any) -> dict[str, Any]:
    mapper = inspect(type(row))
    return {prop.key: getattr(row, prop.key) for prop in mapper.column_attrs}


async def test_an_inserted_row_is_the_row_the_orm_reads(
    org: TestOrganisation, pmo_state: AppState, pmo_backend: str
) -> None:
    project_id = await _project(org)
    person_id = org.person_ids[Role.VIEWER]
    async with writing(pmo_state, org) as tx:
        inserted: list[Any] = [
            await tx.rows.insert(
                Risk,
                organisation_id=org.id,
                project_id=project_id,
                title="Supplier insolvency",
                description=None,
                probability=3,
                impact=4,
                status=RiskStatus.OPEN,
                owner_id=person_id,
                response="Second supplier",
                proximity=date(2027, 3, 31),
            ),
            await tx.rows.insert(
                StatusReport,
                organisation_id=org.id,
                project_id=project_id,
                period_ending=date(2026, 11, 30),
                overall=Rag.AMBER,
                schedule=Rag.GREEN,
                cost=Rag.RED,
                scope=None,
                resources=None,
                summary="Late steel",
                submitted_by_id=None,
            ),
            await tx.rows.insert(
                Assignment,
                organisation_id=org.id,
                project_id=project_id,
                person_id=person_id,
                role="Engineer",
                allocation=0.35,
                start_date=date(2027, 1, 4),
                end_date=date(2027, 6, 30),
            ),
        ]
        # On PostgreSQL the rows come from the driver, in no session; SQLite's through it.
        detached = [inspect(row).detached for row in inserted]
        assert detached == [pmo_backend == "postgresql"] * 3
        loaded = await tx.rows.load(Project, project_id)
        assert loaded is not None
        assert loaded.code == "ROWS-1"
    async with pmo_state.sessionmaker() as session:
        for row in inserted:
            read = await session.get(type(row), row.id)
            assert read is not None
            ours, theirs = _columns(row), _columns(read)
            assert ours == theirs
            assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
        assert inserted[0].version == 1
        assert inserted[0].status is RiskStatus.OPEN
        assert inserted[0].created_at.tzinfo is not None


async def test_a_row_of_another_organisation_loads_as_missing(
    org: TestOrganisation, make_org: MakeOrg, pmo_state: AppState
) -> None:
    other = await make_org(tiers=pmo_state.registry.tier_order)
    theirs = await _project(other, "THEIRS")
    ours = await _project(org, "OURS")
    async with writing(pmo_state, org) as tx:
        assert await tx.rows.load(Project, theirs) is None
        assert await tx.rows.load(Project, ours) is not None
        assert await tx.rows.load(Person, org.person_ids[Role.ADMIN]) is not None
        assert await tx.rows.load(Person, other.person_ids[Role.ADMIN]) is None


class Refused(Exception):
    """Raised inside a write to roll it back."""


async def test_what_rows_wrote_rolls_back_with_the_write(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    project_id = await _project(org)

    async def insert_then_refuse() -> None:
        async with writing(pmo_state, org) as tx:
            # the transaction's first statement: rows must begin the transaction it runs in
            await tx.rows.insert(
                Assignment,
                organisation_id=org.id,
                project_id=project_id,
                person_id=org.person_ids[Role.VIEWER],
                role="Rolled back",
                allocation=0.5,
                start_date=date(2027, 1, 4),
                end_date=date(2027, 1, 29),
            )
            raise Refused

    with pytest.raises(Refused):
        await insert_then_refuse()
    async with pmo_state.sessionmaker() as session:
        found = await session.scalar(select(Assignment.id).where(Assignment.role == "Rolled back"))
        assert found is None


async def test_a_duplicate_on_the_driver_is_the_constraint_sqlalchemy_reports(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    project_id = await _project(org)
    report = {
        "organisation_id": org.id,
        "project_id": project_id,
        "period_ending": date(2026, 10, 31),
        "overall": Rag.GREEN,
        "summary": "Twice",
    }

    async def insert_twice() -> None:
        async with writing(pmo_state, org) as tx:
            await tx.rows.insert(StatusReport, **report)
            await tx.rows.insert(StatusReport, **report)

    with pytest.raises(IntegrityError) as refused:
        await insert_twice()
    assert is_unique_violation(refused.value)
    assert duplicate_of(refused.value, Base.metadata).field == "periodEnding"


_REPORTS_OF = select(StatusReport.summary).where(StatusReport.project_id == bindparam("project"))


async def test_a_select_built_once_answers_its_first_row(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    project_id = await _project(org)
    async with writing(pmo_state, org) as tx:
        assert await tx.rows.scalar(_REPORTS_OF, project=project_id) is None
        await tx.rows.insert(
            StatusReport,
            organisation_id=org.id,
            project_id=project_id,
            period_ending=date(2026, 9, 30),
            overall=Rag.RED,
            summary="Once",
        )
        assert await tx.rows.scalar(_REPORTS_OF, project=project_id) == "Once"
        assert await tx.rows.first(_REPORTS_OF, project=project_id) == {"summary": "Once"}


_BACKEND = text("SELECT pg_backend_pid() AS pid")


@pytest.mark.pmo_backends("postgresql")
async def test_a_connection_dropped_under_the_driver_is_sqlalchemys_disconnect(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    project_id = await _project(org)

    async def load_after_the_drop() -> None:
        async with writing(pmo_state, org) as tx:
            backend = await tx.rows.scalar(_BACKEND)
            async with pmo_state.sessionmaker() as other:
                await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            await tx.rows.load(Project, project_id)

    with pytest.raises(DBAPIError) as dropped:
        await load_after_the_drop()
    assert database_unreachable(dropped.value)  # answered SERVER_BUSY, as on the other paths
    # the pool let the dead connection go: the next write works
    async with writing(pmo_state, org) as tx:
        assert await tx.rows.load(Project, project_id) is not None
