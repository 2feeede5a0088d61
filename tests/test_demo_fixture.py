"""The ``seeded_demo`` fixture of ``pmo_graph.testing``: an organisation holding the demo data of
every installed tier, as ``pmo-graph serve --demo`` seeds it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.db.base import Base
from pmo_graph.projects.models import Project
from pmo_graph.testing import TestOrganisation
from pmo_graph_pmo.models import Benefit
from pmo_graph_portfolio.models import Risk
from pmo_graph_pso.models import StatusReport


async def rows(session: AsyncSession, model: type[Base], organisation_id: int) -> int:
    column = model.organisation_id  # type: ignore[attr-defined]
    count = await session.scalar(
        select(func.count()).select_from(model).where(column == organisation_id)
    )
    return int(count or 0)


async def test_the_seeded_demo_holds_every_tier_s_demo_data(
    seeded_demo: TestOrganisation, db_session: AsyncSession, pmo_state: AppState
) -> None:
    data = await seeded_demo.admin.query("{ viewer { organisation { tiers { key enabled } } } }")
    tiers = data["viewer"]["organisation"]["tiers"]
    assert {t["key"]: t["enabled"] for t in tiers} == dict.fromkeys(
        pmo_state.registry.tier_order, True
    )
    assert await rows(db_session, Project, seeded_demo.id) == 30  # the core's seed
    for model in (StatusReport, Risk, Benefit):  # pso, portfolio, pmo
        assert await rows(db_session, model, seeded_demo.id) > 0, model.__name__
    projects = await seeded_demo.admin.query("{ projects(first: 1) { totalCount } }")
    assert projects == {"projects": {"totalCount": 30}}


async def test_each_seeded_demo_is_an_organisation_of_its_own(
    seeded_demo: TestOrganisation, org: TestOrganisation, db_session: AsyncSession
) -> None:
    assert seeded_demo.slug != "demo"  # never the one `serve --demo` makes
    assert await rows(db_session, Project, org.id) == 0
