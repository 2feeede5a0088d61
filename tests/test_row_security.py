"""Row-level security on PostgreSQL (docs/security.md): connected as the application role, a query
that forgets the organisation scope still sees only the organisation of the request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from helpers import application_role_engine
from pmo_graph.app_state import AppState
from pmo_graph.auth.models import ApiToken
from pmo_graph.db import row_security
from pmo_graph.db.row_security import POLICY, current_organisation
from pmo_graph.graphql.budget_store import SYNC
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project
from pmo_graph.testing import TestOrganisation

pytestmark = pytest.mark.pmo_backends("postgresql")

MakeOrg = Callable[..., Awaitable[TestOrganisation]]


@pytest.fixture
async def app_engine(pmo_state: AppState) -> AsyncIterator[AsyncEngine]:
    """An engine connected as an application role that owns no table, granted by ``apply``."""
    async with application_role_engine(pmo_state) as engine:
        yield engine


async def _two_organisations(
    make_org: MakeOrg, session: AsyncSession
) -> tuple[TestOrganisation, TestOrganisation]:
    a, b = await make_org(), await make_org()
    for org, code in ((a, "MINE-1"), (b, "THEIRS-1")):
        session.add(Portfolio(organisation_id=org.id, name=f"P {code}"))
        session.add(
            Project(organisation_id=org.id, code=code, name=code, stage=ProjectStage.ACTIVE)
        )
    await session.commit()
    return a, b


async def test_every_tenant_table_has_the_policy(pmo_state: AppState) -> None:
    async with pmo_state.engine.connect() as connection:
        tables = await connection.run_sync(row_security.tenant_tables)
        rows = await connection.execute(
            text(
                "SELECT tablename FROM pg_policies "
                "WHERE schemaname = current_schema() AND policyname = :policy"
            ),
            {"policy": POLICY},
        )
        secured = {row[0] for row in rows}
    assert len(tables) > 20
    assert set(tables) - secured == set()


async def test_a_query_that_forgets_the_scope_sees_only_its_organisation(
    make_org: MakeOrg, db_session: AsyncSession, app_engine: AsyncEngine
) -> None:
    a, b = await _two_organisations(make_org, db_session)
    forgetful = text("SELECT code FROM projects WHERE code IN ('MINE-1', 'THEIRS-1')")

    token = current_organisation.set(a.id)
    try:
        async with app_engine.connect() as connection:
            mine = [row[0] for row in await connection.execute(forgetful)]
    finally:
        current_organisation.reset(token)
    assert mine == ["MINE-1"]

    token = current_organisation.set(b.id)
    try:
        async with app_engine.connect() as connection:
            theirs = [row[0] for row in await connection.execute(forgetful)]
    finally:
        current_organisation.reset(token)
    assert theirs == ["THEIRS-1"]

    async with app_engine.connect() as connection:  # no organisation: no tenant rows at all
        assert [row[0] for row in await connection.execute(forgetful)] == []


async def test_the_organisation_set_on_a_connection_survives_a_rolled_back_request(
    make_org: MakeOrg, db_session: AsyncSession, app_engine: AsyncEngine
) -> None:
    """The setting is made once per connection and organisation; a request whose work is
    rolled back (every ``connect()`` block here ends so) must not take it back with it."""
    a, b = await _two_organisations(make_org, db_session)
    forgetful = text("SELECT code FROM projects WHERE code IN ('MINE-1', 'THEIRS-1')")
    seen = []
    for organisation in (a, b, b):
        token = current_organisation.set(organisation.id)
        try:
            async with app_engine.connect() as connection:
                seen.append([row[0] for row in await connection.execute(forgetful)])
        finally:
            current_organisation.reset(token)
    # the third request reuses the connection the second set to b, without setting it again
    assert seen == [["MINE-1"], ["THEIRS-1"], ["THEIRS-1"]]


async def test_rows_cannot_be_written_into_another_organisation(
    make_org: MakeOrg, db_session: AsyncSession, app_engine: AsyncEngine
) -> None:
    a, b = await _two_organisations(make_org, db_session)
    token = current_organisation.set(a.id)
    try:
        async with app_engine.begin() as connection:
            with pytest.raises(DBAPIError, match="row-level security"):
                await connection.execute(
                    text(
                        "INSERT INTO portfolios (organisation_id, name, version, created_at, "
                        "updated_at) VALUES (:org, 'Planted', 1, now(), now())"
                    ),
                    {"org": b.id},
                )
    finally:
        current_organisation.reset(token)


async def test_the_application_role_cannot_change_the_audit_log(
    org: TestOrganisation, app_engine: AsyncEngine
) -> None:
    await org.admin.mutate(
        'mutation { createPortfolio(input: {name: "Audited"}) { portfolio { id } userErrors { code } } }'
    )
    token = current_organisation.set(org.id)
    try:
        async with app_engine.begin() as connection:
            with pytest.raises(DBAPIError, match="permission denied"):
                await connection.execute(text("DELETE FROM audit_events"))
    finally:
        current_organisation.reset(token)


async def test_the_application_role_shares_the_budgets_without_an_organisation(
    make_org: MakeOrg, app_engine: AsyncEngine, pmo_state: AppState
) -> None:
    """The budget sync runs on a connection that carries no organisation (the listener's):
    the role may still add to a token's shared bucket and read it back."""
    org = await make_org()
    async with pmo_state.sessionmaker() as session:
        token_id = await session.scalar(
            select(ApiToken.id).where(ApiToken.organisation_id == org.id).limit(1)
        )
    async with app_engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        rows = await raw.fetch(SYNC, [token_id], [51.0], 120.0, 1.0)
        await connection.commit()
    assert [(row["token_id"], row["level"]) for row in rows] == [(token_id, 69.0)]
