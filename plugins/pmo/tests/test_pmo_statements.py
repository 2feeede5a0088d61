"""The programme dashboard costs the same statements for 2 programmes as for 20."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.sdk import Programme, Project, ProjectStage
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind
from pmo_graph_pmo.models import Benefit, BenefitContribution, BenefitMeasurement, Dependency
from pmo_graph_pso.models import Milestone

DASHBOARD = """
{ programmes(first: 100) { edges { node {
    benefits { realisation status contributions { project { code } } }
    synchronisation { inStep }
} } } }
"""

#: After the token and tiers (``access_statements``): the programmes page, their benefits, their
#: measurements' sums and latest values (one statement), contributions, projects, and for the beat: milestones, dependencies, tranches.
#: These pin the resolvers' batching; the compiled path has its own counts.
pytestmark = pytest.mark.usefixtures("resolvers_only")

DASHBOARD_STATEMENTS = 8


async def _populate(session: AsyncSession, organisation_id: int, programmes: int) -> None:
    for i in range(programmes):
        programme = Programme(organisation_id=organisation_id, name=f"Programme {i:02d}")
        session.add(programme)
        await session.flush()
        project = Project(
            organisation_id=organisation_id,
            code=f"PG{i:02d}",
            name="P",
            stage=ProjectStage.ACTIVE,
            programme_id=programme.id,
        )
        session.add(project)
        await session.flush()
        first = Milestone(
            organisation_id=organisation_id,
            project_id=project.id,
            name="A",
            baseline_date=date(2027, 1, 1),
        )
        second = Milestone(
            organisation_id=organisation_id,
            project_id=project.id,
            name="B",
            baseline_date=date(2027, 2, 1),
        )
        session.add_all([first, second])
        for j in range(2):
            benefit = Benefit(
                organisation_id=organisation_id,
                programme_id=programme.id,
                name=f"B{j}",
                kind=BenefitKind.BENEFIT,
                category=BenefitCategory.FINANCIAL,
                measure="m",
                baseline=0,
                target=10,
                target_date=date(2027, 12, 31),
            )
            session.add(benefit)
            await session.flush()
            session.add_all(
                [
                    BenefitMeasurement(
                        organisation_id=organisation_id,
                        benefit_id=benefit.id,
                        measured_on=date(2026, 1, 1),
                        value=2,
                    ),
                    BenefitMeasurement(
                        organisation_id=organisation_id,
                        benefit_id=benefit.id,
                        measured_on=date(2026, 2, 1),
                        value=4,
                    ),
                    BenefitContribution(
                        organisation_id=organisation_id,
                        benefit_id=benefit.id,
                        project_id=project.id,
                        share=0.5,
                    ),
                ]
            )
        await session.flush()
        session.add(
            Dependency(
                organisation_id=organisation_id,
                programme_id=programme.id,
                predecessor_id=first.id,
                successor_id=second.id,
                lag_days=3,
            )
        )
    await session.commit()


async def test_programme_dashboard_statements_are_constant(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
) -> None:
    counts = []
    for size in (2, 20):
        org = await make_org(tiers=["pso", "portfolio", "pmo"])
        await _populate(db_session, org.id, size)
        await org.admin.query("{ viewer { user { id } } }")
        count_statements.reset()
        data = await org.admin.query(DASHBOARD)
        programmes = [edge["node"] for edge in data["programmes"]["edges"]]
        assert len(programmes) == size
        assert programmes[0]["benefits"][0] == {
            "realisation": 0.4,
            "status": "ON_TRACK",
            "contributions": [{"project": {"code": "PG00"}}],
        }
        assert programmes[0]["synchronisation"] == {"inStep": True}
        counts.append(count_statements.count)
    expected = access_statements(pmo_state) + DASHBOARD_STATEMENTS
    assert counts == [expected, expected]
