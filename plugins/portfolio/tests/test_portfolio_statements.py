"""The portfolio dashboard costs the same statements for 3 portfolios as for 30."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.sdk import Person, Portfolio, Project, ProjectStage
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements
from pmo_graph_portfolio.enums import RiskStatus
from pmo_graph_portfolio.models import Risk

DASHBOARD = """
{ portfolios(first: 100) { edges { node {
    riskProfile { totalExposure }
    projects(first: 50) { edges { node { risks { score owner { name } } } } }
} } } }
"""

#: After the token and tiers (``access_statements``): portfolios, risk profiles, the projects' pages, their risks, the owners.
#: These pin the resolvers' batching; the compiled path has its own counts.
pytestmark = pytest.mark.usefixtures("resolvers_only")

DASHBOARD_STATEMENTS = 5


async def _populate(session: AsyncSession, organisation_id: int, portfolios: int) -> None:
    for i in range(portfolios):
        owner = Person(organisation_id=organisation_id, name=f"Owner {i}")
        portfolio = Portfolio(organisation_id=organisation_id, name=f"Portfolio {i:02d}")
        session.add_all([owner, portfolio])
        await session.flush()
        for j in range(3):
            project = Project(
                organisation_id=organisation_id,
                code=f"PF{i:02d}-{j}",
                name="P",
                stage=ProjectStage.ACTIVE,
                portfolio_id=portfolio.id,
            )
            session.add(project)
            await session.flush()
            session.add(
                Risk(
                    organisation_id=organisation_id,
                    project_id=project.id,
                    title="R",
                    probability=2,
                    impact=3,
                    status=RiskStatus.OPEN,
                    owner_id=owner.id,
                )
            )
    await session.commit()


async def test_portfolio_dashboard_statements_are_constant(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
) -> None:
    counts = []
    for size in (3, 30):
        org = await make_org(tiers=["pso", "portfolio"])
        await _populate(db_session, org.id, size)
        await org.admin.query("{ viewer { user { id } } }")
        count_statements.reset()
        data = await org.admin.query(DASHBOARD)
        portfolios = [edge["node"] for edge in data["portfolios"]["edges"]]
        assert len(portfolios) == size
        assert portfolios[0]["riskProfile"] == {"totalExposure": 18}
        assert portfolios[0]["projects"]["edges"][0]["node"]["risks"] == [
            {"score": 6, "owner": {"name": "Owner 0"}}
        ]
        counts.append(count_statements.count)
    expected = access_statements(pmo_state) + DASHBOARD_STATEMENTS
    assert counts == [expected, expected], count_statements.statements


async def test_ranking_is_batched_over_portfolios(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
) -> None:
    query = '{ portfolios(first: 20) { nodes { ranking { rank } selection(budget: "1000") { totalScore } } } }'
    counts = []
    for size in (3, 20):  # 20 selections cost 209,700 points: within the maximum
        org = await make_org(tiers=["pso", "portfolio"])
        await _populate(db_session, org.id, size)
        await org.admin.query("{ viewer { user { id } } }")
        count_statements.reset()
        data = await org.admin.query(query)
        assert len(data["portfolios"]["nodes"]) == size
        counts.append(count_statements.count)
    # the token and tiers; portfolios, criteria, projects, scores
    expected = access_statements(pmo_state) + 4
    assert counts == [expected, expected], count_statements.statements
